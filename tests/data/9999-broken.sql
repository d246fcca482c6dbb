-- A migration that fails half way: the table below must not survive it.
CREATE TABLE crm.half_done (id integer);
INSERT INTO crm.half_done VALUES (1);
SELECT 1 / 0;
