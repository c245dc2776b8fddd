/*
 * lot.c - lots and their genealogy (lots/<h>/<h>/<LOT>/lot.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "kind.h"
#include "kinds.h"
#include "input.h"
#include "lot.h"
#include "po.h"
#include "portal.h"
#include "record.h"
#include "rules.h"
#include "subtier.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define QTY_MAX 1000000000ULL
#define INPUTS_MAX 1000
#define DOCS_MAX 1000

/* "lots/ab/cd/LOT"; VAULT_EINVALID (and "") for a name too long to be a lot's. */
static int lot_dir(char *buf, size_t size, const char *lot)
{
	return vault_record__dir(buf, size, "lots", lot);
}

static int check_fields(const vault_lot *l)
{
	size_t i, k;
	int error;

	if ((error = vault_name_check("lot", l->lot)) < 0 ||
	    (error = vault_name_check("PO number", l->po)) < 0 ||
	    (error = vault_name_check("part number", l->part)) < 0 ||
	    (l->made && (error = vault_record__date_check("made date", l->made)) < 0) ||
	    (l->shipped && (error = vault_record__date_check("shipped date", l->shipped)) < 0))
		return error;
	if (l->qty == 0 || l->qty > QTY_MAX)
		return vault_error__set(VAULT_EINVALID,
			"quantity must be a whole number from 1 to %llu", QTY_MAX);
	if (l->made && l->shipped && strcmp(l->shipped, l->made) < 0)
		return vault_error__set(VAULT_EINVALID, "lot '%s' was shipped (%s) before it was made (%s)",
					l->lot, l->shipped, l->made);
	if (l->nfrom > INPUTS_MAX)
		return vault_error__set(VAULT_EINVALID, "more than %d input lots", INPUTS_MAX);
	for (i = 0; i < l->nfrom; i++) {
		if ((error = vault_name_check("input lot", l->from[i].lot)) < 0)
			return error;
		if (strcmp(l->from[i].lot, l->lot) == 0)
			return vault_error__set(VAULT_EINVALID,
				"lot '%s' cannot be made from itself: genealogy may not cycle", l->lot);
		if (l->from[i].qty > QTY_MAX)
			return vault_error__set(VAULT_EINVALID, "input lot '%s' has a bad quantity",
						l->from[i].lot);
		for (k = 0; k < i; k++)
			if (strcmp(l->from[k].lot, l->from[i].lot) == 0)
				return vault_error__set(VAULT_EINVALID, "input lot '%s' is given twice",
							l->from[i].lot);
	}
	if (l->ndocs > DOCS_MAX)
		return vault_error__set(VAULT_EINVALID, "more than %d documents", DOCS_MAX);
	for (i = 0; i < l->ndocs; i++) {
		if ((error = vault_name_check("document number", l->docs[i].doc)) < 0 ||
		    (error = vault_name_check("revision", l->docs[i].rev)) < 0)
			return error;
		for (k = 0; k < i; k++)
			if (strcmp(l->docs[k].doc, l->docs[i].doc) == 0 &&
			    strcmp(l->docs[k].rev, l->docs[i].rev) == 0)
				return vault_error__set(VAULT_EINVALID, "document '%s@%s' is given twice",
							l->docs[i].doc, l->docs[i].rev);
	}
	return 0;
}

/* The index lookups every lot of a batch makes, prepared once. */
typedef struct {
	sqlite3_stmt *po;  /* ?1 PO, ?2 part -> supplier, lines for the part */
	sqlite3_stmt *doc; /* ?1 doc, ?2 rev -> a row when recorded and visible */
	sqlite3_stmt *lot; /* ?1 lot -> its supplier */
	sqlite3_stmt *input; /* ?1 lot -> its supplier, what it holds, what is drawn from it */
	sqlite3_stmt *subtier; /* ?1 org, ?2 lot -> what it holds, what is drawn from it */
	json_t *drawn;     /* "ORG/LOT" -> what the batch drew of that sub-tier lot so far */
	char *viewer;      /* a supplier's organization: what it may see; NULL: all */
} lookups;

