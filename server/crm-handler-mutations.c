#define G_LOG_DOMAIN "crm-handler-mutations"

#include "config.h"

#include <string.h>

#include "crm-entity.h"
#include "crm-error.h"
#include "crm-fields.h"
#include "crm-handlers.h"
#include "crm-records.h"
#include "crm-segment.h"
#include "crm-validate.h"
#include "crm-wire.h"

/*
 * POST /mutations: one write from a client's queue.
 *
 *   {"key": UUID, "entity": "customer"|"contact"|"interaction"|…,
 *    "op": "update"|"create"|"delete", "id": UUID, "fields": {...},
 *    "base": {...}, "base_version": N}
 *
 * The entities are those of the entity table with a writable field or op.
 * "id" is the record's UUID, or for an entity keyed by two fields (a
 * campaign member) the two joined by '/': "<campaign_id>/<customer_id>"
 * (parse_key ()), which crm.apply_mutation() takes as a jsonb key.
 *
 * A delete carries neither fields nor base.  The entity table says which
 * ops and fields each role may write (creatable_by, deletable_by,
 * writable_by): an op no role may do is refused as invalid (400), one the
 * caller's role may not do as forbidden (403, naming "op" or the field),
 * before the database is asked.
 *
 * An update is merged by field: "base" holds, for each field in "fields",
 * the value the change was made on.  A field still at its base takes the
 * new value, one already at the new value is fine, and one changed to
 * something else meanwhile is a conflict: then nothing applies and the
 * answer is 412 precondition_failed (the change was made on a stale copy)
 * with the current record and, per conflicting field, base, mine and
 * theirs.  A create of an id that exists is 409 conflict.  Answers kept
 * before 412 was used keep their 409 (a retry gets the first answer).  "base_version" is informative only.  The key makes a
 * retry safe: the first answer is kept (crm.mutations) and given again
 * instead of applying the write twice; the same key with another body is
 * refused.  The write itself is crm.apply_mutation() (0008-apply-per-entity),
 * which keeps the key and the audit log and hands the write to the entity's
 * crm.apply_<entity>(); it runs as the caller under the tables' policies
 * and answers with CrmError codes.  This file checks the body against the
 * field rules shared with the client (crm-fields.h) and writes the answer.
 */

static const char * const op_names[] = { "update", "create", "delete", NULL };
enum { OP_UPDATE, OP_CREATE, OP_DELETE };

/* The columns of crm.apply_mutation()'s row. */
enum { APPLY_CODE, APPLY_FIELD, APPLY_STATUS, APPLY_ANSWER, APPLY_THEIRS };

static const CrmSql sql_apply = {
  "mutation_apply",
  "SELECT code, field, status, answer, theirs"
  " FROM crm.apply_mutation($1::uuid, $2, $3, $4::uuid, $5::jsonb, $6::jsonb, $7::jsonb)",
  7
};

/* The same for an entity keyed by two columns: $4 is the key as jsonb,
 * {"campaign_id": …, "customer_id": …}. */
static const CrmSql sql_apply_keyed = {
  "mutation_apply_keyed",
  "SELECT code, field, status, answer, theirs"
  " FROM crm.apply_mutation($1::uuid, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::jsonb)",
  7
};

static const CrmSql sql_customer = {
  "mutation_customer",
  "SELECT " CRM_CUSTOMER_ONE_COLUMNS CRM_CUSTOMER_ONE_FROM " WHERE c.id = $1::uuid",
  1
};

static const CrmSql sql_contact = {
  "mutation_contact",
  "SELECT " CRM_CONTACT_COLUMNS " FROM crm.contacts k WHERE k.id = $1::uuid",
  1
};

/* The record of an entity without a writer of its own in crm-records.c:
 * the row as jsonb, found by its key (one parameter per key field, in the
 * order of info->key), written field by field from the entity table
 * (write_row_object ()).  Built once per entity. */
