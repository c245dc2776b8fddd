/*
 * log.c - the audit trail, as the acting viewer may see it: every event,
 * or the events of one document, PO or lot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "util.h"

/*
 * The commits that wrote records of document ?1, PO ?2 or lot ?3 (NULL:
 * none): a document's releases, obsoletes, acknowledgments, links, FAI
 * dispositions and withdrawals (its revisions' adds are the index's event
 * subjects); a PO's creation, change orders, answers, status reports, ship notices and their receipts, lots, NCRs
 * and their closing, links to it; a lot's record, NCRs, links to it, the
 * ship notices that carry it and their receipts.
 */
#define COMMITS_TOUCHING \
	"SELECT commit_id FROM releases WHERE doc = ?1" \
	" UNION ALL SELECT commit_id FROM obsoletes WHERE doc = ?1" \
	" UNION ALL SELECT commit_id FROM acks WHERE doc = ?1" \
	" UNION ALL SELECT commit_id FROM links WHERE doc = ?1" \
	" UNION ALL SELECT commit_id FROM fai_dispositions WHERE doc = ?1" \
	" UNION ALL SELECT commit_id FROM withdrawals WHERE doc = ?1" \
	" UNION ALL SELECT commit_id FROM pos WHERE po = ?2" \
	" UNION ALL SELECT commit_id FROM po_changes WHERE po = ?2" \
	" UNION ALL SELECT commit_id FROM po_acks WHERE po = ?2" \
	" UNION ALL SELECT commit_id FROM po_status WHERE po = ?2" \
	" UNION ALL SELECT commit_id FROM asns WHERE po = ?2" \
	" UNION ALL SELECT r.commit_id FROM receipts r JOIN asns a ON a.asn = r.asn WHERE a.po = ?2" \
	" UNION ALL SELECT commit_id FROM lots WHERE po = ?2 OR lot = ?3" \
	" UNION ALL SELECT commit_id FROM ncrs WHERE po = ?2 OR lot = ?3" \
	" UNION ALL SELECT c.commit_id FROM ncr_closes c JOIN ncrs n ON n.ncr = c.ncr" \
	"  WHERE n.po = ?2 OR n.lot = ?3" \
	" UNION ALL SELECT commit_id FROM links WHERE (kind = 'po' AND target = ?2)" \
	"  OR (kind = 'lot' AND target = ?3)" \
	" UNION ALL SELECT commit_id FROM asns WHERE asn IN (SELECT asn FROM asn_items WHERE lot = ?3)" \
	" UNION ALL SELECT commit_id FROM receipts WHERE asn IN" \
	"  (SELECT asn FROM asn_items WHERE lot = ?3)"

/*
 * The commits that wrote records of supplier organization ?1 (`own`:
 * its POs, their answers and status, its lots, ship notices and their
 * receipts, NCRs on its lots and their closing, its acknowledgments,
 * links to its POs and lots) and none of another organization's.
 * `seen(r)` is the SQL test a revision `r` a link attaches must pass for
 * the link to be the organization's record: ORG_OWN's, one it may see
 * (a link of a revision hidden from it is no record of its); ORG_ANY's,
 * any (a link to another's PO or lot is another's record, whatever it
 * attaches).
 */