static int lookups_init(lookups *q, vault *v)
{
	sqlite3 *db = vault_index__db(v->index);

	memset(q, 0, sizeof(*q));
	if (vault__viewer(&q->viewer, v) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT p.supplier, (SELECT count(*) FROM po_lines l"
			       " WHERE l.po = p.po AND l.part = ?2), (SELECT count(*) FROM po_lines l"
			       " WHERE l.po = p.po AND l.part = ?2 AND l.state = 'open')"
			       " FROM pos p WHERE p.po = ?1",
			       -1, &q->po, NULL) != SQLITE_OK ||
	    /* a supplier attaches what it may see: its own, or released to it */
	    sqlite3_prepare_v2(db, "SELECT 1 FROM revisions r WHERE r.doc = ?1 AND r.rev = ?2"
			       " AND (?3 IS NULL OR r.org = ?3 OR EXISTS (SELECT 1 FROM distribution d"
			       " WHERE d.doc = r.doc AND d.rev = r.rev AND d.org = ?3))"
			       " AND " VAULT_INDEX_CLEARED("r.doc", "r.rev", "?3"),
			       -1, &q->doc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT supplier FROM lots WHERE lot = ?1",
			       -1, &q->lot, NULL) != SQLITE_OK ||
	    /* drawn: by the lots made from it and the ship notices' packages (the ledger's sum) */
	    sqlite3_prepare_v2(db, "SELECT l.supplier, l.qty,"
			       " (SELECT coalesce(sum(i.qty), 0) FROM lot_inputs i WHERE i.input = l.lot)"
			       " + (SELECT coalesce(sum(a.qty), 0) FROM asn_items a WHERE a.lot = l.lot"
			       "  AND a.in_force)"
			       " FROM lots l WHERE l.lot = ?1", -1, &q->input, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT s.qty, (SELECT coalesce(sum(i.qty), 0) FROM subtier_inputs i"
			       " WHERE i.org = s.org AND i.input = s.lot) FROM subtier_lots s"
			       " WHERE s.org = ?1 AND s.lot = ?2", -1, &q->subtier, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	if ((q->drawn = json_object()) == NULL)
		abort();
	return 0;
}

static void lookups_dispose(lookups *q)
{
	sqlite3_finalize(q->po);
	sqlite3_finalize(q->doc);
	sqlite3_finalize(q->lot);
	sqlite3_finalize(q->input);
	sqlite3_finalize(q->subtier);
	json_decref(q->drawn);
	free(q->viewer);
}

/* Whether DOC@REV is recorded. */
static int doc_recorded(lookups *q, const vault_doc_ref *d)
{
	int rc;

	sqlite3_bind_text(q->doc, 1, d->doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(q->doc, 2, d->rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(q->doc, 3, q->viewer, -1, SQLITE_STATIC);
	rc = sqlite3_step(q->doc);
	sqlite3_reset(q->doc);
	return rc == SQLITE_ROW;
}

/*
 * Input `in` of lot `l`, recorded before: the actor's own organization's
 * (quality: any), holding what `in` draws beside what is drawn already.
 */
static int check_input(lookups *q, const vault_user *actor, const vault_lot *l,
		       const vault_lot_input *in)
{
	uint64_t holds, drawn;
	int error = 0;

	sqlite3_bind_text(q->input, 1, in->lot, -1, SQLITE_STATIC);
	if (sqlite3_step(q->input) != SQLITE_ROW) {
		sqlite3_reset(q->input);
		return vault_error__set(VAULT_ENOTFOUND, "no lot '%s' to make '%s' from", in->lot,
					l->lot);
	}
	holds = (uint64_t)sqlite3_column_int64(q->input, 1);
	drawn = (uint64_t)sqlite3_column_int64(q->input, 2);
	if (!(actor->roles & VAULT_ROLE_QUALITY) &&
	    strcmp((const char *)sqlite3_column_text(q->input, 0), actor->org) != 0)
		/* another's lot looks like none: its holding is not the actor's to learn */
		error = vault_error__set(VAULT_ENOTFOUND, "no lot '%s' to make '%s' from", in->lot,
					 l->lot);
	else if (in->qty > holds || drawn > holds - in->qty)
		error = vault_error__set(VAULT_EINVALID,
			"lot '%s' draws %llu of lot '%s', which has %llu left of %llu", l->lot,
			(unsigned long long)in->qty, in->lot,
			(unsigned long long)(drawn < holds ? holds - drawn : 0),
			(unsigned long long)holds);
	sqlite3_reset(q->input);
	return error;
}

/*
 * Input `in` of lot `l`: sub-tier lot `in` of `org` (the lot's supplier),
 * recorded before, holding what `in` draws beside what history and the
 * lots of this batch before `l` drew.
 */
static int check_subtier_input(lookups *q, const char *org, const vault_lot *l,
			       const vault_lot_input *in)
{
	uint64_t holds = 0, drawn = 0;
	char key[2 * VAULT_NAME_MAX + 2];
	json_t *batch;
	int rc;

	/* the batch's lots may be of several suppliers (quality): keyed by scope */
	if (vault__fmt(key, sizeof(key), "name", "%s/%s", org, in->lot) < 0)
		return VAULT_EINVALID;
	batch = json_object_get(q->drawn, key);

	sqlite3_bind_text(q->subtier, 1, org, -1, SQLITE_STATIC);
	sqlite3_bind_text(q->subtier, 2, in->lot, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q->subtier)) == SQLITE_ROW) {
		holds = (uint64_t)sqlite3_column_int64(q->subtier, 0);
		drawn = (uint64_t)sqlite3_column_int64(q->subtier, 1);
	}
	sqlite3_reset(q->subtier);
	if (rc != SQLITE_ROW)
		return vault_error__set(VAULT_ENOTFOUND, "no lot '%s' to make '%s' from", in->lot,
					l->lot);
	drawn += (uint64_t)json_integer_value(batch);
	if (in->qty > holds || drawn > holds - in->qty)
		return vault_error__set(VAULT_EINVALID,
			"lot '%s' draws %llu of sub-tier lot '%s', which has %llu left of %llu",
			l->lot, (unsigned long long)in->qty, in->lot,
			(unsigned long long)(drawn < holds ? holds - drawn : 0),
			(unsigned long long)holds);
	json_object_set_new(q->drawn, key, json_integer(json_integer_value(batch) + (json_int_t)in->qty));
	return 0;
}

/* The PO's supplier, if the PO exists and has a line for `part`. */
static int po_supplier(char **supplier, lookups *q, const char *po, const char *part)
{
	int rc, has_part = 0, open = 0;

	*supplier = NULL;
	sqlite3_bind_text(q->po, 1, po, -1, SQLITE_STATIC);
	sqlite3_bind_text(q->po, 2, part, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q->po)) == SQLITE_ROW) {
		*supplier = vault__strdup((const char *)sqlite3_column_text(q->po, 0));
		has_part = sqlite3_column_int(q->po, 1) > 0;
		open = sqlite3_column_int(q->po, 2) > 0;
	}
	sqlite3_reset(q->po);
	/* another organization's PO is, to a supplier, no PO */
	if (rc == SQLITE_ROW && q->viewer && strcmp(*supplier, q->viewer) != 0) {
		free(*supplier);
		*supplier = NULL;
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_ROW)
		return vault_error__set(VAULT_ENOTFOUND, "no PO '%s'", po);
	if (!has_part) {
		free(*supplier);
		*supplier = NULL;
		return vault_error__set(VAULT_EINVALID, "PO '%s' has no line for part '%s'", po, part);
	}
	if (!open) {
		free(*supplier);
		*supplier = NULL;
		return vault_error__set(VAULT_EINVALID, "PO '%s' has no open line for part '%s' "
					"(cancelled or closed by a change order)", po, part);
	}
	return 0;
}

/*
 * Whether lot `name`, recorded in the index, is one the viewer may see:
 * any with no viewer, else only its own organization's.
 */
static int lot_visible(lookups *q, const char *name)
{
	int rc, yes;

	if (!q->viewer)
		return 1;
	sqlite3_bind_text(q->lot, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q->lot);
	yes = rc == SQLITE_ROW &&
		strcmp((const char *)sqlite3_column_text(q->lot, 0), q->viewer) == 0;
	sqlite3_reset(q->lot);
	return yes;
}

/* Whether lot `name` is in the tree already. */
static int lot_exists(const git_tree *root, const char *name)
{
	git_tree_entry *te;
	char dir[VAULT_PATH_MAX];

	if (lot_dir(dir, sizeof(dir), name) < 0 || git_tree_entry_bypath(&te, root, dir) < 0)
		return 0;
	git_tree_entry_free(te);
	return 1;
}

/* The lots of a batch by name, for lookups in O(log n). */
typedef struct {
	const vault_lot *lots;
	size_t n;
	size_t *by_name; /* indices into lots, sorted by name */
} batch;

static const vault_lot *sort_base;

static int cmp_by_name(const void *a, const void *b)
{
	return strcmp(sort_base[*(const size_t *)a].lot, sort_base[*(const size_t *)b].lot);
}

static void batch_init(batch *b, const vault_lot *lots, size_t n)
{
	size_t i;

	b->lots = lots;
	b->n = n;
	if ((b->by_name = malloc((n + 1) * sizeof(size_t))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		b->by_name[i] = i;
	sort_base = lots; /* qsort has no payload; batches are built one at a time */
	qsort(b->by_name, n, sizeof(size_t), cmp_by_name);
}

/* Index of lot `name` in the batch, or b->n. */
static size_t in_batch(const batch *b, const char *name)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->lots[b->by_name[mid]].lot, name);

		if (c == 0)
			return b->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return b->n;
}

/*
 * Refuse a cycle among the batch's lots (lots already recorded cannot be
 * made from new ones, so a cycle can only close inside the batch): a
 * depth-first walk of the batch's own edges from `start`.  state: 0 new,
 * 1 on the path, 2 done; node and edge: room for n entries of the path.
 */
static int find_cycle(const batch *b, size_t start, unsigned char *state, size_t *node,
		      size_t *edge)
{
	const vault_lot *lots = b->lots;
	size_t depth = 0;

	/* iterative: a file may chain a million lots, deeper than any stack */
	if (state[start] == 2)
		return 0;
	node[0] = start;
	edge[0] = 0;
	state[start] = 1;
	for (;;) {
		size_t i = node[depth];

		if (edge[depth] < lots[i].nfrom) {
			size_t j = in_batch(b, lots[i].from[edge[depth]++].lot);

			if (j == b->n || state[j] == 2)
				continue;
			if (state[j] == 1)
				return vault_error__set(VAULT_EINVALID,
					"lot '%s' is made, through its inputs, from itself: "
					"genealogy may not cycle", lots[j].lot);
			state[j] = 1;
			node[++depth] = j;
			edge[depth] = 0;
		} else {
			state[i] = 2;
			if (depth == 0)
				return 0;
			depth--;
		}
	}
}

/* Check lot `l` against the branch and the batch, and queue its record. */
static int put_lot(vault_txn *t, vault *v, lookups *q, const vault_lot *l, const batch *b)
{
	json_t *from = json_array(), *docs = NULL, *root;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE];
	char sub[VAULT_PATH_MAX];
	char *supplier = NULL, *json = NULL;
	size_t i, len;
	int error;

	if ((error = po_supplier(&supplier, q, l->po, l->part)) < 0)
		goto done;
	if (!(t->actor.roles & VAULT_ROLE_QUALITY) &&
	    !((t->actor.roles & VAULT_ROLE_SUPPLIER) && supplier &&
	      strcmp(t->actor.org, supplier) == 0)) {
		error = vault_error__set(VAULT_EDENIED,
			"user '%s' of '%s' may not record lots of PO '%s', which belongs to '%s'",
			t->actor.name, t->actor.org, l->po, supplier);
		goto done;
	}
	/* the supplier's own sub-tier lot of the name: its own to know */
	if (vault_subtier__path(sub, sizeof(sub), supplier, l->lot) == 0 &&
	    vault_rules__has(v->store, t->root, sub)) {
		error = vault_error__set(VAULT_EEXISTS, "lot '%s' already exists", l->lot);
		goto done;
	}
	if (lot_exists(t->root, l->lot)) {
		/* the same words whoever holds it: never who, nor what it is */
		error = !lot_visible(q, l->lot) ?
			vault_error__set(VAULT_EEXISTS, "lot number '%s' is not available", l->lot) :
			vault_error__set(VAULT_EEXISTS, "lot '%s' already exists", l->lot);
		goto done;
	}
	for (i = 0; i < l->nfrom; i++) {
		json_t *o = json_pack("{s:s}", "lot", l->from[i].lot);

		/* the name is first the supplier's own sub-tier lot's, then a PO lot's */
		if (vault_subtier__path(sub, sizeof(sub), supplier, l->from[i].lot) == 0 &&
		    vault_rules__has(v->store, t->root, sub)) {
			if ((error = check_subtier_input(q, supplier, l, &l->from[i])) < 0) {
				json_decref(o);
				goto done;
			}
			json_object_set_new(o, "subtier", json_true());
		} else if (in_batch(b, l->from[i].lot) == b->n &&
		    (!lot_exists(t->root, l->from[i].lot) ||
		     (error = check_input(q, &t->actor, l, &l->from[i])) < 0)) {
			json_decref(o);
			if (!error)
				error = vault_error__set(VAULT_ENOTFOUND, "no lot '%s' to make '%s' from",
							 l->from[i].lot, l->lot);
			goto done;
		}
		if (l->from[i].qty)
			json_object_set_new(o, "qty", json_integer((json_int_t)l->from[i].qty));
		json_array_append_new(from, o);
	}
	for (i = 0; i < l->ndocs; i++) {
		if (!doc_recorded(q, &l->docs[i])) {
			error = vault_error__set(VAULT_ENOTFOUND, "no document '%s@%s' to attach to lot '%s'",
						 l->docs[i].doc, l->docs[i].rev, l->lot);
			goto done;
		}
		if (!docs)
			docs = json_array();
		json_array_append_new(docs, json_pack("{s:s, s:s}", "doc", l->docs[i].doc,
						      "rev", l->docs[i].rev));
	}
	vault_time_format(when, sizeof(when), t->now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:s}", "record", "lot",
			 "format", 1, "lot", l->lot, "po", l->po, "part", l->part,
			 "qty", (json_int_t)l->qty, "from", from, "supplier", supplier,
			 "created_by", t->actor.name, "created_at", when);
	from = NULL;
	if (root && l->made)
		json_object_set_new(root, "made", json_string(l->made));
	if (root && l->shipped)
		json_object_set_new(root, "shipped", json_string(l->shipped));
	if (root && docs)
		json_object_set(root, "docs", docs);
	if ((error = lot_dir(dir, sizeof(dir), l->lot)) < 0 ||
	    (error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_LOT_FILE, dir)) < 0) {
		json_decref(root);
		goto done;
	}
	if ((error = vault_record__dump(&json, &len, root)) == 0)
		error = vault__txn_put_data(t, v, path, json, len);
