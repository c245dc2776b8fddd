/*
 * inbox.c - the acting user's open actions, oldest first, each with its
 * age, read from the index: what its roles must do next.
 *
 * A supplier's: revisions to acknowledge, POs, change orders and releases to answer, promised dates
 * passed without the quantity shipped, NCRs on its lots still open, lots
 * without a certificate of conformity.  The buying side's (buyer): POs
 * not answered after `days` days, revisions not acknowledged after as
 * many, promised dates passed, receipts short or over what was shipped
 * (until an NCR is opened on one of its lots), FAI reports waiting for a
 * disposition, releases not answered after as many; quality's: open NCRs, the same receipts and FAI reports.
 * A supplier's also: its FAI reports rejected, to resubmit, and forecasts
 * to answer (a new one, or one changing what it committed to), and its
 * certificates and approvals expiring within the window (git config
 * qvault.expiryDays) or expired; the buying side's (buyer, quality) every
 * organization's such, and the controlled documents due for review
 * within the window or overdue; each user's own attestations (export
 * control) expiring or expired, and an admin's every one's.  Each action leaves the inbox when the record that
 * answers it is written: nothing is marked done by hand.
 *
 * One SQL statement, the UNION of the parts the user's roles call for,
 * each part driven by an index of its own (a supplier's by its
 * organization).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "attest.h"
#include "common.h"
#include "error.h"
#include "portal.h"
#include "user.h"
#include "util.h"

/*
 * Each part selects: action, subject, org, po (may be NULL), since (Unix
 * time the action became due), detail (may be NULL).  ?1 is the
 * supplier's organization (NULL on the buying side), ?2 now, ?3 now less
 * `days` days, ?4 the expiry window in days (git config qvault.expiryDays),
 * ?5 the user's name.
 */

/* the latest answer to line `l` of its PO that carries a promise (LATEST_ACK of orders.c) */
#define LINE_PROMISE \
	"(SELECT a.promise FROM po_acks a WHERE a.po = l.po AND (a.line = l.line OR a.line IS NULL)" \
	" ORDER BY a.seq DESC, a.signed_at DESC, a.signed_by DESC LIMIT 1)"

/*
 * Which organizations' records a part reads: a supplier's parts read its
 * own (?1), found through the index by organization; the owner side's
 * read every one, and none when the reader is scoped (?1 not NULL).  A
 * user is never both (vault_user__side_check), and one condition for
 * both, "?1 IS NULL OR org = ?1", would make SQLite scan every row.
 */
#define ITS_OWN(org) " " org " = ?1"
#define EVERY_ONE(org) " ?1 IS NULL"

/* lines of the POs `scope` reads whose promised date passed before all was shipped */
#define PROMISE_PASSED(action, scope) \
	"SELECT '" action "', po || ' line ' || line, supplier, po," \
	" CAST(strftime('%s', promise) AS INTEGER)," \
	" 'promised ' || promise || '; ' || shipped || ' of ' || qty || ' shipped'" \
	" FROM (SELECT l.po, l.line, l.qty, p.supplier, " LINE_PROMISE " AS promise," \
	"  (SELECT coalesce(sum(i.qty), 0) FROM asn_items i WHERE i.po = l.po AND i.line = l.line" \
	"   AND i.in_force)" \
	"  AS shipped FROM pos p JOIN po_lines l ON l.po = p.po" \
	"  WHERE" scope("p.supplier") " AND l.state = 'open')" \
	" WHERE promise < date(?2, 'unixepoch') AND shipped < qty"

/*
 * POs `scope` reads whose latest revision (the PO as issued, or
 * its latest change order) nobody of the supplier answered, made before
 * `before`, with a line still open (not cancelled or closed short)
 */
#define PO_UNANSWERED(action, scope, before) \
	"SELECT '" action "', x.po, x.supplier, x.po, x.since," \
	" CASE WHEN x.revision > 0 THEN 'change order ' || x.revision || ': ' || x.reason END" \
	" FROM (SELECT p.po AS po, p.supplier AS supplier, coalesce(c.seq, 0) AS revision," \
	"  c.reason AS reason, coalesce(c.changed_at, p.created_at) AS since FROM pos p" \
	"  LEFT JOIN po_changes c ON c.po = p.po AND c.seq = (SELECT max(m.seq) FROM po_changes m" \
	"  WHERE m.po = p.po) WHERE" scope("p.supplier") ") AS x" \
	" WHERE x.since <= " before \
	" AND NOT EXISTS (SELECT 1 FROM po_acks a WHERE a.po = x.po AND a.revision = x.revision)" \
	" AND EXISTS (SELECT 1 FROM po_lines l WHERE l.po = x.po AND l.state = 'open')"