#define ORG_SEES(r) VAULT_INDEX_VISIBLE(r, "?1")
#define ORG_ANY(r) "1"
#define ORG_OWN ORG_RECORDS("=", ORG_SEES)
#define ORG_OTHERS ORG_RECORDS("<>", ORG_ANY)
#define ORG_RECORDS(cmp, seen) \
	"SELECT commit_id FROM pos WHERE supplier " cmp " ?1" \
	" UNION SELECT commit_id FROM po_acks WHERE org " cmp " ?1" \
	" UNION SELECT commit_id FROM po_status WHERE org " cmp " ?1" \
	" UNION SELECT commit_id FROM lots WHERE supplier " cmp " ?1" \
	" UNION SELECT commit_id FROM asns WHERE supplier " cmp " ?1" \
	" UNION SELECT r.commit_id FROM receipts r JOIN asns a ON a.asn = r.asn" \
	"  WHERE a.supplier " cmp " ?1" \
	" UNION SELECT commit_id FROM ncrs WHERE supplier " cmp " ?1" \
	" UNION SELECT c.commit_id FROM ncr_closes c JOIN ncrs n ON n.ncr = c.ncr" \
	"  WHERE n.supplier " cmp " ?1" \
	" UNION SELECT commit_id FROM acks WHERE org " cmp " ?1" \
	" UNION SELECT c.commit_id FROM po_changes c JOIN pos p ON p.po = c.po" \
	"  WHERE p.supplier " cmp " ?1" \
	" UNION SELECT d.commit_id FROM fai_dispositions d JOIN revisions r ON r.doc = d.doc" \
	"  AND r.rev = d.rev WHERE r.org " cmp " ?1" \
	" UNION SELECT k.commit_id FROM links k JOIN pos p ON k.kind = 'po' AND p.po = k.target" \
	"  JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev WHERE p.supplier " cmp " ?1" \
	"  AND " seen("r") \
	" UNION SELECT k.commit_id FROM links k JOIN lots l ON k.kind = 'lot' AND l.lot = k.target" \
	"  JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev WHERE l.supplier " cmp " ?1" \
	"  AND " seen("r")

/* What a supplier of `org` may see of the log, gathered once. */
typedef struct {
	vault *v;
	const char *org;
	vault_user_list *users;
	char **commits;   /* the commits of ORG_RECORDS, sorted */
	size_t ncommits;
} log_scope;

static void scope_dispose(log_scope *s)
{
	size_t i;

	for (i = 0; i < s->ncommits; i++)
		free(s->commits[i]);
	free(s->commits);
	vault_user_list_free(s->users);
}

/* The commit ids `sql` (one parameter, `org`) selects, in its order. */
static int commit_list(char ***list, size_t *count, vault *v, const char *sql, const char *org)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, error = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == cap) {
			cap = cap ? cap * 2 : 64;
			if ((*list = realloc(*list, cap * sizeof(char *))) == NULL)
				abort();
		}
		(*list)[(*count)++] = vault__strdup((const char *)sqlite3_column_text(st, 0));
	}
	if (rc != SQLITE_DONE)
		error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return error;
}

