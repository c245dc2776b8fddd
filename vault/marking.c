/*
 * marking.c - who a marked revision may reach (the rule: marking.h).
 */
#include "marking.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "index.h"
#include "record.h"
#include "util.h"

static const char *const USER_ATTESTATIONS[] = { "us-person", "cui-trained", NULL };
static const char *const ORG_ATTESTATIONS[] = { "us-org", "cui-safeguarding", "licence", NULL };

static int skip_prefix(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return 0;
	*rest = s + n;
	return 1;
}

static int one_of(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* An ECCN: a digit, a category letter A-E, three digits, then an optional .paragraph. */
static int eccn_ok(const char *e)
{
	size_t i, n = strlen(e);

	if (n < 5 || n > 24 || e[0] < '0' || e[0] > '9' || e[1] < 'A' || e[1] > 'E')
		return 0;
	for (i = 2; i < 5; i++)
		if (e[i] < '0' || e[i] > '9')
			return 0;
	if (n == 5)
		return 1;
	if (e[5] != '.' || n == 6 || e[n - 1] == '.')
		return 0;
	return strspn(e + 6, "abcdefghijklmnopqrstuvwxyz0123456789.") == n - 6;
}

int vault_marking__check(const char *m)
{
	const char *eccn;

	if (!m || !*m)
		return vault_error__set(VAULT_EINVALID, "a marking is ITAR, EAR:<ECCN>, EAR99 or CUI");
	if (strcmp(m, "ITAR") == 0 || strcmp(m, "EAR99") == 0 || strcmp(m, "CUI") == 0)
		return 0;
	if (skip_prefix(m, "EAR:", &eccn)) {
		if (eccn_ok(eccn))
			return 0;
		return vault_error__set(VAULT_EINVALID,
			"'%s' is no ECCN (a digit, a letter A-E, three digits, as 9E003 or 5A002.a)",
			eccn);
	}
	return vault_error__set(VAULT_EINVALID,
		"unknown marking '%s' (ITAR, EAR:<ECCN>, EAR99 or CUI)", m);
}

int vault_marking__attestation_check(const char *subject, const char *what,
				     const char *licence, const char *covers)
{
	int error, org = strcmp(subject, "org") == 0;

	if (!what || !one_of(what, org ? ORG_ATTESTATIONS : USER_ATTESTATIONS))
		return vault_error__set(VAULT_EINVALID, org ?
			"unknown attestation '%s' of an organization (us-org, cui-safeguarding, licence)" :
			"unknown attestation '%s' of a user (us-person, cui-trained)",
			what ? what : "");
	if (strcmp(what, "licence") != 0) {
		if (licence || covers)
			return vault_error__set(VAULT_EINVALID,
				"only a licence names a licence number and what it covers");
		return 0;
	}
	if (!licence || !covers)
		return vault_error__set(VAULT_EINVALID,
			"a licence names its number (--licence) and the marking it covers (--covers)");
	if ((error = vault_record__text_check("licence", licence, 128)) < 0 ||
	    (error = vault_marking__check(covers)) < 0)
		return error;
	if (strcmp(covers, "EAR99") == 0)
		return vault_error__set(VAULT_EINVALID, "EAR99 needs no licence");
	if (strcmp(covers, "CUI") == 0)
		return vault_error__set(VAULT_EINVALID,
			"CUI is not licensed: an organization attests cui-safeguarding");
	return 0;
}

int vault_marking__attestation_read(vault_marking_attestation *a, const char *data,
				    size_t len)
{
	memset(a, 0, sizeof(*a));
	a->rec = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	a->attestation = json_string_value(json_object_get(a->rec, "attestation"));
	a->covers = json_string_value(json_object_get(a->rec, "covers"));
	a->expires = json_string_value(json_object_get(a->rec, "expires"));
	a->attested_at = json_string_value(json_object_get(a->rec, "attested_at"));
	if (!a->attestation || !a->expires || !a->attested_at ||
	    vault_record__date_check("expiry date", a->expires) < 0) {
		vault_marking__attestation_dispose(a);
		return -1;
	}
	return 0;
}

void vault_marking__attestation_dispose(vault_marking_attestation *a)
{
	json_decref(a->rec);
	memset(a, 0, sizeof(*a));
}

/*
 * Where the attestations are read: the records of a tree (a write, the
 * commit verify checks), or the index's table of them (a read the index
 * answers alone), which holds the branch's.
 */
typedef struct {
	vault_store *store;
	const git_tree *tree; /* NULL: the index */
	vault_index *index;
} source;

/* Whether the record `data` is attestation `what` (of `covers`) on `day`. */
static int record_holds(const char *data, size_t len, const char *what, const char *covers,
			const char *day)
{
	vault_marking_attestation a;
	int ok;

	if (vault_marking__attestation_read(&a, data, len) < 0)
		return 0;
	ok = strcmp(a.attestation, what) == 0 &&
	     (!covers || (a.covers && strcmp(a.covers, covers) == 0)) &&
	     strcmp(a.expires, day) >= 0;
	vault_marking__attestation_dispose(&a);
	return ok;
}

/* holds() from the records under `dir` of the source's tree. */
static int tree_holds(int *ok, const source *src, const char *dir, const char *what,
		      const char *covers, const char *day)
{
	git_tree_entry *te = NULL;
	git_tree *sub = NULL;
	size_t i, count;
	int error = 0;

	if (git_tree_entry_bypath(&te, src->tree, dir) < 0)
		return 0;
	if (git_tree_entry_type(te) != GIT_OBJECT_TREE ||
	    git_tree_lookup(&sub, git_tree_owner(src->tree), git_tree_entry_id(te)) < 0) {
		git_tree_entry_free(te);
		return 0;
	}
	git_tree_entry_free(te);
	count = git_tree_entrycount(sub);
	for (i = 0; i < count && !*ok; i++) {
		char path[VAULT_PATH_MAX * 2], *data = NULL;
		size_t len;

		if ((error = vault__fmt(path, sizeof(path), "path", "%s/%s", dir,
					git_tree_entry_name(git_tree_entry_byindex(sub, i)))) < 0)
			break;
		if (vault_store__read_path(&data, &len, src->store, src->tree, path) < 0)
			continue;
		*ok = record_holds(data, len, what, covers, day);
		free(data);
	}
	git_tree_free(sub);
	return error;
}

static const char SQL_HOLDS[] =
	"SELECT 1 FROM attestations WHERE subject = ?1 AND name = ?2 AND attestation = ?3"
	" AND (?4 IS NULL OR covers = ?4) AND expires >= ?5 LIMIT 1";

/*
 * Whether `subject` ("user" or "org") `name` holds attestation `what`
 * (with `covers`, when not NULL) on `day`: any record of it whose expiry
 * is that day or later.  A record that does not parse counts for
 * nothing (verify finds it).
 */
static int holds(int *ok, const source *src, const char *subject, const char *name,
		 const char *what, const char *covers, const char *day)
{
	char dir[VAULT_PATH_MAX];
	sqlite3_stmt *st;
	int error, rc;

	*ok = 0;
	if (src->tree) {
		/* attestations/users/NAME, attestations/orgs/ORG */
		if ((error = vault__fmt(dir, sizeof(dir), "path", VAULT_ATTEST_DIR "/%ss/%s",
					subject, name)) < 0)
			return error;
		return tree_holds(ok, src, dir, what, covers, day);
	}
	if ((error = vault_index__stmt(&st, src->index, SQL_HOLDS)) < 0)
		return error;
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, what, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, covers, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, day, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*ok = 1;
	else if (rc != SQLITE_DONE)
		error = vault_error__set(VAULT_ERROR, "index: cannot read the attestations: %s",
					 sqlite3_errmsg(vault_index__db(src->index)));
	sqlite3_reset(st);
	return error;
}

static int org_cleared(int *ok, const source *src, const char *org, const char *m,
		       const char *day)
{
	int error;

	*ok = 0;
	if ((error = vault_marking__check(m)) < 0)
		return error;
	if (strcmp(m, "EAR99") == 0) {
		*ok = 1;
		return 0;
	}
	if (strcmp(m, "CUI") == 0)
		return holds(ok, src, "org", org, "cui-safeguarding", NULL, day);
	/* ITAR, EAR:X: a U.S. organization, or one licensed for it */
	if ((error = holds(ok, src, "org", org, "us-org", NULL, day)) < 0 || *ok)
		return error;
	return holds(ok, src, "org", org, "licence", m, day);
}

static int user_covered(int *ok, const source *src, const vault_user *u, const char *m,
			const char *day)
{
	int error;

	if ((error = org_cleared(ok, src, u->org, m, day)) < 0 || !*ok)
		return error;
	if (strcmp(m, "EAR99") == 0)
		return 0;
	if (strcmp(m, "CUI") == 0)
		return holds(ok, src, "user", u->name, "cui-trained", NULL, day);
	if ((error = holds(ok, src, "user", u->name, "us-person", NULL, day)) < 0 || *ok ||
	    strcmp(m, "ITAR") == 0)
		return error;
	/* EAR:X: a foreign person of an organization licensed for X */
	return holds(ok, src, "org", u->org, "licence", m, day);
}

int vault_marking__org_cleared(int *ok, vault_store *s, const git_tree *tree, const char *org,
			       const char *m, const char *day)
{
	source src = { s, tree, NULL };

	return org_cleared(ok, &src, org, m, day);
}

int vault_marking__covers(int *ok, vault_store *s, const git_tree *tree, const vault_user *u,
			  const char *m, const char *day)
{
	source src = { s, tree, NULL };

	return user_covered(ok, &src, u, m, day);
}

void vault_marking__today(char *day, size_t size, int64_t now)
{
	char when[VAULT_TIME_SIZE];

	vault_time_format(when, sizeof(when), now);
	when[10] = '\0';
	if (size > 0) {
		size_t n = strlen(when) < size - 1 ? strlen(when) : size - 1;

		memcpy(day, when, n);
		day[n] = '\0';
	}
}

static const char SQL_CLEAR[] = "DELETE FROM temp.cleared";
static const char SQL_MARKINGS[] =
	"SELECT DISTINCT l.marking FROM releases l JOIN distribution d"
	" ON d.doc = l.doc AND d.rev = l.rev WHERE d.org = ?1 AND l.marking IS NOT NULL";
static const char SQL_CLEARED[] = "INSERT OR IGNORE INTO temp.cleared (marking) VALUES (?1)";

int vault_marking__refresh(vault *v, const vault_user *u, const char *scope,
			   const git_tree *tree)
{
	source src = { v->store, tree, v->index };
	sqlite3_stmt *st, *ins;
	char **marks = NULL, day[16];
	size_t n = 0, i;
	int error, rc;

	if (!v->index)
		return 0;
	if ((error = vault_index__stmt(&st, v->index, SQL_CLEAR)) < 0 ||
	    (error = vault_index__step(v->index, st, "cannot reset the viewer's markings")) < 0)
		return error;
	if (!scope) {
		/* unfiltered: every marking (a read may still name an organization) */
		if ((error = vault_index__stmt(&ins, v->index, SQL_CLEARED)) < 0)
			return error;
		sqlite3_bind_text(ins, 1, "*", -1, SQLITE_STATIC);
		return vault_index__step(v->index, ins, "cannot record the viewer's markings");
	}
	if ((error = vault_index__stmt(&st, v->index, SQL_MARKINGS)) < 0)
		return error;
	sqlite3_bind_text(st, 1, u->org, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((marks = realloc(marks, (n + 1) * sizeof(*marks))) == NULL)
			abort();
		marks[n++] = vault__strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		error = vault_error__set(VAULT_ERROR, "cannot read the markings released to '%s': %s",
					 u->org, sqlite3_errmsg(vault_index__db(v->index)));
	vault_marking__today(day, sizeof(day), (int64_t)time(NULL));
	for (i = 0; i < n && !error; i++) {
		int ok = 0;

		if (vault_marking__check(marks[i]) < 0 ||
		    (error = user_covered(&ok, &src, u, marks[i], day)) < 0 || !ok)
			continue;
		if ((error = vault_index__stmt(&ins, v->index, SQL_CLEARED)) < 0)
			break;
		sqlite3_bind_text(ins, 1, marks[i], -1, SQLITE_STATIC);
		error = vault_index__step(v->index, ins, "cannot record the viewer's markings");
	}
	for (i = 0; i < n; i++)
		free(marks[i]);
	free(marks);
	return error;
}
