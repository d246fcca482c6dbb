-- A contact's buying role (server/sql/0013), in both layers of contacts
-- (0004).

ALTER TABLE contacts ADD COLUMN role TEXT;
ALTER TABLE contacts_server ADD COLUMN role TEXT;
