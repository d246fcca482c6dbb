#define G_LOG_DOMAIN "crm-identity"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libpq-fe.h>

#include "crm-identity.h"

/*
 * One connection per server process LISTENs on CRM_IDENTITY_CHANNEL, in a
 * thread of its own that never touches a request: it waits in poll () on
 * the connection's socket and on a pipe that wakes it to stop, with libpq
 * non-blocking throughout (connecting too), so stopping never waits for
 * the database.
 *
 * The cache is open only while the LISTEN holds: when the connection is
 * lost, the cache is emptied and bypassed (every request authenticates in
 * the database), a reconnect is tried every RETRY_MS, and once LISTEN is
 * back the cache is emptied again (what was revoked meanwhile was not
 * heard) and opened.  A heartbeat every HEARTBEAT_MS that gets no answer
 * within another HEARTBEAT_MS counts as a lost connection, so a database
 * that vanished without closing the socket does not leave the cache open.
 */

#define RETRY_MS 1000
#define CONNECT_TIMEOUT_MS 10000
#define HEARTBEAT_MS 10000
#define FIRST_LISTEN_WAIT_MS 5000

struct _CrmIdentityListener
{
  CrmIdentityCache *cache;
  char             *conninfo;
  GThread          *thread;
  int               wake[2];    /* written once to stop */
  GMutex            lock;
  GCond             cond;
  gboolean          settled;    /* the first attempt to listen is over */
};

typedef enum
{
  WAIT_READY,
  WAIT_TIMEOUT,
  WAIT_STOP,
} WaitResult;

/* Waits for @events on @fd (or only for the stop pipe when @fd < 0). */
static WaitResult
wait_fd (CrmIdentityListener *l,
         int                  fd,
         short                events,
         int                  timeout_ms)
{
  struct pollfd fds[2] = {
    { l->wake[0], POLLIN, 0 },
    { fd, events, 0 },
  };
  int n;

  do
    n = poll (fds, fd >= 0 ? 2 : 1, timeout_ms);
  while (n < 0 && errno == EINTR);
  if (n < 0 || fds[0].revents != 0)
    return WAIT_STOP;
  return n == 0 ? WAIT_TIMEOUT : WAIT_READY;
}

static void
settle (CrmIdentityListener *l)
{
  g_mutex_lock (&l->lock);
  l->settled = TRUE;
  g_cond_broadcast (&l->cond);
  g_mutex_unlock (&l->lock);
}

/* Sends what libpq has buffered. */
static gboolean
flush (CrmIdentityListener *l,
       PGconn              *conn)
{
  int r;

  while ((r = PQflush (conn)) == 1)
    if (wait_fd (l, PQsocket (conn), POLLOUT, CONNECT_TIMEOUT_MS) != WAIT_READY)
      return FALSE;
  return r == 0;
}

/* Reads the results of the query last sent, until libpq has no more;
 * FALSE if one failed or the connection did. */
static gboolean
drain_results (CrmIdentityListener *l,
               PGconn              *conn)
{
  PGresult *res;
  gboolean ok = TRUE;

  for (;;)
    {
      while (PQisBusy (conn))
        {
          if (wait_fd (l, PQsocket (conn), POLLIN, CONNECT_TIMEOUT_MS) != WAIT_READY ||
              !PQconsumeInput (conn))
            return FALSE;
        }
      res = PQgetResult (conn);
      if (res == NULL)
        return ok;
      if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
        ok = FALSE;
      PQclear (res);
    }
}

/* Connects and LISTENs, or returns NULL (failed, or stopping). */
static PGconn *
connect_and_listen (CrmIdentityListener *l)
{
  const char *keys[] = { "dbname", "application_name", NULL };
  const char *values[] = { l->conninfo, "keyline-identity", NULL };
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  PGconn *conn = PQconnectStartParams (keys, values, 1);

  if (conn == NULL || PQstatus (conn) == CONNECTION_BAD)
    goto failed;
  while (status != PGRES_POLLING_OK)
    {
      if (status == PGRES_POLLING_FAILED ||
          wait_fd (l, PQsocket (conn), status == PGRES_POLLING_READING ? POLLIN : POLLOUT,
                   CONNECT_TIMEOUT_MS) != WAIT_READY)
        goto failed;
      status = PQconnectPoll (conn);
    }
  if (PQsetnonblocking (conn, 1) != 0 ||
      !PQsendQuery (conn, "LISTEN " CRM_IDENTITY_CHANNEL) ||
      !flush (l, conn) || !drain_results (l, conn))
    goto failed;
  return conn;

failed:
  if (conn != NULL)
    g_message ("Cannot listen for revoked sessions: %s", g_strchomp (PQerrorMessage (conn)));
  g_clear_pointer (&conn, PQfinish);
  return NULL;
}

