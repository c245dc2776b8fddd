/*
 * vault.h - the public interface of libqvault.
 *
 * A vault is a bare git repository (the record of truth) with a SQLite
 * index beside it (derived, rebuildable).  Every function returns 0 on
 * success or a negative VAULT_E* code; the one-line reason is then
 * available from vault_error_message().  The library never prints and
 * never exits.
 *
 * Ownership: whatever a function hands back through an `out` parameter
 * belongs to the caller and is released with the matching _free function.
 * Every _free function accepts NULL.
 */
#ifndef VAULT_VAULT_H
#define VAULT_VAULT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define VAULT_VERSION "0.1.0"

/* Error codes.  VAULT_ERROR is a failure with no more specific class. */
enum {
	VAULT_OK = 0,
	VAULT_ERROR = -1,
	VAULT_ENOTFOUND = -3, /* no such document, revision, vault, file */
	VAULT_EEXISTS = -4,   /* the thing to create is already there */
	VAULT_EINVALID = -5,  /* the input is malformed or not allowed */
	VAULT_EDENIED = -6,   /* the vault or the acting user may not do it */
	VAULT_EVERIFY = -7,   /* stored data does not match its record */
	VAULT_ELOCKED = -8    /* another writer holds the vault too long */
};

/*
 * The message of the last failure in this thread: one line, lowercase,
 * no full stop, the subject quoted.  Valid until the next library call.
 */
const char *vault_error_message(void);

/*
 * A shared library loaded on first use (lazy.c): libqvault's own
 * (libqpdf, libfido2) and a front end's (the CLI's libmicrohttpd, in
 * cli/mhd.c) are not linked, so that a command that needs none of them
 * maps none of them and what they pull in (bench section 17).  A table
 * holds a pointer for each function called, typed by the library's own
 * header; each symbol names one, `offset` and `size` its place in the
 * table (VAULT_LAZY_SYMBOL).
 */
typedef struct {
	const char *name; /* the function's name in the library */
	size_t offset;    /* offsetof its pointer in the table */
	size_t size;      /* sizeof that pointer */
} vault_lazy_symbol;

#define VAULT_LAZY_SYMBOL(table_type, f) { #f, offsetof(table_type, f), sizeof(((table_type *)0)->f) },

typedef struct {
	const char *soname;               /* "libqpdf.so.29" */
	const vault_lazy_symbol *symbols; /* what fills the table */
	size_t count;
	void *table;
	/* vault_lazy_load's own: zero, then what the load came to */
	int state;       /* 0 not tried yet, 1 loaded, -1 could not be */
	char error[256]; /* why it could not be */
} vault_lazy_library;

/*
 * Load `lib` the first time it is asked for (dlopen, then each symbol
 * into its table), once whatever the threads: 0, or VAULT_ERROR ("cannot
 * load SONAME: it has no NAME", or dlopen's reason) now and at every
 * later call.  Once loaded, it stays.
 */
int vault_lazy_load(vault_lazy_library *lib);

/*
 * The PDF check apart (vault/README.md, "The PDF check's bounds").  Each
 * PDF taken in or verified is opened in a child process whose memory,
 * CPU and clock are bounded, forked by a checker server that the process
 * starts at its first check: forked itself from a process of one thread;
 * from one of several (verify, pull, import's reader), where a fork is
 * unsafe, `exe` started afresh with argv[1] VAULT_PDF_CHECK_ARG, which
 * must call vault_pdf_check_child.  The qvault command names itself (the
 * path /proc/self/exe reads as); a program that names none (the bench
 * tools, unit tests) checks in its own process when it has several
 * threads and no server yet, unbounded.  NULL: none.  Set it before
 * threads start.
 */
#define VAULT_PDF_CHECK_ARG "--internal-pdf-check"
void vault_pdf_set_checker(const char *exe);
/*
 * The server's side, for argv as vault_pdf_set_checker's program gets it
 * (VAULT_PDF_CHECK_ARG --server, its socket on descriptor 0): serves
 * until the caller exits, then returns 0; 2 when argv is not that.
 */
int vault_pdf_check_child(int argc, char **argv);
/*
 * libqpdf loaded, nothing started: 0, or VAULT_ERROR with the loader's
 * one-line message, for a program that would rather know now than at its
 * first PDF (`qvault serve`, before it listens and drops privileges: a
 * checker server started then would run as root).
 */
int vault_pdf_load(void);
/*
 * Ready the PDF check: load libqpdf (0, or VAULT_ERROR with the loader's
 * one-line message) and, while the process has one thread, start the
 * checker server by a fork, the cheap kind.  A command that may check
 * PDFs on threads (verify, pull, clone, import, serve) calls it before
 * it starts any; one that checks none need not load libqpdf.
 */
int vault_pdf_prepare(void);

/* Limits every name in the vault obeys (document numbers, revisions...). */
#define VAULT_NAME_MAX 128
/* The most bytes a name takes once encoded for a path: under a file name's 255, with room for a prefix and suffix ("part-NAME.json") */
#define VAULT_NAME_ENC_MAX 240

/* The document types of DESIGN.md. */
extern const char *const vault_doc_types[];

/*
 * Check an identifier (a document number, revision, part number, PO
 * number, lot, ship notice or NCR number) as it is given: 1 to
 * VAULT_NAME_MAX bytes of UTF-8 text without control characters, without
 * bidirectional or zero-width formatting characters, and not beginning
 * or ending with a space; its encoding (vault_name_encode) at most
 * VAULT_NAME_ENC_MAX bytes.  Slashes, spaces and any other character are
 * kept: the name is stored as given and encoded where it becomes a path.
 * A revision (`what` "revision") holds no '@': DOC@REV splits at its
 * last '@', so a document number may hold one and a revision may not.
 * `what` names the field in the error message.  Returns 0 or
 * VAULT_EINVALID.
 */
int vault_name_check(const char *what, const char *name);

/*
 * The narrower rule of user, organization and remote names, which are
 * also SSH principals, git remote and ref names: 1 to VAULT_NAME_MAX
 * bytes of letters, digits and `.`, `_`, `-`, `+`, starting with a letter
 * or digit, never `..`.  Returns 0 or VAULT_EINVALID.
 */
int vault_plain_name_check(const char *what, const char *name);

/*
 * The path component (a file or folder name) of the identifier `name`:
 * every byte kept as it is when it is an ASCII letter or digit, or one of
 * `.`, `_`, `-`, `+` neither first nor a `.` after a `.`; every other
 * byte (`/`, space, `%`, each byte of a non-ASCII character) written %XX
 * in upper-case hex.  So a name valid under vault_plain_name_check is its
 * own encoding, two names never share one, none is "." or ".." or holds a
 * '/', and the result is ASCII (no file system folds or normalizes it but
 * for letter case).  Writes at most `size` bytes with the NUL; returns 0,
 * or VAULT_EINVALID (buf "") when it does not fit.
 */
int vault_name_encode(char *buf, size_t size, const char *name);

/*
 * `s` as one URI path segment or URN part (portal links, EPCIS
 * identifiers): every byte but RFC 3986's unreserved characters (ASCII
 * letters, digits, `-._~`) written %XX in upper-case hex, so a '/' of a
 * name is %2F.  3 * strlen(s) + 1 bytes always suffice.  Returns 0, or
 * VAULT_EINVALID (buf "") when it does not fit in `size`.
 */
int vault_uri_encode(char *buf, size_t size, const char *s);

/* "2026-11-27T06:00:00Z": `t` (seconds since the epoch) in UTC, ISO 8601. */
#define VAULT_TIME_SIZE 21
void vault_time_format(char *buf, size_t size, int64_t t);

/*
 * Check that `date` is a real day written YYYY-MM-DD.  Returns 0, or
 * VAULT_EINVALID with "WHAT 'DATE' is not a date (YYYY-MM-DD)".
 */
int vault_date_check(const char *what, const char *date);

/* ---- keys ------------------------------------------------------------ */

typedef struct vault_key vault_key;

typedef enum {
	VAULT_KEY_ED25519,
	VAULT_KEY_ECDSA_P256
} vault_key_type;

/*
 * Asked for a key's passphrase: write it NUL-terminated into buf (size
 * bytes) and return 0, or return -1 to give up.
 */
typedef int (*vault_passphrase_cb)(char *buf, size_t size, void *payload);

/* A new key pair; `comment` (may be NULL) goes into its public key line. */
int vault_key_generate(vault_key **out, vault_key_type type, const char *comment);

/*
 * Write the private key as PEM (PKCS#8) to a new file `path`, created
 * with O_EXCL and mode 0600; encrypted with AES-256 when `passphrase` is
 * not NULL.  Refuses to overwrite anything.
 */
int vault_key_save(const vault_key *key, const char *path, const char *passphrase);

/*
 * The acting key `path` names: a PEM private key file (read here), an
 * OpenSSH private key file (ssh-keygen's own format: only its public part
 * is read here, ssh-keygen signs), or "agent:SHA256:..." (the key of
 * ssh-agent with that fingerprint; ssh-keygen signs through the agent).
 * `cb` is asked for the passphrase if the file is encrypted (NULL:
 * encrypted keys fail); an OpenSSH file's is checked at once (ssh-keygen
 * -y) and handed to ssh-keygen through vault_key_set_askpass's program.
 */
int vault_key_load(vault_key **out, const char *path, vault_passphrase_cb cb,
		   void *payload);
void vault_key_free(vault_key *key);

/*
 * The program ssh-keygen runs as SSH_ASKPASS (with SSH_ASKPASS_REQUIRE=
 * force) to be handed an encrypted OpenSSH key's passphrase: run with
 * QVAULT_ASKPASS_FD=3 in its environment, it must print what it reads
 * on fd 3.  qvault names itself (cli/passphrase.c); NULL for none.
 */
void vault_key_set_askpass(const char *program);

/* The OpenSSH public key line "ssh-ed25519 AAAA... [comment]"; malloc'd. */
int vault_key_public(char **out, const vault_key *key);

/* Its fingerprint line exactly as `ssh-keygen -lf` prints it; malloc'd. */
int vault_key_fingerprint(char **out, const vault_key *key);

/* ---- users ----------------------------------------------------------- */

/* A person (or server) allowed to write, with roles and a public key. */
typedef struct {
	char *name;
	char *org;
	unsigned roles;   /* VAULT_ROLE_* bits, see vault_role_names */
	char *key;        /* OpenSSH public key line */
	char fingerprint[64];
	char *added_by;
	int64_t added_at;
	int revoked;
	char *revoked_by;
	int64_t revoked_at;
	char *email;      /* the latest e-mail address an admin set, or NULL */
} vault_user;

