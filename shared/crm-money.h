#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Money travels and is stored as integer fen (minor units of CNY). */
typedef gint64 CrmMoney;

gboolean  crm_money_parse  (const char  *text,
                            CrmMoney    *out,
                            GError     **error);
char     *crm_money_format (CrmMoney     value,
                            gboolean     with_symbol);

G_END_DECLS