/* Applies notifications until the connection is lost or the listener
 * stops. */
static void
listen_loop (CrmIdentityListener *l,
             PGconn              *conn)
{
  gboolean heartbeat_sent = FALSE;

  for (;;)
    {
      PGnotify *notify;

      switch (wait_fd (l, PQsocket (conn), POLLIN, HEARTBEAT_MS))
        {
        case WAIT_STOP:
          return;
        case WAIT_TIMEOUT:
          if (heartbeat_sent)
            {
              g_message ("The database did not answer the identity listener's heartbeat");
              return;
            }
          if (!PQsendQuery (conn, "SELECT 1") || !flush (l, conn))
            return;
          heartbeat_sent = TRUE;
          continue;
        case WAIT_READY:
        default:
          break;
        }
      if (!PQconsumeInput (conn) || PQstatus (conn) != CONNECTION_OK)
        return;
      while ((notify = PQnotifies (conn)) != NULL)
        {
          if (g_str_equal (notify->relname, CRM_IDENTITY_CHANNEL))
            crm_identity_cache_notify (l->cache, notify->extra);
          PQfreemem (notify);
        }
      while (!PQisBusy (conn))
        {
          PGresult *res = PQgetResult (conn);

          if (res == NULL)
            break;
          if (PQresultStatus (res) == PGRES_FATAL_ERROR)
            {
              PQclear (res);
              return;
            }
          heartbeat_sent = FALSE;
          PQclear (res);
        }
    }
}

static gpointer
listener_main (gpointer data)
{
  CrmIdentityListener *l = data;

  for (;;)
    {
      PGconn *conn = connect_and_listen (l);

      if (conn != NULL)
        {
          /* Anything revoked before LISTEN held went unheard. */
          crm_identity_cache_reset (l->cache, FALSE);
          g_message ("Listening for revoked sessions");
          settle (l);
          listen_loop (l, conn);
          crm_identity_cache_reset (l->cache, TRUE);
          if (wait_fd (l, -1, 0, 0) == WAIT_STOP)
            {
              PQfinish (conn);
              break;
            }
          g_message ("Lost the identity listener's connection: %s; every request authenticates in the database",
                     g_strchomp (PQerrorMessage (conn)));
          PQfinish (conn);
        }
      settle (l);
      if (wait_fd (l, -1, 0, RETRY_MS) == WAIT_STOP)
        break;
    }
  return NULL;
}

CrmIdentityListener *
crm_identity_listener_start (CrmIdentityCache *cache,
                             const char       *conninfo)
{
  CrmIdentityListener *l = g_new0 (CrmIdentityListener, 1);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + FIRST_LISTEN_WAIT_MS * 1000;

  l->cache = cache;
  l->conninfo = g_strdup (conninfo);
  g_mutex_init (&l->lock);
  g_cond_init (&l->cond);
  if (!g_unix_open_pipe (l->wake, FD_CLOEXEC, &error))
    g_error ("Cannot make a pipe: %s", error->message);
  l->thread = g_thread_new ("keyline-identity", listener_main, l);

  g_mutex_lock (&l->lock);
  while (!l->settled)
    if (!g_cond_wait_until (&l->cond, &l->lock, deadline))
      break;
  g_mutex_unlock (&l->lock);
  return l;
}

void
crm_identity_listener_stop (CrmIdentityListener *l)
{
  if (l == NULL)
    return;
  while (write (l->wake[1], "x", 1) < 0 && errno == EINTR)
    ;
  g_thread_join (l->thread);
  close (l->wake[0]);
  close (l->wake[1]);
  g_mutex_clear (&l->lock);
  g_cond_clear (&l->cond);
  g_free (l->conninfo);
  g_free (l);
}
