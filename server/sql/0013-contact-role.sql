-- A contact's part in the customer's buying decisions (issue 9: "role
-- and decision-maker flags"): one closed vocabulary, crm.contact_role --
-- decision_maker (决策人), influencer (影响人), user (使用人), technical
-- (技术把关), finance (财务), other (其他) -- nullable for "not known yet".
--
-- One column, not a role and a separate is_decision_maker flag: the
-- vocabulary already names the decision maker, and two columns holding
-- the same fact could disagree (a 决策人 not marked as deciding, or the
-- mark on an 影响人).  The client derives its "Decision maker" mark from
-- role = 'decision_maker'.  Several contacts of a customer may share a
-- role, the decision maker included (a board of two).
--
-- Written by those who change the customer's contacts (SALES in the
-- entity table, crm.may_change_customer() here), as the other fields.
-- (0010 and 0011 are other parts of issue 9; 0012 is interactions'.)

CREATE TYPE crm.contact_role AS ENUM ('decision_maker', 'influencer', 'user', 'technical', 'finance', 'other');

ALTER TABLE crm.contacts ADD COLUMN role crm.contact_role;

-- The same function as 0008's, with role written on create and update.
CREATE OR REPLACE FUNCTION crm.apply_contact(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                  OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  may boolean;
  customer uuid;
  now_row jsonb;
  n integer;
BEGIN
  IF p_op = 'create' THEN
    customer := (f->>'customer_id')::uuid;
    SELECT crm.may_change_customer(c.owner_id, c.region_id) INTO may FROM crm.customers c WHERE c.id = customer;
    IF NOT FOUND THEN
      code := 'not_found'; field := 'customer_id';
      RETURN;
    ELSIF NOT may THEN
      code := 'forbidden'; field := 'customer_id';
      RETURN;
    END IF;
    -- the id was made by the client; marked primary once it is in
    INSERT INTO crm.contacts (id, customer_id, name, title, mobile, email, address, role, is_primary)
    VALUES (p_id, customer, f->>'name', f->>'title', f->>'mobile', f->>'email', f->>'address',
            (f->>'role')::crm.contact_role, false)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      IF coalesce((f->>'is_primary')::boolean, false) THEN
        PERFORM crm.unmark_primary(customer, p_id);
        UPDATE crm.contacts k SET is_primary = true WHERE k.id = p_id;
      END IF;
      code := 'created';
    ELSIF EXISTS (SELECT 1 FROM crm.contacts k WHERE k.id = p_id) THEN
      code := 'conflict'; field := 'id';
    ELSE
      -- taken by a record the caller may not see: saying so would tell
      -- that it exists
      code := 'not_found'; field := 'id';
    END IF;
    RETURN;
  ELSIF p_op NOT IN ('update', 'delete') THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;

  SELECT crm.may_change_customer(c.owner_id, c.region_id), c.id INTO may, customer
    FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id WHERE k.id = p_id;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  ELSIF NOT may THEN
    code := 'forbidden'; field := 'id';
    RETURN;
  END IF;

  IF p_op = 'delete' THEN
    -- the departure trigger (0002) tells those who had it
    DELETE FROM crm.contacts k WHERE k.id = p_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      code := 'deleted';
    ELSE
      code := 'not_found'; field := 'id';          -- gone meanwhile
    END IF;
    RETURN;
  END IF;

  -- lock the row: the comparison and the write see the same values
  SELECT to_jsonb(x) INTO now_row FROM crm.contacts x WHERE x.id = p_id FOR UPDATE;
  IF now_row IS NULL THEN
    code := 'not_found'; field := 'id';            -- moved out of reach meanwhile
    RETURN;
  END IF;
  conflicts := crm.merge_conflicts(now_row, f, p_base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  IF coalesce((f->>'is_primary')::boolean, false) THEN
    PERFORM crm.unmark_primary(customer, p_id);
  END IF;
  UPDATE crm.contacts k SET
    name       = CASE WHEN f ? 'name' THEN f->>'name' ELSE k.name END,
    title      = CASE WHEN f ? 'title' THEN f->>'title' ELSE k.title END,
    mobile     = CASE WHEN f ? 'mobile' THEN f->>'mobile' ELSE k.mobile END,
    email      = CASE WHEN f ? 'email' THEN f->>'email' ELSE k.email END,
    address    = CASE WHEN f ? 'address' THEN f->>'address' ELSE k.address END,
    role       = CASE WHEN f ? 'role' THEN (f->>'role')::crm.contact_role ELSE k.role END,
    is_primary = CASE WHEN f ? 'is_primary' THEN (f->>'is_primary')::boolean ELSE k.is_primary END
  WHERE k.id = p_id;
  code := 'ok';
END
$$;
