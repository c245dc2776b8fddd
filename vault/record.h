/*
 * record.h - the records the repository holds, as JSON, and the rules for
 * the names in them.
 *
 * A revision lives at docs/<h>/<h>/<DOC>/<REV>/ where the two fan-out
 * levels are the first four hex digits of SHA-256(DOC): record.json
 * describes it and files/<NAME> are its files.  A commit that adds a
 * document rewrites a handful of small trees, whatever the vault's size.
 */
#ifndef VAULT_RECORD_H
#define VAULT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vault.h"

#define VAULT_RECORD_FILE "record.json"
#define VAULT_FILES_DIR "files"
#define VAULT_CONFIG_FILE "vault.json"
/* fits "docs/ab/cd/" and two encoded names (VAULT_NAME_ENC_MAX) and a record's file */
#define VAULT_PATH_MAX 1024

/*
 * The identifier whose encoding (vault_name_encode) is the `len` bytes
 * at `comp`, into `out` (VAULT_NAME_MAX + 1 bytes): 0 when `comp` is
 * exactly the encoding of a valid name (vault_name_check), so a record is
 * found at one path only; else VAULT_EINVALID.
 */
int vault_record__name_of(char *out, const char *comp, size_t len);

/* An identifier's path component (vault_name_encode), on the caller's stack. */
typedef struct {
	char s[VAULT_NAME_ENC_MAX + 1];
} vault_enc;

/* `name` encoded into `e`; "" when it is NULL or too long to encode.  Returns e->s. */
const char *vault_record__enc(vault_enc *e, const char *name);

/*
 * "DIR/REV/FILE" with the revision `rev` encoded (vault_name_encode):
 * the path of a revision's file under its document's folder `dir`.
 * 0, or VAULT_EINVALID when it does not fit `size`.
 */
int vault_record__rev_file(char *buf, size_t size, const char *dir, const char *rev,
			   const char *file);

/*
 * Check a stored file name: a plain UTF-8 name, no '/', no leading '.',
 * no bidirectional or zero-width formatting character.
 */
int vault_record__file_name_check(const char *name);
/* A stored file's path: file names (as above) joined by '/' (FAI package members). */
int vault_record__member_path_check(const char *path);

/*
 * Check free text (titles): UTF-8, no control characters, no
 * bidirectional or zero-width formatting character, bounded.
 */
int vault_record__text_check(const char *what, const char *text, size_t max);

/*
 * Check an e-mail address (RFC 5322 addr-spec, the dot-atom form only):
 * a local part of letters, digits and !#$%&'*+/=?^_`{|}~- in dot-separated
 * atoms, '@', a domain of at least two dot-separated labels of letters,
 * digits and '-' (not first or last); at most 254 bytes.  Nothing else,
 * so an address can never carry a line break into a mail header.
 */
int vault_record__email_check(const char *email);

/* 1 when `type` is one of vault_doc_types. */
int vault_record__type_known(const char *type);

/* 1 when documents of `type` are controlled: added and released by buyers. */
int vault_record__controlled(const char *type);

/*
 * The indefinite article for `word` (a document type, a MIME type): "an"
 * before a vowel and before "fai" (said eff-ay-eye), else "a".
 */
const char *vault_record__a(const char *word);

/*
 * "docs/ab/cd/DOC" for a document number that passed vault_name_check
 * (it fits VAULT_PATH_MAX); a longer one is VAULT_EINVALID and buf "".
 */
int vault_record__doc_dir(char *buf, size_t size, const char *doc);

/*
 * "TOP/ab/cd/NAME": the fan-out folder of every keyed record (docs, pos,
 * lots, asns, ncrs), ab and cd the first bytes of NAME's SHA-256.  It fits
 * VAULT_PATH_MAX for a name that passed vault_name_check; else
 * VAULT_EINVALID and buf "".
 */
int vault_record__dir(char *buf, size_t size, const char *top, const char *name);

/*
 * Canonical JSON of `root` (sorted keys, two-space indent, a trailing
 * newline), which it takes over; `*out` is malloc'd.  Every record the
 * repository holds is written this way.
 */
int vault_record__dump(char **out, size_t *len, json_t *root);

/*
 * Serialize a revision record: canonical JSON (sorted keys, two-space
 * indent, trailing newline).  `*out` is malloc'd and owned by the caller.
 */
int vault_record__revision_dump(char **out, size_t *len,
				const vault_revision *rev);

/*
 * Parse and validate a revision record.  Fills everything but the blob
 * ids and the commit, which the repository knows and the record does not.
 * On failure `rev` holds nothing to dispose.
 */
int vault_record__revision_parse(vault_revision *rev, const char *data,
				 size_t len);

/* A release record: docs/<h>/<h>/<DOC>/<REV>/release.json. */
typedef struct {
	char *doc, *rev;
	char **to;
	size_t nto;
	char *reason;    /* may be NULL */
	char *effective; /* YYYY-MM-DD, may be NULL */
	char *by;
	int64_t at;
	char *marking;   /* export control: ITAR, EAR:ECCN, EAR99, CUI (marking.h); may be NULL */
	char *licence;   /* the licence or exemption it moves under; may be NULL */
} vault_release;

#define VAULT_RELEASE_FILE "release.json"
#define VAULT_OBSOLETE_FILE "obsolete.json"
/* an FAI package's structure, beside its record (fai.c) */
#define VAULT_PACKAGE_FILE "package.json"
/* an FAI report's disposition by the buying side (fai_disposition.c) */
#define VAULT_DISPOSITION_FILE "disposition.json"
/* an upload withdrawn by the organization that added it (withdraw.c) */
#define VAULT_WITHDRAWN_FILE "withdrawn.json"
/* audit waivers: waivers/<h>/<h>/<GAP>/<time>-<signer>.json (audit.c) */
#define VAULT_WAIVERS_DIR "waivers"
#define VAULT_ACKS_DIR "acks"
#define VAULT_LINKS_DIR "links"

int vault_record__release_dump(char **out, size_t *len, const vault_release *r);
int vault_record__release_parse(vault_release *r, const char *data, size_t len);
void vault_record__release_dispose(vault_release *r);

/* An obsolete record: docs/<h>/<h>/<DOC>/<REV>/obsolete.json. */
int vault_record__obsolete_dump(char **out, size_t *len, const char *doc,
				const char *rev, const char *reason, const char *by,
				int64_t at);
int vault_record__obsolete_parse(char **reason, char **by, int64_t *at,
				 const char *data, size_t len);

/* Check a YYYY-MM-DD date; `what` names it in the message. */
int vault_record__date_check(const char *what, const char *date);

/*
 * The dates a revision of `type` recorded at `at` carries (each NULL:
 * none, else a checked date): an expiry and a review date on or after
 * the record's own day (UTC), and a review date on a controlled type
 * only (a drawing, model or spec is reviewed; a certificate expires).
 * The one rule of the write path and of verify; VAULT_EINVALID says which.
 */
int vault_record__dates_check(const char *type, int64_t at, const char *expires,
			      const char *review_by);

/* The revision that follows `rev`: A -> B, Z -> AA, 7 -> 8, else NULL. */
int vault_record__next_rev(char *buf, size_t size, const char *rev);

#endif
