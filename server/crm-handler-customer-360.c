#define G_LOG_DOMAIN "crm-handler-customer-360"

#include "config.h"

#include "crm-entity.h"
#include "crm-error.h"
#include "crm-handlers.h"
#include "crm-validate.h"

/*
 * GET /customers/:id/360: everything the 360° page shows about one
 * customer, as one JSON document that PostgreSQL builds in one statement
 * (crm.customer_360 (), server/sql/0010-customer-360.sql) in the
 * request's transaction, after the statement that sets who is asking
 * (set_config () from the identity cache, or crm.authenticate ()):
 * row-level security decides what it holds, and a customer the caller may
 * not see is a 404 like one that does not exist.
 *
 * Which fields each role receives, and which masked, is the entity
 * table's (shared/crm-entity.c): the rules below are built from it once,
 * for every role, and the SQL applies those of the role set in this
 * transaction (keyline.role), the identity row-level security reads.
 */

static const CrmSql sql_customer_360 = {
  "customer_360",
  "SELECT crm.customer_360($1::uuid, $2::jsonb)",
  2
};

/* {"read": bool, "drop": "{column,...}", "mask": {column: [head, tail]}}
 * of @info for @role. */
static void
write_entity_rules (CrmJsonWriter       *w,
                    const CrmEntityInfo *info,
                    CrmRole              role)
{
  g_autoptr(GString) drop = g_string_new (NULL);
  gboolean any_mask = FALSE;

  crm_json_begin_object (w);
  crm_json_member_bool (w, "read", crm_entity_info_readable_by (info, role));
  /* a text[] literal, which the SQL casts (the names are plain columns) */
  g_string_append_c (drop, '{');
  for (guint i = 0; info->server_only != NULL && info->server_only[i] != NULL; i++)
    g_string_append_printf (drop, "%s%s", drop->len > 1 ? "," : "", info->server_only[i]);
  for (const CrmField *f = info->fields; f->name != NULL; f++)
    if (!crm_field_visible_to (f, role))
      g_string_append_printf (drop, "%s%s", drop->len > 1 ? "," : "", crm_field_column (f));
  g_string_append_c (drop, '}');
  crm_json_member_string (w, "drop", drop->str);

  for (const CrmField *f = info->fields; f->name != NULL; f++)
    {
      guint head, tail;

      if (!crm_field_masked_for (f, role) || !crm_field_mask_kept (f, &head, &tail))
        continue;
      if (!any_mask)
        {
          crm_json_key (w, "mask");
          crm_json_begin_object (w);
          any_mask = TRUE;
        }
      crm_json_key (w, crm_field_column (f));
      crm_json_begin_array (w);
      crm_json_int (w, head);
      crm_json_int (w, tail);
      crm_json_end_array (w);
    }
  if (any_mask)
    crm_json_end_object (w);
  crm_json_end_object (w);
}

/* The rules of every role: {role: {entity: rules}}. */
static char *
build_rules (void)
{
  GString *out = g_string_sized_new (4096);
  CrmJsonWriter w;

  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  for (guint role = 0; role < CRM_N_ROLES; role++)
    {
      crm_json_key (&w, crm_role_names[role]);
      crm_json_begin_object (&w);
      for (guint e = 0; e < CRM_N_ENTITIES; e++)
        {
          const CrmEntityInfo *info = crm_entity_info (e);

          /* the document's keys are the columns: a field named otherwise
           * would need renaming in the SQL */
          for (const CrmField *f = info->fields; f->name != NULL; f++)
            g_assert (f->column == NULL || g_str_equal (f->column, f->name));
          crm_json_key (&w, info->name);
          write_entity_rules (&w, info, role);
        }
      crm_json_end_object (&w);
    }
  crm_json_end_object (&w);
  return g_string_free (out, FALSE);
}

const char *
crm_customer_360_rules (void)
{
  static gsize once;
  static char *rules;

  if (g_once_init_enter (&once))
    {
      rules = build_rules ();
      g_once_init_leave (&once, 1);
    }
  return rules;
}

static void
customer_360_done (CrmRequest *req,
                   CrmDbBatch *batch)
{
  PGresult *res = crm_db_batch_get_result (batch, GPOINTER_TO_UINT (req->data));

  if (PQntuples (res) != 1 || PQgetisnull (res, 0, 0))
    {
      crm_request_fail (req, CRM_ERROR_NOT_FOUND, "id", "No such customer, or not one of yours");
      return;
    }
  crm_request_respond (req, SOUP_STATUS_OK,
                       g_string_new_len (PQgetvalue (res, 0, 0), PQgetlength (res, 0, 0)));
}

void
crm_handle_customer_360 (CrmRequest *req)
{
  const char *id = crm_request_param (req, 0);
  const char *values[2] = { id, crm_customer_360_rules () };
  CrmDbBatch *batch;

  if (!crm_validate_uuid (id))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "id", "id must be a customer id (a UUID)");
      return;
    }
  batch = crm_request_new_batch (req);
  req->data = GUINT_TO_POINTER (crm_db_batch_add (batch, &sql_customer_360, values));
  crm_request_execute (req, batch, customer_360_done);
}
