#define G_LOG_DOMAIN "crm-entity"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-entity.h"

/*
 * The entity table (crm-entity.h).  One entry per synced table of
 * server/sql/ and one line per column the client receives; the columns
 * kept on the server are each entity's server_only.  Labels are N_()
 * marked and translated by the client (crm_field_label ()).
 *
 * Who may write what is what the server allows today: account managers,
 * directors and administrators create customers (a prospect, in a region
 * they may change customers in: 0011) and change them and their contacts,
 * and create and delete contacts; they log and edit interactions (0008) and
 * create and edit opportunities (0009), all for the customers they may
 * change (crm.may_change_customer () in the policies and in the entity's
 * crm.apply_<entity> () of server/sql/).  Campaign members' outcomes are
 * updated by them and by marketing (0009).  Administrators change a
 * pipeline stage's default probability, and they and directors set
 * sales targets (0014).  Marketing and administrators create, change and
 * delete segments and campaigns (0018).  Every other entity is
 * read-only for now.
 * What a role's sync sends is what its read policy shows, except where
 * synced_own_for narrows it: a director's sync sends only the opportunities
 * they own and those opportunities' stage history (the region's they ask
 * the server for: GET /opportunities); a manager's, as ever, the
 * opportunities of their own customers.
 * Personal data (phone numbers, ID numbers, addresses) leaves the server
 * masked (server/crm-records.c) except where a role reads it in full: an
 * account manager, whose read policy shows only their own customers,
 * receives those customers' phone and their contacts' mobile numbers.  ID
 * numbers and addresses are masked for everyone.  Every role but
 * marketing may reveal one masked value at a time, recorded in the audit
 * log (POST /customers/{id}/reveal, server/sql/0011-reveal.sql).
 */

/* Field flags, short. */
#define REQ    CRM_FIELD_REQUIRED
#define KEY    CRM_FIELD_KEY
#define PARENT CRM_FIELD_PARENT
#define SORT   CRM_FIELD_SORTABLE
#define SEARCH CRM_FIELD_SEARCHABLE
#define SERVER CRM_FIELD_SERVER_SET

/* Role sets. */
#define SALES      (CRM_ROLES (ADMIN) | CRM_ROLES (DIRECTOR) | CRM_ROLES (MANAGER))
#define NOT_MARKETING_OR_ADMIN (CRM_ROLES (DIRECTOR) | CRM_ROLES (MANAGER) | CRM_ROLES (SERVICE))
/* Who sets sales targets. */
#define TARGET_SETTERS (CRM_ROLES (ADMIN) | CRM_ROLES (DIRECTOR))
/* Who plans campaigns and their segments. */
#define PLANNERS   (CRM_ROLES (ADMIN) | CRM_ROLES (MARKETING))
/* Who records a campaign member's outcome. */
#define OUTCOMES   (SALES | CRM_ROLES (MARKETING))
/* Who may read rows of an entity at all (0006's FOR SELECT policies). */
#define NOT_MARKETING (CRM_ROLES_ALL & ~CRM_ROLES (MARKETING))
#define NOT_SERVICE   (CRM_ROLES_ALL & ~CRM_ROLES (SERVICE))

/* One field: name, flags, label, then what its type needs. */
#define F_TEXT(n, fl, lbl)       .name = n, .value_type = CRM_VALUE_TEXT, .check = CRM_FIELD_TEXT, \
                                 .flags = (fl), .label = lbl
#define F_CHECKED(n, c, fl, lbl) .name = n, .value_type = CRM_VALUE_TEXT, .check = CRM_FIELD_##c, \
                                 .flags = (fl), .label = lbl
#define F_BOOL(n, fl, lbl)       .name = n, .value_type = CRM_VALUE_BOOL, .check = CRM_FIELD_BOOL, \
                                 .flags = (fl), .label = lbl
#define F_UUID(n, fl, lbl)       .name = n, .value_type = CRM_VALUE_UUID, .check = CRM_FIELD_UUID, \
                                 .flags = (fl), .label = lbl
#define F_REF(n, e, fl, lbl)     .name = n, .value_type = CRM_VALUE_REFERENCE, .check = CRM_FIELD_UUID, \
                                 .reference = CRM_ENTITY_##e, .flags = (fl), .label = lbl
#define F_ENUM(n, v, t, fl, lbl) .name = n, .value_type = CRM_VALUE_ENUM, .check = CRM_FIELD_ENUM, \
                                 .enum_values = v, .sql_type = t, .flags = (fl), .label = lbl
/* INTEGER, MONEY, DATE, TIMESTAMP (checked by their type), TEXT_LIST,
 * JSON (read-only so far); an integer's range in .min_value, .max_value */
#define F_VALUE(n, t, fl, lbl)   .name = n, .value_type = CRM_VALUE_##t, .flags = (fl), .label = lbl

/* What every mutable table ends with; crm.touch () keeps them. */
#define F_VERSION    { F_VALUE ("version", INTEGER, REQ | SERVER, N_("Version")) }
#define F_UPDATED_AT { F_VALUE ("updated_at", TIMESTAMP, REQ | SERVER | SORT, N_("Last Changed")) }
#define F_CREATED_AT { F_VALUE ("created_at", TIMESTAMP, REQ | SERVER | SORT, N_("Created")) }
#define F_ID         { F_UUID ("id", REQ | KEY, N_("ID")) }

