#pragma once

#include <gtk/gtk.h>

#include "crm-customer-model.h"

G_BEGIN_DECLS

/*
 * The cells of the customer list, one factory per column of
 * CrmCustomerItem: a label each, cut short when narrow; the name with a
 * mark when the customer has changes not yet on the server and an icon
 * for each of its warnings, the figures (revenue, arrears, churn risk,
 * open pipeline) right-aligned in tabular figures, arrears and churn risk
 * that raise a warning in the warning colour and saying so to assistive
 * technologies, a churned customer's status dimmed.
 */
GtkListItemFactory *crm_customer_cell_factory_new        (CrmCustomerColumn   column);
void                crm_customer_cell_factory_set_coming (GtkListItemFactory *factory,
                                                          gboolean            coming);

G_END_DECLS
