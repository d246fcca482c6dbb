#pragma once

#include <glib.h>

#include "crm-fields.h"
#include "crm-wire.h"

G_BEGIN_DECLS

/*
 * The entity table: every record that syncs, described once.
 *
 * An entity is a PostgreSQL table the server syncs and (for some) writes,
 * and a SQLite table of the client's store.  Its description names the
 * table, the key (one column, or two for a composite key such as a
 * revenue month), the parent it hangs from (the customer, for all but the
 * top-level ones), and every field: wire name, column, value type, enum
 * values, the entity a reference points to, who sees it masked, who never
 * sees it, who may write it, whether it is required, how it is checked,
 * its label (translatable: the client's forms and column headers), and
 * whether a list may sort or search by it.
 *
 * The server's sync stages and JSON records, its mutation checks, the
 * client's store tables, statements and page parsing, and the field labels
 * are built from it.  tests/test-entity-schema.c checks it against
 * PostgreSQL's catalog and the SQLite store, tests/test-server-visibility.c
 * its readable_by against the policies, so they cannot drift.
 *
 * Adding an entity: a migration (table, read and write policies, sync
 * stamp and departure triggers as in 0006/0007, and its apply function
 * once it is written), a store migration with its local table, an entry
 * here, and tests (docs/architecture.md, "Adding an entity").
 */

/* How a value is stored and travels. */
typedef enum
{
  CRM_VALUE_TEXT,       /* JSON string; text */
  CRM_VALUE_INTEGER,    /* JSON number; smallint, integer or bigint */
  CRM_VALUE_MONEY,      /* JSON number of fen; bigint */
  CRM_VALUE_DATE,       /* JSON "YYYY-MM-DD"; date */
  CRM_VALUE_TIMESTAMP,  /* JSON RFC 3339 string; timestamptz */
  CRM_VALUE_BOOL,       /* JSON true/false; boolean */
  CRM_VALUE_ENUM,       /* JSON string, one of enum_values; a crm.* enum or checked text */
  CRM_VALUE_REFERENCE,  /* JSON UUID string of a record of @reference; uuid */
  CRM_VALUE_UUID,       /* JSON UUID string not pointing to a synced entity (a user, a region) */
  CRM_VALUE_TEXT_LIST,  /* JSON array of strings; text[] (or an enum[] with enum_values) */
  CRM_VALUE_JSON,       /* JSON object; jsonb */
} CrmValueType;

/* Role sets: CRM_ROLES (ADMIN) | CRM_ROLES (MANAGER)… */
#define CRM_ROLES(role) (1u << CRM_ROLE_##role)
#define CRM_ROLES_ALL   ((1u << CRM_N_ROLES) - 1)
#define CRM_ROLES_NONE  0u

typedef enum
{
  CRM_FIELD_REQUIRED   = 1 << 0,  /* never null; a create must carry it */
  CRM_FIELD_KEY        = 1 << 1,  /* part of the entity's key */
  CRM_FIELD_PARENT     = 1 << 2,  /* the reference to the parent record */
  CRM_FIELD_SORTABLE   = 1 << 3,  /* a list may sort by it */
  CRM_FIELD_SEARCHABLE = 1 << 4,  /* a list's search looks in it */
  CRM_FIELD_SERVER_SET = 1 << 5,  /* kept by the server (version, updated_at): sent, never written */
  CRM_FIELD_MULTILINE  = 1 << 6,  /* text that may hold line breaks and tabs (notes) */
  CRM_FIELD_CREATE_ONLY = 1 << 7, /* written when the record is made, never changed after
                                   * (a customer's region); a parent is so too */
} CrmFieldFlags;

typedef struct _CrmEntityInfo CrmEntityInfo;