static const CrmSql *
record_sql (CrmEntity entity)
{
  static CrmSql sqls[CRM_N_ENTITIES];
  static gsize built;

  if (g_once_init_enter (&built))
    {
      for (guint i = 0; i < CRM_N_ENTITIES; i++)
        {
          const CrmEntityInfo *info = crm_entity_info ((CrmEntity) i);
          GString *text = g_string_new (NULL);
          g_autofree char *name = g_strdup_printf ("mutation_record_%s", info->name);
          int n = 0;

          g_string_append_printf (text, "SELECT to_jsonb(x) FROM %s x WHERE ", info->table);
          for (const char * const *k = info->key; *k; k++)
            {
              const CrmField *field = crm_entity_info_field (info, *k);

              g_string_append_printf (text, "%sx.%s = $%d::%s", n > 0 ? " AND " : "", crm_field_column (field),
                                      n + 1, field->value_type == CRM_VALUE_DATE ? "date"
                                             : field->value_type == CRM_VALUE_INTEGER ? "bigint"
                                             : field->value_type == CRM_VALUE_ENUM ? field->sql_type : "uuid");
              n++;
            }
          sqls[i].name = g_intern_string (name);
          sqls[i].sql = g_string_free (text, FALSE);
          sqls[i].n_params = n;
        }
      g_once_init_leave (&built, 1);
    }
  if (entity == CRM_ENTITY_CUSTOMER)
    return &sql_customer;
  if (entity == CRM_ENTITY_CONTACT)
    return &sql_contact;
  return &sqls[entity];
}

static const CrmSql sql_keep_answer = {
  "mutation_keep_answer",
  "UPDATE crm.mutations SET answer = $2, status = $3::smallint"
  " WHERE user_id = crm.current_user_id() AND key = $1::uuid AND answer IS NULL",
  3
};

typedef struct
{
  char       *key;
  CrmEntity   entity;
  int         op;
  CrmRole     role;     /* the caller's */
  char       *id;       /* as the request gave it: a UUID, or "<key 1>/<key 2>" */
  char      **key_values;   /* the key's fields, in the order of the entity's key */
  char       *key_json;     /* for a key of two fields, the key as a JSON object */
  JsonObject *fields;   /* borrowed from the request's body */
  JsonObject *base;     /* the same; NULL for a create */
  guint       status;
  GString    *answer;
  guint       apply_index;    /* crm.apply_mutation() in the batch */
  guint       record_index;   /* the record as the caller now sees it */
} Mutation;

static void
mutation_free (gpointer data)
{
  Mutation *m = data;

  g_free (m->key);
  g_free (m->id);
  g_strfreev (m->key_values);
  g_free (m->key_json);
  if (m->answer)
    g_string_free (m->answer, TRUE);
  g_free (m);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static char *
object_to_text (JsonObject *obj)
{
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), obj);

  return json_to_string (root, FALSE);
}

/* {field: [head, tail]} for the masked fields of @entity, for
 * crm.merge_conflicts(): a base may be the masked value the client saw. */
static char *
masks_text (CrmEntity entity)
{
  g_autoptr(GString) out = g_string_new ("{");

  for (const CrmField *spec = crm_entity_fields (entity); spec->name; spec++)
    {
      guint head, tail;

      /* only a field a mutation may carry has a base */
      if (spec->writable_by != CRM_ROLES_NONE && crm_field_mask_kept (spec, &head, &tail))
        g_string_append_printf (out, "%s\"%s\":[%u,%u]", out->len > 1 ? "," : "", spec->name, head, tail);
    }
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A success code or a CrmError code from crm.apply_mutation() as a
 * status, through the one mapping. */
static guint
status_for_code (const char *code,
                 CrmError   *error_code)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (code, "ok") == 0 || g_strcmp0 (code, "deleted") == 0)
    return SOUP_STATUS_OK;
  if (g_strcmp0 (code, "created") == 0)
    return SOUP_STATUS_CREATED;
  *error_code = CRM_ERROR_INTERNAL;
  for (int i = CRM_ERROR_INVALID; i <= CRM_ERROR_INTERNAL; i++)
    if (g_strcmp0 (crm_error_code_to_string ((CrmError) i), code) == 0)
      *error_code = (CrmError) i;
  crm_set_field_error (&error, *error_code, NULL, "%s", code);
  return crm_http_status_for_error (error);
}

