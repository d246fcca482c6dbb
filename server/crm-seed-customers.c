#define G_LOG_DOMAIN "crm-seed"

#include "config.h"

#include <string.h>

#include "crm-seed-data.h"
#include "crm-seed-private.h"

#define N_CITIES G_N_ELEMENTS (seed_cities)

/* ------------------------------------------------------------------ */
/* Places */

const char *
seed_city_full (guint c)
{
  const SeedCity *city = &seed_cities[c];

  return seed_provinces[city->province].municipality ? seed_provinces[city->province].name : city->name;
}

const char *
seed_city_short (guint c)
{
  const SeedCity *city = &seed_cities[c];

  return seed_provinces[city->province].municipality ? seed_provinces[city->province].short_name
                                                     : city->short_name;
}

const char *
seed_city_en (guint c)
{
  const SeedCity *city = &seed_cities[c];

  return seed_provinces[city->province].municipality ? seed_provinces[city->province].name_en
                                                     : city->name_en;
}

/* The district part of an address: 天河区 in 广州, the city itself (朝阳区)
 * in a municipality; NULL when there is none. */
static const char *
district_name (guint c,
               guint d,
               const char **en,
               const char **code)
{
  const SeedCity *city = &seed_cities[c];

  if (seed_provinces[city->province].municipality)
    {
      if (en)
        *en = city->name_en;
      if (code)
        *code = city->code;
      return city->name;
    }
  if (d == 0xff || city->districts[d].name == NULL)
    {
      if (en)
        *en = NULL;
      if (code)
        *code = city->code;
      return NULL;
    }
  if (en)
    *en = city->districts[d].name_en;
  if (code)
    *code = city->districts[d].code;
  return city->districts[d].name;
}

const char *
seed_customer_region_code (const SeedCustomer *c)
{
  const char *code;

  district_name (c->city, c->district, NULL, &code);
  return code;
}

static guint
count_districts (guint c)
{
  guint n = 0;

  while (n < G_N_ELEMENTS (seed_cities[c].districts) && seed_cities[c].districts[n].name)
    n++;
  return n;
}

char *
seed_cat_address (char         *p,
                  SeedRng      *r,
                  guint         c,
                  guint         d,
                  gboolean      home)
{
  const char *district = district_name (c, d, NULL, NULL);

  p = seed_cat (p, seed_city_full (c));
  if (district)
    p = seed_cat (p, district);
  p = seed_cat (p, SEED_PICK (r, seed_roads));
  p = seed_cat_uint (p, seed_rng_range (r, 1, 388));
  p = seed_cat (p, "号");
  if (home)
    {
      p = seed_cat_uint (p, seed_rng_range (r, 1, 30));
      p = seed_cat (p, "栋");
      p = seed_cat_uint (p, seed_rng_range (r, 1, 32));
      p = seed_cat_uint_w (p, seed_rng_range (r, 1, 8), 2);
      return seed_cat (p, "室");
    }
  {
    const char *building = SEED_PICK (r, seed_buildings);

    if (*building)
      {
        p = seed_cat (p, building);
        p = seed_cat_uint (p, seed_rng_range (r, 2, 36));
        p = seed_cat (p, "楼");
      }
  }
  return p;
}

/* ------------------------------------------------------------------ */
/* Names */

typedef struct
{
  char     zh[256];
  char     en[256];
  char     domain[96];
  gboolean has_en;
  guint    industry;
  char     reg_kind[3];       /* "91", "11", "12" */
  gboolean keep_short;        /* a public body: its short name is its name */
} NameParts;

/* "Bao'an" → "baoan" */
static char *
cat_slug (char       *p,
          const char *en)
{
  for (; *en; en++)
    if (g_ascii_isalnum (*en))
      *p++ = g_ascii_tolower (*en);
  return p;
}

/* Two brand syllables: 恒泰, "Hengtai" */
static void
brand (SeedRng *r,
       guint    syllables,
       char    *zh,
       char    *en)
{
  const SeedSyllable *last = NULL;

  for (guint i = 0; i < syllables; i++)
    {
      const SeedSyllable *s = &SEED_PICK (r, seed_brand);

      while (s == last || (last && g_str_equal (s->hanzi, last->hanzi)))
        s = &SEED_PICK (r, seed_brand);
      last = s;

      zh = seed_cat (zh, s->hanzi);
      if (i == 0)
        en = seed_cat (en, s->pinyin);
      else
        for (const char *q = s->pinyin; *q; q++)
          *en++ = g_ascii_tolower (*q);
    }
  *zh = '\0';
  *en = '\0';
}

static const SeedTrade *
pick_trade (SeedRng         *r,
            const SeedTrade *trades,
            guint            n)
{
  guint weights[64];

  g_assert (n <= G_N_ELEMENTS (weights));
  for (guint i = 0; i < n; i++)
    weights[i] = trades[i].weight;
  return &trades[seed_rng_weighted (r, weights, n)];
}

static void
name_government (SeedRng   *r,
                 guint      c,
                 guint      d,
                 NameParts *n)
{
  const char *dist_en = NULL;
  const char *dist = district_name (c, d, &dist_en, NULL);
  gboolean district_ok = dist && g_str_has_suffix (dist, "区");
  double u = seed_rng_double (r);
  char *z = n->zh, *e = n->en;
  gboolean en_ok = TRUE;

  n->industry = IND_GOVERNMENT;
  n->reg_kind[0] = '1';
  n->reg_kind[1] = '1';
  n->keep_short = TRUE;
  z = seed_cat (z, seed_city_full (c));
  e = seed_cat (e, seed_city_en (c));
  *e++ = ' ';

  if (u < 0.62)
    {
      const SeedBureau *b = &SEED_PICK (r, seed_bureaus);

      if (u < 0.30 && district_ok && b->district_too)
        {
          z = seed_cat (z, dist);
          e = seed_cat (e, dist_en);
          e = seed_cat (e, " District ");
        }
      z = seed_cat (z, b->zh);
      e = seed_cat (e, b->en);
    }
  else
    {
      guint weights[G_N_ELEMENTS (seed_institutions)];
      const SeedInstitution *inst;

      for (guint i = 0; i < G_N_ELEMENTS (seed_institutions); i++)
        weights[i] = seed_institutions[i].weight;
      inst = &seed_institutions[seed_rng_weighted (r, weights, G_N_ELEMENTS (weights))];
      n->industry = inst->industry;
      n->reg_kind[1] = inst->organ ? '1' : '2';
      if (inst->en == NULL)
        en_ok = FALSE;
      if ((inst->scope == 'd' || inst->scope == 'e' || inst->scope == 'r') && district_ok)
        {
          z = seed_cat (z, dist);
          e = seed_cat (e, dist_en);
          e = seed_cat (e, " District ");
        }
      if (inst->scope == 'n' || inst->scope == 'e')
        {
          guint number = (guint) seed_rng_range (r, 1, inst->industry == IND_HEALTHCARE ? 12 : 60);
          char zh_num[32], en_num[16];

          *seed_cat_chinese_number (zh_num, number) = '\0';
          *seed_cat_uint (en_num, number) = '\0';
          z = seed_cat_template (z, inst->zh, zh_num);
          e = seed_cat_template (e, inst->en, en_num);
        }
      else if (inst->scope == 'r')
        z = seed_cat_template (z, inst->zh, SEED_PICK (r, seed_roads));
      else
        {
          z = seed_cat (z, inst->zh);
          e = seed_cat (e, inst->en);
        }
    }
  *z = '\0';
  *e = '\0';
  {
    char *dm = cat_slug (n->domain, seed_city_en (c));
    seed_cat (dm, ".gov.cn")[0] = '\0';
  }
  n->has_en = en_ok && seed_rng_chance (r, 0.6);
}

