#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "crm-error.h"
#include "crm-json-check.h"
#include "crm-json-writer.h"
#include "crm-store-private.h"

/*
 * A sync page read in one pass by yajl's event parser (Debian's libyajl2),
 * without a tree.  json-glib builds a node for every value and a hash table
 * for every record; for a director's first sync, half a million records,
 * building, walking and freeing those trees was most of the client's CPU
 * (docs/internals.md, "The client's share of a first sync").  Here each
 * record becomes one row of values, one per column of its entity
 * (crm-store-entities.c), its strings copied once into the page's block of
 * text; members the store has no column for are skipped.  An array or an
 * object in a record (a text list, a JSON column) and each departure are
 * kept as their JSON text, written again from the events.
 *
 * What the page must hold is checked as it is read, with the errors the
 * store gave when it read a tree: an entity's member that is not an array,
 * a record that is not an object, a cursor that is not a string.  The
 * type of each value against its column is checked when the store binds
 * it.
 */

struct _CrmSyncPage
{
  GStringChunk *texts;
  GArray       *values[CRM_N_ENTITIES];   /* Value: n_columns per record */
  guint         n_records[CRM_N_ENTITIES];
  GPtrArray    *removed;                  /* JSON text, in texts */
  const char   *cursor;                   /* in texts, or NULL */
  gboolean      reset;
  gboolean      more;
  gboolean      total_estimated;
  gint64        total;
};

/* The page's members the reader knows. */
enum
{
  MEMBER_OTHER = CRM_N_ENTITIES,   /* 0 .. CRM_N_ENTITIES - 1: an entity's plural */
  MEMBER_REMOVED,
  MEMBER_CURSOR,
  MEMBER_RESET,
  MEMBER_MORE,
  MEMBER_TOTAL,
  MEMBER_TOTAL_ESTIMATED,
};

/* Where the reader is, outside a value it copies or skips. */
typedef enum
{
  AT_START,      /* before the page */
  IN_PAGE,       /* between the page's members */
  IN_RECORDS,    /* between the records of an entity */
  IN_RECORD,     /* between a record's members */
  IN_REMOVED,    /* between the departures */
  AT_END,        /* after the page */
} Place;

typedef struct
{
  CrmSyncPage  *page;
  GError       *error;
  Place         place;
  guint         member;       /* the page's member being read */
  const Entity *e;            /* IN_RECORDS, IN_RECORD: the member's entity */
  Value        *record;       /* IN_RECORD: its values (at the end of page->values[entity]) */
  int           column;       /* IN_RECORD: the member's column, or -1 */
  guint         guess;        /* the column looked at first for the next member */

  /* A value copied as JSON text (copy != NULL) or skipped: how deep the
   * reader is inside it (0: not in one), and at each depth whether an
   * element was written there (a comma goes before the next). */
  guint         nested;
  GString      *copy;         /* buffer, or NULL while skipping */
  GString      *buffer;
  guint64       written;
  gboolean      after_key;
} Reader;