typedef struct {
	vault_user *items;
	size_t count;
} vault_user_list;

/* admin, buyer, supplier, quality, auditor, server: bit i is role i. */
extern const char *const vault_role_names[];

void vault_user_dispose(vault_user *u);
void vault_user_list_free(vault_user_list *list);

typedef struct vault vault;

/*
 * Called with a one-line warning the caller may want to show a person
 * (for example: the index was corrupt and has been rebuilt).
 */
typedef void (*vault_warn_cb)(const char *message, void *payload);

/*
 * Create a new, empty vault at `path` (created if missing; must be empty
 * if it exists) and open it.  The first commit records the vault's
 * identity, the default content-type allowlists (`vault.json`) and its
 * first admin, `admin` of organization `org` with `key`: the trust root.
 * That commit is signed by `key`, which stays the vault's acting key.
 */
int vault_init(vault **out, const char *path, const vault_key *key,
	       const char *admin, const char *org);

/*
 * Open the vault at `path`.  If the index is missing, corrupt or behind
 * the repository it is brought up to date first (warnings go to `warn`,
 * which may be NULL).
 */
int vault_open(vault **out, const char *path, vault_warn_cb warn,
	       void *payload);

/*
 * The vault at `path` without its index (none is opened, built or
 * healed): for checking a history alone, as a pull checks what it fetched
 * (vault_verify's commits and bytes, not the index); reads that need the
 * index are not for such a handle.
 */
int vault_open_unindexed(vault **out, const char *path);

/*
 * Open the vault at `path` for reads the index answers (list, show,
 * trace, audit, pending, acks): when the index reflects the branch, as
 * the repository's ref files say it, neither the repository nor libgit2
 * is opened until a read needs them (a certificate's data, the git
 * config), and who the acting key is comes from the index's users.
 * Otherwise, or when anything is out of the ordinary, as vault_open.
 * Every read answers as on a handle of vault_open.
 */
int vault_open_for_reads(vault **out, const char *path, vault_warn_cb warn,
			 void *payload);

/*
 * Let this process open vaults owned by another user, which libgit2 (as
 * git's safe.directory) refuses by default: for a process that reads a
 * vault as a user of its own, as the HTTP side of `qvault serve --user`
 * does.  Process-wide; call it before the first vault_open.
 */
void vault_allow_other_owner(void);

/*
 * Keep libgit2's caches small, process-wide: for a server whose memory
 * must stay flat however long it runs and however large the vault (what
 * is decoded again comes from the page cache).  Call it before the first
 * vault_open.
 */
void vault_keep_memory_small(void);

/* Close a vault and release everything it holds. */
void vault_free(vault *v);

/* The vault's folder, as given to vault_open(). */
const char *vault_path(const vault *v);

/*
 * Act as the holder of `key` (borrowed: it must outlive its use here).
 * Every write is signed with it, and allowed only if the key belongs to a
 * registered user whose roles allow the operation.
 */
void vault_set_key(vault *v, const vault_key *key);

/*
 * How far long work got (verify, reindex, import, export, fai add, pull,
 * clone), for a caller that shows it: `what` names the stage ("Checking
 * commits"), `done` of `total` items (`total` 0 when not known).  Told
 * at a stage's start, at each percent and at most every 100 ms between,
 * and once more with `finished` 1 when the stage ends.  The library only
 * counts: the caller decides what to show, and where.
 */
typedef void (*vault_progress_cb)(const char *what, uint64_t done, uint64_t total,
				  int finished, void *payload);

/* Tell `cb` (NULL: nobody) how far the long work of `v` got. */
void vault_set_progress(vault *v, vault_progress_cb cb, void *payload);

/*
 * Write on behalf of registered user `user` (qvault shell): the key set
 * must be a user with role server; every rule then applies to `user`, and
 * each commit, signed by the server, names `user` (Qvault-On-Behalf-Of).
 */
void vault_set_on_behalf(vault *v, const char *user);

/*
 * The commit the vault's reads answer from (40 hex digits): its branch,
 * once the index reflects it.  Two reads between which it stays the same
 * saw the same vault, so an answer may be kept for that commit and that
 * reader.  VAULT_ELOCKED, `out` empty, while the index has yet to follow
 * a write.
 */
int vault_version(vault *v, char out[41]);

/*
 * Answer every read as registered user `user` sees the vault, with no
 * key: for a server that authenticated the user another way (an API
 * token).  A revoked or unknown user then sees nothing (VAULT_EDENIED).
 * It never writes: a write needs a key.  NULL: the key's view again.
 * Either way the next read sees what was written since the last one,
 * also by other processes (a handle kept between requests).
 */
void vault_set_reader(vault *v, const char *user);

/*
 * Journal the downloads of marked revisions read through `v` by `record`
 * rather than by writing qvault/journal here: a front end whose process
 * may neither sign nor write (qvault serve's HTTP side, as --user without
 * the server key) hands each entry to the process that may (its writer).
 * Before a marked file's first byte goes out, `v` calls record(payload,
 * DOC, REV, FILE, HOW) (HOW "cat", "export" or "diff"): 0 once the entry
 * is recorded; else the download is refused, with the one-line reason it
 * sets in *why (malloc'd, taken over; may stay NULL).  `record` NULL: `v`
 * writes the journal itself again.
 */
typedef int (*vault_journal_cb)(void *payload, const char *doc, const char *rev,
				const char *file, const char *how, char **why);
void vault_set_journal(vault *v, vault_journal_cb record, void *payload);

/*
 * Record in the access journal that the user `v` reads as
 * (vault_set_reader; the key qvault/server.pem signs) downloads file `file` of
 * DOC@REV by `how` ("cat", "export", "diff") through the front end `via`
 * ("api", "portal"): what a vault_journal_cb's writer does with what it
 * is handed.  The revision is read as that user sees it: one it may not
 * see is no revision (VAULT_ENOTFOUND), a name it has no file of is no
 * file; an unmarked one records nothing.
 */
int vault_journal_download(vault *v, const char *via, const char *doc, const char *rev,
			   const char *file, const char *how);

/*
 * Record in the access journal that the user `v` reads as
 * (vault_set_reader) copies the vault's whole history as it is now (a
 * git-upload-pack: another site's pull or clone, through the front end
 * `via`, "shell"), when any revision in it is marked: one entry, how
 * "copy", doc "*", rev the branch's commit, file "*", sha256 "", marking
 * every marking released (comma-separated, sorted).  A history with no
 * marked revision records nothing.  An error means the copy must not
 * happen.
 */
int vault_journal_copy(vault *v, const char *via);

/*
 * Who may see what.  Every read below answers for the acting viewer: the
 * user of the key set (or the user a server key acts for).  With no key,
 * or a user holding any role but supplier alone (admin, buyer, quality,
 * auditor, server), everything.  A supplier sees its own organization's
 * records, and another organization's record answers exactly as one that
 * does not exist (VAULT_ENOTFOUND, "no PO 'PO-9'"); lists leave it out:
 *
 *   doc get, revisions, list, cat, fai show: the revisions its
 *     organization added and those released to it, each release naming
 *     only its own organization among those it went to;
 *   acks, ack export: its organization's acknowledgments of revisions it
 *     sees (a revision it may not see: not found);
 *   pending, audit, ncr list, asn export, status export, scorecard: its
 *     organization's only (naming another organization is refused);
 *   trace lot, trace po, export: its own lots and POs only; in them the
 *     lots of its organization and the revisions it sees; trace doc: the
 *     PO lines and lots of its organization;
 *   log: see vault_log;
 *   users, allowed_signers: its organization's users and the buying
 *     side's, whose keys sign what it reads;
 *   verify: refused (it reads every organization's records).
 */

/* ---- limits ------------------------------------------------------------ */

/*
 * What one supplier may hand the vault at once, this site's settings in
 * the vault repository's own git config (not copied to other sites), each
 * with a default: qvault.maxImportBytes (64 MiB), qvault.maxStatement
 * (1 MiB), qvault.<type>.maxUpload or else qvault.maxUpload (2 GiB).
 */
typedef enum {
	VAULT_LIMIT_IMPORT,     /* an import file or standard input */
	VAULT_LIMIT_STATEMENT,  /* a signed acknowledgment statement */
	VAULT_LIMIT_UPLOAD,     /* a document of `type` (NULL: any) */
} vault_limit_kind;

/*
 * Set *limit to the most bytes of `kind` this vault takes; with `size`
 * over it, VAULT_EINVALID and a message naming `subject`, the limit and
 * its config key.  A reader that cannot know the size ahead reads at most
 * *limit + 1 bytes and calls again with what it read.
 */
int vault_limit_check(uint64_t *limit, vault *v, vault_limit_kind kind, const char *type,
		      const char *subject, uint64_t size);

/* ---- what each document type accepts (vault.json) ---------------------- */

/* The MIME types one document type (or "fai-member") accepts. */
typedef struct {
	char *type;
	char **mime;
	size_t count;
} vault_type_allow;

typedef struct {
	vault_type_allow *items;
	size_t count;
} vault_type_list;

/*
 * The allowlists in force at the head, one per document type
 * (vault_doc_types, in that order), then "fai-member" (what an FAI
 * package may hold).  Anyone may read them.
 */
int vault_types(vault_type_list **out, vault *v);
void vault_type_list_free(vault_type_list *list);

/*
 * Add `mime` to the allowlist of `type` (`allow`), or take it off: one
 * commit by an admin changing vault.json.  Uploads after it are judged by
 * the new list, those before by the list in force when they were made.
 * VAULT_EEXISTS when the list already holds it, VAULT_ENOTFOUND when it
 * does not hold what is to be taken off.
 */
int vault_types_change(vault *v, const char *type, const char *mime, int allow);

/* ---- export control: attestations (admin only; attest.c, marking.h) ---- */

/*
 * Record that `name` (a user, `subject` "user", or an organization,
 * "org") holds `attestation` until `expires` (YYYY-MM-DD, the last day,
 * today or later): one signed commit by an admin, never by a server on
 * someone's behalf.  A user attests us-person or cui-trained; an
 * organization us-org, cui-safeguarding, or licence (with `licence`, its
 * number or exemption, and `covers`, the marking it covers: ITAR or
 * EAR:<ECCN>).  Who a marked revision reaches, by them:
 *
 *   marking   the organization released to          the supplier user who sees it
 *   EAR99     nothing                               nothing
 *   ITAR      us-org, or a licence covering ITAR    us-person
 *   EAR:X     us-org, or a licence covering EAR:X   us-person, or its org's EAR:X licence
 *   CUI       cui-safeguarding                      cui-trained
 *
 * An expired attestation counts for nothing from the next day (UTC).
 * A marked revision a supplier's user is not covered for answers every
 * read exactly as one not released to its organization (VAULT_ENOTFOUND,
 * left out of lists); the buying side sees every one.
 */