static void
name_company (SeedRng         *r,
              guint            c,
              const SeedTrade *trade,
              guint            syllables,
              gboolean         city_prefix,
              NameParts       *n)
{
  char bz[32], be[64];
  char *z = n->zh, *e = n->en, *dm = n->domain;

  brand (r, syllables, bz, be);
  if (city_prefix)
    {
      z = seed_cat (z, seed_city_short (c));
      e = seed_cat (e, seed_city_en (c));
      *e++ = ' ';
    }
  z = seed_cat (z, bz);
  z = seed_cat (z, trade->zh);
  e = seed_cat (e, be);
  *e++ = ' ';
  e = seed_cat (e, trade->en);
  *z = '\0';
  *e = '\0';
  dm = cat_slug (dm, be);
  seed_cat (dm, seed_rng_chance (r, 0.6) ? ".com.cn" : ".com")[0] = '\0';
  n->industry = trade->industry;
  memcpy (n->reg_kind, "91", 3);
}

static void
name_large (SeedRng   *r,
            guint      c,
            guint      d,
            NameParts *n)
{
  double u = seed_rng_double (r);

  n->has_en = seed_rng_chance (r, 0.55);
  if (u < 0.35)
    name_company (r, c, pick_trade (r, seed_groups, G_N_ELEMENTS (seed_groups)), 2,
                  seed_rng_chance (r, 0.5), n);
  else if (u < 0.45)
    {
      const SeedTrade *soe = &SEED_PICK (r, seed_city_soes);
      char *dm;

      seed_cat (seed_cat (n->zh, seed_city_short (c)), soe->zh)[0] = '\0';
      seed_cat (seed_cat (seed_cat (n->en, seed_city_en (c)), " "), soe->en)[0] = '\0';
      dm = cat_slug (n->domain, seed_city_en (c));
      *dm++ = '-';
      dm = cat_slug (dm, soe->en);
      seed_cat (dm, ".com.cn")[0] = '\0';
      n->industry = soe->industry;
      memcpy (n->reg_kind, "91", 3);
    }
  else if (u < 0.65)
    {
      const SeedBank *bank = &SEED_PICK (r, seed_banks);
      const char *dist_en = NULL;
      const char *dist = district_name (c, d, &dist_en, NULL);
      char *z = n->zh, *e = n->en, *dm;

      z = seed_cat (z, bank->zh);
      z = seed_cat (z, seed_city_short (c));
      e = seed_cat (e, bank->en);
      *e++ = ' ';
      e = seed_cat (e, seed_city_en (c));
      if (dist && g_str_has_suffix (dist, "区") && seed_rng_chance (r, 0.6))
        {
          char area[64];

          g_strlcpy (area, dist, sizeof area);
          area[strlen (area) - strlen ("区")] = '\0';
          z = seed_cat (z, area);
          z = seed_cat (z, "支行");
          *e++ = ' ';
          e = seed_cat (e, dist_en);
          e = seed_cat (e, " Sub-branch");
        }
      else
        {
          z = seed_cat (z, "分行");
          e = seed_cat (e, " Branch");
        }
      *z = '\0';
      *e = '\0';
      dm = cat_slug (n->domain, bank->short_en);
      seed_cat (dm, ".com.cn")[0] = '\0';
      n->industry = IND_FINANCE;
      memcpy (n->reg_kind, "91", 3);
      n->keep_short = TRUE;
    }
  else if (u < 0.72)
    {
      const SeedBank *ins = &SEED_PICK (r, seed_insurers);
      char *dm;

      seed_cat (seed_cat (seed_cat (n->zh, ins->zh), seed_city_short (c)), "分公司")[0] = '\0';
      seed_cat (seed_cat (seed_cat (seed_cat (n->en, ins->en), " "), seed_city_en (c)), " Branch")[0] = '\0';
      dm = cat_slug (n->domain, ins->short_en);
      seed_cat (dm, ".com.cn")[0] = '\0';
      n->industry = IND_FINANCE;
      memcpy (n->reg_kind, "91", 3);
      n->keep_short = TRUE;
    }
  else
    name_company (r, c, pick_trade (r, seed_trades, G_N_ELEMENTS (seed_trades)), 2, TRUE, n);
}

static const char * const company_suffixes[] = {
  "股份有限公司", "集团有限公司", "有限责任公司", "有限公司",
};

