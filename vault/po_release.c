/*
 * po_release.c - releases against blanket orders.  A PO line may be a
 * blanket agreement (its record's member "blanket": the dates it is valid
 * from and until; its qty the total agreed); a buyer calls quantities off
 * it by releases, each its own record beside the PO,
 * pos/<h>/<h>/<PO>/releases/NNNNNN.json, numbered 1, 2, ... per PO, one
 * signed commit each.  What the releases of a line call off never passes
 * its total, and each is due within the validity.  The supplier
 * acknowledges a release as a PO (portal.c, release-acks/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "kind.h"
#include "kinds.h"
#include "po.h"
#include "portal.h"
#include "record.h"
#include "rules.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define QTY_MAX 1000000000ULL
#define LINES_MAX 10000
#define RELEASES_MAX 999999

static json_t *line_numbered(json_t *lines, json_int_t n)
{
	size_t i;
	json_t *l;

	json_array_foreach(lines, i, l)
		if (json_integer_value(json_object_get(l, "line")) == n)
			return l;
	return NULL;
}

static const char *state_of(json_t *line)
{
	const char *s = json_string_value(json_object_get(line, "state"));

	return s ? s : "open";
}

int vault_po__called_off(uint64_t *sum, size_t *count, vault_store *store, const git_tree *tree,
			 const char *po, unsigned line)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2];
	git_tree_entry *te = NULL;
	git_tree *rels = NULL;
	size_t i, n = 0;
	int error;

	*sum = 0;
	*count = 0;
	if ((error = vault_po__dir(dir, sizeof(dir), po)) < 0 ||
	    (error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_PO_RELEASES_DIR, dir)) < 0)
		return error;
	if (git_tree_entry_bypath(&te, tree, path) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&rels, git_tree_owner(tree), git_tree_entry_id(te)) == 0)
		n = git_tree_entrycount(rels);
	git_tree_entry_free(te);
	*count = n;
	for (i = 0; i < n && !error; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(rels, i);
		char file[VAULT_PATH_MAX * 3], *data = NULL;
		size_t len;
		json_t *rec;

		if ((error = vault__fmt(file, sizeof(file), "path", "%s/%s", path,
					git_tree_entry_name(e))) < 0)
			break;
		if (vault_store__read_path(&data, &len, store, tree, file) < 0) {
			error = vault_error__set(VAULT_EVERIFY, "'%s' cannot be read", file);
			break;
		}
		rec = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
		free(data);
		if (json_integer_value(json_object_get(rec, "line")) == (json_int_t)line &&
		    json_integer_value(json_object_get(rec, "qty")) > 0)
			*sum += (uint64_t)json_integer_value(json_object_get(rec, "qty"));
		json_decref(rec);
	}
	git_tree_free(rels);
	return error;
}

/* ---- making one ------------------------------------------------------------ */

/*
 * Line `line` of the PO revision `rec` as a release made at `at` (a
 * record's time, UTC) may call it off: there, open, a blanket whose
 * validity has not ended by the day of `at`, `due` within its validity,
 * `qty` within what remains (`sum` called off before).  0, or the refusal.
 */
static int releasable(json_t *rec, const char *po, unsigned line, uint64_t qty, const char *due,
		      uint64_t sum, const char *at)
{
	json_t *l = line_numbered(json_object_get(rec, "lines"), line);
	json_t *b = json_object_get(l, "blanket");
	const char *from = json_string_value(json_object_get(b, "valid_from"));
	const char *until = json_string_value(json_object_get(b, "valid_until"));
	uint64_t total = (uint64_t)json_integer_value(json_object_get(l, "qty"));

	if (vault_po__cancelled(rec))
		return vault_error__set(VAULT_EINVALID, "PO '%s' is cancelled", po);
	if (!l)
		return vault_error__set(VAULT_ENOTFOUND, "PO '%s' has no line %u", po, line);
	if (strcmp(state_of(l), "open") != 0)
		return vault_error__set(VAULT_EINVALID, "line %u of PO '%s' is %s", line, po,
					state_of(l));
	if (!from || !until)
		return vault_error__set(VAULT_EINVALID, "line %u of PO '%s' is no blanket order",
					line, po);
	if (strlen(at) >= 10 && strncmp(at, until, 10) > 0)
		return vault_error__set(VAULT_EINVALID,
			"line %u of PO '%s' was valid until %s: no release on %.10s", line, po,
			until, at);
	if (strcmp(due, from) < 0 || strcmp(due, until) > 0)
		return vault_error__set(VAULT_EINVALID,
			"due date %s is outside the validity of line %u of PO '%s' (%s to %s)", due,
			line, po, from, until);
	if (qty > (total > sum ? total - sum : 0))
		return vault_error__set(VAULT_EINVALID,
			"a release of %llu is over the %llu remaining of line %u of PO '%s' "
			"(%llu agreed, %llu released)", (unsigned long long)qty,
			(unsigned long long)(total > sum ? total - sum : 0), line, po,
			(unsigned long long)total, (unsigned long long)sum);
	return 0;
}