static int
fail (Reader     *r,
      const char *field,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static int
fail (Reader     *r,
      const char *field,
      const char *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (r->error == NULL)
    crm_set_field_error (&r->error, CRM_ERROR_MALFORMED, field, "%s", message);
  return 0;
}

static const char *
member_name (guint member)
{
  return member < CRM_N_ENTITIES ? crm_entity_info ((CrmEntity) member)->plural : "removed";
}

/* A value or a key inside a copied value: the comma before it. */
static void
copy_separator (Reader *r)
{
  guint64 bit = G_GUINT64_CONSTANT (1) << (r->nested - 1);

  if (r->after_key)
    r->after_key = FALSE;
  else if (r->written & bit)
    g_string_append_c (r->copy, ',');
  r->written |= bit;
}

/* A scalar inside a copied or skipped value. */
static void
copy_scalar (Reader     *r,
             const char *text,
             gsize       length)
{
  if (r->copy == NULL)
    return;
  copy_separator (r);
  g_string_append_len (r->copy, text, (gssize) length);
}

/* Enters a copied or skipped value, or one level deeper in it. */
static int
copy_open (Reader *r,
           char    bracket)
{
  if (r->nested >= CRM_JSON_MAX_DEPTH - 2)
    return fail (r, NULL, "The sync page nests deeper than %d levels", CRM_JSON_MAX_DEPTH);
  if (r->copy != NULL)
    {
      if (r->nested > 0)
        copy_separator (r);
      g_string_append_c (r->copy, bracket);
    }
  r->nested++;
  r->written &= ~(G_GUINT64_CONSTANT (1) << (r->nested - 1));
  return 1;
}

/* A copied or skipped value ends: its text goes where it was read. */
static void
value_done (Reader    *r,
            ValueKind  kind)
{
  const char *text;

  if (r->copy == NULL)
    return;
  text = g_string_chunk_insert_len (r->page->texts, r->copy->str, (gssize) r->copy->len);
  if (r->place == IN_RECORD)
    r->record[r->column] = (Value) { kind, 0, text };
  else
    g_ptr_array_add (r->page->removed, (gpointer) text);
  g_string_truncate (r->copy, 0);
  r->copy = NULL;
}

static void
copy_close (Reader *r,
            char    bracket)
{
  if (r->copy != NULL)
    g_string_append_c (r->copy, bracket);
  if (--r->nested == 0)
    value_done (r, bracket == '}' ? VALUE_OBJECT : VALUE_ARRAY);
}

/* Starts copying (@keep: the value's JSON text is kept) or skipping a
 * value that opens with @bracket. */
static int
nested_start (Reader   *r,
              gboolean  keep,
              char      bracket)
{
  r->copy = keep ? r->buffer : NULL;
  r->written = 0;
  r->after_key = FALSE;
  return copy_open (r, bracket);
}

/* A scalar of the page outside anything copied: where it goes. */
static int
scalar (Reader      *r,
        ValueKind    kind,
        gint64       number,
        const char  *text,
        gsize        length)
{
  CrmSyncPage *page = r->page;

  switch (r->place)
    {
    case AT_START:
    case AT_END:
      return fail (r, NULL, "The server’s sync page is not a JSON object");
    case IN_PAGE:
      switch (r->member)
        {
        case MEMBER_CURSOR:
          if (kind != VALUE_STRING && kind != VALUE_NULL)
            return fail (r, "cursor", "cursor is not a string");
          page->cursor = kind == VALUE_STRING ? g_string_chunk_insert_len (page->texts, text, (gssize) length) : NULL;
          return 1;
        case MEMBER_RESET:
          page->reset = kind == VALUE_BOOLEAN && number;
          return 1;
        case MEMBER_MORE:
          page->more = kind == VALUE_BOOLEAN && number;
          return 1;
        case MEMBER_TOTAL_ESTIMATED:
          page->total_estimated = kind == VALUE_BOOLEAN && number;
          return 1;
        case MEMBER_TOTAL:
          page->total = kind == VALUE_INTEGER && number >= 0 ? number : -1;
          return 1;
        case MEMBER_OTHER:
          return 1;
        default:
          /* an entity's records or the departures: an array or nothing */
          if (kind == VALUE_NULL)
            return 1;
          return fail (r, member_name (r->member), "%s is not an array", member_name (r->member));
        }
    case IN_RECORDS:
      return fail (r, member_name (r->member), "A record that is not an object");
    case IN_REMOVED:
      return fail (r, "removed", "A removal that is not an object");
    case IN_RECORD:
      if (r->column >= 0)
        {
          Value *value = &r->record[r->column];

          value->kind = kind;
          value->number = number;
          value->text = kind == VALUE_STRING ? g_string_chunk_insert_len (page->texts, text, (gssize) length) : NULL;
        }
      return 1;
    default:
      g_assert_not_reached ();
    }
}

static int
on_null (void *data)
{
  Reader *r = data;

  if (r->nested > 0)
    {
      copy_scalar (r, "null", 4);
      return 1;
    }
  return scalar (r, VALUE_NULL, 0, NULL, 0);
}

static int
on_boolean (void *data,
            int   value)
{
  Reader *r = data;

  if (r->nested > 0)
    {
      copy_scalar (r, value ? "true" : "false", value ? 4 : 5);
      return 1;
    }
  return scalar (r, VALUE_BOOLEAN, value != 0, NULL, 0);
}

static int
on_number (void       *data,
           const char *text,
           size_t      length)
{
  Reader *r = data;
  char digits[24];
  gint64 number;
  char *end;

  if (r->nested > 0)
    {
      copy_scalar (r, text, length);
      return 1;
    }
  /* an integer of 64 bits, as json-glib reads one; anything else is of no
   * column's type */
  if (length >= sizeof digits || memchr (text, '.', length) != NULL || memchr (text, 'e', length) != NULL ||
      memchr (text, 'E', length) != NULL)
    return scalar (r, VALUE_OTHER_NUMBER, 0, NULL, 0);
  memcpy (digits, text, length);
  digits[length] = '\0';
  errno = 0;
  number = g_ascii_strtoll (digits, &end, 10);
  if (errno != 0 || *end != '\0')
    return scalar (r, VALUE_OTHER_NUMBER, 0, NULL, 0);
  return scalar (r, VALUE_INTEGER, number, NULL, 0);
}

static int
on_string (void                *data,
           const unsigned char *text,
           size_t               length)
{
  Reader *r = data;

  if (r->nested > 0)
    {
      if (r->copy != NULL)
        {
          copy_separator (r);
          crm_json_escape_append (r->copy, (const char *) text, length);
        }
      return 1;
    }
  return scalar (r, VALUE_STRING, 0, (const char *) text, length);
}

/* The column of an entity named @key (guessing the one after the last
 * first: the server writes them in order), or -1. */
static int
find_column (Reader              *r,
             const unsigned char *key,
             size_t               length)
{
  const Entity *e = r->e;

  for (guint n = 0; n < e->n_columns; n++)
    {
      guint i = (r->guess + n) % e->n_columns;
      const char *name = e->columns[i].name;

      if (strncmp (name, (const char *) key, length) == 0 && name[length] == '\0')
        {
          r->guess = i + 1;
          return (int) i;
        }
    }
  return -1;
}

static guint
page_member (const unsigned char *key,
             size_t               length)
{
  static const struct { const char *name; guint member; } known[] = {
    { "removed", MEMBER_REMOVED },
    { "cursor", MEMBER_CURSOR },
    { "reset", MEMBER_RESET },
    { "more", MEMBER_MORE },
    { "total", MEMBER_TOTAL },
    { "total_estimated", MEMBER_TOTAL_ESTIMATED },
  };

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    {
      const char *plural = crm_entity_info ((CrmEntity) i)->plural;

      if (strncmp (plural, (const char *) key, length) == 0 && plural[length] == '\0')
        return i;
    }
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (strncmp (known[i].name, (const char *) key, length) == 0 && known[i].name[length] == '\0')
      return known[i].member;
  return MEMBER_OTHER;
}

static int
on_map_key (void                *data,
            const unsigned char *key,
            size_t               length)
{
  Reader *r = data;

  if (r->nested > 0)
    {
      if (r->copy != NULL)
        {
          copy_separator (r);
          crm_json_escape_append (r->copy, (const char *) key, length);
          g_string_append_c (r->copy, ':');
          r->after_key = TRUE;
        }
      return 1;
    }
  if (r->place == IN_PAGE)
    r->member = page_member (key, length);
  else if (r->place == IN_RECORD)
    r->column = find_column (r, key, length);
  return 1;
}

static int
on_start_map (void *data)
{
  Reader *r = data;
  CrmSyncPage *page = r->page;

  if (r->nested > 0)
    return copy_open (r, '{');
  switch (r->place)
    {
    case AT_START:
      r->place = IN_PAGE;
      return 1;
    case IN_PAGE:
      if (r->member < MEMBER_OTHER || r->member == MEMBER_REMOVED)
        return fail (r, member_name (r->member), "%s is not an array", member_name (r->member));
      if (r->member == MEMBER_CURSOR)
        return fail (r, "cursor", "cursor is not a string");
      return nested_start (r, FALSE, '{');
    case IN_RECORDS:
      {
        CrmEntity entity = r->e->info->entity;
        guint at = page->values[entity]->len;

        g_array_set_size (page->values[entity], at + r->e->n_columns);
        r->record = &g_array_index (page->values[entity], Value, at);
        memset (r->record, 0, sizeof (Value) * r->e->n_columns);   /* VALUE_MISSING */
        r->place = IN_RECORD;
        r->guess = 0;
        return 1;
      }
    case IN_RECORD:
      return nested_start (r, r->column >= 0, '{');
    case IN_REMOVED:
      return nested_start (r, TRUE, '{');
    case AT_END:
    default:
      return fail (r, NULL, "The server’s sync page is not a JSON object");
    }
}

static int
on_end_map (void *data)
{
  Reader *r = data;

  if (r->nested > 0)
    {
      copy_close (r, '}');
      return 1;
    }
  if (r->place == IN_RECORD)
    {
      r->page->n_records[r->e->info->entity]++;
      r->record = NULL;
      r->place = IN_RECORDS;
    }
  else
    r->place = AT_END;   /* IN_PAGE: the page's end */
  return 1;
}

static int
on_start_array (void *data)
{
  Reader *r = data;

  if (r->nested > 0)
    return copy_open (r, '[');
  switch (r->place)
    {
    case IN_PAGE:
      if (r->member < MEMBER_OTHER)
        {
          r->e = crm_store_entity ((CrmEntity) r->member);
          r->place = IN_RECORDS;
          return 1;
        }
      if (r->member == MEMBER_REMOVED)
        {
          r->place = IN_REMOVED;
          return 1;
        }
      if (r->member == MEMBER_CURSOR)
        return fail (r, "cursor", "cursor is not a string");
      return nested_start (r, FALSE, '[');
    case IN_RECORDS:
      return fail (r, member_name (r->member), "A record that is not an object");
    case IN_REMOVED:
      return fail (r, "removed", "A removal that is not an object");
    case IN_RECORD:
      return nested_start (r, r->column >= 0, '[');
    case AT_START:
    case AT_END:
    default:
      return fail (r, NULL, "The server’s sync page is not a JSON object");
    }
}

static int
on_end_array (void *data)
{
  Reader *r = data;

  if (r->nested > 0)
    {
      copy_close (r, ']');
      return 1;
    }
  /* IN_RECORDS or IN_REMOVED: back between the page's members */
  r->place = IN_PAGE;
  r->e = NULL;
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_end_map,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end_array,
};

static CrmSyncPage *
page_new (void)
{
  CrmSyncPage *page = g_atomic_rc_box_new0 (CrmSyncPage);

  crm_store_entities_init ();
  page->texts = g_string_chunk_new (64 * 1024);
  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    page->values[i] = g_array_new (FALSE, FALSE, sizeof (Value));
  page->removed = g_ptr_array_new ();
  page->total = -1;
  return page;
}

/**
 * crm_sync_page_read:
 * @data: the answer's body
 *
 * Reads one answer of GET /api/v1/sync; an answer that is not JSON, or
 * not a page, is CRM_ERROR_MALFORMED, naming the member at fault where
 * there is one.  Slow enough on a full page to be done off the main thread.
 */
CrmSyncPage *
crm_sync_page_read (const char  *data,
                    gsize        length,
                    GError     **error)
{
  g_autoptr(CrmSyncPage) page = page_new ();
  g_autoptr(GString) buffer = g_string_sized_new (256);
  Reader r = { .page = page, .place = AT_START, .buffer = buffer };
  yajl_handle handle = yajl_alloc (&callbacks, NULL, &r);
  yajl_status status;

  /* each string is checked to be UTF-8 (yajl_dont_validate_strings is off) */
  status = yajl_parse (handle, (const unsigned char *) data, length);
  if (status == yajl_status_ok)
    status = yajl_complete_parse (handle);
  if (status != yajl_status_ok && r.error == NULL)
    {
      unsigned char *message = yajl_get_error (handle, 0, (const unsigned char *) data, length);

      crm_set_field_error (&r.error, CRM_ERROR_MALFORMED, NULL, "The server’s answer is not valid JSON: %s",
                           g_strchomp ((char *) message));
      yajl_free_error (handle, message);
    }
  yajl_free (handle);
  if (r.error == NULL && r.place != AT_END)
    crm_set_field_error (&r.error, CRM_ERROR_MALFORMED, NULL, "The server’s sync page is not a JSON object");
  if (r.error != NULL)
    {
      g_propagate_error (error, r.error);
      return NULL;
    }
  return g_steal_pointer (&page);
}

/**
 * crm_sync_page_new_from_object:
 *
 * Reads @page as crm_sync_page_read () reads its text.
 */
CrmSyncPage *
crm_sync_page_new_from_object (JsonObject  *page,
                               GError     **error)
{
  g_autofree char *text = object_to_text (page);

  return crm_sync_page_read (text, strlen (text), error);
}

CrmSyncPage *
crm_sync_page_new_reset (void)
{
  CrmSyncPage *page = page_new ();

  page->reset = TRUE;
  page->more = TRUE;
  return page;
}

CrmSyncPage *
crm_sync_page_ref (CrmSyncPage *page)
{
  return g_atomic_rc_box_acquire (page);
}

static void
page_clear (gpointer data)
{
  CrmSyncPage *page = data;

  g_string_chunk_free (page->texts);
  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    g_array_unref (page->values[i]);
  g_ptr_array_unref (page->removed);
}

void
crm_sync_page_unref (CrmSyncPage *page)
{
  g_atomic_rc_box_release_full (page, page_clear);
}

gboolean
crm_sync_page_get_reset (CrmSyncPage *page)
{
  return page->reset;
}

gboolean
crm_sync_page_get_more (CrmSyncPage *page)
{
  return page->more;
}

const char *
crm_sync_page_get_cursor (CrmSyncPage *page)
{
  return page->cursor;
}

gint64
crm_sync_page_get_total (CrmSyncPage *page)
{
  return page->total;
}

gboolean
crm_sync_page_get_total_estimated (CrmSyncPage *page)
{
  return page->total_estimated;
}

guint
crm_sync_page_get_n_records (CrmSyncPage *page)
{
  guint n = page->removed->len;

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    n += page->n_records[i];
  return n;
}

guint
crm_sync_page_get_n_entity_records (CrmSyncPage *page,
                                    CrmEntity    entity)
{
  g_return_val_if_fail (entity < CRM_N_ENTITIES, 0);

  return page->n_records[entity];
}

const Value *
crm_sync_page_records (CrmSyncPage *page,
                       CrmEntity    entity,
                       guint       *n_records)
{
  *n_records = page->n_records[entity];
  return (const Value *) (gpointer) page->values[entity]->data;
}

const char * const *
crm_sync_page_removed (CrmSyncPage *page,
                       guint       *n_removed)
{
  *n_removed = page->removed->len;
  return (const char * const *) page->removed->pdata;
}