static void
make_name (SeedWorld    *w,
           guint         i,
           SeedCustomer *c)
{
  SeedRng r;
  NameParts n;
  guint attempt = 0;

  seed_rng_init (&r, w->seed, STREAM_NAME, i);
  for (;;)
    {
      memset (&n, 0, sizeof n);
      if (attempt >= 40)
        {
          /* the pools of public bodies and big names run dry at a million
           * customers: fall back to small companies with longer names */
          c->kind = KIND_SME;
          name_company (&r, c->city, pick_trade (&r, seed_trades, G_N_ELEMENTS (seed_trades)),
                        attempt >= 48 ? 3 : 2, TRUE, &n);
          n.has_en = seed_rng_chance (&r, 0.2);
        }
      else if (c->kind == KIND_GOVERNMENT)
        name_government (&r, c->city, c->district, &n);
      else if (c->kind == KIND_LARGE)
        name_large (&r, c->city, c->district, &n);
      else
        {
          name_company (&r, c->city, pick_trade (&r, seed_trades, G_N_ELEMENTS (seed_trades)), 2, TRUE, &n);
          n.has_en = seed_rng_chance (&r, 0.2);
        }
      if (!g_hash_table_contains (w->names, n.zh))
        break;
      attempt++;
    }

  c->name = g_string_chunk_insert (w->strings, n.zh);
  g_hash_table_add (w->names, (gpointer) c->name);
  c->name_en = n.has_en ? g_string_chunk_insert (w->strings, n.en) : NULL;
  c->domain = g_string_chunk_insert_const (w->strings, n.domain);
  c->industry = (guint8) n.industry;
  c->reg_kind = n.reg_kind[0] == '9' ? 0 : n.reg_kind[1] == '2' ? 2 : 1;
  if (n.keep_short)
    c->short_name = c->name;
  else
    {
      char buf[256];

      g_strlcpy (buf, n.zh, sizeof buf);
      for (guint k = 0; k < G_N_ELEMENTS (company_suffixes); k++)
        if (g_str_has_suffix (buf, company_suffixes[k]))
          {
            buf[strlen (buf) - strlen (company_suffixes[k])] = '\0';
            break;
          }
      c->short_name = g_string_chunk_insert (w->strings, buf);
    }
}

/* ------------------------------------------------------------------ */
/* Who owns whom */

static void
assign_owners (SeedWorld *w,
               guint32   *owner_of)
{
  g_autoptr(GArray) managers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree double *weights = NULL;
  g_autofree guint *quota = NULL;
  SeedRng r;
  guint n = w->n_customers;
  guint demo_quota, k = 0;

  seed_rng_init (&r, w->seed, STREAM_OWNERS, 0);
  for (guint c = 0; c < N_CITIES; c++)
    g_array_append_vals (managers, w->city_managers[c]->data, w->city_managers[c]->len);

  /* the demo manager (the first of 广州) owns 150; the rest share the others */
  demo_quota = managers->len > 1 ? MIN (n, 150) : n;
  weights = g_new (double, managers->len);
  quota = g_new0 (guint, managers->len);
  for (guint m = 0; m < managers->len; m++)
    weights[m] = g_array_index (managers, guint, m) == w->demo_manager ? 0 : 0.7 + 0.6 * seed_rng_double (&r);
  if (managers->len > 1)
    {
      guint rest = n - demo_quota;
      double sum = 0;
      guint given = 0;

      for (guint m = 0; m < managers->len; m++)
        sum += weights[m];
      for (guint m = 0; m < managers->len; m++)
        {
          quota[m] = (guint) (rest * weights[m] / sum);
          given += quota[m];
        }
      for (guint m = 0; given < rest; m = (m + 1) % managers->len)
        if (weights[m] > 0)
          {
            quota[m]++;
            given++;
          }
    }
  for (guint m = 0; m < managers->len; m++)
    if (g_array_index (managers, guint, m) == w->demo_manager)
      quota[m] = demo_quota;

  for (guint m = 0; m < managers->len; m++)
    for (guint q = 0; q < quota[m]; q++)
      owner_of[k++] = g_array_index (managers, guint, m);
  g_assert (k == n);
  /* shuffled, so that one manager's customers are spread over the ids */
  for (guint i = n; i > 1; i--)
    {
      guint j = seed_rng_below (&r, i);
      guint32 t = owner_of[i - 1];

      owner_of[i - 1] = owner_of[j];
      owner_of[j] = t;
    }
}

/* ------------------------------------------------------------------ */
/* Subscriptions */

static int
contract_term (SeedRng           *r,
               const SeedProduct *p)
{
  const char *cat = p->category;

  if (g_str_equal (cat, "dedicated_line") || g_str_equal (cat, "idc") || g_str_equal (cat, "cloud"))
    return 12 * (int) seed_rng_range (r, 1, 3);
  if (g_str_equal (cat, "mobile_plan"))
    return 24;
  if (g_str_equal (cat, "broadband"))
    return 12 * (int) seed_rng_range (r, 1, 2);
  if (g_str_equal (cat, "fixed_line"))
    return seed_rng_chance (r, 0.5) ? 36 : 0;
  if (g_str_equal (cat, "iot"))
    return seed_rng_chance (r, 0.6) ? 24 : 0;
  return seed_rng_chance (r, 0.5) ? 12 : 0;
}