static const char *
message_for (CrmError code,
             int      op)
{
  if (code == CRM_ERROR_NOT_FOUND)
    return "No such record, or not one of yours";
  if (code == CRM_ERROR_FORBIDDEN)
    return "You may see this record but not change it";
  if (code == CRM_ERROR_CONFLICT && op == OP_DELETE)
    return "This record is in use, or in a state in which it is not deleted; nothing was changed";
  if (code == CRM_ERROR_CONFLICT && op == OP_CREATE)
    return "A record with this id exists already";
  if (code == CRM_ERROR_CONFLICT || code == CRM_ERROR_PRECONDITION_FAILED)
    return "Someone else changed these fields since your copy; nothing was changed";
  if (code == CRM_ERROR_IDEMPOTENCY_KEY_REUSED)
    return "This key was used for a different write; make a new key";
  if (code == CRM_ERROR_INVALID)
    return "This value cannot be used for this record";
  return "The write failed";
}

static void
write_error (CrmJsonWriter *w,
             CrmError       code,
             const char    *field,
             const char    *message)
{
  crm_json_key (w, "error");
  crm_json_begin_object (w);
  crm_json_member_string (w, "code", crm_error_code_to_string (code));
  crm_json_member_string (w, "message", message);
  if (field)
    crm_json_member_string (w, "field", field);
  crm_json_end_object (w);
}

/* The members of @row_text (a row as jsonb) that the entity table sends
 * the caller: withheld fields left out, masked ones masked. */
static void
write_row_object (CrmJsonWriter *w,
                  Mutation      *m,
                  const char    *row_text)
{
  g_autoptr(JsonNode) node = json_from_string (row_text, NULL);
  JsonObject *row = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  for (const CrmField *spec = crm_entity_fields (m->entity); row && spec->name; spec++)
    {
      JsonNode *value = json_object_get_member (row, crm_field_column (spec));

      if (value == NULL || !crm_field_visible_to (spec, m->role))
        continue;
      if (crm_field_masked_for (spec, m->role) && JSON_NODE_HOLDS_VALUE (value) &&
          json_node_get_value_type (value) == G_TYPE_STRING)
        {
          g_autofree char *shown = crm_field_mask_value (spec, json_node_get_string (value));

          crm_json_member_string (w, spec->name, shown);
        }
      else
        {
          g_autofree char *text = json_to_string (value, FALSE);

          crm_json_key (w, spec->name);
          crm_json_raw (w, text);
        }
    }
}

static void
write_record (CrmJsonWriter *w,
              Mutation      *m,
              PGresult      *record)
{
  crm_json_key (w, "record");
  if (PQntuples (record) != 1)
    {
      crm_json_null (w);
      return;
    }
  crm_json_begin_object (w);
  if (m->entity == CRM_ENTITY_CUSTOMER)
    crm_write_customer (w, m->role, record, 0, 0);
  else if (m->entity == CRM_ENTITY_CONTACT)
    crm_write_contact (w, m->role, record, 0, 0);
  else
    write_row_object (w, m, PQgetvalue (record, 0, 0));
  crm_json_end_object (w);
}

static void
write_node (CrmJsonWriter *w,
            const char    *key,
            JsonNode      *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  crm_json_key (w, key);
  crm_json_raw (w, text);
}

/* theirs as the caller may see it: a masked field stays masked; empty is
 * null, as in base. */
static void
write_theirs (CrmJsonWriter  *w,
              const CrmField *spec,
              CrmRole         role,
              JsonNode       *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *value = json_node_get_string (node);
      g_autofree char *shown = !*value                              ? NULL
                               : crm_field_masked_for (spec, role) ? crm_field_mask_value (spec, value)
                                                                   : g_strdup (value);

      crm_json_member_string (w, "theirs", shown);
    }
  else
    write_node (w, "theirs", node);
}

/* "conflicts": [{field, base, mine, theirs}] in the order of the request's
 * fields. */
