#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <jansson.h>

#include "error.h"
#include "sshtool.h"
#include "util.h"

#define ED25519_NAME "ssh-ed25519"
#define ECDSA_NAME "ecdsa-sha2-nistp256"
#define SK_ECDSA_NAME "sk-ecdsa-sha2-nistp256@openssh.com"
#define SK_ED25519_NAME "sk-ssh-ed25519@openssh.com"
#define WEBAUTHN_NAME "webauthn-sk-ecdsa-sha2-nistp256@openssh.com"
#define SIG_BEGIN "-----BEGIN SSH SIGNATURE-----"
#define SIG_END "-----END SSH SIGNATURE-----"

/*
 * A key qvault holds (PEM: pkey), or one that OpenSSH's ssh-keygen signs
 * with (pkey NULL): an OpenSSH private key file, or a key of ssh-agent.
 */
struct vault_key {
	EVP_PKEY *pkey;
	vault_key_type type;
	char *comment;
	/* a key ssh-keygen signs with: */
	unsigned char *blob;   /* its public key blob */
	size_t blobn;
	const char *tname;     /* its OpenSSH type name, as kind_names */
	const char *label;     /* ... and as ssh-keygen -l labels it */
	char *file;            /* the private key file, or "agent:SHA256:..." */
	char *line;            /* an agent's key: "TYPE BASE64", for ssh-keygen -f */
	char *pass;            /* an encrypted file's passphrase, wiped when freed */
};

/* ---- SSH wire encoding ------------------------------------------------ */

typedef struct {
	unsigned char *data;
	size_t len, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		if ((b->data = realloc(b->data, b->cap)) == NULL)
			abort();
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u32(buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	put(b, x, 4);
}

static void put_string(buf *b, const void *p, size_t n)
{
	put_u32(b, (uint32_t)n);
	put(b, p, n);
}

static void put_cstring(buf *b, const char *s)
{
	put_string(b, s, strlen(s));
}

/* An SSH mpint from a big-endian unsigned magnitude. */
static void put_mpint(buf *b, const unsigned char *p, size_t n)
{
	while (n > 0 && *p == 0)
		p++, n--;
	if (n > 0 && (*p & 0x80)) {
		put_u32(b, (uint32_t)n + 1);
		put(b, "", 1);
		put(b, p, n);
	} else {
		put_string(b, p, n);
	}
}

typedef struct {
	const unsigned char *p;
	size_t left;
} reader;

static int get_u32(reader *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int get_u8(reader *r, unsigned char *v)
{
	if (r->left < 1)
		return -1;
	*v = *r->p++;
	r->left--;
	return 0;
}

static int get_string(reader *r, const unsigned char **p, size_t *n)
{
	uint32_t len;

	if (get_u32(r, &len) < 0 || len > r->left)
		return -1;
	*p = r->p;
	*n = len;
	r->p += len;
	r->left -= len;
	return 0;
}

static int string_is(const unsigned char *p, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(p, s, n) == 0;
}

/* ---- base64 ----------------------------------------------------------- */

static char *b64(const unsigned char *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (!out)
		abort();
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* Decode base64 without whitespace; -1 when malformed. */
static int unb64(unsigned char **out, size_t *n, const char *s, size_t len)
{
	size_t pad = 0;
	int got;

	if (len == 0 || len % 4 != 0)
		return -1;
	if (s[len - 1] == '=')
		pad++;
	if (s[len - 2] == '=')
		pad++;
	if ((*out = malloc(len / 4 * 3 + 1)) == NULL)
		abort();
	got = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)len);
	if (got < 0 || (size_t)got < pad) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*n = (size_t)got - pad;
	return 0;
}

/* ---- keys ------------------------------------------------------------- */

/* The public key blob: string type, then the key (RFC 8709, RFC 5656). */
static int key_blob(buf *b, const vault_key *key)
{
	unsigned char pub[65];
	size_t n = sizeof(pub);

	if (key->blob) {
		put(b, key->blob, key->blobn);
		return 0;
	}
	if (key->type == VAULT_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(key->pkey, pub, &n) != 1 || n != 32)
			return vault_error__ssl(VAULT_ERROR, "cannot read the public key");
		put_cstring(b, ED25519_NAME);
		put_string(b, pub, 32);
	} else {
		if (EVP_PKEY_get_octet_string_param(key->pkey, OSSL_PKEY_PARAM_PUB_KEY,
						    pub, sizeof(pub), &n) != 1 || n != 65)
			return vault_error__ssl(VAULT_ERROR, "cannot read the public key");
		put_cstring(b, ECDSA_NAME);
		put_cstring(b, "nistp256");
		put_string(b, pub, 65);
	}
	return 0;
}

static const char *type_name(vault_key_type t)
{
	return t == VAULT_KEY_ED25519 ? ED25519_NAME : ECDSA_NAME;
}

int vault_sign__key_id(char **out, const vault_key *key)
{
	buf b = { NULL, 0, 0 };
	vault_buf s = VAULT_BUF_INIT;
	char *enc;
	int error;

	if ((error = key_blob(&b, key)) < 0) {
		free(b.data);
		return error;
	}
	enc = b64(b.data, b.len);
	free(b.data);
	error = vault_buf__addf(&s, "%s %s", key->tname ? key->tname : type_name(key->type), enc);
	free(enc);
	if (error < 0)
		return error;
	*out = vault_buf__detach(&s);
	return 0;
}

int vault_key_public(char **out, const vault_key *key)
{
	vault_buf s = VAULT_BUF_INIT;
	char *id;
	int error;

	if ((error = vault_sign__key_id(&id, key)) < 0)
		return error;
	if (!key->comment || !*key->comment) {
		*out = id;
		return 0;
	}
	error = vault_buf__addf(&s, "%s %s", id, key->comment);
	free(id);
	if (error < 0)
		return error;
	*out = vault_buf__detach(&s);
	return 0;
}

/* SHA256 fingerprint of a decoded key blob, as OpenSSH writes it. */
static void fingerprint(char out[64], const unsigned char *blob, size_t n)
{
	unsigned char md[32];
	char *enc;
	size_t len;

	EVP_Digest(blob, n, md, NULL, EVP_sha256(), NULL);
	enc = b64(md, sizeof(md));
	len = strlen(enc);
	while (len > 0 && enc[len - 1] == '=')
		enc[--len] = '\0';
	/* 43 characters for 32 bytes: always fits; an empty one matches no key */
	if (vault__fmt(out, 64, "fingerprint", "SHA256:%s", enc) < 0)
		out[0] = '\0';
	free(enc);
}

/* The public keys qvault takes, by their OpenSSH names (kind_names). */
typedef enum { KEY_ED25519, KEY_ECDSA, KEY_SK_ECDSA, KEY_SK_ED25519 } key_kind;

static const char *const kind_names[] = { ED25519_NAME, ECDSA_NAME, SK_ECDSA_NAME,
					  SK_ED25519_NAME };

/* a security key's (PROTOCOL.u2f): its signatures carry flags and a counter */
#define IS_SK(kind) ((kind) == KEY_SK_ECDSA || (kind) == KEY_SK_ED25519)
/* an ECDSA one, whose s has two spellings (ecdsa_strict) */
#define IS_ECDSA(kind) ((kind) == KEY_ECDSA || (kind) == KEY_SK_ECDSA)

/* A public key blob taken apart; the pointers are into the blob. */
typedef struct {
	key_kind kind;
	const unsigned char *pub; /* Ed25519's 32 bytes, or P-256's point (65) */
	size_t pubn;
	const unsigned char *app; /* a security key's application, else NULL */
	size_t appn;
} key_fields;

/*
 * One label of a host name: 1 to 63 of a-z, 0-9 and '-', not at either
 * end; *alpha set when it holds a letter.
 */
static int label_ok(const unsigned char *p, size_t n, int *alpha)
{
	size_t i;

	if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
		return 0;
	*alpha = 0;
	for (i = 0; i < n; i++) {
		if (p[i] >= 'a' && p[i] <= 'z')
			*alpha = 1;
		else if (!(p[i] >= '0' && p[i] <= '9') && p[i] != '-')
			return 0;
	}
	return 1;
}

/*
 * A WebAuthn relying-party id as qvault takes one: a host name in lower
 * case (the one spelling browsers hash), without a trailing dot, whose
 * last label holds a letter (an IP address is no RP id).
 */
static int rp_id_ok(const unsigned char *p, size_t n)
{
	size_t start = 0, i;
	int alpha = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '.')
			continue;
		if (!label_ok(p + start, i - start, &alpha))
			return 0;
		start = i + 1;
	}
	return alpha;
}

/*
 * A security key's application: OpenSSH's "ssh:" with what may follow it
 * (ssh-keygen -O application=ssh:NAME; printable ASCII, no space), or the
 * relying-party id a passkey was made for.
 */
