#define G_LOG_DOMAIN "crm-handler-health"

#include "config.h"

#include "crm-handlers.h"

static const CrmSql sql_ping = { "ping", "SELECT 1", 0 };

static void
health_done (CrmRequest *req,
             CrmDbBatch *batch)
{
  GString *out = g_string_new (NULL);
  CrmJsonWriter w;

  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_json_member_string (&w, "status", "ok");
  crm_json_member_string (&w, "database", "ok");
  crm_json_member_string (&w, "version", PACKAGE_VERSION);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

/* GET /health: the server answers and its database connection works.  A
 * database failure comes back as 503 through the usual error path. */
void
crm_handle_health (CrmRequest *req)
{
  CrmDbBatch *batch = crm_request_new_batch (req);

  crm_db_batch_add (batch, &sql_ping, NULL);
  crm_request_execute (req, batch, health_done);
}
