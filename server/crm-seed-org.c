#define G_LOG_DOMAIN "crm-seed"

#include "config.h"

#include <string.h>

#include "crm-seed-data.h"
#include "crm-seed-private.h"

#define N_PROVINCES G_N_ELEMENTS (seed_provinces)
#define N_CITIES    G_N_ELEMENTS (seed_cities)
#define MANAGERS_PER_TEAM 8
#define AGENTS_PER_CITY 5    /* direct sales, two agents, two business halls */

G_STATIC_ASSERT (N_PROVINCES <= 32);
G_STATIC_ASSERT (N_CITIES <= 255);

/* Spreads @total over @n slots by @weights (largest remainder). */
static void
apportion (guint        total,
           const double *weights,
           guint        n,
           guint       *out)
{
  double sum = 0;
  guint given = 0;
  g_autofree double *rest = g_new0 (double, n);

  for (guint i = 0; i < n; i++)
    sum += weights[i];
  for (guint i = 0; i < n; i++)
    {
      double exact = sum > 0 ? total * weights[i] / sum : 0;

      out[i] = (guint) exact;
      rest[i] = exact - out[i];
      given += out[i];
    }
  while (given < total)
    {
      guint best = 0;

      for (guint i = 1; i < n; i++)
        if (rest[i] > rest[best])
          best = i;
      out[best]++;
      rest[best] = -1;
      given++;
    }
}

/* Gives slot 0 at least one, taken from the largest other slot. */
static void
ensure_first (guint *counts,
              guint  n)
{
  guint largest = 1;

  if (counts[0] > 0 || n < 2)
    return;
  for (guint i = 2; i < n; i++)
    if (counts[i] > counts[largest])
      largest = i;
  if (counts[largest] > 0)
    {
      counts[largest]--;
      counts[0]++;
    }
}

static guint
add_team (SeedWorld  *w,
          const char *name,
          const char *name_en,
          int         region,
          int         parent,
          gboolean    sales)
{
  SeedTeam t = { seed_world_strdup (w, name), seed_world_strdup (w, name_en), region, parent, -1, sales };

  g_array_append_val (w->teams, t);
  return w->teams->len - 1;
}

static guint
add_user (SeedWorld  *w,
          SeedRng    *r,
          const char *login,
          const char *fixed_name,
          const char *fixed_pinyin,
          SeedRole    role,
          int         team,
          int         region,
          int         city,
          int         province)
{
  SeedUser u = { 0 };

  u.login = seed_world_strdup (w, login);
  if (fixed_name)
    {
      u.name = fixed_name;
      u.pinyin = fixed_pinyin;
    }
  else
    seed_person_name (w, r, &u.name, &u.pinyin);
  u.role = role;
  u.team = team;
  u.region = region;
  u.city = city;
  u.province = province;
  g_array_append_val (w->users, u);
  return w->users->len - 1;
}

