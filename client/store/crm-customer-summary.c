#define G_LOG_DOMAIN "crm-customer-summary"

#include "config.h"

#include <string.h>

#include "crm-customer-summary.h"
#include "crm-error.h"
#include "crm-opportunity-item.h"
#include "crm-pipeline-stages.h"
#include "crm-wire.h"

/*
 * The 360° page's figures from the local store.  Everything is read with
 * crm_store_get_customer () and crm_store_get_records () (the entity
 * table's statements, by the parent's index): the customer, its
 * subscriptions, revenue months, opportunities and service requests, the
 * steps of its open requests, and the products.  For a customer with 200
 * subscriptions this takes about a millisecond (bench/page).
 *
 * The rules (docs/internals.md, "360° figures"):
 * - active lines: Σ quantity of the subscriptions whose status is active;
 * - ARPU: monthly_revenue / active lines, rounded to the fen (halves up);
 *   none without active lines;
 * - the ARPU trend: the latest 12 revenue months, each month's revenue /
 *   the *current* active lines (the store keeps no history of lines), so
 *   it is the revenue's shape scaled to today's ARPU;
 * - arrears: the customer's; its age: how many revenue months in a row,
 *   back from the latest, have arrears > 0;
 * - open complaints: service requests of kind complaint whose status is
 *   open or in_progress (not resolved, not closed);
 * - open pipeline: opportunities whose stage is neither won nor lost;
 *   unweighted Σ (amount_once + amount_monthly × contract_months), weighted
 *   Σ of each one's (amount × probability + 50) / 100 (the pipeline's rule),
 *   where an opportunity without a probability of its own takes its
 *   stage's default (crm-pipeline-stages.h);
 * - overdue steps: steps not done, of open requests, whose deadline is
 *   before now;
 * - the next contract end: the earliest contract_end, on or after today,
 *   of an active subscription.
 */

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *o,
            const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  return json_node_get_int (node);
}

static gboolean
member_is (JsonObject         *o,
           const char         *name,
           const char * const *names,
           int                 index)
{
  return g_strcmp0 (member_string (o, name), names[index]) == 0;
}

/* Keeps @records' objects alive in the summary; returns @records. */
static GPtrArray *
keep (CrmCustomerSummary *self,
      GPtrArray          *records)
{
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (self->records, json_object_ref (records->pdata[i]));
  return records;
}

static GPtrArray *
read_records (CrmStore    *store,
              CrmEntity    entity,
              const char  *parent_id,
              GError     **error)
{
  return crm_store_get_records (store, entity, parent_id, error);
}

/* ------------------------------------------------------------------ */
/* Services                                                            */
/* ------------------------------------------------------------------ */

static void
group_free (CrmSummaryServiceGroup *group)
{
  g_ptr_array_unref (group->services);
  g_free (group);
}

static int
service_compare (gconstpointer a,
                 gconstpointer b)
{
  const CrmSummaryService *sa = *(CrmSummaryService * const *) a;
  const CrmSummaryService *sb = *(CrmSummaryService * const *) b;
  int r = g_strcmp0 (sa->product_name, sb->product_name);

  if (r == 0)
    r = g_strcmp0 (member_string (sa->record, "started_on"), member_string (sb->record, "started_on"));
  if (r == 0)
    r = g_strcmp0 (member_string (sa->record, "id"), member_string (sb->record, "id"));
  return r;
}

/* The group of @category in @groups (indexed by category; the last for
 * NULL), made on first use. */
static CrmSummaryServiceGroup *
group_for (CrmSummaryServiceGroup **groups,
           const char              *category)
{
  int index = category ? crm_wire_lookup (crm_product_category_names, category) : -1;
  guint slot = index < 0 ? CRM_N_PRODUCT_CATEGORIES : (guint) index;

  if (groups[slot] == NULL)
    {
      groups[slot] = g_new0 (CrmSummaryServiceGroup, 1);
      groups[slot]->category = index < 0 ? NULL : crm_product_category_names[index];
      groups[slot]->services = g_ptr_array_new_with_free_func (g_free);
    }
  return groups[slot];
}