done:
	json_decref(from);
	json_decref(docs);
	free(json);
	free(supplier);
	return error;
}

/* Record lots[0..n) in one commit; `where[i]` prefixes lot i's errors. */
static int add_lots(vault *v, const vault_lot *lots, size_t n, char **where)
{
	unsigned char *state = calloc(n + 1, 1);
	vault_txn t;
	lookups q;
	batch b;
	vault_buf message = VAULT_BUF_INIT;
	size_t i;
	int error = 0;

	if (!state)
		abort();
	memset(&t, 0, sizeof(t));
	batch_init(&b, lots, n);
	for (i = 0; i < n && !error; i++)
		if ((error = check_fields(&lots[i])) < 0)
			error = vault_error__set(error, "%s%s", where ? where[i] : "", vault_error_message());
	/* the same name twice sits side by side in name order: report the later row */
	for (i = 1; i < n && !error; i++)
		if (strcmp(lots[b.by_name[i - 1]].lot, lots[b.by_name[i]].lot) == 0) {
			size_t later = b.by_name[i - 1] > b.by_name[i] ? b.by_name[i - 1] : b.by_name[i];

			error = vault_error__set(VAULT_EEXISTS, "%slot '%s' is given twice",
						 where ? where[later] : "", lots[later].lot);
		}
	{
		size_t *node = malloc((n + 1) * sizeof(size_t)), *edge = malloc((n + 1) * sizeof(size_t));

		if (!node || !edge)
			abort();
		for (i = 0; i < n && !error; i++)
			if ((error = find_cycle(&b, i, state, node, edge)) < 0)
				error = vault_error__set(error, "%s%s", where ? where[i] : "",
							 vault_error_message());
		free(node);
		free(edge);
	}
	free(state);
	if (error < 0 || (error = vault__txn_begin(&t, v)) < 0) {
		free(b.by_name);
		return error;
	}
	if ((error = lookups_init(&q, v)) < 0 ||
	    (n > 1 && (error = vault__txn_batch(&t, v)) < 0))
		goto done;
	for (i = 0; i < n; i++)
		if ((error = put_lot(&t, v, &q, &lots[i], &b)) < 0) {
			error = vault_error__set(error, "%s%s", where ? where[i] : "", vault_error_message());
			goto done;
		}
	if (n == 1)
		error = vault_buf__addf(&message,
			 "lot add %s of %s\n\nQvault-Op: lot-add\nQvault-Lot: %s\n",
			 lots[0].lot, lots[0].po, lots[0].lot);
	else
		error = vault_buf__addf(&message, "lot import %zu lots\n\nQvault-Op: lot-import\n", n);
	if (error == 0)
		error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	lookups_dispose(&q);
	free(b.by_name);
	vault__txn_end(&t, v);
	return error;
}