/* Who may reveal a masked value (every role but marketing). */
#define REVEALERS  (CRM_ROLES_ALL & ~CRM_ROLES (MARKETING))
/* A phone number: in full for an account manager (their own customers',
 * the only ones their read policy shows), masked for the others. */
#define MASK_PHONE .mask = CRM_FIELD_MASK_PHONE, .masked_for = CRM_ROLES_ALL & ~CRM_ROLES (MANAGER), \
                   .revealable_by = REVEALERS
/* An ID number or an address: masked for everyone. */
#define MASK_TEXT  .mask = CRM_FIELD_MASK_TEXT, .masked_for = CRM_ROLES_ALL, .revealable_by = REVEALERS

const char * const crm_entity_names[] = {
  "customer", "contact", "product", "subscription", "revenue_month", "interaction", "opportunity",
  "opportunity_stage", "sales_target", "segment", "campaign", "campaign_member", "service_request",
  "service_step", "pipeline_stage", "region", "team", "user", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_entity_names) == CRM_N_ENTITIES + 1);

static const char * const id_key[] = { "id", NULL };
static const char * const revenue_month_key[] = { "customer_id", "month", NULL };
static const char * const campaign_member_key[] = { "campaign_id", "customer_id", NULL };
static const char * const pipeline_stage_key[] = { "stage", NULL };

/* The transaction that last wrote the row, for sync (0002-sync.sql). */
static const char * const sync_stamped[] = { "sync_xid", NULL };
/* the ARPU figures a segment's condition reads (0020-segment-arpu.sql) and
 * its kept products, contract end and last contact (0022-segment-kept.sql) */
static const char * const customer_server_only[] = {
  "sync_xid", "arpu_month0", "arpu_recent", "arpu_before", "arpu_change_floor", "arpu_change_ceil",
  "products_held", "contract_end_next", "last_contact_at", NULL
};
static const char * const region_server_only[] = { "code", "sync_xid", NULL };
/* region_id: the customer's, kept by triggers for the read policy and the
 * pipeline's region scope (0019-opportunity-region.sql); customer_owner_id
 * the customer's owner, for the read policy (0025) */
static const char * const opportunity_server_only[] = { "sync_xid", "region_id", "customer_owner_id", NULL };
/* the customer's owner and region, kept by triggers for the read policy
 * (0025-cheaper-policies.sql) */
static const char * const customer_carried[] = { "sync_xid", "customer_owner_id", "customer_region_id", NULL };
static const char * const step_carried[] = {
  "sync_xid", "customer_owner_id", "customer_region_id", "request_team_id", NULL
};
static const char * const user_server_only[] = {
  "login", "email", "phone", "password_hash", "disabled", "created_at", "sync_xid", NULL
};