int vault_attest(vault *v, const char *subject, const char *name, const char *attestation,
		 const char *licence, const char *covers, const char *expires);

/*
 * Write the access journal (every download of a marked revision: who,
 * when, what, how; journal.h gives its format and why it is
 * tamper-evident) to `fd`, as stored: one entry a line, each signed by
 * the server key and chained to the one before.  An admin or auditor
 * only (VAULT_EDENIED); an empty journal writes nothing.  `verify`
 * checks it.
 */
int vault_journal_export(vault *v, int fd);

/* ---- user administration (admin only, except reading) ------------------ */

/* Register a user; `pubkey` is an OpenSSH public key line. */
int vault_user_add(vault *v, const char *name, const char *org, const char *roles,
		   const char *pubkey);
/*
 * The same, with an e-mail address (NULL: none), checked by
 * vault_record__email_check's rules, in the same commit.
 */
int vault_user_add_email(vault *v, const char *name, const char *org, const char *roles,
			 const char *pubkey, const char *email);
/*
 * Set user `name`'s e-mail address (an admin; one signed commit, adding
 * users/NAME/email/NNNNNN.json: the latest is in force).  Notifications
 * of the actions in its inbox go to it (the outbox).
 */
int vault_user_set_email(vault *v, const char *name, const char *email);
/* Revoke a user: later signatures by its key are refused, earlier stay valid. */
int vault_user_revoke(vault *v, const char *name);
/*
 * Every user, by name.  A supplier sees its own organization's users and
 * the buying side's (every user with a role other than supplier), whose
 * keys sign what it reads; never another supplier organization's.
 */
int vault_users(vault_user_list **out, vault *v);
/*
 * The roles (vault_user.roles) of the acting viewer, the key's user or
 * the reader: one user's record read, for a front end that shows what
 * its user may do.  VAULT_EDENIED, and 0, for no such user or a revoked one.
 */
int vault_viewer_roles(unsigned *roles, vault *v);

/*
 * Repack the repository: every object in one pack, the
 * packs and loose objects it replaces removed (stock `git repack -a -d`,
 * under the vault's lock; readers keep reading).  History is unchanged.
 * *before and *after: the packs there were and are.  A write repacks by
 * itself once the packs pass git config qvault.gcPacks (50; 0: never),
 * geometrically (`git repack --geometric=2 -d`: the small packs rolled
 * into one, the large left alone; gc.c says why).
 */
int vault_gc(size_t *before, size_t *after, vault *v);
/*
 * OpenSSH allowed_signers text for the key of every user vault_users
 * shows the viewer ("NAME@ORG namespaces=\"git,qvault-ack\" KEY"), for
 * `git verify-commit` and `ssh-keygen -Y verify`; malloc'd.
 */
int vault_allowed_signers(char **out, vault *v);

/* ---- passkeys in the browser (webauthn.c) -------------------------------- */

/*
 * The relying-party id of the portal at `origin` ("https://HOST[:PORT]",
 * or "http://localhost[:PORT]"): HOST, malloc'd.  VAULT_EINVALID for an
 * origin that is not one.
 */
int vault_webauthn_rp_id(char **rp_id, const char *origin);

/*
 * Ready to check passkeys: libfido2 and libcbor loaded (0, or VAULT_ERROR
 * with the loader's line), for a portal that would rather know before it
 * listens than at the first login.
 */
int vault_webauthn_prepare(void);

/* `n` bytes in base64url without padding, as WebAuthn writes them; malloc'd. */
char *vault_webauthn_b64url(const unsigned char *p, size_t n);

/*
 * Enrollment: what navigator.credentials.create() answered (its
 * attestationObject and clientDataJSON, base64url) to `challenge` on the
 * portal at `origin`, checked (a "webauthn.create" for that challenge and
 * origin, attestation "none", the relying party's hash, user present and
 * verified, an ES256 key) and made an OpenSSH line
 * "sk-ecdsa-sha2-nistp256@openssh.com BASE64 COMMENT" whose application
 * is the relying-party id; malloc'd.  VAULT_EINVALID naming what is wrong.
 */
int vault_webauthn_register(char **pubkey_line, const char *origin,
			    const unsigned char *challenge, size_t chn,
			    const char *attestation_object, const char *client_data,
			    const char *comment);

/*
 * The WebAuthn challenge that signs `msg` in namespace `ns`: its SSHSIG
 * signed data, in base64url (malloc'd).
 */
int vault_webauthn_challenge(char **out, const char *ns, const void *msg, size_t len);

/* What navigator.credentials.get() answered, each piece in base64url. */
typedef struct {
	const char *authenticator_data;
	const char *client_data;
	const char *signature;
} vault_webauthn_assertion;

/*
 * Login: `a` checked as the passkey `pubkey_line`'s answer to `challenge`
 * on the portal at `origin` (type "webauthn.get", challenge, origin,
 * relying party, user present and verified, the signature by libfido2's
 * fido_assert_verify); *counter its signature counter, for the caller
 * to compare with the last it saw.  VAULT_EVERIFY naming what failed.
 * `pubkey_line` NULL: a name with no passkey, whose answer is checked all
 * the same against a key of no one and refused as a bad signature is, so
 * that the answer says nothing of who has a passkey.
 */
int vault_webauthn_login(uint32_t *counter, const char *pubkey_line, const char *origin,
			 const unsigned char *challenge, size_t chn,
			 const vault_webauthn_assertion *a);

/*
 * A signature: `a` answered the SSHSIG signed data of `msg` in namespace
 * `ns` (vault_webauthn_login's checks), made the armored SSHSIG of type
 * webauthn-sk-ecdsa-sha2-nistp256@openssh.com that `ssh-keygen -Y verify`
 * accepts, and checked again as the vault checks every signature.
 */
int vault_webauthn_sign(char **armored, uint32_t *counter, const char *pubkey_line,
			const char *origin, const char *ns, const void *msg, size_t len,
			const vault_webauthn_assertion *a);

/* ---- enrollment of passkeys in the portal (enroll.c) --------------------- */

/*
 * An admin asks `name` (of `org`, with `roles`, never admin or server) to
 * enroll a passkey at the portal `origin` ("https://HOST[:PORT]"): one
 * signed commit recording the SHA-256 of a one-time secret, valid for 72
 * hours.  *secret (64 hex digits, malloc'd) goes into the enrollment link
 * and is shown once; wipe it.
 */
int vault_user_enroll(char **secret, vault *v, const char *name, const char *org,
		      const char *roles, const char *origin);

/* An enrollment that may still be used. */
typedef struct {
	char *name, *org, *rp_id, *expires;
} vault_enrollment;

/*
 * The enrollment of `name` that `secret` opens at time `now`: recorded,
 * not used, not expired.  VAULT_EDENIED, one message for every reason,
 * otherwise.
 */
int vault_enrollment_get(vault_enrollment *out, vault *v, const char *name, const char *secret,
			 int64_t now);
void vault_enrollment_dispose(vault_enrollment *e);

/*
 * The server completes the enrollment of `name` that `secret` opens:
 * users/NAME/user.json with the passkey `pubkey` (an sk-ecdsa key line
 * whose application is the enrollment's relying-party id), added by the
 * admin who asked, and the enrollment marked used, in one commit signed
 * by the server's key.
 */
int vault_user_enrolled(vault *v, const char *name, const char *secret, const char *pubkey);

/* ---- API tokens (admin only, except the server's check) ----------------- */

/*
 * An API token for system clients acting as registered user `user` (not
 * an admin, not a server, not revoked) through the server:
 * "qvt_<ID>_<SECRET>", ID 16 lowercase hex digits, SECRET 43 characters
 * of base64url (32 random bytes).  `scope` "read" (NULL: read) or
 * "write"; `expires` NULL (never) or YYYY-MM-DD, the last day it is valid
 * (UTC), today or later.  The vault records the SHA-256 of SECRET only, in
 * one commit signed by the admin; *token is the caller's to free (wipe it
 * first: it is shown once and never again).
 */
int vault_token_create(char **token, vault *v, const char *user, const char *scope,
		       const char *expires);

/*
 * Every token as JSON text (a list of {id, user, scope, expires,
 * created_by, created_at, revoked_by, revoked_at, state: active, expired
 * or revoked}, no hashes), oldest first; the caller's to free.
 */
int vault_token_list(char **out, vault *v);

/* Revoke token `id` (the 16 hex digits): the server refuses it from then on. */
int vault_token_revoke(vault *v, const char *id);

/*
 * The server's check of a token a client sent, at time `now` (seconds
 * since the epoch): 0 with *out its user (the caller disposes it) and
 * *may_write its scope, when the token is well formed, its id recorded,
 * SHA-256 of its secret equal to the recorded one (compared in constant
 * time), not revoked, not expired, and its user registered, not revoked.
 * Every refusal is the same VAULT_EDENIED "invalid token", so that an
 * answer tells a client nothing; `reason` (may be NULL) gets a constant
 * naming which check failed ("malformed", "unknown id", "wrong secret",
 * "revoked", "expired", ...), for the server's own log.  Neither ever
 * holds any of the token's text.  No key is needed.
 */
int vault_token_check(vault_user *out, int *may_write, const char **reason, vault *v,
		      const char *token, int64_t now);

/* One stored file of a revision. */
typedef struct {
	char *name;       /* file name inside the revision */
	char sha256[65];  /* lowercase hex */
	char blob[41];    /* git blob id, lowercase hex */
	uint64_t size;
	char *mime;       /* as libmagic detected it */
	char *findings;   /* what the PDF check recorded, one per line; NULL: none */
} vault_file;

