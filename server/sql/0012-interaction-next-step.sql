-- An interaction's next step (issue 9): what was agreed to do next, and by
-- when, logged with the visit, call, e-mail or meeting it came out of.
--
-- Two fields of the interaction rather than a second, "planned"
-- interaction: the outcome vocabulary (crm.interaction_outcome) is about
-- what happened (positive, neutral, negative, no_answer) and has no word
-- for something that has not happened yet, and a planned row would count
-- as a contact made in every figure that counts interactions.
--
-- A date without words says nothing: apply_interaction() refuses it on
-- next_step.  (0010 and 0011 are other parts of issue 9.)

ALTER TABLE crm.interactions
  ADD COLUMN next_step    text CHECK (char_length(next_step) <= 200),
  ADD COLUMN next_step_on date;

-- The same function as 0008's, with the two fields written on create and
-- update.
CREATE OR REPLACE FUNCTION crm.apply_interaction(p_op text, p_id uuid, p_fields jsonb, p_base jsonb,
                                                 p_masks jsonb,
                                                 OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := crm.jsonb_timestamp_as_row(p_fields, 'occurred_at');
  may boolean;
  customer uuid;
  contact_customer uuid;
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
  ELSIF p_op = 'update' THEN
    SELECT crm.may_change_customer(c.owner_id, c.region_id), c.id INTO may, customer
      FROM crm.interactions i JOIN crm.customers c ON c.id = i.customer_id WHERE i.id = p_id;
    IF NOT FOUND THEN
      code := 'not_found'; field := 'id';
      RETURN;
    ELSIF NOT may THEN
      code := 'forbidden'; field := 'id';
      RETURN;
    END IF;
  ELSE
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;

  IF f ? 'contact_id' AND f->>'contact_id' IS NOT NULL THEN
    SELECT k.customer_id INTO contact_customer FROM crm.contacts k WHERE k.id = (f->>'contact_id')::uuid;
    IF contact_customer IS DISTINCT FROM customer THEN
      code := 'invalid'; field := 'contact_id';
      RETURN;
    END IF;
  END IF;

  IF p_op = 'create' THEN
    IF f->>'next_step_on' IS NOT NULL AND nullif(btrim(f->>'next_step'), '') IS NULL THEN
      code := 'invalid'; field := 'next_step';
      RETURN;
    END IF;
    -- the id was made by the client
    INSERT INTO crm.interactions (id, customer_id, contact_id, user_id, kind, occurred_at, subject, notes, outcome,
                                  next_step, next_step_on)
    VALUES (p_id, customer, (f->>'contact_id')::uuid, crm.current_user_id(), (f->>'kind')::crm.interaction_kind,
            (f->>'occurred_at')::timestamptz, f->>'subject', f->>'notes',
            (f->>'outcome')::crm.interaction_outcome, f->>'next_step', (f->>'next_step_on')::date)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      code := 'created';
    ELSIF EXISTS (SELECT 1 FROM crm.interactions i WHERE i.id = p_id) THEN
      code := 'conflict'; field := 'id';
    ELSE
      code := 'not_found'; field := 'id';          -- taken by one the caller may not see
    END IF;
    RETURN;
  END IF;

  -- lock the row: the comparison and the write see the same values
  SELECT to_jsonb(x) INTO now_row FROM crm.interactions x WHERE x.id = p_id FOR UPDATE;
  IF now_row IS NULL THEN
    code := 'not_found'; field := 'id';            -- moved out of reach meanwhile
    RETURN;
  END IF;
  conflicts := crm.merge_conflicts(now_row, f, crm.jsonb_timestamp_as_row(p_base, 'occurred_at'), p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  -- the step as it will be: a date needs words
  IF (CASE WHEN f ? 'next_step_on' THEN f->>'next_step_on' ELSE now_row->>'next_step_on' END) IS NOT NULL
     AND nullif(btrim(CASE WHEN f ? 'next_step' THEN f->>'next_step' ELSE now_row->>'next_step' END), '') IS NULL THEN
    code := 'invalid'; field := 'next_step';
    RETURN;
  END IF;
  UPDATE crm.interactions i SET
    contact_id   = CASE WHEN f ? 'contact_id' THEN (f->>'contact_id')::uuid ELSE i.contact_id END,
    kind         = CASE WHEN f ? 'kind' THEN (f->>'kind')::crm.interaction_kind ELSE i.kind END,
    occurred_at  = CASE WHEN f ? 'occurred_at' THEN (f->>'occurred_at')::timestamptz ELSE i.occurred_at END,
    subject      = CASE WHEN f ? 'subject' THEN f->>'subject' ELSE i.subject END,
    notes        = CASE WHEN f ? 'notes' THEN f->>'notes' ELSE i.notes END,
    outcome      = CASE WHEN f ? 'outcome' THEN (f->>'outcome')::crm.interaction_outcome ELSE i.outcome END,
    next_step    = CASE WHEN f ? 'next_step' THEN f->>'next_step' ELSE i.next_step END,
    next_step_on = CASE WHEN f ? 'next_step_on' THEN (f->>'next_step_on')::date ELSE i.next_step_on END
  WHERE i.id = p_id;
  code := 'ok';
END
$$;