/* releases against blanket lines of the POs `scope` reads nobody of the supplier answered, made
 * before `before`, their line still open (a cancelled PO's releases can no longer be answered) */
#define RELEASE_UNANSWERED(action, scope, before) \
	"SELECT '" action "', r.po || ' release ' || r.release, p.supplier, r.po, r.released_at," \
	" r.qty || ' of ' || r.part || ' due ' || r.due" \
	" FROM pos p JOIN po_releases r ON r.po = p.po WHERE" scope("p.supplier") \
	" AND r.released_at <= " before \
	" AND NOT EXISTS (SELECT 1 FROM release_acks a WHERE a.po = r.po AND a.release = r.release)" \
	" AND EXISTS (SELECT 1 FROM po_lines l WHERE l.po = r.po AND l.line = r.line" \
	"  AND l.state = 'open')"

/* revisions distributed to ?1 (all, when NULL) and not acknowledged, released before `before` */
#define REVISION_UNACKNOWLEDGED(action, before) \
	"SELECT '" action "', d.doc || '@' || d.rev, d.org, NULL, l.released_at, NULL" \
	VAULT_INDEX_PENDING("?1") " AND l.released_at <= " before

/* the same schedule (part, supplier, ship-to, kind) as f's, in table `t` */
#define SAME_SCHEDULE(t) \
	" " t ".part = f.part AND " t ".supplier = f.supplier AND " t ".ship_to = f.ship_to" \
	" AND " t ".schedule = f.schedule"

/*
 * the latest revision of each of ?1's schedules, not answered: never
 * answered with a commitment, or changing a bucket of the latest one (a
 * bucket committed to that it drops or whose quantity it changes)
 */
#define FORECAST_UNANSWERED(action) \
	"SELECT '" action "', f.part || '@' || f.ship_to, f.supplier, NULL, f.imported_at," \
	" CASE WHEN f.schedule = 'delivery' THEN 'delivery schedule' ELSE 'forecast' END ||" \
	" ' revision ' || f.revision || CASE WHEN c.seq IS NULL THEN '' ELSE" \
	" ': changes buckets committed to in revision ' || c.revision END" \
	" FROM forecasts f LEFT JOIN forecast_acks c ON" SAME_SCHEDULE("c") " AND c.seq =" \
	"  (SELECT max(m.seq) FROM forecast_acks m WHERE" SAME_SCHEDULE("m") \
	"   AND m.decision = 'commit')" \
	" WHERE f.supplier = ?1" \
	" AND f.revision = (SELECT max(r.revision) FROM forecasts r WHERE" SAME_SCHEDULE("r") ")" \
	" AND NOT EXISTS (SELECT 1 FROM forecast_acks a WHERE" SAME_SCHEDULE("a") \
	"  AND a.revision = f.revision)" \
	" AND (c.seq IS NULL OR EXISTS (SELECT 1 FROM forecast_ack_buckets b WHERE" \
	"  b.part = f.part AND b.supplier = f.supplier AND b.ship_to = f.ship_to" \
	"  AND b.schedule = f.schedule AND b.seq = c.seq AND NOT EXISTS (SELECT 1" \
	"  FROM forecast_buckets x WHERE" SAME_SCHEDULE("x") " AND x.revision = f.revision" \
	"  AND x.start = b.start AND x.qty = b.qty)))"

/* NCRs on the lots `scope` reads not closed */
#define NCR_OPEN(action, scope) \
	"SELECT '" action "', n.ncr, n.supplier, n.po, n.opened_at, n.lot || ': ' || n.reason" \
	" FROM ncrs n WHERE" scope("n.supplier") \
	" AND NOT EXISTS (SELECT 1 FROM ncr_closes c WHERE c.ncr = n.ncr)"