/* One revision of a document, as recorded. */
typedef struct {
	char *doc;
	char *rev;
	char *type;
	char *title;      /* may be NULL */
	char **parts;
	size_t nparts;
	vault_file *files;
	size_t nfiles;
	unsigned seq;     /* 1 for a document's first revision, then 2, ...;
			   * 0 in a supplier's view, where it would count
			   * revisions the supplier may not see */
	char *added_by;
	char *org;        /* the adder's organization (NULL in early records) */
	int64_t added_at; /* seconds since the epoch, UTC */
	char commit[41];  /* the commit that recorded it */
	char *expires;    /* YYYY-MM-DD, the last day it is valid (a certificate,
			   * an approval), or NULL: it does not expire */
	char *review_by;  /* YYYY-MM-DD, when a controlled document is due for
			   * review as recorded with it, or NULL (a later review,
			   * vault_doc_review, sets the next: audit and the inbox) */

	/* Its state, from the records beside it: "recorded" (a certificate
	 * or report), "draft" (a drawing or spec not released), "released",
	 * "superseded" (a later revision was released: in a supplier's
	 * view, released to its organization), "obsolete" or "withdrawn"
	 * (by the organization that added it). */
	const char *state;
	char **to;        /* released to these organizations */
	size_t nto;
	char *release_reason;
	char *effective;  /* YYYY-MM-DD, or NULL */
	char *marking;    /* export control of its release (ITAR, EAR:ECCN, EAR99,
			   * CUI), or NULL; see vault_attest */
	char *licence;    /* the licence or exemption the release moves under, or NULL */
	char *released_by;
	int64_t released_at;
	char *obsolete_reason;
	char *obsoleted_by;
	int64_t obsoleted_at;
	char *withdrawn_reason;
	char *withdrawn_by;
	int64_t withdrawn_at;
} vault_revision;

typedef struct {
	vault_revision *items;
	size_t count;
} vault_revision_list;

void vault_revision_dispose(vault_revision *rev);
void vault_revision_list_free(vault_revision_list *list);

/* What to add.  `path` is read as a stream; "-" is not accepted here. */
typedef struct {
	const char *path;
	const char *name;   /* stored file name; NULL: basename of path */
	const char *doc;
	const char *type;
	const char *rev;    /* NULL: "A" for a new document, else the next */
	const char *title;  /* NULL: none */
	const char *const *parts;
	size_t nparts;
	const char *po;     /* attach to this PO too, in the same commit; may be NULL */
	const char *lot;    /* attach to this lot too; may be NULL */
	const char *meta;   /* EN 10204 data of a material-cert, JSON text
			     * (schemas/material-cert.schema.json); may be NULL */
	const char *expires;   /* YYYY-MM-DD: the last day the record is valid,
				* today or later; NULL: it does not expire */
	const char *review_by; /* YYYY-MM-DD: when a controlled document (drawing,
				* spec, model) is due for review, today or
				* later; NULL: none */
} vault_add_options;

/*
 * Add one revision of one document as one commit.  The content is
 * streamed once: hashed (SHA-1 for git, SHA-256 for the record), typed
 * by libmagic against the vault's allowlist for `type`, and stored.
 * On success `*out` (if out is not NULL) receives the recorded revision.
 */
int vault_doc_add(vault_revision *out, vault *v, const vault_add_options *opts);

/*
 * Add many revisions as one commit, written as one pack.  Either every
 * entry is recorded or none is; an error names the failing entry as
 * `entry N` (counting from 1).  `*count` receives the number recorded.
 */
int vault_doc_import(size_t *count, vault *v, const vault_add_options *entries,
		     size_t nentries);

/* A release: the revision goes to these organizations' suppliers. */
typedef struct {
	const char *const *to; /* organizations */
	size_t nto;
	const char *reason;    /* NULL: none */
	const char *effective; /* YYYY-MM-DD, NULL: now */
	const char *marking;   /* export control: ITAR, EAR:<ECCN>, EAR99 or CUI;
				* NULL: none.  Each organization must hold an
				* attestation clearing it (see vault_attest) */
	const char *licence;   /* the licence or exemption it moves under; NULL: none */
} vault_release_options;

/*
 * Add revision `add->rev` (required) of a drawing or spec and release it,
 * in one commit (buyer).  The previously released revision becomes
 * superseded.  A revision number that exists is refused.
 */
int vault_doc_release(vault_revision *out, vault *v, const vault_add_options *add,
		      const vault_release_options *release);

/*
 * Mark revision `rev` of `doc` obsolete (buyer); it must be named (NULL:
 * VAULT_EINVALID), as an acknowledgment names it.  It stays in the vault,
 * with the reason.
 */
int vault_doc_obsolete(vault *v, const char *doc, const char *rev, const char *reason);

/*
 * Record that revision `rev` (required) of controlled document `doc` (a
 * drawing, model or spec, neither obsolete nor withdrawn) was reviewed
 * and is next due for review on `next` (YYYY-MM-DD, after today), with
 * an optional `note`: one signed commit, by a buyer or quality.  Its
 * `next` replaces the revision's review_by (and any earlier review's)
 * in audit and the inbox.
 */
int vault_doc_review(vault *v, const char *doc, const char *rev, const char *next,
		     const char *note);

/*
 * Look up a revision.  `rev` NULL means the latest revision.  A supplier
 * (the acting key's user) sees only revisions released to its
 * organization and its organization's own uploads.
 */
int vault_doc_get(vault_revision *out, vault *v, const char *doc,
		  const char *rev);

/* Every revision of `doc` the viewer sees, oldest first (as vault_doc_get). */
int vault_doc_revisions(vault_revision_list **out, vault *v, const char *doc);

/*
 * What changed from revision `from` of `doc` (NULL: the one before `to`
 * that the viewer sees) to revision `to`, as JSON text: "changes", each
 * field of the record that differs ({field, from, to}: type, title,
 * parts, state, released to, release reason, effective, released by and
 * at), and "files", matched by name: added, removed, changed or unchanged
 * by SHA-256, a changed text file of up to 1 MiB with its unified diff
 * ("diff", read back and checked against its SHA-256), else a "note".
 * Both revisions as vault_doc_get shows them to the viewer.  *out is
 * malloc'd, the caller's to free.
 */
int vault_doc_diff(char **out, vault *v, const char *doc, const char *from, const char *to);

/*
 * Stream the bytes of file `index` of a revision to `fd`, checking them
 * against the recorded SHA-256 as they pass.  Returns VAULT_EVERIFY if
 * they do not match (the bytes have then already been written to fd).
 * Only rev->doc, rev->rev and `index` are taken from `rev`: the file is
 * the one vault_doc_get shows the viewer (VAULT_ENOTFOUND as it says).
 */
int vault_doc_cat(vault *v, const vault_revision *rev, size_t index, int fd);

typedef struct {
	const char *type;  /* NULL: any */
	const char *part;  /* NULL: any */
	const char *after; /* NULL: from the first; else the documents numbered after it */
	size_t limit;      /* the most to give (0: every one) */
	size_t skip;       /* how many to pass over first (a pager's page; after is cheaper) */
} vault_list_filter;

/*
 * The latest revision the viewer sees of every document matching
 * `filter`, by number (as vault_doc_get).  A long list is read a page
 * at a time: `limit` documents, then again `after` the last one given,
 * until a page comes back short (numbers compare byte by byte, as
 * strcmp does).
 */
int vault_doc_list(vault_revision_list **out, vault *v,
		   const vault_list_filter *filter);
/* How many documents vault_doc_list gives for `filter` (its after, limit and skip aside). */
int vault_doc_count(size_t *count, vault *v, const vault_list_filter *filter);

/* One entry of the audit trail: one commit. */
typedef struct {
	char commit[41];
	int64_t seq;    /* its place in the log, from 1 */
	int64_t time;
	char *author;
	char *op;       /* init, add, import, ... */
	char *summary;  /* the commit's subject line */
	char **subjects; /* "DOC@REV" for every revision it recorded */
	size_t nsubjects;
} vault_event;

typedef struct {
	vault_event *items;
	size_t count;
} vault_event_list;

void vault_event_list_free(vault_event_list *list);

/* ---- acknowledgments ---------------------------------------------------- */

/* A signed acknowledgment of one revision, as recorded. */
typedef struct {
	char *doc;
	char *rev;
	char *name;        /* its statement's file name, e.g. "sam-received.json" */
	char *signer;      /* printed name of the signer */
	char *org;
	char *fingerprint; /* of the signing key */
	char *meaning;     /* received, reviewed, approved, rejected */
	char *comment;     /* may be NULL */
	int64_t time;
	char commit[41];
} vault_ack_info;

typedef struct {
	vault_ack_info *items;
	size_t count;
} vault_ack_list;

void vault_ack_list_free(vault_ack_list *list);

/* The SSHSIG namespace an acknowledgment is signed in (ssh-keygen -Y sign -n). */
#define VAULT_ACK_NAMESPACE "qvault-ack"

/* The meanings of an acknowledgment: received, reviewed, approved, rejected. */
extern const char *const vault_ack_meanings[];

/*
 * Sign, as the acting supplier, a statement that it received (reviewed,
 * approved, rejected) exactly revision `rev` of `doc`: the SHA-256 of
 * each of its files, the vault, the signer's name, organization and key,
 * the meaning and the time, as an in-toto Statement v1, signed in SSHSIG
 * namespace "qvault-ack".  The revision must be the released one and
 * distributed to the signer's organization; "rejected" needs a comment.
 */
int vault_ack(vault *v, const char *doc, const char *rev, const char *meaning,
	      const char *comment);

/*
 * Acknowledging through `qvault shell`, where the server holds no
 * supplier's key: the vault makes the statement the acting user would
 * sign (vault_ack_statement), the user signs it on its own side
 * (vault_ack_sign: only a statement for what it asked, with its comment,
 * naming its own key, dated within ten minutes of its clock), and the
 * vault takes it (vault_ack_submit) only if it is exactly that
 * statement, made within ten minutes, signed by the user's registered
 * key.  The signature is stored in its one spelling, whichever of the
 * valid ones the signer's tool gave: ssh-keygen's armor, for ECDSA the
 * low s (stock ssh-keygen gives the high one half the time).
 */
int vault_ack_statement(char **out, vault *v, const char *doc, const char *rev,
			const char *meaning, const char *comment);
int vault_ack_sign(char **sig, const vault_key *key, const char *stmt, size_t len,
		   const char *doc, const char *rev, const char *meaning, const char *comment);
int vault_ack_submit(vault *v, const char *stmt, size_t len, const char *sig);

/*
 * Acknowledgments of `doc` (of `rev` if not NULL), oldest first.  A
 * document (revision) the viewer may not see is VAULT_ENOTFOUND, as
 * vault_doc_get says it; a supplier sees its own organization's.
 */
int vault_acks(vault_ack_list **out, vault *v, const char *doc, const char *rev);

/* A released revision an organization has not acknowledged. */
typedef struct {
	char *doc;
	char *rev;
	char *org;
	int64_t released_at;
} vault_pending_item;

typedef struct {
	vault_pending_item *items;
	size_t count;
} vault_pending_list;

void vault_pending_list_free(vault_pending_list *list);

