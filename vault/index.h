/*
 * index.h - the SQLite traceability index, derived from the repository.
 *
 * WAL, synchronous=FULL, every write in BEGIN IMMEDIATE.  The index
 * records the commit it reflects; catching up applies each newer commit
 * in order, so a crash between a commit and its index update heals on the
 * next open.
 */
#ifndef VAULT_INDEX_H
#define VAULT_INDEX_H

#include "progress.h"
#include "kind.h"
#include "store.h"
#include "vault.h"
#include "walk.h"

#define VAULT_INDEX_VERSION 18

/*
 * SQL: whether a supplier of organization `org` (a parameter such as
 * "?9"; NULL: anyone) may see revision `r` (an alias of `revisions`):
 * its own organization's, or released to it.  The one rule of every read
 * that filters revisions by their viewer.
 */
#define VAULT_INDEX_VISIBLE(r, org) "((" org " IS NULL OR " r ".org = " org \
	" OR EXISTS (SELECT 1 FROM distribution d WHERE d.doc = " r ".doc AND d.rev = " r ".rev" \
	" AND d.org = " org ")) AND " VAULT_INDEX_CLEARED(r ".doc", r ".rev", org) ")"

/*
 * SQL: whether a supplier of organization `org` (NULL: anyone) may see
 * revision `doc`@`rev` (SQL expressions) for its export-control marking:
 * unmarked, or marked with one the connection's viewer is cleared for
 * (temp.cleared, filled by vault_marking__refresh from the viewer's
 * attestations for each read, "*" for a viewer who sees all;
 * marking.c holds the rule).  Part of VAULT_INDEX_VISIBLE; said alone
 * where a read joins `distribution` itself.  `org` may also be an
 * organization a viewer who sees all names (pending --org): "*" lets
 * everything through then.
 */
#define VAULT_INDEX_CLEARED(doc, rev, org) "(" org " IS NULL OR NOT EXISTS (SELECT 1" \
	" FROM releases mk WHERE mk.doc = " doc " AND mk.rev = " rev \
	" AND mk.marking IS NOT NULL AND mk.marking NOT IN (SELECT marking FROM temp.cleared)" \
	" AND NOT EXISTS (SELECT 1 FROM temp.cleared WHERE marking = '*')))"

/*
 * SQL: the FROM and WHERE of the revisions distributed to an
 * organization and not yet acknowledged by it (`d` the distribution row,
 * `l` its release, `r` the revision), of organization `org` (an SQL
 * expression; NULL: every one): not obsolete, not superseded for that
 * organization (no later revision released to it).  `pending` and the
 * inbox read the same list.
 */
#define VAULT_INDEX_PENDING(org) \
	" FROM distribution d JOIN releases l ON l.doc = d.doc AND l.rev = d.rev" \
	" JOIN revisions r ON r.doc = d.doc AND r.rev = d.rev" \
	" WHERE (" org " IS NULL OR d.org = " org ")" \
	" AND NOT EXISTS (SELECT 1 FROM obsoletes o WHERE o.doc = d.doc AND o.rev = d.rev)" \
	" AND NOT EXISTS (SELECT 1 FROM distribution d2 JOIN revisions r2" \
	"  ON r2.doc = d2.doc AND r2.rev = d2.rev WHERE d2.doc = d.doc AND d2.org = d.org" \
	"  AND r2.seq > r.seq)" \
	" AND NOT EXISTS (SELECT 1 FROM acks a WHERE a.doc = d.doc AND a.rev = d.rev AND a.org = d.org)" \
	" AND " VAULT_INDEX_CLEARED("d.doc", "d.rev", org)

/* SQL: whether revision `r` is in force: not withdrawn by the organization that added it. */
#define VAULT_INDEX_IN_FORCE(r) \
	"NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.doc = " r ".doc AND w.rev = " r ".rev)"

/*
 * SQL: whether revision `r` is its document's current one: the latest of
 * its revisions in force (not withdrawn), and not obsolete.  A renewed
 * certificate is its next revision; the one it renews is no longer current.
 */
#define VAULT_INDEX_CURRENT(r) \
	"(" VAULT_INDEX_IN_FORCE(r) " AND " r ".seq = (SELECT max(c.seq) FROM revisions c" \
	" WHERE c.doc = " r ".doc AND NOT EXISTS (SELECT 1 FROM withdrawals cw" \
	"  WHERE cw.doc = c.doc AND cw.rev = c.rev))" \
	" AND NOT EXISTS (SELECT 1 FROM obsoletes co WHERE co.doc = " r ".doc" \
	"  AND co.rev = " r ".rev))"

/*
 * SQL: the day revision `r` is next due for review: the `next` of its
 * latest review, else the review_by it was recorded with (NULL: none).
 */