static void
write_conflicts (CrmJsonWriter *w,
                 Mutation      *m,
                 GList         *names,
                 JsonObject    *theirs)
{
  crm_json_key (w, "conflicts");
  crm_json_begin_array (w);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (!json_object_has_member (theirs, name))
        continue;
      crm_json_begin_object (w);
      crm_json_member_string (w, "field", name);
      write_node (w, "base", json_object_get_member (m->base, name));
      write_node (w, "mine", json_object_get_member (m->fields, name));
      write_theirs (w, crm_field_spec_lookup (m->entity, name), m->role, json_object_get_member (theirs, name));
      crm_json_end_object (w);
    }
  crm_json_end_array (w);
}

static void
answer_kept (CrmRequest *req,
             CrmDbBatch *batch)
{
  Mutation *m = req->data;

  crm_request_respond (req, m->status, g_steal_pointer (&m->answer));
}

/* The 412 of an update whose fields conflict: the error names the first
 * conflicting field in the request's order. */
static void
write_field_conflict (Mutation   *m,
                      PGresult   *record,
                      const char *theirs_text)
{
  g_autoptr(JsonNode) node = json_from_string (theirs_text, NULL);
  g_autoptr(GList) names = json_object_get_members (m->fields);
  JsonObject *theirs = json_node_get_object (node);
  const char *first = NULL;
  CrmJsonWriter w;

  for (GList *l = names; l != NULL && first == NULL; l = l->next)
    if (json_object_has_member (theirs, l->data))
      first = l->data;

  crm_json_writer_init (&w, m->answer);
  crm_json_begin_object (&w);
  write_error (&w, CRM_ERROR_PRECONDITION_FAILED, first, message_for (CRM_ERROR_PRECONDITION_FAILED, OP_UPDATE));
  write_record (&w, m, record);
  write_conflicts (&w, m, names, theirs);
  crm_json_end_object (&w);
}

/* Whether crm.apply_<entity>() found fields changed meanwhile: an apply
 * function that merged by field and then refused the write for another
 * reason (a target onto another's period) answers an empty "theirs". */
static gboolean
has_field_conflicts (PGresult *res)
{
  return !PQgetisnull (res, 0, APPLY_THEIRS) && strcmp (PQgetvalue (res, 0, APPLY_THEIRS), "{}") != 0;
}

static void
applied (CrmRequest *req,
         CrmDbBatch *batch)
{
  Mutation *m = req->data;
  PGresult *res = crm_db_batch_get_result (batch, m->apply_index);
  PGresult *record = crm_db_batch_get_result (batch, m->record_index);
  const char *first_answer = crm_pg_value (res, 0, APPLY_ANSWER);
  const char *code = crm_pg_value (res, 0, APPLY_CODE);
  CrmError error_code = CRM_ERROR_INTERNAL;
  CrmJsonWriter w;

  if (first_answer != NULL)
    {
      /* A retry: the first answer, as it was. */
      m->status = (guint) g_ascii_strtoull (crm_pg_value (res, 0, APPLY_STATUS), NULL, 10);
      crm_request_respond (req, m->status, g_string_new (first_answer));
      return;
    }

  m->status = status_for_code (code, &error_code);
  /* A field changed meanwhile: the update's base, its precondition, no
   * longer holds (412); crm.apply_<entity>() says 'conflict' for both this
   * and a create of an id that exists (409), and only this has theirs. */
  if (error_code == CRM_ERROR_CONFLICT && has_field_conflicts (res))
    m->status = status_for_code (crm_error_code_to_string (CRM_ERROR_PRECONDITION_FAILED), &error_code);
  m->answer = g_string_sized_new (2048);
  if (g_strcmp0 (code, "deleted") == 0)
    {
      crm_json_writer_init (&w, m->answer);
      crm_json_begin_object (&w);
      crm_json_member_string (&w, "id", m->id);
      crm_json_member_bool (&w, "deleted", TRUE);
      crm_json_end_object (&w);
    }
  else if (m->status == SOUP_STATUS_OK || m->status == SOUP_STATUS_CREATED)
    {
      crm_json_writer_init (&w, m->answer);
      crm_json_begin_object (&w);
      write_record (&w, m, record);
      crm_json_end_object (&w);
    }
  else if (error_code == CRM_ERROR_PRECONDITION_FAILED)
    write_field_conflict (m, record, PQgetvalue (res, 0, APPLY_THEIRS));
  else if (error_code == CRM_ERROR_IDEMPOTENCY_KEY_REUSED)
    {
      /* not a retry of the first write, and not kept for one */
      crm_request_fail (req, error_code, "key", message_for (error_code, m->op));
      return;
    }
  else if (error_code == CRM_ERROR_INTERNAL)
    {
      g_warning ("crm.apply_mutation() answered %s", code ? code : "(null)");
      crm_request_fail (req, CRM_ERROR_INTERNAL, NULL, "The write returned an unexpected answer");
      return;
    }
  else
    {
      const char *field = crm_pg_value (res, 0, APPLY_FIELD);

      crm_json_writer_init (&w, m->answer);
      crm_json_begin_object (&w);
      /* a conflict with the record's state, not with another write: a
       * forbidden change of status, a field frozen in it */
      write_error (&w, error_code, field,
                   error_code == CRM_ERROR_CONFLICT && m->op != OP_DELETE && g_strcmp0 (field, "id") != 0
                     ? "This change is not allowed for the record as it is now; nothing was changed"
                     : message_for (error_code, m->op));
      crm_json_end_object (&w);
    }

  /* Keep the answer for retries, then give it. */
  {
    CrmDbBatch *keep = crm_request_new_batch (req);
    g_autofree char *status_text = g_strdup_printf ("%u", m->status);
    const char *values[3] = { m->key, m->answer->str, status_text };

    crm_db_batch_add (keep, &sql_keep_answer, values);
    crm_request_execute (req, keep, answer_kept);
  }
}