/* (CrmField is declared in crm-fields.h, whose functions take it.) */
struct _CrmField
{
  const char         *name;          /* on the wire and in SQLite */
  const char         *column;        /* in PostgreSQL; NULL: the same as name */
  CrmValueType        value_type;
  CrmFieldFlags       flags;
  const char * const *enum_values;   /* CRM_VALUE_ENUM (and enum lists): NULL-terminated */
  const char         *sql_type;      /* the PostgreSQL type for the catalog test, e.g. "crm.customer_tier" */
  CrmEntity           reference;     /* CRM_VALUE_REFERENCE: the entity it points to */
  CrmFieldType        check;         /* how a written value is checked (crm_field_validate):
                                      * CRM_FIELD_TEXT, _ENUM, _MOBILE, _EMAIL, _PHONE, _BOOL, _UUID… */
  guint               max_chars;     /* text: 0 for no limit */
  gint64              min_value;     /* integer and money: the range a written value must be in */
  gint64              max_value;     /* (inclusive); both 0: an integer column's range for an
                                      * integer, 0 and up for money (never below 0) */
  CrmFieldMask        mask;          /* how it is masked for @masked_for */
  guint               masked_for;    /* roles that receive it masked */
  guint               revealable_by; /* roles that may ask for it in full, one value at a
                                      * time, recorded (POST /customers/{id}/reveal) */
  guint               withheld_from; /* roles that never receive it */
  guint               writable_by;   /* roles that may write it; CRM_ROLES_NONE: read-only */
  const char         *label;         /* N_(): translate with g_dgettext (GETTEXT_PACKAGE, …) */
  const char         *label_context; /* for msgctxt (a person's "Name"), or NULL */
  const char         *default_value; /* a required field a create may leave out: the value the
                                      * server gives it then (the column's DEFAULT), as a SQL
                                      * literal ("12", "'direct'", "'[]'" for an empty list),
                                      * which the client's store shows until the server's
                                      * record comes; NULL: a create must carry it */
};

struct _CrmEntityInfo
{
  CrmEntity           entity;
  const char         *name;          /* on the wire: "contact" */
  const char         *plural;        /* the sync page's member: "contacts" */
  const char         *table;         /* PostgreSQL: "crm.contacts" */
  const char         *local_table;   /* SQLite: "contacts" */
  const CrmField     *fields;        /* ending with a zeroed field */
  const char * const *key;           /* the key's field names, NULL-terminated (one or two) */
  CrmEntity           parent;        /* CRM_N_ENTITIES for a top-level entity */
  const char         *parent_field;  /* the field referring to the parent, or NULL */
  guint               creatable_by;  /* roles that may create one */
  guint               deletable_by;  /* roles that may delete one */
  guint               readable_by;   /* roles whose read policy can show them a row
                                      * (0006-entity-visibility.sql); the sync skips the
                                      * others' stage (tests/test-server-visibility.c) */
  const char         *label;         /* N_(): "Contact" */
  const char * const *server_only;   /* columns of @table that never leave the server
                                      * (sync_xid), NULL-terminated, or NULL */
  guint               synced_own_for; /* roles whose sync sends only the records they own
                                      * (@owner_field is the caller), though their read
                                      * policy shows more: a director's own opportunities,
                                      * not the region's, which their views ask the server
                                      * for.  The entities under such a record follow it. */
  const char         *owner_field;   /* the field naming the owner, for @synced_own_for */
};

/* The description of @entity; never NULL for a valid entity. */
const CrmEntityInfo *crm_entity_info          (CrmEntity            entity);
/* The entity whose wire name (or plural) is @name, or NULL. */
const CrmEntityInfo *crm_entity_info_lookup   (const char          *name);
/* The field of @info named @name on the wire, or NULL. */
const CrmField      *crm_entity_info_field    (const CrmEntityInfo *info,
                                               const char          *name);
guint                crm_entity_info_n_fields (const CrmEntityInfo *info);
/* Whether some role may create, delete or change one of @info's records. */
gboolean             crm_entity_info_writable (const CrmEntityInfo *info);
/* Whether @role's read policy can show it any of @info's records. */
gboolean             crm_entity_info_readable_by (const CrmEntityInfo *info,
                                                  CrmRole              role);
/* What narrows @role's sync of @info to the records the caller owns: @info
 * itself (its owner_field is the caller), its parent (the records under a
 * record the caller owns), or NULL when the sync sends @role all that the
 * read policy shows. */
const CrmEntityInfo *crm_entity_info_synced_owner (const CrmEntityInfo *info,
                                                   CrmRole              role);
/* The PostgreSQL column of @field. */
const char          *crm_field_column         (const CrmField      *field);
/* Whether @role receives @field (not withheld), and whether masked. */
gboolean             crm_field_visible_to     (const CrmField      *field,
                                               CrmRole              role);
gboolean             crm_field_masked_for     (const CrmField      *field,
                                               CrmRole              role);
/* Whether @role may reveal @field's full value (a masked field only). */
gboolean             crm_field_revealable_by  (const CrmField      *field,
                                               CrmRole              role);
gboolean             crm_field_writable_by    (const CrmField      *field,
                                               CrmRole              role);

G_END_DECLS
