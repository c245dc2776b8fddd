#include "index.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "error.h"
#include "kind.h"
#include "record.h"
#include "util.h"
#include "walk.h"

/* schemas/index.sql (version 1) and its upgrades, embedded at build time */
extern const char vault_schema_sql[], vault_schema_sql_2[], vault_schema_sql_3[],
	vault_schema_sql_4[], vault_schema_sql_5[], vault_schema_sql_6[],
	vault_schema_sql_7[], vault_schema_sql_8[], vault_schema_sql_9[],
	vault_schema_sql_10[], vault_schema_sql_11[], vault_schema_sql_12[],
	vault_schema_sql_13[], vault_schema_sql_14[], vault_schema_sql_15[],
	vault_schema_sql_16[], vault_schema_sql_17[], vault_schema_sql_18[];

/* upgrades[N] takes an index from version N - 1 to N */
static const char *const upgrades[VAULT_INDEX_VERSION + 1] = {
	NULL, NULL, vault_schema_sql_2, vault_schema_sql_3, vault_schema_sql_4,
	vault_schema_sql_5, vault_schema_sql_6, vault_schema_sql_7, vault_schema_sql_8,
	vault_schema_sql_9, vault_schema_sql_10, vault_schema_sql_11, vault_schema_sql_12,
	vault_schema_sql_13, vault_schema_sql_14, vault_schema_sql_15,
	vault_schema_sql_16, vault_schema_sql_17, vault_schema_sql_18
};

/* the statements vault_index__stmt keeps: about 125 in all today */
#define CACHED_MAX 256

struct vault_index {
	sqlite3 *db;
	sqlite3_stmt *ins_rev, *ins_file, *ins_part, *ins_event, *ins_subject;
	sqlite3_stmt *ins_parent; /* a rebuild's: temp.parents (vault_index__rebuild) */
	sqlite3_int64 event;    /* the row of the commit being applied, in events */
	const vault_kind *const *kinds; /* what a vault holds (kinds.c), handed down */
	vault__meter *progress;      /* the vault's, borrowed; may be NULL */
	/* statements of other modules, by the address of their SQL text */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cached[CACHED_MAX];
};