static int application_ok(const unsigned char *p, size_t n)
{
	size_t i;

	if (n < 4 || memcmp(p, "ssh:", 4) != 0)
		return rp_id_ok(p, n);
	if (n > 255)
		return 0;
	for (i = 4; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return 0;
	return 1;
}

#define NOT_A_KEY "not an ssh-ed25519, ecdsa-sha2-nistp256, " SK_ECDSA_NAME " or " \
	SK_ED25519_NAME " key"

/*
 * Take apart a key blob (RFC 8709, RFC 5656, PROTOCOL.u2f) of a kind
 * qvault takes, its point uncompressed as OpenSSH writes it: NULL, or
 * why not, to follow "public key is".
 */
static const char *blob_fields(key_fields *f, const unsigned char *blob, size_t n)
{
	reader r = { blob, n };
	const unsigned char *t, *c;
	size_t tn, cn;

	memset(f, 0, sizeof(*f));
	if (get_string(&r, &t, &tn) < 0)
		return NOT_A_KEY;
	if (string_is(t, tn, ED25519_NAME))
		return get_string(&r, &f->pub, &f->pubn) < 0 || f->pubn != 32 || r.left ?
		       NOT_A_KEY : NULL;
	if (string_is(t, tn, SK_ED25519_NAME)) {
		f->kind = KEY_SK_ED25519;
		if (get_string(&r, &f->pub, &f->pubn) < 0 || f->pubn != 32 ||
		    get_string(&r, &f->app, &f->appn) < 0 || r.left)
			return NOT_A_KEY;
		return application_ok(f->app, f->appn) ? NULL :
		       "a security key whose application is neither 'ssh:...' nor a "
		       "relying-party id (a lower-case host name)";
	}
	if (string_is(t, tn, ECDSA_NAME))
		f->kind = KEY_ECDSA;
	else if (string_is(t, tn, SK_ECDSA_NAME))
		f->kind = KEY_SK_ECDSA;
	else
		return NOT_A_KEY;
	if (get_string(&r, &c, &cn) < 0 || !string_is(c, cn, "nistp256") ||
	    get_string(&r, &f->pub, &f->pubn) < 0 || f->pubn != 65 || f->pub[0] != 4 ||
	    (f->kind == KEY_SK_ECDSA && get_string(&r, &f->app, &f->appn) < 0) || r.left)
		return NOT_A_KEY;
	if (f->kind == KEY_SK_ECDSA && !application_ok(f->app, f->appn))
		return "a security key whose application is neither 'ssh:...' nor a "
		       "relying-party id (a lower-case host name)";
	return NULL;
}

int vault_sign__parse_public(char **key_id, char **comment, const char *line)
{
	const char *sp = strchr(line, ' '), *b, *end, *why;
	unsigned char *blob = NULL;
	key_fields f;
	size_t n;

	*key_id = NULL;
	if (comment)
		*comment = NULL;
	if (!sp)
		return vault_error__set(VAULT_EINVALID, "public key is not 'TYPE BASE64 [COMMENT]'");
	b = sp + 1;
	end = strchr(b, ' ');
	if (!end)
		end = b + strcspn(b, "\r\n");
	if (unb64(&blob, &n, b, (size_t)(end - b)) < 0)
		return vault_error__set(VAULT_EINVALID, "public key is not valid base64");
	why = blob_fields(&f, blob, n);
	/* the line's TYPE is the blob's */
	if (!why && (strlen(kind_names[f.kind]) != (size_t)(sp - line) ||
		     memcmp(line, kind_names[f.kind], (size_t)(sp - line)) != 0))
		why = NOT_A_KEY;
	free(blob);
	if (why)
		return vault_error__set(VAULT_EINVALID, "public key is %s", why);
	if ((*key_id = malloc((size_t)(end - line) + 1)) == NULL)
		abort();
	memcpy(*key_id, line, (size_t)(end - line));
	(*key_id)[end - line] = '\0';
	if (comment && *end == ' ')
		*comment = vault__strdup(end + 1);
	return 0;
}

int vault_sign__fingerprint_of(char out[64], const char *pubkey_line)
{
	const char *b = strchr(pubkey_line, ' '), *end;
	unsigned char *blob;
	size_t n;

	if (!b)
		return vault_error__set(VAULT_EINVALID, "public key is malformed");
	b++;
	end = b + strcspn(b, " \r\n");
	if (unb64(&blob, &n, b, (size_t)(end - b)) < 0)
		return vault_error__set(VAULT_EINVALID, "public key is malformed");
	fingerprint(out, blob, n);
	free(blob);
	return 0;
}

int vault_key_fingerprint(char **out, const vault_key *key)
{
	buf b = { NULL, 0, 0 };
	vault_buf s = VAULT_BUF_INIT;
	char fp[64];
	int error;

	if ((error = key_blob(&b, key)) < 0) {
		free(b.data);
		return error;
	}
	fingerprint(fp, b.data, b.len);
	free(b.data);
	if ((error = vault_buf__addf(&s, "256 %s %s (%s)", fp,
				     key->comment && *key->comment ? key->comment : "no comment",
				     key->label ? key->label :
				     key->type == VAULT_KEY_ED25519 ? "ED25519" : "ECDSA")) < 0)
		return error;
	*out = vault_buf__detach(&s);
	return 0;
}

int vault_key_generate(vault_key **out, vault_key_type type, const char *comment)
{
	vault_key *key = calloc(1, sizeof(*key));

	if (!key)
		abort();
	key->type = type;
	key->pkey = type == VAULT_KEY_ED25519 ?
		EVP_PKEY_Q_keygen(NULL, NULL, "ED25519") :
		EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!key->pkey) {
		free(key);
		return vault_error__ssl(VAULT_ERROR, "cannot generate a key");
	}
	key->comment = vault__strdup(comment);
	*out = key;
	return 0;
}

void vault_key_free(vault_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key->comment);
	free(key->blob);
	free(key->file);
	free(key->line);
	if (key->pass) {
		OPENSSL_cleanse(key->pass, strlen(key->pass));
		free(key->pass);
	}
	free(key);
}

int vault_key_save(const vault_key *key, const char *path, const char *passphrase)
{
	int fd, error = 0;
	FILE *f;

	if (!key->pkey)
		return vault_error__set(VAULT_EINVALID, "key '%s' is OpenSSH's to keep, not "
					"qvault's to write", key->file);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ?
			vault_error__set(VAULT_EEXISTS, "'%s' already exists", path) :
			vault_error__errno(VAULT_ERROR, "cannot create '%s'", path);
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
	}
	if (PEM_write_PKCS8PrivateKey(f, key->pkey,
				      passphrase ? EVP_aes_256_cbc() : NULL,
				      passphrase, passphrase ? (int)strlen(passphrase) : 0,
				      NULL, NULL) != 1)
		error = vault_error__ssl(VAULT_ERROR, "cannot write the key to '%s'", path);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		error = error ? error : vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
	fclose(f);
	if (error)
		unlink(path);
	return error;
}

typedef struct {
	vault_passphrase_cb cb;
	void *payload;
	int asked, failed;
} pass_ctx;

static int pem_pass(char *out, int size, int rwflag, void *u)
{
	pass_ctx *p = u;

	(void)rwflag;
	if (!p->cb || size <= 0) {
		p->failed = 1;
		return -1;
	}
	p->asked = 1;
	if (p->cb(out, (size_t)size, p->payload) < 0) {
		p->failed = 1;
		return -1;
	}
	out[size - 1] = '\0';
	return (int)strlen(out);
}

static int needs_passphrase(const char *path)
{
	return vault_error__set(VAULT_EDENIED, "key file '%s' is encrypted: a passphrase is "
				"needed and none was given (no terminal to ask on, no "
				"passphrase variable)", path);
}

/* The longest key file read: an OpenSSH or PEM key is a few kilobytes. */
#define KEY_FILE_MAX (64 * 1024)

/* Read all of key file `path` (at most KEY_FILE_MAX bytes) into *out. */
static int read_key_file(vault_buf *out, const char *path)
{
	char chunk[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ?
			vault_error__set(VAULT_ENOTFOUND, "key file '%s' does not exist", path) :
			vault_error__errno(VAULT_ERROR, "cannot read key file '%s'", path);
	out->max = KEY_FILE_MAX;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return vault_error__errno(VAULT_ERROR, "cannot read key file '%s'", path);
		}
		if (vault_buf__add(out, chunk, (size_t)n) < 0) {
			close(fd);
			return vault_error__set(VAULT_EINVALID, "key file '%s' is too large for "
						"a key", path);
		}
	}
	close(fd);
	return 0;
}