guint
seed_customer_subs (SeedWorld *w,
                    guint      i,
                    SeedSub   *subs)
{
  const SeedCustomer *c = &w->customers[i];
  guint weights[G_N_ELEMENTS (seed_products)];
  int terms[SEED_MAX_SUBS];
  SeedRng r;
  guint n = 0, want;
  gboolean churned = c->status == STATUS_CHURNED;
  int until = churned ? c->churned_on : SEED_TODAY;

  if (c->status == STATUS_PROSPECT)
    return 0;
  seed_rng_init (&r, w->seed, STREAM_SUBS, i);
  if (c->tier == TIER_KEY)
    want = (guint) seed_rng_range (&r, 2, 4);
  else if (c->tier == TIER_MAJOR)
    {
      static const guint major[] = { 25, 40, 25, 10 };
      want = 1 + seed_rng_weighted (&r, major, 4);
    }
  else
    want = seed_rng_chance (&r, 0.7) ? 1 : 2;

  for (guint p = 0; p < G_N_ELEMENTS (seed_products); p++)
    weights[p] = seed_products[p].active ? seed_products[p].affinity[c->kind] : 0;

  for (guint k = 0; k < want; k++)
    {
      const SeedProduct *pr;
      SeedSub *s = &subs[n];
      guint p = seed_rng_weighted (&r, weights, G_N_ELEMENTS (weights));
      double u = seed_rng_double (&r);
      double discount;
      guint lo, hi;
      int span;

      if (weights[p] == 0)
        break;
      weights[p] = 0;
      pr = &seed_products[p];
      lo = pr->qty[c->tier][0];
      hi = pr->qty[c->tier][1];
      s->product = p;
      s->quantity = lo + (guint) ((hi - lo) * u * u + 0.5);
      discount = c->tier == TIER_KEY ? 0.60 + 0.20 * seed_rng_double (&r)
               : c->tier == TIER_MAJOR ? 0.75 + 0.17 * seed_rng_double (&r)
               : 0.90 + 0.10 * seed_rng_double (&r);
      s->fee = MAX (100, (gint64) (pr->list_fee * (double) s->quantity * discount / 100.0 + 0.5) * 100);
      span = MAX (1, until - 30 - c->became);
      s->started_on = k == 0 ? c->became : c->became + (int) seed_rng_below (&r, (guint32) span);
      terms[n] = contract_term (&r, pr);
      s->contract_end = -1;
      s->cancelled_on = -1;
      s->status = churned ? 2 : 0;
      if (terms[n] > 0)
        {
          s->contract_end = seed_add_months (s->started_on, terms[n]);
          /* renewed for another term each time it ran out */
          while (s->contract_end <= until)
            s->contract_end = seed_add_months (s->contract_end, terms[n]);
          if (!churned && s->contract_end <= SEED_TODAY + 90)
            s->contract_end = seed_add_months (s->contract_end, terms[n]);
        }
      if (churned)
        s->cancelled_on = c->churned_on;
      n++;
    }

  if (!churned && (c->signals & SIGNAL_CONTRACT_ENDING) && n > 0)
    {
      guint k = 0;

      while (k < n && terms[k] == 0)
        k++;
      if (k == n)
        k = 0;
      subs[k].contract_end = SEED_TODAY + (int) seed_rng_range (&r, 5, 89);
    }
  if (!churned && (c->signals & SIGNAL_ARREARS) && n > 0 && seed_rng_chance (&r, 0.3))
    subs[seed_rng_below (&r, n)].status = 1;

  /* a withdrawn product some old customers gave up */
  if (c->became < seed_days_from_civil (2019, 1, 1) && n < SEED_MAX_SUBS && seed_rng_chance (&r, 0.06))
    {
      SeedSub *s = &subs[n++];
      guint p = seed_rng_chance (&r, 0.5) ? 6 : 12;   /* BB-ADSL-4M, 4G-99 */

      s->product = p;
      s->quantity = (guint) seed_rng_range (&r, 1, c->tier == TIER_STANDARD ? 3 : 30);
      s->fee = (gint64) s->quantity * seed_products[p].list_fee;
      s->started_on = c->became;
      s->contract_end = -1;
      s->cancelled_on = c->became + 365 + (int) seed_rng_below (&r, (guint32) MAX (1, until - c->became - 400));
      s->status = 2;
    }
  return n;
}

/* ------------------------------------------------------------------ */
/* Billing */

static const double season[12] = {
  /* Jan: the Spring Festival starts, Feb: it ends, Oct: the National Day week */
  0.95, 0.88, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.97, 1.0, 1.03,
};

void
seed_customer_series (SeedWorld     *w,
                      guint          i,
                      const SeedSub *subs,
                      guint          n_subs,
                      SeedSeries    *s)
{
  const SeedCustomer *c = &w->customers[i];
  gboolean churned = c->status == STATUS_CHURNED;
  int churn_month = churned ? seed_month_of (c->churned_on) : 1000;
  double growth, drop;
  SeedRng r;

  memset (s, 0, sizeof *s);
  s->first = SEED_MONTHS;
  if (c->status == STATUS_PROSPECT)
    return;
  seed_rng_init (&r, w->seed, STREAM_REVENUE, i);
  s->first = MAX (0, seed_month_of (c->became));
  growth = 0.03 + 0.05 * seed_rng_gauss (&r);
  if (c->signals & SIGNAL_FALLING_USAGE)
    growth -= 0.05;
  drop = 15 + 25 * seed_rng_double (&r);

  for (int m = s->first; m < SEED_MONTHS; m++)
    {
      int start = seed_month_start (m), end = seed_month_start (m + 1);
      double usage = 100 + 3 * seed_rng_gauss (&r);
      double fixed = 0, metered = 0, factor;

      if (!churned && (c->signals & SIGNAL_FALLING_USAGE) && m >= 18)
        usage -= drop * (m - 17) / 6.0;
      if (churned)
        {
          int before = churn_month - m;

          if (before < 0)
            usage = 0;
          else if (before < 4)
            usage *= 0.55 + 0.1 * before;
        }
      for (guint k = 0; k < n_subs; k++)
        {
          const SeedSub *sub = &subs[k];

          if (sub->started_on >= end || (sub->cancelled_on >= 0 && sub->cancelled_on < start))
            continue;
          if (seed_products[sub->product].usage_based)
            metered += (double) sub->fee;
          else
            fixed += (double) sub->fee;
        }
      factor = season[(10 + m) % 12] * (1 + growth * (m - (SEED_MONTHS - 1)) / 12.0) *
               (1 + 0.02 * seed_rng_gauss (&r));
      if (churned && churn_month - m >= 0 && churn_month - m < 4)
        fixed *= usage / 100.0;      /* lines are cut before the customer leaves */
      s->revenue[m] = MAX (0, (gint64) ((fixed + metered * usage / 100.0) * factor + 0.5));
      s->usage[m] = (gint16) CLAMP (usage + 0.5, 0, 200);
    }

  /* arrears */
  if (churned && c->churn_cause == CHURN_ARREARS)
    {
      double part = 0.6 + 0.4 * seed_rng_double (&r);

      for (int m = MAX (s->first, churn_month - 6); m < SEED_MONTHS; m++)
        s->arrears[m] = (m > 0 ? s->arrears[m - 1] : 0) +
                        (m <= churn_month ? (gint64) (s->revenue[m] * part) : 0);
    }
  else if (churned)
    ;
  else if (c->signals & SIGNAL_ARREARS_GROWING)
    {
      double part = 0.5 + 0.5 * seed_rng_double (&r);
      int k = (int) seed_rng_range (&r, MAX (s->first, 14), 20);

      for (int m = MAX (k, s->first); m < SEED_MONTHS; m++)
        s->arrears[m] = (m > 0 ? s->arrears[m - 1] : 0) + (gint64) (s->revenue[m] * part);
    }
  else if (c->signals & SIGNAL_ARREARS)
    {
      int d = (int) seed_rng_range (&r, 1, 2);

      for (int m = MAX (SEED_MONTHS - d, s->first); m < SEED_MONTHS; m++)
        s->arrears[m] = (m > 0 ? s->arrears[m - 1] : 0) + s->revenue[m];
    }
  else if (c->signals & SIGNAL_ARREARS_PAST)
    {
      int k = (int) seed_rng_range (&r, s->first, 20);
      int d = (int) seed_rng_range (&r, 1, 3);

      for (int m = k; m < k + d && m < SEED_MONTHS; m++)
        s->arrears[m] = (m > k ? s->arrears[m - 1] : 0) + s->revenue[m];
    }
}

