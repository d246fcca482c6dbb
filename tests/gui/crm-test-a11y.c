#include "config.h"

#include "crm-test-a11y.h"

#define ATSPI_REGISTRY "org.a11y.atspi.Registry"
#define ATSPI_ROOT "/org/a11y/atspi/accessible/root"
#define ATSPI_ACCESSIBLE "org.a11y.atspi.Accessible"

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A D-Bus call that keeps the main context running meanwhile: the other
 * end may call back into this program's own AT-SPI objects. */
static GVariant *
call (GDBusConnection     *connection,
      const char          *name,
      const char          *path,
      const char          *interface,
      const char          *method,
      GVariant            *parameters,
      const GVariantType  *reply_type,
      GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_dbus_connection_call (connection, name, path, interface, method, parameters, reply_type,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, call_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_dbus_connection_call_finish (connection, result, error);
}

char *
crm_test_a11y_bus_address (GError **error)
{
  g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  g_autoptr(GVariant) reply = NULL;
  char *address = NULL;

  if (session == NULL)
    return NULL;
  reply = call (session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress",
                NULL, G_VARIANT_TYPE ("(s)"), error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(s)", &address);
  return address;
}

/* The names of the applications the registry lists. */
static GStrv
registered_names (GDBusConnection  *bus,
                  GError          **error)
{
  g_autoptr(GVariant) children = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  const char *child_bus, *child_path;

  children = call (bus, ATSPI_REGISTRY, ATSPI_ROOT, ATSPI_ACCESSIBLE, "GetChildren",
                   NULL, G_VARIANT_TYPE ("(a(so))"), error);
  if (children == NULL)
    return NULL;
  g_variant_get (children, "(a(so))", &iter);
  while (g_variant_iter_next (iter, "(&s&o)", &child_bus, &child_path))
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GVariant) value = NULL;

      reply = call (bus, child_bus, child_path, "org.freedesktop.DBus.Properties", "Get",
                    g_variant_new ("(ss)", ATSPI_ACCESSIBLE, "Name"), G_VARIANT_TYPE ("(v)"), NULL);
      if (reply == NULL)
        continue;
      g_variant_get (reply, "(v)", &value);
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        g_strv_builder_add (names, g_variant_get_string (value, NULL));
    }
  return g_strv_builder_end (names);
}

gboolean
crm_test_a11y_wait_registered (const char  *name,
                               GError     **error)
{
  g_autofree char *address = crm_test_a11y_bus_address (error);
  g_autoptr(GDBusConnection) bus = NULL;
  gint64 until = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  if (address == NULL)
    return FALSE;
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, error);
  if (bus == NULL)
    return FALSE;

  for (;;)
    {
      g_auto(GStrv) names = registered_names (bus, error);

      if (names == NULL)
        return FALSE;
      if (g_strv_contains ((const char * const *) names, name))
        return TRUE;
      if (g_get_monotonic_time () > until)
        {
          g_autofree char *listed = g_strjoinv (", ", names);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "The AT-SPI registry does not list %s (it lists: %s)", name, listed);
          return FALSE;
        }
      g_main_context_iteration (NULL, FALSE) || (g_usleep (10000), TRUE);
    }
}