static gboolean
add_services (CrmCustomerSummary  *self,
              CrmStore            *store,
              GError             **error)
{
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GHashTable) product_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  CrmSummaryServiceGroup *groups[CRM_N_PRODUCT_CATEGORIES + 1] = { NULL, };

  subscriptions = read_records (store, CRM_ENTITY_SUBSCRIPTION, self->customer->id, error);
  if (subscriptions == NULL)
    return FALSE;
  if (subscriptions->len == 0)
    return TRUE;
  products = read_records (store, CRM_ENTITY_PRODUCT, NULL, error);
  if (products == NULL)
    return FALSE;
  keep (self, subscriptions);
  keep (self, products);
  for (guint i = 0; i < products->len; i++)
    {
      const char *id = member_string (products->pdata[i], "id");

      if (id != NULL)
        g_hash_table_insert (product_by_id, (gpointer) id, products->pdata[i]);
    }

  for (guint i = 0; i < subscriptions->len; i++)
    {
      JsonObject *sub = subscriptions->pdata[i];
      const char *product_id = member_string (sub, "product_id");
      JsonObject *product = product_id ? g_hash_table_lookup (product_by_id, product_id) : NULL;
      CrmSummaryService *service = g_new0 (CrmSummaryService, 1);
      gboolean active = member_is (sub, "status", crm_subscription_status_names, CRM_SUBSCRIPTION_ACTIVE);
      const char *end = member_string (sub, "contract_end");
      CrmSummaryServiceGroup *group;

      service->record = sub;
      service->product_name = product ? member_string (product, "name") : NULL;
      service->category = product ? member_string (product, "category") : NULL;
      service->ends_soon = active && crm_contract_ends_soon (end, self->today);
      group = group_for (groups, service->category);
      g_ptr_array_add (group->services, service);
      self->n_services++;

      if (!active)
        continue;
      group->quantity += member_int (sub, "quantity");
      group->monthly_fee += member_int (sub, "monthly_fee");
      self->active_lines += member_int (sub, "quantity");
      if (end != NULL && strcmp (end, self->today) >= 0 &&
          (self->next_contract_end == NULL || strcmp (end, self->next_contract_end) < 0))
        self->next_contract_end = end;
    }

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    if (groups[i] != NULL)
      {
        g_ptr_array_sort (groups[i]->services, service_compare);
        g_ptr_array_add (self->service_groups, groups[i]);
      }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Revenue: ARPU, its trend, the arrears' age                          */
/* ------------------------------------------------------------------ */

/* @numerator / @denominator rounded to the nearest integer, halves away
 * from zero (PostgreSQL's round (numeric)). */
static gint64
divide_rounded (gint64 numerator,
                gint64 denominator)
{
  gint64 q = numerator / denominator;
  gint64 r = numerator % denominator;

  if (2 * ABS (r) >= ABS (denominator))
    q += (numerator < 0) == (denominator < 0) ? 1 : -1;
  return q;
}

