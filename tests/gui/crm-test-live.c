#define G_LOG_DOMAIN "crm-test-live"

#include "config.h"

#include <libpq-fe.h>

#include "crm-config.h"
#include "crm-server.h"
#include "crm-test-live.h"
#include "crm-test-pg.h"

struct _CrmTestLive
{
  CrmConfig *config;
  CrmServer *server;
  char      *conninfo;
  char      *url;
  guint      port;
};

gboolean
crm_test_live_available (void)
{
  return crm_test_pg_available () && g_getenv ("KEYLINE_SERVER") != NULL;
}

CrmTestLive *
crm_test_live_new (guint customers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *count = g_strdup_printf ("%u", customers);
  const char *binary = g_getenv ("KEYLINE_SERVER");
  CrmTestLive *self = g_new0 (CrmTestLive, 1);
  int status = -1;

  self->conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  {
    const char *argv[] = { binary, "--database", self->conninfo, "seed", "--customers", count, "--seed", "3", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  self->config = crm_config_new ();
  g_free (self->config->database);
  self->config->database = g_strdup (self->conninfo);
  g_free (self->config->listen_host);
  self->config->listen_host = g_strdup ("127.0.0.1");
  self->config->listen_port = 0;
  self->config->threads = 2;
  crm_test_live_start (self);
  return self;
}

const char *
crm_test_live_get_url (CrmTestLive *self)
{
  return self->url;
}

void
crm_test_live_start (CrmTestLive *self)
{
  g_autoptr(GError) error = NULL;

  if (self->server != NULL)
    return;
  /* the same port as before, so that the client's address works again */
  self->config->listen_port = self->port;
  self->server = crm_server_start (self->config, &error);
  g_assert_no_error (error);
  self->port = crm_server_get_port (self->server);
  if (self->url == NULL)
    self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

void
crm_test_live_stop (CrmTestLive *self)
{
  g_clear_pointer (&self->server, crm_server_stop);
}

gboolean
crm_test_live_running (CrmTestLive *self)
{
  return self->server != NULL;
}

void
crm_test_live_free (CrmTestLive *self)
{
  crm_test_live_stop (self);
  crm_test_pg_drop_database (self->conninfo);
  g_clear_pointer (&self->config, crm_config_free);
  g_free (self->conninfo);
  g_free (self->url);
  g_free (self);
}

char *
crm_test_live_scalar (CrmTestLive *self,
                      const char  *sql,
                      const char  *param)
{
  PGconn *conn = crm_test_pg_connect_as_admin (self->conninfo);
  const char *params[1] = { param };
  PGresult *res = PQexecParams (conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
  char *value = NULL;

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
    value = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  PQfinish (conn);
  return value;
}

void
crm_test_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
crm_test_wait_result (GAsyncResult **result)
{
  gint64 until = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (*result == NULL && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_nonnull (*result);
  return *result;
}

void
crm_test_wait_for (gboolean (*condition) (gpointer),
                   gpointer   data)
{
  gint64 until = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (!condition (data) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_true (condition (data));
}

CrmApi *
crm_test_live_sign_in (CrmTestLive  *self,
                       const char   *login,
                       char        **token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  CrmApi *api = crm_api_new (self->url, &error);

  g_assert_no_error (error);
  crm_api_sign_in_async (api, login, CRM_TEST_LIVE_PASSWORD, NULL, crm_test_done_cb, &result);
  *token = crm_api_sign_in_finish (api, crm_test_wait_result (&result), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*token);
  return api;
}
