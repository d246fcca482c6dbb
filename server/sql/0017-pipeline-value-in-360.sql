-- The 360° view's open pipeline valued as the pipeline values it (0014,
-- 0015): an opportunity's amount is its total contract value, amount_once
-- + amount_monthly × contract_months (0010 took 12 months for every one),
-- and the weighted figure is the sum of each opportunity's own
-- (amount × probability + 50) / 100, so the header of a customer and the
-- board's cards of the same opportunities add up to the same numbers.
-- The function is 0014's with the two expressions replaced; each
-- replacement must happen exactly once.

DO $$
DECLARE
  def text := pg_get_functiondef('crm.customer_360(uuid, jsonb)'::regprocedure);
  probability text := 'coalesce(o.probability, (SELECT s.default_probability FROM crm.pipeline_stages s'
                      ' WHERE s.stage = o.stage))';
  old_value text := 'coalesce(sum(o.amount_once + 12 * o.amount_monthly), 0) AS pipeline';
  new_value text := 'coalesce(sum(o.amount_once + o.amount_monthly * o.contract_months), 0) AS pipeline';
  old_weighted text := 'coalesce(round(sum((o.amount_once + 12 * o.amount_monthly) * ' || probability
                       || ') / 100.0), 0) AS weighted';
  new_weighted text := 'coalesce(sum(((o.amount_once + o.amount_monthly * o.contract_months) * ' || probability
                       || ' + 50) / 100), 0) AS weighted';
BEGIN
  IF (length(def) - length(replace(def, old_value, ''))) / length(old_value) <> 1 OR
     (length(def) - length(replace(def, old_weighted, ''))) / length(old_weighted) <> 1 THEN
    RAISE EXCEPTION 'crm.customer_360() is not the function 0017 expects';
  END IF;
  EXECUTE replace(replace(def, old_value, new_value), old_weighted, new_weighted);
END
$$;