/*
 * Revisions distributed and not acknowledged, oldest release first, of
 * `org` if not NULL; a supplier sees its own organization's only.
 */
int vault_pending(vault_pending_list **out, vault *v, const char *org);

/*
 * Write each acknowledgment of DOC@REV to the new folder `dir` as NAME
 * (the stored statement bytes) and NAME.sig, with an allowed_signers file
 * naming each signer "NAME@ORG", so that `ssh-keygen -Y verify -f
 * allowed_signers -I NAME@ORG -n qvault-ack -s NAME.sig < NAME` checks it,
 * and NAME.sig.tsr, its RFC 3161 timestamp token, where it has one
 * (`openssl ts -verify -in NAME.sig.tsr -data NAME.sig -CAfile TSA-CA`).
 * The acknowledgments are those vault_acks shows the viewer.
 */
int vault_ack_export(vault *v, const char *doc, const char *rev, const char *dir);

/*
 * A person's act signed apart from its commit, as through the portal,
 * where the server signs the commits: a PO acknowledgment, an FAI
 * disposition, an NCR's close.  First the record the act would write,
 * made by the vault and written nowhere (`statement` set: *statement gets
 * it, malloc'd); then that record byte for byte, made within ten minutes
 * and signed by the acting user's registered key (`record`, `len`, `sig`:
 * an armored SSHSIG over it in the act's namespace), written with the
 * signature beside it as NAME.json.sig, so that ssh-keygen -Y verify
 * checks the act with the record and the signer's key alone.  A record
 * the vault would now make otherwise (the PO changed, another answer came
 * first) is refused: the act is to be signed again.
 */
typedef struct {
	char **statement;
	const char *record;
	size_t len;
	const char *sig;
} vault_signing;

/* The SSHSIG namespaces of the acts signed so. */
#define VAULT_PO_ACK_NAMESPACE "qvault-po-ack"
#define VAULT_FAI_DISPOSITION_NAMESPACE "qvault-fai-disposition"
#define VAULT_NCR_CLOSE_NAMESPACE "qvault-ncr-close"
#define VAULT_FORECAST_ACK_NAMESPACE "qvault-forecast-ack"
/* An evidence bundle's SHA256SUMS, signed by the server and its exporter. */
#define VAULT_BUNDLE_NAMESPACE "qvault-bundle"

/* ---- purchase orders and lots -------------------------------------------- */

/* One line of a purchase order: the part, how many, and the drawing
 * revision it must be built to. */
typedef struct {
	unsigned line;     /* 1, 2, ... */
	const char *part;
	uint64_t qty;
	const char *doc;   /* the drawing */
	const char *rev;   /* the revision it requires */
	const char *due;   /* YYYY-MM-DD, may be NULL */
	const char *unit;  /* its unit of measure (X12 355: EA, LB, FT...); NULL: EA */
	const char *pack_unit; /* a pack the supplier may ship in (CA...); NULL: CA */
	uint64_t pack_size;    /* how many `unit` one pack_unit holds; 0: none */
	/* a blanket agreement: qty is the total called off by releases
	 * (vault_po_release) due from valid_from to valid_until (YYYY-MM-DD,
	 * both or neither); a blanket line has no due date of its own */
	const char *valid_from;
	const char *valid_until;
} vault_po_line;

typedef struct {
	const char *po;
	const char *supplier; /* the supplier organization */
	const vault_po_line *lines;
	size_t nlines;
} vault_po;

/*
 * Record a purchase order (buyer).  Its supplier must be an organization
 * with users; each line's DOC@REV must be in the vault.
 */
int vault_po_add(vault *v, const vault_po *po);

/* What one step of a change order does to a PO. */
typedef enum {
	VAULT_PO_EDIT,      /* an open line's quantity, due date or required revision */
	VAULT_PO_ADD_LINE,  /* a new line, numbered after the last */
	VAULT_PO_CANCEL,    /* an open line, or every open line (line 0) */
	VAULT_PO_CLOSE      /* likewise, closed short: nothing more is to come */
} vault_po_change_op;

typedef struct {
	vault_po_change_op op;
	unsigned line;          /* EDIT: the line; CANCEL, CLOSE: the line, 0 every open one */
	uint64_t qty;           /* EDIT: the new quantity, 0 unchanged; ADD_LINE: its quantity */
	const char *part;       /* ADD_LINE */
	const char *doc, *rev;  /* the revision required: EDIT, NULL unchanged; ADD_LINE */
	const char *due;        /* EDIT: the new due date, NULL unchanged; ADD_LINE: NULL none */
	/* what a file (an X12 860) says of the line, NULL when it says nothing:
	 * EDIT: the line's part and the unit qty is in, refused when they are
	 * not the line's; ADD_LINE: the new line's unit (NULL: EA) */
	const char *part_said;
	const char *unit;
	unsigned number_said;   /* ADD_LINE: the number the file gives it, 0 any: refused unless the next */
	int qty_way;            /* EDIT: +1 the file says qty is an increase (860 QI), -1 a decrease (QD), 0 either */
} vault_po_edit;

/*
 * A change order (buyer): the PO's next revision, the whole PO as `edits`
 * leave it, with `reason`, in one signed commit; the revisions before are
 * kept.  Refused: a PO whose every line is cancelled, a line cancelled or
 * closed, a quantity below what was received of the line, an obsolete
 * revision, a change that changes nothing.  *revision (if not NULL)
 * receives the revision made.  The supplier answers it with po ack.
 */
int vault_po_change(vault *v, const char *po, const vault_po_edit *edits, size_t n,
		    const char *reason, unsigned *revision);

/*
 * A release against blanket line `line` of PO `po` (buyer): `qty` of the
 * line's unit due on `due` (YYYY-MM-DD, within the line's validity), at
 * most the blanket's remaining quantity (its total less what earlier
 * releases called off).  One signed commit writing
 * pos/<h>/<h>/<PO>/releases/NNNNNN.json, numbered 1, 2, ... per PO;
 * *number (if not NULL) receives its number.  Refused: a line that is no
 * blanket or is not open, a cancelled PO, a quantity over what remains, a
 * due date outside the validity.  The supplier acknowledges it with
 * vault_po_ack_add (`release`).
 */
int vault_po_release(vault *v, const char *po, unsigned line, uint64_t qty, const char *due,
		     unsigned *number);

/*
 * Record every purchase order of a CSV file (header: po,supplier,line,
 * part,qty,doc,rev,due, optionally unit,pack_unit,pack_size and
 * valid_from,valid_until: a blanket line) or a JSON file
 * (schemas/po-import.schema.json) in one commit; one bad row refuses the
 * whole file, naming row and field.  An X12 850 or 860 is read as
 * vault_po_import_any says (an 860's change counts as 1).
 */
int vault_po_import(size_t *count, vault *v, const char *path);

/*
 * vault_po_import, which also reads an X12 interchange: 850 purchase
 * orders, recorded as the CSV's, or one 860 PO change, recorded as a
 * change order (vault_po_change: its reason the 860's first note, or its
 * number).  *count receives the POs recorded; for an 860 0, its PO into
 * `changed` (at least VAULT_NAME_MAX + 1 bytes) and the revision made into
 * *revision.  One commit either way; a refused file writes nothing.
 */
int vault_po_import_any(size_t *count, char *changed, size_t size, unsigned *revision, vault *v,
			const char *path);

/* A document revision named by a record. */
typedef struct {
	const char *doc;
	const char *rev;
} vault_doc_ref;

/* One input of a lot: what it was made from. */
typedef struct {
	const char *lot;
	uint64_t qty;      /* 0: not given */
} vault_lot_input;

typedef struct {
	const char *lot;
	const char *po;
	const char *part;  /* one of the PO's parts */
	uint64_t qty;
	const char *made;  /* YYYY-MM-DD, may be NULL */
	const char *shipped;
	const vault_lot_input *from;
	size_t nfrom;
	const vault_doc_ref *docs; /* documents attached with the lot */
	size_t ndocs;
} vault_lot;

/*
 * Record a lot of a PO (a supplier of the PO's organization, or quality),
 * with the lots it was made from and the documents that come with it
 * (certificates, reports: recorded revisions, attached as by vault_link).
 * Its inputs must be recorded lots.
 */
int vault_lot_add(vault *v, const vault_lot *lot);

/* A lot bought from the supplier's own suppliers, without a buyer's PO. */
typedef struct {
	const char *lot;             /* a heat, a batch: scoped to the organization */
	const char *part;
	uint64_t qty;
	const char *source;          /* who it was bought from: the mill, the distributor */
	const vault_doc_ref *cert;   /* its certificate (a revision the actor may see), or NULL */
} vault_subtier_lot;

/*
 * Record a sub-tier lot for the acting supplier's organization (a
 * supplier only: a buyer or quality records none).  Its name is the
 * organization's: another organization's lot of the same name is neither
 * in the way nor named; one of its own organization's (sub-tier or of a
 * PO) is VAULT_EEXISTS.  Its PO lots draw from it with --from, never
 * beyond its quantity.
 */
int vault_lot_add_subtier(vault *v, const vault_subtier_lot *lot);

/*
 * Record every lot of a CSV file (header: lot,po,part,qty,made,shipped,
 * from[,docs]; `from` as "LOT[:QTY];LOT[:QTY]", `docs` as
 * "DOC@REV;DOC@REV") or JSON file (schemas/
 * lot-import.schema.json) in one commit.  Inputs may be earlier lots or
 * lots of the same file; a cycle, or one bad row, refuses the whole file.
 */
int vault_lot_import(size_t *count, vault *v, const char *path);

/*
 * Record the First Article Inspection package at `package` (a zip with
 * fai.json, schemas/fai.schema.json): its structure checked before its
 * manifest is read, its manifest and Form 3 checked, the drawing revision
 * found in the vault; stored as revision NEXT of document FAIR (type
 * "fai"), one blob per member, attached to its part, and to `po` (or
 * Form 1's PO) and `lot` when given.  A supplier of Form 1's organization
 * or quality may submit.
 */
int vault_fai_add(vault_revision *out, vault *v, const char *package, const char *po,
		  const char *lot);

/*
 * Every check `fai add` makes of the package at `package` that needs no
 * more of the vault than its upload limit, as JSON text (*out, malloc'd,
 * the caller's to free): "error" (the first refusal's message, or null),
 * "field" (what it is about: "file", a Form 1 field's name, "form3", or
 * null), "form1" (as the package gives it, or null), "form1_checks"
 * (each field of Form 1 checked on its own: its refusal, or null), and
 * "form3": each characteristic with its "conforms" (true, false, null)
 * and its own "error" (null when it passes), read even when Form 1 is
 * refused.  What the vault decides (the drawing, PO, lot, who may
 * submit) is not checked here.
 */
