#define G_LOG_DOMAIN "crm-timeline-reader"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-timeline-reader.h"
#include "crm-vocabulary.h"

/* What one read needs at hand. */
typedef struct
{
  CrmStore    *store;
  const char  *customer_id;
  gint64       now;
  GPtrArray   *entries;
  GHashTable  *people;    /* user id -> name, for "who" (borrowed strings of @customer) */
  GHashTable  *contacts;  /* contact id -> name (borrowed from @customer) */
  CrmCustomer *customer;
  JsonArray   *remote_stages; /* from the server, or NULL */
} Reader;

static const char *
member (JsonObject *record,
        const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *record,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (record, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return fallback;
  return json_node_get_int (node);
}

/* An ISO 8601 instant, or a date (at local midnight), as Unix seconds;
 * FALSE for NULL or what cannot be read. */
static gboolean
instant (const char *text,
         gint64     *out)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || text[0] == '\0')
    return FALSE;
  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL && strlen (text) == 10)
    {
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();
      g_autofree char *midnight = g_strconcat (text, "T00:00:00", NULL);

      dt = g_date_time_new_from_iso8601 (midnight, local);
    }
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* "a · b · c" of the non-empty parts, ending at NULL. */
static char *
join_parts (const char *first,
            ...)
{
  GString *out = g_string_new (NULL);
  va_list args;

  va_start (args, first);
  for (const char *part = first; part != NULL; part = va_arg (args, const char *))
    if (part[0] != '\0')
      {
        if (out->len > 0)
          g_string_append (out, " · ");
        g_string_append (out, part);
      }
  va_end (args);
  return g_string_free (out, FALSE);
}

/* Who a user is, as far as this copy knows: users do not sync, but the
 * customer's account manager is named with the customer.  NULL (a record
 * written here, not yet back from the server) is the user of this copy. */
static const char *
who (Reader     *r,
     const char *user_id,
     gboolean    null_is_me)
{
  const char *name;

  if (user_id == NULL)
    return null_is_me ? _("You") : "";
  name = g_hash_table_lookup (r->people, user_id);
  return name ? name : _("A colleague");
}

static void
add (Reader           *r,
     CrmTimelineEntry *entry)
{
  g_ptr_array_add (r->entries, entry);
}

static GPtrArray *
records (Reader     *r,
         CrmEntity   entity,
         const char *parent,
         GError    **error)
{
  return crm_store_get_records (r->store, entity, parent, error);
}

static gboolean
read_interactions (Reader  *r,
                   GError **error)
{
  g_autoptr(GPtrArray) rows = records (r, CRM_ENTITY_INTERACTION, r->customer_id, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *o = rows->pdata[i];
      const char *kind = member (o, "kind");
      const char *contact = member (o, "contact_id");
      const char *contact_name = contact ? g_hash_table_lookup (r->contacts, contact) : NULL;
      const char *notes = member (o, "notes");
      const char *next_step = member (o, "next_step");
      g_autofree char *key = g_strconcat ("interaction:", member (o, "id"), NULL);
      g_autofree char *meta = NULL;
      g_autofree char *step = NULL;
      g_autofree char *detail = NULL;
      gint64 when;

      if (!instant (member (o, "occurred_at"), &when))
        continue;
      meta = join_parts (crm_vocabulary_label (crm_interaction_kind_names, kind),
                         crm_vocabulary_label (crm_interaction_outcome_names, member (o, "outcome")),
                         contact_name ? contact_name : "",
                         who (r, member (o, "user_id"), TRUE), NULL);
      if (next_step != NULL && next_step[0] != '\0')
        {
          g_autofree char *by = NULL;
          gint64 on;

          if (instant (member (o, "next_step_on"), &on))
            {
              g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (on);
              g_autoptr(GDateTime) local = g_date_time_to_local (utc);

              by = g_date_time_format (local, "%x");
            }
          step = by ? g_strdup_printf (_("Next step: %s, by %s"), next_step, by)
                    : g_strdup_printf (_("Next step: %s"), next_step);
        }
      /* the notes, then the next step, each on its own line */
      if (notes != NULL && notes[0] != '\0' && step != NULL)
        detail = g_strconcat (notes, "\n", step, NULL);
      else
        detail = g_strdup (step != NULL ? step : notes);
      add (r, crm_timeline_entry_new (CRM_TIMELINE_INTERACTION, key, when, crm_interaction_kind_icon_name (kind),
                                      member (o, "subject"), meta, detail, FALSE));
    }
  return TRUE;
}

/* Open: neither resolved nor closed. */
static gboolean
request_open (JsonObject *request)
{
  const char *status = member (request, "status");

  return g_strcmp0 (status, "resolved") != 0 && g_strcmp0 (status, "closed") != 0;
}

