/*
 * subtier.h - lots a supplier bought from its own suppliers (mill heats,
 * purchased components), without a buyer's PO, scoped to the organization
 * that records them: subtier/<ORG>/<h>/<h>/<LOT>/lot.json.
 */
#ifndef VAULT_SUBTIER_H
#define VAULT_SUBTIER_H

#include <stddef.h>

#define VAULT_SUBTIER_FILE "lot.json"
#define VAULT_SUBTIER_TOP "subtier"

/*
 * "subtier/ORG/ab/cd/LOT/lot.json" (ab, cd: LOT's fan-out) into buf;
 * VAULT_EINVALID and "" for names too long to be an organization's and
 * a lot's.
 */
int vault_subtier__path(char *buf, size_t size, const char *org, const char *lot);

#endif