/* "customer or contact": the entities some role may write. */
static char *
writable_entities (void)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    if (crm_entity_info_writable (crm_entity_info ((CrmEntity) i)))
      g_ptr_array_add (names, (gpointer) crm_entity_names[i]);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (text, "%s%s", i == 0 ? "" : i + 1 < names->len ? ", " : " or ",
                            (const char *) names->pdata[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The roles of @among that may do @op on an @entity at all: create and
 * delete as the entity table says, update if some field is writable. */
static guint
ops_for (CrmEntity entity,
         guint     among,
         int       op)
{
  const CrmEntityInfo *info = crm_entity_info (entity);
  guint roles = CRM_ROLES_NONE;

  if (op == OP_CREATE)
    return info->creatable_by & among;
  if (op == OP_DELETE)
    return info->deletable_by & among;
  for (const CrmField *spec = info->fields; spec->name; spec++)
    roles |= spec->writable_by;
  return roles & among;
}

/* "update, create or delete": the ops some role may do on @entity. */
static char *
op_list (CrmEntity entity)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = 0, done = 0;

  for (int op = 0; op_names[op]; op++)
    n += ops_for (entity, CRM_ROLES_ALL, op) != CRM_ROLES_NONE;
  for (int op = 0; op_names[op]; op++)
    if (ops_for (entity, CRM_ROLES_ALL, op) != CRM_ROLES_NONE)
      {
        g_string_append_printf (text, "%s%s", done == 0 ? "" : done + 1 < n ? ", " : " or ", op_names[op]);
        done++;
      }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* What the caller's role may do, before the database is asked (403): a
 * create or delete names "op"; an update by a role that may change no
 * field of the entity names "id" (the record, as the database would), one
 * by a role that may change some names the first field it may not. */
static gboolean
check_role (Mutation  *m,
            GError   **error)
{
  g_autoptr(GList) names = NULL;

  if (ops_for (m->entity, 1u << m->role, m->op) == CRM_ROLES_NONE)
    {
      if (m->op == OP_UPDATE)
        crm_set_field_error (error, CRM_ERROR_FORBIDDEN, "id", "You may see this record but not change it");
      else
        crm_set_field_error (error, CRM_ERROR_FORBIDDEN, "op", "Your role may not %s a %s",
                             op_names[m->op], crm_entity_names[m->entity]);
      return FALSE;
    }
  names = m->fields ? json_object_get_members (m->fields) : NULL;
  for (GList *l = names; l != NULL; l = l->next)
    if (!crm_field_writable_by (crm_field_spec_lookup (m->entity, l->data), m->role))
      {
        crm_set_field_error (error, CRM_ERROR_FORBIDDEN, l->data, "Your role may not change %s",
                             (const char *) l->data);
        return FALSE;
      }
  return TRUE;
}

/* The record's key from @id: a UUID for an entity keyed by id; for one
 * keyed by two fields (a campaign member), the two joined by '/'
 * ("<campaign_id>/<customer_id>"), each of its field's type, as the
 * client's store writes the key of such a record; for one keyed by
 * another single field (a pipeline stage), that field's value.  A key
 * other than {"id"} goes to crm.apply_mutation() as jsonb. */
static gboolean
parse_key (Mutation    *m,
           const char  *id,
           GError     **error)
{
  const CrmEntityInfo *info = crm_entity_info (m->entity);
  guint n = g_strv_length ((char **) info->key);
  g_auto(GStrv) parts = id ? g_strsplit (id, "/", -1) : NULL;
  g_autoptr(GString) json = g_string_new ("{");

  if (parts == NULL || g_strv_length (parts) != n)
    goto bad;
  for (guint i = 0; i < n; i++)
    {
      const CrmField *field = crm_entity_info_field (info, info->key[i]);
      g_autofree char *lower = g_ascii_strdown (parts[i], -1);

      if (field->value_type == CRM_VALUE_DATE || field->value_type == CRM_VALUE_ENUM
          ? !crm_field_validate (field, parts[i], NULL) : !crm_validate_uuid (parts[i]))
        goto bad;
      g_free (parts[i]);
      parts[i] = g_steal_pointer (&lower);
      g_string_append_printf (json, "%s\"%s\":\"%s\"", i ? "," : "", info->key[i], parts[i]);
    }
  g_string_append_c (json, '}');
  m->id = g_strjoinv ("/", parts);
  m->key_values = g_steal_pointer (&parts);
  if (n > 1 || !g_str_equal (info->key[0], "id"))
    m->key_json = g_string_free (g_steal_pointer (&json), FALSE);
  return TRUE;

bad:
  if (n > 1 || !g_str_equal (info->key[0], "id"))
    {
      g_autofree char *names = g_strjoinv ("/", (char **) info->key);

      crm_set_field_error (error, CRM_ERROR_INVALID, "id", "id must be the record's key, %s (joined by /)", names);
    }
  else
    crm_set_field_error (error, CRM_ERROR_INVALID, "id", "id must be the record's id (a UUID)");
  return FALSE;
}

/* A delete names the record and nothing else. */
static gboolean
check_delete (JsonObject  *obj,
              Mutation    *m,
              const char  *key,
              GError     **error)
{
  const char *extra[] = { "fields", "base" };

  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    if (json_object_has_member (obj, extra[i]))
      {
        crm_set_field_error (error, CRM_ERROR_INVALID, extra[i], "A delete carries no %s", extra[i]);
        return FALSE;
      }
  if (!check_role (m, error))
    return FALSE;
  m->key = g_strdup (key);
  return TRUE;
}

/* The checks of a written value that the field table cannot state and
 * the database should not have to make, per entity and field, before the
 * database is asked: a segment's criteria compile as the preview compiles
 * them, and a bad tree is refused with the JSON pointer of the member at
 * fault under /fields/criteria. */
static gboolean
criteria_valid (JsonNode    *value,
                const char  *path,
                GError     **error)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *where = crm_segment_compile (value, path, 1, values, error);

  return where != NULL;
}

static const struct
{
  CrmEntity   entity;
  const char *field;
  gboolean  (*check) (JsonNode *value, const char *path, GError **error);
} value_checks[] = {
  { CRM_ENTITY_SEGMENT, "criteria", criteria_valid },
};

static gboolean
check_values (Mutation  *m,
              GError   **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (value_checks); i++)
    {
      JsonNode *value;
      g_autofree char *path = NULL;

      if (value_checks[i].entity != m->entity || !json_object_has_member (m->fields, value_checks[i].field))
        continue;
      value = json_object_get_member (m->fields, value_checks[i].field);
      path = g_strdup_printf ("/fields/%s", value_checks[i].field);
      if (!JSON_NODE_HOLDS_NULL (value) && !value_checks[i].check (value, path, error))
        return FALSE;
    }
  return TRUE;
}

