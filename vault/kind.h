/*
 * kind.h - the kinds of record a vault holds, each described once.
 *
 * A kind is a file the vault may hold: where it lives (its shape), who
 * may write it and through which operations, how the index records it
 * and how it is checked.  Each kind is defined in its own module (a
 * lot's in lot.c); the list of them all is kinds.c's, handed down to the
 * layers that loop over it (the index, verify, replication), so that
 * none of them names a kind.  vault/README.md says how to add one.
 */
#ifndef VAULT_KIND_H
#define VAULT_KIND_H

#include <stddef.h>

#include <git2.h>

#include "vault.h"

struct vault_index;
struct vault_store;
struct vault_change_ctx;

/*
 * What a shape captures of a path: the record's name (DOC, PO, LOT, ASN,
 * NCR, NAME) and a document's revision (REV), "" when the shape has none.
 */
typedef struct {
	char key[VAULT_NAME_MAX + 1];
	char rev[VAULT_NAME_MAX + 1];
} vault_kind_match;

/* One file of a kind that a commit added, as the index is handed it. */
typedef struct {
	struct vault_index *idx;
	struct vault_store *store;
	const git_tree *tree;         /* the commit's tree */
	const git_oid *commit;
	const char *path;             /* the file, from the vault's root */
	const vault_kind_match *m;    /* what its shape captured */
	const char *data;             /* its content, read whole */
	size_t len;
} vault_kind_file;

typedef struct vault_kind {
	const char *name;   /* one word, for messages: "lot", "release" */
	/*
	 * Its path, component by component: a literal, `HH` (a fan-out
	 * folder: two, before the record's name, and those of that name,
	 * vault_record__dir()), an upper-case word (REV: the revision; any
	 * other: the record's name, checked as vault_name_check() does), a
	 * glob (`*.json`) or `...` (one or more components, last).
	 */
	const char *shape;
	/*
	 * The roles that may write it (any one of them), and what writing it
	 * is, for the refusal; 0 when its check decides who may.
	 */
	unsigned roles;
	const char *act;
	/*
	 * The Qvault-Op values of the commits that may write it, and of those
	 * that always do (a commit named for a release holds a release),
	 * space-separated.
	 */
	const char *ops;
	const char *made_by;
	/*
	 * Record one added file in the index; NULL when there is nothing to
	 * record (the file is recorded with another: a revision's files with
	 * its record).  A record it cannot parse is VAULT_EVERIFY (qvault
	 * never writes one; verify reports the commit that did), except where
	 * the kind leaves it out so that the index can still be rebuilt; so
	 * is a record whose identity the index holds already, said by the
	 * kind (vault_index__once).
	 */
	int (*index)(const vault_kind_file *f);
	/* Check one added file (rules.h); NULL when shape and roles are all. */
	void (*check)(const struct vault_change_ctx *c, const char *path);
	/* the index tables `index` fills, space-separated (emptied for a rebuild) */
	const char *tables;
} vault_kind;

/*
 * Whether `path` has the shape of `k`; on a match, `m` (may be NULL)
 * holds what the shape captured.
 */
int vault_kind__match(const vault_kind *k, const char *path, vault_kind_match *m);

/*
 * The kind of `path` in the NULL-terminated list `kinds`, or NULL when
 * the path is of no kind (a vault holds nothing else).
 */
const vault_kind *vault_kind__of(const vault_kind *const *kinds, const char *path,
				 vault_kind_match *m);

/* Whether commits of operation `op` may write `k`; must write it. */
int vault_kind__written_by(const vault_kind *k, const char *op);
int vault_kind__made_by(const vault_kind *k, const char *op);

#endif