int vault_lot_add(vault *v, const vault_lot *l)
{
	return add_lots(v, l, 1, NULL);
}

/* ---- import ------------------------------------------------------------ */

typedef struct {
	vault_lot *lots;
	size_t nlots, cap;
	vault_strings keep;     /* the strings and input arrays lots point into */
	char **where;
	size_t max_rows;        /* 0: any */
} lot_import;

static const char *kept_str(lot_import *im, const char *s, size_t n)
{
	return vault_strings__keep(&im->keep, s, n);
}

static vault_lot *next_lot(lot_import *im, const char *where)
{
	if (im->nlots == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 64;
		if ((im->lots = realloc(im->lots, im->cap * sizeof(vault_lot))) == NULL ||
		    (im->where = realloc(im->where, im->cap * sizeof(char *))) == NULL)
			abort();
	}
	im->where[im->nlots] = vault__strdup(where);
	memset(&im->lots[im->nlots], 0, sizeof(vault_lot));
	return &im->lots[im->nlots++];
}

/* A whole number from 1 to QTY_MAX, or 0. */
static uint64_t whole(const char *s)
{
	unsigned long long v;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return 0;
	v = strtoull(s, NULL, 10);
	return v > QTY_MAX ? 0 : (uint64_t)v;
}

/* "LOT[:QTY];LOT[:QTY]" into an input array kept by the import. */
static int parse_inputs(lot_import *im, vault_lot *l, const char *spec, const char *where)
{
	size_t n = 1, i = 0;
	const char *p;
	vault_lot_input *in;

	if (!*spec)
		return 0;
	for (p = spec; *p; p++)
		n += *p == ';';
	in = vault_strings__own(&im->keep, calloc(n, sizeof(*in)));
	for (p = spec; i < n; i++) {
		const char *end = p + strcspn(p, ";"), *colon = memchr(p, ':', (size_t)(end - p));

		in[i].lot = kept_str(im, p, (size_t)((colon ? colon : end) - p));
		if (colon) {
			const char *q = kept_str(im, colon + 1, (size_t)(end - colon - 1));

			if ((in[i].qty = whole(q)) == 0)
				return vault_error__set(VAULT_EINVALID,
					"%sfield 'from': '%.32s' is not a whole number from 1", where, q);
		}
		p = *end ? end + 1 : end;
	}
	l->from = in;
	l->nfrom = n;
	return 0;
}