static int scope_init(log_scope *s, vault *v, const char *org)
{
	int error;

	memset(s, 0, sizeof(*s));
	s->v = v;
	s->org = org;
	if ((error = vault_users(&s->users, v)) < 0)
		return error;
	return commit_list(&s->commits, &s->ncommits, v,
			   "SELECT commit_id FROM (" ORG_OWN ") EXCEPT SELECT commit_id FROM ("
			   ORG_OTHERS ") ORDER BY 1", org);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether the viewer may see revision "DOC@REV". */
static int subject_visible(const log_scope *s, const char *subject)
{
	const char *at = strrchr(subject, '@');
	vault_revision r;
	char *doc;
	int error;

	if (!at)
		return 0;
	doc = vault__strndup(subject, (size_t)(at - subject));
	error = vault_index__get(&r, s->v->index, doc, at + 1, s->org);
	free(doc);
	if (error < 0)
		return 0;
	vault_revision_dispose(&r);
	return 1;
}

/*
 * Whether the event of `commit` records a revision, an acknowledgment or
 * a link of a marked revision the viewer is not cleared for (marking.h,
 * temp.cleared as vault__viewer filled it): 1, 0, or 1 when the index
 * cannot say (left out, as a revision it may not see is).
 */
static int names_withheld(const log_scope *s, const char *commit)
{
	static const char sql[] =
		"SELECT 1 FROM (SELECT doc, rev FROM acks WHERE commit_id = ?1"
		" UNION SELECT doc, rev FROM links WHERE commit_id = ?1"
		" UNION SELECT x.doc, x.rev FROM event_subjects x JOIN events e ON e.seq = x.event"
		"  WHERE e.commit_id = ?1) m WHERE NOT " VAULT_INDEX_CLEARED("m.doc", "m.rev", "?2")
		" LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if (vault_index__stmt(&st, s->v->index, sql) < 0)
		return 1;
	sqlite3_bind_text(st, 1, commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->org, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc != SQLITE_DONE;
}

/*
 * Whether a supplier sees event `e`.  The rule: an event is its own when
 *   (a) a user of its organization wrote it (but not one naming a
 *       marked revision it is not cleared for: names_withheld);
 *   (b) it records document revisions (add, import, release, obsolete,
 *       fai-add), every one of them a revision the supplier may see (a
 *       release then shows without the organizations it went to); or
 *   (c) it wrote records of the supplier's organization and none of
 *       another's (a PO made for it, a lot, a ship notice received, an
 *       NCR on its lot, a link to its PO or lot of a revision it may
 *       see: a link of one hidden from it would name that revision).
 * Anything else (another organization's acts, a link to another's PO),
 * and whatever names a marked revision the viewer is not cleared for
 * (an acknowledgment by another user of its organization), is not there
 * for it.
 */
static int event_visible(const log_scope *s, vault_event *e)
{
	static const char *const doc_ops[] = { "add", "import", "release", "obsolete", "fai-add",
					       NULL };
	const char *key = e->commit;
	size_t i;

	if (names_withheld(s, e->commit))
		return 0;
	for (i = 0; i < s->users->count; i++)
		if (strcmp(s->users->items[i].org, s->org) == 0 &&
		    strcmp(s->users->items[i].name, e->author) == 0)
			return 1;
	if (s->ncommits &&
	    bsearch(&key, s->commits, s->ncommits, sizeof(char *), cmp_str))
		return 1;
	for (i = 0; doc_ops[i]; i++)
		if (strcmp(doc_ops[i], e->op) == 0)
			break;
	if (!doc_ops[i] || e->nsubjects == 0)
		return 0;
	for (i = 0; i < e->nsubjects; i++)
		if (!subject_visible(s, e->subjects[i]))
			return 0;
	if (strcmp(e->op, "release") == 0) {
		char *to = strstr(e->summary, " to ");

		if (to)
			*to = '\0';
	}
	return 1;
}

/* Drop from `list` the events the viewer of `s` may not see. */
static void scope_filter(vault_event_list *list, const log_scope *s)
{
	vault_event_list *gone = calloc(1, sizeof(*gone));
	size_t i, n = 0;

	if (!gone || (gone->items = calloc(list->count + 1, sizeof(vault_event))) == NULL)
		abort();
	for (i = 0; i < list->count; i++) {
		if (event_visible(s, &list->items[i]))
			list->items[n++] = list->items[i];
		else
			gone->items[gone->count++] = list->items[i];
	}
	list->count = n;
	vault_event_list_free(gone);
}

/* Drop from `list` the events a supplier of `org` may not see. */
static int scope_log(vault_event_list *list, vault *v, const char *org)
{
	log_scope s;
	int error;

	if ((error = scope_init(&s, v, org)) == 0)
		scope_filter(list, &s);
	scope_dispose(&s);
	return error;
}

/* Whether `sql` (one parameter, `name`) finds a row owned by `viewer` (any with NULL). */
static int owned_row(int *found, vault *v, const char *sql, const char *name,
		     const char *viewer)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	int rc;

	*found = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*found = !viewer || strcmp((const char *)sqlite3_column_text(st, 0), viewer) == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	return 0;
}

/*
 * What `name` is that the viewer (`org`, NULL: everything) may see:
 * params[0] `name` if a document with a revision it may see, params[1]
 * if its organization's PO, params[2] if its lot, NULL where not;
 * VAULT_ENOTFOUND naming it when none.
 */
static int kinds_of(const char *params[3], vault *v, const char *name, const char *org)
{
	vault_revision r;
	int found, error;

	params[0] = params[1] = params[2] = NULL;
	if (vault_index__get(&r, v->index, name, NULL, org) == 0) {
		vault_revision_dispose(&r);
		params[0] = name;
	}
	if ((error = owned_row(&found, v, "SELECT supplier FROM pos WHERE po = ?1", name, org)) < 0)
		return error;
	if (found)
		params[1] = name;
	if ((error = owned_row(&found, v, "SELECT supplier FROM lots WHERE lot = ?1", name, org)) < 0)
		return error;
	if (found)
		params[2] = name;
	if (!params[0] && !params[1] && !params[2])
		return vault_error__set(VAULT_ENOTFOUND, "no document, PO or lot '%s'", name);
	return 0;
}

int vault_log(vault_event_list **out, vault *v, const char *name)
{
	const char *params[3] = { NULL, NULL, NULL };
	char *org = NULL;
	int error;

	*out = NULL;
	if ((name && (error = vault_name_check("document, PO or lot", name)) < 0) ||
	    (error = vault__viewer(&org, v)) < 0 ||
	    (name && (error = kinds_of(params, v, name, org)) < 0) ||
	    (error = vault_index__log(out, v->index, name ? COMMITS_TOUCHING : NULL,
				      params, 0, -1)) < 0)
		goto done;
	if (org && (error = scope_log(*out, v, org)) < 0) {
		vault_event_list_free(*out);
		*out = NULL;
	}
done:
	free(org);
	return error;
}

/* the events read from the index at a time, for the change feed */
#define FEED_CHUNK 512
/* the most events one call gives */
#define FEED_MAX 100000

/*
 * The place in the log of `after`, the change feed's cursor, if the
 * viewer of `s` (NULL: everything) may see its event; VAULT_ENOTFOUND
 * naming it if not, as if there were none.
 */
static int cursor_of(int64_t *seq, vault *v, const char *after, const log_scope *s)
{
	vault_event_list *one = NULL;
	int error, seen;

	if ((error = vault_index__event_seq(seq, v->index, after)) < 0 || !s)
		return error;
	if ((error = vault_index__log(&one, v->index, NULL, NULL, *seq - 1, 1)) < 0)
		return error;
	scope_filter(one, s);
	seen = one->count == 1;
	vault_event_list_free(one);
	return seen ? 0 : vault_error__set(VAULT_ENOTFOUND, "no event '%s'", after);
}

int vault_log_after(vault_event_list **out, vault *v, const char *after, size_t limit)
{
	vault_event_list *list = calloc(1, sizeof(*list)), *chunk = NULL;
	log_scope s, *scope = NULL;
	int64_t seq = 0;
	char *org = NULL;
	size_t i, take;
	int error;

	*out = NULL;
	if (limit < 1 || limit > FEED_MAX) {
		free(list);
		return vault_error__set(VAULT_EINVALID, "a page of %zu events is not from 1 to %d",
					limit, FEED_MAX);
	}
	if (!list || (list->items = calloc(limit + 1, sizeof(vault_event))) == NULL)
		abort();
	if ((error = vault__viewer(&org, v)) < 0)
		goto done;
	if (org) {
		if ((error = scope_init(&s, v, org)) < 0) {
			scope_dispose(&s);
			goto done;
		}
		scope = &s;
	}
	if (after && (error = cursor_of(&seq, v, after, scope)) < 0)
		goto done;
	/* a chunk at a time from the cursor on, until `limit` are seen or the log ends */
	while (list->count < limit) {
		if ((error = vault_index__log(&chunk, v->index, NULL, NULL, seq, FEED_CHUNK)) < 0)
			break;
		if (chunk->count == 0)
			break;
		seq = chunk->items[chunk->count - 1].seq;
		if (scope)
			scope_filter(chunk, scope);
		take = chunk->count < limit - list->count ? chunk->count : limit - list->count;
		for (i = 0; i < take; i++)
			list->items[list->count++] = chunk->items[i];
		/* the rest of the chunk, past the limit, goes with it */
		memmove(chunk->items, chunk->items + take, (chunk->count - take) * sizeof(vault_event));
		chunk->count -= take;
		vault_event_list_free(chunk);
		chunk = NULL;
	}
	vault_event_list_free(chunk);
done:
	if (scope)
		scope_dispose(scope);
	free(org);
	if (error < 0) {
		vault_event_list_free(list);
		return error;
	}
	*out = list;
	return 0;
}
