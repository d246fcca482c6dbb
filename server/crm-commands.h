#pragma once

#include "crm-config.h"

G_BEGIN_DECLS

/* Each `keyline-server COMMAND` is one function.  argv[0] is the command's
 * name and the rest its own arguments; global options were already parsed
 * into @config.  Returns the process exit status. */
int crm_serve_command   (CrmConfig *config, int argc, char **argv);
int crm_migrate_command (CrmConfig *config, int argc, char **argv);
int crm_seed_command    (CrmConfig *config, int argc, char **argv);
int crm_user_command    (CrmConfig *config, int argc, char **argv);
int crm_refresh_command (CrmConfig *config, int argc, char **argv);

G_END_DECLS