static gboolean
read_steps (Reader     *r,
            JsonObject *request,
            GError    **error)
{
  g_autoptr(GPtrArray) rows = records (r, CRM_ENTITY_SERVICE_STEP, member (request, "id"), error);
  const char *title = member (request, "title");

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *o = rows->pdata[i];
      const char *name = member (o, "name");
      g_autofree char *text = NULL;
      g_autofree char *key = NULL;
      g_autofree char *meta = NULL;
      gint64 when;
      gboolean overdue;

      meta = join_parts (title ? title : "", member (o, "owner_id") ? who (r, member (o, "owner_id"), FALSE) : "",
                         NULL);
      if (instant (member (o, "done_at"), &when))
        {
          key = g_strconcat ("step-done:", member (o, "id"), NULL);
          /* TRANSLATORS: a service request's step, done */
          text = g_strdup_printf (_("Step done: %s"), name);
          add (r, crm_timeline_entry_new (CRM_TIMELINE_SERVICE, key, when, "object-select-symbolic", text, meta,
                                          member (o, "note"), FALSE));
        }
      else if (instant (member (o, "deadline"), &when))
        {
          overdue = when < r->now && request_open (request);
          key = g_strconcat ("step-due:", member (o, "id"), NULL);
          /* TRANSLATORS: a service request's step, not done yet, and its deadline */
          text = g_strdup_printf (_("Step due: %s"), name);
          add (r, crm_timeline_entry_new (CRM_TIMELINE_SERVICE, key, when,
                                          overdue ? "dialog-warning-symbolic" : "alarm-symbolic", text, meta,
                                          member (o, "note"), overdue));
        }
    }
  return TRUE;
}

static gboolean
read_service (Reader  *r,
              GError **error)
{
  g_autoptr(GPtrArray) rows = records (r, CRM_ENTITY_SERVICE_REQUEST, r->customer_id, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *o = rows->pdata[i];
      const char *title = member (o, "title");
      g_autofree char *meta = join_parts (crm_vocabulary_label (crm_service_kind_names, member (o, "kind")),
                                          crm_vocabulary_label (crm_priority_names, member (o, "priority")),
                                          crm_vocabulary_label (crm_service_status_names, member (o, "status")),
                                          NULL);
      gint64 when;

      if (instant (member (o, "opened_at"), &when))
        {
          g_autofree char *key = g_strconcat ("request-opened:", member (o, "id"), NULL);
          /* TRANSLATORS: %s is the title of a service request (工单) */
          g_autofree char *text = g_strdup_printf (_("Service request opened: %s"), title);

          add (r, crm_timeline_entry_new (CRM_TIMELINE_SERVICE, key, when, "emblem-system-symbolic", text, meta,
                                          member (o, "description"), FALSE));
        }
      if (instant (member (o, "closed_at"), &when))
        {
          g_autofree char *key = g_strconcat ("request-closed:", member (o, "id"), NULL);
          g_autofree char *text = g_strdup_printf (_("Service request closed: %s"), title);
          gint64 satisfaction = member_int (o, "satisfaction", -1);
          g_autofree char *rated = satisfaction >= 0
            /* TRANSLATORS: the customer's satisfaction with a service request, 1 to 5 */
            ? g_strdup_printf (_("Satisfaction %d of 5"), (int) satisfaction) : NULL;
          g_autofree char *closed_meta = join_parts (meta, rated ? rated : "", NULL);

          add (r, crm_timeline_entry_new (CRM_TIMELINE_SERVICE, key, when, "emblem-ok-symbolic", text, closed_meta,
                                          NULL, FALSE));
        }
      if (!read_steps (r, o, error))
        return FALSE;
    }
  return TRUE;
}

/* One stage change @s of the opportunity named @name; @by names who
 * made it when the store cannot (a record from the server). */
static void
add_stage (Reader     *r,
           JsonObject *s,
           const char *name,
           const char *by)
{
  const char *from = member (s, "from_stage");
  const char *to = crm_vocabulary_label (crm_stage_names, member (s, "to_stage"));
  g_autofree char *key = g_strdup_printf ("stage:%" G_GINT64_FORMAT, member_int (s, "id", 0));
  g_autofree char *move = NULL;
  g_autofree char *meta = NULL;
  gint64 when;

  if (!instant (member (s, "changed_at"), &when))
    return;
  move = from ? g_strdup_printf ("%s → %s", crm_vocabulary_label (crm_stage_names, from), to)
              /* TRANSLATORS: the first stage of a new opportunity */
              : g_strdup_printf (_("New at %s"), to);
  meta = join_parts (move, by != NULL ? by : who (r, member (s, "changed_by"), FALSE), NULL);
  add (r, crm_timeline_entry_new (CRM_TIMELINE_OPPORTUNITY, key, when, "starred-symbolic", name, meta, NULL, FALSE));
}

/* The server's stage changes of opportunities the store does not have
 * (@here: the ids it has). */
static void
read_remote_stages (Reader     *r,
                    GHashTable *here)
{
  for (guint i = 0; r->remote_stages != NULL && i < json_array_get_length (r->remote_stages); i++)
    {
      JsonObject *s = json_array_get_object_element (r->remote_stages, i);
      const char *by = s ? member (s, "changed_by_name") : NULL;

      if (s == NULL || member (s, "opportunity_id") == NULL || g_hash_table_contains (here, member (s, "opportunity_id")))
        continue;
      add_stage (r, s, member (s, "opportunity_name"),
                 by != NULL ? by : (member (s, "changed_by") != NULL ? _("A colleague") : ""));
    }
}

