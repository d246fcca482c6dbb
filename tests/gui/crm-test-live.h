#pragma once

#include <gio/gio.h>

#include "crm-api.h"

G_BEGIN_DECLS

/*
 * The real keyline-server, in-process on a port of its own, over a
 * throwaway PostgreSQL seeded by `keyline-server seed` (every seeded user's
 * password is CRM_TEST_LIVE_PASSWORD).  It can be stopped, so that the
 * client finds its address unreachable, and started again on the same
 * port.  Available when tools/test provides the database
 * (KEYLINE_TEST_PGHOST) and KEYLINE_SERVER names the server binary.
 */
#define CRM_TEST_LIVE_PASSWORD "keyline"

typedef struct _CrmTestLive CrmTestLive;

gboolean      crm_test_live_available (void);
CrmTestLive  *crm_test_live_new       (guint          customers);
const char   *crm_test_live_get_url   (CrmTestLive   *self);
void          crm_test_live_stop      (CrmTestLive   *self);
void          crm_test_live_start     (CrmTestLive   *self);
gboolean      crm_test_live_running   (CrmTestLive   *self);
void          crm_test_live_free      (CrmTestLive   *self);

/* The first column of the first row of @sql (one optional parameter), as
 * the seeded admin (row-level security is forced); NULL if no row. */
char         *crm_test_live_scalar    (CrmTestLive   *self,
                                       const char    *sql,
                                       const char    *param);
/* POST /session as @login: an API client holding the token. */
CrmApi       *crm_test_live_sign_in   (CrmTestLive   *self,
                                       const char    *login,
                                       char         **token);

/* Iterates the default main context until @condition holds (30 s at
 * most, then fails). */
void          crm_test_wait_for       (gboolean     (*condition) (gpointer),
                                       gpointer        data);
/* A GAsyncReadyCallback that keeps the result in *(GAsyncResult **) data. */
void          crm_test_done_cb        (GObject       *object,
                                       GAsyncResult  *result,
                                       gpointer       user_data);
/* Waits until crm_test_done_cb has filled *@result and returns it. */
GAsyncResult *crm_test_wait_result    (GAsyncResult **result);

G_END_DECLS
