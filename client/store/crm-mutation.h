#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "crm-fields.h"

G_BEGIN_DECLS

#define CRM_TYPE_MUTATION (crm_mutation_get_type ())

typedef enum
{
  CRM_MUTATION_OP_UPDATE,
  CRM_MUTATION_OP_CREATE,
  CRM_MUTATION_OP_DELETE,  /* fields empty, no base: the record goes */
} CrmMutationOp;

typedef enum
{
  CRM_MUTATION_PENDING,  /* queued, not sent yet */
  CRM_MUTATION_SENT,     /* handed to the sync engine; resent with the same key after a crash */
  CRM_MUTATION_FAILED,   /* refused by the server; last_error says why */
  CRM_MUTATION_CONFLICT, /* a colleague changed the same field first: kept, still shown,
                          * waiting for the user to choose (conflicts says what) */
} CrmMutationState;

/*
 * One write from the local queue, as POST /mutations takes it.  A snapshot:
 * changing the queue does not change it.  Reference counted.
 */
typedef struct
{
  gint64            seq;           /* the queue's order */
  char             *key;           /* idempotency key (UUID) */
  CrmEntity         entity;
  CrmMutationOp     op;
  char             *record_id;
  gint64            base_version;  /* 0 for a create */
  JsonObject       *fields;        /* empty for a delete */
  JsonObject       *base;          /* updates: field -> the value the change was made on
                                    * (JSON null for empty); NULL for a create or delete */
  CrmMutationState  state;
  char             *last_error;    /* NULL unless failed or in conflict */
  JsonArray        *conflicts;     /* in conflict: {field, base, mine, theirs} objects; else NULL */
} CrmMutation;

GType        crm_mutation_get_type   (void) G_GNUC_CONST;
CrmMutation *crm_mutation_new        (void);
CrmMutation *crm_mutation_ref        (CrmMutation *mutation);
void         crm_mutation_unref      (CrmMutation *mutation);
/* The body of POST /mutations for @mutation: key, entity, op, id,
 * base_version and base (updates only) and fields (not for a delete). */
JsonObject  *crm_mutation_to_request (CrmMutation *mutation);

/* A refusal as last_error keeps it: "code: message", or with the field the
 * server named, "code (field): message". */
char        *crm_mutation_format_refusal  (const char      *code,
                                           const char      *field,
                                           const char      *message);
/* The parts of @mutation's last_error (each NULL when it has none). */
void         crm_mutation_parse_refusal   (CrmMutation     *mutation,
                                           char           **code,
                                           char           **field,
                                           char           **message);

const char  *crm_mutation_op_to_string    (CrmMutationOp    op);
const char  *crm_mutation_state_to_string (CrmMutationState state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmMutation, crm_mutation_unref)

G_END_DECLS