#define VAULT_INDEX_REVIEW_DUE(r) \
	"coalesce((SELECT rv.next FROM reviews rv WHERE rv.doc = " r ".doc AND rv.rev = " r ".rev" \
	" ORDER BY rv.reviewed_at DESC, rv.reviewed_by DESC LIMIT 1), " r ".review_by)"

/* SQL: whether lot `lot` (an SQL expression) has a certificate of conformity attached. */
#define VAULT_INDEX_LOT_HAS_COC(lot) \
	"EXISTS (SELECT 1 FROM links k JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev" \
	" WHERE k.kind = 'lot' AND k.target = " lot " AND r.type = 'coc'" \
	" AND " VAULT_INDEX_IN_FORCE("r") ")"

/*
 * SQL: whether revision `r` (a certificate, an FAI) counts for the lots of
 * supplier organization `org` (an SQL expression): filed by that
 * organization (its `org`), or attached to one of its lots or POs (a
 * record filed on its behalf by the buying side, who alone may attach
 * another organization's revision to it).  Another organization's
 * record closes none of its gaps, nor does one of the buying side that
 * no attachment gives to a supplier, nor one withdrawn.
 */
#define VAULT_INDEX_FILED_FOR(r, org) "((" VAULT_INDEX_IN_FORCE(r) ") AND (" r ".org = " org \
	" OR EXISTS (SELECT 1 FROM links fa JOIN lots fl ON fa.kind = 'lot' AND fl.lot = fa.target" \
	"  WHERE fa.doc = " r ".doc AND fa.rev = " r ".rev AND fl.supplier = " org ")" \
	" OR EXISTS (SELECT 1 FROM links fa JOIN pos fp ON fa.kind = 'po' AND fp.po = fa.target" \
	"  WHERE fa.doc = " r ".doc AND fa.rev = " r ".rev AND fp.supplier = " org ")))"

typedef struct vault_index vault_index;

/*
 * Open (creating or upgrading) the index at `path`.  `readonly` opens an
 * existing index without writing to it at all.  `path` "" is a scratch
 * index: a temporary database of its own, whose file SQLite unlinks as
 * soon as it makes it, so that a process killed leaves none behind.  VAULT_EVERIFY means the
 * file is not a usable index: the caller may delete and rebuild it.
 * `kinds` (kinds.c's list, NULL-terminated) is what the index records of
 * each commit: each added file of a kind that has an index function.
 */
int vault_index__open(vault_index **out, const char *path, int readonly,
		      const vault_kind *const *kinds);
void vault_index__free(vault_index *idx);

/*
 * Attach the index at `path` to `idx` as `schema` (a name of the
 * caller's, put in the SQL as it is), read only, as vault_index__open
 * reads it with `readonly`.
 */
int vault_index__attach(vault_index *idx, const char *path, const char *schema, int readonly);

/*
 * Make the index the copy of `from`, page for page, in one transaction
 * of its own (SQLite's backup): what a reader of it sees after, whatever
 * its pages were (damaged ones too).
 */
int vault_index__replace(vault_index *idx, vault_index *from);

/* The commit the index reflects, or "" for none. */
int vault_index__reflects(char out[41], vault_index *idx);

/*
 * Bring the index to the branch's head, read under the index's write
 * lock: apply every commit after the one it reflects, or rebuild from
 * scratch when that commit is not an ancestor of the head (or `full` is
 * set).  One transaction, so readers see the old state or the new.
 */
int vault_index__catch_up(vault_index *idx, vault_store *s, int full);

/*
 * Called before a rebuild indexes the `i`-th commit of its order: a caller
 * reading the same history beside it acts there (verify has the rebuild
 * let go of its packs when the walk does).  < 0 stops the rebuild with
 * that error.
 */
typedef int (*vault_index_pace)(void *payload, size_t i);

/*
 * Rebuild the index from scratch to commit `tip`, reading the commits of
 * `order` (its whole history, oldest first: walk.h) rather than walking
 * it again: verify's index check, beside verify's own walk of it; `pace`
 * (NULL: none) is called before each commit.  Each commit's parents are kept
 * beside it, in the connection's temporary table `temp.parents (child,
 * parent)` (hex ids; gone when `idx` is freed): verify checks the order
 * of another index's audit trail against them.
 */
int vault_index__rebuild(vault_index *idx, vault_store *s, const git_oid *tip,
			 const vault_walk *order, vault_index_pace pace, void *payload);

/*
 * Tell `p` (borrowed; NULL: nobody) how far a catch-up of more than one
 * commit got ("Indexing commits").  `idx` may be NULL.
 */
void vault_index__set_progress(vault_index *idx, vault__meter *p);

/*
 * Whether the history up to `to`, a commit not yet on the branch (a merge
 * about to be published), can be indexed: 0, or the error catching up to
 * it would meet (VAULT_EVERIFY: a record added twice, one malformed).
 * The index is left as it was.
 */