/* "DOC@REV;DOC@REV" into a document array kept by the import. */
static int parse_docs(lot_import *im, vault_lot *l, const char *spec, const char *where)
{
	size_t n = 1, i = 0;
	const char *p;
	vault_doc_ref *d;

	if (!*spec)
		return 0;
	for (p = spec; *p; p++)
		n += *p == ';';
	d = vault_strings__own(&im->keep, calloc(n, sizeof(*d)));
	for (p = spec; i < n; i++) {
		const char *end = p + strcspn(p, ";"), *at = NULL, *q;

		/* its last '@': a document number may hold one, a revision not */
		for (q = p; q < end; q++)
			if (*q == '@')
				at = q;

		if (!at)
			return vault_error__set(VAULT_EINVALID,
				"%sfield 'docs': '%.*s' is not DOC@REV", where,
				(int)(end - p > 64 ? 64 : end - p), p);
		d[i].doc = kept_str(im, p, (size_t)(at - p));
		d[i].rev = kept_str(im, at + 1, (size_t)(end - at - 1));
		p = *end ? end + 1 : end;
	}
	l->docs = d;
	l->ndocs = n;
	return 0;
}

static const char *const lot_columns[] = {
	"lot", "po", "part", "qty", "made", "shipped", "from", "docs"
};
#define LOT_NCOLUMNS 8

static int on_lot_row(void *payload, const char *const *f, size_t rowno)
{
	lot_import *im = payload;
	char where[64];
	vault_lot *l;

	if (vault__fmt(where, sizeof(where), "row", "row %zu: ", rowno) < 0)
		return VAULT_EINVALID;
	l = next_lot(im, where);
	l->lot = f[0];
	l->po = f[1];
	l->part = f[2];
	if ((l->qty = whole(f[3])) == 0)
		return vault_error__set(VAULT_EINVALID,
			"row %zu, field 'qty': '%.32s' is not a whole number from 1", rowno, f[3]);
	l->made = *f[4] ? f[4] : NULL;
	l->shipped = *f[5] ? f[5] : NULL;
	if (parse_inputs(im, l, f[6], where) < 0)
		return -1;
	return parse_docs(im, l, f[7], where);
}

static int lots_from_json(lot_import *im, const char *data, size_t len)
{
	json_error_t jerr;
	json_t *root, *o;
	size_t i;
	int error = 0;

	if ((error = vault_input__json_list(&root, data, len, "lots", im->max_rows)) < 0)
		return error;
	json_array_foreach(root, i, o) {
		const char *lot, *po, *part, *made = NULL, *shipped = NULL;
		json_int_t qty;
		json_t *from = NULL, *docs = NULL, *f;
		char where[48];
		vault_lot *l;
		size_t k;

		if (vault__fmt(where, sizeof(where), "item", "lot %zu: ", i + 1) < 0)
			return VAULT_EINVALID;
		if (json_unpack_ex(o, &jerr, JSON_STRICT, "{s:s, s:s, s:s, s:I, s?:s, s?:s, s?:o, s?:o}",
				   "lot", &lot, "po", &po, "part", &part, "qty", &qty, "made", &made,
				   "shipped", &shipped, "from", &from, "docs", &docs) < 0 || qty < 1 ||
		    (uint64_t)qty > QTY_MAX || (from && !json_is_array(from)) ||
		    (docs && !json_is_array(docs))) {
			error = vault_error__set(VAULT_EINVALID, "%s%s", where,
				jerr.text[0] ? jerr.text : "qty must be a whole number from 1");
			break;
		}
		l = next_lot(im, where);
		l->lot = kept_str(im, lot, strlen(lot));
		l->po = kept_str(im, po, strlen(po));
		l->part = kept_str(im, part, strlen(part));
		l->qty = (uint64_t)qty;
		l->made = made ? kept_str(im, made, strlen(made)) : NULL;
		l->shipped = shipped ? kept_str(im, shipped, strlen(shipped)) : NULL;
		if (from && json_array_size(from)) {
			vault_lot_input *in = vault_strings__own(&im->keep,
								 calloc(json_array_size(from), sizeof(*in)));

			json_array_foreach(from, k, f) {
				const char *input;
				json_int_t q = 0;

				if (json_unpack_ex(f, &jerr, JSON_STRICT, "{s:s, s?:I}", "lot", &input,
						   "qty", &q) < 0 || q < 0) {
					error = vault_error__set(VAULT_EINVALID, "%sinput %zu: %s", where,
								 k + 1, jerr.text);
					goto done;
				}
				in[k].lot = kept_str(im, input, strlen(input));
				in[k].qty = (uint64_t)q;
			}
			l->from = in;
			l->nfrom = json_array_size(from);
		}
		if (docs && json_array_size(docs)) {
			vault_doc_ref *d = vault_strings__own(&im->keep,
							      calloc(json_array_size(docs), sizeof(*d)));

			json_array_foreach(docs, k, f) {
				const char *doc, *rev;

				if (json_unpack_ex(f, &jerr, JSON_STRICT, "{s:s, s:s}", "doc", &doc,
						   "rev", &rev) < 0) {
					error = vault_error__set(VAULT_EINVALID, "%sdocument %zu: %s",
								 where, k + 1, jerr.text);
					goto done;
				}
				d[k].doc = kept_str(im, doc, strlen(doc));
				d[k].rev = kept_str(im, rev, strlen(rev));
			}
			l->docs = d;
			l->ndocs = json_array_size(docs);
		}
	}
done:
	json_decref(root);
	return error;
}

