#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A blocking HTTP client for the server tests: requests go to the base URL
 * given to crm_test_http_init () (".../api/v1/"). */
typedef struct
{
  guint     status;
  char     *body;
  JsonNode *json;          /* NULL for an empty body */
  char     *retry_after;
  char     *sync_next;     /* the Keyline-Sync-Next header, or NULL */
} Response;

void        crm_test_http_init     (const char *base_url);
void        crm_test_http_shutdown (void);
Response   *http                   (const char *method,
                                    const char *path,
                                    const char *token,
                                    const char *content_type,
                                    const char *body,
                                    gsize       body_len);
Response   *get                    (const char *path,
                                    const char *token);
Response   *post_json              (const char *path,
                                    const char *token,
                                    const char *json);
JsonObject *obj                    (Response   *r);
/* Asserts an error answer: status, code and (if not NULL) field. */
void        assert_error           (Response   *r,
                                    guint       status,
                                    const char *code,
                                    const char *field);
/* Signs in; returns the token.  Fails the test on anything but 201. */
char       *sign_in_with           (const char *login,
                                    const char *password);
void        response_free          (Response   *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

G_END_DECLS
