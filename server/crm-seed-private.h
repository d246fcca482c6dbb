/* crm-seed-private.h: what the files of `keyline-server seed` share.
 *
 * The seed is deterministic: every value comes from a xoshiro256** stream
 * keyed by (--seed, purpose, entity index), so a table's rows can be
 * regenerated for any customer in any pass without keeping them in memory.
 * Rows travel to PostgreSQL as COPY text written by hand (no printf per
 * field).
 */
#pragma once

#include <string.h>

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Random numbers */

typedef struct
{
  guint64 s[4];
} SeedRng;

/* Streams: one per purpose, so that adding draws to one purpose does not
 * shift the values of another. */
typedef enum
{
  STREAM_ORG = 1,
  STREAM_OWNERS,
  STREAM_CORE,
  STREAM_NAME,
  STREAM_DETAIL,
  STREAM_CONTACTS,
  STREAM_SUBS,
  STREAM_REVENUE,
  STREAM_INTERACTIONS,
  STREAM_OPPORTUNITIES,
  STREAM_SERVICE,
  STREAM_CAMPAIGNS,
  STREAM_TARGETS,
  STREAM_UUID,
} SeedStream;

static inline guint64
seed_splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
seed_hash3 (guint64 a,
            guint64 b,
            guint64 c)
{
  guint64 x = a * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ b;

  x = seed_splitmix64 (&x) ^ c;
  return seed_splitmix64 (&x);
}

static inline void
seed_rng_init (SeedRng *r,
               guint64  seed,
               guint64  stream,
               guint64  index)
{
  guint64 x = seed_hash3 (seed, stream, index);

  r->s[0] = seed_splitmix64 (&x);
  r->s[1] = seed_splitmix64 (&x);
  r->s[2] = seed_splitmix64 (&x);
  r->s[3] = seed_splitmix64 (&x);
}

static inline guint64
seed_rotl (guint64 x,
           int     k)
{
  return (x << k) | (x >> (64 - k));
}

static inline guint64
seed_rng_next (SeedRng *r)
{
  guint64 result = seed_rotl (r->s[1] * 5, 7) * 9;
  guint64 t = r->s[1] << 17;

  r->s[2] ^= r->s[0];
  r->s[3] ^= r->s[1];
  r->s[1] ^= r->s[2];
  r->s[0] ^= r->s[3];
  r->s[2] ^= t;
  r->s[3] = seed_rotl (r->s[3], 45);
  return result;
}