int vault_lot_import(size_t *count, vault *v, const char *path)
{
	lot_import im;
	char *data;
	size_t len, i;
	int error;

	*count = 0;
	memset(&im, 0, sizeof(im));
	if ((error = vault_input__max_rows(&im.max_rows, v)) < 0 ||
	    (error = vault_input__read(&data, &len, v, path)) < 0)
		return error;
	error = vault_input__is_json(data, len) ? lots_from_json(&im, data, len) :
		vault_input__csv(&im.keep, data, len, lot_columns, LOT_NCOLUMNS, 1, im.max_rows,
				 on_lot_row, &im);
	if (error == 0)
		error = add_lots(v, im.lots, im.nlots, im.where);
	if (error < 0)
		error = vault_error__set(error, "'%s': %s", path, vault_error_message());
	else
		*count = im.nlots;
	vault_strings__dispose(&im.keep);
	for (i = 0; i < im.nlots; i++)
		free(im.where[i]);
	free(im.where);
	free(im.lots);
	free(data);
	return error;
}

/* ---- checking a change ------------------------------------------------ */

/*
 * The lot's inputs: well formed, recorded (before, or by this commit), the
 * signer's own; one marked "subtier" is the sub-tier lot of that name of
 * the lot's supplier.
 */
static void check_inputs(const vault_change_ctx *c, const char *path, const char *name,
			 const char *supplier, json_t *from)
{
	size_t i;
	json_t *f;

	if (!json_is_array(from) || json_array_size(from) > INPUTS_MAX) {
		c->found(c, path, "the lot's inputs ('from') are malformed");
		return;
	}
	json_array_foreach(from, i, f) {
		const char *in = json_string_value(json_object_get(f, "lot"));
		json_t *q = json_object_get(f, "qty"), *sub = json_object_get(f, "subtier"), *rec;
		char at[VAULT_PATH_MAX];

		if (!in || vault_name_check("input lot", in) < 0 || strcmp(in, name) == 0 ||
		    (q && (!json_is_integer(q) || json_integer_value(q) < 0 ||
			   (uint64_t)json_integer_value(q) > QTY_MAX)) ||
		    (sub && !json_is_true(sub))) {
			c->found(c, path, "the lot's input %zu is malformed", i + 1);
			continue;
		}
		if (sub) {
			/* in the supplier's scope: another organization's is none of the lot's */
			if (vault_subtier__path(at, sizeof(at), supplier, in) < 0 ||
			    !vault_rules__has(c->store, c->tree, at))
				c->found(c, path, "lot '%s' is made from sub-tier lot '%s' of '%s', which"
					 " is not recorded", name, in, supplier);
			continue;
		}
		/* an input recorded by this very commit (one import) is checked as it is added */
		if ((rec = vault_rules__keyed(c, c->tree, "lots", in, VAULT_LOT_FILE)) == NULL) {
			c->found(c, path, "lot '%s' is made from lot '%s', which is not recorded", name, in);
			continue;
		}
		if (vault_rules__lacks(c, VAULT_ROLE_QUALITY) &&
		    strcmp(vault_rules__str(rec, "supplier"), c->who->org) != 0)
			c->found(c, path, "user '%s' of '%s' makes lot '%s' from lot '%s' of '%s'",
				 c->who->name, c->who->org, name, in, vault_rules__str(rec, "supplier"));
		json_decref(rec);
	}
}

/* The documents that came with the lot: recorded revisions. */
static void check_docs(const vault_change_ctx *c, const char *path, json_t *docs)
{
	char dir[VAULT_PATH_MAX], rec[VAULT_PATH_MAX * 2];
	size_t i;
	json_t *d;

	json_array_foreach(docs, i, d) {
		const char *doc = json_string_value(json_object_get(d, "doc"));
		const char *rev = json_string_value(json_object_get(d, "rev"));

		if (!doc || !rev || vault_name_check("document number", doc) < 0 ||
		    vault_name_check("revision", rev) < 0) {
			c->found(c, path, "the lot names a malformed document");
			break;
		}
		if (vault_record__doc_dir(dir, sizeof(dir), doc) < 0 ||
		    vault_record__rev_file(rec, sizeof(rec), dir, rev, VAULT_RECORD_FILE) < 0 ||
		    !vault_rules__has(c->store, c->tree, rec))
			c->found(c, path, "the lot names document '%s@%s', which is not recorded",
				 doc, rev);
	}
}

