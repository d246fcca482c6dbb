#define G_LOG_DOMAIN "crm-seed"

#include "config.h"

#include <string.h>

#include "crm-seed-data.h"
#include "crm-seed-private.h"

/*
 * The sales pipeline (issue 10): opportunities with their stage history,
 * and the sales targets they are measured against.
 *
 * An opportunity walks the stages in order from prospecting, each move a
 * row of the history spread over its life (weeks to months), and its
 * stage_changed_at is its last move.  Won and lost ones closed within the
 * last four quarters (since the first day of the quarter three quarters
 * before SEED_TODAY's), a lost one with a reason from a weighted list.
 * Open ones have a next step; a quarter of them their own probability
 * near the stage's default (the others none: the stage's default).
 *
 * Revenue targets for every account manager and every sales team, per
 * month and quarter of SEED_YEAR and for the year, are sized from what the
 * manager won per month this year times a factor of the manager's (0.75 to
 * 1.35) and of the month: some are ahead, some behind.  A team's target
 * is its members' sum.
 *
 * Everything streams through COPY (seed_copy_*) in two passes over the
 * customers, regenerating each customer's opportunities from its random
 * stream: 100,000 customers' opportunities and history in about a second.
 */

enum { STAGE_PROSPECTING, STAGE_QUALIFICATION, STAGE_PROPOSAL, STAGE_NEGOTIATION, STAGE_WON, STAGE_LOST };

static const char * const stage_names[] = {
  "prospecting", "qualification", "proposal", "negotiation", "won", "lost",
};
/* As server/sql/0014 seeds crm.pipeline_stages. */
static const int stage_probability[] = { 10, 25, 50, 75, 100, 0 };

/* How often each of seed_lost_reasons is the reason. */
static const guint lost_reason_weights[] = { 30, 18, 12, 10, 9, 7, 6, 4, 2, 2 };
G_STATIC_ASSERT (G_N_ELEMENTS (lost_reason_weights) == G_N_ELEMENTS (seed_lost_reasons));

enum { SOURCE_DIRECT, SOURCE_CAMPAIGN, SOURCE_CHANNEL, SOURCE_AGENT };
static const char * const source_names[] = { "direct", "campaign", "channel", "agent" };

typedef struct
{
  guint   templ;
  guint   stage;
  gint64  amount_once;
  gint64  amount_monthly;
  int     contract_months;
  int     probability;        /* -1: none, the stage's default */
  int     expected_close;
  int     closed_on;          /* -1 while open */
  const char *lost_reason;
  const char *next_step;
  gboolean with_agent;
  int     source;
  int     campaign;           /* -1: none */
  guint   n_path;
  guint8  path[6];            /* stages in the order they were reached */
  gint64  changed[6];         /* when */
} SeedOpp;

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

/* The first day of the oldest of the last four quarters. */
static int
four_quarters_ago (void)
{
  int y, m, d;

  seed_civil_from_days (SEED_TODAY, &y, &m, &d);
  return seed_add_months (seed_days_from_civil (y, (m - 1) / 3 * 3 + 1, 1), -9);
}

/* How many opportunities a customer has on average by default: the mean
 * of the draw in customer_opportunities (). */
static double
customer_weight (const SeedCustomer *c)
{
  if (c->status == STATUS_PROSPECT)
    return 0.5;
  if (c->status == STATUS_CHURNED)
    return 0.3;
  return c->tier == TIER_KEY ? 0.95 : c->tier == TIER_MAJOR ? 0.5 : 0.15;
}

/* --opportunities N: N spread over the customers by their weights, the
 * running total rounded so that the counts add up to N exactly. */
static void
plan_counts (SeedWorld *w)
{
  double total = 0, before = 0;

  if (w->n_opportunities == 0 || w->opportunity_count != NULL)
    return;
  for (guint i = 0; i < w->n_customers; i++)
    total += customer_weight (&w->customers[i]);
  w->opportunity_count = g_new0 (guint16, w->n_customers);
  for (guint i = 0; i < w->n_customers; i++)
    {
      double after = before + customer_weight (&w->customers[i]);
      guint64 from = (guint64) (before / total * (double) w->n_opportunities + 0.5);
      guint64 to = i + 1 == w->n_customers ? w->n_opportunities
                                           : (guint64) (after / total * (double) w->n_opportunities + 0.5);

      w->opportunity_count[i] = (guint16) MIN (to - from, G_MAXUINT16);
      before = after;
    }
}

/* The path through the stages and when each was reached, closed_on and
 * expected_close, from the stage. */
