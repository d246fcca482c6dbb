#define G_LOG_DOMAIN "crm-server"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libsoup/soup.h>

#include "crm-commands.h"
#include "crm-error.h"
#include "crm-http.h"
#include "crm-identity.h"
#include "crm-migrate.h"
#include "crm-server.h"

/*
 * One thread per core.  Each has its own GMainContext, SoupServer,
 * PostgreSQL connection and listening socket; the sockets share one port
 * through SO_REUSEPORT, so the kernel spreads connections over the threads
 * and no request ever crosses threads.  The sockets are made with plain
 * socket()/setsockopt()/bind() because g_socket_bind() resets SO_REUSEPORT.
 *
 * Debian 12's libsoup 3.2.3 never frees an idle keep-alive connection that
 * the client closed (fixed in 3.3.0): 200 connections dropped by wrk leave
 * about 190 descriptors open for good.  Each thread therefore remembers the
 * socket of every connection it has served (from "request-started") and
 * sweeps them: a socket whose peer has closed, seen so in two sweeps in a
 * row while no request is running on it, is closed by us (see sweep_cb).
 * libsoup keeps keep-alive connections only while it has a listener of its
 * own, so the listening socket is handed to soup_server_listen_socket().
 *
 * The same table bounds what one client can hold: connections per peer
 * address are counted across threads (max-client-connections; one over
 * gets a JSON 503), and a request still arriving after request-timeout
 * seconds gets a JSON 408 (crm_http_refuse () in crm-http.c answers both
 * without reading further).
 */

#define SWEEP_INTERVAL_MS 500
#define STOP_GRACE_SECONDS 10
#define STOP_SETTLE_MS 100

typedef struct _Thread Thread;

typedef struct
{
  Thread            *thread;
  GSocket           *socket;
  char              *address;     /* the peer's, counted in CrmServer.per_address */
  gint64             last_active;
  guint              busy;        /* requests in progress on this connection */
  gboolean           peer_gone;   /* the peer had closed at the last sweep */
  SoupServerMessage *reading;     /* the request still arriving, if any */
  gint64             reading_since;
  guint64            idle_bytes;    /* bytes received when it last fell idle */
  gint64             partial_since; /* bytes came while idle, with no request yet */
} Client;

struct _Thread
{
  CrmServer    *server;
  guint         index;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *soup;
  CrmWorker     worker;
  int           listen_fd;
  GSource      *sweep_source;
  GHashTable   *clients;      /* GSocket -> Client */
  gboolean      stopping;
  guint         active;       /* requests read and not yet fully answered */
  gint64        stop_started;
  gint64        stop_deadline;
};

struct _CrmServer
{
  CrmConfig *config;
  char      *app_conninfo;
  guint16    port;
  GPtrArray *threads;
  GMutex     lock;
  GCond      cond;
  guint      ready;
  GError    *error;
  GMutex     clients_lock;
  GHashTable *per_address;  /* peer address -> open connections, all threads */
  CrmIdentityCache    *identity;  /* who each token is, for all threads */
  CrmIdentityListener *listener;  /* keeps it current; NULL when it is off */
};

/* A message counted in Thread.active, by quark: g_object_set_data ()
 * looks its string up under GLib's process-wide quark lock. */
static G_DEFINE_QUARK (crm-active, active)

/* Listening sockets ------------------------------------------------------ */

static int
open_listener (const char  *host,
               guint16      port,
               gboolean     probe,
               guint16     *bound_port,
               GError     **error)
{
  struct sockaddr_storage addr = { 0 };
  socklen_t addr_len;
  int one = 1;
  int fd;
  int family;

  memset (&addr, 0, sizeof addr);
  if (inet_pton (AF_INET, host, &((struct sockaddr_in *) &addr)->sin_addr) == 1)
    {
      family = AF_INET;
      ((struct sockaddr_in *) &addr)->sin_family = AF_INET;
      ((struct sockaddr_in *) &addr)->sin_port = htons (port);
      addr_len = sizeof (struct sockaddr_in);
    }
  else if (inet_pton (AF_INET6, host, &((struct sockaddr_in6 *) &addr)->sin6_addr) == 1)
    {
      family = AF_INET6;
      ((struct sockaddr_in6 *) &addr)->sin6_family = AF_INET6;
      ((struct sockaddr_in6 *) &addr)->sin6_port = htons (port);
      addr_len = sizeof (struct sockaddr_in6);
    }
  else
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "listen",
                           "“%s” is not an IP address to listen on", host);
      return -1;
    }

  /* SO_REUSEPORT would also let this process share the port with another
   * keyline-server of the same user, already listening there, and the
   * kernel would hand connections to either.  A plain bind first says
   * whether anything listens on the port. */
  if (probe && port != 0)
    {
      int saved = 0;

      fd = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0 ||
          setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
          bind (fd, (struct sockaddr *) &addr, addr_len) < 0)
        saved = errno;
      if (fd >= 0)
        close (fd);
      if (saved != 0)
        {
          g_set_error (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE, "Cannot listen on %s:%u: %s%s",
                       host, port, g_strerror (saved),
                       saved == EADDRINUSE ? " (is another keyline-server running there?)" : "");
          return -1;
        }
    }

  fd = socket (family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
      bind (fd, (struct sockaddr *) &addr, addr_len) < 0 ||
      listen (fd, 1024) < 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE, "Cannot listen on %s:%u: %s",
                   host, port, g_strerror (saved));
      return -1;
    }

  if (bound_port)
    {
      addr_len = sizeof addr;
      getsockname (fd, (struct sockaddr *) &addr, &addr_len);
      *bound_port = ntohs (family == AF_INET ? ((struct sockaddr_in *) &addr)->sin_port
                                             : ((struct sockaddr_in6 *) &addr)->sin6_port);
    }
  return fd;
}