/* A PEM (PKCS#8, or OpenSSL's traditional) private key, as qvault keeps them. */
static int pem_load(vault_key **out, const char *path, const vault_buf *text,
		    vault_passphrase_cb cb, void *payload)
{
	pass_ctx pc = { cb, payload, 0, 0 };
	vault_key *key;
	EVP_PKEY *pkey;
	BIO *bio = BIO_new_mem_buf(text->data ? text->data : "", (int)text->len);

	if (!bio)
		abort();
	pkey = PEM_read_bio_PrivateKey(bio, NULL, pem_pass, &pc);
	BIO_free(bio);
	if (!pkey) {
		unsigned long e = ERR_peek_last_error();

		ERR_clear_error();
		if (pc.failed && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
			return needs_passphrase(path);
		if (pc.asked && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
			return vault_error__set(VAULT_EDENIED,
				"wrong passphrase for key file '%s'", path);
		return vault_error__set(VAULT_EINVALID,
			"key file '%s' is neither a PEM nor an OpenSSH private key", path);
	}
	if ((key = calloc(1, sizeof(*key))) == NULL)
		abort();
	key->pkey = pkey;
	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		key->type = VAULT_KEY_ED25519;
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		char group[32] = "";

		EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
					       sizeof(group), NULL);
		if (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0) {
			vault_key_free(key);
			return vault_error__set(VAULT_EINVALID,
				"key file '%s' holds an EC key that is not P-256", path);
		}
		key->type = VAULT_KEY_ECDSA_P256;
	} else {
		vault_key_free(key);
		return vault_error__set(VAULT_EINVALID,
			"key file '%s' holds neither an Ed25519 nor a P-256 key", path);
	}
	*out = key;
	return 0;
}

/* ---- keys OpenSSH's tools sign with ------------------------------------ */

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_MAGIC "openssh-key-v1" /* and its NUL */
#define KEYGEN_TIMEOUT 120 /* seconds: a security key waits for a touch */
#define KEYGEN_OUT_MAX (64 * 1024)

static char askpass_program[4096];

void vault_key_set_askpass(const char *program)
{
	if (vault__fmt(askpass_program, sizeof(askpass_program), "askpass program", "%s",
		       program ? program : "") < 0)
		askpass_program[0] = '\0';
}

/* A key of OpenSSH's from its public key blob, which must be of a kind qvault takes. */
static int ssh_key(vault_key **out, const unsigned char *blob, size_t n, const char *name)
{
	static const char *const labels[] = { "ED25519", "ECDSA", "ECDSA-SK", "ED25519-SK" };
	const char *why;
	vault_key *key;
	key_fields f;

	if ((why = blob_fields(&f, blob, n)) != NULL)
		return vault_error__set(VAULT_EINVALID, "key '%s' is %s", name, why);
	if ((key = calloc(1, sizeof(*key))) == NULL || (key->blob = malloc(n)) == NULL)
		abort();
	memcpy(key->blob, blob, n);
	key->blobn = n;
	key->tname = kind_names[f.kind];
	key->label = labels[f.kind];
	key->file = vault__strdup(name);
	*out = key;
	return 0;
}

/*
 * The public key and cipher of an OpenSSH private key file (PROTOCOL.key:
 * both stand in the clear before the private part): *blob, malloc'd, the
 * caller's; -1 when it is not one key in that format.  What is decoded
 * holds the private key too (in the clear when unencrypted): it is wiped
 * before it is freed, and never copied by a growing buffer.
 */
static int openssh_header(unsigned char **blob, size_t *bn, int *encrypted, const char *text,
			  size_t len)
{
	const char *b = text, *e;
	const unsigned char *cipher, *kdf, *opts, *pub;
	unsigned char *raw = NULL;
	char *b64;
	size_t n = 0, cn, kn, on, k = 0;
	uint32_t count;
	reader r;
	int error = -1;

	*blob = NULL;
	while (b < text + len && (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t'))
		b++;
	if ((size_t)(text + len - b) < sizeof(OPENSSH_BEGIN) - 1 ||
	    memcmp(b, OPENSSH_BEGIN, sizeof(OPENSSH_BEGIN) - 1) != 0)
		return -1;
	b += sizeof(OPENSSH_BEGIN) - 1;
	if ((e = memmem(b, (size_t)(text + len - b), OPENSSH_END, sizeof(OPENSSH_END) - 1)) == NULL)
		return -1;
	if ((b64 = malloc((size_t)(e - b) + 1)) == NULL)
		abort();
	for (; b < e; b++)
		if (*b != '\n' && *b != '\r' && *b != ' ' && *b != '\t')
			b64[k++] = *b;
	b64[k] = '\0';
	if (unb64(&raw, &n, b64, k) < 0)
		goto done;
	r.p = raw;
	r.left = n;
	if (r.left < sizeof(OPENSSH_MAGIC) || memcmp(r.p, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC)) != 0)
		goto done;
	r.p += sizeof(OPENSSH_MAGIC);
	r.left -= sizeof(OPENSSH_MAGIC);
	if (get_string(&r, &cipher, &cn) < 0 || get_string(&r, &kdf, &kn) < 0 ||
	    get_string(&r, &opts, &on) < 0 || get_u32(&r, &count) < 0 || count != 1 ||
	    get_string(&r, &pub, bn) < 0)
		goto done;
	*encrypted = !string_is(cipher, cn, "none");
	if ((*blob = malloc(*bn ? *bn : 1)) == NULL)
		abort();
	memcpy(*blob, pub, *bn);
	error = 0;
done:
	OPENSSL_cleanse(b64, k + 1);
	free(b64);
	if (raw)
		OPENSSL_cleanse(raw, n);
	free(raw);
	return error;
}

/* The comment of FILE.pub when it holds the same key, as ssh-keygen writes it. */
static char *pub_comment(const char *path, const vault_key *key)
{
	vault_buf pubpath = VAULT_BUF_INIT, text = VAULT_BUF_INIT;
	char *id = NULL, *comment = NULL, *mine = NULL;

	if (vault_buf__addf(&pubpath, "%s.pub", path) == 0 &&
	    read_key_file(&text, vault_buf__str(&pubpath)) == 0 && text.len &&
	    vault_sign__parse_public(&id, &comment, vault_buf__str(&text)) == 0 &&
	    vault_sign__key_id(&mine, key) == 0 && id && mine && strcmp(id, mine) == 0 && comment) {
		comment[strcspn(comment, "\r\n")] = '\0';
	} else {
		free(comment);
		comment = NULL;
	}
	free(id);
	free(mine);
	vault_buf__dispose(&text);
	vault_buf__dispose(&pubpath);
	return comment;
}

/*
 * The environment ssh-keygen runs in: a passphrase is never asked on its
 * standard input (the data) nor on the terminal, only of SSH_ASKPASS,
 * which is qvault in its askpass mode handing over the passphrase it
 * reads on fd 3 (vault_key_set_askpass), or `false` when there is none.
 */
static int keygen_env(const char *env[4], const vault_key *key, char *ask, size_t asksize)
{
	int error;

	env[0] = "SSH_ASKPASS_REQUIRE=force";
	env[1] = NULL;
	if (key->pass && !askpass_program[0])
		return vault_error__set(VAULT_ERROR, "cannot hand the passphrase of key file "
					"'%s' to ssh-keygen: no askpass program", key->file);
	if ((error = vault__fmt(ask, asksize, "askpass program", "SSH_ASKPASS=%s",
				key->pass ? askpass_program : "false")) < 0)
		return error;
	env[1] = ask;
	env[2] = key->pass ? "QVAULT_ASKPASS_FD=3" : NULL;
	env[3] = NULL;
	return 0;
}

/* What ssh-keygen's complaint `err` about key `key` means, as the error. */
static int keygen_error(const vault_key *key, const char *err, int status, const char *doing)
{
	if (strstr(err, "incorrect passphrase"))
		return vault_error__set(VAULT_EDENIED, "wrong passphrase for key file '%s'",
					key->file);
	if (key->line && strstr(err, "find key in agent"))
		return vault_error__set(VAULT_EDENIED, "the ssh-agent does not hold key %s",
					key->file + 6);
	if (key->line && strstr(err, "agent socket"))
		return vault_error__set(VAULT_EDENIED, "no ssh-agent to sign with key %s "
					"(SSH_AUTH_SOCK)", key->file + 6);
	return vault_error__set(VAULT_ERROR, "ssh-keygen cannot %s with key '%s': %s", doing,
				key->file, *err ? err : status < 0 ? "it was killed" : "it failed");
}

/*
 * Check an encrypted key file's passphrase now, not at the first
 * signature: ssh-keygen -y decrypts it and prints its public key, which
 * must be the one its header names.
 */
static int keygen_unlock(const vault_key *key)
{
	const char *argv[] = { "ssh-keygen", "-y", "-f", key->file, NULL }, *env[4];
	vault_buf out = VAULT_BUF_INIT, fd3 = VAULT_BUF_INIT;
	vault_sshtool_cmd c = { argv, env, NULL, 0, NULL, KEYGEN_OUT_MAX, KEYGEN_TIMEOUT };
	char ask[4200], err[512], *id = NULL, *got = NULL;
	int status, error;

	if ((error = keygen_env(env, key, ask, sizeof(ask))) < 0)
		return error;
	vault_buf__addf(&fd3, "%s\n", key->pass);
	c.fd3 = vault_buf__str(&fd3);
	if ((error = vault_sshtool__run(&out, err, sizeof(err), &status, &c)) < 0)
		goto done;
	if (status != 0) {
		error = keygen_error(key, err, status, "read the key");
		goto done;
	}
	if ((error = vault_sign__key_id(&id, key)) < 0)
		goto done;
	if (vault_sign__parse_public(&got, NULL, vault_buf__str(&out)) < 0 || !got || !id ||
	    strcmp(got, id) != 0)
		error = vault_error__set(VAULT_EINVALID, "key file '%s' holds another private "
					 "key than its public part says", key->file);
done:
	OPENSSL_cleanse(fd3.data, fd3.len);
	vault_buf__dispose(&fd3);
	vault_buf__dispose(&out);
	free(id);
	free(got);
	return error;
}

/* An OpenSSH private key file (ssh-keygen's own format), for ssh-keygen to sign with. */
static int openssh_load(vault_key **out, const char *path, const vault_buf *text,
			vault_passphrase_cb cb, void *payload)
{
	unsigned char *blob;
	char pass[1024];
	vault_key *key = NULL;
	size_t bn;
	int encrypted, error;

	if (openssh_header(&blob, &bn, &encrypted, text->data, text->len) < 0)
		return vault_error__set(VAULT_EINVALID,
			"key file '%s' is not an OpenSSH private key (one key, openssh-key-v1)", path);
	error = ssh_key(&key, blob, bn, path);
	free(blob);
	if (error < 0 || !key)
		return error < 0 ? error : -1;
	key->comment = pub_comment(path, key);
	if (encrypted) {
		if (!cb || cb(pass, sizeof(pass), payload) < 0) {
			vault_key_free(key);
			return needs_passphrase(path);
		}
		pass[sizeof(pass) - 1] = '\0';
		key->pass = vault__strdup(pass);
		OPENSSL_cleanse(pass, sizeof(pass));
		if ((error = keygen_unlock(key)) < 0) {
			vault_key_free(key);
			return error;
		}
	}
	*out = key;
	return 0;
}

/* 1 when `s` is "SHA256:" and 43 characters of unpadded base64. */
static int fingerprint_ok(const char *s)
{
	size_t i;

	if (strncmp(s, "SHA256:", 7) != 0 || strlen(s) != 7 + 43)
		return 0;
	for (i = 7; s[i]; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '/'))
			return 0;
	return 1;
}