/*
 * the current certificates and approvals (VAULT_INDEX_CURRENT) of the
 * organizations `scope` reads expiring within ?4 days or expired, due
 * from the window's start (or their adding, when later)
 */
#define EXPIRING(action, scope) \
	"SELECT '" action "', r.doc || '@' || r.rev, coalesce(r.org, ''), NULL," \
	" max(r.added_at, CAST(strftime('%s', r.expires, '-' || ?4 || ' days') AS INTEGER))," \
	" r.type || CASE WHEN r.expires < date(?2, 'unixepoch') THEN ' expired ' ELSE ' expires ' END" \
	" || r.expires FROM revisions r WHERE r.expires IS NOT NULL" \
	" AND r.expires <= date(?2, 'unixepoch', '+' || ?4 || ' days') AND" scope("r.org") \
	" AND " VAULT_INDEX_CURRENT("r")

/* the current controlled revisions due for review within ?4 days, or overdue (the buying side's) */
#define REVIEW_DUE(action) \
	"SELECT '" action "', x.doc || '@' || x.rev, x.org, NULL," \
	" max(x.added_at, CAST(strftime('%s', x.due, '-' || ?4 || ' days') AS INTEGER))," \
	" CASE WHEN x.due < date(?2, 'unixepoch') THEN 'review was due ' ELSE 'review due ' END" \
	" || x.due FROM (SELECT r.doc, r.rev, coalesce(r.org, '') AS org, r.added_at," \
	" " VAULT_INDEX_REVIEW_DUE("r") " AS due FROM (SELECT doc, rev FROM revisions" \
	"  WHERE review_by IS NOT NULL UNION SELECT doc, rev FROM reviews) s" \
	" JOIN revisions r ON r.doc = s.doc AND r.rev = s.rev WHERE ?1 IS NULL AND " \
	VAULT_INDEX_CURRENT("r") ") x WHERE x.due <= date(?2, 'unixepoch', '+' || ?4 || ' days')"

/*
 * the attestations (VAULT_ATTEST_ROWS) whose
 * latest expiry falls within ?4 days or has passed, `which` of them: due
 * from the window's start (or their recording, when later); the subject
 * "user NAME: WHAT" or "org NAME: WHAT"
 */
#define ATTESTATION_DUE(action, which) \
	"SELECT '" action "', x.subject || ' ' || x.name || ': ' || x.what, x.org, NULL," \
	" max(CAST(strftime('%s', x.attested_at) AS INTEGER)," \
	"  CAST(strftime('%s', x.expires, '-' || ?4 || ' days') AS INTEGER))," \
	" CASE WHEN x.expires < date(?2, 'unixepoch') THEN 'expired ' ELSE 'expires ' END" \
	" || x.expires FROM (SELECT subject, name, what, org, max(expires) AS expires," \
	" max(attested_at) AS attested_at FROM " VAULT_ATTEST_ROWS " GROUP BY subject, name, what) x" \
	" WHERE x.expires <= date(?2, 'unixepoch', '+' || ?4 || ' days') AND " which