/* Connections ------------------------------------------------------------ */

/* Bytes received on the connection so far (Linux's TCP_INFO). */
static guint64
bytes_received (GSocket *socket)
{
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  if (getsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_INFO, &info, &len) < 0 ||
      len < G_STRUCT_OFFSET (struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
    return 0;
  return info.tcpi_bytes_received;
}

/* Counts a new connection from @address; FALSE when over the limit. */
static gboolean
address_add (CrmServer  *server,
             const char *address)
{
  guint n;

  g_mutex_lock (&server->clients_lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address, address)) + 1;
  g_hash_table_replace (server->per_address, g_strdup (address), GUINT_TO_POINTER (n));
  g_mutex_unlock (&server->clients_lock);
  return n <= server->config->max_client_connections;
}

static void
address_remove (CrmServer  *server,
                const char *address)
{
  guint n;

  g_mutex_lock (&server->clients_lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address, address));
  if (n <= 1)
    g_hash_table_remove (server->per_address, address);
  else
    g_hash_table_replace (server->per_address, g_strdup (address), GUINT_TO_POINTER (n - 1));
  g_mutex_unlock (&server->clients_lock);
}

static void
client_free (gpointer data)
{
  Client *client = data;

  address_remove (client->thread->server, client->address);
  g_clear_object (&client->reading);
  g_object_unref (client->socket);
  g_free (client->address);
  g_free (client);
}

static void
refuse (SoupServerMessage *msg,
        CrmError           code,
        const char        *message)
{
  g_autoptr(GError) error = NULL;

  crm_set_field_error (&error, code, NULL, "%s", message);
  crm_http_refuse (msg, error);
}

/* libsoup 3.2.3 emits "request-started" when it accepts a connection (and,
 * on a kept-alive one, once the next request's first line is in): a
 * connection is known, counted and timed from then on. */
static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    Thread            *thread)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Client *client;
  gboolean over_limit = FALSE;

  crm_http_request_started (&thread->worker, msg);
  if (socket == NULL)
    return;
  client = g_hash_table_lookup (thread->clients, socket);
  if (client == NULL)
    {
      const char *host = soup_server_message_get_remote_host (msg);

      client = g_new0 (Client, 1);
      client->thread = thread;
      client->socket = g_object_ref (socket);
      client->address = g_strdup (host ? host : "-");
      g_hash_table_insert (thread->clients, socket, client);
      over_limit = !address_add (thread->server, client->address);
    }
  client->busy++;
  client->peer_gone = FALSE;
  client->last_active = g_get_monotonic_time ();
  g_set_object (&client->reading, msg);
  client->reading_since = client->last_active;
  if (over_limit)
    refuse (msg, CRM_ERROR_UNAVAILABLE, "Too many connections from this address; try again shortly");
}

/* The request has arrived in full (or is over): all the bytes received so
 * far are its own, so any that come while the connection is idle belong to
 * a next request. */
static void
reading_done (Thread            *thread,
              SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Client *client = socket ? g_hash_table_lookup (thread->clients, socket) : NULL;

  if (client != NULL && client->reading == msg)
    {
      g_clear_object (&client->reading);
      client->idle_bytes = bytes_received (client->socket);
      client->partial_since = 0;
    }
}

/* From a request read in full until its response is written or the client
 * goes: what stopping waits for.  An idle keep-alive connection has no such
 * request, unlike one counted from "request-started". */