/*
 * An added lots/<h>/<h>/<LOT>/lot.json: stored where its name belongs,
 * written by its signer at the commit's time; quality may record any
 * lot, a supplier only lots of its own organization's POs (as the PO
 * recorded before says), made from its own lots.  The quantities drawn
 * are the ledger's (vault_ledger__add).
 */
/*
 * A lot is made for a line of its PO's part that the PO's latest
 * revision before it left open (a change order may have cancelled or
 * closed it).
 */
static void check_part_open(const vault_change_ctx *c, const char *path, const char *po,
			    const char *part)
{
	json_t *latest = NULL, *l;
	const char *state;
	size_t i, lines = 0, open = 0;
	unsigned seq;

	if (vault_po__latest(&latest, &seq, c->store, c->before, po) < 0)
		return;
	json_array_foreach(json_object_get(latest, "lines"), i, l) {
		if (strcmp(vault_rules__str(l, "part"), part) != 0)
			continue;
		lines++;
		state = json_string_value(json_object_get(l, "state"));
		open += !state || strcmp(state, "open") == 0;
	}
	if (!lines)
		c->found(c, path, "the lot's PO '%s' has no line for part '%s'", po, part);
	else if (!open)
		c->found(c, path, "the lot's PO '%s' had no open line for part '%s' before it", po,
			 part);
	json_decref(latest);
}

static void check_lot(const vault_change_ctx *c, const char *path)
{
	const char *name, *po, *part, *supplier, *by, *at;
	char dir[VAULT_PATH_MAX], want[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE];
	json_t *lot = NULL, *order = NULL, *from, *docs = NULL;
	json_int_t qty;

	vault_rules__require(c, path, VAULT_ROLE_SUPPLIER | VAULT_ROLE_QUALITY, "record lots");
	if ((lot = vault_rules__json_at(c, c->tree, path)) == NULL ||
	    strcmp(vault_rules__str(lot, "record"), "lot") != 0 ||
	    json_unpack(lot, "{s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:s, s?:o}", "lot", &name,
			"po", &po, "part", &part, "qty", &qty, "from", &from, "supplier", &supplier,
			"created_by", &by, "created_at", &at, "docs", &docs) < 0 ||
	    vault_name_check("lot", name) < 0 || vault_name_check("PO number", po) < 0 ||
	    vault_name_check("part number", part) < 0 || qty < 1 || (uint64_t)qty > QTY_MAX ||
	    (docs && !json_is_array(docs))) {
		c->found(c, path, "the lot is malformed");
		goto done;
	}
	if (lot_dir(dir, sizeof(dir), name) < 0 ||
	    vault__fmt(want, sizeof(want), "path", "%s/" VAULT_LOT_FILE, dir) < 0 ||
	    strcmp(want, path) != 0)
		c->found(c, path, "the record of lot '%s' is stored where another belongs", name);
	if (c->who && strcmp(by, c->who->name) != 0)
		c->found(c, path, "the lot names '%s' as its author, but '%s' signed the commit", by,
			 c->who->name);
	vault_time_format(when, sizeof(when), c->time);
	if (strcmp(at, when) != 0)
		c->found(c, path, "the lot is dated %.32s, its commit %s", at, when);
	check_inputs(c, path, name, supplier, from);
	check_docs(c, path, docs);
	if ((order = vault_rules__keyed(c, c->before, "pos", po, VAULT_PO_FILE)) == NULL) {
		c->found(c, path, "the lot's PO '%s' was not recorded before it", po);
		goto done;
	}
	if (strcmp(vault_rules__str(order, "supplier"), supplier) != 0)
		c->found(c, path, "the lot names supplier '%s', its PO '%s' another", supplier, po);
	check_part_open(c, path, po, part);
	if (vault_rules__lacks(c, VAULT_ROLE_QUALITY) && strcmp(c->who->org, supplier) != 0)
		c->found(c, path, "user '%s' of '%s' records a lot of '%s''s PO '%s'",
			 c->who->name, c->who->org, supplier, po);
done:
	json_decref(lot);
	json_decref(order);
}

static const char sql_lot[] =
	"INSERT INTO lots (lot, po, part, qty, made, shipped, supplier, created_by, created_at,"
	" commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_input[] = "INSERT INTO lot_inputs (lot, input, qty) VALUES (?1, ?2, ?3)";
static const char sql_subtier_input[] =
	"INSERT INTO subtier_inputs (lot, org, input, qty) VALUES (?1, ?2, ?3, ?4)";
static const char sql_link[] =
	"INSERT OR IGNORE INTO links (doc, rev, kind, target, linked_by, commit_id)"
	" VALUES (?1, ?2, 'lot', ?3, ?4, ?5)";

static const char sql_lot_once[] = "SELECT commit_id FROM lots WHERE lot = ?1";
static const char sql_input_once[] =
	"SELECT l.commit_id FROM lot_inputs i JOIN lots l ON l.lot = i.lot"
	" WHERE i.lot = ?1 AND i.input = ?2";

/* A lot is recorded once, and each lot it was made from once in it. */
static int lot_once(vault_index *idx, const git_oid *commit, const char *path, const char *lot,
		    const char *input)
{
	const char *keys[] = { lot, input };
	char what[2 * VAULT_NAME_MAX + 64];

	if (input)
		vault__fmt_message(what, sizeof(what), "input lot '%s' of lot '%s'", input, lot);
	else
		vault__fmt_message(what, sizeof(what), "lot '%s'", lot);
	return vault_index__once(idx, commit, path, input ? sql_input_once : sql_lot_once, keys,
				 input ? 2 : 1, what);
}