static const struct part {
	const char *action;
	const char *what;
	unsigned roles;     /* whose inbox it is in: VAULT_ROLE_* */
	const char *sql;
} parts[] = {
	{ "acknowledge-revision", "acknowledge the revision released to you",
	  VAULT_ROLE_SUPPLIER, REVISION_UNACKNOWLEDGED("acknowledge-revision", "?2") },
	{ "answer-po", "accept or reject the PO (or its change), with a promised date",
	  VAULT_ROLE_SUPPLIER, PO_UNANSWERED("answer-po", ITS_OWN, "?2") },
	{ "answer-release", "accept or reject the release against a blanket order, with a promised date",
	  VAULT_ROLE_SUPPLIER, RELEASE_UNANSWERED("answer-release", ITS_OWN, "?2") },
	{ "ship-overdue", "the promised date passed before all was shipped",
	  VAULT_ROLE_SUPPLIER, PROMISE_PASSED("ship-overdue", ITS_OWN) },
	{ "answer-ncr", "a nonconformance on your lot is open",
	  VAULT_ROLE_SUPPLIER, NCR_OPEN("answer-ncr", ITS_OWN) },
	{ "provide-coc", "the lot has no certificate of conformity",
	  VAULT_ROLE_SUPPLIER,
	  "SELECT 'provide-coc', l.lot, l.supplier, l.po, l.created_at, l.part FROM lots l"
	  " WHERE l.supplier = ?1 AND NOT " VAULT_INDEX_LOT_HAS_COC("l.lot") },
	{ "resubmit-fai", "the FAI report was rejected: submit its next revision",
	  VAULT_ROLE_SUPPLIER,
	  "SELECT 'resubmit-fai', r.doc || '@' || r.rev, r.org, NULL, d.decided_at, d.reason"
	  " FROM fai_dispositions d JOIN revisions r ON r.doc = d.doc AND r.rev = d.rev"
	  " WHERE d.decision = 'rejected' AND r.org = ?1"
	  " AND r.seq = (SELECT max(r2.seq) FROM revisions r2 WHERE r2.doc = r.doc)" },
	{ "answer-forecast", "commit to the forecast's firm zone or propose other quantities",
	  VAULT_ROLE_SUPPLIER, FORECAST_UNANSWERED("answer-forecast") },
	{ "renew-certificate", "your certificate or approval expires: add its renewal as the next revision",
	  VAULT_ROLE_SUPPLIER, EXPIRING("renew-certificate", ITS_OWN) },
	{ "chase-certificate", "a certificate or approval expires: get its renewal",
	  VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY, EXPIRING("chase-certificate", EVERY_ONE) },
	{ "attestation-expires", "your attestation (export control) expires: ask an admin to record its renewal",
	  VAULT_ROLE_SUPPLIER | VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY | VAULT_ROLE_AUDITOR |
	  VAULT_ROLE_ADMIN, ATTESTATION_DUE("attestation-expires", "x.subject = 'user' AND x.name = ?5") },
	{ "renew-attestation", "an attestation (export control) expires: record its renewal (qvault user attest, org attest)",
	  VAULT_ROLE_ADMIN, ATTESTATION_DUE("renew-attestation", "?1 IS NULL") },
	{ "review-document", "the document is due for review: review it (qvault review) or release its next revision",
	  VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY, REVIEW_DUE("review-document") },
	{ "chase-po", "the supplier has not answered the PO (or its change)",
	  VAULT_ROLE_BUYER, PO_UNANSWERED("chase-po", EVERY_ONE, "?3") },
	{ "chase-release", "the supplier has not answered the release against a blanket order",
	  VAULT_ROLE_BUYER, RELEASE_UNANSWERED("chase-release", EVERY_ONE, "?3") },
	{ "chase-revision", "the supplier has not acknowledged the revision",
	  VAULT_ROLE_BUYER, REVISION_UNACKNOWLEDGED("chase-revision", "?3") },
	{ "late-shipment", "the supplier's promised date passed before all was shipped",
	  VAULT_ROLE_BUYER, PROMISE_PASSED("late-shipment", EVERY_ONE) },
	{ "receipt-discrepancy", "received not what the ship notice said; no NCR on it yet",
	  VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
	  "SELECT 'receipt-discrepancy', r.asn, a.supplier, a.po, r.received_at,"
	  " (SELECT sum(i.received) || ' received of ' || sum(i.shipped) || ' shipped'"
	  "  FROM receipt_items i WHERE i.asn = r.asn)"
	  " FROM receipts r JOIN asns a ON a.asn = r.asn WHERE ?1 IS NULL"
	  " AND EXISTS (SELECT 1 FROM receipt_items i WHERE i.asn = r.asn AND i.received <> i.shipped)"
	  " AND NOT EXISTS (SELECT 1 FROM receipt_items i JOIN ncrs n ON n.lot = i.lot"
	  "  WHERE i.asn = r.asn)" },
	{ "disposition-fai", "accept or reject the FAI report",
	  VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
	  "SELECT 'disposition-fai', f.doc || '@' || f.rev, coalesce(r.org, ''), NULL, r.added_at,"
	  " f.part || ' to ' || f.drawing || '@' || f.drawing_rev || CASE WHEN f.nonconforming > 0"
	  " THEN '; ' || f.nonconforming || ' nonconforming' ELSE '' END"
	  " FROM fais f JOIN revisions r ON r.doc = f.doc AND r.rev = f.rev WHERE ?1 IS NULL"
	  " AND " VAULT_INDEX_IN_FORCE("r")
	  " AND r.seq = (SELECT max(r2.seq) FROM revisions r2 WHERE r2.doc = f.doc)"
	  " AND NOT EXISTS (SELECT 1 FROM fai_dispositions d WHERE d.doc = f.doc AND d.rev = f.rev)" },
	{ "close-ncr", "the nonconformance is open",
	  VAULT_ROLE_QUALITY, NCR_OPEN("close-ncr", EVERY_ONE) },
};