static int release_path(char *buf, size_t size, const char *po, unsigned long number)
{
	char dir[VAULT_PATH_MAX];
	int error;

	if ((error = vault_po__dir(dir, sizeof(dir), po)) < 0)
		return error;
	return vault__fmt(buf, size, "path", "%s/" VAULT_PO_RELEASES_DIR "/%06lu.json", dir, number);
}

int vault_po_release(vault *v, const char *po, unsigned line, uint64_t qty, const char *due,
		     unsigned *number)
{
	vault_buf message = VAULT_BUF_INIT;
	char path[VAULT_PATH_MAX * 2], when[VAULT_TIME_SIZE], *json = NULL;
	json_t *rec = NULL;
	vault_txn t;
	uint64_t sum;
	size_t count, len;
	unsigned seq;
	int error;

	if (number)
		*number = 0;
	if ((error = vault_name_check("PO number", po)) < 0 ||
	    (error = vault_record__date_check("due date", due)) < 0)
		return error;
	if (line < 1 || line > LINES_MAX)
		return vault_error__set(VAULT_EINVALID, "line %u is not a line number", line);
	if (qty < 1 || qty > QTY_MAX)
		return vault_error__set(VAULT_EINVALID,
			"quantity must be a whole number from 1 to %llu", QTY_MAX);
	if ((error = vault__txn_begin(&t, v)) < 0)
		return error;
	vault_time_format(when, sizeof(when), t.now);
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_BUYER,
				     "release against blanket orders")) < 0 ||
	    (error = vault_po__latest(&rec, &seq, v->store, t.root, po)) < 0 ||
	    (error = vault_po__called_off(&sum, &count, v->store, t.root, po, line)) < 0 ||
	    (error = releasable(rec, po, line, qty, due, sum, when)) < 0)
		goto done;
	if (count >= RELEASES_MAX) {
		error = vault_error__set(VAULT_EINVALID, "PO '%s' has %zu releases already", po,
					 count);
		goto done;
	}
	if ((error = vault_record__dump(&json, &len, json_pack(
		"{s:s, s:i, s:s, s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s}", "record", "po-release",
		"format", 1, "po", po, "release", (json_int_t)count + 1, "line", (json_int_t)line,
		"part", vault_rules__str(line_numbered(json_object_get(rec, "lines"), line), "part"),
		"qty", (json_int_t)qty, "due", due, "released_by", t.actor.name,
		"org", t.actor.org, "released_at", when))) < 0 ||
	    (error = release_path(path, sizeof(path), po, (unsigned long)count + 1)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message, "po release %s (release %zu): %llu of line %u due %s"
				     "\n\nQvault-Op: po-release\nQvault-PO: %s\n", po, count + 1,
				     (unsigned long long)qty, line, due, po)) < 0 ||
	    (error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL)) < 0)
		goto done;
	if (number)
		*number = (unsigned)count + 1;
done:
	free(json);
	json_decref(rec);
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	return error;
}

/* ---- the index ------------------------------------------------------------- */

static const char SQL_INS_RELEASE[] =
	"INSERT INTO po_releases (po, release, line, part, qty, due, released_by, org,"
	" released_at, commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_RELEASE_ONCE[] =
	"SELECT commit_id FROM po_releases WHERE po = ?1 AND release = ?2";

static int index_po_release(const vault_kind_file *f)
{
	const char *po, *part, *due, *by, *org, *at;
	json_int_t number, line, qty;
	char hex[41], num[32], what[VAULT_NAME_MAX + 64];
	const char *keys[2];
	sqlite3_stmt *st;
	json_t *root;
	int error;

	root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s}", "po", &po,
				 "release", &number, "line", &line, "part", &part, "qty", &qty,
				 "due", &due, "released_by", &by, "org", &org,
				 "released_at", &at) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the release is malformed", f->path);
	}
	vault__fmt_message(num, sizeof(num), "%lld", (long long)number);
	vault__fmt_message(what, sizeof(what), "release %lld of PO '%s'", (long long)number, po);
	keys[0] = po;
	keys[1] = num;
	if ((error = vault_index__once(f->idx, f->commit, f->path, SQL_RELEASE_ONCE, keys, 2,
				       what)) < 0) {
		json_decref(root);
		return error;
	}
	if (vault_index__stmt(&st, f->idx, SQL_INS_RELEASE) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s",
					sqlite3_errmsg(vault_index__db(f->idx)));
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, number);
	sqlite3_bind_int64(st, 3, line);
	sqlite3_bind_text(st, 4, part, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, qty);
	sqlite3_bind_text(st, 6, due, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, org, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, vault_portal__time(at));
	sqlite3_bind_text(st, 10, hex, -1, SQLITE_TRANSIENT);
	error = vault_portal__step(f->idx, st, f->path);
	json_decref(root);
	return error;
}