static gboolean
add_revenue (CrmCustomerSummary  *self,
             CrmStore            *store,
             GError             **error)
{
  g_autoptr(GPtrArray) months = read_records (store, CRM_ENTITY_REVENUE_MONTH, self->customer->id, error);
  guint first;

  if (months == NULL)
    return FALSE;

  /* in key order: (customer_id, month), so by month */
  self->has_arpu = self->active_lines > 0;
  if (self->has_arpu)
    self->arpu = divide_rounded (self->monthly_revenue, self->active_lines);

  first = months->len > CRM_SUMMARY_ARPU_MONTHS ? months->len - CRM_SUMMARY_ARPU_MONTHS : 0;
  for (guint i = first; self->has_arpu && i < months->len; i++)
    {
      JsonObject *month = months->pdata[i];

      self->arpu_months[self->n_arpu_months] = g_strdup (member_string (month, "month"));
      self->arpu_trend[self->n_arpu_months] = divide_rounded (member_int (month, "revenue"), self->active_lines);
      self->n_arpu_months++;
    }

  for (guint i = months->len; i > 0 && member_int (months->pdata[i - 1], "arrears") > 0; i--)
    self->arrears_months++;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Work in progress                                                    */
/* ------------------------------------------------------------------ */

static int
opportunity_compare (gconstpointer a,
                     gconstpointer b)
{
  const CrmSummaryOpportunity *oa = *(CrmSummaryOpportunity * const *) a;
  const CrmSummaryOpportunity *ob = *(CrmSummaryOpportunity * const *) b;
  const char *ca = member_string (oa->record, "expected_close");
  const char *cb = member_string (ob->record, "expected_close");

  /* no close date last */
  if ((ca == NULL) != (cb == NULL))
    return ca == NULL ? 1 : -1;
  if (g_strcmp0 (ca, cb) != 0)
    return g_strcmp0 (ca, cb);
  return g_strcmp0 (member_string (oa->record, "id"), member_string (ob->record, "id"));
}

/* Counts @o (an open opportunity) in the pipeline and the list. */
static void
add_open_opportunity (CrmCustomerSummary *self,
                      JsonObject         *o,
                      const int          *defaults,
                      gboolean            remote)
{
  CrmSummaryOpportunity *item = g_new0 (CrmSummaryOpportunity, 1);
  gint64 probability = crm_opportunity_probability (o, defaults);   /* its own, or its stage's (0014) */
  gint64 months = member_int (o, "contract_months");

  item->record = o;
  item->probability = (int) probability;
  item->remote = remote;
  /* as the pipeline counts it (crm-opportunity-item.h) */
  item->value = crm_opportunity_amount (member_int (o, "amount_once"), member_int (o, "amount_monthly"),
                                        months > 0 ? (int) months : CRM_OPPORTUNITY_DEFAULT_CONTRACT_MONTHS);
  item->weighted = crm_opportunity_weighted (item->value, (int) probability);
  self->pipeline_weighted += item->weighted;
  self->pipeline += item->value;
  g_ptr_array_add (self->opportunities, item);
}

static gboolean
is_open (JsonObject *o)
{
  return !member_is (o, "stage", crm_stage_names, CRM_STAGE_WON) &&
         !member_is (o, "stage", crm_stage_names, CRM_STAGE_LOST);
}

/* The store's open opportunities, then those of @remote the store does
 * not have: an opportunity is counted once, as the store has it. */
static gboolean
add_opportunities (CrmCustomerSummary  *self,
                   CrmStore            *store,
                   JsonArray           *remote,
                   GError             **error)
{
  g_autoptr(GPtrArray) records = read_records (store, CRM_ENTITY_OPPORTUNITY, self->customer->id, error);
  g_autoptr(GHashTable) here = g_hash_table_new (g_str_hash, g_str_equal);
  int defaults[CRM_N_STAGES];

  if (records == NULL || !crm_pipeline_stage_defaults (store, defaults, error))
    return FALSE;
  keep (self, records);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *o = records->pdata[i];

      if (member_string (o, "id") != NULL)
        g_hash_table_add (here, (gpointer) member_string (o, "id"));
      if (is_open (o))
        add_open_opportunity (self, o, defaults, FALSE);
    }
  for (guint i = 0; remote != NULL && i < json_array_get_length (remote); i++)
    {
      JsonObject *o = json_array_get_object_element (remote, i);

      if (o == NULL || member_string (o, "id") == NULL || g_hash_table_contains (here, member_string (o, "id")) ||
          g_strcmp0 (member_string (o, "customer_id"), self->customer->id) != 0 || !is_open (o))
        continue;
      g_hash_table_add (here, (gpointer) member_string (o, "id"));
      g_ptr_array_add (self->records, json_object_ref (o));
      add_open_opportunity (self, o, defaults, TRUE);
    }
  g_ptr_array_sort (self->opportunities, opportunity_compare);
  return TRUE;
}

static gint64
deadline_of (JsonObject *step)
{
  const char *text = step ? member_string (step, "deadline") : NULL;
  g_autoptr(GDateTime) when = text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return when ? g_date_time_to_unix (when) : G_MAXINT64;
}

static int
request_compare (gconstpointer a,
                 gconstpointer b)
{
  const CrmSummaryRequest *ra = *(CrmSummaryRequest * const *) a;
  const CrmSummaryRequest *rb = *(CrmSummaryRequest * const *) b;
  gint64 da = deadline_of (ra->current_step);
  gint64 db = deadline_of (rb->current_step);

  if (da != db)
    return da < db ? -1 : 1;
  return g_strcmp0 (member_string (ra->record, "opened_at"), member_string (rb->record, "opened_at"));
}

/* The steps of @item's request: the current one, how many are done, how
 * many open ones are past their deadline. */
static gboolean
add_steps (CrmCustomerSummary  *self,
           CrmStore            *store,
           CrmSummaryRequest   *item,
           gint64               now,
           GError             **error)
{
  g_autoptr(GPtrArray) steps = read_records (store, CRM_ENTITY_SERVICE_STEP,
                                             member_string (item->record, "id"), error);
  gint64 current_position = G_MAXINT64;

  if (steps == NULL)
    return FALSE;
  keep (self, steps);
  for (guint i = 0; i < steps->len; i++)
    {
      JsonObject *step = steps->pdata[i];

      item->n_steps++;
      if (member_string (step, "done_at") != NULL)
        {
          item->n_done++;
          continue;
        }
      if (deadline_of (step) < now)
        self->overdue_steps++;
      if (member_int (step, "position") < current_position)
        {
          current_position = member_int (step, "position");
          item->current_step = step;
        }
    }
  item->overdue = item->current_step != NULL && deadline_of (item->current_step) < now;
  return TRUE;
}