void
seed_plan_org (SeedWorld *w)
{
  SeedRng r;
  guint n_managers = MAX (1, (w->n_customers + 75) / 150);
  guint n_service = MAX (2, (w->n_customers + 500) / 1000);
  guint n_marketing = MAX (2, (w->n_customers + 25000) / 50000);
  double weights[N_CITIES];
  guint managers[N_CITIES], service[N_CITIES];
  int province_team[N_PROVINCES], marketing_team[N_PROVINCES];
  guint am_number = 0;
  char buf[256], buf_en[256], login[32];

  seed_rng_init (&r, w->seed, STREAM_ORG, 0);

  /* regions */
  w->n_regions = 1 + N_PROVINCES + N_CITIES;
  w->city_region = g_new (int, N_CITIES);
  for (guint p = 0; p < N_PROVINCES; p++)
    w->province_region[p] = (int) (1 + p);
  for (guint c = 0; c < N_CITIES; c++)
    w->city_region[c] = (int) (1 + N_PROVINCES + c);

  /* account managers over the cities by market weight; 广州 has the demo one */
  for (guint c = 0; c < N_CITIES; c++)
    weights[c] = seed_cities[c].weight;
  apportion (n_managers, weights, N_CITIES, managers);
  ensure_first (managers, N_CITIES);

  w->city_managers = g_new0 (GArray *, N_CITIES);
  w->city_service = g_new0 (GArray *, N_CITIES);
  for (guint c = 0; c < N_CITIES; c++)
    {
      w->city_managers[c] = g_array_new (FALSE, FALSE, sizeof (guint));
      w->city_service[c] = g_array_new (FALSE, FALSE, sizeof (guint));
    }
  w->marketing = g_array_new (FALSE, FALSE, sizeof (guint));
  w->service_all = g_array_new (FALSE, FALSE, sizeof (guint));

  /* province teams */
  for (guint p = 0; p < N_PROVINCES; p++)
    {
      const SeedProvince *prov = &seed_provinces[p];

      g_snprintf (buf, sizeof buf, "%s分公司政企客户部", prov->name);
      g_snprintf (buf_en, sizeof buf_en, "%s Branch, Government & Enterprise Division", prov->name_en);
      province_team[p] = (int) add_team (w, buf, buf_en, w->province_region[p], -1, FALSE);
      g_snprintf (buf, sizeof buf, "%s分公司市场部", prov->name);
      g_snprintf (buf_en, sizeof buf_en, "%s Branch, Marketing Department", prov->name_en);
      marketing_team[p] = (int) add_team (w, buf, buf_en, w->province_region[p], -1, FALSE);
    }

  /* users: the administrator, the directors, then the account managers */
  w->demo_admin = add_user (w, &r, "admin", "系统管理员", "admin", ROLE_ADMIN, -1, 0, -1, -1);
  for (guint p = 0; p < N_PROVINCES; p++)
    {
      if (p == 0)
        {
          w->province_director[p] = (int) add_user (w, &r, "director", "陈国栋", "chen.guodong", ROLE_DIRECTOR,
                                                    province_team[p], w->province_region[p], -1, (int) p);
          w->demo_director = (guint) w->province_director[p];
        }
      else
        {
          g_snprintf (login, sizeof login, "dir_%s", seed_provinces[p].slug);
          w->province_director[p] = (int) add_user (w, &r, login, NULL, NULL, ROLE_DIRECTOR,
                                                    province_team[p], w->province_region[p], -1, (int) p);
        }
    }

  for (guint c = 0; c < N_CITIES; c++)
    {
      const SeedCity *city = &seed_cities[c];
      guint p = city->province;
      guint n_teams = (managers[c] + MANAGERS_PER_TEAM - 1) / MANAGERS_PER_TEAM;

      for (guint t = 0; t < n_teams; t++)
        {
          char *q = buf;
          guint team;
          guint first = t * managers[c] / n_teams, last = (t + 1) * managers[c] / n_teams;

          q = seed_cat (q, city->short_name);
          q = seed_cat (q, "政企客户");
          q = seed_cat_chinese_number (q, t + 1);
          q = seed_cat (q, "部");
          *q = '\0';
          g_snprintf (buf_en, sizeof buf_en, "%s Government & Enterprise Dept. %u", city->name_en, t + 1);
          team = add_team (w, buf, buf_en, w->city_region[c], province_team[p], TRUE);

          for (guint m = first; m < last; m++)
            {
              guint u;

              if (c == 0 && m == 0)
                {
                  u = add_user (w, &r, "manager", "林晓峰", "lin.xiaofeng", ROLE_MANAGER, (int) team,
                                w->city_region[c], (int) c, (int) p);
                  w->demo_manager = u;
                }
              else
                {
                  g_snprintf (login, sizeof login, "am%04u", ++am_number);
                  u = add_user (w, &r, login, NULL, NULL, ROLE_MANAGER, (int) team, w->city_region[c],
                                (int) c, (int) p);
                }
              if (m == first)
                g_array_index (w->teams, SeedTeam, team).manager_lead = (int) u;
              g_array_append_val (w->city_managers[c], u);
            }
        }
    }

  /* marketing, one province after another starting with 广东 */
  for (guint k = 0; k < n_marketing; k++)
    {
      guint p = k % N_PROVINCES;
      guint u;

      if (k == 0)
        u = add_user (w, &r, "marketing", "周雨婷", "zhou.yuting", ROLE_MARKETING, marketing_team[p],
                      w->province_region[p], -1, (int) p);
      else
        {
          g_snprintf (login, sizeof login, "mkt%02u", k);
          u = add_user (w, &r, login, NULL, NULL, ROLE_MARKETING, marketing_team[p],
                        w->province_region[p], -1, (int) p);
        }
      g_array_append_val (w->marketing, u);
    }

  /* service staff where the customers are: the managers measure that */
  for (guint c = 0; c < N_CITIES; c++)
    weights[c] = managers[c];
  apportion (n_service, weights, N_CITIES, service);
  ensure_first (service, N_CITIES);
  {
    guint svc_number = 0;

    for (guint c = 0; c < N_CITIES; c++)
      {
        const SeedCity *city = &seed_cities[c];
        guint team;

        if (service[c] == 0)
          continue;
        g_snprintf (buf, sizeof buf, "%s客户响应中心", city->short_name);
        g_snprintf (buf_en, sizeof buf_en, "%s Customer Response Center", city->name_en);
        team = add_team (w, buf, buf_en, w->city_region[c], -1, FALSE);
        for (guint k = 0; k < service[c]; k++)
          {
            guint u;

            if (c == 0 && k == 0)
              {
                u = add_user (w, &r, "service", "黄丽娟", "huang.lijuan", ROLE_SERVICE, (int) team,
                              w->city_region[c], (int) c, (int) city->province);
                w->demo_service = u;
              }
            else
              {
                g_snprintf (login, sizeof login, n_service > 99 ? "svc%04u" : "svc%02u", ++svc_number);
                u = add_user (w, &r, login, NULL, NULL, ROLE_SERVICE, (int) team, w->city_region[c],
                              (int) c, (int) city->province);
              }
            g_array_append_val (w->city_service[c], u);
            g_array_append_val (w->service_all, u);
          }
      }
  }
  w->demo_marketing = g_array_index (w->marketing, guint, 0);

  /* channels: per city a direct sales team, two agents and two business
   * halls; two online channels for the whole country */
  for (guint c = 0; c < N_CITIES; c++)
    {
      const SeedCity *city = &seed_cities[c];
      const SeedProvince *prov = &seed_provinces[city->province];
      SeedAgent a;

      g_snprintf (buf, sizeof buf, "%s政企直销中心", city->short_name);
      a = (SeedAgent) { seed_world_strdup (w, buf), "direct", w->city_region[c] };
      g_array_append_val (w->agents, a);
      for (guint k = 0; k < 2; k++)
        {
          const SeedSyllable *b1 = &SEED_PICK (&r, seed_brand);
          const SeedSyllable *b2 = &SEED_PICK (&r, seed_brand);

          g_snprintf (buf, sizeof buf, "%s%s%s%s", prov->municipality ? prov->short_name : city->short_name,
                      b1->hanzi, b2->hanzi, k == 0 ? "通信技术有限公司" : "信息服务有限公司");
          a = (SeedAgent) { seed_world_strdup (w, buf), "agent", w->city_region[c] };
          g_array_append_val (w->agents, a);
        }
      for (guint k = 0; k < 2; k++)
        {
          const char *district = "";
          char area[64];
          const char *road = SEED_PICK (&r, seed_roads);

          if (city->districts[k].name)
            district = city->districts[k].name;
          else if (city->districts[0].name)
            district = city->districts[0].name;
          /* 天河区 → 天河 */
          g_strlcpy (area, district, sizeof area);
          if (g_str_has_suffix (area, "区"))
            area[strlen (area) - strlen ("区")] = '\0';
          g_snprintf (buf, sizeof buf, "%s%s%s营业厅", city->short_name, area, road);
          a = (SeedAgent) { seed_world_strdup (w, buf), "business_hall", w->city_region[c] };
          g_array_append_val (w->agents, a);
        }
    }
  {
    SeedAgent online1 = { "网上营业厅", "online", -1 };
    SeedAgent online2 = { "政企客户服务 App", "online", -1 };

    g_array_append_val (w->agents, online1);
    g_array_append_val (w->agents, online2);
  }
}

