/*
 * exists.c - the names a read may filter by: organizations, documents,
 * part numbers.  See exists.h.
 */
#include <string.h>

#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "exists.h"

/* 1 when `sql` (text parameters ?1..?3) returns a row, 0 when not, or an error. */
static int any_row(vault *v, const char *sql, const char *p1, const char *p2, const char *p3)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p3, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
}

int vault__org_exists(vault *v, const char *org)
{
	vault_user_list *users = NULL;
	size_t i;
	int found;

	if ((found = vault_plain_name_check("organization", org)) < 0)
		return found;
	found = any_row(v, "SELECT 1 WHERE EXISTS (SELECT 1 FROM revisions WHERE org = ?1)"
		" OR EXISTS (SELECT 1 FROM distribution WHERE org = ?1)"
		" OR EXISTS (SELECT 1 FROM acks WHERE org = ?1)"
		" OR EXISTS (SELECT 1 FROM pos WHERE supplier = ?1)"
		" OR EXISTS (SELECT 1 FROM lots WHERE supplier = ?1)", org, NULL, NULL);
	if (found != 0)
		return found < 0 ? found : 0;
	if ((found = vault_users(&users, v)) < 0)
		return found;
	for (i = 0; users && i < users->count && !found; i++)
		found = users->items[i].org && strcmp(users->items[i].org, org) == 0;
	vault_user_list_free(users);
	return found ? 0 : vault_error__set(VAULT_ENOTFOUND, "no organization '%s'", org);
}

int vault__doc_exists(vault *v, const char *doc, const char *rev, const char *viewer)
{
	static const char sql[] =
		"SELECT 1 FROM revisions r WHERE r.doc = ?1 AND (?2 IS NULL OR r.rev = ?2)"
		" AND (?3 IS NULL OR r.org = ?3 OR EXISTS (SELECT 1 FROM distribution d"
		"  WHERE d.doc = r.doc AND d.rev = r.rev AND d.org = ?3))"
		" AND " VAULT_INDEX_CLEARED("r.doc", "r.rev", "?3");
	int found;

	if ((found = vault_name_check("document number", doc)) < 0 ||
	    (rev && (found = vault_name_check("revision", rev)) < 0))
		return found;
	if ((found = any_row(v, sql, doc, NULL, viewer)) < 0)
		return found;
	if (!found)
		return vault_error__set(VAULT_ENOTFOUND, "no document '%s'", doc);
	if (rev && (found = any_row(v, sql, doc, rev, viewer)) <= 0)
		return found < 0 ? found : vault_error__set(VAULT_ENOTFOUND,
			"document '%s' has no revision '%s'", doc, rev);
	return 0;
}

int vault__part_exists(vault *v, const char *part, const char *viewer)
{
	int found;

	if ((found = vault_name_check("part number", part)) < 0)
		return found;
	/* for a supplier (?2), only what it may see names a part: a revision
	 * of its own or released to it (its parts, its links to the part, the
	 * part its FAI package inspected), its organization's PO lines and
	 * lots; anything else answers as an unknown part does */
	found = any_row(v, "SELECT 1 WHERE EXISTS (SELECT 1 FROM parts p JOIN revisions r"
		"  ON r.id = p.revision WHERE p.part = ?1 AND " VAULT_INDEX_VISIBLE("r", "?2") ")"
		" OR EXISTS (SELECT 1 FROM po_lines pl JOIN pos o ON o.po = pl.po"
		"  WHERE pl.part = ?1 AND (?2 IS NULL OR o.supplier = ?2))"
		" OR EXISTS (SELECT 1 FROM lots WHERE part = ?1 AND (?2 IS NULL OR supplier = ?2))"
		" OR EXISTS (SELECT 1 FROM links k JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev"
		"  WHERE k.kind = 'part' AND k.target = ?1 AND " VAULT_INDEX_VISIBLE("r", "?2") ")"
		" OR EXISTS (SELECT 1 FROM fais x JOIN revisions r ON r.doc = x.doc AND r.rev = x.rev"
		"  WHERE x.part = ?1 AND " VAULT_INDEX_VISIBLE("r", "?2") ")",
		part, viewer, NULL);

	if (found < 0)
		return found;
	return found ? 0 : vault_error__set(VAULT_ENOTFOUND, "no part '%s'", part);
}