static gboolean
add_requests (CrmCustomerSummary  *self,
              CrmStore            *store,
              gint64               now,
              GError             **error)
{
  g_autoptr(GPtrArray) records = read_records (store, CRM_ENTITY_SERVICE_REQUEST, self->customer->id, error);

  if (records == NULL)
    return FALSE;
  keep (self, records);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *r = records->pdata[i];
      CrmSummaryRequest *item;

      if (!member_is (r, "status", crm_service_status_names, CRM_SERVICE_OPEN) &&
          !member_is (r, "status", crm_service_status_names, CRM_SERVICE_IN_PROGRESS))
        continue;
      if (member_is (r, "kind", crm_service_kind_names, CRM_SERVICE_KIND_COMPLAINT))
        self->open_complaints++;
      item = g_new0 (CrmSummaryRequest, 1);
      item->record = r;
      g_ptr_array_add (self->requests, item);
      if (!add_steps (self, store, item, now, error))
        return FALSE;
    }
  g_ptr_array_sort (self->requests, request_compare);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

static CrmCustomerSummary *
summary_new (CrmCustomer *customer,
             GDateTime   *now)
{
  CrmCustomerSummary *self = g_rc_box_new0 (CrmCustomerSummary);
  g_autoptr(GDateTime) local = g_date_time_to_local (now);

  self->customer = customer;
  self->today = g_date_time_format (local, "%Y-%m-%d");
  self->monthly_revenue = customer->monthly_revenue;
  self->arrears = customer->arrears;
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->service_groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  self->opportunities = g_ptr_array_new_with_free_func (g_free);
  self->requests = g_ptr_array_new_with_free_func (g_free);
  return self;
}

/**
 * crm_customer_summary_read:
 * @now: the time the figures are for
 *
 * Returns: (transfer full) (nullable): the customer's figures
 */
CrmCustomerSummary *
crm_customer_summary_read (CrmStore    *store,
                           const char  *id,
                           GDateTime   *now,
                           GError     **error)
{
  return crm_customer_summary_read_with_remote (store, id, now, NULL, error);
}

/**
 * crm_customer_summary_read_with_remote:
 * @remote: (nullable): open opportunities from the server
 *
 * Returns: (transfer full) (nullable): the customer's figures
 */
CrmCustomerSummary *
crm_customer_summary_read_with_remote (CrmStore    *store,
                                       const char  *id,
                                       GDateTime   *now,
                                       JsonArray   *remote,
                                       GError     **error)
{
  g_autoptr(CrmCustomerSummary) self = NULL;
  CrmCustomer *customer;
  CrmCustomerFacts facts;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  customer = crm_store_get_customer (store, id, error);
  if (customer == NULL)
    return NULL;
  self = summary_new (customer, now);
  if (!add_services (self, store, error) ||
      !add_revenue (self, store, error) ||
      !add_opportunities (self, store, remote, error) ||
      !add_requests (self, store, g_date_time_to_unix (now), error))
    return NULL;

  facts = (CrmCustomerFacts) {
    .monthly_revenue = self->monthly_revenue,
    .arrears = self->arrears,
    .churn_risk = customer->churn_risk,
    .next_contract_end = self->next_contract_end,
    .has_overdue_step = self->overdue_steps > 0,
  };
  self->warnings = crm_customer_warnings_for (&facts, self->today);
  return g_steal_pointer (&self);
}

/* Read-only once made: one read shared by the page's parts. */
CrmCustomerSummary *
crm_customer_summary_ref (CrmCustomerSummary *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_rc_box_acquire (self);
}

static void
summary_clear (gpointer data)
{
  CrmCustomerSummary *self = data;

  g_clear_pointer (&self->customer, crm_customer_unref);
  g_free (self->today);
  for (guint i = 0; i < self->n_arpu_months; i++)
    g_free (self->arpu_months[i]);
  g_clear_pointer (&self->service_groups, g_ptr_array_unref);
  g_clear_pointer (&self->opportunities, g_ptr_array_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->records, g_ptr_array_unref);
}

/* Drops a reference: the last one frees it. */
void
crm_customer_summary_free (CrmCustomerSummary *self)
{
  if (self == NULL)
    return;
  g_rc_box_release_full (self, summary_clear);
}
