/*
 * portal.h - the supplier portal's records: PO acknowledgments and status
 * reports beside their PO (pos/<h>/<h>/<PO>/acks/NNNNNN.json,
 * pos/<h>/<h>/<PO>/status/NNNNNN.json), ship notices and their receipts
 * (asns/<h>/<h>/<ASN>/asn.json, receipt.json), nonconformance reports
 * (ncrs/<h>/<h>/<NCR>/ncr.json, close.json).  Each is written once; a
 * later acknowledgment or status is a new file numbered after the last.
 */
#ifndef VAULT_PORTAL_H
#define VAULT_PORTAL_H

#include <jansson.h>
#include <sqlite3.h>

#include "kind.h"
#include "store.h"

#define VAULT_PO_ACKS_DIR "acks"
#define VAULT_PO_STATUS_DIR "status"
#define VAULT_ASN_FILE "asn.json"
#define VAULT_RECEIPT_FILE "receipt.json"
#define VAULT_ASN_CANCEL_FILE "cancel.json"
#define VAULT_ASN_REVISIONS_DIR "revisions"
#define VAULT_NCR_FILE "ncr.json"
#define VAULT_NCR_CLOSE_FILE "close.json"

/*
 * A number for a ship notice (top "asns": ASN-NNNNNN) or an NCR ("ncrs":
 * NCR-NNNNNN) that has none: the first free after those indexed.
 */
int vault_portal__next_number(char *buf, size_t size, vault *v, const git_tree *root,
			      const char *top);

/*
 * Room for one more record naming pos[i] for each i (the POs may repeat):
 * VAULT_EINVALID when the acknowledgments, status reports and ship notices
 * the index holds for a PO, with these, would be over qvault.maxPoRecords.
 * The caller holds the lock, so the index is up to date.
 */
int vault_portal__room(vault *v, const char *const *pos, size_t n);

/*
 * "000042-sam.json", the file of the 42nd acknowledgment or status of a
 * PO, by sam: the signer in the name keeps two sites that both wrote a
 * 42nd (different people) from writing the same path, so they merge.
 */
int vault_portal__seq_name(char *buf, size_t size, unsigned long seq, const char *signer);

/* Seconds since the epoch of "2026-11-27T06:00:00Z", or 0. */
int64_t vault_portal__time(const char *iso);

/*
 * Run the index's INSERT `st` (bound) for the record at `path`, and reset
 * it: 0, or VAULT_EVERIFY naming the record.
 */
struct vault_index;
int vault_portal__step(struct vault_index *idx, sqlite3_stmt *st, const char *path);

/*
 * Index a record beside a document revision (a disposition, a
 * withdrawal): `sql` inserts ?1 the document, ?2 the revision, then the
 * record's members `fields` in order (text, NULL when absent; `required`
 * of them must be there), the time member `at` as Unix time, and the
 * commit id last.  `what` names the record in a message.  `once`, a
 * SELECT of a commit_id taking the same parameters, finds the record of
 * the same identity recorded before: then VAULT_EVERIFY, naming both
 * commits (vault_index__once).
 */
int vault_portal__index_beside(const vault_kind_file *f, const char *sql, const char *once,
			       const char *const *fields, size_t required, const char *at,
			       const char *what);

/*
 * Parse an X12 856 interchange into a JSON list of ship notices, each as
 * schemas/asn.schema.json describes (x12.c).  Checks the envelope (ISA
 * fixed width, separators taken from it, GS/GE, ST/SE with SE01 the
 * segment count, IEA01 and GE01 the group and set counts) and the
 * hierarchy: shipment, order (PRF), pack, item (LIN, SN1, REF*LT).
 */
int vault_x12__parse_856(json_t **out, const char *data, size_t len);

/* Whether `data` looks like X12 (it opens with ISA). */
int vault_x12__is_x12(const char *data, size_t len);

/*
 * The ship notice `asn` in force in `tree`: its latest revision
 * (revisions/NNNNNN.json, *seq its number) or asn.json (*seq 0); *rec is
 * the caller's.  VAULT_ENOTFOUND when there is none.  *cancelled says
 * whether `tree` holds its cancellation.
 */
int vault_asn__in_force(json_t **rec, unsigned *seq, int *cancelled, vault_store *store,
			const git_tree *tree, const char *asn);

/* Parse and check an ASN import file's content, writing nothing (fuzzers). */
int vault_asn__parse(const char *data, size_t len);

/*
 * The scorecard's queries, in the order it runs them (0: the suppliers,
 * then one per metric), NULL past the last: for the benchmark's baseline,
 * which runs the same SQL in the sqlite3 shell (scorecard.c).
 */
const char *vault_scorecard__sql(size_t i);

/*
 * For the same baseline: the SQL of po list (one supplier's when
 * `one_supplier`: ?1 the organization, ?2 non-NULL for --open), and of the
 * inbox for `roles` (VAULT_ROLE_* bits; ?1 a supplier's organization or
 * NULL, ?2 now, ?3 now less the days; malloc'd, NULL when no part applies).
 */
const char *vault_orders__po_list_sql(int one_supplier);
char *vault_inbox__sql(unsigned roles);

/*
 * User `u`'s open actions at `now` (inbox --json's items: action, what,
 * subject, org, since, age_days, po and detail when known), the buying
 * side's chasing after `days` days; *out is the caller's.
 */
int vault_inbox__items(json_t **out, vault *v, const vault_user *u, unsigned days, int64_t now);

#endif