/*
 * The key of ssh-agent whose fingerprint `spec` names ("agent:SHA256:..."):
 * its public key line, from ssh-add -L; the private key stays in the agent.
 */
static int agent_load(vault_key **out, const char *spec)
{
	const char *fp = spec + 6, *sock = getenv("SSH_AUTH_SOCK");
	const char *argv[] = { "ssh-add", "-L", NULL };
	vault_sshtool_cmd c = { argv, NULL, NULL, 0, NULL, 1024 * 1024, 30 };
	vault_buf list = VAULT_BUF_INIT;
	char err[512], *line, *next, *id = NULL, *comment = NULL;
	unsigned char *blob = NULL;
	int status, error;
	size_t n;

	if (!fingerprint_ok(fp))
		return vault_error__set(VAULT_EINVALID, "'%s' does not name a key by its "
					"fingerprint (agent:SHA256:..., as ssh-keygen -l prints it)",
					spec);
	if (!sock || !*sock)
		return vault_error__set(VAULT_EDENIED, "no ssh-agent to take key %s from "
					"(SSH_AUTH_SOCK is not set)", fp);
	if ((error = vault_sshtool__run(&list, err, sizeof(err), &status, &c)) < 0)
		goto done;
	if (status == 2 || (status != 0 && status != 1)) {
		error = vault_error__set(VAULT_EDENIED, "cannot reach the ssh-agent at "
					 "SSH_AUTH_SOCK: %s", *err ? err : "ssh-add -L failed");
		goto done;
	}
	for (line = status == 0 ? list.data : NULL; line && *line; line = next) {
		char got[64];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (vault_sign__fingerprint_of(got, line) < 0 || strcmp(got, fp) != 0)
			continue;
		if ((error = vault_sign__parse_public(&id, &comment, line)) < 0)
			goto done;
		break;
	}
	if (!id) {
		error = vault_error__set(VAULT_EDENIED, "the ssh-agent does not hold key %s", fp);
		goto done;
	}
	if (unb64(&blob, &n, strchr(id, ' ') + 1, strlen(strchr(id, ' ') + 1)) < 0) {
		error = vault_error__set(VAULT_EINVALID, "the ssh-agent's key %s is malformed", fp);
		goto done;
	}
	if ((error = ssh_key(out, blob, n, spec)) == 0) {
		(*out)->line = id;
		(*out)->comment = comment;
		id = comment = NULL;
	}
done:
	free(blob);
	free(id);
	free(comment);
	vault_buf__dispose(&list);
	return error;
}

int vault_key_load(vault_key **out, const char *path, vault_passphrase_cb cb,
		   void *payload)
{
	vault_buf text = VAULT_BUF_INIT;
	const char *p;
	int error;

	if (strncmp(path, "agent:", 6) == 0)
		return agent_load(out, path);
	if ((error = read_key_file(&text, path)) < 0)
		goto done;
	for (p = vault_buf__str(&text); *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'; p++)
		;
	if (strncmp(p, OPENSSH_BEGIN, sizeof(OPENSSH_BEGIN) - 1) == 0)
		error = openssh_load(out, path, &text, cb, payload);
	else
		error = pem_load(out, path, &text, cb, payload);
done:
	if (text.data)
		OPENSSL_cleanse(text.data, text.len);
	vault_buf__dispose(&text);
	return error;
}

/* ---- SSHSIG ----------------------------------------------------------- */

/*
 * The armored text of an SSHSIG blob, as ssh-keygen writes it: the BEGIN
 * line, base64 in lines of 70, the END line, a newline; malloc'd.  The one
 * text a signature may have: any other spelling of the same blob is
 * refused (sshsig_parse), so a signed commit cannot be re-encoded under a
 * new id.
 */
static char *armor(const unsigned char *raw, size_t n)
{
	char *enc = b64(raw, n), *out;
	size_t i, elen = strlen(enc), o;

	if ((out = malloc(elen + elen / 70 + sizeof(SIG_BEGIN) + sizeof(SIG_END) + 4)) == NULL)
		abort();
	memcpy(out, SIG_BEGIN "\n", sizeof(SIG_BEGIN));
	o = sizeof(SIG_BEGIN);
	for (i = 0; i < elen; i += 70) {
		size_t k = elen - i < 70 ? elen - i : 70;

		memcpy(out + o, enc + i, k);
		o += k;
		out[o++] = '\n';
	}
	memcpy(out + o, SIG_END "\n", sizeof(SIG_END) + 1);
	free(enc);
	return out;
}

/* The blob SSHSIG signs: magic, namespace, reserved, hash name, H(msg). */
static void signed_data(buf *b, const char *ns, const char *hash,
			const unsigned char *h, size_t hn)
{
	put(b, "SSHSIG", 6);
	put_cstring(b, ns);
	put_string(b, "", 0);
	put_cstring(b, hash);
	put_string(b, h, hn);
}

/* s := n - s when s > n/2: the one spelling verifiers accept (ecdsa_strict). */
static void low_s(unsigned char s[32])
{
	BIGNUM *bs = BN_bin2bn(s, 32, NULL), *order = BN_new();
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *half = BN_new();

	if (!bs || !order || !group || !half || EC_GROUP_get_order(group, order, NULL) != 1 ||
	    !BN_rshift1(half, order))
		abort();
	if (BN_cmp(bs, half) > 0 && (!BN_sub(bs, order, bs) || BN_bn2binpad(bs, s, 32) != 32))
		abort();
	BN_free(half);
	EC_GROUP_free(group);
	BN_free(order);
	BN_clear_free(bs);
}

/* The algorithm's signature over `data`, in SSH's signature encoding. */
static int raw_sign(buf *sig, const vault_key *key, const unsigned char *data, size_t n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char out[128];
	size_t outlen = sizeof(out);
	int error = 0;

	if (!ctx || EVP_DigestSignInit(ctx, NULL,
			key->type == VAULT_KEY_ED25519 ? NULL : EVP_sha256(),
			NULL, key->pkey) != 1 ||
	    EVP_DigestSign(ctx, out, &outlen, data, n) != 1) {
		error = vault_error__ssl(VAULT_ERROR, "cannot sign");
		goto done;
	}
	put_cstring(sig, type_name(key->type));
	if (key->type == VAULT_KEY_ED25519) {
		put_string(sig, out, outlen);
	} else {
		const unsigned char *p = out;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)outlen);
		unsigned char r[32], s[32];
		buf rs = { NULL, 0, 0 };

		if (!es || BN_bn2binpad(ECDSA_SIG_get0_r(es), r, 32) != 32 ||
		    BN_bn2binpad(ECDSA_SIG_get0_s(es), s, 32) != 32) {
			ECDSA_SIG_free(es);
			error = vault_error__ssl(VAULT_ERROR, "cannot encode the signature");
			goto done;
		}
		ECDSA_SIG_free(es);
		low_s(s);
		put_mpint(&rs, r, 32);
		put_mpint(&rs, s, 32);
		put_string(sig, rs.data, rs.len);
		free(rs.data);
	}