static void
plan_path (SeedOpp            *o,
           const SeedCustomer *c,
           SeedRng            *r)
{
  gint64 created, end;

  o->n_path = 0;
  if (o->stage == STAGE_LOST)
    {
      guint last = seed_rng_below (r, 4);

      for (guint s = 0; s <= last; s++)
        o->path[o->n_path++] = (guint8) s;
      o->path[o->n_path++] = STAGE_LOST;
    }
  else
    for (guint s = 0; s <= o->stage; s++)
      o->path[o->n_path++] = (guint8) s;

  if (o->stage >= STAGE_WON)
    {
      int hi = c->status == STATUS_CHURNED ? c->churned_on - 1 : SEED_TODAY - 1;
      int lo = MAX (four_quarters_ago (), (c->status == STATUS_PROSPECT ? c->created : c->became) + 30);

      o->closed_on = (int) seed_rng_range (r, MIN (lo, hi), hi);
      o->expected_close = o->closed_on + (int) seed_rng_range (r, -20, 25);
      end = office_time (r, o->closed_on);
      created = end - (gint64) seed_rng_range (r, 30, 200) * SEED_DAY;
    }
  else
    {
      o->closed_on = -1;
      created = office_time (r, SEED_TODAY - (int) seed_rng_range (r, 5, 300));
      if (c->status == STATUS_PROSPECT)
        created = MAX (created, (gint64) c->created * SEED_DAY + 10 * SEED_HOUR);
      end = created + (SEED_NOW - SEED_HOUR - created) * (gint64) seed_rng_range (r, 60, 100) / 100;
      o->expected_close = seed_rng_chance (r, 0.1) ? SEED_TODAY - (int) seed_rng_range (r, 1, 40)
                                                   : SEED_TODAY + (int) seed_rng_range (r, 10, 200);
    }
  for (guint s = 0; s < o->n_path; s++)
    o->changed[s] = o->n_path == 1 ? created
                  : created + (end - created) * (gint64) s / (gint64) (o->n_path - 1) -
                    (s > 0 && s < o->n_path - 1 ? seed_rng_below (r, 3 * SEED_HOUR) : 0);
}

/* What it sells for how long, where it came from, what comes next. */
static void
plan_terms (SeedOpp *o,
            SeedRng *r)
{
  static const guint months_weights[] = { 30, 35, 30, 5 };
  static const int months[] = { 12, 24, 36, 60 };
  static const int nudges[] = { -10, -5, 5, 10, 15 };
  int created_day = (int) (o->changed[0] / SEED_DAY);

  o->contract_months = months[seed_rng_weighted (r, months_weights, G_N_ELEMENTS (months_weights))];
  o->campaign = -1;
  if (o->with_agent)
    o->source = SOURCE_AGENT;
  else if (seed_rng_chance (r, 0.35) && (o->campaign = seed_campaign_running_on (r, created_day)) >= 0)
    o->source = SOURCE_CAMPAIGN;
  else
    o->source = seed_rng_chance (r, 0.15) ? SOURCE_CHANNEL : SOURCE_DIRECT;
  o->probability = -1;
  o->next_step = NULL;
  if (o->stage < STAGE_WON)
    {
      o->next_step = seed_next_steps[o->stage][seed_rng_below (r, G_N_ELEMENTS (seed_next_steps[0]))];
      if (seed_rng_chance (r, 0.25))
        o->probability = CLAMP (stage_probability[o->stage] + SEED_PICK (r, nudges), 5, 95);
    }
}

