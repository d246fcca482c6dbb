#define G_LOG_DOMAIN "crm-seed"

#include "config.h"

#include <string.h>

#include "crm-migrate.h"
#include "crm-seed-data.h"
#include "crm-seed-private.h"

static char *
put_entity (char       *p,
            SeedWorld  *w,
            SeedEntity  entity,
            guint64     number)
{
  SeedUuid id = seed_uuid (w->seed, entity, number);

  return seed_put_uuid (p, &id);
}

/* A time during office hours on @day. */
static gint64
office_time (SeedRng *r,
             int      day)
{
  return (gint64) day * SEED_DAY + 9 * SEED_HOUR + seed_rng_below (r, 9 * SEED_HOUR) / 60 * 60;
}

static const char *
product_short (SeedWorld *w,
               guint      i,
               SeedRng   *r)
{
  SeedSub subs[SEED_MAX_SUBS];
  guint n = seed_customer_subs (w, i, subs);

  if (n == 0)
    return seed_products[seed_rng_below (r, 6)].short_name;
  return seed_products[subs[seed_rng_below (r, n)].product].short_name;
}

/* ------------------------------------------------------------------ */
/* Interactions */

/* A difficult conversation that fits what is wrong with the customer. */
static void
trouble_subject (SeedRng             *r,
                 const SeedCustomer  *c,
                 const char         **subject,
                 const char         **notes)
{
  guint options[4];
  guint n = 0;

  if (c->status == STATUS_CHURNED)
    {
      switch ((SeedChurnCause) c->churn_cause)
        {
        case CHURN_COMPETITOR:
          *subject = seed_subjects_trouble[1 + seed_rng_below (r, 2)];
          *notes = seed_notes_negative[0];
          return;
        case CHURN_SERVICE:
          *subject = seed_subjects_trouble[seed_rng_chance (r, 0.5) ? 0 : 5];
          *notes = seed_notes_negative[1];
          return;
        case CHURN_ARREARS:
          *subject = seed_subjects_trouble[3];
          *notes = seed_notes_negative[3];
          return;
        case CHURN_OTHER:
        default:
          *subject = seed_subjects_trouble[seed_rng_chance (r, 0.5) ? 2 : 4];
          *notes = seed_notes_negative[2];
          return;
        }
    }
  if (c->signals & SIGNAL_COMPLAINTS)
    options[n++] = 0;
  if (c->signals & SIGNAL_FALLING_USAGE)
    options[n++] = 1;
  if (c->signals & SIGNAL_ARREARS)
    options[n++] = 3;
  if (c->signals & SIGNAL_CONTRACT_ENDING)
    options[n++] = 4;
  switch (n ? options[seed_rng_below (r, n)] : 1)
    {
    case 0:
      *subject = seed_subjects_trouble[seed_rng_chance (r, 0.5) ? 0 : 5];
      *notes = seed_notes_negative[1];
      break;
    case 3:
      *subject = seed_subjects_trouble[3];
      *notes = seed_notes_negative[3];
      break;
    case 4:
      *subject = seed_subjects_trouble[4];
      *notes = seed_notes_negative[2];
      break;
    case 1:
    default:
      *subject = seed_subjects_trouble[1 + seed_rng_below (r, 2)];
      *notes = seed_notes_negative[0];
      break;
    }
}