done:
	EVP_MD_CTX_free(ctx);
	return error;
}

/*
 * Sign with OpenSSH's ssh-keygen -Y sign (the key file, or with -U the
 * agent's key, named by its public key line on fd 3), the message on its
 * standard input; what it writes is taken in qvault's one spelling
 * (vault_sign__canonical) and checked to be this key's signature of it.
 */
static int keygen_sign(char **out, const vault_key *key, const char *ns, const void *msg,
		       size_t len)
{
	const char *argv[] = { "ssh-keygen", "-q", "-Y", "sign", "-n", ns, "-f",
			       key->line ? "/dev/fd/3" : key->file, key->line ? "-U" : NULL,
			       NULL }, *env[4];
	vault_buf sig = VAULT_BUF_INIT, fd3 = VAULT_BUF_INIT;
	vault_sshtool_cmd c = { argv, env, msg, len, NULL, KEYGEN_OUT_MAX, KEYGEN_TIMEOUT };
	char ask[4200], err[512], *id = NULL, *signer = NULL, *canon = NULL;
	int status, error;

	*out = NULL;
	if ((error = keygen_env(env, key, ask, sizeof(ask))) < 0)
		return error;
	if (key->line || key->pass)
		vault_buf__addf(&fd3, "%s\n", key->line ? key->line : key->pass);
	c.fd3 = fd3.len ? vault_buf__str(&fd3) : NULL;
	if ((error = vault_sshtool__run(&sig, err, sizeof(err), &status, &c)) < 0)
		goto done;
	if (status != 0) {
		error = keygen_error(key, err, status, "sign");
		goto done;
	}
	if ((error = vault_sign__canonical(&canon, vault_buf__str(&sig), sig.len)) < 0)
		goto done;
	if (!canon) {
		error = vault_error__set(VAULT_ERROR, "ssh-keygen wrote no signature");
		goto done;
	}
	/* a commit's signature is checked as git reads it back, without the
	 * armor's last newline (canonical_armor) */
	if ((error = vault_sign__check(&signer, canon, strlen(canon) - (strcmp(ns, "git") == 0),
				       ns, msg, len)) < 0 ||
	    (error = vault_sign__key_id(&id, key)) < 0)
		goto done;
	if (!signer || !id || strcmp(signer, id) != 0) {
		error = vault_error__set(VAULT_ERROR, "ssh-keygen signed with another key than "
					 "'%s'", key->file);
		goto done;
	}
	*out = canon;
	canon = NULL;
done:
	if (fd3.data)
		OPENSSL_cleanse(fd3.data, fd3.len);
	vault_buf__dispose(&fd3);
	vault_buf__dispose(&sig);
	free(canon);
	free(signer);
	free(id);
	return error;
}

int vault_sign__sshsig(char **out, const vault_key *key, const char *ns,
		       const void *msg, size_t len)
{
	buf pub = { NULL, 0, 0 }, data = { NULL, 0, 0 }, sig = { NULL, 0, 0 };
	buf all = { NULL, 0, 0 };
	unsigned char h[64];
	int error;

	if (!key->pkey)
		return keygen_sign(out, key, ns, msg, len);
	EVP_Digest(msg, len, h, NULL, EVP_sha512(), NULL);
	signed_data(&data, ns, "sha512", h, sizeof(h));
	if ((error = key_blob(&pub, key)) < 0 ||
	    (error = raw_sign(&sig, key, data.data, data.len)) < 0)
		goto done;
	put(&all, "SSHSIG", 6);
	put_u32(&all, 1);
	put_string(&all, pub.data, pub.len);
	put_cstring(&all, ns);
	put_string(&all, "", 0);
	put_cstring(&all, "sha512");
	put_string(&all, sig.data, sig.len);
	*out = armor(all.data, all.len);
done:
	OPENSSL_cleanse(h, sizeof(h));
	free(pub.data);
	free(data.data);
	free(sig.data);
	free(all.data);
	return error;
}

/* The OpenSSL key of a blob taken apart; NULL when not a key. */
static EVP_PKEY *blob_key(const key_fields *f)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	char group[] = "P-256";

	if (f->kind == KEY_ED25519 || f->kind == KEY_SK_ED25519)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, f->pub, f->pubn);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
						      (void *)(uintptr_t)f->pub, f->pubn);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return pkey;
}

/*
 * The DER ECDSA-Sig-Value of SSH's { mpint r, mpint s } (`rs`, the
 * string's content) into der[80]; its length, or 0 when it is not one.
 */
static size_t ecdsa_der(unsigned char der[80], const unsigned char *rs, size_t n)
{
	reader r = { rs, n };
	const unsigned char *rp, *sp;
	size_t rn, sn;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *br, *bs;
	unsigned char *dp = der;
	int dl;

	if (!es || get_string(&r, &rp, &rn) < 0 || get_string(&r, &sp, &sn) < 0 ||
	    r.left || rn > 33 || sn > 33) {
		ECDSA_SIG_free(es);
		return 0;
	}
	br = BN_bin2bn(rp, (int)rn, NULL);
	bs = BN_bin2bn(sp, (int)sn, NULL);
	if (!br || !bs || ECDSA_SIG_set0(es, br, bs) != 1) {
		BN_free(br);
		BN_free(bs);
		ECDSA_SIG_free(es);
		return 0;
	}
	dl = i2d_ECDSA_SIG(es, NULL);
	if (dl <= 0 || dl > 80 || i2d_ECDSA_SIG(es, &dp) != dl)
		dl = 0;
	ECDSA_SIG_free(es);
	return (size_t)dl;
}

/*
 * 1 when `sig` (Ed25519's 64 bytes, or ECDSA's DER, over SHA-256) is
 * `pkey`'s signature of `data`.
 */