static gboolean
read_opportunities (Reader  *r,
                    GError **error)
{
  g_autoptr(GPtrArray) rows = records (r, CRM_ENTITY_OPPORTUNITY, r->customer_id, error);
  g_autoptr(GHashTable) here = g_hash_table_new (g_str_hash, g_str_equal);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *o = rows->pdata[i];
      const char *id = member (o, "id");
      g_autoptr(GPtrArray) stages = records (r, CRM_ENTITY_OPPORTUNITY_STAGE, id, error);

      if (stages == NULL)
        return FALSE;
      if (id != NULL)
        g_hash_table_add (here, (gpointer) id);
      for (guint k = 0; k < stages->len; k++)
        add_stage (r, stages->pdata[k], member (o, "name"), NULL);
      if (stages->len == 0)
        {
          /* made here and not yet back from the server, which records its
           * first stage: shown as new, now */
          g_autofree char *key = g_strconcat ("opportunity:", id, NULL);
          g_autofree char *move = g_strdup_printf (_("New at %s"),
                                                   crm_vocabulary_label (crm_stage_names, member (o, "stage")));
          g_autofree char *meta = join_parts (move, _("You"), NULL);
          gint64 when;

          if (!instant (member (o, "created_at"), &when))
            when = r->now;
          add (r, crm_timeline_entry_new (CRM_TIMELINE_OPPORTUNITY, key, when, "starred-symbolic",
                                          member (o, "name"), meta, NULL, FALSE));
        }
    }
  read_remote_stages (r, here);
  return TRUE;
}

static gboolean
read_campaigns (Reader  *r,
                GError **error)
{
  g_autoptr(GPtrArray) rows = records (r, CRM_ENTITY_CAMPAIGN_MEMBER, r->customer_id, error);
  g_autoptr(GHashTable) campaigns = NULL;
  g_autoptr(GPtrArray) campaign_rows = NULL;

  if (rows == NULL)
    return FALSE;
  if (rows->len == 0)
    return TRUE;
  campaign_rows = records (r, CRM_ENTITY_CAMPAIGN, NULL, error);
  if (campaign_rows == NULL)
    return FALSE;
  campaigns = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < campaign_rows->len; i++)
    g_hash_table_insert (campaigns, (gpointer) member (campaign_rows->pdata[i], "id"), campaign_rows->pdata[i]);

  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *o = rows->pdata[i];
      const char *campaign_id = member (o, "campaign_id");
      JsonObject *campaign = campaign_id ? g_hash_table_lookup (campaigns, campaign_id) : NULL;
      const char *channel = member (o, "channel");
      g_autofree char *key = g_strconcat ("campaign:", campaign_id, NULL);
      g_autofree char *meta = NULL;
      gint64 when;

      if (!instant (member (o, "responded_at"), &when) && !instant (member (o, "contacted_at"), &when) &&
          (campaign == NULL || !instant (member (campaign, "starts_on"), &when)))
        continue;
      meta = join_parts (_("Campaign"), channel ? crm_vocabulary_label (crm_channel_kind_names, channel) : "",
                         crm_vocabulary_label (crm_member_response_names, member (o, "response")), NULL);
      add (r, crm_timeline_entry_new (CRM_TIMELINE_CAMPAIGN, key, when, "send-to-symbolic",
                                      campaign ? member (campaign, "name") : _("Campaign"), meta,
                                      campaign ? member (campaign, "offer") : NULL, FALSE));
    }
  return TRUE;
}

GPtrArray *
crm_timeline_read (CrmStore    *store,
                   const char  *customer_id,
                   GDateTime   *now,
                   GError     **error)
{
  return crm_timeline_read_with_remote (store, customer_id, now, NULL, error);
}

GPtrArray *
crm_timeline_read_with_remote (CrmStore    *store,
                               const char  *customer_id,
                               GDateTime   *now,
                               JsonArray   *remote_stages,
                               GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) people = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) contacts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CrmCustomer) customer = NULL;
  Reader r = { store, customer_id, g_date_time_to_unix (now), entries, people, contacts, NULL, remote_stages };

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (customer_id != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  customer = crm_store_get_customer (store, customer_id, error);
  if (customer == NULL)
    {
      if (error != NULL && *error != NULL)
        return NULL;
      return g_steal_pointer (&entries);      /* not (or no longer) here: nothing to show */
    }
  r.customer = customer;
  if (customer->owner_id != NULL && customer->owner_name != NULL)
    g_hash_table_insert (people, customer->owner_id, customer->owner_name);
  for (guint i = 0; i < customer->contacts->len; i++)
    {
      CrmContact *contact = customer->contacts->pdata[i];

      if (contact->id != NULL && contact->name != NULL)
        g_hash_table_insert (contacts, contact->id, contact->name);
    }

  if (!read_interactions (&r, error) || !read_service (&r, error) || !read_opportunities (&r, error) ||
      !read_campaigns (&r, error))
    return NULL;

  g_ptr_array_sort (entries, crm_timeline_entry_compare);
  return g_steal_pointer (&entries);
}
