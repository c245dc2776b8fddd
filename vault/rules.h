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

#include "config.h"
#include "record.h"
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
	int on_behalf;           /* a server signed the change for `who` */
	const char *vault_id;    /* the vault's identity (vault.json) */
	/*
	 * The detector an added file's content type is found with (verify's);
	 * NULL on the write path, which detected each file as it took it in.
	 */
	struct vault_detect *detect;
	vault_finding_cb found;
	void *payload;           /* the caller's, for `found` and the services below */
	/*
	 * What the caller (verify) offers the checks: the release record at
	 * `path` of `before` (NULL: none), parsed once per blob and owned by
	 * the caller; the user of `users` (a tree with users/) whose key is
	 * `key_id`, or NULL; and a signature to verify, its failure reported
	 * as a finding about `path`.
	 */
	const vault_release *(*release_at)(const vault_change_ctx *c, const char *path);
	const vault_user *(*user_of_key)(const vault_change_ctx *c, const git_tree *users,
					 const char *key_id);
	void (*check_signature)(const vault_change_ctx *c, const char *path, const char *ns,
				const char *sig, size_t siglen, const char *data, size_t len);
	/*
	 * The vault.json of `before`, parsed once per blob and owned by the
	 * caller (a commit of 10,000 uploads is held to one); NULL when there
	 * is none or it does not parse.  NULL: the check reads it itself.
	 */
	const vault_config *(*config_before)(const vault_change_ctx *c);
};

/*
 * The kinds' checks of one added path (kind.h) report what is wrong
 * through c->found and return nothing: a check never stops at the first
 * finding.
 */

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
/*
 * A commit begins (`c`, its context; `id`, its first `parent` or NULL,
 * whether a `merge`) and ends.  `whole`: all fed so far is its history
 * (vault_walk__whole).  A commit that is not whole is judged on its own
 * history, not on the sum (which holds the other side's draws and
 * cancellations too): a second ledger counts it, seeded from its first
 * parent's tree, or carried on from its parent when that was the last
 * commit fed (a side's line costs one seed, not one a commit), and a
 * merge's tree whole.  A lot drawn there is judged on the sum too, at
 * the next whole commit, a merge of both sides, or at the end of the
 * `last` commit (a pull's walk of their side ends so: the sum is what the
 * merge will hold).  So the findings do not depend on which side of a
 * merge is counted first.  A NULL ledger: nothing.
 */
void vault_ledger__commit(vault_ledger *l, const vault_change_ctx *c, int whole,
			  const git_oid *id, const git_oid *parent, int merge);
void vault_ledger__commit_end(vault_ledger *l, const vault_change_ctx *c, int last);
/*
 * Seed an empty ledger with what `tree` (a verified commit's) holds, as if
 * its history had been fed to it: each lot and sub-tier lot, the draws of
 * each ship notice in force and of each lot, the receipts; every record
 * counted, so that the same record added again on another side is not.
 */
int vault_ledger__seed(vault_ledger *l, vault_store *store, const git_tree *tree);

/* ---- what the checks share (rules.c) ---------------------------------- */

/* The JSON object at `path` of `tree` (NULL tree: none), or NULL; the caller's. */
json_t *vault_rules__json_at(const vault_change_ctx *c, const git_tree *tree, const char *path);

/* The record `file` of keyed record `name` under `top` ("pos", "lots") in `tree`, or NULL. */
json_t *vault_rules__keyed(const vault_change_ctx *c, const git_tree *tree, const char *top,
			   const char *name, const char *file);

/* 1 when `tree` (may be NULL) has a file (not a folder) at `path`. */
int vault_rules__has(vault_store *s, const git_tree *tree, const char *path);

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

/*
 * The same, for a kind's check: -1 after reporting "adds an unexpected
 * path" when `path` is not in a revision folder.
 */
int vault_rules__revision_of(const vault_change_ctx *c, const char *path, char *doc, char *rev,
			     const char **rest);

/*
 * Split `path` at '/' into at most `max` components of VAULT_NAME_MAX
 * bytes; their count, or max + 1 when there are more (or one is longer).
 */
size_t vault_rules__split(char parts[][VAULT_NAME_MAX + 1], size_t max, const char *path);

/* Whether `path` begins with the fan-out folder of `name` under `top`. */
int vault_rules__fanned(const char *path, const char *top, const char *name);

/*
 * A record's author, organization (NULL: not named) and time (ISO 8601)
 * against the change's signer and time.
 */
void vault_rules__signed_as(const vault_change_ctx *c, const char *path, const char *by,
			    const char *org, const char *at);

/*
 * A file of a revision folder (`rest`: where in `path` the folder's part
 * begins) arrives with the record that lists it, in the same change.
 */
void vault_rules__with_its_record(const vault_change_ctx *c, const char *path, const char *rest);

/* A record beside a revision (release, link...) needs the revision's record in `in`. */
void vault_rules__beside_a_record(const vault_change_ctx *c, const char *path, const char *rest,
				  const git_tree *in);

/*
 * Each revision of document `doc` that `tree` records, parsed, to `cb`
 * with whether it carries a release; what cannot be parsed is skipped
 * (its own commit's check reports it).
 */
typedef void (*vault_revision_cb)(const vault_change_ctx *c, const vault_revision *o,
				  int released, void *payload);
void vault_rules__each_revision(const vault_change_ctx *c, const git_tree *tree, const char *doc,
				vault_revision_cb cb, void *payload);

/*
 * Whether supplier user `u` may see the revision in folder `revdir` of
 * c->tree: 1 when its own organization's, or released to it; 0 when not;
 * 2 when released to it marked, but none of its attestations before the
 * commit covers the marking on the commit's day (the marking into
 * `marking`).  The read rule (index.c, marking.c), as history checks it.
 */
int vault_rules__visible(char marking[32], const vault_change_ctx *c, const char *revdir,
			 const vault_user *u);

#endif