static void
request_read_cb (SoupServer        *soup,
                 SoupServerMessage *msg,
                 Thread            *thread)
{
  crm_http_request_read (&thread->worker, msg);
  reading_done (thread, msg);
  thread->active++;
  g_object_set_qdata (G_OBJECT (msg), active_quark (), GINT_TO_POINTER (1));
}

static void
request_ended_cb (SoupServer        *soup,
                  SoupServerMessage *msg,
                  Thread            *thread)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Client *client = socket ? g_hash_table_lookup (thread->clients, socket) : NULL;

  crm_http_request_ended (&thread->worker, msg);
  reading_done (thread, msg);
  if (g_object_steal_qdata (G_OBJECT (msg), active_quark ()) != NULL)
    thread->active--;
  if (client != NULL && client->busy > 0)
    {
      client->busy--;
      client->last_active = g_get_monotonic_time ();
    }
}

/* On a keep-alive connection, libsoup 3.2 emits "request-started" for the
 * next request only once its first line is complete: a request stalled
 * inside that line shows only as bytes received while the connection looked
 * idle.  It gets the same 408, written here, and the connection is shut
 * (the sweep closes it once libsoup has let go). */
static gboolean
stalled_while_idle (Client *client,
                    gint64  now,
                    gint64  limit)
{
  if (client->busy > 0 || bytes_received (client->socket) <= client->idle_bytes)
    return FALSE;
  if (client->partial_since == 0)
    client->partial_since = now;
  return now - client->partial_since > limit;
}

static void
answer_stalled_idle (Client *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) response = NULL;
  gsize len;
  const char *data;

  crm_set_field_error (&error, CRM_ERROR_TIMEOUT, NULL, "The request did not arrive in time");
  response = crm_http_error_response (error);
  data = g_bytes_get_data (response, &len);
  g_socket_send_with_blocking (client->socket, data, len, FALSE, NULL, NULL);
  g_socket_shutdown (client->socket, TRUE, TRUE, NULL);
  client->partial_since = 0;
  client->idle_bytes = G_MAXUINT64;
}

/* Has the peer closed its end?  A zero-byte peek means end of stream. */
static gboolean
peer_closed (GSocket *socket)
{
  char byte;
  ssize_t n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

static gboolean
sweep_cb (gpointer user_data)
{
  Thread *thread = user_data;
  GHashTableIter iter;
  Client *client;
  gint64 now = g_get_monotonic_time ();
  gint64 idle_limit = (gint64) thread->server->config->idle_timeout * G_USEC_PER_SEC;
  gint64 request_limit = (gint64) thread->server->config->request_timeout * G_USEC_PER_SEC;

  g_hash_table_iter_init (&iter, thread->clients);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &client))
    {
      if (g_socket_is_closed (client->socket))
        {
          /* libsoup closed it itself */
          g_hash_table_iter_remove (&iter);
          continue;
        }
      if (client->reading != NULL && now - client->reading_since > request_limit)
        {
          /* Headers or body stalled: answer 408 and close. */
          refuse (client->reading, CRM_ERROR_TIMEOUT, "The request did not arrive in time");
          g_clear_object (&client->reading);
          continue;
        }
      if (stalled_while_idle (client, now, request_limit))
        {
          answer_stalled_idle (client);
          continue;
        }
      if (client->busy > 0)
        continue;
      if (peer_closed (client->socket))
        {
          /* libsoup has had a whole sweep interval to notice the end of
           * stream and drop its read source; what is left is the leak. */
          if (client->peer_gone)
            {
              g_socket_close (client->socket, NULL);
              g_hash_table_iter_remove (&iter);
            }
          else
            client->peer_gone = TRUE;
        }
      else if (now - client->last_active > idle_limit)
        {
          /* An idle keep-alive connection past its time: half-close it, so
           * libsoup reads end of stream and disconnects the usual way. */
          g_socket_shutdown (client->socket, TRUE, FALSE, NULL);
          client->last_active = now;
        }
    }
  return G_SOURCE_CONTINUE;
}

/* Threads ------------------------------------------------------------------ */

static void
thread_ready (Thread *thread,
              GError *error)
{
  CrmServer *server = thread->server;

  g_mutex_lock (&server->lock);
  if (error && server->error == NULL)
    server->error = g_error_copy (error);
  server->ready++;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
}

