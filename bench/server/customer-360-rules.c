#define G_LOG_DOMAIN "customer-360-rules"

#include "config.h"

#include <stdio.h>

#include "crm-handlers.h"

/*
 * Prints the second parameter keyline-server gives crm.customer_360 ()
 * (the entity table's record rules for every role), so that bench/run's
 * pgbench runs GET /customers/{id}/360's statement exactly as the server
 * sends it.
 *
 *   _build/bench/server/customer-360-rules
 */
int
main (void)
{
  puts (crm_customer_360_rules ());
  return 0;
}