int vault_fai_check(char **out, vault *v, const char *package);

/*
 * The FAI recorded as FAIR (its latest revision, or `rev`) as JSON: the
 * three forms, Form 3 from its CSV when it came so, each characteristic
 * with "conforms" (true, false, or null when its requirement is text),
 * and the package's structure.
 */
int vault_fai_show(char **out, vault *v, const char *fair, const char *rev);

/*
 * The buying side's disposition of FAI report FAIR@REV (buyer or
 * quality): accepted (with an optional `note`), or rejected with a
 * `reason`, one signed record, once per revision: the supplier answers a
 * rejection with the report's next revision.
 */
int vault_fai_dispose(vault *v, const char *fair, const char *rev, int accept,
		      const char *reason, const char *note);

/* The same, signed by the one deciding apart from the commit (vault_signing). */
int vault_fai_dispose_signed(vault *v, const char *fair, const char *rev, int accept,
			     const char *reason, const char *note, const vault_signing *s);

/*
 * The EN 10204 data of material certificate DOC@REV as the vault stores
 * it (cert.json: type, number, manufacturer, product, grade, heat,
 * quantity, issue date, inspector, chemistry, mechanical results), JSON
 * text; VAULT_ENOTFOUND when the revision carries none, or is one the
 * viewer may not see.
 */
int vault_cert_data(char **out, vault *v, const char *doc, const char *rev);

/*
 * Withdraw DOC@REV, an upload of the acting user's organization, with
 * `reason`: the revision and its files stay, shown as withdrawn, and count
 * for nothing any more (a withdrawn certificate closes no audit gap).
 * Refused: another organization's upload, a released revision (made
 * obsolete instead), one withdrawn already.
 */
int vault_withdraw(vault *v, const char *doc, const char *rev, const char *reason);

/*
 * Write the files of folder `dir` (fai.json and what it names, nothing
 * else) as a package at `out`: checked as `fai add` checks a manifest,
 * members in name order, fixed times and modes, so the same folder gives
 * the same bytes.  Refuses an `out` that exists (VAULT_EEXISTS).
 */
int vault_fai_pack(const char *dir, const char *out);

/*
 * Start folder `dir` (which must not exist) for an FAI package of part
 * `part` to DOC@REV (a revision the actor may see), for PO `po` if not
 * NULL: fai.json with every field of Forms 1-3, what the vault knows
 * filled in (part, drawing and revision, the actor's organization, the
 * PO) and the rest empty to fill, and form3.csv with its header, one row
 * to add per characteristic of the drawing.  `fai pack` refuses it until
 * it is filled.
 */
int vault_fai_init(vault *v, const char *dir, const char *part, const char *drawing,
		   const char *rev, const char *po);

/* What an evidence bundle is about. */
typedef enum { VAULT_EXPORT_LOT, VAULT_EXPORT_PO, VAULT_EXPORT_DOC } vault_export_kind;

/*
 * Write the evidence bundle of a lot, a PO or DOC@REV (`rev` only for a
 * document) to the new zip `out`: every document revision its trace
 * reaches (documents/DOC@REV/FILE), each acknowledgment of them with its
 * signature (acks/DOC@REV/NAME and NAME.sig; for a lot or a PO only those
 * of the suppliers its trace names), allowed_signers (the keys of who
 * signed what the bundle holds, no other user's), the trace
 * (trace.json, trace.txt), the signed commits that wrote each revision
 * (history.bundle, listed in HISTORY.txt), VERIFY.txt with the stock
 * commands that check it, SHA256SUMS of all of that, and SHA256SUMS signed
 * in namespace VAULT_BUNDLE_NAMESPACE by the vault's server key
 * (qvault/server.pem) and by the acting user's key when one acts
 * (SHA256SUMS.NAME@ORG.sig each).  The same vault state gives the same
 * bytes (with Ed25519 keys: an ECDSA signature differs each time).  No
 * server key (or one that is not the server user's) is an error: a
 * bundle is never written unsigned.
 */
int vault_export(vault *v, vault_export_kind kind, const char *name, const char *rev,
		 const char *out);

/*
 * Who signs the bundles the acting identity exports: one line per signer,
 * "NAME@ORG SHA256:..." (its key's fingerprint as ssh-keygen -l prints
 * it), the server first; `*out` is malloc'd, the caller's.  The auditor
 * must get these apart from the bundle, which carries its own
 * allowed_signers: they are the trust anchor its VERIFY.txt compares with.
 */
int vault_export_signers(char **out, vault *v);

/*
 * The lots of lot `lot` (its trace: the lot, the lots it was made from
 * and those made from it) or of PO `po` (its lots and their traces), or
 * with neither every lot the viewer sees, as an EPCIS 2.0 document
 * (JSON-LD, GS1's EPCIS 2.0 JSON Schema): a TransformationEvent for a lot
 * made from lots, ObjectEvents for a lot made from none, its shipments,
 * receipts, FAI packages and their dispositions, and its NCRs (epcis.c
 * names the vocabulary and the identifiers).  `since` (YYYY-MM-DD, or
 * NULL) keeps the events of that day and after.  Each read is the
 * viewer's: a lot or PO it may not see is refused as by trace
 * (VAULT_ENOTFOUND), and another organization's lots and records are left
 * out.  `*out` is malloc'd, the caller's; `*nevents` and `*ntransform`
 * count its events and its TransformationEvents.  The same vault state
 * gives the same bytes.
 */
int vault_export_epcis(char **out, size_t *nevents, size_t *ntransform, vault *v,
		       const char *lot, const char *po, const char *since);

/* What a document revision can be attached to. */
typedef enum { VAULT_LINK_PO, VAULT_LINK_LOT, VAULT_LINK_PART } vault_link_kind;

/*
 * Attach DOC@REV to a PO, a lot or a part number: a buyer or quality
 * anywhere, a supplier to its own organization's POs and lots.
 */
int vault_link(vault *v, const char *doc, const char *rev, vault_link_kind kind,
	       const char *target);

/*
 * Compliance gaps as JSON text (schemas/trace.schema.json), `*count` of
 * them open (the waived ones are listed too, last): lots without a
 * certificate of conformity; lots whose upstream material lot has no
 * material certificate; lots made before their
 * supplier acknowledged the revision their PO line requires; PO lines
 * requiring a superseded or obsolete revision; parts shipped at a drawing
 * revision with no FAI on record; revisions distributed and not
 * acknowledged after `ack_days` days; certificates and approvals past
 * their expiry date, or used by a lot after it (attached to it, or the
 * lot shipped); controlled documents past their review date.  Expiries
 * and reviews coming within `expiry_days` days (< 0: git config
 * qvault.expiryDays, else 30) are listed too, as "due", never open.
 * Only `org`'s records if not NULL; a supplier's own only (another `org`
 * is refused).
 */
int vault_audit(char **out, size_t *count, vault *v, const char *org, unsigned ack_days,
		int expiry_days);

/*
 * The same gaps one at a time, in the same order, each as a JSON object
 * {"gap", "what", "records", "id", "state", "waiver"} (canonical text,
 * valid during the call), so that a vault with a million gaps is audited
 * in constant memory: the open gaps first, then those waived until today
 * or later (state "waived"; only these are kept in memory).  A gap's id
 * is null to a viewer who does not see every record it is made of.  A
 * non-zero return from `cb` stops the audit and is returned.
 */
typedef int (*vault_gap_cb)(void *payload, const char *gap_json);
int vault_audit_each(vault *v, const char *org, unsigned ack_days, int expiry_days,
		     vault_gap_cb cb, void *payload);

/*
 * Waive the audit gap `id` (as `audit` names it) until the date `until`
 * (YYYY-MM-DD, from today to a year from today), with `reason`: one
 * signed record, by quality.  A gap waived is listed apart and is no
 * longer open until that day has passed; a waiver is never taken back,
 * another may follow it.
 */
int vault_audit_waive(vault *v, const char *id, const char *reason, const char *until);

/*
 * The trace of a lot as JSON text (schemas/trace.schema.json): PO and
 * supplier, part, the drawing revision the PO line requires and the one in
 * effect when the lot was made, the supplier's acknowledgment of it, and
 * the genealogy up and down.  `*out` is malloc'd.  A supplier traces its
 * organization's lots only (another's: "no lot"), and sees in the trace
 * only its organization's lots and the revisions it may see.
 */
int vault_trace_lot(char **out, vault *v, const char *lot);

/*
 * The same, for lot `lot` of organization `org` (NULL: the viewer's, for
 * a supplier): a sub-tier lot of an organization (vault_lot_add_subtier)
 * is traced down, to the lots made from it; a supplier's own sub-tier lot
 * comes before a PO lot of the name, another organization's is not
 * found.  A viewer who sees all and names no `org` gets the PO lot of the
 * name, else the one organization's sub-tier lot (VAULT_EINVALID, naming
 * them, when several hold one).
 */
int vault_trace_lot_in(char **out, vault *v, const char *lot, const char *org);

/*
 * Where DOC@REV is used, as JSON text: the PO lines requiring it, the lots
 * built to it, and the lots made from those, downstream.  The revision
 * must be one the viewer sees; a supplier sees its own PO lines and lots.
 */
int vault_trace_doc(char **out, vault *v, const char *doc, const char *rev);

/*
 * A PO as JSON text: lines, lots, attached documents, acknowledgments.
 * A supplier traces its organization's POs only (another's: "no PO"),
 * and sees in the trace only the revisions it may see.
 */
int vault_trace_po(char **out, vault *v, const char *po);

/* ---- the supplier portal ------------------------------------------------- */

/*
 * A supplier's acknowledgment of a PO (or of one line): accepted with a
 * promised ship date (and quantity), or rejected with a reason.  A later
 * acknowledgment is recorded beside the earlier ones, never replacing
 * them, so a slipping promise stays visible.
 */
typedef struct {
	const char *po;
	unsigned line;        /* 0: the whole PO */
	int reject;
	const char *promise;  /* YYYY-MM-DD; required unless reject */
	uint64_t qty;         /* 0: not given (only with a line) */
	const char *note;     /* may be NULL */
	const char *reason;   /* required with reject, else NULL */
	/* the PO's revision it answers (0: the PO as issued, N: change order
	 * N), which must be its latest; -1: whichever is latest */
	long revision;
	/* a release against a blanket line of the PO (vault_po_release) the
	 * answer is of, 0: the PO itself; with a release, no line or qty */
	unsigned release;
} vault_po_ack;

