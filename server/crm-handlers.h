#pragma once

#include "crm-http.h"

G_BEGIN_DECLS

/* crm-handler-health.c */
void crm_handle_health          (CrmRequest *req);
/* crm-handler-session.c */
void crm_handle_session_create  (CrmRequest *req);
void crm_handle_session_delete  (CrmRequest *req);
void crm_handle_me              (CrmRequest *req);
/* crm-handler-customers.c */
void crm_handle_customers_list  (CrmRequest *req);
void crm_handle_customer_get    (CrmRequest *req);
/* A customer's statement ($1 its id), for the test of its plan
 * (test-server-plans). */
const CrmSql *crm_customer_get_sql   (void);
/* crm-handler-customer-360.c */
void crm_handle_customer_360    (CrmRequest *req);
/* The entity table's rules for crm.customer_360 ()'s records, every
 * role's: {role: {entity: {"read", "drop", "mask"}}} (0010). */
const char *crm_customer_360_rules (void);
/* crm-handler-reveal.c */
void crm_handle_customer_reveal (CrmRequest *req);
/* crm-handler-sync.c */
void crm_handle_sync            (CrmRequest *req);
/* crm-handler-mutations.c */
void crm_handle_mutation        (CrmRequest *req);
/* crm-handler-pipeline.c */
void crm_handle_pipeline        (CrmRequest *req);
void crm_handle_forecast        (CrmRequest *req);
void crm_handle_pipeline_analysis (CrmRequest *req);
void crm_handle_opportunities   (CrmRequest *req);
/* crm-handler-campaigns.c */
void crm_handle_segment_preview  (CrmRequest *req);
void crm_handle_campaign_launch  (CrmRequest *req);
void crm_handle_campaign_results (CrmRequest *req);

G_END_DECLS
