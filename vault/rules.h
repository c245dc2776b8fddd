/*
 * rules.h - one check of a proposed change, called twice: by the write
 * path before it commits and by `verify` for every commit of history.
 *
 * A kind's module owns the check of the paths it stores (who may write
 * them, where they must sit, which fields must match the signer, the
 * commit and the tree, what must exist before).  Each check looks only at
 * the change it is given: the tree the change was made on (`before`, the
 * history the vault already trusts) and the tree it leaves (`tree`).
 */
#ifndef VAULT_RULES_H
#define VAULT_RULES_H

#include <stdint.h>

#include <git2.h>
#include <jansson.h>

#include "store.h"
#include "vault.h"

typedef struct vault_change_ctx vault_change_ctx;

/*
 * Report one finding about `path` (may be NULL for the commit itself):
 * a one-line message, lowercase, the subject quoted.
 */
typedef void (*vault_finding_cb)(const vault_change_ctx *c, const char *path,
				 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct vault_change_ctx {
	vault_store *store;
	const git_tree *before;  /* the trusted tree the change is made on; NULL for the root */
	const git_tree *tree;    /* the tree the change leaves */
	const vault_user *who;   /* who acts (the user a server signed for); NULL when unknown */
	int64_t time;            /* the commit's time, seconds since the epoch */
	vault_finding_cb found;
	void *payload;           /* the caller's, for `found` */
};

/*
 * The kinds' checks of one added path; each reports what is wrong
 * through c->found and returns nothing: a check never stops at the first
 * finding.
 */
void vault_link__check(const vault_change_ctx *c, const char *path);     /* docs/.../links/K-T.json */
void vault_fai__check_package(const vault_change_ctx *c, const char *path); /* docs/.../package.json */
void vault_cert__check(const vault_change_ctx *c, const char *path);     /* docs/.../cert.json */
void vault_lot__check(const vault_change_ctx *c, const char *path);      /* lots/.../lot.json */
/* docs/.../<DOC>/<REV>/record.json: a document's revisions come from the organization that created it */
void vault_doc__check_revision(const vault_change_ctx *c, const char *path);

/*
 * Quantities drawn from lots over history: every lot made from another
 * and every ship notice package draws from a lot; the total never
 * exceeds what the lot holds.  A ledger fed each added path once, in
 * history order (each path of a merged history is added by one commit).
 */
typedef struct vault_ledger vault_ledger;
int vault_ledger_new(vault_ledger **out);
void vault_ledger_free(vault_ledger *l);
/* Count what the added lot or ship notice at `path` draws; findings as above. */
void vault_ledger__add(vault_ledger *l, const vault_change_ctx *c, const char *path);

/* ---- what the checks share (rules.c) ---------------------------------- */

/* The JSON object at `path` of `tree` (NULL tree: none), or NULL; the caller's. */
json_t *vault_rules__json_at(const vault_change_ctx *c, const git_tree *tree, const char *path);

/* The record `file` of keyed record `name` under `top` ("pos", "lots") in `tree`, or NULL. */
json_t *vault_rules__keyed(const vault_change_ctx *c, const git_tree *tree, const char *top,
			   const char *name, const char *file);

/* 1 when `tree` (may be NULL) has `path`. */
int vault_rules__has(const git_tree *tree, const char *path);

/* A string member of `o`, "" when absent or not a string. */
const char *vault_rules__str(const json_t *o, const char *key);

/* A finding when the signer is known and holds none of `roles` (to do `what`). */
void vault_rules__require(const vault_change_ctx *c, const char *path, unsigned roles,
			  const char *what);

/* Whether the signer is known and holds none of `roles`. */
int vault_rules__lacks(const vault_change_ctx *c, unsigned roles);

/*
 * Split docs/<a>/<b>/<DOC>/<REV>/<rest> into DOC and REV (VAULT_NAME_MAX + 1
 * bytes each) and *rest; 0 when `path` has that shape and sits where
 * DOC's fan-out puts it.
 */
int vault_rules__doc_path(char *doc, char *rev, const char **rest, const char *path);

#endif
