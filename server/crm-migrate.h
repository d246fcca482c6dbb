#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* Opens a blocking connection for command-line work (migrate, seed, user).
 * Never used on a server thread's main loop. */
PGconn   *crm_pg_connect_blocking (const char  *conninfo,
                                   GError     **error);
/* Runs a parameterless statement; FALSE with @error on failure. */
gboolean  crm_pg_exec             (PGconn      *conn,
                                   const char  *sql,
                                   GError     **error);

/* Applies the migrations compiled into the server (server/sql/NNNN-*.sql),
 * in order, each inside a transaction under an advisory lock, recording each
 * in crm_migrations.  A failing migration is rolled back whole and reported.
 * Returns the number applied in *applied. */
gboolean  crm_migrate_run         (const char  *conninfo,
                                   guint       *applied,
                                   GError     **error);
/* The newest migration version compiled in. */
guint     crm_migrate_latest      (void);

G_END_DECLS