static int evp_verify(EVP_PKEY *pkey, key_kind kind, const unsigned char *sig, size_t sn,
		      const unsigned char *data, size_t dn)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	if (ctx && EVP_DigestVerifyInit(ctx, NULL, IS_ECDSA(kind) ? EVP_sha256() : NULL,
					NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, sn, data, dn) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* Verify an SSH signature blob over `data` with `pkey`: 1 when valid. */
static int raw_verify(EVP_PKEY *pkey, key_kind kind, const unsigned char *sig,
		      size_t sn, const unsigned char *data, size_t dn)
{
	reader r = { sig, sn };
	const unsigned char *t, *v;
	size_t tn, vn, dl;
	unsigned char der[80];

	if (get_string(&r, &t, &tn) < 0 || !string_is(t, tn, kind_names[kind]) ||
	    get_string(&r, &v, &vn) < 0 || r.left)
		return 0;
	if (kind == KEY_ED25519)
		return vn == 64 && evp_verify(pkey, kind, v, vn, data, dn);
	return (dl = ecdsa_der(der, v, vn)) > 0 && evp_verify(pkey, kind, der, dl, data, dn);
}

/* ---- security keys and passkeys (PROTOCOL.u2f, ssh-ecdsa-sk.c) ---------- */

/* the authenticator data's flags (WebAuthn, "authenticator data") */
#define SK_UP 0x01 /* the user was present (touched it) */
#define SK_UV 0x04 /* ... and verified (a PIN, a biometric) */
#define SK_AT 0x40 /* attested credential data: enrollment's, never a signature's */
#define SK_ED 0x80 /* extensions follow */
/* how OpenSSH wants a clientDataJSON to begin, around the challenge */
#define WEBAUTHN_GET "{\"type\":\"webauthn.get\","
#define WEBAUTHN_0 WEBAUTHN_GET "\"challenge\":\""
#define WEBAUTHN_1 "\",\"origin\":\""

/* A security key's signature blob taken apart; the pointers are into it. */
typedef struct {
	int webauthn;
	unsigned char flags;
	uint32_t counter;
	const unsigned char *rs, *origin, *client, *ext;
	size_t rsn, originn, clientn, extn;
} sk_sig;

/*
 * Take apart a security key's signature blob: type, { r, s }, flags,
 * counter, and for a webauthn one its origin, clientDataJSON and
 * extensions.  VAULT_EVERIFY when it is not one, or more than one.
 */
static int sk_sig_parse(sk_sig *s, key_kind kind, const unsigned char *sig, size_t n)
{
	reader r = { sig, n };
	const unsigned char *t;
	size_t tn;

	memset(s, 0, sizeof(*s));
	if (get_string(&r, &t, &tn) < 0)
		return vault_error__set(VAULT_EVERIFY, "signature is malformed");
	if (kind == KEY_SK_ED25519) {
		if (!string_is(t, tn, SK_ED25519_NAME))
			return vault_error__set(VAULT_EVERIFY, "signature by an "
						SK_ED25519_NAME " key is of another type");
		if (get_string(&r, &s->rs, &s->rsn) < 0 || s->rsn != 64 ||
		    get_u8(&r, &s->flags) < 0 || get_u32(&r, &s->counter) < 0)
			return vault_error__set(VAULT_EVERIFY,
				"signature by a security key is cut short");
		return r.left ? vault_error__set(VAULT_EVERIFY,
				"signature by a security key has bytes after its end") : 0;
	}
	s->webauthn = string_is(t, tn, WEBAUTHN_NAME);
	if (!s->webauthn && !string_is(t, tn, SK_ECDSA_NAME))
		return vault_error__set(VAULT_EVERIFY, "signature by a security key is neither "
					SK_ECDSA_NAME " nor " WEBAUTHN_NAME);
	if (get_string(&r, &s->rs, &s->rsn) < 0 || get_u8(&r, &s->flags) < 0 ||
	    get_u32(&r, &s->counter) < 0 ||
	    (s->webauthn && (get_string(&r, &s->origin, &s->originn) < 0 ||
			     get_string(&r, &s->client, &s->clientn) < 0 ||
			     get_string(&r, &s->ext, &s->extn) < 0)))
		return vault_error__set(VAULT_EVERIFY, "signature by a security key is cut short");
	if (r.left)
		return vault_error__set(VAULT_EVERIFY,
			"signature by a security key has bytes after its end");
	return 0;
}

/*
 * The flags qvault requires: the user present (UP, as ssh-keygen -Y
 * verify requires unless told no-touch-required); for a passkey (a key
 * made for a relying party) verified too (UV: a PIN or biometric, so
 * that the signature is a person's act), an OpenSSH security key
 * ("ssh:..."), as OpenSSH, asking for UV only of the keys made to need
 * it; no attestation (AT), and extensions (ED) exactly when some come,
 * as OpenSSH checks a webauthn signature's.
 */
static int sk_flags_ok(const sk_sig *s, const key_fields *key)
{
	if (!(s->flags & SK_UP))
		return vault_error__set(VAULT_EVERIFY,
			"signature says its user was not present (the authenticator's UP flag)");
	if (!(s->flags & SK_UV) && rp_id_ok(key->app, key->appn))
		return vault_error__set(VAULT_EVERIFY,
			"signature says its user was not verified (the authenticator's UV flag): "
			"qvault takes a security key's signature made with a PIN or biometric only");
	if ((s->flags & SK_AT) || !(s->flags & SK_ED) != (s->extn == 0))
		return vault_error__set(VAULT_EVERIFY,
			"signature's authenticator flags do not match its data (AT, or ED and "
			"the extensions)");
	return 0;
}

/* ":PORT", 1 to 65535 without a leading zero, as a browser writes one. */
static int port_ok(const unsigned char *p, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n < 2 || n > 6 || p[0] != ':' || p[1] == '0')
		return 0;
	for (i = 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v <= 65535;
}

/*
 * The origin a passkey of relying party `app` may sign from: the RP's
 * own host, "https://APP[:PORT]" (or "http://localhost[:PORT]", which
 * browsers count secure), never another host the RP id would cover.
 */
static int origin_ok(const unsigned char *o, size_t on, const unsigned char *app, size_t appn)
{
	const char *scheme = string_is(app, appn, "localhost") && on >= 7 &&
			     memcmp(o, "http://", 7) == 0 ? "http://" : "https://";
	size_t sn = strlen(scheme);

	if (!rp_id_ok(app, appn) || on < sn + appn || memcmp(o, scheme, sn) != 0 ||
	    memcmp(o + sn, app, appn) != 0)
		return 0;
	return on == sn + appn || port_ok(o + sn + appn, on - sn - appn);
}

/*
 * 1 when a clientDataJSON is one JSON object with no key twice, so that
 * what a JSON reader sees is what OpenSSH's prefix check saw, and was
 * not made in a frame of another site (crossOrigin).
 */
static int client_json_ok(const unsigned char *p, size_t n)
{
	json_error_t e;
	json_t *o = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &e), *x;
	int ok = json_is_object(o) &&
		 ((x = json_object_get(o, "crossOrigin")) == NULL || json_is_false(x));

	json_decref(o);
	return ok;
}