static const CrmField customer_fields[] = {
  F_ID,
  { F_TEXT ("name", REQ | SORT | SEARCH, N_("Name")), .max_chars = 200, .writable_by = SALES },
  { F_TEXT ("name_en", SEARCH, N_("English Name")), .max_chars = 200, .writable_by = SALES },
  { F_ENUM ("kind", crm_customer_kind_names, "crm.customer_kind", REQ, N_("Kind")), .writable_by = SALES },
  { F_TEXT ("industry", REQ, N_("Industry")), .max_chars = 50, .writable_by = SALES },
  /* a new customer's region; moving one is not a client's write */
  { F_UUID ("region_id", REQ | CRM_FIELD_CREATE_ONLY, N_("Region")), .writable_by = SALES },
  { F_ENUM ("tier", crm_tier_names, "crm.customer_tier", REQ, N_("Tier")), .writable_by = SALES },
  { F_UUID ("owner_id", 0, N_("Account Manager")) },
  { F_ENUM ("status", crm_customer_status_names, "crm.customer_status", REQ, N_("Status")),
    .writable_by = SALES },
  { F_ENUM ("credit_rating", crm_credit_rating_names, "text", REQ, N_("Credit Rating")), .writable_by = SALES },
  { F_TEXT ("registration_no", 0, N_("Registration Number")), .max_chars = 50, .writable_by = SALES },
  { F_TEXT ("address", 0, N_("Address")), .max_chars = 300, MASK_TEXT, .writable_by = SALES },
  { F_CHECKED ("phone", PHONE, 0, N_("Phone")), MASK_PHONE, .writable_by = SALES },
  { F_UUID ("agent_id", 0, N_("Agent")) },
  { F_ENUM ("value_segment", crm_value_segment_names, "text", 0, N_("Value Segment")) },
  { F_VALUE ("prefers", TEXT_LIST, REQ, N_("Preferences")) },
  { F_VALUE ("monthly_revenue", MONEY, REQ | SORT, N_("Monthly Revenue")) },
  { F_VALUE ("arrears", MONEY, REQ | SORT, N_("Arrears")) },
  { F_VALUE ("churn_risk", INTEGER, SORT, N_("Churn Risk")) },
  { F_VALUE ("churn_reasons", TEXT_LIST, REQ, N_("Churn Risk Factors")) },
  { F_VALUE ("churned_on", DATE, 0, N_("Churned On")) },
  { F_TEXT ("churn_reason", 0, N_("Churn Reason")) },
  { F_VALUE ("became_customer", DATE, SORT, N_("Customer Since")) },
  F_CREATED_AT,
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField contact_fields[] = {
  F_ID,
  { F_REF ("customer_id", CUSTOMER, REQ | PARENT, N_("Customer")), .writable_by = SALES },
  { F_TEXT ("name", REQ | SORT | SEARCH, NC_("person", "Name")), .label_context = "person",
    .max_chars = 100, .writable_by = SALES },
  { F_TEXT ("title", SEARCH, N_("Job Title")), .max_chars = 100, .writable_by = SALES },
  { F_CHECKED ("mobile", MOBILE, 0, N_("Mobile")), MASK_PHONE, .writable_by = SALES },
  { F_CHECKED ("email", EMAIL, SEARCH, N_("E-mail")), .writable_by = SALES },
  { F_TEXT ("id_number", 0, N_("ID Number")), MASK_TEXT },
  { F_TEXT ("address", 0, N_("Address")), .max_chars = 300, MASK_TEXT, .writable_by = SALES },
  { F_BOOL ("is_primary", REQ, N_("Primary contact")), .writable_by = SALES },
  /* their part in buying (0013); the decision maker is role
   * "decision_maker", no separate flag */
  { F_ENUM ("role", crm_contact_role_names, "crm.contact_role", 0, N_("Buying Role")), .writable_by = SALES },
  F_CREATED_AT,
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField product_fields[] = {
  F_ID,
  { F_TEXT ("code", REQ | SORT | SEARCH, N_("Code")) },
  { F_ENUM ("category", crm_product_category_names, "crm.product_category", REQ | SORT, N_("Category")) },
  { F_TEXT ("name", REQ | SORT | SEARCH, N_("Name")) },
  { F_TEXT ("name_en", REQ | SEARCH, N_("English Name")) },
  { F_VALUE ("list_fee", MONEY, REQ | SORT, N_("List Price")) },
  { F_TEXT ("unit", REQ, N_("Unit")) },
  { F_BOOL ("active", REQ, N_("On Sale")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField subscription_fields[] = {
  F_ID,
  { F_REF ("customer_id", CUSTOMER, REQ | PARENT, N_("Customer")) },
  { F_REF ("product_id", PRODUCT, REQ, N_("Product")) },
  { F_VALUE ("quantity", INTEGER, REQ, N_("Quantity")) },
  { F_VALUE ("monthly_fee", MONEY, REQ | SORT, N_("Monthly Fee")) },
  { F_VALUE ("started_on", DATE, REQ | SORT, N_("Started On")) },
  { F_VALUE ("contract_end", DATE, SORT, N_("Contract End")) },
  { F_ENUM ("status", crm_subscription_status_names, "crm.subscription_status", REQ | SORT, N_("Status")) },
  { F_VALUE ("cancelled_on", DATE, 0, N_("Cancelled On")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField revenue_month_fields[] = {
  { F_REF ("customer_id", CUSTOMER, REQ | KEY | PARENT, N_("Customer")) },
  { F_VALUE ("month", DATE, REQ | KEY | SORT, N_("Month")) },
  { F_VALUE ("revenue", MONEY, REQ | SORT, N_("Revenue")) },
  { F_VALUE ("arrears", MONEY, REQ | SORT, N_("Arrears")) },
  { F_VALUE ("usage_index", INTEGER, REQ, N_("Usage Index")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField interaction_fields[] = {
  F_ID,
  /* written by crm.apply_interaction () (0008): the customer is set when
   * it is logged, the contact must be one of that customer's */
  { F_REF ("customer_id", CUSTOMER, REQ | PARENT, N_("Customer")), .writable_by = SALES },
  { F_REF ("contact_id", CONTACT, 0, N_("Contact")), .writable_by = SALES },
  /* the caller, set by the server (crm.apply_interaction ()) */
  { F_UUID ("user_id", 0, N_("Recorded By")) },
  { F_ENUM ("kind", crm_interaction_kind_names, "crm.interaction_kind", REQ | SORT, N_("Kind")),
    .writable_by = SALES },
  { F_VALUE ("occurred_at", TIMESTAMP, REQ | SORT, N_("When")), .writable_by = SALES },
  { F_TEXT ("subject", REQ | SEARCH, N_("Subject")), .max_chars = 200, .writable_by = SALES },
  /* the "what reaches whom": no interaction's notes for marketing */
  { F_TEXT ("notes", SEARCH | CRM_FIELD_MULTILINE, N_("Notes")), .max_chars = 4000,
    .withheld_from = CRM_ROLES (MARKETING), .writable_by = SALES },
  { F_ENUM ("outcome", crm_interaction_outcome_names, "crm.interaction_outcome", REQ, N_("Outcome")),
    .writable_by = SALES },
  /* what was agreed to do next, and by when (0012); a date needs words:
   * crm.apply_interaction () */
  { F_TEXT ("next_step", 0, N_("Next Step")), .max_chars = 200, .writable_by = SALES },
  { F_VALUE ("next_step_on", DATE, SORT, N_("Next Step By")), .writable_by = SALES },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

/* Written by crm.apply_opportunity () (0009): account managers, directors
 * and administrators create and edit the opportunities of the customers
 * they may change, and move them between stages (each move is recorded in
 * the stage history, who and when, by the server).  The customer is set
 * when it is made (PARENT).  The owner is the creator unless a director
 * or administrator names another: a manager may not hand a deal to a
 * colleague or take one.  The agent is the channel partner the deal is
 * credited to: it decides commission and is not set from the client. */
static const CrmField opportunity_fields[] = {
  F_ID,
  { F_REF ("customer_id", CUSTOMER, REQ | PARENT, N_("Customer")), .writable_by = SALES },
  { F_UUID ("owner_id", 0, N_("Owner")), .writable_by = CRM_ROLES (ADMIN) | CRM_ROLES (DIRECTOR) },
  { F_TEXT ("name", REQ | SORT | SEARCH, N_("Name")), .max_chars = 200, .writable_by = SALES },
  { F_ENUM ("stage", crm_stage_names, "crm.opportunity_stage", REQ | SORT, N_("Stage")), .writable_by = SALES },
  { F_VALUE ("amount_once", MONEY, REQ | SORT, N_("One-off Amount")), .writable_by = SALES },
  { F_VALUE ("amount_monthly", MONEY, REQ | SORT, N_("Monthly Amount")), .writable_by = SALES },
  /* the opportunity's own; null: its stage's default_probability (0014) */
  { F_VALUE ("probability", INTEGER, SORT, N_("Probability")), .min_value = 0, .max_value = 100,
    .writable_by = SALES },
  { F_VALUE ("expected_close", DATE, SORT, N_("Expected Close")), .writable_by = SALES },
  /* today, set by the server on a move to won or lost, unless given */
  { F_VALUE ("closed_on", DATE, SORT, N_("Closed On")), .writable_by = SALES },
  /* required (not blank) for the stage lost: crm.apply_opportunity () */
  { F_TEXT ("lost_reason", 0, N_("Reason Lost")), .max_chars = 500, .writable_by = SALES },
  { F_UUID ("agent_id", 0, N_("Agent")) },
  /* what is sold (0014): product categories, as a campaign's channels */
  { F_VALUE ("product_lines", TEXT_LIST, REQ, N_("Product Lines")), .enum_values = crm_product_category_names,
    .sql_type = "crm.product_category[]", .default_value = "'[]'", .writable_by = SALES },
  /* the total contract value is amount_once + amount_monthly * contract_months */
  { F_VALUE ("contract_months", INTEGER, REQ | SORT, N_("Contract Months")), .min_value = 1, .max_value = 120,
    .default_value = "12", .writable_by = SALES },
  { F_ENUM ("source", crm_opportunity_source_names, "crm.opportunity_source", REQ | SORT, N_("Source")),
    .default_value = "'direct'", .writable_by = SALES },
  /* the campaign it came from: only with the source campaign */
  { F_REF ("campaign_id", CAMPAIGN, 0, N_("Campaign")), .writable_by = SALES },
  { F_TEXT ("next_step", 0, N_("Next Step")), .max_chars = 200, .writable_by = SALES },
  /* set by the server when it is made and on every change of stage */
  { F_VALUE ("stage_changed_at", TIMESTAMP, REQ | SERVER | SORT, N_("In Stage Since")) },
  F_CREATED_AT,
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

/* crm.pipeline_stages (0014): the stages as data, one row per stage,
 * in board order.  Only an administrator changes a default probability
 * (crm.apply_pipeline_stage ()). */
static const CrmField pipeline_stage_fields[] = {
  { F_ENUM ("stage", crm_stage_names, "crm.opportunity_stage", REQ | KEY | SORT, N_("Stage")) },
  { F_VALUE ("position", INTEGER, REQ | SORT, N_("Position")) },
  { F_VALUE ("default_probability", INTEGER, REQ, N_("Default Probability")), .min_value = 0, .max_value = 100,
    .writable_by = CRM_ROLES (ADMIN) },
  { F_BOOL ("is_open", REQ, N_("Open Stage")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

/* The directory (0014): read-only, for naming owners, teams and regions.
 * Every signed-in user reads every region and team; users as the policy
 * of crm.users shows them (an administrator all, a director their region
 * subtree, others their team), and only these columns of them: never the
 * login, e-mail, phone or password hash (server_only below, and the
 * application role may not read them). */
static const CrmField region_fields[] = {
  F_ID,
  { F_REF ("parent_id", REGION, 0, N_("Parent Region")) },
  { F_TEXT ("name", REQ | SORT | SEARCH, N_("Name")) },
  { F_TEXT ("name_en", SEARCH, N_("English Name")) },
  /* 0 country, 1 province, 2 city, 3 district */
  { F_VALUE ("level", INTEGER, REQ | SORT, N_("Level")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField team_fields[] = {
  F_ID,
  { F_REF ("region_id", REGION, REQ, N_("Region")) },
  { F_REF ("parent_id", TEAM, 0, N_("Parent Team")) },
  { F_TEXT ("name", REQ | SORT | SEARCH, N_("Name")) },
  { F_TEXT ("name_en", SEARCH, N_("English Name")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField user_fields[] = {
  F_ID,
  { F_TEXT ("display_name", REQ | SORT | SEARCH, NC_("person", "Name")), .label_context = "person" },
  { F_ENUM ("role", crm_role_names, "crm.user_role", REQ | SORT, N_("Role")) },
  { F_REF ("team_id", TEAM, 0, N_("Team")) },
  /* the region a director directs, or the region of the user's team */
  { F_REF ("region_id", REGION, 0, N_("Region")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

/* crm.opportunity_stage_history: append-only, no version. */
static const CrmField opportunity_stage_fields[] = {
  { F_VALUE ("id", INTEGER, REQ | KEY, N_("ID")) },
  { F_REF ("opportunity_id", OPPORTUNITY, REQ | PARENT, N_("Opportunity")) },
  { F_ENUM ("from_stage", crm_stage_names, "crm.opportunity_stage", 0, N_("From Stage")) },
  { F_ENUM ("to_stage", crm_stage_names, "crm.opportunity_stage", REQ, N_("To Stage")) },
  { F_VALUE ("changed_at", TIMESTAMP, REQ | SORT, N_("Changed At")) },
  { F_UUID ("changed_by", 0, N_("Changed By")) },
  { NULL }
};

/* A user's or a team's (exactly one of the two).  Administrators set
 * anyone's, directors those of the users and teams of their region
 * subtree (crm.apply_sales_target (), 0014; the policy holds the same):
 * one per subject, metric and period. */
static const CrmField sales_target_fields[] = {
  F_ID,
  { F_UUID ("user_id", 0, N_("User")), .writable_by = TARGET_SETTERS },
  { F_UUID ("team_id", 0, N_("Team")), .writable_by = TARGET_SETTERS },
  { F_VALUE ("period_start", DATE, REQ | SORT, N_("Period Start")), .writable_by = TARGET_SETTERS },
  { F_VALUE ("period_end", DATE, REQ | SORT, N_("Period End")), .writable_by = TARGET_SETTERS },
  { F_ENUM ("metric", crm_target_metric_names, "crm.target_metric", REQ, N_("Metric")),
    .writable_by = TARGET_SETTERS },
  /* fen for money metrics, a count otherwise */
  { F_VALUE ("target", INTEGER, REQ | SORT, N_("Target")), .min_value = 0, .max_value = G_MAXINT64,
    .writable_by = TARGET_SETTERS },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

/* Segments and campaigns are marketing's planning, written by marketing
 * and administrators (crm.apply_segment (), crm.apply_campaign (), 0018).
 * A segment's criteria are the tree POST /segments/preview takes, checked
 * by the same compiler (server/crm-segment.c) before the database; its
 * owner is its creator.  A segment a campaign uses is not deleted. */
static const CrmField segment_fields[] = {
  F_ID,
  { F_TEXT ("name", REQ | SORT | SEARCH, N_("Name")), .max_chars = 200, .writable_by = PLANNERS },
  { F_VALUE ("criteria", JSON, REQ, N_("Criteria")), .writable_by = PLANNERS },
  { F_UUID ("owner_id", 0, N_("Owner")) },
  { F_BOOL ("shared", REQ, N_("Shared")), .default_value = "1", .writable_by = PLANNERS },
  F_CREATED_AT,
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

/* A campaign's owner is its creator; its cost and launch are the
 * server's (the launch sets status running and launched_at).  A client
 * moves its status draft <-> planned, draft or planned -> cancelled,
 * running -> completed or cancelled; the planning fields (all it writes
 * but the name and the status) change only while it is a draft or
 * planned; only a draft is deleted (crm.apply_campaign (), 0018). */
static const CrmField campaign_fields[] = {
  F_ID,
  { F_TEXT ("name", REQ | SORT | SEARCH, N_("Name")), .max_chars = 200, .writable_by = PLANNERS },
  { F_ENUM ("kind", crm_campaign_kind_names, "crm.campaign_kind", REQ | SORT, N_("Kind")),
    .writable_by = PLANNERS },
  { F_VALUE ("channels", TEXT_LIST, REQ, N_("Channels")), .enum_values = crm_channel_kind_names,
    .sql_type = "crm.channel_kind[]", .writable_by = PLANNERS },
  { F_REF ("segment_id", SEGMENT, 0, N_("Segment")), .writable_by = PLANNERS },
  { F_UUID ("owner_id", 0, N_("Owner")) },
  { F_ENUM ("status", crm_campaign_status_names, "crm.campaign_status", REQ | SORT, N_("Status")),
    .default_value = "'draft'", .writable_by = PLANNERS },
  { F_VALUE ("starts_on", DATE, REQ | SORT, N_("Starts On")), .writable_by = PLANNERS },
  { F_VALUE ("ends_on", DATE, REQ | SORT, N_("Ends On")), .writable_by = PLANNERS },
  { F_VALUE ("budget", MONEY, REQ | SORT, N_("Budget")), .default_value = "0", .writable_by = PLANNERS },
  { F_VALUE ("cost", MONEY, REQ | SORT, N_("Cost")) },
  { F_TEXT ("offer", CRM_FIELD_MULTILINE, N_("Offer")), .max_chars = 1000, .writable_by = PLANNERS },
  /* issue 11 (0016): the offer's product and its price (fen a month) or
   * discount (percent off), the cost per contact of each channel ({"sms":
   * 8}, fen; one per channel listed), the control group's share (percent)
   * and the launch */
  { F_REF ("offer_product_id", PRODUCT, 0, N_("Offer Product")), .writable_by = PLANNERS },
  { F_VALUE ("offer_price", MONEY, 0, N_("Offer Price")), .writable_by = PLANNERS },
  { F_VALUE ("offer_discount", INTEGER, 0, N_("Offer Discount")), .min_value = 1, .max_value = 100,
    .writable_by = PLANNERS },
  { F_VALUE ("channel_costs", JSON, REQ, N_("Cost per Contact")), .writable_by = PLANNERS },
  { F_VALUE ("control_percent", INTEGER, REQ, N_("Control Group Share")), .min_value = 0, .max_value = 50,
    .default_value = "10", .writable_by = PLANNERS },
  { F_VALUE ("launched_at", TIMESTAMP, SORT, N_("Launched At")) },
  F_CREATED_AT,
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField campaign_member_fields[] = {
  { F_REF ("campaign_id", CAMPAIGN, REQ | KEY, N_("Campaign")) },
  { F_REF ("customer_id", CUSTOMER, REQ | KEY | PARENT, N_("Customer")) },
  /* the control group is marketing's: an account manager who knew would
   * treat those customers differently.  The other roles' read policy
   * shows them no control member at all (0018); the flag is withheld
   * from them too. */
  { F_BOOL ("is_control", REQ, N_("Control Group")), .withheld_from = NOT_MARKETING_OR_ADMIN },
  { F_UUID ("assigned_to", 0, N_("Assigned To")) },
  /* the outcome of contacting the member: crm.apply_campaign_member ()
   * (0009) writes these four, for marketing and for whoever may change
   * the customer; the control group, the assignment and the revenue are
   * marketing's planning and never written by a client */
  { F_ENUM ("channel", crm_channel_kind_names, "crm.channel_kind", 0, N_("Channel")), .writable_by = OUTCOMES },
  { F_VALUE ("contacted_at", TIMESTAMP, SORT, N_("Contacted At")), .writable_by = OUTCOMES },
  { F_ENUM ("response", crm_member_response_names, "crm.member_response", REQ | SORT, N_("Response")),
    .writable_by = OUTCOMES },
  { F_VALUE ("responded_at", TIMESTAMP, SORT, N_("Responded At")), .writable_by = OUTCOMES },
  { F_VALUE ("revenue", MONEY, REQ | SORT, N_("Revenue")) },
  /* issue 11 (0016): set by the launch, a member not assigned to an
   * account manager is in this channel's queue; a conversion links the
   * opportunity or the subscription it produced (of the member's customer:
   * crm.apply_campaign_member ()), from which the results count its
   * revenue.  A control member takes no outcome from a client. */
  { F_ENUM ("queue", crm_channel_kind_names, "crm.channel_kind", 0, N_("Queue")) },
  { F_UUID ("opportunity_id", 0, N_("Converted Opportunity")), .writable_by = OUTCOMES },
  { F_UUID ("subscription_id", 0, N_("Converted Subscription")), .writable_by = OUTCOMES },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField service_request_fields[] = {
  F_ID,
  { F_REF ("customer_id", CUSTOMER, REQ | PARENT, N_("Customer")) },
  { F_ENUM ("phase", crm_service_phase_names, "crm.service_phase", REQ | SORT, N_("Phase")) },
  { F_ENUM ("kind", crm_service_kind_names, "crm.service_kind", REQ | SORT, N_("Kind")) },
  { F_TEXT ("title", REQ | SORT | SEARCH, N_("Title")) },
  { F_TEXT ("description", SEARCH, N_("Description")) },
  { F_ENUM ("status", crm_service_status_names, "crm.service_status", REQ | SORT, N_("Status")) },
  { F_ENUM ("priority", crm_priority_names, "crm.priority", REQ | SORT, N_("Priority")) },
  { F_UUID ("opened_by", 0, N_("Opened By")) },
  /* the service team whose queue it is */
  { F_UUID ("team_id", 0, N_("Team")) },
  { F_VALUE ("opened_at", TIMESTAMP, REQ | SORT, N_("Opened At")) },
  { F_VALUE ("due_at", TIMESTAMP, SORT, N_("Due")) },
  { F_VALUE ("closed_at", TIMESTAMP, SORT, N_("Closed At")) },
  { F_VALUE ("satisfaction", INTEGER, SORT, N_("Satisfaction")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

static const CrmField service_step_fields[] = {
  F_ID,
  { F_REF ("request_id", SERVICE_REQUEST, REQ | PARENT, N_("Service Request")) },
  { F_VALUE ("position", INTEGER, REQ | SORT, N_("Position")) },
  { F_TEXT ("name", REQ | SEARCH, N_("Name")) },
  { F_UUID ("owner_id", 0, N_("Owner")) },
  { F_VALUE ("deadline", TIMESTAMP, REQ | SORT, N_("Deadline")) },
  { F_VALUE ("done_at", TIMESTAMP, SORT, N_("Done At")) },
  { F_TEXT ("note", 0, N_("Note")) },
  F_VERSION,
  F_UPDATED_AT,
  { NULL }
};

#define TOP_LEVEL .parent = CRM_N_ENTITIES
#define UNDER(e, f) .parent = CRM_ENTITY_##e, .parent_field = f

static const CrmEntityInfo entities[CRM_N_ENTITIES] = {
  { CRM_ENTITY_CUSTOMER, "customer", "customers", "crm.customers", "customers", customer_fields, id_key,
    TOP_LEVEL, .creatable_by = SALES, .label = N_("Customer"),
    .readable_by = CRM_ROLES_ALL, .server_only = customer_server_only },
  { CRM_ENTITY_CONTACT, "contact", "contacts", "crm.contacts", "contacts", contact_fields, id_key,
    UNDER (CUSTOMER, "customer_id"), .creatable_by = SALES, .deletable_by = SALES, .label = N_("Contact"),
    .readable_by = NOT_MARKETING,
    .server_only = customer_carried },
  { CRM_ENTITY_PRODUCT, "product", "products", "crm.products", "products", product_fields, id_key,
    TOP_LEVEL, .label = N_("Product"),
    .readable_by = CRM_ROLES_ALL,
    .server_only = sync_stamped },
  { CRM_ENTITY_SUBSCRIPTION, "subscription", "subscriptions", "crm.subscriptions", "subscriptions",
    subscription_fields, id_key, UNDER (CUSTOMER, "customer_id"), .label = N_("Subscription"),
    .readable_by = CRM_ROLES_ALL,
    .server_only = customer_carried },
  { CRM_ENTITY_REVENUE_MONTH, "revenue_month", "revenue_months", "crm.revenue_months", "revenue_months",
    revenue_month_fields, revenue_month_key, UNDER (CUSTOMER, "customer_id"), .label = N_("Revenue Month"),
    .readable_by = NOT_SERVICE,
    .server_only = sync_stamped },
  { CRM_ENTITY_INTERACTION, "interaction", "interactions", "crm.interactions", "interactions",
    interaction_fields, id_key, UNDER (CUSTOMER, "customer_id"), .creatable_by = SALES,
    .label = N_("Interaction"), .readable_by = NOT_SERVICE,
    .server_only = customer_carried },
  { CRM_ENTITY_OPPORTUNITY, "opportunity", "opportunities", "crm.opportunities", "opportunities",
    opportunity_fields, id_key, UNDER (CUSTOMER, "customer_id"), .creatable_by = SALES,
    .label = N_("Opportunity"),
    .readable_by = SALES,
    .server_only = opportunity_server_only,
    /* a director's views of a team or region ask GET /opportunities;
     * their store holds what they work themselves (issue 10) */
    .synced_own_for = CRM_ROLES (DIRECTOR), .owner_field = "owner_id" },
  { CRM_ENTITY_OPPORTUNITY_STAGE, "opportunity_stage", "opportunity_stages", "crm.opportunity_stage_history",
    "opportunity_stages", opportunity_stage_fields, id_key, UNDER (OPPORTUNITY, "opportunity_id"),
    .label = N_("Stage Change"),
    .readable_by = SALES,
    .server_only = customer_carried },
  { CRM_ENTITY_SALES_TARGET, "sales_target", "sales_targets", "crm.sales_targets", "sales_targets",
    sales_target_fields, id_key, TOP_LEVEL, .creatable_by = TARGET_SETTERS, .label = N_("Sales Target"),
    .readable_by = CRM_ROLES_ALL,
    .server_only = sync_stamped },
  { CRM_ENTITY_SEGMENT, "segment", "segments", "crm.segments", "segments", segment_fields, id_key,
    TOP_LEVEL, .creatable_by = PLANNERS, .deletable_by = PLANNERS, .label = N_("Segment"),
    .readable_by = CRM_ROLES_ALL,
    .server_only = sync_stamped },
  { CRM_ENTITY_CAMPAIGN, "campaign", "campaigns", "crm.campaigns", "campaigns", campaign_fields, id_key,
    TOP_LEVEL, .creatable_by = PLANNERS, .deletable_by = PLANNERS, .label = N_("Campaign"),
    .readable_by = CRM_ROLES_ALL,
    .server_only = sync_stamped },
  /* under the customer: a membership reaches whoever sees the customer */
  { CRM_ENTITY_CAMPAIGN_MEMBER, "campaign_member", "campaign_members", "crm.campaign_members",
    "campaign_members", campaign_member_fields, campaign_member_key, UNDER (CUSTOMER, "customer_id"),
    .label = N_("Campaign Member"),
    .readable_by = NOT_SERVICE,
    .server_only = sync_stamped },
  { CRM_ENTITY_SERVICE_REQUEST, "service_request", "service_requests", "crm.service_requests",
    "service_requests", service_request_fields, id_key, UNDER (CUSTOMER, "customer_id"),
    .label = N_("Service Request"),
    .readable_by = NOT_MARKETING,
    .server_only = customer_carried },
  { CRM_ENTITY_SERVICE_STEP, "service_step", "service_steps", "crm.service_steps", "service_steps",
    service_step_fields, id_key, UNDER (SERVICE_REQUEST, "request_id"), .label = N_("Service Step"),
    .readable_by = NOT_MARKETING,
    .server_only = step_carried },
  { CRM_ENTITY_PIPELINE_STAGE, "pipeline_stage", "pipeline_stages", "crm.pipeline_stages", "pipeline_stages",
    pipeline_stage_fields, pipeline_stage_key, TOP_LEVEL, .label = N_("Pipeline Stage"),
    .readable_by = SALES,
    .server_only = sync_stamped },
  { CRM_ENTITY_REGION, "region", "regions", "crm.regions", "regions", region_fields, id_key, TOP_LEVEL,
    .label = N_("Region"), .readable_by = CRM_ROLES_ALL, .server_only = region_server_only },
  { CRM_ENTITY_TEAM, "team", "teams", "crm.teams", "teams", team_fields, id_key, TOP_LEVEL,
    .label = N_("Team"), .readable_by = CRM_ROLES_ALL, .server_only = sync_stamped },
  { CRM_ENTITY_USER, "user", "users", "crm.users", "users", user_fields, id_key, TOP_LEVEL,
    .label = N_("User"), .readable_by = CRM_ROLES_ALL, .server_only = user_server_only },
};

const CrmEntityInfo *
crm_entity_info (CrmEntity entity)
{
  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);

  return &entities[entity];
}

const CrmEntityInfo *
crm_entity_info_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    if (g_str_equal (entities[i].name, name) || g_str_equal (entities[i].plural, name))
      return &entities[i];
  return NULL;
}

const CrmField *
crm_entity_info_field (const CrmEntityInfo *info,
                       const char          *name)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (const CrmField *field = info->fields; field->name != NULL; field++)
    if (g_str_equal (field->name, name))
      return field;
  return NULL;
}

guint
crm_entity_info_n_fields (const CrmEntityInfo *info)
{
  guint n = 0;

  g_return_val_if_fail (info != NULL, 0);

  while (info->fields[n].name != NULL)
    n++;
  return n;
}

gboolean
crm_entity_info_writable (const CrmEntityInfo *info)
{
  g_return_val_if_fail (info != NULL, FALSE);

  if (info->creatable_by != CRM_ROLES_NONE || info->deletable_by != CRM_ROLES_NONE)
    return TRUE;
  for (const CrmField *field = info->fields; field->name != NULL; field++)
    if (field->writable_by != CRM_ROLES_NONE)
      return TRUE;
  return FALSE;
}

const CrmEntityInfo *
crm_entity_info_synced_owner (const CrmEntityInfo *info,
                              CrmRole              role)
{
  const CrmEntityInfo *parent;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail ((guint) role < CRM_N_ROLES, NULL);

  if ((info->synced_own_for & (1u << role)) != 0 && info->owner_field != NULL)
    return info;
  if (info->parent == CRM_N_ENTITIES)
    return NULL;
  /* one level: the parent must be narrowed by its own owner field */
  parent = crm_entity_info (info->parent);
  if ((parent->synced_own_for & (1u << role)) != 0 && parent->owner_field != NULL)
    return parent;
  return NULL;
}

const char *
crm_field_column (const CrmField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return field->column != NULL ? field->column : field->name;
}

static gboolean
role_in (guint   roles,
         CrmRole role)
{
  g_return_val_if_fail ((guint) role < CRM_N_ROLES, FALSE);

  return (roles & (1u << role)) != 0;
}

gboolean
crm_entity_info_readable_by (const CrmEntityInfo *info,
                             CrmRole              role)
{
  g_return_val_if_fail (info != NULL, FALSE);

  return role_in (info->readable_by, role);
}

gboolean
crm_field_visible_to (const CrmField *field,
                      CrmRole         role)
{
  g_return_val_if_fail (field != NULL, FALSE);

  return !role_in (field->withheld_from, role);
}

gboolean
crm_field_masked_for (const CrmField *field,
                      CrmRole         role)
{
  g_return_val_if_fail (field != NULL, FALSE);

  return field->mask != CRM_FIELD_MASK_NONE && role_in (field->masked_for, role);
}

gboolean
crm_field_revealable_by (const CrmField *field,
                         CrmRole         role)
{
  g_return_val_if_fail (field != NULL, FALSE);

  return field->mask != CRM_FIELD_MASK_NONE && role_in (field->revealable_by, role);
}

gboolean
crm_field_writable_by (const CrmField *field,
                       CrmRole         role)
{
  g_return_val_if_fail (field != NULL, FALSE);

  return role_in (field->writable_by, role);
}
