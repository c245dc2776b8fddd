/*
 * po.h - purchase orders as records: pos/<h>/<h>/<PO>/po.json, fanned out
 * like documents.
 */
#ifndef VAULT_PO_H
#define VAULT_PO_H

#include <jansson.h>
#include <sqlite3.h>

#include "store.h"
#include "vault.h"

#define VAULT_PO_FILE "po.json"
/* a PO's change orders: changes/NNNNNN-<signer>.json, revisions 1, 2, ... */
#define VAULT_PO_CHANGES_DIR "changes"
/* releases against its blanket lines: releases/NNNNNN.json, 1, 2, ... */
#define VAULT_PO_RELEASES_DIR "releases"
/* the supplier's acknowledgments of them: release-acks/NNNNNN-<signer>.json */
#define VAULT_PO_RELEASE_ACKS_DIR "release-acks"

/* "pos/ab/cd/PO" for a PO number that passed vault_name_check. */
int vault_po__dir(char *buf, size_t size, const char *po);

/*
 * vault_po_change, when the supplier named by the file (`supplier_said`,
 * NULL for none) must be the PO's (po_change.c).
 */
int vault_po__change(vault *v, const char *po, const char *supplier_said,
		     const vault_po_edit *edits, size_t n, const char *reason, unsigned *revision);

/*
 * po import of a CSV or JSON file's content `data` (po.c); *count
 * receives the POs recorded.  Messages name `path`.
 */
int vault_po__import_data(size_t *count, vault *v, const char *path, const char *data, size_t len);

/*
 * The POs of `root`, a list as schemas/po-import.schema.json has them,
 * recorded in one commit (po.c); `label` names each in messages ("850
 * set 2: "), `path` the file.  vault_po__check_list checks them without
 * a vault (for the fuzzers).
 */
int vault_po__import_list(size_t *count, vault *v, const char *path, json_t *root,
			  const char *label);
int vault_po__check_list(json_t *root, const char *label);

/* Parse and check an X12 850 or 860 (x12_po.c), writing nothing (for the fuzzers). */
int vault_po__parse_x12(const char *data, size_t len);

/* Parse and check a PO import file's content, writing nothing (for the fuzzers). */
int vault_po__parse(const char *data, size_t len);

/*
 * The latest revision of PO `po` in `tree`: its record (the caller's to
 * json_decref) and number, 0 for the PO's own record; VAULT_ENOTFOUND if
 * the tree holds no such PO.
 */
int vault_po__latest(json_t **rec, unsigned *seq, vault_store *store, const git_tree *tree,
		     const char *po);

/*
 * The standing of DOC@REV for a PO line of `supplier`: VAULT_EINVALID if
 * obsolete (a line may not require it), VAULT_PO_SUPERSEDED if a later
 * revision was released to the supplier (`newer` receives it),
 * VAULT_PO_UNRELEASED if it was not released to the supplier, else 0.
 * vault_po__revision_warn says the two last as a warning.
 */
#define VAULT_PO_SUPERSEDED 1
#define VAULT_PO_UNRELEASED 2
struct vault;
int vault_po__revision_check(char *newer, size_t size, struct vault *v, const char *supplier,
			     const char *doc, const char *rev);
void vault_po__revision_warn(struct vault *v, int standing, const char *where, unsigned line,
			     const char *supplier, const char *doc, const char *rev,
			     const char *newer);

/*
 * What the releases of PO `po` in `tree` called off line `line` (*sum) and
 * how many releases of any line the PO has (*count) (po_release.c).
 */
int vault_po__called_off(uint64_t *sum, size_t *count, vault_store *store, const git_tree *tree,
			 const char *po, unsigned line);

/* Whether the PO revision `rec` has every line cancelled: the PO is. */
int vault_po__cancelled(const json_t *rec);

/* A unit of measure: two upper-case letters or digits (X12 data element 355). */
int vault_po__unit_check(const char *what, const char *unit);

/*
 * Whether the unit fields of PO line `l` (unit, pack_unit with pack_size)
 * are well-formed; *n counts the members they take.
 */
int vault_po__unit_ok(const json_t *l, size_t *n);

/*
 * Whether the blanket terms of PO line `l` (its member "blanket":
 * {"valid_from", "valid_until"}) are well-formed, dates in order and the
 * line without a due date; *n counts the members they take (0 or 1).
 */
int vault_po__blanket_ok(const json_t *l, size_t *n);

/* Bind line `l`'s valid_from and valid_until (NULL when no blanket) at ?first, ?first+1. */
void vault_po__bind_blanket(sqlite3_stmt *st, int first, const json_t *l);

/* Bind line `l`'s unit, pack_unit and pack_size (NULL when absent) at ?first.. of `st`. */
void vault_po__bind_unit(sqlite3_stmt *st, int first, const json_t *l);

#endif