#define NPARTS (sizeof(parts) / sizeof(parts[0]))

/* What an action asks, by its name. */
static const char *what_of(const char *action)
{
	size_t i;

	for (i = 0; i < NPARTS; i++)
		if (strcmp(parts[i].action, action) == 0)
			return parts[i].what;
	return "";
}

/* One statement: the parts for `roles`, oldest first (portal.h). */
char *vault_inbox__sql(unsigned roles)
{
	vault_buf b = VAULT_BUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < NPARTS; i++) {
		if (!(parts[i].roles & roles))
			continue;
		if (vault_buf__addf(&b, "%s%s", n++ ? " UNION ALL " : "SELECT * FROM (",
				    parts[i].sql) < 0)
			abort();
	}
	if (n == 0)
		return NULL;
	if (vault_buf__addf(&b, ") ORDER BY 5, 1, 2") < 0)
		abort();
	return vault_buf__detach(&b);
}

/* One row as an inbox item, its age in whole days at `now`. */
static json_t *item_of(sqlite3_stmt *st, int64_t now)
{
	const char *action = (const char *)sqlite3_column_text(st, 0);
	int64_t since = sqlite3_column_int64(st, 4);
	char when[32];
	json_t *o;

	vault_time_format(when, sizeof(when), since);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "action", action, "what", what_of(action),
		      "subject", (const char *)sqlite3_column_text(st, 1),
		      "org", (const char *)sqlite3_column_text(st, 2), "since", when,
		      "age_days", (json_int_t)(now > since ? (now - since) / 86400 : 0));
	if (!o)
		abort();
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		json_object_set_new(o, "po", json_string((const char *)sqlite3_column_text(st, 3)));
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		json_object_set_new(o, "detail",
				    json_string((const char *)sqlite3_column_text(st, 5)));
	return o;
}

int vault_inbox__items(json_t **out, vault *v, const vault_user *u, unsigned days, int64_t now)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st = NULL;
	json_t *items = json_array();
	unsigned window;
	char *sql;
	int rc, error = 0;

	*out = NULL;
	if ((error = vault__expiry_days(&window, v)) < 0) {
		json_decref(items);
		return error;
	}
	if ((sql = vault_inbox__sql(u->roles)) != NULL) {
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
			goto done;
		}
		/* a supplier's own organization; the buying side's, every one */
		sqlite3_bind_text(st, 1, vault_user__scope(u), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int64(st, 3, now - (int64_t)days * 86400);
		sqlite3_bind_int64(st, 4, window);
		sqlite3_bind_text(st, 5, u->name, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(items, item_of(st, now));
		if (rc != SQLITE_DONE) {
			error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
			goto done;
		}
	}
	*out = items;
	items = NULL;
done:
	sqlite3_finalize(st);
	free(sql);
	json_decref(items);
	return error;
}

int vault_inbox(char **out, vault *v, unsigned days)
{
	git_tree *tree = NULL;
	json_t *items = NULL;
	vault_user u;
	int error;

	*out = NULL;
	memset(&u, 0, sizeof(u));
	if (days > 3650) {
		error = vault_error__set(VAULT_EINVALID, "%u days is more than ten years", days);
		goto done;
	}
	if ((error = vault_store__head_tree(&tree, v->store)) < 0 ||
	    (error = vault__whoami(&u, v, tree)) < 0 ||
	    (error = vault_inbox__items(&items, v, &u, days, (int64_t)time(NULL))) < 0)
		goto done;
	*out = json_dumps(items, JSON_SORT_KEYS | JSON_INDENT(2));
	if (!*out)
		error = vault_error__set(VAULT_ERROR, "cannot write the inbox");
done:
	json_decref(items);
	vault_user_dispose(&u);
	git_tree_free(tree);
	return error;
}