/* 1 for a character of base64url (RFC 4648, section 5). */
static int b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * 1 when a clientDataJSON begins as OpenSSH requires, but for what the
 * challenge says (webauthn_challenge_is): {"type":"webauthn.get",
 * "challenge":"<base64url>","origin":"<the signature's origin>".
 */
static int webauthn_prefix_ok(const sk_sig *s)
{
	const unsigned char *c = s->client;
	size_t n0 = sizeof(WEBAUTHN_0) - 1, n1 = sizeof(WEBAUTHN_1) - 1, i = n0;

	if (s->clientn < n0 || memcmp(c, WEBAUTHN_0, n0) != 0)
		return 0;
	while (i < s->clientn && b64url_char(c[i]))
		i++;
	return s->clientn - i > n1 + s->originn && memcmp(c + i, WEBAUTHN_1, n1) == 0 &&
	       memcmp(c + i + n1, s->origin, s->originn) == 0 && c[i + n1 + s->originn] == '"';
}

/*
 * A webauthn signature's clientDataJSON and origin as OpenSSH requires
 * them, and as qvault does besides: the origin the relying party's, the
 * clientDataJSON sound (client_json_ok).
 */
static int webauthn_form_ok(const sk_sig *s, const key_fields *key)
{
	if (s->clientn < sizeof(WEBAUTHN_GET) - 1 ||
	    memcmp(s->client, WEBAUTHN_GET, sizeof(WEBAUTHN_GET) - 1) != 0)
		return vault_error__set(VAULT_EVERIFY,
			"signature's clientDataJSON is not of type \"webauthn.get\"");
	if (!rp_id_ok(key->app, key->appn))
		return vault_error__set(VAULT_EVERIFY, "signature is a webauthn one by a key made "
			"for ssh (its application 'ssh:...'), not for a relying party");
	if (!origin_ok(s->origin, s->originn, key->app, key->appn))
		return vault_error__set(VAULT_EVERIFY,
			"signature's origin is not its relying party's, https://%.*s",
			(int)key->appn, (const char *)key->app);
	if (!webauthn_prefix_ok(s))
		return vault_error__set(VAULT_EVERIFY, "signature's clientDataJSON does not begin "
			"as OpenSSH requires (type, challenge, then the signature's origin)");
	if (!client_json_ok(s->client, s->clientn))
		return vault_error__set(VAULT_EVERIFY, "signature's clientDataJSON is not one JSON "
			"object, has a key twice, or was made in another site's frame");
	return 0;
}

/* A security key's signature in the form qvault takes, but for the challenge. */
static int sk_form_ok(const key_fields *key, const unsigned char *sig, size_t n)
{
	sk_sig s;
	int error;

	if ((error = sk_sig_parse(&s, key->kind, sig, n)) < 0 ||
	    (error = sk_flags_ok(&s, key)) < 0)
		return error;
	return s.webauthn ? webauthn_form_ok(&s, key) : 0;
}

/* 1 when the clientDataJSON's challenge is `data` in base64url, unpadded. */
static int webauthn_challenge_is(const sk_sig *s, const unsigned char *data, size_t dn)
{
	char *want = b64(data, dn);
	size_t n0 = sizeof(WEBAUTHN_0) - 1, n1 = sizeof(WEBAUTHN_1) - 1, wn = strlen(want), i;
	int same;

	while (wn > 0 && want[wn - 1] == '=')
		wn--;
	for (i = 0; i < wn; i++)
		want[i] = want[i] == '+' ? '-' : want[i] == '/' ? '_' : want[i];
	same = s->clientn >= n0 + wn + n1 && memcmp(s->client + n0, want, wn) == 0 &&
	       memcmp(s->client + n0 + wn, WEBAUTHN_1, n1) == 0;
	free(want);
	return same;
}

/*
 * Verify a security key's signature (in its form: sk_form_ok) over
 * `data`, the SSHSIG signed data: ECDSA with SHA-256 over SHA256(its
 * application) || flags || counter || extensions || SHA256(data), or
 * for a webauthn one SHA256(its clientDataJSON), whose challenge must
 * then be `data`.
 */
static int sk_verify(const key_fields *key, EVP_PKEY *pkey, const unsigned char *sig,
		     size_t n, const unsigned char *data, size_t dn)
{
	buf b = { NULL, 0, 0 };
	unsigned char h[32], der[80];
	size_t dl;
	sk_sig s;
	int ok, error;

	if ((error = sk_sig_parse(&s, key->kind, sig, n)) < 0)
		return error;
	if (s.webauthn && !webauthn_challenge_is(&s, data, dn))
		return vault_error__set(VAULT_EVERIFY,
			"signature's WebAuthn challenge is not this message's signed data");
	EVP_Digest(key->app, key->appn, h, NULL, EVP_sha256(), NULL);
	put(&b, h, sizeof(h));
	put(&b, &s.flags, 1);
	put_u32(&b, s.counter);
	put(&b, s.ext, s.extn);
	if (s.webauthn)
		EVP_Digest(s.client, s.clientn, h, NULL, EVP_sha256(), NULL);
	else
		EVP_Digest(data, dn, h, NULL, EVP_sha256(), NULL);
	put(&b, h, sizeof(h));
	if (key->kind == KEY_SK_ED25519)
		ok = evp_verify(pkey, KEY_SK_ED25519, s.rs, s.rsn, b.data, b.len);
	else
		ok = (dl = ecdsa_der(der, s.rs, s.rsn)) > 0 &&
		     evp_verify(pkey, KEY_SK_ECDSA, der, dl, b.data, b.len);
	free(b.data);
	return ok ? 0 : vault_error__set(VAULT_EVERIFY, "signature does not verify");
}

/* The base64 between the armor lines, whitespace dropped; malloc'd. */
static int unarmor(unsigned char **out, size_t *n, const char *a, size_t len)
{
	const char *end = a + len, *b, *e;
	char *text;
	size_t k = 0;
	int error;

	b = memmem(a, len, SIG_BEGIN, sizeof(SIG_BEGIN) - 1);
	if (!b)
		return -1;
	b += sizeof(SIG_BEGIN) - 1;
	e = memmem(b, (size_t)(end - b), SIG_END, sizeof(SIG_END) - 1);
	if (!e)
		return -1;
	if ((text = malloc((size_t)(e - b) + 1)) == NULL)
		abort();
	for (; b < e; b++)
		if (*b != '\n' && *b != '\r' && *b != ' ' && *b != '\t')
			text[k++] = *b;
	error = unb64(out, n, text, k);
	free(text);
	return error;
}

/*
 * A positive SSH mpint of at most 32 bytes in its one encoding (no
 * needless leading zero), into a 32-byte big-endian number; -1 if not.
 */
static int mpint32(unsigned char out[32], const unsigned char *p, size_t n)
{
	if (n == 0 || (p[0] & 0x80) || (p[0] == 0 && (n < 2 || !(p[1] & 0x80))))
		return -1;
	if (p[0] == 0)
		p++, n--;
	if (n > 32)
		return -1;
	memset(out, 0, 32 - n);
	memcpy(out + 32 - n, p, n);
	return 0;
}

/*
 * An ECDSA signature has two valid spellings, (r, s) and (r, n - s); only
 * the low one (s <= n/2) is accepted, and the numbers in their one
 * encoding, so that a signature cannot be rewritten into another valid one.
 */
static int ecdsa_strict(const unsigned char *sig, size_t sn)
{
	static const unsigned char half_order[32] = {
		0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42,
		0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8
	};
	reader r = { sig, sn }, rs;
	const unsigned char *t, *v, *rp, *sp;
	size_t tn, vn, rn, sn2;
	unsigned char rb[32], sb[32];

	if (get_string(&r, &t, &tn) < 0 || get_string(&r, &v, &vn) < 0)
		return -1;
	rs.p = v;
	rs.left = vn;
	if (get_string(&rs, &rp, &rn) < 0 || get_string(&rs, &sp, &sn2) < 0 || rs.left ||
	    mpint32(rb, rp, rn) < 0 || mpint32(sb, sp, sn2) < 0)
		return -1;
	return memcmp(sb, half_order, 32) <= 0 ? 0 : -1;
}

/*
 * 1 when `a` is exactly armor(raw).  One spelling each: a signature file
 * ends with the newline ssh-keygen writes; a commit's gpgsig header (ns
 * "git") is read back without it, as git writes it, so that an empty
 * line added to the header makes no second commit of the same signature.
 */
static int canonical_armor(const unsigned char *raw, size_t n, const char *a, size_t len,
			   const char *ns)
{
	char *want = armor(raw, n);
	size_t wlen = strlen(want) - (strcmp(ns, "git") == 0);
	int same = len == wlen && memcmp(a, want, len) == 0;

	free(want);
	return same;
}

/* The fields of a decoded SSHSIG, pointing into `raw`. */
typedef struct {
	unsigned char *raw;
	const unsigned char *pub, *res, *alg, *sig;
	size_t pubn, resn, algn, sign;
	key_fields key;   /* the key it carries, taken apart */
	EVP_PKEY *pkey;   /* ... and as OpenSSL's */
} sshsig;

static void sshsig_dispose(sshsig *g)
{
	EVP_PKEY_free(g->pkey);
	free(g->raw);
	memset(g, 0, sizeof(*g));
}

/* Decode an armored SSHSIG of namespace `ns`; VAULT_EVERIFY when malformed. */
static int sshsig_parse(sshsig *g, const char *armored, size_t len, const char *ns)
{
	const char *why;
	const unsigned char *sns;
	size_t n, snsn;
	uint32_t version;
	reader r;
	int error;

	memset(g, 0, sizeof(*g));
	if (unarmor(&g->raw, &n, armored, len) < 0)
		return vault_error__set(VAULT_EVERIFY, "signature is not an armored SSH signature");
	if (!canonical_armor(g->raw, n, armored, len, ns)) {
		sshsig_dispose(g);
		return vault_error__set(VAULT_EVERIFY,
			"signature's armor is not as ssh-keygen writes it (text around it, or "
			"other line breaks)");
	}
	r.p = g->raw;
	r.left = n;
	if (r.left < 6 || memcmp(r.p, "SSHSIG", 6) != 0) {
		sshsig_dispose(g);
		return vault_error__set(VAULT_EVERIFY, "signature is not an SSHSIG");
	}
	r.p += 6;
	r.left -= 6;
	if (get_u32(&r, &version) < 0 || version != 1 ||
	    get_string(&r, &g->pub, &g->pubn) < 0 || get_string(&r, &sns, &snsn) < 0 ||
	    get_string(&r, &g->res, &g->resn) < 0 || get_string(&r, &g->alg, &g->algn) < 0 ||
	    get_string(&r, &g->sig, &g->sign) < 0 || r.left) {
		sshsig_dispose(g);
		return vault_error__set(VAULT_EVERIFY, "signature is malformed");
	}
	if (g->resn != 0 ||
	    (!string_is(g->alg, g->algn, "sha512") && !string_is(g->alg, g->algn, "sha256"))) {
		sshsig_dispose(g);
		return vault_error__set(VAULT_EVERIFY,
			"signature has a reserved field or a hash SSHSIG does not define");
	}
	if (!string_is(sns, snsn, ns)) {
		sshsig_dispose(g);
		return vault_error__set(VAULT_EVERIFY,
			"signature is for another namespace than '%s'", ns);
	}
	if ((why = blob_fields(&g->key, g->pub, g->pubn)) != NULL) {
		sshsig_dispose(g);
		return vault_error__set(VAULT_EVERIFY, "signature's key is %s", why);
	}
	if ((g->pkey = blob_key(&g->key)) == NULL) {
		sshsig_dispose(g);
		return vault_error__set(VAULT_EVERIFY, "signature's key is not a valid public key");
	}
	if (IS_SK(g->key.kind) && (error = sk_form_ok(&g->key, g->sig, g->sign)) < 0) {
		sshsig_dispose(g);
		return error;
	}
	if (IS_ECDSA(g->key.kind) && ecdsa_strict(g->sig, g->sign) < 0) {
		sshsig_dispose(g);
		return vault_error__set(VAULT_EVERIFY,
			"signature is malleable (an ECDSA s above n/2, or a padded number)");
	}
	return 0;
}

/* *out = "TYPE BASE64" of the key a signature carries, the caller's. */
static int sshsig_signer(char **out, const sshsig *g)
{
	vault_buf s = VAULT_BUF_INIT;
	char *enc = b64(g->pub, g->pubn);
	int error = vault_buf__addf(&s, "%s %s", kind_names[g->key.kind], enc);

	free(enc);
	*out = error < 0 ? NULL : vault_buf__detach(&s);
	return error;
}

int vault_sign__check(char **signer, const char *armored, size_t armored_len,
		      const char *ns, const void *msg, size_t len)
{
	buf data = { NULL, 0, 0 };
	unsigned char h[64];
	size_t hn;
	sshsig g;
	int error;

	*signer = NULL;
	if ((error = sshsig_parse(&g, armored, armored_len, ns)) < 0)
		return error;
	if (string_is(g.alg, g.algn, "sha512")) {
		EVP_Digest(msg, len, h, NULL, EVP_sha512(), NULL);
		hn = 64;
	} else if (string_is(g.alg, g.algn, "sha256")) {
		EVP_Digest(msg, len, h, NULL, EVP_sha256(), NULL);
		hn = 32;
	} else {
		sshsig_dispose(&g);
		return vault_error__set(VAULT_EVERIFY, "signature uses an unknown hash");
	}
	put(&data, "SSHSIG", 6);
	put_cstring(&data, ns);
	put_string(&data, g.res, g.resn);
	put_string(&data, g.alg, g.algn);
	put_string(&data, h, hn);
	if (IS_SK(g.key.kind))
		error = sk_verify(&g.key, g.pkey, g.sig, g.sign, data.data, data.len);
	else if (!raw_verify(g.pkey, g.key.kind, g.sig, g.sign, data.data, data.len))
		error = vault_error__set(VAULT_EVERIFY, "signature does not verify");
	if (error == 0)
		error = sshsig_signer(signer, &g);
	free(data.data);
	sshsig_dispose(&g);
	return error;
}

/*
 * The ECDSA signature blob `sig` (string type, string { mpint r, mpint s },
 * and for a security key flags and counter) with the low s, into `out`;
 * -1 when it is not one.
 */
static int ecdsa_low(buf *out, const unsigned char *sig, size_t sn)
{
	reader r = { sig, sn }, rs;
	const unsigned char *t, *v, *rp, *sp;
	size_t tn, vn, rn, spn;
	unsigned char rb[32], sb[32];
	buf inner = { NULL, 0, 0 };

	if (get_string(&r, &t, &tn) < 0 || get_string(&r, &v, &vn) < 0)
		return -1;
	rs.p = v;
	rs.left = vn;
	if (get_string(&rs, &rp, &rn) < 0 || get_string(&rs, &sp, &spn) < 0 || rs.left ||
	    mpint32(rb, rp, rn) < 0 || mpint32(sb, sp, spn) < 0)
		return -1;
	low_s(sb);
	put_mpint(&inner, rb, 32);
	put_mpint(&inner, sb, 32);
	put_string(out, t, tn);
	put_string(out, inner.data, inner.len);
	put(out, r.p, r.left); /* a security key's flags and counter, as they were */
	free(inner.data);
	return 0;
}

int vault_sign__canonical(char **out, const char *armored, size_t len)
{
	const unsigned char *pub, *ns, *res, *alg, *sig;
	size_t n, pubn, nsn, resn, algn, sign;
	unsigned char *raw = NULL;
	buf b = { NULL, 0, 0 }, low = { NULL, 0, 0 };
	key_fields key;
	uint32_t version;
	reader r;
	int error = 0;

	*out = NULL;
	if (unarmor(&raw, &n, armored, len) < 0)
		return vault_error__set(VAULT_EVERIFY, "signature is not an armored SSH signature");
	if (n < 6 || memcmp(raw, "SSHSIG", 6) != 0) {
		error = vault_error__set(VAULT_EVERIFY, "signature is not an SSHSIG");
		goto done;
	}
	r.p = raw + 6;
	r.left = n - 6;
	if (get_u32(&r, &version) < 0 || version != 1 || get_string(&r, &pub, &pubn) < 0 ||
	    get_string(&r, &ns, &nsn) < 0 || get_string(&r, &res, &resn) < 0 ||
	    get_string(&r, &alg, &algn) < 0 || get_string(&r, &sig, &sign) < 0 || r.left) {
		error = vault_error__set(VAULT_EVERIFY, "signature is malformed");
		goto done;
	}
	put(&b, "SSHSIG", 6);
	put_u32(&b, version);
	put_string(&b, pub, pubn);
	put_string(&b, ns, nsn);
	put_string(&b, res, resn);
	put_string(&b, alg, algn);
	if (!blob_fields(&key, pub, pubn) && IS_ECDSA(key.kind) &&
	    ecdsa_low(&low, sig, sign) == 0)
		put_string(&b, low.data, low.len);
	else
		put_string(&b, sig, sign); /* checked as it is, and refused if it must be */
	*out = armor(b.data, b.len);
done:
	free(low.data);
	free(b.data);
	free(raw);
	return error;
}

int vault_sign__claimed(char **signer, const char *armored, size_t armored_len,
			const char *ns)
{
	sshsig g;
	int error;

	*signer = NULL;
	if ((error = sshsig_parse(&g, armored, armored_len, ns)) < 0)
		return error;
	error = sshsig_signer(signer, &g);
	sshsig_dispose(&g);
	return error;
}

/* ---- passkeys: what the portal makes of a browser's WebAuthn ------------ */

int vault_sign__signed_data(unsigned char **out, size_t *n, const char *ns,
			    const void *msg, size_t len)
{
	buf data = { NULL, 0, 0 };
	unsigned char h[64];

	EVP_Digest(msg, len, h, NULL, EVP_sha512(), NULL);
	signed_data(&data, ns, "sha512", h, sizeof(h));
	*out = data.data;
	*n = data.len;
	return 0;
}

int vault_sign__sk_point(unsigned char q[65], char **app, const char *pubkey_line)
{
	const char *b = strchr(pubkey_line, ' '), *end;
	unsigned char *blob = NULL;
	key_fields f;
	size_t n;
	int error = 0;

	*app = NULL;
	if (!b)
		return vault_error__set(VAULT_EINVALID, "public key is not 'TYPE BASE64 [COMMENT]'");
	b++;
	end = b + strcspn(b, " \r\n");
	if (unb64(&blob, &n, b, (size_t)(end - b)) < 0)
		return vault_error__set(VAULT_EINVALID, "public key is not valid base64");
	if (blob_fields(&f, blob, n) || f.kind != KEY_SK_ECDSA || !rp_id_ok(f.app, f.appn)) {
		error = vault_error__set(VAULT_EINVALID, "the key is not a passkey (an "
					 SK_ECDSA_NAME " key made for a relying party)");
	} else {
		memcpy(q, f.pub, 65);
		if ((*app = malloc(f.appn + 1)) == NULL)
			abort();
		memcpy(*app, f.app, f.appn);
		(*app)[f.appn] = '\0';
	}
	free(blob);
	return error;
}

int vault_sign__sk_public(char **line, const unsigned char q[65], const char *app,
			  const char *comment)
{
	buf b = { NULL, 0, 0 };
	vault_buf s = VAULT_BUF_INIT;
	char *enc;
	int error;

	*line = NULL;
	if (!rp_id_ok((const unsigned char *)app, strlen(app)))
		return vault_error__set(VAULT_EINVALID, "'%s' is not a relying-party id (a "
					"lower-case host name)", app);
	put_cstring(&b, SK_ECDSA_NAME);
	put_cstring(&b, "nistp256");
	put_string(&b, q, 65);
	put_cstring(&b, app);
	enc = b64(b.data, b.len);
	free(b.data);
	error = comment ? vault_buf__addf(&s, "%s %s %s", SK_ECDSA_NAME, enc, comment) :
		vault_buf__addf(&s, "%s %s", SK_ECDSA_NAME, enc);
	free(enc);
	if (error < 0)
		return error;
	*line = vault_buf__detach(&s);
	return 0;
}

int vault_sign__webauthn_sshsig(char **out, const char *pubkey_line, const char *ns,
				const unsigned char *der, size_t dern, unsigned char flags,
				uint32_t counter, const char *origin, const unsigned char *client,
				size_t clientn, const unsigned char *ext, size_t extn)
{
	const char *b = strchr(pubkey_line, ' '), *end;
	buf sig = { NULL, 0, 0 }, rs = { NULL, 0, 0 }, all = { NULL, 0, 0 };
	unsigned char *blob = NULL, r[32], s[32];
	const unsigned char *p = der;
	ECDSA_SIG *es = NULL;
	size_t n;
	int error = 0;

	*out = NULL;
	if (!b)
		return vault_error__set(VAULT_EINVALID, "public key is not 'TYPE BASE64 [COMMENT]'");
	b++;
	end = b + strcspn(b, " \r\n");
	if (unb64(&blob, &n, b, (size_t)(end - b)) < 0)
		return vault_error__set(VAULT_EINVALID, "public key is not valid base64");
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)dern)) == NULL || p != der + dern ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), r, 32) != 32 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), s, 32) != 32) {
		error = vault_error__set(VAULT_EVERIFY, "the passkey's signature is not one "
					 "DER-encoded ECDSA signature");
		goto done;
	}
	low_s(s);
	put_mpint(&rs, r, 32);
	put_mpint(&rs, s, 32);
	put_cstring(&sig, WEBAUTHN_NAME);
	put_string(&sig, rs.data, rs.len);
	put(&sig, &flags, 1);
	put_u32(&sig, counter);
	put_cstring(&sig, origin);
	put_string(&sig, client, clientn);
	put_string(&sig, ext, extn);
	put(&all, "SSHSIG", 6);
	put_u32(&all, 1);
	put_string(&all, blob, n);
	put_cstring(&all, ns);
	put_string(&all, "", 0);
	put_cstring(&all, "sha512");
	put_string(&all, sig.data, sig.len);
	*out = armor(all.data, all.len);
done:
	ECDSA_SIG_free(es);
	free(blob);
	free(sig.data);
	free(rs.data);
	free(all.data);
	return error;
}
