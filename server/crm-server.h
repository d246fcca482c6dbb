#pragma once

#include <glib.h>

#include "crm-config.h"

G_BEGIN_DECLS

typedef struct _CrmServer CrmServer;

/* Binds the listening sockets (one per thread, SO_REUSEPORT, same port),
 * connects each thread's database connection and starts the threads.
 * A listen port of 0 picks a free port (see crm_server_get_port). */
CrmServer *crm_server_start    (const CrmConfig  *config,
                                GError          **error);
guint16    crm_server_get_port (CrmServer        *server);
guint      crm_server_get_n_threads (CrmServer   *server);
/* Stops accepting, lets in-flight requests finish, joins the threads and
 * frees the server. */
void       crm_server_stop     (CrmServer        *server);

/* Raises the soft limit on open descriptors to the hard limit. */
void       crm_server_raise_fd_limit (void);

G_END_DECLS