/* Uniform in [0, n). */
static inline guint32
seed_rng_below (SeedRng *r,
                guint32  n)
{
  return (guint32) (((seed_rng_next (r) >> 32) * (guint64) n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline gint64
seed_rng_range (SeedRng *r,
                gint64   lo,
                gint64   hi)
{
  if (hi <= lo)
    return lo;
  return lo + (gint64) (seed_rng_next (r) % (guint64) (hi - lo + 1));
}

/* Uniform in [0, 1). */
static inline double
seed_rng_double (SeedRng *r)
{
  return (double) (seed_rng_next (r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline gboolean
seed_rng_chance (SeedRng *r,
                 double   p)
{
  return seed_rng_double (r) < p;
}

/* Roughly normal, mean 0 and deviation 1 (Irwin–Hall of four). */
static inline double
seed_rng_gauss (SeedRng *r)
{
  return (seed_rng_double (r) + seed_rng_double (r) + seed_rng_double (r) +
          seed_rng_double (r) - 2.0) * 1.7320508;
}

/* An index drawn with the given weights. */
guint    seed_rng_weighted (SeedRng      *r,
                            const guint  *weights,
                            guint         n);

#define SEED_PICK(r, array) ((array)[seed_rng_below ((r), G_N_ELEMENTS (array))])

/* ------------------------------------------------------------------ */
/* Identifiers: time-ordered UUIDs (version 7 layout) whose 48-bit clock
 * and 12-bit counter come from the entity's number and whose 62 random
 * bits come from the seed.  Ids of one table rise with the number, so the
 * primary keys grow at their right edge while loading. */

typedef enum
{
  ENTITY_REGION = 1,
  ENTITY_TEAM,
  ENTITY_USER,
  ENTITY_AGENT,
  ENTITY_PRODUCT,
  ENTITY_CUSTOMER,
  ENTITY_CONTACT,
  ENTITY_SUBSCRIPTION,
  ENTITY_INTERACTION,
  ENTITY_OPPORTUNITY,
  ENTITY_TARGET,
  ENTITY_SEGMENT,
  ENTITY_CAMPAIGN,
  ENTITY_SERVICE_REQUEST,
  ENTITY_SERVICE_STEP,
} SeedEntity;

typedef struct
{
  guint8 b[16];
} SeedUuid;

SeedUuid seed_uuid          (guint64     seed,
                             SeedEntity  entity,
                             guint64     number);
void     seed_uuid_to_text  (const SeedUuid *id,
                             char           *out);   /* 36 characters, no NUL */

/* ------------------------------------------------------------------ */
/* Dates: days since 1970-01-01; times: seconds since then on the clock
 * of China (UTC+8), written with "+08". */

#define SEED_MONTHS 24                 /* 2024-11 .. 2026-10 */
#define SEED_TODAY  20758              /* 2026-11-01 */
#define SEED_NOW    ((gint64) SEED_TODAY * 86400 + 10 * 3600)  /* 10:00 that morning */
#define SEED_DAY    86400
#define SEED_HOUR   3600

int      seed_days_from_civil (int  y,
                               int  m,
                               int  d);
void     seed_civil_from_days (int  days,
                               int *y,
                               int *m,
                               int *d);
/* First day of month @m of the revenue window (0 = 2024-11); 24 = 2026-11. */
int      seed_month_start     (int  m);
/* The window month a day falls in: <0 before the window, >=24 after. */
int      seed_month_of        (int  days);
int      seed_add_months      (int  days,
                               int  months);

/* ------------------------------------------------------------------ */
/* COPY text */

#define SEED_ROW_MAX 8192

typedef struct
{
  PGconn    *conn;
  const char *table;
  char      *data;
  gsize      len;
  gsize      cap;
  guint64    rows;
  gint64     started;
  gboolean   failed;
  char      *error;
  GPtrArray *indexes;   /* statements that make the dropped indexes again */
} SeedCopy;

gboolean seed_copy_begin   (SeedCopy    *copy,
                            PGconn      *conn,
                            const char  *table,
                            const char  *columns,
                            GError     **error);
void     seed_copy_flush   (SeedCopy    *copy);
gboolean seed_copy_end     (SeedCopy    *copy,
                            GError     **error);

/* Space for one row; finish it with seed_copy_row_end(). */
static inline char *
seed_copy_row (SeedCopy *copy)
{
  if (copy->len + SEED_ROW_MAX > copy->cap)
    seed_copy_flush (copy);
  return copy->data + copy->len;
}

static inline void
seed_copy_row_end (SeedCopy *copy,
                   char     *p)
{
  p[-1] = '\n';       /* replaces the tab after the last field */
  copy->len = (gsize) (p - copy->data);
  copy->rows++;
  if (copy->len >= (1u << 20))
    seed_copy_flush (copy);
}

/* Field writers: each appends the value and a tab and returns the end. */
static inline char *
seed_put_str (char       *p,
              const char *s)
{
  while (*s)
    *p++ = *s++;
  *p++ = '\t';
  return p;
}

/* Without the tab: parts of one field. */
static inline char *
seed_cat (char       *p,
          const char *s)
{
  while (*s)
    *p++ = *s++;
  return p;
}

static inline char *
seed_put_null (char *p)
{
  *p++ = '\\';
  *p++ = 'N';
  *p++ = '\t';
  return p;
}

static inline char *
seed_put_opt (char       *p,
              const char *s)
{
  return s ? seed_put_str (p, s) : seed_put_null (p);
}

static inline char *
seed_cat_uint (char    *p,
               guint64  v)
{
  char tmp[24];
  int n = 0;

  do
    {
      tmp[n++] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v);
  while (n)
    *p++ = tmp[--n];
  return p;
}

static inline char *
seed_cat_int (char   *p,
              gint64  v)
{
  if (v < 0)
    {
      *p++ = '-';
      return seed_cat_uint (p, (guint64) -v);
    }
  return seed_cat_uint (p, (guint64) v);
}

/* Zero-padded to @width digits. */
static inline char *
seed_cat_uint_w (char    *p,
                 guint64  v,
                 int      width)
{
  for (int i = width - 1; i >= 0; i--)
    {
      p[i] = (char) ('0' + v % 10);
      v /= 10;
    }
  return p + width;
}

static inline char *
seed_put_int (char   *p,
              gint64  v)
{
  p = seed_cat_int (p, v);
  *p++ = '\t';
  return p;
}

static inline char *
seed_put_bool (char     *p,
               gboolean  v)
{
  *p++ = v ? 't' : 'f';
  *p++ = '\t';
  return p;
}

static inline char *
seed_put_uuid (char           *p,
               const SeedUuid *id)
{
  seed_uuid_to_text (id, p);
  p[36] = '\t';
  return p + 37;
}

static inline char *
seed_put_uuid_text (char       *p,
                    const char *text36)
{
  memcpy (p, text36, 36);
  p[36] = '\t';
  return p + 37;
}

char    *seed_cat_date      (char   *p,
                             int     days);
char    *seed_put_date      (char   *p,
                             int     days);     /* days < 0: NULL */
char    *seed_put_time      (char   *p,
                             gint64  secs);     /* secs < 0: NULL */

/* ------------------------------------------------------------------ */
/* Codes with check digits */

/* 18-character unified social credit code: @kind "91" companies, "11"
 * government bodies, "12" public institutions. */
void     seed_credit_code   (SeedRng    *r,
                             const char *kind,
                             const char *region_code,
                             char       *out);      /* 19 bytes */
/* 18-character resident identity number. */
void     seed_id_number     (SeedRng    *r,
                             const char *region_code,
                             int         birth_days,
                             gboolean    male,
                             char       *out);      /* 19 bytes */
/* Chinese numerals 1..99 (一, 十二, 四十七). */
char    *seed_cat_chinese_number (char *p,
                                  guint n);
/* @templ with its "%s" replaced by @arg. */
char    *seed_cat_template  (char       *p,
                             const char *templ,
                             const char *arg);

/* ------------------------------------------------------------------ */
/* The world the passes share */

typedef enum { KIND_GOVERNMENT, KIND_LARGE, KIND_SME } SeedKind;
typedef enum { TIER_KEY, TIER_MAJOR, TIER_STANDARD } SeedTier;
typedef enum { STATUS_PROSPECT, STATUS_ACTIVE, STATUS_CHURNED } SeedStatus;
typedef enum { ROLE_ADMIN, ROLE_DIRECTOR, ROLE_MANAGER, ROLE_MARKETING, ROLE_SERVICE } SeedRole;

/* Churn signals of a customer, decided first and honoured by every table. */
enum
{
  SIGNAL_FALLING_USAGE   = 1 << 0,   /* usage index falls over the last months */
  SIGNAL_ARREARS         = 1 << 1,   /* arrears outstanding now */
  SIGNAL_ARREARS_GROWING = 1 << 2,   /* ... and growing month by month */
  SIGNAL_CONTRACT_ENDING = 1 << 3,   /* a contract ends within 90 days */
  SIGNAL_COMPLAINTS      = 1 << 4,   /* complaints in the last six months */
  SIGNAL_ARREARS_PAST    = 1 << 5,   /* arrears in the past, paid since */
};

typedef enum
{
  CHURN_COMPETITOR,
  CHURN_SERVICE,
  CHURN_ARREARS,
  CHURN_OTHER,
} SeedChurnCause;

typedef struct
{
  const char *login;
  const char *name;          /* 王伟 */
  const char *pinyin;        /* wang.wei */
  SeedRole    role;
  int         team;          /* -1: none */
  int         region;        /* -1: none */
  int         city;          /* index into seed_cities, -1 if none */
  int         province;      /* -1 if none */
  guint       customers;     /* managers: customers owned */
  gint64      book;          /* managers: monthly revenue of their customers, fen */
} SeedUser;

typedef struct
{
  const char *name;
  const char *name_en;
  int         region;
  int         parent;        /* -1: none */
  int         manager_lead;  /* a city sales team's first manager, -1 otherwise */
  gboolean    sales;         /* has account managers: gets targets */
} SeedTeam;

typedef struct
{
  const char *name;
  const char *kind;
  int         region;        /* -1: nationwide */
} SeedAgent;

typedef struct
{
  const char *name;          /* 广州市交通运输局 */
  const char *name_en;       /* NULL for about two thirds */
  const char *short_name;    /* 恒泰, or the whole name for public bodies */
  const char *domain;        /* e-mail domain */
  guint32     owner;         /* index into users */
  guint32     contact_first; /* number of its first contact */
  gint32      became;        /* day it became a customer, -1 for prospects */
  gint32      churned_on;    /* -1 unless churned */
  gint32      created;       /* day the record was made */
  gint64      monthly_revenue;
  gint64      arrears;
  guint16     agent;         /* 0: none, else agent index + 1 */
  guint8      city;
  guint8      district;
  guint8      kind;
  guint8      tier;
  guint8      status;
  guint8      industry;
  guint8      signals;
  guint8      complaints;    /* complaint work orders in the last six months */
  guint8      churn_cause;
  guint8      contacts;
  guint8      churn_risk;
  guint8      prefers;       /* bits: discount, new technology, service */
  guint8      value;         /* 0 high, 1 medium, 2 low, 3 none */
  guint8      reg_kind;      /* 0 company "91", 1 government "11", 2 institution "12" */
} SeedCustomer;

typedef struct
{
  guint64       seed;
  guint         n_customers;
  const char   *password_hash;
  GStringChunk *strings;

  /* regions: 0 the country, then the provinces, then the cities */
  guint         n_regions;
  int           province_region[32];
  int          *city_region;        /* per seed_cities entry */

  GArray       *teams;              /* SeedTeam */
  GArray       *users;              /* SeedUser */
  GArray       *agents;             /* SeedAgent */

  /* per city: its managers and service staff (user indices) */
  GArray      **city_managers;      /* guint arrays */
  GArray      **city_service;
  int           province_director[32];
  GArray       *marketing;          /* guint */
  GArray       *service_all;        /* guint */

  guint         demo_manager, demo_director, demo_marketing, demo_service, demo_admin;

  SeedCustomer *customers;
  guint64       n_contacts;
  GHashTable   *names;              /* customer names already used */

  /* opportunities: with --opportunities N (n_opportunities > 0), how many
   * each customer has (N spread by the customers' weights), else NULL
   * and a number per customer drawn from its tier as before */
  guint64       n_opportunities;
  guint16      *opportunity_count;
  /* what each user won per month of the seed's year (fen; filled while
   * opportunities load, read when the targets are sized) */
  gint64       *won_month;          /* users->len × 12 */
} SeedWorld;

/* The seed's year (of SEED_TODAY). */
#define SEED_YEAR 2026
/* --opportunities: at most this many per customer on average. */
#define MAX_OPPORTUNITIES_PER_CUSTOMER 200

static inline SeedUser *
seed_user (SeedWorld *w,
           guint      i)
{
  return &g_array_index (w->users, SeedUser, i);
}

/* A Chinese name and its pinyin ("wang.wei") into buffers of 64 bytes. */
void        seed_person            (SeedRng     *r,
                                    char        *name,
                                    char        *pinyin);
char       *seed_world_strdup      (SeedWorld   *w,
                                    const char  *s);
/* A Chinese name and its pinyin ("wang.wei"). */
void        seed_person_name       (SeedWorld   *w,
                                    SeedRng     *r,
                                    const char **name,
                                    const char **pinyin);

/* crm-seed-org.c */
void        seed_plan_org          (SeedWorld *w);
gboolean    seed_load_org          (SeedWorld *w,
                                    PGconn    *conn,
                                    GError   **error);

/* crm-seed-customers.c */
const char *seed_city_full         (guint c);     /* 广州市, 北京市 for 朝阳区 */
const char *seed_city_short        (guint c);     /* 广州, 北京 */
const char *seed_city_en           (guint c);
const char *seed_customer_region_code (const SeedCustomer *c);
char       *seed_cat_address       (char      *p,
                                    SeedRng   *r,
                                    guint      city,
                                    guint      district,
                                    gboolean   home);
void        seed_plan_customers    (SeedWorld *w);
gboolean    seed_load_customers    (SeedWorld *w,
                                    PGconn    *conn,
                                    GError   **error);

/* crm-seed-activity.c */
gboolean    seed_load_activity     (SeedWorld *w,
                                    PGconn    *conn,
                                    GError   **error);
/* crm-seed-pipeline.c: opportunities, their stage history, sales targets. */
gboolean    seed_load_pipeline     (SeedWorld *w,
                                    PGconn    *conn,
                                    GError   **error);
/* A campaign (index) with members that was running on @day (or had ended
 * within 30 days), drawn from @r; -1 for none. */
int         seed_campaign_running_on (SeedRng *r,
                                      int      day);

/* Shared by the customer and activity passes: a customer's subscriptions. */
#define SEED_MAX_SUBS 6

typedef struct
{
  guint   product;       /* index into seed_products */
  guint   quantity;
  gint64  fee;           /* fen per month, all units */
  int     started_on;
  int     contract_end;  /* -1: none */
  int     cancelled_on;  /* -1: none */
  guint8  status;        /* 0 active, 1 suspended, 2 cancelled */
} SeedSub;

guint       seed_customer_subs     (SeedWorld *w,
                                    guint      i,
                                    SeedSub   *subs);

typedef struct
{
  gint64  revenue[SEED_MONTHS];
  gint64  arrears[SEED_MONTHS];
  gint16  usage[SEED_MONTHS];
  int     first;         /* first month with a row; SEED_MONTHS for none */
} SeedSeries;

void        seed_customer_series   (SeedWorld     *w,
                                    guint          i,
                                    const SeedSub *subs,
                                    guint          n_subs,
                                    SeedSeries    *series);

G_END_DECLS