static gpointer
thread_main (gpointer data)
{
  Thread *thread = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = NULL;

  g_main_context_push_thread_default (thread->context);

  thread->worker.config = thread->server->config;
  thread->worker.context = thread->context;
  thread->worker.identity = thread->server->identity;
  thread->worker.db = crm_db_new (thread->context, thread->server->app_conninfo, &error);
  if (thread->worker.db == NULL)
    {
      thread_ready (thread, error);
      g_main_context_pop_thread_default (thread->context);
      return NULL;
    }
  thread->worker.waiting = g_hash_table_new (NULL, NULL);

  thread->soup = soup_server_new ("server-header", "Keyline/" PACKAGE_VERSION " ", NULL);
  crm_http_install (thread->soup, &thread->worker);
  /* one handler per signal; each calls the API's part first */
  g_signal_connect (thread->soup, "request-started", G_CALLBACK (request_started_cb), thread);
  g_signal_connect (thread->soup, "request-read", G_CALLBACK (request_read_cb), thread);
  g_signal_connect (thread->soup, "request-finished", G_CALLBACK (request_ended_cb), thread);
  g_signal_connect (thread->soup, "request-aborted", G_CALLBACK (request_ended_cb), thread);

  /* The GSocket owns the descriptor from here on, whether or not it or
   * the listening succeeds: closing it again would close a descriptor
   * some other thread may have been given meanwhile. */
  listener = g_socket_new_from_fd (thread->listen_fd, &error);
  thread->listen_fd = -1;
  if (listener == NULL || !soup_server_listen_socket (thread->soup, listener, 0, &error))
    {
      thread_ready (thread, error);
      g_main_context_pop_thread_default (thread->context);
      return NULL;
    }

  thread->sweep_source = g_timeout_source_new (SWEEP_INTERVAL_MS);
  g_source_set_callback (thread->sweep_source, sweep_cb, thread, NULL);
  g_source_attach (thread->sweep_source, thread->context);

  thread_ready (thread, NULL);
  g_main_loop_run (thread->loop);

  g_source_destroy (thread->sweep_source);
  g_clear_pointer (&thread->sweep_source, g_source_unref);
  soup_server_disconnect (thread->soup);
  g_hash_table_remove_all (thread->clients);
  g_clear_object (&thread->soup);
  g_clear_pointer (&thread->worker.db, crm_db_free);
  g_clear_pointer (&thread->worker.waiting, g_hash_table_unref);
  /* let libsoup's closing sources run once */
  while (g_main_context_iteration (thread->context, FALSE))
    ;
  g_main_context_pop_thread_default (thread->context);
  return NULL;
}

static void
thread_free (gpointer data)
{
  Thread *thread = data;

  if (thread->listen_fd >= 0)
    close (thread->listen_fd);
  g_clear_pointer (&thread->clients, g_hash_table_unref);
  g_clear_pointer (&thread->loop, g_main_loop_unref);
  g_clear_pointer (&thread->context, g_main_context_unref);
  g_free (thread);
}

/* Graceful stop: no new connections; requests in progress get up to
 * STOP_GRACE_SECONDS to finish; then the loop ends. */