static gboolean
load_interactions (SeedWorld  *w,
                   PGconn     *conn,
                   GError    **error)
{
  static const char * const kinds[] = { "visit", "call", "email", "meeting" };
  static const guint kind_weights[] = { 30, 40, 15, 15 };
  static const guint standard_counts[] = { 25, 35, 25, 15 };
  SeedCopy copy;
  guint64 number = 0;
  int year_ago = SEED_TODAY - 365;

  if (!seed_copy_begin (&copy, conn, "interactions",
                        "id, customer_id, contact_id, user_id, kind, occurred_at, subject, notes, outcome, "
                        "updated_at", error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      const SeedCustomer *c = &w->customers[i];
      guint n;
      int from = year_ago, to = SEED_TODAY - 1;
      char customer_id[37];
      SeedUuid cid = seed_uuid (w->seed, ENTITY_CUSTOMER, i);
      SeedRng r;

      seed_rng_init (&r, w->seed, STREAM_INTERACTIONS, i);
      if (c->status == STATUS_CHURNED)
        {
          if (c->churned_on <= year_ago + 20)
            continue;
          n = (guint) seed_rng_range (&r, 1, 3);
          to = c->churned_on - 1;
        }
      else if (c->status == STATUS_PROSPECT)
        {
          n = (guint) seed_rng_range (&r, 1, 3);
          from = MAX (from, c->created);
        }
      else if (c->tier == TIER_KEY)
        n = (guint) seed_rng_range (&r, 3, 7);
      else if (c->tier == TIER_MAJOR)
        n = (guint) seed_rng_range (&r, 1, 5);
      else
        n = seed_rng_weighted (&r, standard_counts, 4);
      if (from > to)
        continue;

      seed_uuid_to_text (&cid, customer_id);
      for (guint k = 0; k < n; k++)
        {
          guint kind = seed_rng_weighted (&r, kind_weights, 4);
          gboolean trouble = c->status == STATUS_CHURNED ||
                             ((c->signals & (SIGNAL_FALLING_USAGE | SIGNAL_ARREARS | SIGNAL_COMPLAINTS |
                                             SIGNAL_CONTRACT_ENDING)) && seed_rng_chance (&r, 0.5));
          int day = (int) seed_rng_range (&r, trouble && c->status != STATUS_CHURNED ? MAX (from, to - 90) : from, to);
          gint64 at = kind == 2 ? (gint64) day * SEED_DAY + seed_rng_below (&r, 15 * SEED_HOUR) + 8 * SEED_HOUR
                                : office_time (&r, day);
          const char *subject, *notes = NULL;
          const char *outcome;
          char *p = seed_copy_row (&copy);

          if (trouble)
            {
              trouble_subject (&r, c, &subject, &notes);
              outcome = seed_rng_chance (&r, 0.6) ? "negative" : "neutral";
              if (g_str_equal (outcome, "neutral"))
                notes = seed_rng_chance (&r, 0.5) ? SEED_PICK (&r, seed_notes_neutral) : NULL;
            }
          else
            {
              double u = seed_rng_double (&r);

              subject = kind == 0 ? SEED_PICK (&r, seed_subjects_visit)
                      : kind == 1 ? SEED_PICK (&r, seed_subjects_call)
                      : kind == 2 ? SEED_PICK (&r, seed_subjects_email)
                      : SEED_PICK (&r, seed_subjects_meeting);
              if (kind == 1 && u < 0.2)
                outcome = "no_answer";
              else
                outcome = u < 0.62 ? "positive" : u < 0.93 ? "neutral" : "negative";
              if (!g_str_equal (outcome, "no_answer") && seed_rng_chance (&r, 0.7))
                notes = g_str_equal (outcome, "positive") ? SEED_PICK (&r, seed_notes_positive)
                      : g_str_equal (outcome, "neutral") ? SEED_PICK (&r, seed_notes_neutral)
                      : seed_notes_negative[4];
            }

          p = put_entity (p, w, ENTITY_INTERACTION, number++);
          p = seed_put_uuid_text (p, customer_id);
          if (c->contacts && seed_rng_chance (&r, 0.8))
            p = put_entity (p, w, ENTITY_CONTACT, c->contact_first + seed_rng_below (&r, c->contacts));
          else
            p = seed_put_null (p);
          p = put_entity (p, w, ENTITY_USER, c->owner);
          p = seed_put_str (p, kinds[kind]);
          p = seed_put_time (p, at);
          p = seed_put_str (p, subject);
          p = seed_put_opt (p, notes);
          p = seed_put_str (p, outcome);
          p = seed_put_time (p, MIN (at + 1800 + seed_rng_below (&r, 4 * SEED_HOUR), SEED_NOW));
          seed_copy_row_end (&copy, p);
        }
    }
  return seed_copy_end (&copy, error);
}

/* ------------------------------------------------------------------ */
/* Segments and campaigns */

typedef struct
{
  const char *name;
  const char *criteria;       /* jsonb */
} SeedSegment;

#define ACTIVE "{\"field\": \"status\", \"op\": \"in\", \"value\": [\"active\"]}"
#define ALL(...) "{\"all\": [" __VA_ARGS__ "]}"

/* Criteria as crm_segment_compile () reads them (server/crm-segment.h). */
static const SeedSegment segments[] = {
  { "高价值客户",           ALL (ACTIVE ", {\"field\": \"value_segment\", \"op\": \"in\", \"value\": [\"high\"]}") },
  { "高流失风险客户",       ALL (ACTIVE ", {\"field\": \"churn_risk\", \"op\": \"gte\", \"value\": 60}") },
  { "价格敏感型中小企业",   ALL (ACTIVE ", {\"field\": \"kind\", \"op\": \"in\", \"value\": [\"sme\"]}"
                                 ", {\"field\": \"prefers\", \"op\": \"includes\", \"value\": [\"discount\"]}") },
  { "新技术偏好客户",       ALL (ACTIVE ", {\"field\": \"prefers\", \"op\": \"includes\", \"value\": [\"new_technology\"]}") },
  { "合同 90 天内到期客户", ALL (ACTIVE ", {\"field\": \"contract_end\", \"op\": \"within_days\", \"value\": 90}") },
  { "广东政府客户",         ALL ("{\"field\": \"kind\", \"op\": \"in\", \"value\": [\"government\"]}"
                                 ", {\"field\": \"region\", \"op\": \"in\", \"value\": [\"440000\"]}") },
  { "欠费客户",             ALL (ACTIVE ", {\"field\": \"arrears\", \"op\": \"gte\", \"value\": 1}") },
  { "潜在客户",             ALL ("{\"field\": \"status\", \"op\": \"in\", \"value\": [\"prospect\"]}") },
};

static gboolean
segment_matches (guint               s,
                 const SeedCustomer *c)
{
  gboolean active = c->status == STATUS_ACTIVE;

  switch (s)
    {
    case 0: return active && c->value == 0;
    case 1: return active && c->churn_risk >= 60;
    case 2: return active && c->kind == KIND_SME && (c->prefers & 1);
    case 3: return active && (c->prefers & 2);
    case 4: return active && (c->signals & SIGNAL_CONTRACT_ENDING);
    case 5: return c->kind == KIND_GOVERNMENT && seed_cities[c->city].province == 0;
    case 6: return active && c->arrears > 0;
    case 7: return c->status == STATUS_PROSPECT;
    default: return FALSE;
    }
}

typedef struct
{
  const char *name;
  const char *kind;
  const char *channels;       /* crm.channel_kind[] */
  int         segment;        /* -1: none */
  const char *status;
  int         starts[3], ends[3];
  const char *offer;
  double      unit_cost;      /* yuan per member over the channels */
} SeedCampaign;

static const SeedCampaign campaigns[] = {
  { "政企 5G 套餐升档促销", "promotion", "{sms,phone,visit}", 3, "running",
    { 2026, 9, 1 }, { 2026, 12, 31 }, "5G 套餐升档首年 8 折，合约 24 个月", 60 },
  { "高价值客户年终关怀", "care", "{visit,phone}", 0, "running",
    { 2026, 10, 15 }, { 2027, 1, 31 }, "专属客户经理上门回访，赠送专线免费提速三个月", 180 },
  { "合同到期续约挽留", "retention", "{phone,visit}", 4, "running",
    { 2026, 8, 1 }, { 2026, 12, 31 }, "续约三年享月费 9 折，免费升级千兆", 120 },
  { "高流失风险客户挽留计划", "retention", "{phone,visit,email}", 1, "running",
    { 2026, 7, 1 }, { 2026, 12, 31 }, "一对一服务方案，故障优先处理", 140 },
  { "中小企业千兆宽带提速季", "promotion", "{sms,business_hall,phone}", 2, "completed",
    { 2026, 3, 1 }, { 2026, 5, 31 }, "300M 升级 1000M，加 50 元/月", 15 },
  { "天翼云上云季", "outreach", "{email,phone,visit}", 3, "completed",
    { 2025, 10, 1 }, { 2025, 12, 31 }, "云主机首年 5 折，免费迁移评估", 90 },
  { "欠费客户提醒与分期方案", "care", "{sms,phone}", 6, "completed",
    { 2026, 6, 1 }, { 2026, 7, 31 }, "欠费可分三期结清，免滞纳金", 10 },
  { "园区企业新客户推介", "outreach", "{visit,phone}", 7, "planned",
    { 2026, 11, 15 }, { 2027, 1, 15 }, "新装专线免初装费", 160 },
  { "2027 春节客户关怀", "care", "{sms,visit}", 0, "draft",
    { 2027, 1, 10 }, { 2027, 2, 20 }, NULL, 150 },
  { "物联网卡批量采购促销", "promotion", "{phone,email}", -1, "cancelled",
    { 2026, 4, 1 }, { 2026, 6, 30 }, "万张以上物联网卡 7 折", 20 },
};

static gboolean
campaign_has_members (const SeedCampaign *k)
{
  return g_str_equal (k->status, "running") || g_str_equal (k->status, "completed");
}

static int
campaign_day (const int ymd[3])
{
  return seed_days_from_civil (ymd[0], ymd[1], ymd[2]);
}

int
seed_campaign_running_on (SeedRng *r,
                          int      day)
{
  guint running[G_N_ELEMENTS (campaigns)];
  guint n = 0;

  for (guint k = 0; k < G_N_ELEMENTS (campaigns); k++)
    if (campaign_has_members (&campaigns[k]) && campaign_day (campaigns[k].starts) <= day &&
        day <= campaign_day (campaigns[k].ends) + 30)
      running[n++] = k;
  return n > 0 ? (int) running[seed_rng_below (r, n)] : -1;
}

/* Members: a sample of the segment, about 1.5 % of all customers each. */
static gboolean
is_member (SeedWorld          *w,
           guint               k,
           guint               i,
           const double       *rate)
{
  const SeedCampaign *camp = &campaigns[k];
  guint64 h;

  if (!campaign_has_members (camp) || camp->segment < 0 ||
      !segment_matches ((guint) camp->segment, &w->customers[i]))
    return FALSE;
  h = seed_hash3 (w->seed, STREAM_CAMPAIGNS * 64 + k, i);
  return (double) (h >> 11) * (1.0 / 9007199254740992.0) < rate[k];
}

/* Fen per contact on each of a campaign's channels ("{sms,phone}"), as
 * crm.campaigns.channel_costs (0016). */
static const char *
channel_costs (const char *channels)
{
  static const struct { const char *channel; const char *cost; } costs[] = {
    { "sms", "8" }, { "email", "2" }, { "phone", "350" }, { "visit", "12000" }, { "business_hall", "1500" },
  };
  static char out[G_N_ELEMENTS (campaigns)][160];
  static guint next;
  GString *json = g_string_new ("{");
  char *slot = out[next++ % G_N_ELEMENTS (campaigns)];

  for (guint i = 0; i < G_N_ELEMENTS (costs); i++)
    if (strstr (channels, costs[i].channel))
      g_string_append_printf (json, "%s\"%s\": %s", json->len > 1 ? ", " : "", costs[i].channel, costs[i].cost);
  g_string_append_c (json, '}');
  g_strlcpy (slot, json->str, sizeof out[0]);
  g_string_free (json, TRUE);
  return slot;
}

/* Each conversion links what it produced: a won opportunity of the
 * customer's closed from the campaign's start, else the customer's newest
 * subscription; the member's revenue is then what the results attribute
 * (crm.campaign_conversion_revenue (), 0016).  RLS is forced even for the
 * owner: as administrator for these statements. */
static gboolean
link_conversions (PGconn  *conn,
                  GError **error)
{
  return crm_pg_exec (conn, "SELECT set_config('keyline.role', 'admin', true)", error) &&
         crm_pg_exec (conn,
                      "UPDATE crm.campaign_members m SET opportunity_id ="
                      " (SELECT o.id FROM crm.opportunities o JOIN crm.campaigns k ON k.id = m.campaign_id"
                      "   WHERE o.customer_id = m.customer_id AND o.stage = 'won' AND o.closed_on >= k.starts_on"
                      "   ORDER BY o.closed_on, o.id LIMIT 1)"
                      " WHERE m.response = 'converted'", error) &&
         crm_pg_exec (conn,
                      "UPDATE crm.campaign_members m SET subscription_id ="
                      " (SELECT s.id FROM crm.subscriptions s WHERE s.customer_id = m.customer_id"
                      "   ORDER BY s.started_on DESC, s.id LIMIT 1)"
                      " WHERE m.response = 'converted' AND m.opportunity_id IS NULL", error) &&
         crm_pg_exec (conn,
                      "UPDATE crm.campaign_members m SET revenue ="
                      " coalesce((SELECT o.amount_once + 12 * o.amount_monthly FROM crm.opportunities o"
                      "            WHERE o.id = m.opportunity_id AND o.stage = 'won'), 0)"
                      " + coalesce((SELECT 12 * s.monthly_fee FROM crm.subscriptions s WHERE s.id = m.subscription_id), 0)",
                      error) &&
         crm_pg_exec (conn, "SELECT set_config('keyline.role', '', true)", error);
}

static gboolean
load_campaigns (SeedWorld  *w,
                PGconn     *conn,
                GError    **error)
{
  static const char * const responses[] = { "pending", "contacted", "responded", "converted", "declined" };
  static const guint finished_weights[] = { 5, 35, 25, 15, 20 };
  static const guint running_weights[] = { 35, 30, 15, 8, 12 };
  guint matching[G_N_ELEMENTS (segments)] = { 0 };
  guint members[G_N_ELEMENTS (campaigns)] = { 0 };
  double rate[G_N_ELEMENTS (campaigns)];
  double wanted = MAX (60.0, w->n_customers * 0.015);
  guint marketing = g_array_index (w->marketing, guint, 0);
  SeedCopy copy;
  SeedRng r;

  for (guint i = 0; i < w->n_customers; i++)
    for (guint s = 0; s < G_N_ELEMENTS (segments); s++)
      if (segment_matches (s, &w->customers[i]))
        matching[s]++;
  for (guint k = 0; k < G_N_ELEMENTS (campaigns); k++)
    {
      int s = campaigns[k].segment;
      rate[k] = s >= 0 && matching[s] ? MIN (1.0, wanted / matching[s]) : 0;
    }
  for (guint i = 0; i < w->n_customers; i++)
    for (guint k = 0; k < G_N_ELEMENTS (campaigns); k++)
      if (is_member (w, k, i, rate))
        members[k]++;

  if (!seed_copy_begin (&copy, conn, "segments", "id, name, criteria, owner_id, shared, created_at", error))
    return FALSE;
  for (guint s = 0; s < G_N_ELEMENTS (segments); s++)
    {
      char *p = seed_copy_row (&copy);

      p = put_entity (p, w, ENTITY_SEGMENT, s);
      p = seed_put_str (p, segments[s].name);
      p = seed_put_str (p, segments[s].criteria);
      p = put_entity (p, w, ENTITY_USER, marketing);
      p = seed_put_bool (p, TRUE);
      p = seed_put_time (p, (gint64) seed_days_from_civil (2025, 8, 4 + (int) s * 9) * SEED_DAY + 10 * SEED_HOUR);
      seed_copy_row_end (&copy, p);
    }
  if (!seed_copy_end (&copy, error))
    return FALSE;

  seed_rng_init (&r, w->seed, STREAM_CAMPAIGNS, 0);
  if (!seed_copy_begin (&copy, conn, "campaigns",
                        "id, name, kind, channels, segment_id, owner_id, status, starts_on, ends_on, budget, "
                        "cost, offer, created_at, channel_costs, control_percent, launched_at", error))
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (campaigns); k++)
    {
      const SeedCampaign *camp = &campaigns[k];
      int starts = campaign_day (camp->starts), ends = campaign_day (camp->ends);
      double planned = campaign_has_members (camp) ? members[k] : wanted;
      /* budgets in 1,000 yuan steps, in fen */
      gint64 budget = MAX (1, (gint64) (planned * camp->unit_cost * 1.2 / 1000 + 0.5)) * 100000;
      double spent = g_str_equal (camp->status, "completed") ? 0.85 + 0.15 * seed_rng_double (&r)
                   : g_str_equal (camp->status, "running") ? 0.9 * (SEED_TODAY - starts) / (double) (ends - starts)
                   : g_str_equal (camp->status, "cancelled") ? 0.05 : 0;
      char *p = seed_copy_row (&copy);
      guint owner = g_array_index (w->marketing, guint, k % MIN (w->marketing->len, 3));

      p = put_entity (p, w, ENTITY_CAMPAIGN, k);
      p = seed_put_str (p, camp->name);
      p = seed_put_str (p, camp->kind);
      p = seed_put_str (p, camp->channels);
      p = camp->segment >= 0 ? put_entity (p, w, ENTITY_SEGMENT, (guint64) camp->segment) : seed_put_null (p);
      p = put_entity (p, w, ENTITY_USER, owner);
      p = seed_put_str (p, camp->status);
      p = seed_put_date (p, starts);
      p = seed_put_date (p, ends);
      p = seed_put_int (p, budget);
      p = seed_put_int (p, (gint64) (budget * spent / 100) * 100);
      p = seed_put_opt (p, camp->offer);
      p = seed_put_time (p, office_time (&r, MIN (starts - 20, SEED_TODAY - 3)));
      p = seed_put_str (p, channel_costs (camp->channels));
      p = seed_put_int (p, 10);
      p = seed_put_time (p, campaign_has_members (camp) ? (gint64) starts * SEED_DAY + 8 * SEED_HOUR : -1);
      seed_copy_row_end (&copy, p);
    }
  if (!seed_copy_end (&copy, error))
    return FALSE;

  if (!seed_copy_begin (&copy, conn, "campaign_members",
                        "campaign_id, customer_id, is_control, assigned_to, channel, contacted_at, response, "
                        "responded_at, revenue, updated_at", error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      const SeedCustomer *c = &w->customers[i];

      for (guint k = 0; k < G_N_ELEMENTS (campaigns); k++)
        {
          const SeedCampaign *camp = &campaigns[k];
          int starts, last;
          gboolean control;
          guint response;
          gint64 contacted = -1, responded = -1, revenue = 0;
          char channel[16] = "";
          char *p;

          if (!is_member (w, k, i, rate))
            continue;
          seed_rng_init (&r, w->seed, STREAM_CAMPAIGNS, ((guint64) k << 40) + i + 1);
          starts = campaign_day (camp->starts);
          last = MIN (campaign_day (camp->ends), SEED_TODAY - 1);
          control = seed_rng_chance (&r, 0.1);
          if (control)
            response = seed_rng_chance (&r, 0.06) ? 3 : 0;
          else
            {
              /* one of the campaign's channels: "{sms,phone,visit}" */
              g_auto(GStrv) parts = NULL;
              char inner[64];

              g_strlcpy (inner, camp->channels + 1, sizeof inner);
              inner[strlen (inner) - 1] = '\0';
              parts = g_strsplit (inner, ",", 0);
              g_strlcpy (channel, parts[seed_rng_below (&r, g_strv_length (parts))], sizeof channel);
              response = seed_rng_weighted (&r, g_str_equal (camp->status, "completed") ? finished_weights
                                                                                        : running_weights, 5);
              if (response > 0)
                contacted = office_time (&r, (int) seed_rng_range (&r, starts, MAX (starts, last - 3)));
            }
          if (response >= 2)
            {
              gint64 base = contacted >= 0 ? contacted : office_time (&r, (int) seed_rng_range (&r, starts, last));
              responded = MIN (base + (gint64) seed_rng_range (&r, 1, 14) * SEED_DAY, SEED_NOW - SEED_HOUR);
            }
          if (response == 3)
            revenue = MAX (50000, (gint64) (c->monthly_revenue * (0.05 + 0.15 * seed_rng_double (&r)) / 100) * 100 *
                                  seed_rng_range (&r, 3, 12));

          p = seed_copy_row (&copy);
          p = put_entity (p, w, ENTITY_CAMPAIGN, k);
          p = put_entity (p, w, ENTITY_CUSTOMER, i);
          p = seed_put_bool (p, control);
          p = control ? seed_put_null (p) : put_entity (p, w, ENTITY_USER, c->owner);
          p = control ? seed_put_null (p) : seed_put_str (p, channel);
          p = seed_put_time (p, contacted);
          p = seed_put_str (p, responses[response]);
          p = seed_put_time (p, responded);
          p = seed_put_int (p, revenue);
          p = seed_put_time (p, responded >= 0 ? responded : contacted >= 0 ? contacted
                                : (gint64) starts * SEED_DAY + 9 * SEED_HOUR);
          seed_copy_row_end (&copy, p);
        }
    }
  return seed_copy_end (&copy, error);
}

/* ------------------------------------------------------------------ */
/* Service requests and their steps */

enum { SR_OPEN, SR_IN_PROGRESS, SR_RESOLVED, SR_CLOSED };
static const char * const sr_status_names[] = { "open", "in_progress", "resolved", "closed" };

#define SR_COMPLAINT 5
#define SR_CANCELLATION 7
#define SR_MAX 8

typedef struct
{
  guint        service;       /* index into seed_services */
  const char  *title;         /* template */
  const char  *product;
  const char  *description;
  const char  *priority;
  guint        status;
  guint        opened_by;
  gint64       opened, closed;
  int          satisfaction;  /* 0: none */
  guint        n_steps;
  guint        owner[5];
  gint64       deadline[5];
  gint64       done[5];       /* -1: not done */
} SeedRequest;

static guint
service_user (SeedWorld *w,
              guint      city,
              SeedRng   *r)
{
  GArray *local = w->city_service[city];

  if (local->len)
    return g_array_index (local, guint, seed_rng_below (r, local->len));
  return g_array_index (w->service_all, guint, seed_rng_below (r, w->service_all->len));
}

static void
plan_request (SeedWorld          *w,
              guint               i,
              SeedRng            *r,
              guint               service,
              gint64              window_start,
              gint64              window_end,
              gboolean            may_be_open,
              SeedRequest        *q)
{
  static const guint status_weights[] = { 12, 18, 15, 55 };
  static const guint complaint_scores[] = { 20, 30, 30, 15, 5 };
  static const guint happy_scores[] = { 2, 4, 10, 34, 50 };
  const SeedCustomer *c = &w->customers[i];
  const SeedService *sv = &seed_services[service];
  guint done_steps = 0;
  gboolean late = FALSE;

  guint title = seed_rng_below (r, 4);

  memset (q, 0, sizeof *q);
  q->service = service;
  q->title = sv->titles[title];
  q->product = product_short (w, i, r);
  q->n_steps = 0;
  while (q->n_steps < G_N_ELEMENTS (sv->steps) && sv->steps[q->n_steps].name)
    q->n_steps++;
  q->status = may_be_open ? seed_rng_weighted (r, status_weights, 4) : SR_CLOSED;
  if (service == SR_COMPLAINT)
    {
      q->priority = seed_rng_chance (r, 0.4) ? "urgent" : "high";
      q->description = seed_complaint_descriptions[title];
    }
  else if (service == 4)   /* fault */
    q->priority = c->tier == TIER_KEY ? (seed_rng_chance (r, 0.5) ? "urgent" : "high")
                : seed_rng_chance (r, 0.3) ? "high" : "normal";
  else
    q->priority = seed_rng_chance (r, 0.15) ? "low" : "normal";
  q->opened_by = sv->steps[0].owner == 'm' ? c->owner : service_user (w, c->city, r);

  for (guint s = 0; s < q->n_steps; s++)
    switch (sv->steps[s].owner)
      {
      case 'm':
        q->owner[s] = c->owner;
        break;
      case 'd':
        q->owner[s] = (guint) w->province_director[seed_cities[c->city].province];
        break;
      case 's':
      default:
        q->owner[s] = sv->steps[0].owner == 's' && s > 0 && seed_rng_chance (r, 0.7) ? q->owner[0]
                                                                                       : service_user (w, c->city, r);
        break;
      }

  if (q->status == SR_OPEN || q->status == SR_IN_PROGRESS)
    {
      /* the next step is due from now on, or (one in ten) overdue */
      gint64 hours;

      done_steps = q->status == SR_OPEN ? 0 : (guint) seed_rng_range (r, 1, q->n_steps - 1);
      hours = (gint64) sv->steps[done_steps].hours * SEED_HOUR;
      if (seed_rng_chance (r, 0.1))
        q->opened = SEED_NOW - hours - 12 * SEED_HOUR - (gint64) seed_rng_below (r, 10 * SEED_DAY);
      else
        q->opened = SEED_NOW - 600 - (gint64) seed_rng_below (r, (guint32) MAX (60, hours - 2400));
    }
  else
    {
      done_steps = q->n_steps;
      q->opened = window_start + (gint64) seed_rng_below (r, (guint32) MAX (1, (window_end - window_start) / 60)) * 60;
    }
  q->opened = q->opened / 60 * 60;

  {
    gint64 prev = q->opened;

    for (guint s = 0; s < q->n_steps; s++)
      {
        q->deadline[s] = q->opened + (gint64) sv->steps[s].hours * SEED_HOUR;
        q->done[s] = -1;
        if (s < done_steps)
          {
            gint64 limit = q->deadline[s] - prev;
            gint64 took = limit * (gint64) seed_rng_range (r, 20, 95) / 100;

            if (q->status >= SR_RESOLVED && seed_rng_chance (r, 0.1))
              {
                took = limit + (gint64) seed_rng_range (r, 1, 30) * SEED_HOUR;   /* late */
                late = TRUE;
              }
            q->done[s] = MIN (prev + MAX (took, 300), SEED_NOW - 60);
            prev = q->done[s];
          }
      }
    if (q->status == SR_CLOSED)
      {
        q->closed = MIN (prev + (gint64) seed_rng_range (r, 1, 48) * SEED_HOUR, SEED_NOW - 60);
        q->satisfaction = 1 + (int) seed_rng_weighted (r, service == SR_COMPLAINT ? complaint_scores : happy_scores, 5);
        if (late && q->satisfaction > 1)
          q->satisfaction--;
      }
    else
      q->closed = -1;
  }
}

static guint
customer_requests (SeedWorld   *w,
                   guint        i,
                   SeedRequest *reqs)
{
  static const guint kind_weights[] = { 15, 12, 12, 12, 30, 0, 12, 5 };
  static const guint key_counts[] = { 65, 25, 10 };
  static const guint major_counts[] = { 88, 10, 2 };
  static const guint standard_counts[] = { 96, 4, 0 };
  const SeedCustomer *c = &w->customers[i];
  gboolean churned = c->status == STATUS_CHURNED;
  gint64 end = churned ? (gint64) c->churned_on * SEED_DAY : SEED_NOW - 2 * SEED_DAY;
  gint64 year = end - 365 * (gint64) SEED_DAY;
  gint64 half = end - 180 * (gint64) SEED_DAY;
  SeedRng r;
  guint n = 0, others;

  seed_rng_init (&r, w->seed, STREAM_SERVICE, i);
  if (c->status == STATUS_PROSPECT)
    {
      /* pre-sale: questions and quotations */
      if (seed_rng_chance (&r, 0.3))
        plan_request (w, i, &r, seed_rng_below (&r, 2), MAX (year, (gint64) c->created * SEED_DAY), end,
                      TRUE, &reqs[n++]);
      return n;
    }
  for (guint k = 0; k < c->complaints; k++)
    plan_request (w, i, &r, SR_COMPLAINT, half, end, !churned, &reqs[n++]);
  if (churned && seed_rng_chance (&r, 0.4))
    plan_request (w, i, &r, SR_CANCELLATION, end - 30 * (gint64) SEED_DAY, end, FALSE, &reqs[n++]);
  others = seed_rng_weighted (&r, c->tier == TIER_KEY ? key_counts : c->tier == TIER_MAJOR ? major_counts
                                                                                             : standard_counts, 3);
  year = MAX (year, (gint64) c->became * SEED_DAY);
  for (guint k = 0; k < others && n < SR_MAX && year < end; k++)
    plan_request (w, i, &r, seed_rng_weighted (&r, kind_weights, G_N_ELEMENTS (kind_weights)), year, end,
                  !churned, &reqs[n++]);
  return n;
}

/* The team whose queue a request is in: that of the first service user
 * with a step in it (every kind of request has one), -1 if none. */
static int
request_team (SeedWorld         *w,
              const SeedRequest *q)
{
  const SeedService *sv = &seed_services[q->service];

  for (guint s = 0; s < q->n_steps; s++)
    if (sv->steps[s].owner == 's')
      return seed_user (w, q->owner[s])->team;
  return -1;
}

static gboolean
load_service (SeedWorld  *w,
              PGconn     *conn,
              GError    **error)
{
  SeedCopy copy;
  guint64 number = 0, step_number = 0;

  if (!seed_copy_begin (&copy, conn, "service_requests",
                        "id, customer_id, phase, kind, title, description, status, priority, opened_by, "
                        "opened_at, due_at, closed_at, satisfaction, updated_at, team_id", error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      SeedRequest reqs[SR_MAX];
      guint n = customer_requests (w, i, reqs);

      for (guint k = 0; k < n; k++)
        {
          const SeedRequest *q = &reqs[k];
          const SeedService *sv = &seed_services[q->service];
          gint64 touched = q->opened;
          int team;
          char *p = seed_copy_row (&copy);

          for (guint s = 0; s < q->n_steps; s++)
            touched = MAX (touched, q->done[s]);
          touched = MAX (touched, q->closed);
          p = put_entity (p, w, ENTITY_SERVICE_REQUEST, number++);
          p = put_entity (p, w, ENTITY_CUSTOMER, i);
          p = seed_put_str (p, sv->phase);
          p = seed_put_str (p, sv->kind);
          p = seed_cat_template (p, q->title, q->product);
          *p++ = '\t';
          if (q->description)
            {
              p = seed_cat_template (p, q->description, q->product);
              *p++ = '\t';
            }
          else
            p = seed_put_null (p);
          p = seed_put_str (p, sr_status_names[q->status]);
          p = seed_put_str (p, q->priority);
          p = put_entity (p, w, ENTITY_USER, q->opened_by);
          p = seed_put_time (p, q->opened);
          p = seed_put_time (p, q->deadline[q->n_steps - 1]);
          p = seed_put_time (p, q->closed);
          p = q->satisfaction ? seed_put_int (p, q->satisfaction) : seed_put_null (p);
          p = seed_put_time (p, touched);
          team = request_team (w, q);
          p = team >= 0 ? put_entity (p, w, ENTITY_TEAM, (guint64) team) : seed_put_null (p);
          seed_copy_row_end (&copy, p);
        }
    }
  if (!seed_copy_end (&copy, error))
    return FALSE;

  number = 0;
  if (!seed_copy_begin (&copy, conn, "service_steps",
                        "id, request_id, position, name, owner_id, deadline, done_at, note, updated_at", error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      SeedRequest reqs[SR_MAX];
      guint n = customer_requests (w, i, reqs);

      for (guint k = 0; k < n; k++)
        {
          const SeedRequest *q = &reqs[k];
          const SeedService *sv = &seed_services[q->service];
          char request_id[37];
          SeedUuid rid = seed_uuid (w->seed, ENTITY_SERVICE_REQUEST, number++);

          seed_uuid_to_text (&rid, request_id);
          for (guint s = 0; s < q->n_steps; s++)
            {
              char *p = seed_copy_row (&copy);
              gboolean late = q->done[s] > q->deadline[s];

              p = put_entity (p, w, ENTITY_SERVICE_STEP, step_number++);
              p = seed_put_uuid_text (p, request_id);
              p = seed_put_int (p, s + 1);
              p = seed_put_str (p, sv->steps[s].name);
              p = put_entity (p, w, ENTITY_USER, q->owner[s]);
              p = seed_put_time (p, q->deadline[s]);
              p = seed_put_time (p, q->done[s]);
              p = late ? seed_put_str (p, "超时完成：等待客户确认现场时间") : seed_put_null (p);
              p = seed_put_time (p, q->done[s] >= 0 ? q->done[s] : q->opened);
              seed_copy_row_end (&copy, p);
            }
        }
    }
  return seed_copy_end (&copy, error);
}

gboolean
seed_load_activity (SeedWorld  *w,
                    PGconn     *conn,
                    GError    **error)
{
  /* campaigns first: an opportunity may name the one it came from; a
   * conversion links a won opportunity, so after the pipeline */
  return load_interactions (w, conn, error) &&
         load_campaigns (w, conn, error) &&
         seed_load_pipeline (w, conn, error) &&
         link_conversions (conn, error) &&
         load_service (w, conn, error);
}