static int db_error(vault_index *idx, const char *what)
{
	int code = sqlite3_errcode(idx->db);
	int ours = (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ?
		VAULT_EVERIFY : VAULT_ERROR;

	return vault_error__set(ours, "index: %s: %s", what, sqlite3_errmsg(idx->db));
}

static int exec(vault_index *idx, const char *sql)
{
	if (sqlite3_exec(idx->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(idx, sql);
	return 0;
}

static int prepare(vault_index *idx, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v3(idx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_error(idx, "prepare");
	return 0;
}

static int user_version(int *out, vault_index *idx)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(idx->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_error(idx, "cannot read the schema version");
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_error(idx, "cannot read the schema version");
	return 0;
}

/* Create the schema, or upgrade it in place, in one transaction. */
static int migrate(vault_index *idx)
{
	int version = 0, error;

	if ((error = user_version(&version, idx)) < 0)
		return error;
	if (version == VAULT_INDEX_VERSION)
		return 0;
	if (version > VAULT_INDEX_VERSION)
		return vault_error__set(VAULT_ERROR,
			"index: version %d is newer than this qvault's %d",
			version, VAULT_INDEX_VERSION);
	if ((error = exec(idx, "BEGIN IMMEDIATE")) < 0)
		return error;
	/* re-read under the write lock: another process may have won */
	if ((error = user_version(&version, idx)) < 0)
		goto fail;
	if (version == 0 && (error = exec(idx, vault_schema_sql)) < 0)
		goto fail;
	if (version == 0)
		version = 1;
	while (version < VAULT_INDEX_VERSION)
		if ((error = exec(idx, upgrades[++version])) < 0)
			goto fail;
	{
		char sql[64];

		if ((error = vault__fmt(sql, sizeof(sql), "statement", "PRAGMA user_version = %d",
					VAULT_INDEX_VERSION)) < 0 ||
		    (error = exec(idx, sql)) < 0 || (error = exec(idx, "COMMIT")) < 0)
			goto fail;
	}
	return 0;
fail:
	sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
	return error;
}

/*
 * The URI of the database file at `path`, `query` after it ("?mode=ro"):
 * a '%', '?' or '#' of the path escaped, which SQLite would otherwise read
 * as an escape, the query or a fragment, and an absolute path after an
 * empty authority ("file:///a", "file:////a": "file://a" would name a
 * host).  "file:" alone (path "") is a temporary database of the
 * connection's own.
 */
static int index_uri(char *uri, size_t size, const char *path, const char *query)
{
	const char *scheme = path[0] == '/' ? "file://" : "file:";
	size_t n = strlen(scheme);
	const char *p;

	if (size <= n)
		return vault_error__set(VAULT_EINVALID, "the index path is too long");
	memcpy(uri, scheme, n);
	for (p = path; *p; p++) {
		int esc = *p == '%' || *p == '?' || *p == '#';

		if (n + (esc ? 3 : 1) >= size)
			return vault_error__set(VAULT_EINVALID, "the index path is too long");
		if (esc) {
			uri[n++] = '%';
			uri[n++] = "0123456789abcdef"[(unsigned char)*p >> 4];
			uri[n++] = "0123456789abcdef"[*p & 15];
		} else {
			uri[n++] = *p;
		}
	}
	uri[n] = '\0';
	return vault__fmt(uri + n, size - n, "index path", "%s", query);
}

int vault_index__open(vault_index **out, const char *path, int readonly,
		     const vault_kind *const *kinds)
{
	vault_index *idx = calloc(1, sizeof(*idx));
	char uri[4200];
	int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, error;

	if (!idx)
		abort();
	idx->kinds = kinds;
	if (readonly) {
		/* a vault this process may not write: read it live, as another
		 * process writes it (its -wal and -shm are there while a writer
		 * has it open), and where SQLite cannot (read-only media, no
		 * -shm to read), as a file that does not change */
		int version = 0;

		if ((error = index_uri(uri, sizeof(uri), path, "?mode=ro")) < 0)
			goto fail;
		if (sqlite3_open_v2(uri, &idx->db, flags | SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    user_version(&version, idx) == 0)
			goto opened;
		sqlite3_close(idx->db);
		idx->db = NULL;
		if ((error = index_uri(uri, sizeof(uri), path, "?immutable=1")) < 0)
			goto fail;
		flags |= SQLITE_OPEN_READONLY;
	} else {
		if ((error = index_uri(uri, sizeof(uri), path, "")) < 0)
			goto fail;
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(uri, &idx->db, flags, NULL) != SQLITE_OK) {
		error = *path ? vault_error__set(VAULT_ERROR, "cannot open the index '%s': %s",
			path, idx->db ? sqlite3_errmsg(idx->db) : "out of memory") :
			vault_error__set(VAULT_ERROR, "cannot open a scratch index: %s",
			idx->db ? sqlite3_errmsg(idx->db) : "out of memory");
		goto fail;
	}
opened:
	sqlite3_extended_result_codes(idx->db, 0);
	sqlite3_busy_timeout(idx->db, 30000);
	if (!readonly &&
	    ((error = exec(idx, "PRAGMA journal_mode = WAL")) < 0 ||
	     (error = exec(idx, "PRAGMA synchronous = FULL")) < 0))
		goto fail;
	if ((error = exec(idx, "PRAGMA foreign_keys = ON")) < 0)
		goto fail;
	if (readonly) {
		int version = 0;

		if ((error = user_version(&version, idx)) < 0)
			goto fail;
		if (version != VAULT_INDEX_VERSION) {
			error = vault_error__set(VAULT_ERROR,
				"index: version %d needs an upgrade, but the vault is read-only",
				version);
			goto fail;
		}
	} else if ((error = migrate(idx)) < 0) {
		goto fail;
	}
	/* the export-control markings this connection's viewer is cleared
	 * for (marking.c fills it for each read; empty: none) */
	if ((error = exec(idx, "CREATE TEMP TABLE IF NOT EXISTS cleared"
			       " (marking TEXT PRIMARY KEY) WITHOUT ROWID")) < 0)
		goto fail;
	*out = idx;
	return 0;
fail:
	vault_index__free(idx);
	return error;
}

void vault_index__free(vault_index *idx)
{
	size_t i;

	if (!idx)
		return;
	sqlite3_finalize(idx->ins_rev);
	sqlite3_finalize(idx->ins_file);
	sqlite3_finalize(idx->ins_part);
	sqlite3_finalize(idx->ins_event);
	sqlite3_finalize(idx->ins_subject);
	sqlite3_finalize(idx->ins_parent);
	for (i = 0; i < CACHED_MAX; i++)
		sqlite3_finalize(idx->cached[i].st);
	sqlite3_close(idx->db);
	free(idx);
}

void vault_index__settle(vault_index *idx)
{
	sqlite3_stmt *st = NULL;

	while ((st = sqlite3_next_stmt(idx->db, st)) != NULL)
		if (sqlite3_stmt_busy(st))
			sqlite3_reset(st);
}

int vault_index__stmt(sqlite3_stmt **st, vault_index *idx, const char *sql)
{
	size_t i;

	for (i = 0; i < CACHED_MAX && idx->cached[i].sql; i++)
		if (idx->cached[i].sql == sql) {
			*st = idx->cached[i].st;
			sqlite3_reset(*st);
			sqlite3_clear_bindings(*st);
			return 0;
		}
	if (i == CACHED_MAX)
		abort(); /* a new statement needs a bigger cache: a programming error */
	if (prepare(idx, st, sql) < 0)
		return -1;
	idx->cached[i].sql = sql;
	idx->cached[i].st = *st;
	return 0;
}

/* Read the schema version of the database attached as `schema`. */
static int attached_readable(vault_index *idx, const char *schema)
{
	char sql[96];
	sqlite3_stmt *st;
	int rc;

	if (vault__fmt(sql, sizeof(sql), "statement", "PRAGMA %s.user_version", schema) < 0 ||
	    sqlite3_prepare_v2(idx->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW;
}

int vault_index__attach(vault_index *idx, const char *path, const char *schema, int readonly)
{
	/* as vault_index__open reads: live, or where SQLite cannot, as a file
	 * that does not change */
	static const char *const queries[] = { "?mode=ro", "?immutable=1" };
	char uri[4200], sql[96];
	size_t i;
	int error;

	if ((error = vault__fmt(sql, sizeof(sql), "statement", "ATTACH DATABASE ?1 AS %s",
				schema)) < 0)
		return error;
	for (i = 0; i < (readonly ? 2u : 1u); i++) {
		sqlite3_stmt *st;
		int rc;

		if ((error = index_uri(uri, sizeof(uri), path, queries[i])) < 0)
			return error;
		if (sqlite3_prepare_v2(idx->db, sql, -1, &st, NULL) != SQLITE_OK)
			return db_error(idx, "cannot attach the index");
		sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE && attached_readable(idx, schema))
			return 0;
		error = db_error(idx, "cannot read the index beside it");
		if (rc == SQLITE_DONE) {
			char detach[96];

			if (vault__fmt(detach, sizeof(detach), "statement", "DETACH DATABASE %s",
				       schema) == 0)
				sqlite3_exec(idx->db, detach, NULL, NULL, NULL);
		}
	}
	return error;
}

int vault_index__replace(vault_index *idx, vault_index *from)
{
	sqlite3_backup *b = sqlite3_backup_init(idx->db, "main", from->db, "main");
	int rc;

	if (!b)
		return db_error(idx, "cannot replace the index");
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return db_error(idx, "cannot replace the index");
	return 0;
}

struct sqlite3 *vault_index__db(vault_index *idx)
{
	return idx->db;
}

int vault_index__reflects(char out[41], vault_index *idx)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(idx->db, "SELECT value FROM meta WHERE key = 'commit'",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(idx, "cannot read the indexed commit");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 40)
		memcpy(out, sqlite3_column_text(st, 0), 41);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(idx, "cannot read the indexed commit");
	return 0;
}

/* ---- applying commits ---------------------------------------------- */

typedef struct {
	vault_index *idx;
	vault_store *store;
} apply_ctx;

static int step_done(vault_index *idx, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(idx, what);
	return 0;
}

/*
 * Insert one revision, its files (with their blob ids filled in) and parts,
 * as recorded by the event idx->event of commit `commit_hex`.
 */
static int record_revision(apply_ctx *ctx, const vault_revision *rev,
			   const char *commit_hex, const char *path)
{
	vault_index *idx = ctx->idx;
	sqlite3_int64 id;
	size_t i;
	int error;

	(void)path; /* a revision left out is reported by verify, not here */
	sqlite3_bind_text(idx->ins_rev, 1, rev->doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_rev, 2, rev->rev, -1, SQLITE_STATIC);
	sqlite3_bind_int64(idx->ins_rev, 3, rev->seq);
	sqlite3_bind_text(idx->ins_rev, 4, rev->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_rev, 5, rev->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_rev, 6, rev->added_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(idx->ins_rev, 7, rev->added_at);
	sqlite3_bind_text(idx->ins_rev, 8, commit_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_rev, 9, rev->org, -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_rev, 10, rev->expires, -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_rev, 11, rev->review_by, -1, SQLITE_STATIC);
	if (sqlite3_step(idx->ins_rev) != SQLITE_DONE) {
		/* a second revision of one sequence number (both sites revised
		 * a document since they parted; a revision added twice is
		 * refused before): left out, as verify reports it, so that the
		 * index can always be rebuilt */
		error = sqlite3_errcode(idx->db) == SQLITE_CONSTRAINT ? 0 :
			db_error(idx, "cannot record a revision");
		sqlite3_reset(idx->ins_rev);
		return error;
	}
	sqlite3_reset(idx->ins_rev);
	id = sqlite3_last_insert_rowid(idx->db);
	for (i = 0; i < rev->nfiles; i++) {
		const vault_file *f = &rev->files[i];

		sqlite3_bind_int64(idx->ins_file, 1, id);
		sqlite3_bind_int64(idx->ins_file, 2, (sqlite3_int64)i);
		sqlite3_bind_text(idx->ins_file, 3, f->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(idx->ins_file, 4, f->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_text(idx->ins_file, 5, f->blob, -1, SQLITE_STATIC);
		sqlite3_bind_int64(idx->ins_file, 6, (sqlite3_int64)f->size);
		sqlite3_bind_text(idx->ins_file, 7, f->mime, -1, SQLITE_STATIC);
		sqlite3_bind_text(idx->ins_file, 8, f->findings, -1, SQLITE_STATIC);
		if ((error = step_done(idx, idx->ins_file, "cannot record a file")) < 0)
			return error;
	}
	for (i = 0; i < rev->nparts; i++) {
		sqlite3_bind_int64(idx->ins_part, 1, id);
		sqlite3_bind_int64(idx->ins_part, 2, (sqlite3_int64)i);
		sqlite3_bind_text(idx->ins_part, 3, rev->parts[i], -1, SQLITE_STATIC);
		if ((error = step_done(idx, idx->ins_part, "cannot record a part")) < 0)
			return error;
	}
	sqlite3_bind_int64(idx->ins_subject, 1, idx->event);
	sqlite3_bind_text(idx->ins_subject, 2, rev->doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_subject, 3, rev->rev, -1, SQLITE_STATIC);
	return step_done(idx, idx->ins_subject, "cannot record an event");
}

static const char SQL_REVISION_ONCE[] =
	"SELECT commit_id FROM revisions WHERE doc = ?1 AND rev = ?2";

int vault_index__revision(const vault_kind_file *f)
{
	apply_ctx ctx = { f->idx, f->store };
	vault_revision rev;
	git_tree *ftree = NULL;
	char dir[VAULT_PATH_MAX], hex[41];
	size_t i, n = strlen(f->path) - strlen(VAULT_RECORD_FILE);
	int error = 0;

	/* a record that is malformed or lacks its files is left out of the
	 * index (verify reports it): the index is always rebuildable */
	if (vault_record__revision_parse(&rev, f->data, f->len) < 0)
		return 0;
	/* a revision is added once, whatever else is wrong with it; two of
	 * one sequence number (sites that both revised a document) are left
	 * out as record_revision says */
	if ((error = vault_index__once_of(f, SQL_REVISION_ONCE, "revision", rev.doc,
					  rev.rev)) < 0)
		goto done;
	if (n + strlen(VAULT_FILES_DIR) >= sizeof(dir))
		goto done;
	memcpy(dir, f->path, n);
	memcpy(dir + n, VAULT_FILES_DIR, sizeof(VAULT_FILES_DIR));
	if (vault_store__tree_at(&ftree, f->store, f->tree, dir) < 0)
		goto done;
	for (i = 0; i < rev.nfiles; i++) {
		git_tree_entry *te = NULL;

		/* a package member's name is a path: certs/mtr-1.pdf */
		if (git_tree_entry_bypath(&te, ftree, rev.files[i].name) < 0 ||
		    git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
			git_tree_entry_free(te);
			goto done;
		}
		git_oid_tostr(rev.files[i].blob, sizeof(rev.files[i].blob),
			      git_tree_entry_id(te));
		git_tree_entry_free(te);
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	error = record_revision(&ctx, &rev, hex, f->path);
done:
	git_tree_free(ftree);
	vault_revision_dispose(&rev);
	return error;
}

int vault_index__step(vault_index *idx, sqlite3_stmt *st, const char *what)
{
	return step_done(idx, st, what);
}

int vault_index__once_step(vault_index *idx, sqlite3_stmt *st, const git_oid *commit,
			   const char *path, const char *what)
{
	char hex[41], first[41] = "";
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		vault__fmt_message(first, sizeof(first), "%s",
				   (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_error(idx, "cannot look up a record");
	git_oid_tostr(hex, sizeof(hex), commit);
	if (strcmp(first, hex) == 0)
		return vault_error__set(VAULT_EVERIFY, "commit %.12s: %s: adds %s a second time "
					"(a record is added once)", hex, path, what);
	return vault_error__set(VAULT_EVERIFY, "commit %.12s: %s: %s is recorded already, by "
				"commit %.12s (a record is added once)", hex, path, what,
				*first ? first : "?");
}

int vault_index__once(vault_index *idx, const git_oid *commit, const char *path,
		      const char *sql, const char *const *keys, size_t nkeys, const char *what)
{
	sqlite3_stmt *st;
	size_t i;

	if (vault_index__stmt(&st, idx, sql) < 0)
		return db_error(idx, "cannot look up a record");
	for (i = 0; i < nkeys; i++)
		sqlite3_bind_text(st, (int)i + 1, keys[i], -1, SQLITE_TRANSIENT);
	return vault_index__once_step(idx, st, commit, path, what);
}

int vault_index__once_of(const vault_kind_file *f, const char *sql, const char *noun,
			 const char *key, const char *rev)
{
	const char *keys[] = { key, rev };
	char what[2 * VAULT_NAME_MAX + 128];

	if (rev)
		vault__fmt_message(what, sizeof(what), "the %s of %s@%s", noun, key, rev);
	else
		vault__fmt_message(what, sizeof(what), "%s '%s'", noun, key);
	return vault_index__once(f->idx, f->commit, f->path, sql, keys, rev ? 2 : 1, what);
}

/* A file a commit added, of a kind that is indexed. */
typedef struct {
	size_t kind;   /* its place in the list of kinds: the order of indexing */
	size_t seq;    /* its place in the walk: the order within a kind */
	char *path;
} added;

typedef struct {
	const vault_kind *const *kinds;
	added *items;
	size_t count, cap;
} added_list;

static int collect_added(void *payload, vault_change what, const char *path)
{
	added_list *l = payload;
	size_t i;

	/* history only adds; what a commit rewrites, verify reports */
	if (what != VAULT_CHANGE_ADDED)
		return 0;
	for (i = 0; l->kinds[i]; i++)
		if (vault_kind__match(l->kinds[i], path, NULL))
			break;
	if (!l->kinds[i] || !l->kinds[i]->index)
		return 0;
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((l->items = realloc(l->items, l->cap * sizeof(*l->items))) == NULL)
			abort();
	}
	l->items[l->count].kind = i;
	l->items[l->count].seq = l->count;
	l->items[l->count++].path = vault__strdup(path);
	return 0;
}

static int by_kind(const void *a, const void *b)
{
	const added *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Index what `new` adds to `old` (NULL for the root): each added file of
 * an indexed kind, kind by kind in the order of the list (a revision
 * before its release, a PO before its answers), each kind in path order.
 */
static int index_added(apply_ctx *ctx, const git_tree *old, const git_tree *new,
		       const git_oid *commit)
{
	added_list l = { ctx->idx->kinds, NULL, 0, 0 };
	size_t i;
	int error;

	error = vault_store__changes(ctx->store, old, new, collect_added, &l);
	if (error == 0 && l.count > 1)
		qsort(l.items, l.count, sizeof(*l.items), by_kind);
	for (i = 0; i < l.count && error == 0; i++) {
		const vault_kind *k = l.kinds[l.items[i].kind];
		vault_kind_match m;
		vault_kind_file f;
		char *data = NULL;
		size_t len;

		vault_kind__match(k, l.items[i].path, &m);
		if ((error = vault_store__read_path(&data, &len, ctx->store, new,
						    l.items[i].path)) < 0)
			break;
		f.idx = ctx->idx;
		f.store = ctx->store;
		f.tree = new;
		f.commit = commit;
		f.path = l.items[i].path;
		f.m = &m;
		f.data = data;
		f.len = len;
		error = k->index(&f);
		free(data);
	}
	for (i = 0; i < l.count; i++)
		free(l.items[i].path);
	free(l.items);
	return error;
}

/* The value of trailer `key` in a commit message, malloc'd, or NULL. */
static char *trailer(const char *message, const char *key)
{
	char *value;

	return vault_store__trailer(&value, message, key) == 0 ? value : NULL;
}

/* Record commit `c` in the audit trail; ctx->event becomes its row. */
static int record_event(apply_ctx *ctx, git_commit *c)
{
	vault_index *idx = ctx->idx;
	const git_signature *author = git_commit_author(c);
	char hex[41], *op = trailer(git_commit_message(c), "Qvault-Op");
	int error;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	sqlite3_bind_text(idx->ins_event, 1, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(idx->ins_event, 2, author->when.time);
	sqlite3_bind_text(idx->ins_event, 3, author->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_event, 4, op ? op : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_text(idx->ins_event, 5, git_commit_summary(c), -1, SQLITE_STATIC);
	error = step_done(idx, idx->ins_event, "cannot record an event");
	free(op);
	idx->event = sqlite3_last_insert_rowid(idx->db);
	return error;
}

/* Record commit `c` and every revision it adds, read from the repository. */
static int apply_commit(apply_ctx *ctx, git_commit *c)
{
	git_commit *parent = NULL;
	git_tree *old = NULL, *new = NULL;
	char hex[41];
	int error;

	if ((error = record_event(ctx, c)) < 0)
		return error;
	/* a merge adds nothing of its own: the walk applies both sides' commits */
	if (git_commit_parentcount(c) > 1)
		return 0;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	if (git_commit_tree(&new, c) < 0 ||
	    (git_commit_parentcount(c) > 0 &&
	     (git_commit_parent(&parent, c, 0) < 0 || git_commit_tree(&old, parent) < 0))) {
		error = vault_error__git(VAULT_EVERIFY, "cannot read commit %s", hex);
		goto done;
	}
	error = index_added(ctx, old, new, git_commit_id(c));
done:
	git_tree_free(old);
	git_tree_free(new);
	git_commit_free(parent);
	return error;
}

static int prepare_inserts(vault_index *idx)
{
	if (idx->ins_rev)
		return 0;
	return prepare(idx, &idx->ins_rev,
		"INSERT INTO revisions (doc, rev, seq, type, title, added_by, added_at, commit_id, org,"
		" expires, review_by)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)") < 0 ||
	       prepare(idx, &idx->ins_file,
		"INSERT INTO files (revision, pos, name, sha256, blob, size, mime, findings)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") < 0 ||
	       prepare(idx, &idx->ins_part,
		"INSERT INTO parts (revision, pos, part) VALUES (?1, ?2, ?3)") < 0 ||
	       prepare(idx, &idx->ins_event,
		"INSERT INTO events (commit_id, time, author, op, summary)"
		" VALUES (?1, ?2, ?3, ?4, ?5)") < 0 ||
	       prepare(idx, &idx->ins_subject,
		"INSERT OR IGNORE INTO event_subjects (event, doc, rev) VALUES (?1, ?2, ?3)") < 0
	       ? VAULT_ERROR : 0;
}

static int set_reflects(vault_index *idx, const git_oid *head)
{
	sqlite3_stmt *st;
	char hex[41];
	int error;

	git_oid_tostr(hex, sizeof(hex), head);
	if (sqlite3_prepare_v2(idx->db,
		"INSERT OR REPLACE INTO meta (key, value) VALUES ('commit', ?1)",
		-1, &st, NULL) != SQLITE_OK)
		return db_error(idx, "prepare");
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	error = step_done(idx, st, "cannot record the indexed commit");
	sqlite3_finalize(st);
	return error;
}

/* Empty the index for a rebuild: the revisions and events, and each kind's tables. */
static int empty_tables(vault_index *idx)
{
	size_t i;
	int error;

	if ((error = exec(idx, "DELETE FROM event_subjects; DELETE FROM events; DELETE FROM parts;"
			  " DELETE FROM files; DELETE FROM revisions; DELETE FROM meta;")) < 0)
		return error;
	for (i = 0; idx->kinds[i] && !error; i++) {
		const char *t = idx->kinds[i]->tables;

		while (t && *t && !error) {
			size_t n = strcspn(t, " ");
			char sql[128];

			/* the names are the kinds' constants, never input */
			if ((error = vault__fmt(sql, sizeof(sql), "statement", "DELETE FROM %.*s",
						(int)n, t)) == 0)
				error = exec(idx, sql);
			t += n;
			t += strspn(t, " ");
		}
	}
	return error;
}

/* A rebuild's: each parent of `c` in temp.parents (vault_index__rebuild). */
static int record_parents(vault_index *idx, const git_commit *c)
{
	char child[GIT_OID_HEXSZ + 1], parent[GIT_OID_HEXSZ + 1];
	unsigned int i;
	int error = 0;

	git_oid_tostr(child, sizeof(child), git_commit_id(c));
	for (i = 0; i < git_commit_parentcount(c) && !error; i++) {
		git_oid_tostr(parent, sizeof(parent), git_commit_parent_id(c, i));
		sqlite3_bind_text(idx->ins_parent, 1, child, -1, SQLITE_STATIC);
		sqlite3_bind_text(idx->ins_parent, 2, parent, -1, SQLITE_STATIC);
		error = step_done(idx, idx->ins_parent, "cannot record a commit's parents");
	}
	return error;
}

/*
 * Index the history up to `to` (the branch's head when NULL); kept when
 * `keep`, else rolled back once it is known that it can be indexed.
 */
static int index_to(vault_index *idx, vault_store *s, int full, const git_oid *to, int keep,
		    const vault_walk *order, vault_index_pace pace, void *payload)
{
	git_commit *head_commit = NULL;
	git_oid head_id, *head = &head_id;
	git_repository *repo = vault_store__repo(s);
	apply_ctx ctx = { idx, s };
	vault_walk *walk = NULL;
	vault__meter *p = to ? NULL : idx->progress;
	uint64_t total = 0, done = 0;
	char reflects[41];
	git_oid base;
	size_t i;
	int error;

	if ((error = prepare_inserts(idx)) < 0 ||
	    (error = exec(idx, "BEGIN IMMEDIATE")) < 0)
		return error;
	/* under the write lock: another process may have caught up already */
	if ((error = vault_index__reflects(reflects, idx)) < 0)
		goto fail;
	if (to) {
		git_oid_cpy(&head_id, to);
	} else {
		if ((error = vault_store__head(&head_commit, s)) < 0)
			goto fail;
		git_oid_cpy(&head_id, git_commit_id(head_commit));
		git_commit_free(head_commit);
	}
	if (!full && *reflects && git_oid_fromstr(&base, reflects) == 0) {
		if (git_oid_equal(&base, head))
			return exec(idx, keep ? "COMMIT" : "ROLLBACK");
		if (git_graph_descendant_of(repo, head, &base) != 1)
			full = 1;
	} else {
		full = 1;
	}
	if (full && (error = empty_tables(idx)) < 0)
		goto fail;
	/* the commits in order first (walk.h: under 100 bytes each), or
	 * those of the walk given (the whole history to `to`) */
	if (!order) {
		if ((error = vault_walk__new(&walk, repo, head, 1, full ? NULL : &base)) < 0)
			goto fail;
		order = walk;
	}
	/* one commit (a write's own) is no long work worth a line */
	if ((total = vault_walk__count(order)) < 2)
		p = NULL;
	for (i = 0; i < vault_walk__count(order); i++) {
		const git_oid *id = vault_walk__at(order, i);
		git_commit *c;

		vault__progress(p, "Indexing commits", done, total);
		if (pace && (error = pace(payload, i)) < 0)
			goto fail;
		if (git_commit_lookup(&c, repo, id) < 0) {
			error = vault_error__git(VAULT_EVERIFY, "cannot read commit %s",
						 git_oid_tostr_s(id));
			goto fail;
		}
		error = apply_commit(&ctx, c);
		if (!error && idx->ins_parent)
			error = record_parents(idx, c);
		git_commit_free(c);
		if (error < 0)
			goto fail;
		done++;
	}
	vault__progress_end(p, "Indexing commits", done, total);
	vault_walk__free(walk);
	if (!keep)
		return exec(idx, "ROLLBACK");
	if ((error = set_reflects(idx, head)) < 0 || (error = exec(idx, "COMMIT")) < 0)
		goto fail_nowalk;
	return 0;
fail:
	vault_walk__free(walk);
fail_nowalk:
	sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
	return error;
}

void vault_index__set_progress(vault_index *idx, vault__meter *p)
{
	if (idx)
		idx->progress = p;
}

int vault_index__catch_up(vault_index *idx, vault_store *s, int full)
{
	return index_to(idx, s, full, NULL, 1, NULL, NULL, NULL);
}

int vault_index__rebuild(vault_index *idx, vault_store *s, const git_oid *tip,
			 const vault_walk *order, vault_index_pace pace, void *payload)
{
	/* the temporary schema is the connection's own: no part of the
	 * index, nor of what verify compares (main's tables) */
	if (idx->ins_parent ? exec(idx, "DELETE FROM temp.parents") < 0 :
	    (exec(idx, "CREATE TEMP TABLE parents (child TEXT NOT NULL, parent TEXT NOT NULL)") < 0 ||
	     prepare(idx, &idx->ins_parent,
		     "INSERT INTO temp.parents (child, parent) VALUES (?1, ?2)") < 0))
		return VAULT_ERROR;
	return index_to(idx, s, 1, tip, 1, order, pace, payload);
}

int vault_index__try(vault_index *idx, vault_store *s, const git_oid *to)
{
	return index_to(idx, s, 0, to, 0, NULL, NULL, NULL);
}

int vault_index__record_written(vault_index *idx, vault_store *s,
				git_commit *commit, const vault_revision *revs,
				size_t nrevs)
{
	apply_ctx ctx = { idx, s };
	git_commit *head = NULL;
	char reflects[41], parent[41] = "", hex[41];
	size_t i;
	int error;

	if ((error = prepare_inserts(idx)) < 0 ||
	    (error = exec(idx, "BEGIN IMMEDIATE")) < 0)
		return error;
	if ((error = vault_index__reflects(reflects, idx)) < 0 ||
	    (error = vault_store__head(&head, s)) < 0)
		goto fail;
	if (git_commit_parentcount(commit) == 1)
		git_oid_tostr(parent, sizeof(parent), git_commit_parent_id(commit, 0));
	if (!git_oid_equal(git_commit_id(head), git_commit_id(commit)) ||
	    git_commit_parentcount(commit) > 1 || strcmp(reflects, parent) != 0) {
		/* not the simple case: take the general path */
		git_commit_free(head);
		sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
		return vault_index__catch_up(idx, s, 0);
	}
	git_commit_free(head);
	head = NULL;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	if ((error = record_event(&ctx, commit)) < 0)
		goto fail;
	for (i = 0; i < nrevs; i++)
		if ((error = record_revision(&ctx, &revs[i], hex, revs[i].doc)) < 0)
			goto fail;
	if ((error = set_reflects(idx, git_commit_id(commit))) < 0 ||
	    (error = exec(idx, "COMMIT")) < 0)
		goto fail;
	return 0;
fail:
	git_commit_free(head);
	sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
	return error;
}

/* ---- queries --------------------------------------------------------- */

#define REV_COLUMNS "r.id, r.doc, r.rev, r.seq, r.type, r.title, r.added_by, r.added_at," \
	" r.commit_id, r.org, r.expires, r.review_by"

/* What a supplier of organization ?9 may see (everything when ?9 is NULL). */
#define VISIBLE(r) VAULT_INDEX_VISIBLE(r, "?9")

static char *column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? vault__strdup((const char *)t) : NULL;
}

/* The statements of load_state and load_revision, prepared once a connection (vault_index__stmt) */
static const char SQL_RELEASE[] =
	"SELECT reason, effective, released_by, released_at,"
	" EXISTS (SELECT 1 FROM releases l JOIN revisions lr ON lr.doc = l.doc AND lr.rev = l.rev"
	"  WHERE l.doc = ?1 AND lr.seq > ?3 AND (?4 IS NULL OR EXISTS (SELECT 1"
	"  FROM distribution d WHERE d.doc = l.doc AND d.rev = l.rev AND d.org = ?4)"
	"  AND " VAULT_INDEX_CLEARED("l.doc", "l.rev", "?4") ")), marking, licence"
	" FROM releases WHERE doc = ?1 AND rev = ?2";
static const char SQL_DISTRIBUTION[] =
	"SELECT org FROM distribution WHERE doc = ?1 AND rev = ?2 ORDER BY org";
static const char SQL_OBSOLETE[] =
	"SELECT reason, obsoleted_by, obsoleted_at FROM obsoletes WHERE doc = ?1 AND rev = ?2";
static const char SQL_WITHDRAWAL[] =
	"SELECT reason, withdrawn_by, withdrawn_at FROM withdrawals WHERE doc = ?1 AND rev = ?2";
static const char SQL_FILES[] =
	"SELECT name, sha256, blob, size, mime, findings FROM files WHERE revision = ?1 ORDER BY pos";
static const char SQL_PARTS[] =
	"SELECT part FROM parts WHERE revision = ?1 ORDER BY pos";

/*
 * The release, distribution and obsolescence of `rev`, and so its state
 * as organization `org` has it: superseded when a later revision was
 * released to `org`, or (`org` NULL: the buyer's, quality's, an
 * auditor's view) to anyone.  A later revision released elsewhere only
 * leaves the one `org` was given in effect for it.
 */
static int load_state(vault_revision *rev, vault_index *idx, const char *org)
{
	sqlite3_stmt *st;
	int controlled = vault_record__controlled(rev->type);
	int released = 0, later = 0, rc;
	size_t n = 0;

	if (vault_index__stmt(&st, idx, SQL_RELEASE) < 0)
		return -1;
	sqlite3_bind_text(st, 1, rev->doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev->rev, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rev->seq);
	sqlite3_bind_text(st, 4, org, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		released = 1;
		rev->release_reason = column_dup(st, 0);
		rev->effective = column_dup(st, 1);
		rev->released_by = column_dup(st, 2);
		rev->released_at = sqlite3_column_int64(st, 3);
		later = sqlite3_column_int(st, 4) > 0;
		rev->marking = column_dup(st, 5);
		rev->licence = column_dup(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(idx, "cannot read a release");

	if (vault_index__stmt(&st, idx, SQL_DISTRIBUTION) < 0)
		return -1;
	sqlite3_bind_text(st, 1, rev->doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev->rev, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if ((rev->to = realloc(rev->to, (n + 1) * sizeof(char *))) == NULL)
			abort();
		rev->to[n++] = column_dup(st, 0);
		rev->nto = n;
	}
	sqlite3_reset(st);

	if (vault_index__stmt(&st, idx, SQL_OBSOLETE) < 0)
		return -1;
	sqlite3_bind_text(st, 1, rev->doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev->rev, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rev->obsolete_reason = column_dup(st, 0);
		rev->obsoleted_by = column_dup(st, 1);
		rev->obsoleted_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);

	if (vault_index__stmt(&st, idx, SQL_WITHDRAWAL) < 0)
		return -1;
	sqlite3_bind_text(st, 1, rev->doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev->rev, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rev->withdrawn_reason = column_dup(st, 0);
		rev->withdrawn_by = column_dup(st, 1);
		rev->withdrawn_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);

	if (rev->withdrawn_reason)
		rev->state = "withdrawn";
	else if (rev->obsolete_reason)
		rev->state = "obsolete";
	else if (released)
		rev->state = later ? "superseded" : "released";
	else
		rev->state = controlled ? "draft" : "recorded";
	return 0;
}

/* Fill `rev` from a row of REV_COLUMNS, with its files and parts, its state as `org` has it. */
static int load_revision(vault_revision *rev, vault_index *idx, sqlite3_stmt *row,
			 const char *org)
{
	sqlite3_int64 id = sqlite3_column_int64(row, 0);
	sqlite3_stmt *st;
	size_t n;
	int rc;

	memset(rev, 0, sizeof(*rev));
	rev->doc = column_dup(row, 1);
	rev->rev = column_dup(row, 2);
	rev->seq = (unsigned)sqlite3_column_int64(row, 3);
	rev->type = column_dup(row, 4);
	rev->title = column_dup(row, 5);
	rev->added_by = column_dup(row, 6);
	rev->added_at = sqlite3_column_int64(row, 7);
	rev->org = column_dup(row, 9);
	rev->expires = column_dup(row, 10);
	rev->review_by = column_dup(row, 11);
	if (vault__fmt(rev->commit, sizeof(rev->commit), "the index's commit id", "%s",
		       (const char *)sqlite3_column_text(row, 8)) < 0)
		return VAULT_EVERIFY;
	if (load_state(rev, idx, org) < 0)
		return VAULT_ERROR;

	if (vault_index__stmt(&st, idx, SQL_FILES) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	for (n = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; n++) {
		vault_file *f;

		if ((rev->files = realloc(rev->files, (n + 1) * sizeof(vault_file))) == NULL)
			abort();
		f = &rev->files[n];
		memset(f, 0, sizeof(*f));
		f->name = column_dup(st, 0);
		f->size = (uint64_t)sqlite3_column_int64(st, 3);
		f->mime = column_dup(st, 4);
		f->findings = column_dup(st, 5);
		rev->nfiles = n + 1;
		if (vault__fmt(f->sha256, sizeof(f->sha256), "the index's SHA-256", "%s",
			       (const char *)sqlite3_column_text(st, 1)) < 0 ||
		    vault__fmt(f->blob, sizeof(f->blob), "the index's blob id", "%s",
			       (const char *)sqlite3_column_text(st, 2)) < 0) {
			sqlite3_reset(st);
			return VAULT_EVERIFY;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(idx, "cannot read files");

	if (vault_index__stmt(&st, idx, SQL_PARTS) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	for (n = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; n++) {
		if ((rev->parts = realloc(rev->parts, (n + 1) * sizeof(char *))) == NULL)
			abort();
		rev->parts[n] = column_dup(st, 0);
		rev->nparts = n + 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(idx, "cannot read parts");
	return 0;
}

/* Run `st` (bound already) and collect every row as a revision, its state as `org` has it. */
static int collect(vault_revision_list **out, vault_index *idx, sqlite3_stmt *st,
		   const char *org)
{
	vault_revision_list *list = calloc(1, sizeof(*list));
	size_t cap = 0;
	int rc, error = 0;

	if (!list)
		abort();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (list->count == cap) {
			cap = cap ? cap * 2 : 16;
			if ((list->items = realloc(list->items, cap * sizeof(vault_revision))) == NULL)
				abort();
		}
		error = load_revision(&list->items[list->count], idx, st, org);
		list->count++;
		if (error < 0)
			break;
	}
	if (!error && rc != SQLITE_DONE)
		error = db_error(idx, "query failed");
	if (error < 0) {
		vault_revision_list_free(list);
		return error;
	}
	*out = list;
	return 0;
}

/*
 * Keep of each revision's distribution only the viewer's organization: a
 * supplier learns whether a revision went to it, never to whom else.  Nor
 * its number (seq): that counts the document's revisions the supplier may
 * not see (its 2 says a first exists), so a supplier's view has none (0).
 */
static void scope_to(vault_revision_list *list, const char *viewer)
{
	size_t i, k, n;

	if (!viewer)
		return;
	for (i = 0; i < list->count; i++) {
		vault_revision *r = &list->items[i];

		r->seq = 0;

		for (k = n = 0; k < r->nto; k++) {
			if (strcmp(r->to[k], viewer) == 0)
				r->to[n++] = r->to[k];
			else
				free(r->to[k]);
		}
		r->nto = n;
	}
}

int vault_index__get(vault_revision *out, vault_index *idx, const char *doc,
		     const char *rev, const char *viewer)
{
	return vault_index__get_as(out, idx, doc, rev, viewer, viewer);
}

int vault_index__get_as(vault_revision *out, vault_index *idx, const char *doc,
			const char *rev, const char *viewer, const char *org)
{
	vault_revision_list *list = NULL;
	sqlite3_stmt *st;
	int error;

	if (sqlite3_prepare_v2(idx->db, rev ?
		"SELECT " REV_COLUMNS " FROM revisions r WHERE r.doc = ?1 AND r.rev = ?2 AND " VISIBLE("r") :
		"SELECT " REV_COLUMNS " FROM revisions r WHERE r.doc = ?1 AND " VISIBLE("r")
		" ORDER BY r.seq DESC LIMIT 1",
		-1, &st, NULL) != SQLITE_OK)
		return db_error(idx, "prepare");
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	if (rev)
		sqlite3_bind_text(st, 2, rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, viewer, -1, SQLITE_STATIC);
	error = collect(&list, idx, st, org);
	sqlite3_finalize(st);
	if (error < 0)
		return error;
	scope_to(list, viewer);
	if (list->count == 0) {
		vault_revision_list_free(list);
		if (rev && vault_index__get(out, idx, doc, NULL, viewer) == 0) {
			vault_revision_dispose(out);
			return vault_error__set(VAULT_ENOTFOUND,
				"document '%s' has no revision '%s'", doc, rev);
		}
		return vault_error__set(VAULT_ENOTFOUND, "no document '%s'", doc);
	}
	*out = list->items[0];
	list->count = 0;
	vault_revision_list_free(list);
	return 0;
}

int vault_index__revisions(vault_revision_list **out, vault_index *idx,
			   const char *doc, const char *viewer)
{
	sqlite3_stmt *st;
	int error;

	if (sqlite3_prepare_v2(idx->db,
		"SELECT " REV_COLUMNS " FROM revisions r WHERE r.doc = ?1 AND " VISIBLE("r")
		" ORDER BY r.seq", -1, &st, NULL) != SQLITE_OK)
		return db_error(idx, "prepare");
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, viewer, -1, SQLITE_STATIC);
	error = collect(out, idx, st, viewer);
	sqlite3_finalize(st);
	if (error == 0)
		scope_to(*out, viewer);
	if (error == 0 && (*out)->count == 0) {
		vault_revision_list_free(*out);
		*out = NULL;
		return vault_error__set(VAULT_ENOTFOUND, "no document '%s'", doc);
	}
	return error;
}

/*
 * The latest revision ?9 sees of each document, of type ?1 and naming
 * part ?2 (each NULL: any), as r.
 */
#define LATEST_WHERE \
	" WHERE r.seq = (SELECT max(v.seq) FROM revisions v WHERE v.doc = r.doc AND " VISIBLE("v") ")" \
	" AND (?1 IS NULL OR r.type = ?1)" \
	" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM parts p WHERE p.revision = r.id AND p.part = ?2))"

static void bind_filter(sqlite3_stmt *st, const vault_list_filter *filter, const char *viewer)
{
	sqlite3_bind_text(st, 1, filter ? filter->type : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, filter ? filter->part : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, viewer, -1, SQLITE_STATIC);
}

/* n as SQLite takes it: 0, or past its integers, as -1 (in a LIMIT: none) */
static sqlite3_int64 sql_count(size_t n)
{
	return n && n <= INT64_MAX ? (sqlite3_int64)n : -1;
}

int vault_index__list(vault_revision_list **out, vault_index *idx,
		      const vault_list_filter *filter, const char *viewer)
{
	sqlite3_stmt *st;
	int error;

	if (sqlite3_prepare_v2(idx->db,
		"SELECT " REV_COLUMNS " FROM revisions r" LATEST_WHERE
		" AND r.doc > ?3"
		" ORDER BY r.doc LIMIT ?4 OFFSET ?5",
		-1, &st, NULL) != SQLITE_OK)
		return db_error(idx, "prepare");
	bind_filter(st, filter, viewer);
	/* from the first: after "", which no number is (not "?3 IS NULL OR", which
	 * would keep SQLite from seeking the index to the cursor: every page
	 * would walk the documents before it) */
	sqlite3_bind_text(st, 3, filter && filter->after ? filter->after : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, sql_count(filter ? filter->limit : 0));
	/* past SQLite's integers: past every row */
	sqlite3_bind_int64(st, 5, !filter ? 0 : filter->skip <= INT64_MAX ?
			   (sqlite3_int64)filter->skip : INT64_MAX);
	error = collect(out, idx, st, viewer);
	sqlite3_finalize(st);
	if (error == 0)
		scope_to(*out, viewer);
	return error;
}

int vault_index__count(size_t *count, vault_index *idx, const vault_list_filter *filter,
		       const char *viewer)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(idx->db, "SELECT count(*) FROM revisions r" LATEST_WHERE,
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(idx, "prepare");
	bind_filter(st, filter, viewer);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_error(idx, "cannot count documents");
}

int vault_index__log(vault_event_list **out, vault_index *idx, const char *touching,
		     const char *const params[3], int64_t after, int64_t max)
{
	vault_event_list *list = calloc(1, sizeof(*list));
	sqlite3_stmt *st, *subj;
	size_t cap = 0;
	char *sql;
	int i, rc, error = 0;

	if (!list)
		abort();
	sql = touching ? sqlite3_mprintf(
		"SELECT e.seq, e.commit_id, e.time, e.author, e.op, e.summary FROM events e"
		" WHERE e.seq IN (SELECT event FROM event_subjects WHERE doc = ?1"
		" UNION SELECT t.seq FROM events t WHERE t.commit_id IN (%s))"
		" AND e.seq > ?4 ORDER BY e.seq LIMIT ?5", touching) : sqlite3_mprintf("%s",
		"SELECT e.seq, e.commit_id, e.time, e.author, e.op, e.summary FROM events e"
		" WHERE e.seq > ?4 ORDER BY e.seq LIMIT ?5");
	if (!sql)
		abort();
	rc = sqlite3_prepare_v2(idx->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		free(list);
		return db_error(idx, "prepare");
	}
	if (sqlite3_prepare_v2(idx->db,
		"SELECT doc || '@' || rev FROM event_subjects WHERE event = ?1"
		" UNION SELECT doc || '@' || rev FROM obsoletes WHERE ?3 = 'obsolete' AND commit_id = ?2"
		" ORDER BY 1",
		-1, &subj, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		free(list);
		return db_error(idx, "prepare");
	}
	for (i = 0; touching && i < 3; i++)
		sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, after);
	sqlite3_bind_int64(st, 5, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		vault_event *e;
		size_t n = 0;

		if (list->count == cap) {
			cap = cap ? cap * 2 : 16;
			if ((list->items = realloc(list->items, cap * sizeof(vault_event))) == NULL)
				abort();
		}
		e = &list->items[list->count++];
		memset(e, 0, sizeof(*e));
		if ((error = vault__fmt(e->commit, sizeof(e->commit), "the index's commit id", "%s",
					(const char *)sqlite3_column_text(st, 1))) < 0)
			break;
		e->seq = sqlite3_column_int64(st, 0);
		e->time = sqlite3_column_int64(st, 2);
		e->author = column_dup(st, 3);
		e->op = column_dup(st, 4);
		e->summary = column_dup(st, 5);
		sqlite3_bind_int64(subj, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_text(subj, 2, e->commit, -1, SQLITE_STATIC);
		sqlite3_bind_text(subj, 3, e->op, -1, SQLITE_STATIC);
		while (sqlite3_step(subj) == SQLITE_ROW) {
			if ((e->subjects = realloc(e->subjects, (n + 1) * sizeof(char *))) == NULL)
				abort();
			e->subjects[n++] = column_dup(subj, 0);
		}
		e->nsubjects = n;
		sqlite3_reset(subj);
	}
	if (error == 0 && rc != SQLITE_DONE)
		error = db_error(idx, "cannot read the log");
	sqlite3_finalize(st);
	sqlite3_finalize(subj);
	if (error < 0) {
		vault_event_list_free(list);
		return error;
	}
	*out = list;
	return 0;
}

int vault_index__event_seq(int64_t *seq, vault_index *idx, const char *commit)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(idx->db, "SELECT seq FROM events WHERE commit_id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(idx, "prepare");
	sqlite3_bind_text(st, 1, commit, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return vault_error__set(VAULT_ENOTFOUND, "no event '%s'", commit);
	return db_error(idx, "cannot read the log");
}

void vault_event_list_free(vault_event_list *list)
{
	size_t i, j;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		vault_event *e = &list->items[i];

		free(e->author);
		free(e->op);
		free(e->summary);
		for (j = 0; j < e->nsubjects; j++)
			free(e->subjects[j]);
		free(e->subjects);
	}
	free(list->items);
	free(list);
}