/* ------------------------------------------------------------------ */
/* The plan */

static void
plan_core (SeedWorld    *w,
           guint         i,
           SeedCustomer *c)
{
  SeedRng r;
  double u;
  guint nd = count_districts (c->city);
  int golive = seed_days_from_civil (2019, 6, 1);

  seed_rng_init (&r, w->seed, STREAM_CORE, i);
  c->district = nd ? (guint8) seed_rng_below (&r, nd) : 0xff;
  u = seed_rng_double (&r);
  c->kind = u < 0.10 ? KIND_GOVERNMENT : u < 0.40 ? KIND_LARGE : KIND_SME;
  u = seed_rng_double (&r);
  c->status = u < 0.07 ? STATUS_PROSPECT : u < 0.15 ? STATUS_CHURNED : STATUS_ACTIVE;
  c->became = -1;
  c->churned_on = -1;

  if (c->status != STATUS_PROSPECT)
    {
      if (seed_rng_chance (&r, 0.08))
        c->became = (int) seed_rng_range (&r, seed_month_start (0), SEED_TODAY - 35);
      else
        {
          int lo = seed_days_from_civil (2005, 1, 1), hi = seed_days_from_civil (2024, 10, 31);
          c->became = (int) MAX (seed_rng_range (&r, lo, hi), seed_rng_range (&r, lo, hi));
        }
    }
  if (c->status == STATUS_CHURNED)
    {
      int lo = MAX (c->became + 120, seed_month_start (1)), hi = SEED_TODAY - 7;

      if (lo > hi)
        c->status = STATUS_ACTIVE;
      else
        c->churned_on = (int) seed_rng_range (&r, lo, hi);
    }

  if (c->status == STATUS_PROSPECT)
    c->created = SEED_TODAY - (int) seed_rng_range (&r, 3, 540);
  else
    {
      c->created = c->became - (int) seed_rng_range (&r, 10, 120);
      if (c->created < golive)
        c->created = golive + (int) seed_rng_below (&r, 45);   /* moved over when the CRM went live */
    }

  c->signals = 0;
  c->complaints = 0;
  if (c->status == STATUS_ACTIVE)
    {
      if (seed_rng_chance (&r, 0.14))
        c->signals |= SIGNAL_FALLING_USAGE;
      u = seed_rng_double (&r);
      if (u < 0.06)
        c->signals |= SIGNAL_ARREARS | (u < 0.025 ? SIGNAL_ARREARS_GROWING : 0);
      else if (u < 0.10)
        c->signals |= SIGNAL_ARREARS_PAST;
      if (seed_rng_chance (&r, 0.12))
        c->signals |= SIGNAL_CONTRACT_ENDING;
      if (seed_rng_chance (&r, (c->signals & SIGNAL_FALLING_USAGE) ? 0.2 : 0.05))
        c->signals |= SIGNAL_COMPLAINTS;
    }
  else if (c->status == STATUS_CHURNED)
    {
      static const guint causes[] = { 40, 25, 15, 20 };

      c->churn_cause = (guint8) seed_rng_weighted (&r, causes, G_N_ELEMENTS (causes));
      c->signals |= SIGNAL_FALLING_USAGE;
      if (c->churn_cause == CHURN_SERVICE)
        c->signals |= SIGNAL_COMPLAINTS;
      if (c->churn_cause == CHURN_ARREARS)
        c->signals |= SIGNAL_ARREARS | SIGNAL_ARREARS_GROWING;
    }
  if (c->signals & SIGNAL_COMPLAINTS)
    {
      static const guint counts[] = { 75, 20, 5 };
      c->complaints = (guint8) (1 + seed_rng_weighted (&r, counts, 3));
    }

  c->prefers = 0;
  if (seed_rng_chance (&r, c->kind == KIND_SME ? 0.45 : c->kind == KIND_LARGE ? 0.3 : 0.15))
    c->prefers |= 1;
  if (seed_rng_chance (&r, 0.28))
    c->prefers |= 2;
  if (seed_rng_chance (&r, c->kind == KIND_GOVERNMENT ? 0.45 : 0.3))
    c->prefers |= 4;

  c->agent = 0;
  if (c->kind == KIND_SME && seed_rng_chance (&r, 0.4))
    c->agent = seed_rng_chance (&r, 0.1) ? (guint16) (w->agents->len - 1 - seed_rng_below (&r, 2) + 1)
                                         : (guint16) (c->city * 5 + 1 + seed_rng_below (&r, 4) + 1);
  else if (c->kind != KIND_SME && seed_rng_chance (&r, 0.15))
    c->agent = (guint16) (c->city * 5 + 1);
}

static void
plan_tier (SeedWorld    *w,
           guint         i,
           SeedCustomer *c)
{
  SeedRng r;
  double u;

  seed_rng_init (&r, w->seed, STREAM_CORE, (guint64) i + (G_GUINT64_CONSTANT (1) << 40));
  u = seed_rng_double (&r);
  switch ((SeedKind) c->kind)
    {
    case KIND_GOVERNMENT:
      c->tier = u < 0.40 ? TIER_KEY : u < 0.80 ? TIER_MAJOR : TIER_STANDARD;
      break;
    case KIND_LARGE:
      c->tier = u < 0.15 ? TIER_KEY : u < 0.60 ? TIER_MAJOR : TIER_STANDARD;
      break;
    case KIND_SME:
    default:
      c->tier = u < 0.01 ? TIER_KEY : u < 0.14 ? TIER_MAJOR : TIER_STANDARD;
      break;
    }
  if (c->status == STATUS_PROSPECT)
    c->contacts = 1;
  else if (c->tier == TIER_KEY)
    c->contacts = (guint8) seed_rng_range (&r, 2, 3);
  else if (c->tier == TIER_MAJOR)
    c->contacts = (guint8) seed_rng_range (&r, 1, 3);
  else
    c->contacts = seed_rng_chance (&r, 0.7) ? 1 : 2;
}