/* Customer @i's opportunities into @opps (resized); returns how many. */
static guint
customer_opportunities (SeedWorld *w,
                        guint      i,
                        GArray    *opps)
{
  static const guint key_counts[] = { 35, 40, 20, 5 };
  static const guint major_counts[] = { 60, 30, 10 };
  static const guint standard_counts[] = { 87, 11, 2 };
  static const guint active_stages[] = { 14, 14, 14, 10, 26, 22 };
  static const guint prospect_stages[] = { 50, 35, 15 };
  const SeedCustomer *c = &w->customers[i];
  guint kind_bit = 1u << c->kind;
  guint fit[G_N_ELEMENTS (seed_opportunities)];
  double scale = c->tier == TIER_KEY ? 1.0 : c->tier == TIER_MAJOR ? 0.3 : 0.08;
  SeedRng r;
  guint n;

  seed_rng_init (&r, w->seed, STREAM_OPPORTUNITIES, i);
  if (c->status == STATUS_PROSPECT)
    n = seed_rng_chance (&r, 0.5) ? 1 : 0;
  else if (c->status == STATUS_CHURNED)
    n = seed_rng_chance (&r, 0.3) ? 1 : 0;
  else if (c->tier == TIER_KEY)
    n = seed_rng_weighted (&r, key_counts, 4);
  else if (c->tier == TIER_MAJOR)
    n = seed_rng_weighted (&r, major_counts, 3);
  else
    n = seed_rng_weighted (&r, standard_counts, 3);
  if (w->opportunity_count != NULL)
    n = w->opportunity_count[i];
  g_array_set_size (opps, n);

  for (guint t = 0; t < G_N_ELEMENTS (seed_opportunities); t++)
    fit[t] = (seed_opportunities[t].kinds & kind_bit) &&
             (seed_opportunities[t].industry < 0 || seed_opportunities[t].industry == c->industry) ? 1 : 0;

  for (guint k = 0; k < n; k++)
    {
      SeedOpp *o = &g_array_index (opps, SeedOpp, k);
      const SeedOpportunity *t;
      double u = seed_rng_double (&r);

      o->templ = seed_rng_weighted (&r, fit, G_N_ELEMENTS (fit));
      t = &seed_opportunities[o->templ];
      if (c->status == STATUS_PROSPECT)
        o->stage = seed_rng_weighted (&r, prospect_stages, 3);
      else if (c->status == STATUS_CHURNED)
        o->stage = seed_rng_chance (&r, 0.8) ? STAGE_LOST : STAGE_WON;
      else
        o->stage = seed_rng_weighted (&r, active_stages, 6);

      o->amount_monthly = (gint64) ((t->min_monthly + (t->max_monthly - t->min_monthly) * u * u) * scale / 100 + 0.5) *
                          100 * 100;
      o->amount_monthly = MAX (o->amount_monthly, 10000);
      o->amount_once = seed_rng_chance (&r, 0.3) ? 0
                     : (gint64) (t->max_once * seed_rng_double (&r) * scale / 1000) * 1000 * 100;
      o->lost_reason = o->stage == STAGE_LOST
                       ? seed_lost_reasons[seed_rng_weighted (&r, lost_reason_weights,
                                                              G_N_ELEMENTS (lost_reason_weights))]
                       : NULL;
      o->with_agent = c->agent && seed_rng_chance (&r, 0.5);
      plan_path (o, c, &r);
      plan_terms (o, &r);
    }
  return n;
}

/* Total contract value, fen. */
static gint64
contract_value (const SeedOpp *o)
{
  return o->amount_once + o->amount_monthly * o->contract_months;
}

/* Counts what @owner won in a month of SEED_YEAR. */
static void
count_won (SeedWorld     *w,
           guint          owner,
           const SeedOpp *o)
{
  int y, m, d;

  if (o->stage != STAGE_WON)
    return;
  seed_civil_from_days (o->closed_on, &y, &m, &d);
  if (y == SEED_YEAR)
    w->won_month[owner * 12 + (guint) (m - 1)] += contract_value (o);
}

static char *
put_opportunity (char          *p,
                 SeedWorld     *w,
                 guint64        number,
                 guint          i,
                 const SeedOpp *o)
{
  const SeedCustomer *c = &w->customers[i];
  const char *templ = seed_opportunities[o->templ].zh;

  p = put_entity (p, w, ENTITY_OPPORTUNITY, number);
  p = put_entity (p, w, ENTITY_CUSTOMER, i);
  p = put_entity (p, w, ENTITY_USER, c->owner);
  p = seed_cat (p, c->short_name);
  if (g_ascii_isalnum (templ[0]))
    *p++ = ' ';
  p = seed_put_str (p, templ);
  p = seed_put_str (p, stage_names[o->stage]);
  p = seed_put_int (p, o->amount_once);
  p = seed_put_int (p, o->amount_monthly);
  p = o->probability >= 0 ? seed_put_int (p, o->probability) : seed_put_null (p);
  p = seed_put_date (p, o->expected_close);
  p = seed_put_date (p, o->closed_on);
  p = seed_put_opt (p, o->lost_reason);
  p = o->with_agent ? put_entity (p, w, ENTITY_AGENT, c->agent - 1u) : seed_put_null (p);
  p = seed_put_str (p, seed_opportunities[o->templ].lines);
  p = seed_put_int (p, o->contract_months);
  p = seed_put_str (p, source_names[o->source]);
  p = o->campaign >= 0 ? put_entity (p, w, ENTITY_CAMPAIGN, (guint64) o->campaign) : seed_put_null (p);
  p = seed_put_opt (p, o->next_step);
  p = seed_put_time (p, o->changed[o->n_path - 1]);
  p = seed_put_time (p, o->changed[0]);
  p = seed_put_time (p, o->changed[o->n_path - 1]);
  /* the customer's region, which triggers keep (0019), as the seed runs
   * without them */
  return put_entity (p, w, ENTITY_REGION, (guint64) w->city_region[c->city]);
}