int vault_index__try(vault_index *idx, vault_store *s, const git_oid *to);

/*
 * Index `commit`, which this process just wrote and moved the branch to,
 * from the records it wrote (`revs`, blob ids filled in) rather than by
 * reading them back.  Falls back to vault_index__catch_up() unless the
 * index reflects exactly the commit's parent and the branch is at it.
 */
int vault_index__record_written(vault_index *idx, vault_store *s,
				git_commit *commit, const vault_revision *revs,
				size_t nrevs);

/*
 * Queries.  `viewer` NULL sees everything; an organization's name sees
 * only what was released to it and what it added itself, each revision's
 * state as that organization has it (superseded only by a later revision
 * released to it), its distribution only to itself, and no seq.
 */
int vault_index__get(vault_revision *out, vault_index *idx, const char *doc,
		     const char *rev, const char *viewer);
/*
 * vault_index__get, seen as `viewer` sees it, with the state organization
 * `org` has (NULL: superseded by a later release to anyone): what an
 * acknowledgment by a user of `org` is judged by, whatever it may see.
 */
int vault_index__get_as(vault_revision *out, vault_index *idx, const char *doc,
			const char *rev, const char *viewer, const char *org);
int vault_index__revisions(vault_revision_list **out, vault_index *idx,
			   const char *doc, const char *viewer);
int vault_index__list(vault_revision_list **out, vault_index *idx,
		      const vault_list_filter *filter, const char *viewer);
/* How many documents vault_index__list would give, `after`, `limit` and `skip` aside. */
int vault_index__count(size_t *count, vault_index *idx, const vault_list_filter *filter,
		       const char *viewer);

/*
 * Record the revision whose record.json a commit added (the revision
 * kind's index function, kind.h), with its files' blob ids.
 */
int vault_index__revision(const vault_kind_file *f);

/*
 * End every read a statement of the index left open (one stepped to a row
 * and not reset keeps its snapshot, in WAL mode, for as long as it
 * lives): a handle kept between requests then reads what was written
 * since.
 */
void vault_index__settle(vault_index *idx);

/*
 * A prepared statement for `sql`, a string constant: prepared on first
 * use, then kept (by the constant's address) until the index is freed,
 * and handed out reset, bindings cleared.  Not to be finalized.
 */
struct sqlite3_stmt;
int vault_index__stmt(struct sqlite3_stmt **st, vault_index *idx, const char *sql);

struct sqlite3_stmt;

/*
 * A record is added once: 0 when `sql`, a SELECT of the commit_id of the
 * record of one identity (its parameters the `nkeys` texts `keys`), finds
 * none; VAULT_EVERIFY when it finds one, the message naming the commit
 * `commit` that adds `path` again, the record (`what`: "PO 'PO-1'") and
 * the commit that added it first.  Each kind calls it before recording a
 * file whose identity its table holds once, so that a history written
 * around qvault is refused by the kind's own words, never SQLite's.
 */
int vault_index__once(vault_index *idx, const git_oid *commit, const char *path,
		      const char *sql, const char *const *keys, size_t nkeys, const char *what);

/* vault_index__once with the SELECT `st` prepared and bound by the caller; it is reset. */
int vault_index__once_step(vault_index *idx, struct sqlite3_stmt *st, const git_oid *commit,
			   const char *path, const char *what);

/*
 * vault_index__once for the file `f` of a record named `key` (of document
 * revision key@rev when `rev` is not NULL), `sql` taking them as ?1 and
 * ?2; `noun` names its kind in the message: "the release of DWG-1@C",
 * "lot 'L-1'".
 */
int vault_index__once_of(const vault_kind_file *f, const char *sql, const char *noun,
			 const char *key, const char *rev);

/* Step `st` once to its end and reset it; `what` names the failure. */
int vault_index__step(vault_index *idx, struct sqlite3_stmt *st, const char *what);

/* The SQLite handle, for the modules that keep their own tables here. */
struct sqlite3 *vault_index__db(vault_index *idx);

/*
 * The audit trail, oldest first: every event, or with `touching` (the SQL
 * of a SELECT of commit ids, whose parameters ?1, ?2, ?3 are bound to
 * params[0..2], each may be NULL) the events of those commits and those
 * recording a revision of document params[0].  Each event's subjects are
 * the revisions it recorded, and the one it made obsolete.  Only the
 * events after place `after` in the log (0: all), `max` at most (-1: no
 * limit).
 */
int vault_index__log(vault_event_list **out, vault_index *idx, const char *touching,
		     const char *const params[3], int64_t after, int64_t max);

/* The place in the log of the event of `commit`: VAULT_ENOTFOUND if none. */
int vault_index__event_seq(int64_t *seq, vault_index *idx, const char *commit);

#endif