static void
plan_summary (SeedWorld    *w,
              guint         i,
              SeedCustomer *c)
{
  SeedSub subs[SEED_MAX_SUBS];
  SeedSeries s;
  guint n = seed_customer_subs (w, i, subs);
  gint64 sum = 0;
  int months = 0;

  seed_customer_series (w, i, subs, n, &s);
  c->monthly_revenue = s.first < SEED_MONTHS ? s.revenue[SEED_MONTHS - 1] : 0;
  c->arrears = s.first < SEED_MONTHS ? s.arrears[SEED_MONTHS - 1] : 0;
  for (int m = MAX (s.first, SEED_MONTHS - 12); m < SEED_MONTHS; m++)
    {
      sum += s.revenue[m];
      months++;
    }
  if (c->status == STATUS_PROSPECT)
    c->value = 3;
  else
    {
      gint64 avg = months ? sum / months : 0;
      c->value = avg >= 2000000 ? 0 : avg >= 200000 ? 1 : 2;
    }

  c->churn_risk = 0;
  if (c->status == STATUS_ACTIVE)
    {
      SeedRng r;
      int risk;

      seed_rng_init (&r, w->seed, STREAM_CORE, (guint64) i + (G_GUINT64_CONSTANT (2) << 40));
      risk = 4 + (int) seed_rng_below (&r, 14);
      if (c->signals & SIGNAL_FALLING_USAGE)
        risk += 26 + (int) seed_rng_below (&r, 8);
      if (c->signals & SIGNAL_ARREARS)
        risk += 16 + ((c->signals & SIGNAL_ARREARS_GROWING) ? 12 : 0);
      if (c->signals & SIGNAL_CONTRACT_ENDING)
        risk += 14 + ((c->prefers & 1) ? 6 : 0);
      risk += 13 * MIN (c->complaints, 2);
      if (c->tier == TIER_STANDARD)
        risk += 3;
      c->churn_risk = (guint8) CLAMP (risk, 0, 98);
    }
}

void
seed_plan_customers (SeedWorld *w)
{
  g_autofree guint32 *owner_of = g_new (guint32, MAX (1, w->n_customers));
  guint64 contacts = 0;

  assign_owners (w, owner_of);
  w->customers = g_new0 (SeedCustomer, MAX (1, w->n_customers));
  w->names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < w->n_customers; i++)
    {
      SeedCustomer *c = &w->customers[i];
      SeedUser *owner = seed_user (w, owner_of[i]);

      c->owner = owner_of[i];
      c->city = (guint8) owner->city;
      plan_core (w, i, c);
      make_name (w, i, c);
      plan_tier (w, i, c);
      c->contact_first = (guint32) contacts;
      contacts += c->contacts;
      plan_summary (w, i, c);
      owner->customers++;
      owner->book += c->monthly_revenue;
    }
  w->n_contacts = contacts;
}

/* ------------------------------------------------------------------ */
/* Loading */

static const char * const kind_names[] = { "government", "large_enterprise", "sme" };
static const char * const tier_names[] = { "key", "major", "standard" };
static const char * const status_names[] = { "prospect", "active", "churned" };
static const char * const value_names[] = { "high", "medium", "low" };
static const char * const sub_status_names[] = { "active", "suspended", "cancelled" };

static char *
put_entity (char       *p,
            SeedWorld  *w,
            SeedEntity  entity,
            guint64     number)
{
  SeedUuid id = seed_uuid (w->seed, entity, number);

  return seed_put_uuid (p, &id);
}

static const char *
credit_rating (SeedRng            *r,
               const SeedCustomer *c)
{
  static const char * const ratings[] = { "AAA", "AA", "A", "BBB", "BB", "B", "C" };
  static const guint normal[] = { 8, 17, 30, 30, 10, 4, 1 };
  static const guint public_body[] = { 45, 35, 15, 5, 0, 0, 0 };
  static const guint owing[] = { 0, 2, 10, 38, 30, 15, 5 };
  static const guint bad[] = { 0, 0, 2, 10, 30, 35, 23 };

  if (c->signals & SIGNAL_ARREARS_GROWING)
    return ratings[seed_rng_weighted (r, bad, 7)];
  if (c->signals & (SIGNAL_ARREARS | SIGNAL_ARREARS_PAST))
    return ratings[seed_rng_weighted (r, owing, 7)];
  if (c->kind == KIND_GOVERNMENT)
    return ratings[seed_rng_weighted (r, public_body, 7)];
  return ratings[seed_rng_weighted (r, normal, 7)];
}

static const char *
churn_text (SeedRng            *r,
            const SeedCustomer *c)
{
  switch ((SeedChurnCause) c->churn_cause)
    {
    case CHURN_COMPETITOR:
      return SEED_PICK (r, seed_churn_text_competitor);
    case CHURN_SERVICE:
      return SEED_PICK (r, seed_churn_text_service);
    case CHURN_ARREARS:
      return SEED_PICK (r, seed_churn_text_arrears);
    case CHURN_OTHER:
    default:
      return SEED_PICK (r, seed_churn_text_other);
    }
}

static char *
put_landline (char          *p,
              SeedRng       *r,
              const SeedCity *city)
{
  p = seed_cat (p, city->area_code);
  *p++ = '-';
  *p++ = (char) ('2' + seed_rng_below (r, 7));
  p = seed_cat_uint_w (p, seed_rng_below (r, city->digits == 8 ? 10000000 : 1000000), (int) city->digits - 1);
  *p++ = '\t';
  return p;
}