/* Checks the body; fills @m and the texts crm.apply_mutation() takes. */
static gboolean
check_request (JsonObject  *obj,
               Mutation    *m,
               GError     **error)
{
  JsonNode *fields = json_object_get_member (obj, "fields");
  JsonNode *base_version = json_object_get_member (obj, "base_version");
  const char *key = member_string (obj, "key");
  const char *entity = member_string (obj, "entity");
  const char *op = member_string (obj, "op");
  const char *id = member_string (obj, "id");
  int entity_index = -1;

  if (key == NULL || !crm_validate_uuid (key))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "key", "key must be a UUID made for this write");
      return FALSE;
    }
  /* an entity nobody may write is refused as an unknown one is */
  if (entity == NULL || (entity_index = crm_wire_lookup (crm_entity_names, entity)) < 0 ||
      !crm_entity_info_writable (crm_entity_info ((CrmEntity) entity_index)))
    {
      g_autofree char *writable = writable_entities ();

      crm_set_field_error (error, CRM_ERROR_INVALID, "entity", "entity must be %s", writable);
      return FALSE;
    }
  m->entity = (CrmEntity) entity_index;
  m->op = op ? crm_wire_lookup (op_names, op) : OP_UPDATE;
  if (m->op < 0 || ops_for (m->entity, CRM_ROLES_ALL, m->op) == CRM_ROLES_NONE)
    {
      g_autofree char *ops = op_list (m->entity);

      crm_set_field_error (error, CRM_ERROR_INVALID, "op", "op must be %s for a %s", ops, entity);
      return FALSE;
    }
  if (!parse_key (m, id, error))
    return FALSE;
  /* informative only, but if given, a version */
  if (base_version != NULL && !JSON_NODE_HOLDS_NULL (base_version) &&
      (!JSON_NODE_HOLDS_VALUE (base_version) || json_node_get_value_type (base_version) != G_TYPE_INT64 ||
       json_node_get_int (base_version) < 0 || json_node_get_int (base_version) > G_MAXINT32))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "base_version",
                           "base_version must be the version the change was made on");
      return FALSE;
    }
  if (m->op == OP_DELETE)
    return check_delete (obj, m, key, error);
  if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "fields", "fields must be an object");
      return FALSE;
    }
  m->fields = json_node_get_object (fields);
  if (!crm_fields_check_object (m->entity, m->op == OP_CREATE, m->fields, error) ||
      !check_role (m, error) || !check_values (m, error))
    return FALSE;
  if (m->op == OP_UPDATE)
    {
      JsonNode *base = json_object_get_member (obj, "base");

      if (!crm_fields_check_base (m->entity, m->fields, base, error))
        return FALSE;
      m->base = json_node_get_object (base);
    }
  m->key = g_strdup (key);
  return TRUE;
}

void
crm_handle_mutation (CrmRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fields_text = NULL;
  g_autofree char *base_text = NULL;
  g_autofree char *masks = NULL;
  Mutation *m = g_new0 (Mutation, 1);
  CrmDbBatch *batch;

  req->data = m;
  req->data_free = mutation_free;
  m->role = req->user->role;

  if (!check_request (json_node_get_object (req->body), m, &error))
    {
      crm_request_respond_error (req, error);
      return;
    }
  fields_text = m->fields ? object_to_text (m->fields) : g_strdup ("{}");
  base_text = m->base ? object_to_text (m->base) : g_strdup ("{}");
  masks = masks_text (m->entity);

  batch = crm_request_new_batch (req);
  {
    const char *apply_values[7] = { m->key, crm_entity_names[m->entity], op_names[m->op],
                                    m->key_json ? m->key_json : m->id, fields_text, base_text, masks };

    m->apply_index = crm_db_batch_add (batch, m->key_json ? &sql_apply_keyed : &sql_apply, apply_values);
    m->record_index = crm_db_batch_add (batch, record_sql (m->entity), (const char **) m->key_values);
  }
  crm_request_execute (req, batch, applied);
}