/*
 * Record acknowledgments acks[0..n) in one commit, as the acting supplier,
 * of its own organization's POs only.  A promise before the order date, an
 * unknown line or a quantity over the line's is refused; with n > 1 an
 * error names `ack N`.
 */
int vault_po_ack_add(vault *v, const vault_po_ack *acks, size_t n);

/* One acknowledgment signed by its signer apart from the commit (vault_signing). */
int vault_po_ack_signed(vault *v, const vault_po_ack *ack, const vault_signing *s);

/* The production states a supplier reports. */
extern const char *const vault_status_names[];

typedef struct {
	const char *po;
	unsigned line;        /* 0: the whole PO */
	const char *status;   /* one of vault_status_names */
	const char *note;     /* may be NULL */
} vault_status_report;

/*
 * Record status reports[0..n) in one commit (a supplier of the PO's
 * organization), each timestamped, kept in history.  A line received in
 * full is closed: a status for it (or for a PO whose lines are all
 * closed) is refused.
 */
int vault_status_add(vault *v, const vault_status_report *reports, size_t n);

/*
 * Record every status report of a CSV file (header: po,line,status,note;
 * line 0 or empty for the whole PO) or JSON file (schemas/
 * status-import.schema.json) in one commit.
 */
int vault_status_import(size_t *count, vault *v, const char *path);

/*
 * One package of a ship notice: its id and the lot and quantity in it;
 * the part numbers its sender names (X12: LIN's BP, IN, PN, VP), of which
 * one must be the lot's part (none named: not checked).
 */
typedef struct {
	const char *id;
	const char *lot;
	uint64_t qty;
	const char *const *parts;
	size_t nparts;
	const char *unit;     /* of qty (X12: SN103); NULL: the PO line's; the line's pack
			       * unit is converted by its pack size, another is refused */
} vault_asn_package;

/*
 * An advance ship notice: what one PO's shipment holds.  `replaces` names
 * the notice in force it replaces (asn is then that number, or NULL);
 * `cancels` makes it a cancellation of that notice, with no other field
 * but `reason`.
 */
typedef struct {
	const char *asn;       /* its number; NULL: the next ASN-NNNNNN */
	const char *po;
	const char *ship_date; /* YYYY-MM-DD */
	const char *carrier;   /* may be NULL */
	const char *tracking;  /* may be NULL */
	const vault_asn_package *packages;
	size_t npackages;
	const char *replaces;  /* may be NULL */
	const char *cancels;   /* may be NULL */
	const char *reason;    /* of a cancellation; may be NULL */
	const char *shipment;  /* of a replacement (import only): the shipment of several
				* orders, notices SHIPMENT+PO, that the file replaces whole */
} vault_asn;

/*
 * Record ship notice `asn` (a supplier of its PO's organization); its
 * number goes to `id` (size bytes) when `id` is not NULL.  Refused when a
 * lot is unknown or of another PO, or a line would ship more than its
 * open quantity (ordered less shipped before).  A lot with audit gaps (no
 * CoC, its required revision not acknowledged) is recorded with the gaps
 * named in the ship notice, and each is reported to the warning callback.
 */
int vault_asn_add(vault *v, const vault_asn *asn, char *id, size_t size);

/*
 * Cancel ship notice `asn` (its supplier's user or a buyer), `reason` may
 * be NULL: recorded beside it (asns/.../<ASN>/cancel.json), its packages
 * no longer count as shipped.  Refused when it is unknown (or another
 * organization's), cancelled already or received.
 */
int vault_asn_cancel(vault *v, const char *asn, const char *reason);

/*
 * Record every ship notice of a file in one commit: JSON (one ship notice
 * or a list, schemas/asn.schema.json) or an X12 856 interchange (each
 * transaction set one ship notice).  One bad notice refuses the file.
 */
int vault_asn_import(size_t *count, vault *v, const char *path);

/*
 * What the X12 interchange in file `path` reads as, writing nothing and
 * needing no vault: *json (the caller's, free()) is the list an import
 * takes, indented, keys sorted, and *shape says which: "asn" for an 856
 * (schemas/asn.schema.json), "forecast" for an 830 or 862
 * (schemas/forecast-import.schema.json), "po" for an 850
 * (schemas/po-import.schema.json), "po-change" for an 860
 * (schemas/po-change-import.schema.json).  The first transaction set
 * decides; a set of another kind after it is refused.  VAULT_EINVALID
 * with one line naming the segment when the interchange is refused.
 * With VAULT_EDI_SUMMARY, a row per item of that list instead: a
 * schedule's schedule, supplier, part, ship_to, issued, buckets (how
 * many), first and last (their starts), qty (their total); a ship
 * notice's asn (or the one it cancels), po, ship_date, packages (how many);
 * a PO's po, supplier, lines (how many), qty (their total), blanket; a
 * change order's po, supplier, purpose (change, cancel), lines (changed).
 * What qvault writes reads too: a 997 as *shape "997", a list of groups
 * (group, control, status, included, received, accepted, code, and its
 * sets: set, control, status, code, errors: segment, position,
 * segment_code, element, element_code, value); an 855 as "855", a list
 * of acknowledgments (po, po_date, answered, decision, line, qty,
 * promise, note, reason); the summary is the same list.
 */
#define VAULT_EDI_SUMMARY 1u
int vault_edi_read(char **json, const char **shape, const char *path, unsigned flags);

/*
 * Who an X12 interchange qvault writes is from and to, and its number:
 * sender and receiver as QUAL:ID (ISA05:ISA06, ISA07:ISA08, and GS02,
 * GS03; the id at most 15 characters), NULL for ZZ:QVAULT and
 * ZZ:PARTNER (a 997: the interchange's receiver and sender, swapped);
 * control (ISA13, GS06) 1 to 999999999, 0 for one from the clock; when
 * the date and time written (0: now).
 */
typedef struct {
	const char *sender;
	const char *receiver;
	unsigned long control;
	time_t when;
} vault_x12_ids;

/* 0 when the ids are ones a writer takes, else VAULT_EINVALID naming the one that is not. */
int vault_x12_ids_check(const vault_x12_ids *ids);

/*
 * vault_asn_import and vault_forecast_import, answering an X12 file with
 * its 997 functional acknowledgment in *ack997 (the caller's, free();
 * NULL when the file is not X12 or no functional group of it could be
 * read): every set accepted (AK5*A) when it was imported; when the
 * reader refused it, the set in error rejected with the segment (AK3:
 * its id and position in the set) and, when the reader knows it, the
 * element (AK4); when the vault refused what it says, every set
 * rejected (AK5*R*5, no segment).  The return and the error are the
 * import's; a file the reader took whose 997 cannot be written (its
 * envelope holds '*', '~' or '>', read under other separators) is
 * refused before anything is recorded.
 */
int vault_asn_import_ack(size_t *count, char **ack997, vault *v, const char *path,
			 const vault_x12_ids *ids);
int vault_forecast_import_ack(size_t *count, char **ack997, vault *v, const char *path,
			      const vault_x12_ids *ids);

/*
 * The ship notices in force (of `org` when not NULL; a supplier: its
 * own) as one X12 856 interchange, a set per notice (BSN, HL S/O/P/I,
 * TD5, REF*CN, DTM*011, PRF, MAN*GM, LIN*BP, SN1 in the PO line's unit,
 * REF*LT), which `asn import` reads back to the same notices.
 */
int vault_asn_export_x12(char **out, vault *v, const char *org, const vault_x12_ids *ids);

/*
 * Every PO acknowledgment (`po ack`; of `org` when not NULL; a supplier:
 * its own) as one X12 855 interchange, a set per acknowledgment: BAK
 * (AC accepted, RJ rejected; the PO, its date, the answer's date), for a
 * whole PO DTM*068 the promise, for a line PO1 and ACK (IA or IR, the
 * quantity, 068 the promise), N9*L1 and MSG the note or the reason.
 */
int vault_po_ack_export_x12(char **out, vault *v, const char *org, const vault_x12_ids *ids);

/* What was received of one lot of a ship notice. */
typedef struct {
	const char *lot;
	uint64_t qty;
} vault_receipt_item;

typedef struct {
	const char *asn;
	const char *date;      /* YYYY-MM-DD received; NULL: today */
	const vault_receipt_item *items; /* lots not named: received as shipped */
	size_t nitems;
	const char *note;      /* may be NULL */
} vault_receipt;

/*
 * Record receipts[0..n) in one commit (buyer or quality): each lot's
 * quantity received beside what was shipped, so discrepancies show.  A
 * ship notice is received once.
 */
int vault_asn_receive(vault *v, const vault_receipt *receipts, size_t n);

/* The dispositions of a nonconformance. */
extern const char *const vault_dispositions[];

typedef struct {
	const char *lot;
	const char *reason;
	const char *disposition; /* proposed; may be NULL */
	const vault_doc_ref *docs; /* documents it cites */
	size_t ndocs;
} vault_ncr;

/*
 * Open a nonconformance report on a lot (quality or buyer), linked to
 * the lot, its PO and supplier, and the documents it cites; its number
 * (NCR-NNNNNN) goes to `id`.
 */
int vault_ncr_add(vault *v, const vault_ncr *ncr, char *id, size_t size);

/* Close an open nonconformance report with a disposition (quality or buyer). */
int vault_ncr_close(vault *v, const char *ncr, const char *disposition, const char *note);

/* The same, signed by the one closing it apart from the commit (vault_signing). */
int vault_ncr_close_signed(vault *v, const char *ncr, const char *disposition, const char *note,
			   const vault_signing *s);

/*
 * Nonconformance reports as JSON text (a list, schemas/portal-output.schema.json),
 * `org`'s only when not NULL; a supplier sees its own.
 */
int vault_ncr_list(char **out, vault *v, const char *org);

/*
 * One nonconformance report as JSON text (an ncr of schemas/portal-
 * output.schema.json, as the list has it); to a supplier, another
 * organization's is VAULT_ENOTFOUND, as one that does not exist.
 */
int vault_ncr_show(char **out, vault *v, const char *ncr);

/* What an export writes. */
typedef enum { VAULT_EXPORT_JSON, VAULT_EXPORT_CSV } vault_export_format;

/*
 * Ship notices (one row per package: asn, po, supplier, ship_date,
 * carrier, tracking, package, lot, line, part, qty, received) or status
 * reports (po, line, seq, status, note, org, reported_by, reported_at) as
 * JSON (schemas/portal-output.schema.json) or CSV,
 * `org`'s only when not NULL; `*out` is malloc'd.  A supplier sees its own.
 */