static gboolean
load_customers (SeedWorld  *w,
                PGconn     *conn,
                GError    **error)
{
  static const char * const prefer_words[] = { "discount", "new_technology", "service" };
  static const char * const reg_kinds[] = { "91", "11", "12" };
  SeedCopy copy;

  if (!seed_copy_begin (&copy, conn, "customers",
                        "id, name, name_en, kind, industry, region_id, tier, owner_id, status, credit_rating, "
                        "registration_no, address, phone, agent_id, value_segment, prefers, monthly_revenue, "
                        "arrears, churn_risk, churn_reasons, churned_on, churn_reason, became_customer, created_at, "
                        "updated_at",
                        error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      const SeedCustomer *c = &w->customers[i];
      SeedRng r;
      char code[20];
      char *p = seed_copy_row (&copy);
      gboolean first;
      gint64 created, updated;

      seed_rng_init (&r, w->seed, STREAM_DETAIL, i);
      p = put_entity (p, w, ENTITY_CUSTOMER, i);
      p = seed_put_str (p, c->name);
      p = seed_put_opt (p, c->name_en);
      p = seed_put_str (p, kind_names[c->kind]);
      p = seed_put_str (p, seed_industry_names[c->industry]);
      p = put_entity (p, w, ENTITY_REGION, (guint64) w->city_region[c->city]);
      p = seed_put_str (p, tier_names[c->tier]);
      p = put_entity (p, w, ENTITY_USER, c->owner);
      p = seed_put_str (p, status_names[c->status]);
      p = seed_put_str (p, credit_rating (&r, c));
      seed_credit_code (&r, reg_kinds[c->reg_kind], seed_customer_region_code (c), code);
      p = seed_put_str (p, code);
      p = seed_cat_address (p, &r, c->city, c->district, FALSE);
      *p++ = '\t';
      p = put_landline (p, &r, &seed_cities[c->city]);
      if (c->agent)
        p = put_entity (p, w, ENTITY_AGENT, c->agent - 1u);
      else
        p = seed_put_null (p);
      p = c->value < 3 ? seed_put_str (p, value_names[c->value]) : seed_put_null (p);
      *p++ = '{';
      first = TRUE;
      for (guint k = 0; k < 3; k++)
        if (c->prefers & (1u << k))
          {
            if (!first)
              *p++ = ',';
            p = seed_cat (p, prefer_words[k]);
            first = FALSE;
          }
      p = seed_cat (p, "}\t");
      p = seed_put_int (p, c->monthly_revenue);
      p = seed_put_int (p, c->arrears);
      p = c->status == STATUS_ACTIVE ? seed_put_int (p, c->churn_risk) : seed_put_null (p);
      *p++ = '{';
      first = TRUE;
      if (c->status != STATUS_PROSPECT)
        {
          static const struct { guint bit; const char *word; } reasons[] = {
            { SIGNAL_FALLING_USAGE, "falling_usage" },
            { SIGNAL_COMPLAINTS, "complaints" },
            { SIGNAL_ARREARS, "arrears" },
            { SIGNAL_CONTRACT_ENDING, "contract_ending" },
          };

          for (guint k = 0; k < G_N_ELEMENTS (reasons); k++)
            if (c->signals & reasons[k].bit)
              {
                if (!first)
                  *p++ = ',';
                p = seed_cat (p, reasons[k].word);
                first = FALSE;
              }
        }
      p = seed_cat (p, "}\t");
      p = seed_put_date (p, c->churned_on);
      p = c->status == STATUS_CHURNED ? seed_put_str (p, churn_text (&r, c)) : seed_put_null (p);
      p = seed_put_date (p, c->became);
      created = (gint64) c->created * SEED_DAY + 9 * SEED_HOUR + seed_rng_below (&r, 9 * SEED_HOUR);
      p = seed_put_time (p, created);
      /* last touched: by the billing run or its manager in the last weeks,
       * or when it left */
      if (c->status == STATUS_CHURNED)
        updated = (gint64) (c->churned_on + 1) * SEED_DAY + 10 * SEED_HOUR;
      else
        updated = SEED_NOW - 10 * SEED_HOUR - (gint64) seed_rng_below (&r, 75) * SEED_DAY +
                  9 * SEED_HOUR + seed_rng_below (&r, 9 * SEED_HOUR);
      p = seed_put_time (p, MAX (created, MIN (updated, SEED_NOW)));
      seed_copy_row_end (&copy, p);
    }
  return seed_copy_end (&copy, error);
}

/* A contact's buying role (server/sql/0013) from their job title; NULL for
 * titles that say nothing about it.  Senior titles are the decision maker
 * when the customer has none yet, an influencer after that: one decision
 * maker for most customers.  No random draw, so the other columns stay as
 * they were. */
static const char *
contact_role (const char *title,
              gboolean   *have_decision_maker)
{
  static const char * const senior[] = { "总经理", "副总经理", "首席信息官", "副局长", "信息中心主任", "办公室主任" };
  static const struct { const char *title, *role; } roles[] = {
    { "IT 主管", "technical" }, { "信息部经理", "technical" }, { "信息科科长", "technical" },
    { "网络工程师", "user" }, { "运维主管", "user" }, { "网络管理员", "user" }, { "后勤服务中心主任", "user" },
    { "采购经理", "influencer" }, { "财务经理", "finance" }, { "财务科科长", "finance" },
    { "行政经理", "other" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (senior); i++)
    if (g_str_equal (title, senior[i]))
      {
        if (*have_decision_maker)
          return "influencer";
        *have_decision_maker = TRUE;
        return "decision_maker";
      }
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (title, roles[i].title))
      return roles[i].role;
  return NULL;
}

static gboolean
load_contacts (SeedWorld  *w,
               PGconn     *conn,
               GError    **error)
{
  SeedCopy copy;

  if (!seed_copy_begin (&copy, conn, "contacts",
                        "id, customer_id, name, title, mobile, email, id_number, address, is_primary, created_at, "
                        "updated_at, role",
                        error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      const SeedCustomer *c = &w->customers[i];
      char customer_id[37];
      SeedUuid cid = seed_uuid (w->seed, ENTITY_CUSTOMER, i);
      SeedRng r;
      gboolean have_decision_maker = FALSE;

      seed_uuid_to_text (&cid, customer_id);
      seed_rng_init (&r, w->seed, STREAM_CONTACTS, i);
      for (guint j = 0; j < c->contacts; j++)
        {
          char name[64], pinyin[64];
          char *p = seed_copy_row (&copy);
          gboolean male = seed_rng_chance (&r, 0.6);
          const char *title;
          gint64 created;

          seed_person (&r, name, pinyin);
          p = put_entity (p, w, ENTITY_CONTACT, c->contact_first + j);
          p = seed_put_uuid_text (p, customer_id);
          p = seed_put_str (p, name);
          if (c->kind == KIND_GOVERNMENT)
            title = j == 0 ? seed_titles_government[seed_rng_below (&r, 3)] : SEED_PICK (&r, seed_titles_government);
          else
            title = j == 0 ? seed_titles_enterprise[seed_rng_below (&r, 5)] : SEED_PICK (&r, seed_titles_enterprise);
          p = seed_put_str (p, title);
          p = seed_cat (p, SEED_PICK (&r, seed_mobile_prefixes));
          p = seed_cat_uint_w (p, seed_rng_below (&r, 100000000), 8);
          *p++ = '\t';
          if (seed_rng_chance (&r, 0.85))
            {
              if (seed_rng_chance (&r, 0.5))
                p = seed_cat (p, pinyin);
              else
                for (const char *q = pinyin; *q; q++)
                  if (*q != '.')
                    *p++ = *q;
              *p++ = '@';
              p = seed_put_str (p, c->domain);
            }
          else
            p = seed_put_null (p);
          if (seed_rng_chance (&r, 0.35))
            {
              char idn[20];
              int birth = seed_days_from_civil (1965, 1, 1) + (int) seed_rng_below (&r, 34 * 365);

              seed_id_number (&r, seed_customer_region_code (c), birth, male, idn);
              p = seed_put_str (p, idn);
            }
          else
            p = seed_put_null (p);
          if (seed_rng_chance (&r, 0.25))
            {
              guint nd = 0;

              while (nd < 6 && seed_cities[c->city].districts[nd].name)
                nd++;
              p = seed_cat_address (p, &r, c->city, nd ? seed_rng_below (&r, nd) : 0xff, TRUE);
              *p++ = '\t';
            }
          else
            p = seed_put_null (p);
          p = seed_put_bool (p, j == 0);
          created = MIN (SEED_NOW - SEED_DAY,
                         (gint64) (c->created + (j == 0 ? 0 : (int) seed_rng_below (&r, 400))) * SEED_DAY +
                         9 * SEED_HOUR + seed_rng_below (&r, 9 * SEED_HOUR));
          p = seed_put_time (p, created);
          p = seed_put_time (p, created);
          p = seed_put_opt (p, contact_role (title, &have_decision_maker));
          seed_copy_row_end (&copy, p);
        }
    }
  return seed_copy_end (&copy, error);
}

static gboolean
load_subscriptions (SeedWorld  *w,
                    PGconn     *conn,
                    GError    **error)
{
  SeedCopy copy;
  guint64 number = 0;

  if (!seed_copy_begin (&copy, conn, "subscriptions",
                        "id, customer_id, product_id, quantity, monthly_fee, started_on, contract_end, status, "
                        "cancelled_on, updated_at", error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      SeedSub subs[SEED_MAX_SUBS];
      guint n = seed_customer_subs (w, i, subs);
      char customer_id[37];
      SeedUuid cid = seed_uuid (w->seed, ENTITY_CUSTOMER, i);

      seed_uuid_to_text (&cid, customer_id);
      for (guint k = 0; k < n; k++)
        {
          const SeedSub *s = &subs[k];
          char *p = seed_copy_row (&copy);

          p = put_entity (p, w, ENTITY_SUBSCRIPTION, number++);
          p = seed_put_uuid_text (p, customer_id);
          p = put_entity (p, w, ENTITY_PRODUCT, s->product);
          p = seed_put_int (p, s->quantity);
          p = seed_put_int (p, s->fee);
          p = seed_put_date (p, s->started_on);
          p = seed_put_date (p, s->contract_end);
          p = seed_put_str (p, sub_status_names[s->status]);
          p = seed_put_date (p, s->cancelled_on);
          p = seed_put_time (p, (gint64) MIN (SEED_TODAY - 1, s->cancelled_on >= 0 ? s->cancelled_on : s->started_on) *
                                SEED_DAY + 15 * SEED_HOUR);
          seed_copy_row_end (&copy, p);
        }
    }
  return seed_copy_end (&copy, error);
}

static gboolean
load_revenue (SeedWorld  *w,
              PGconn     *conn,
              GError    **error)
{
  SeedCopy copy;
  char months[SEED_MONTHS][12];
  char billed[SEED_MONTHS][28];

  /* updated_at: the billing run early on the 1st of the next month */
  for (int m = 0; m < SEED_MONTHS; m++)
    {
      char *e = seed_cat_date (months[m], seed_month_start (m));
      *e++ = '\t';
      *e = '\0';
      e = seed_put_time (billed[m], (gint64) seed_month_start (m + 1) * SEED_DAY + 2 * SEED_HOUR);
      e[-1] = '\n';
      *e = '\0';
    }
  if (!seed_copy_begin (&copy, conn, "revenue_months",
                        "customer_id, month, revenue, arrears, usage_index, updated_at", error))
    return FALSE;
  for (guint i = 0; i < w->n_customers; i++)
    {
      SeedSub subs[SEED_MAX_SUBS];
      SeedSeries s;
      guint n;
      char customer_id[37];
      SeedUuid cid;
      char *p;

      if (w->customers[i].status == STATUS_PROSPECT)
        continue;
      n = seed_customer_subs (w, i, subs);
      seed_customer_series (w, i, subs, n, &s);
      cid = seed_uuid (w->seed, ENTITY_CUSTOMER, i);
      seed_uuid_to_text (&cid, customer_id);
      customer_id[36] = '\t';
      /* the rows of one customer fit in one reservation */
      p = seed_copy_row (&copy);
      for (int m = s.first; m < SEED_MONTHS; m++)
        {
          memcpy (p, customer_id, 37);
          memcpy (p + 37, months[m], 11);
          p += 48;
          p = seed_cat_uint (p, (guint64) s.revenue[m]);
          *p++ = '\t';
          p = seed_cat_uint (p, (guint64) s.arrears[m]);
          *p++ = '\t';
          p = seed_cat_uint (p, (guint64) s.usage[m]);
          *p++ = '\t';
          p = seed_cat (p, billed[m]);
          copy.rows++;
        }
      copy.len = (gsize) (p - copy.data);
      if (copy.len >= (1u << 20))
        seed_copy_flush (&copy);
    }
  return seed_copy_end (&copy, error);
}

gboolean
seed_load_customers (SeedWorld  *w,
                     PGconn     *conn,
                     GError    **error)
{
  return load_customers (w, conn, error) &&
         load_contacts (w, conn, error) &&
         load_subscriptions (w, conn, error) &&
         load_revenue (w, conn, error);
}