/* ---- the check ------------------------------------------------------------- */

/* Whether `rec` is a whole release record: its members, each well-formed. */
static int release_whole(json_t *rec)
{
	json_int_t line = json_integer_value(json_object_get(rec, "line"));
	json_int_t qty = json_integer_value(json_object_get(rec, "qty"));

	return json_is_object(rec) && json_object_size(rec) == 11 &&
	       strcmp(vault_rules__str(rec, "record"), "po-release") == 0 &&
	       json_integer_value(json_object_get(rec, "format")) == 1 &&
	       json_is_integer(json_object_get(rec, "release")) && line >= 1 &&
	       line <= LINES_MAX && qty >= 1 && qty <= (json_int_t)QTY_MAX &&
	       vault_name_check("part", vault_rules__str(rec, "part")) == 0 &&
	       vault_record__date_check("due", vault_rules__str(rec, "due")) == 0;
}

/*
 * pos/<h>/<h>/<PO>/releases/NNNNNN.json: a buyer calls off a blanket line
 * of a PO recorded before, not cancelled, the line open; numbered after
 * the releases before it; due within the validity; never over what
 * remains of the line's total.
 */
static void check_po_release(const vault_change_ctx *c, const char *path)
{
	char parts[7][VAULT_NAME_MAX + 1], name[32];
	json_t *rec = NULL, *before = NULL, *l;
	json_int_t number, line;
	uint64_t sum = 0;
	size_t count = 0, n = vault_rules__split(parts, 6, path);
	unsigned seq;

	if (n != 6 || strcmp(parts[4], VAULT_PO_RELEASES_DIR) != 0 || strlen(parts[5]) != 11 ||
	    strspn(parts[5], "0123456789") != 6 || strcmp(parts[5] + 6, ".json") != 0 ||
	    !vault_rules__fanned(path, "pos", parts[3])) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	if (!release_whole(rec)) {
		c->found(c, path, "the release is malformed");
		goto done;
	}
	number = json_integer_value(json_object_get(rec, "release"));
	line = json_integer_value(json_object_get(rec, "line"));
	if (strcmp(vault_rules__str(rec, "po"), parts[3]) != 0 ||
	    vault__fmt(name, sizeof(name), "name", "%06lld.json", (long long)number) < 0 ||
	    strcmp(name, parts[5]) != 0)
		c->found(c, path, "the release of PO '%s' number %lld is stored as '%s'",
			 vault_rules__str(rec, "po"), (long long)number, path);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "released_by"),
			       vault_rules__str(rec, "org"), vault_rules__str(rec, "released_at"));
	if (vault_po__latest(&before, &seq, c->store, c->before, parts[3]) < 0) {
		c->found(c, path, "PO '%s' was not recorded before it", parts[3]);
		goto done;
	}
	if (vault_po__called_off(&sum, &count, c->store, c->before, parts[3], (unsigned)line) < 0)
		c->found(c, path, "the releases of PO '%s' before it cannot be read", parts[3]);
	if (number != (json_int_t)count + 1)
		c->found(c, path, "the release is number %lld of PO '%s', whose last was %zu",
			 (long long)number, parts[3], count);
	l = line_numbered(json_object_get(before, "lines"), line);
	if (l && strcmp(vault_rules__str(rec, "part"), vault_rules__str(l, "part")) != 0)
		c->found(c, path, "the release names part '%s', not line %lld's '%s'",
			 vault_rules__str(rec, "part"), (long long)line, vault_rules__str(l, "part"));
	if (releasable(before, parts[3], (unsigned)line,
		       (uint64_t)json_integer_value(json_object_get(rec, "qty")),
		       vault_rules__str(rec, "due"), sum, vault_rules__str(rec, "released_at")) < 0)
		c->found(c, path, "%s", vault_error_message());
done:
	json_decref(rec);
	json_decref(before);
}

const vault_kind vault_kind_po_release = {
	.name = "release against a blanket order",
	.shape = "pos/HH/HH/PO/" VAULT_PO_RELEASES_DIR "/*.json",
	.roles = VAULT_ROLE_BUYER,
	.act = "release against blanket orders",
	.ops = "po-release",
	.made_by = "po-release",
	.index = index_po_release,
	.check = check_po_release,
	.tables = "po_releases",
};