/* ------------------------------------------------------------------ */

static char *
put_ref (char      *p,
         SeedWorld *w,
         SeedEntity entity,
         int        index)
{
  SeedUuid id;

  if (index < 0)
    return seed_put_null (p);
  id = seed_uuid (w->seed, entity, (guint64) index);
  return seed_put_uuid (p, &id);
}

static gboolean
load_regions (SeedWorld  *w,
              PGconn     *conn,
              GError    **error)
{
  SeedCopy copy;
  char *p;

  if (!seed_copy_begin (&copy, conn, "regions", "id, parent_id, code, name, name_en, level", error))
    return FALSE;
  p = seed_copy_row (&copy);
  p = put_ref (p, w, ENTITY_REGION, 0);
  p = seed_put_null (p);
  p = seed_put_str (p, "CN");
  p = seed_put_str (p, "中国");
  p = seed_put_str (p, "China");
  p = seed_put_str (p, "0");
  seed_copy_row_end (&copy, p);
  for (guint i = 0; i < N_PROVINCES; i++)
    {
      p = seed_copy_row (&copy);
      p = put_ref (p, w, ENTITY_REGION, w->province_region[i]);
      p = put_ref (p, w, ENTITY_REGION, 0);
      p = seed_put_str (p, seed_provinces[i].code);
      p = seed_put_str (p, seed_provinces[i].name);
      p = seed_put_str (p, seed_provinces[i].name_en);
      p = seed_put_str (p, "1");
      seed_copy_row_end (&copy, p);
    }
  for (guint i = 0; i < N_CITIES; i++)
    {
      p = seed_copy_row (&copy);
      p = put_ref (p, w, ENTITY_REGION, w->city_region[i]);
      p = put_ref (p, w, ENTITY_REGION, w->province_region[seed_cities[i].province]);
      p = seed_put_str (p, seed_cities[i].code);
      p = seed_put_str (p, seed_cities[i].name);
      p = seed_put_str (p, seed_cities[i].name_en);
      p = seed_put_str (p, "2");
      seed_copy_row_end (&copy, p);
    }
  return seed_copy_end (&copy, error);
}

