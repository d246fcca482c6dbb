#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/*
 * A tiny in-process HTTP server for the client's tests: it answers every
 * request below /api/v1 with the status, body and Retry-After it was told,
 * and records the last request.  It runs on the thread-default main
 * context, so tests iterate that context while the client waits.
 */
typedef struct
{
  SoupServer *server;
  char       *url;                 /* http://127.0.0.1:PORT */
  guint       status;
  char       *body;
  char       *retry_after;
  guint       requests;
  char       *last_method;
  char       *last_path;
  char       *last_authorization;
  char       *last_body;
  GHashTable *last_query;
  GHashTable *connections;         /* "address:port" of each connection requests came on */
} CrmTestServer;

CrmTestServer *crm_test_server_new      (void);
void           crm_test_server_answer   (CrmTestServer *self,
                                         guint          status,
                                         const char    *body,
                                         const char    *retry_after);
void           crm_test_server_free     (CrmTestServer *self);

/* The address of a port on which nothing listens. */
char          *crm_test_closed_url      (void);

/* Iterates the default main context until *@done, failing after 10 s. */
void           crm_test_wait_until      (gboolean      *done);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmTestServer, crm_test_server_free)

G_END_DECLS