int vault_asn_export(char **out, vault *v, const char *org, vault_export_format format);
int vault_status_export(char **out, vault *v, const char *org, vault_export_format format);

/*
 * The scorecard of every supplier (or of `org`) as JSON text (schemas/
 * scorecard.schema.json): on-time delivery against the promised and the
 * due date, quantity accuracy, days to acknowledge a drawing revision and
 * a PO (average, worst), FAI first-pass acceptance, NCRs (all, open),
 * certificate gaps, and on-time delivery by month.  `from` and `to`
 * (YYYY-MM-DD, may be NULL) bound the events counted.  One SQL pass over
 * the index per metric.  A supplier sees only its own.
 */
int vault_scorecard(char **out, vault *v, const char *org, const char *from, const char *to);

/*
 * Where a supplier's orders stand, as JSON text (schemas/
 * portal-output.schema.json); `*out` is malloc'd.  A supplier sees its
 * organization's only: another's PO or ship notice is "no PO 'PO-9'" (or
 * "no ship notice"), exactly as one that does not exist.
 *
 * vault_po_list: every PO (of `supplier` if not NULL: the buying side's
 * filter; a supplier naming another organization is refused), open ones
 * only when `open_only` (a line not yet received in full), by number,
 * each with its totals ordered, shipped and received, its earliest due
 * date, its latest promise and answer, and "open" or "closed".
 * vault_po_show: one PO with the same, and each line's part, quantity,
 * required drawing revision, due date, the promise of the latest
 * acknowledgment of it (or of the whole PO), what ship notices carried
 * and receipts counted of it, and every acknowledgment in order.
 * vault_po_acks: that list of acknowledgments alone.
 */
int vault_po_list(char **out, vault *v, const char *supplier, int open_only);
/*
 * The same list, `take` POs from the `skip`th, and in `*total` how many the
 * viewer may see in all: a page costs its own rows, not the whole list's.
 */
int vault_po_list_page(char **out, size_t *total, vault *v, size_t skip, size_t take);
int vault_po_show(char **out, vault *v, const char *po);
int vault_po_acks(char **out, vault *v, const char *po);

/*
 * vault_asn_list: every ship notice (of PO `po` if not NULL, a PO the
 * viewer sees), by number, with its package count, quantity shipped and
 * received.  vault_asn_show: one ship notice with its packages, its lots
 * (shipped, received) and its receipt.
 */
int vault_asn_list(char **out, vault *v, const char *po);
int vault_asn_show(char **out, vault *v, const char *asn);

/*
 * Forecasts (planning schedules, an X12 830's content) and delivery
 * schedules (an 862's), per part, supplier and ship-to, each a numbered
 * revision replacing the one before (forecast.h).
 *
 * vault_forecast_import: the schedules of FILE (JSON or CSV, as
 * schemas/forecast-import.schema.json describes) in one commit, or none;
 * a buyer's.  *count is the number recorded.
 */
int vault_forecast_import(size_t *count, vault *v, const char *path);

/*
 * A supplier's answer to the latest revision of its organization's
 * schedule of `part` to `ship_to` (`schedule`: "forecast", the default
 * when NULL, or "delivery"): a commitment to its firm zone (`commit`), or
 * a counter-proposal of quantities for buckets starting on `dates`
 * (`nbuckets` of them).  `revision` (0: the latest) names the revision
 * answered; an older one is refused.  Signed by the acting key beside
 * its record, as an acknowledgment is.  *answered is the revision the
 * answer names (without `revision`, the latest: one the supplier may not
 * have seen yet, so a caller says which).
 */
typedef struct {
	const char *part, *ship_to, *schedule;
	long revision;
	int commit;
	const char *const *dates;
	const unsigned long long *qty;
	size_t nbuckets;
	const char *note;
} vault_forecast_answer;
int vault_forecast_ack(long *answered, vault *v, const vault_forecast_answer *a);
/* The same, signed by the supplier apart from the commit (vault_signing). */
int vault_forecast_ack_signed(vault *v, const vault_forecast_answer *a, const vault_signing *s);

/*
 * The schedules of part `part` (of supplier `org` and ship-to `ship_to`
 * when not NULL) as the viewer may see them (a supplier: its own), as a
 * grid by ISO week (schemas/output.schema.json#/$defs/forecast_show) or,
 * with VAULT_EXPORT_CSV, one CSV row per week; `today` (YYYY-MM-DD, NULL:
 * the clock) is where received is compared with required.  *out is
 * malloc'd.
 */
int vault_forecast_show(char **out, vault *v, const char *part, const char *org,
			const char *ship_to, const char *today, vault_export_format format);

/*
 * The acting user's open actions as JSON text (schemas/portal-output.
 * schema.json, inbox), oldest first, each with what it asks, its subject,
 * the supplier organization, the PO if any, since when and its age in
 * whole days.  A supplier's (its organization's only): revisions to
 * acknowledge, POs to answer, promised dates passed before all was
 * shipped, open NCRs on its lots, lots without a certificate of
 * conformity.  A buyer's: POs not answered and revisions not acknowledged
 * after `days` days, promised dates passed, receipts that differ from
 * their ship notice with no NCR on their lots.  Quality's: open NCRs and
 * those receipts.  Each leaves the inbox when the record answering it is
 * written.  An auditor's or admin's inbox is empty.
 */
int vault_inbox(char **out, vault *v, unsigned days);

/* ---- verification -------------------------------------------------------- */

/* One thing wrong, with where it was found. */
typedef struct {
	char commit[41]; /* the commit at fault, "" when not one commit's */
	char *subject;   /* the record or path involved, may be NULL */
	char *problem;   /* one line */
} vault_finding;

typedef struct {
	vault_finding *items;
	size_t count;
	size_t commits;    /* how much was checked */
	size_t signatures;
	size_t files;
	size_t acks;
} vault_findings;

void vault_findings_free(vault_findings *f);

/*
 * Check everything, trusting nothing but the first commit's admin key:
 * every commit is signed by a registered, unrevoked user whose roles, as
 * the history stood just before it, allow what it changes; history only
 * adds records; every acknowledgment's signature holds and names the
 * revision and file digests it is stored with; every stored file matches
 * its recorded SHA-256; the index agrees with the repository.
 *
 * Returns 0 with `*out` listing nothing, VAULT_EVERIFY with `*out`
 * listing the findings, or another error (then *out is NULL).  Refused
 * (VAULT_EDENIED) to a supplier: it reads every organization's records.
 */
int vault_verify(vault_findings **out, vault *v);

/*
 * verify over the commits the head leads to but `since` (a commit id, 40
 * hex digits, in the head's history) does not: `since` and what leads to
 * it are taken as verified already (what a server accepted before a
 * push), the ledger of lots read from its tree; only the revisions added
 * since have their bytes hashed again; the index is not compared (a
 * handle of vault_open_unindexed does).  VAULT_EINVALID when `since` is
 * not in the head's history.  Findings as vault_verify.
 */
int vault_verify_since(vault_findings **out, vault *v, const char *since);

/*
 * The audit trail, oldest first; with `name`, only the events touching
 * the document, PO or lot of that name: a document's adds, releases,
 * obsoletes, acknowledgments and links; a PO's creation, answers, status
 * reports, ship notices and receipts, lots, NCRs and links to it; a lot's
 * record, the ship notices that carry it, NCRs and links to it.  A name
 * that is none of these (or none the viewer may see) is VAULT_ENOTFOUND
 * naming it.  A supplier sees the events of its organization's users,
 * those recording revisions it may see (a release without the other
 * organizations it went to), and those that wrote its organization's
 * records and no other organization's.
 */
int vault_log(vault_event_list **out, vault *v, const char *name);

/*
 * The change feed: the events after the one of commit `after` (NULL:
 * from the first), `limit` at most, oldest first, as vault_log shows
 * them to the viewer.  Reads the log from `after` on, not the whole of
 * it.  An `after` that is no event the viewer may see is VAULT_ENOTFOUND
 * naming it, whether another's or none.
 */
int vault_log_after(vault_event_list **out, vault *v, const char *after, size_t limit);

/* Throw the index away and rebuild it from the repository alone. */
int vault_reindex(vault *v);

/* The SHA-256 of what `fd` holds from its offset on, as 64 hex digits. */
int vault_sha256_fd(char hex[65], int fd);

/* ---- hooks --------------------------------------------------------------- */

/* A sample hook qvault ships (the source tree's hooks/). */
typedef struct {
	const char *name;    /* pre-add, post-release, ... */
	const char *summary;
} vault_hook_sample;

/* The samples, ending with an entry whose name is NULL. */
const vault_hook_sample *vault_hook_samples(void);

/*
 * Copy sample `name` into the vault's hooks/ folder, executable.
 * *installed is 0 when the same hook was there already; a different one
 * there is VAULT_EEXISTS unless `force`.
 */
int vault_hooks_install(int *installed, vault *v, const char *name, int force);

/* ---- copies at other sites (replica.c) ------------------------------------ */

/* Name a copy of this vault at URL (file://, ssh://, git://, https://). */
int vault_remote_add(vault *v, const char *name, const char *url);

typedef enum {
	VAULT_PULL_UP_TO_DATE,   /* nothing to do */
	VAULT_PULL_FAST_FORWARD, /* one side moved on: it now has the other's history */
	VAULT_PULL_MERGED        /* both wrote: a signed merge commit joins them */
} vault_pull_kind;

typedef struct {
	vault_pull_kind kind;
	char commit[41];  /* our branch afterwards (pull), or what was pushed */
	char theirs[41];  /* the other side's branch before */
} vault_pull_result;

/*
 * Bring in the history of remote `name` (a configured name, or a URL; NULL
 * is "origin"): refused unless it shares our history and `verify` passes
 * on what it brings (the commits our head does not lead to; our own
 * history was verified as it came, and the lots it drew count with
 * theirs); merged by a signed merge commit when both sites wrote,
 * refused (nothing changed) when both added the same path with other
 * bytes or revisions of the same document.  The index follows.
 */
int vault_pull(vault_pull_result *out, vault *v, const char *name);

/* Send our branch to `name`; refused when the other side has history we lack. */
int vault_push(vault_pull_result *out, vault *v, const char *name);

/*
 * A new vault at `path` from the one at `url`, kept only if `verify`
 * passes on its whole history.  It has no server key of its own.  How
 * far it got goes to `progress` (may be NULL), as vault_set_progress says.
 */
int vault_clone(vault **out, const char *url, const char *path, vault_warn_cb warn,
		void *payload, vault_progress_cb progress, void *progress_payload);

#endif