static gboolean
load_teams (SeedWorld  *w,
            PGconn     *conn,
            GError    **error)
{
  SeedCopy copy;

  if (!seed_copy_begin (&copy, conn, "teams", "id, region_id, parent_id, name, name_en", error))
    return FALSE;
  for (guint i = 0; i < w->teams->len; i++)
    {
      const SeedTeam *t = &g_array_index (w->teams, SeedTeam, i);
      char *p = seed_copy_row (&copy);

      p = put_ref (p, w, ENTITY_TEAM, (int) i);
      p = put_ref (p, w, ENTITY_REGION, t->region);
      p = put_ref (p, w, ENTITY_TEAM, t->parent);
      p = seed_put_str (p, t->name);
      p = seed_put_str (p, t->name_en);
      seed_copy_row_end (&copy, p);
    }
  return seed_copy_end (&copy, error);
}

static const char * const role_names[] = { "admin", "director", "manager", "marketing", "service" };

static gboolean
load_users (SeedWorld  *w,
            PGconn     *conn,
            GError    **error)
{
  SeedCopy copy;
  SeedRng r;

  seed_rng_init (&r, w->seed, STREAM_ORG, 1);
  if (!seed_copy_begin (&copy, conn, "users",
                        "id, login, display_name, role, team_id, region_id, email, phone, password_hash",
                        error))
    return FALSE;
  for (guint i = 0; i < w->users->len; i++)
    {
      const SeedUser *u = seed_user (w, i);
      const char *slug = u->province >= 0 ? seed_provinces[u->province].slug : "hq";
      char *p = seed_copy_row (&copy);

      p = put_ref (p, w, ENTITY_USER, (int) i);
      p = seed_put_str (p, u->login);
      p = seed_put_str (p, u->name);
      p = seed_put_str (p, role_names[u->role]);
      p = put_ref (p, w, ENTITY_TEAM, u->team);
      p = put_ref (p, w, ENTITY_REGION, u->region);
      /* e-mail: pinyin.login@province.keyline.example (a reserved domain) */
      p = seed_cat (p, u->pinyin);
      if (!g_str_equal (u->pinyin, u->login))
        {
          *p++ = '.';
          p = seed_cat (p, u->login);
        }
      *p++ = '@';
      p = seed_cat (p, slug);
      p = seed_cat (p, ".keyline.example\t");
      p = seed_cat (p, seed_mobile_prefixes[seed_rng_below (&r, 9)]);
      p = seed_cat_uint_w (p, seed_rng_below (&r, 100000000), 8);
      *p++ = '\t';
      p = seed_put_str (p, w->password_hash);
      seed_copy_row_end (&copy, p);
    }
  return seed_copy_end (&copy, error);
}

static gboolean
load_agents (SeedWorld  *w,
             PGconn     *conn,
             GError    **error)
{
  SeedCopy copy;

  if (!seed_copy_begin (&copy, conn, "agents", "id, name, kind, region_id", error))
    return FALSE;
  for (guint i = 0; i < w->agents->len; i++)
    {
      const SeedAgent *a = &g_array_index (w->agents, SeedAgent, i);
      char *p = seed_copy_row (&copy);

      p = put_ref (p, w, ENTITY_AGENT, (int) i);
      p = seed_put_str (p, a->name);
      p = seed_put_str (p, a->kind);
      p = put_ref (p, w, ENTITY_REGION, a->region);
      seed_copy_row_end (&copy, p);
    }
  return seed_copy_end (&copy, error);
}

static gboolean
load_products (SeedWorld  *w,
               PGconn     *conn,
               GError    **error)
{
  SeedCopy copy;

  if (!seed_copy_begin (&copy, conn, "products",
                        "id, code, category, name, name_en, list_fee, unit, active", error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (seed_products); i++)
    {
      const SeedProduct *pr = &seed_products[i];
      char *p = seed_copy_row (&copy);

      p = put_ref (p, w, ENTITY_PRODUCT, (int) i);
      p = seed_put_str (p, pr->code);
      p = seed_put_str (p, pr->category);
      p = seed_put_str (p, pr->name);
      p = seed_put_str (p, pr->name_en);
      p = seed_put_int (p, pr->list_fee);
      p = seed_put_str (p, pr->unit);
      p = seed_put_bool (p, pr->active);
      seed_copy_row_end (&copy, p);
    }
  return seed_copy_end (&copy, error);
}

gboolean
seed_load_org (SeedWorld  *w,
               PGconn     *conn,
               GError    **error)
{
  return load_regions (w, conn, error) &&
         load_teams (w, conn, error) &&
         load_users (w, conn, error) &&
         load_agents (w, conn, error) &&
         load_products (w, conn, error);
}