static gboolean
stop_poll_cb (gpointer user_data)
{
  Thread *thread = user_data;
  gint64 now = g_get_monotonic_time ();

  /* A request may wait on the database or on a worker thread (password
   * hashing), then its answer is written: it counts as active from
   * "request-read" until "request-finished".  (Counting until the handler
   * answered lost the answer about one time in three: the loop ended
   * before libsoup had written it.)  A request sent just before the signal
   * may still be on its way: it gets STOP_SETTLE_MS to arrive. */
  if ((thread->active == 0 && now > thread->stop_started + STOP_SETTLE_MS * 1000)
      || now > thread->stop_deadline)
    {
      g_main_loop_quit (thread->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
stop_in_thread_cb (gpointer user_data)
{
  Thread *thread = user_data;
  GSList *listeners;
  GSource *poll;

  thread->stopping = TRUE;
  thread->stop_started = g_get_monotonic_time ();
  thread->stop_deadline = thread->stop_started + STOP_GRACE_SECONDS * G_USEC_PER_SEC;
  /* Stops accepting without soup_server_disconnect (), which in libsoup
   * 3.2 also drops every client connection, answers in progress with them.
   * Shutting a listening socket down makes its accept fail, and libsoup's
   * listen watch then removes itself; the descriptor stays open until the
   * loop ends, so no other file can take its number meanwhile. */
  listeners = soup_server_get_listeners (thread->soup);
  for (GSList *l = listeners; l != NULL; l = l->next)
    g_socket_shutdown (l->data, TRUE, FALSE, NULL);
  g_slist_free (listeners);
  poll = g_timeout_source_new (20);
  g_source_set_callback (poll, stop_poll_cb, thread, NULL);
  g_source_attach (poll, thread->context);
  g_source_unref (poll);
  return G_SOURCE_REMOVE;
}

/* Public API ------------------------------------------------------------- */

/* A GSourceFunc that ends @user_data, a GMainLoop. */
static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}


void
crm_server_raise_fd_limit (void)
{
  struct rlimit limit;

  /* One descriptor per connection: allow as many as the system lets us. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

CrmServer *
crm_server_start (const CrmConfig  *config,
                  GError          **error)
{
  CrmServer *server = g_new0 (CrmServer, 1);
  guint n = config->threads ? config->threads : g_get_num_processors ();
  guint16 port = config->listen_port;

  server->config = crm_config_copy (config);
  server->app_conninfo = crm_config_get_app_conninfo (config);
  server->threads = g_ptr_array_new_with_free_func (thread_free);
  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  g_mutex_init (&server->clients_lock);
  server->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->identity = crm_identity_cache_new (config->identity_cache_entries,
                                             config->identity_cache_seconds);
  /* The cache opens once its listener listens (it stays bypassed if the
   * size bound is 0). */
  if (config->identity_cache_entries > 0)
    server->listener = crm_identity_listener_start (server->identity, server->app_conninfo);

  for (guint i = 0; i < n; i++)
    {
      Thread *thread = g_new0 (Thread, 1);

      thread->server = server;
      thread->index = i;
      thread->listen_fd = open_listener (config->listen_host, port, i == 0, i == 0 ? &port : NULL, error);
      thread->context = g_main_context_new ();
      thread->loop = g_main_loop_new (thread->context, FALSE);
      thread->clients = g_hash_table_new_full (NULL, NULL, NULL, client_free);
      g_ptr_array_add (server->threads, thread);
      if (thread->listen_fd < 0)
        {
          crm_server_stop (server);
          return NULL;
        }
    }
  server->port = port;

  for (guint i = 0; i < n; i++)
    {
      Thread *thread = server->threads->pdata[i];
      g_autofree char *name = g_strdup_printf ("keyline-%u", i);

      thread->thread = g_thread_new (name, thread_main, thread);
    }

  g_mutex_lock (&server->lock);
  while (server->ready < n)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);

  if (server->error)
    {
      g_propagate_error (error, g_steal_pointer (&server->error));
      crm_server_stop (server);
      return NULL;
    }
  return server;
}

guint16
crm_server_get_port (CrmServer *server)
{
  return server->port;
}

guint
crm_server_get_n_threads (CrmServer *server)
{
  return server->threads->len;
}

void
crm_server_stop (CrmServer *server)
{
  if (server == NULL)
    return;

  for (guint i = 0; i < server->threads->len; i++)
    {
      Thread *thread = server->threads->pdata[i];

      if (thread->thread && thread->worker.db)
        g_main_context_invoke (thread->context, stop_in_thread_cb, thread);
      else if (thread->thread)
        g_main_context_invoke (thread->context, quit_cb, thread->loop);
    }
  for (guint i = 0; i < server->threads->len; i++)
    {
      Thread *thread = server->threads->pdata[i];

      if (thread->thread)
        g_thread_join (thread->thread);
    }

  g_ptr_array_unref (server->threads);
  g_clear_pointer (&server->listener, crm_identity_listener_stop);
  g_clear_pointer (&server->identity, crm_identity_cache_free);
  g_free (server->app_conninfo);
  crm_config_free (server->config);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_hash_table_unref (server->per_address);
  g_mutex_clear (&server->clients_lock);
  g_clear_error (&server->error);
  g_free (server);
}

/* keyline-server serve -------------------------------------------------- */

int
crm_serve_command (CrmConfig  *config,
                   int         argc,
                   char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  CrmServer *server;
  guint applied = 0;

  if (argc > 1)
    {
      fprintf (stderr, "keyline-server: unexpected argument “%s”\n", argv[1]);
      return 2;
    }

  if (!crm_migrate_run (config->database, &applied, &error))
    {
      fprintf (stderr, "keyline-server: the database is not ready, not starting: %s\n", error->message);
      return 1;
    }
  if (applied > 0)
    g_message ("Applied %u migration(s)", applied);
  crm_server_raise_fd_limit ();

  server = crm_server_start (config, &error);
  if (server == NULL)
    {
      fprintf (stderr, "keyline-server: %s\n", error->message);
      return 1;
    }

  printf ("keyline-server %s listening on http://%s:%u/api/v1 with %u threads\n",
          PACKAGE_VERSION, config->listen_host, crm_server_get_port (server),
          crm_server_get_n_threads (server));
  fflush (stdout);

  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_main_loop_run (loop);

  g_message ("Stopping: finishing requests in progress");
  crm_server_stop (server);
  g_message ("Stopped");
  return 0;
}