int vault_lot__parse(const char *data, size_t len)
{
	lot_import im;
	size_t i;
	int error;

	memset(&im, 0, sizeof(im));
	error = vault_input__is_json(data, len) ? lots_from_json(&im, data, len) :
		vault_input__csv(&im.keep, data, len, lot_columns, LOT_NCOLUMNS, 1, im.max_rows,
				 on_lot_row, &im);
	for (i = 0; i < im.nlots && !error; i++)
		error = check_fields(&im.lots[i]);
	vault_strings__dispose(&im.keep);
	for (i = 0; i < im.nlots; i++)
		free(im.where[i]);
	free(im.where);
	free(im.lots);
	return error;
}

static int index_lot_record(vault_index *idx, const char *data, size_t len, const char *path,
			    const char *key, const git_oid *commit)
{
	sqlite3 *db = vault_index__db(idx);
	sqlite3_stmt *st, *in, *ln, *sub;
	const char *kind, *lot, *po, *part, *supplier, *by, *at, *made = NULL, *shipped = NULL;
	json_int_t qty;
	json_t *root, *from, *docs = NULL, *f;
	json_error_t jerr;
	struct tm tm;
	char hex[41];
	size_t i;
	int format, error = 0;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || json_unpack(root, "{s:s, s:i, s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:s, s?:s, s?:s,"
				 " s?:o}", "record", &kind, "format", &format, "lot", &lot, "po", &po,
				 "part", &part, "qty", &qty, "from", &from, "supplier", &supplier,
				 "created_by", &by, "created_at", &at, "made", &made,
				 "shipped", &shipped, "docs", &docs) < 0 || strcmp(kind, "lot") != 0 ||
	    (docs && !json_is_array(docs))) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the lot is malformed", path);
	}
	/* a record at another lot's path is not that lot (verify reports it): indexing it
	 * would shadow the lot it names, or fail on it for good */
	if (strcmp(key, lot) != 0) {
		json_decref(root);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	strptime(at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	git_oid_tostr(hex, sizeof(hex), commit);
	if ((error = lot_once(idx, commit, path, lot, NULL)) < 0)
		goto done;
	if (vault_index__stmt(&st, idx, sql_lot) < 0 || vault_index__stmt(&in, idx, sql_input) < 0 ||
	    vault_index__stmt(&ln, idx, sql_link) < 0 ||
	    vault_index__stmt(&sub, idx, sql_subtier_input) < 0) {
		error = -1;
		goto done;
	}
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, po, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, part, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, qty);
	sqlite3_bind_text(st, 5, made, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, shipped, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, supplier, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (int64_t)timegm(&tm));
	sqlite3_bind_text(st, 10, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		error = vault_error__set(VAULT_EVERIFY, "%s: cannot index: %s", path, sqlite3_errmsg(db));
		goto done;
	}
	json_array_foreach(from, i, f) {
		json_t *q = json_object_get(f, "qty");

		if (json_is_true(json_object_get(f, "subtier"))) {
			/* the supplier's own sub-tier lot: its name is in its scope */
			sqlite3_reset(sub);
			sqlite3_bind_text(sub, 1, lot, -1, SQLITE_STATIC);
			sqlite3_bind_text(sub, 2, supplier, -1, SQLITE_STATIC);
			sqlite3_bind_text(sub, 3, json_string_value(json_object_get(f, "lot")), -1,
					  SQLITE_STATIC);
			if (q)
				sqlite3_bind_int64(sub, 4, json_integer_value(q));
			else
				sqlite3_bind_null(sub, 4);
			if (sqlite3_step(sub) != SQLITE_DONE) {
				error = vault_error__set(VAULT_EVERIFY, "%s: cannot index its inputs: %s",
							 path, sqlite3_errmsg(db));
				goto done;
			}
			continue;
		}
		if (json_is_string(json_object_get(f, "lot")) &&
		    (error = lot_once(idx, commit, path, lot,
				      json_string_value(json_object_get(f, "lot")))) < 0)
			goto done;
		sqlite3_reset(in);
		sqlite3_bind_text(in, 1, lot, -1, SQLITE_STATIC);
		sqlite3_bind_text(in, 2, json_string_value(json_object_get(f, "lot")), -1, SQLITE_STATIC);
		if (q)
			sqlite3_bind_int64(in, 3, json_integer_value(q));
		else
			sqlite3_bind_null(in, 3);
		if (sqlite3_step(in) != SQLITE_DONE) {
			error = vault_error__set(VAULT_EVERIFY, "%s: cannot index its inputs: %s", path,
						 sqlite3_errmsg(db));
			goto done;
		}
	}
	json_array_foreach(docs, i, f) {
		sqlite3_reset(ln);
		sqlite3_bind_text(ln, 1, json_string_value(json_object_get(f, "doc")), -1, SQLITE_STATIC);
		sqlite3_bind_text(ln, 2, json_string_value(json_object_get(f, "rev")), -1, SQLITE_STATIC);
		sqlite3_bind_text(ln, 3, lot, -1, SQLITE_STATIC);
		sqlite3_bind_text(ln, 4, by, -1, SQLITE_STATIC);
		sqlite3_bind_text(ln, 5, hex, -1, SQLITE_STATIC);
		if (sqlite3_step(ln) != SQLITE_DONE) {
			error = vault_error__set(VAULT_EVERIFY, "%s: cannot index its documents: %s",
						 path, sqlite3_errmsg(db));
			goto done;
		}
	}
done:
	json_decref(root);
	return error;
}

static int index_lot(const vault_kind_file *f)
{
	return index_lot_record(f->idx, f->data, f->len, f->path, f->m->key, f->commit);
}

const vault_kind vault_kind_lot = {
	.name = "lot",
	.shape = "lots/HH/HH/LOT/" VAULT_LOT_FILE,
	.ops = "lot-add lot-import",
	.made_by = "lot-add lot-import",
	.index = index_lot,
	.check = check_lot,
	.tables = "lots lot_inputs subtier_inputs links",
};