static gboolean
load_opportunities (SeedWorld  *w,
                    PGconn     *conn,
                    GError    **error)
{
  g_autoptr(GArray) opps = g_array_new (FALSE, FALSE, sizeof (SeedOpp));
  SeedCopy copy;
  guint64 number = 0;

  if (!seed_copy_begin (&copy, conn, "opportunities",
                        "id, customer_id, owner_id, name, stage, amount_once, amount_monthly, probability, "
                        "expected_close, closed_on, lost_reason, agent_id, product_lines, contract_months, source, "
                        "campaign_id, next_step, stage_changed_at, created_at, updated_at, region_id", error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      guint n = customer_opportunities (w, i, opps);

      for (guint k = 0; k < n; k++)
        {
          const SeedOpp *o = &g_array_index (opps, SeedOpp, k);
          char *p = seed_copy_row (&copy);

          p = put_opportunity (p, w, number++, i, o);
          seed_copy_row_end (&copy, p);
          count_won (w, w->customers[i].owner, o);
        }
    }
  return seed_copy_end (&copy, error);
}

static gboolean
load_stage_history (SeedWorld  *w,
                    PGconn     *conn,
                    GError    **error)
{
  g_autoptr(GArray) opps = g_array_new (FALSE, FALSE, sizeof (SeedOpp));
  SeedCopy copy;
  guint64 number = 0;

  if (!seed_copy_begin (&copy, conn, "opportunity_stage_history",
                        "opportunity_id, from_stage, to_stage, changed_at, changed_by", error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      const SeedCustomer *c = &w->customers[i];
      guint n = customer_opportunities (w, i, opps);
      char owner_id[37];
      SeedUuid uid = seed_uuid (w->seed, ENTITY_USER, c->owner);

      seed_uuid_to_text (&uid, owner_id);
      for (guint k = 0; k < n; k++)
        {
          const SeedOpp *o = &g_array_index (opps, SeedOpp, k);
          char opp_id[37];
          SeedUuid oid = seed_uuid (w->seed, ENTITY_OPPORTUNITY, number++);

          seed_uuid_to_text (&oid, opp_id);
          for (guint s = 0; s < o->n_path; s++)
            {
              char *p = seed_copy_row (&copy);

              p = seed_put_uuid_text (p, opp_id);
              p = s == 0 ? seed_put_null (p) : seed_put_str (p, stage_names[o->path[s - 1]]);
              p = seed_put_str (p, stage_names[o->path[s]]);
              p = seed_put_time (p, o->changed[s]);
              p = seed_put_uuid_text (p, owner_id);
              seed_copy_row_end (&copy, p);
            }
        }
    }
  return seed_copy_end (&copy, error);
}

/* ------------------------------------------------------------------ */
/* Sales targets */

static char *
put_target (char       *p,
            SeedWorld  *w,
            guint64     number,
            int         user,
            int         team,
            int         start,
            int         end,
            const char *metric,
            gint64      target)
{
  p = put_entity (p, w, ENTITY_TARGET, number);
  p = user >= 0 ? put_entity (p, w, ENTITY_USER, (guint64) user) : seed_put_null (p);
  p = team >= 0 ? put_entity (p, w, ENTITY_TEAM, (guint64) team) : seed_put_null (p);
  p = seed_put_date (p, start);
  p = seed_put_date (p, end);
  p = seed_put_str (p, metric);
  return seed_put_int (p, target);
}

/* A manager's revenue target for each month of SEED_YEAR: what they won
 * a month on average this year (before SEED_TODAY's month), or a month of
 * their book if they won nothing, times their factor and the month's, in
 * steps of 10,000 yuan. */
static void
plan_manager_months (SeedWorld *w,
                     guint      u,
                     SeedRng   *r,
                     gint64     months[12])
{
  int y, m, d;
  gint64 won = 0;
  double base, factor = 0.75 + 0.6 * seed_rng_double (r);

  seed_civil_from_days (SEED_TODAY, &y, &m, &d);
  for (int k = 0; k < m - 1; k++)
    won += w->won_month[u * 12 + (guint) k];
  base = m > 1 ? (double) won / (m - 1) : 0;
  if (base <= 0)
    base = (double) MAX (seed_user (w, u)->book, 1000000);
  for (int k = 0; k < 12; k++)
    months[k] = MAX (1, (gint64) (base * factor * (0.85 + 0.3 * seed_rng_double (r)) / 1000000 + 0.5)) * 1000000;
}

/* @subject's revenue targets: the months, the quarters (their sums) and
 * the year (the sum of all). */
static void
put_revenue_targets (SeedCopy     *copy,
                     SeedWorld    *w,
                     guint64      *number,
                     int           user,
                     int           team,
                     const gint64  months[12],
                     gint64        quarters[4])
{
  int year_start = seed_days_from_civil (SEED_YEAR, 1, 1);
  gint64 year = 0;
  char *p;

  for (int q = 0; q < 4; q++)
    quarters[q] = 0;
  for (int k = 0; k < 12; k++)
    {
      int start = seed_add_months (year_start, k);

      p = seed_copy_row (copy);
      p = put_target (p, w, (*number)++, user, team, start, seed_add_months (start, 1) - 1, "revenue", months[k]);
      seed_copy_row_end (copy, p);
      quarters[k / 3] += months[k];
      year += months[k];
    }
  for (int q = 0; q < 4; q++)
    {
      int start = seed_add_months (year_start, 3 * q);

      p = seed_copy_row (copy);
      p = put_target (p, w, (*number)++, user, team, start, seed_add_months (start, 3) - 1, "revenue", quarters[q]);
      seed_copy_row_end (copy, p);
    }
  p = seed_copy_row (copy);
  p = put_target (p, w, (*number)++, user, team, year_start, seed_add_months (year_start, 12) - 1, "revenue", year);
  seed_copy_row_end (copy, p);
}

/* Every account manager and every sales team: revenue per month, quarter
 * and year; new customers per quarter; teams also profit per quarter. */
static gboolean
load_targets (SeedWorld  *w,
              PGconn     *conn,
              GError    **error)
{
  SeedCopy copy;
  SeedRng r;
  guint64 number = 0;
  int year_start = seed_days_from_civil (SEED_YEAR, 1, 1);
  g_autofree gint64 *team_months = g_new0 (gint64, w->teams->len * 12);
  g_autofree gint64 *team_customers = g_new0 (gint64, w->teams->len * 4);

  seed_rng_init (&r, w->seed, STREAM_TARGETS, 0);
  if (!seed_copy_begin (&copy, conn, "sales_targets",
                        "id, user_id, team_id, period_start, period_end, metric, target", error))
    return FALSE;
  for (guint u = 0; u < w->users->len; u++)
    {
      const SeedUser *user = seed_user (w, u);
      gint64 months[12], quarters[4];

      if (user->role != ROLE_MANAGER)
        continue;
      plan_manager_months (w, u, &r, months);
      put_revenue_targets (&copy, w, &number, (int) u, -1, months, quarters);
      for (int q = 0; q < 4; q++)
        {
          int start = seed_add_months (year_start, 3 * q);
          gint64 customers = seed_rng_range (&r, 2, 6);
          char *p = seed_copy_row (&copy);

          p = put_target (p, w, number++, (int) u, -1, start, seed_add_months (start, 3) - 1, "customers", customers);
          seed_copy_row_end (&copy, p);
          if (user->team >= 0)
            team_customers[user->team * 4 + q] += customers;
        }
      for (int k = 0; k < 12 && user->team >= 0; k++)
        team_months[user->team * 12 + k] += months[k];
    }
  for (guint t = 0; t < w->teams->len; t++)
    {
      gint64 quarters[4];

      if (!g_array_index (w->teams, SeedTeam, t).sales)
        continue;
      put_revenue_targets (&copy, w, &number, -1, (int) t, &team_months[t * 12], quarters);
      for (int q = 0; q < 4; q++)
        {
          int start = seed_add_months (year_start, 3 * q), end = seed_add_months (start, 3) - 1;
          char *p = seed_copy_row (&copy);

          p = put_target (p, w, number++, -1, (int) t, start, end, "customers", team_customers[t * 4 + q]);
          seed_copy_row_end (&copy, p);
          p = seed_copy_row (&copy);
          p = put_target (p, w, number++, -1, (int) t, start, end, "profit", quarters[q] / 100 * 32);
          seed_copy_row_end (&copy, p);
        }
    }
  return seed_copy_end (&copy, error);
}

gboolean
seed_load_pipeline (SeedWorld  *w,
                    PGconn     *conn,
                    GError    **error)
{
  plan_counts (w);
  g_free (w->won_month);
  w->won_month = g_new0 (gint64, w->users->len * 12);
  return load_opportunities (w, conn, error) &&
         load_stage_history (w, conn, error) &&
         load_targets (w, conn, error);
}
