#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The accessibility bus, as a desktop has it: the session bus's
 * org.a11y.Bus (at-spi2-core's at-spi-bus-launcher) gives its address, and
 * the AT-SPI registry on it lists every application that talks AT-SPI.
 * The GUI tests run with accessibility on; these say whether it really is.
 */

/* org.a11y.Bus.GetAddress on the session bus: NULL, and @error, when no
 * accessibility bus answers. */
char     *crm_test_a11y_bus_address      (GError **error);

/* Waits (up to 10 s, iterating the default main context) until the AT-SPI
 * registry on the accessibility bus lists an application named @name
 * (what GTK calls the program: g_get_application_name ()); FALSE if it
 * never does. */
gboolean  crm_test_a11y_wait_registered  (const char  *name,
                                          GError     **error);

G_END_DECLS
