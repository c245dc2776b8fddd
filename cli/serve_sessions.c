/*
 * serve_sessions.c - the writer's half of the portal: passkey enrollment
 * and login, the sessions they open, and signatures made with a passkey.
 *
 * Sessions live here, in the process that holds the server key, and
 * nowhere else: the HTTP side knows a session only by asking
 * ("portal-session"), so a compromised request handler can make no write
 * for a user who did not log in.  A session is 32 random bytes
 * (base64url) in the browser's __Host- cookie, kept here by its SHA-256,
 * with a second random value, the CSRF token, that every write must
 * carry; it ends after an idle time, and is replaced by a new one after
 * each signature (and at login).
 *
 * Challenges: a login or an enrollment gets 32 random bytes, valid for
 * five minutes and for one answer.  A signature's challenge is no random
 * value but the SSHSIG signed data of the statement signed, as OpenSSH
 * requires; a replay of it is refused because the vault records one
 * acknowledgment per signer and meaning.
 *
 * The signature counter of each user's passkey must grow too (a synced
 * passkey keeps none: always 0).  The last one seen is server state, kept
 * beside the server key in DIR/qvault/passkey-counters (never in the
 * vault's history), one line a user, "NAME COUNTER\n".  It is read at
 * start (a malformed file stops the writer; none is no counter seen), and
 * written whole, a new file renamed over the old, each time a counter
 * moves, before the login or signature is accepted: a restart forgets
 * none, and a login whose counter cannot be recorded is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cli.h"
#include "serve.h"

#define SESSIONS_MAX 4096
#define SESSIONS_PER_USER 8
#define PENDING_MAX 256
#define ISSUED_MAX 256
#define CHALLENGE_SECONDS 300
#define RANDOM_BYTES 32
#define COUNTERS_FILE "passkey-counters"

enum { PENDING_LOGIN = 1, PENDING_ENROLL };

typedef struct {
	char sha256[65];                 /* of the session id; "" when free */
	char csrf[48];
	char user[VAULT_NAME_MAX + 1];
	time_t seen;
} session;

typedef struct {
	int kind;                        /* PENDING_*; 0 when free */
	char name[VAULT_NAME_MAX + 1];
	char secret_sha256[65];          /* an enrollment's: the link it came from */
	unsigned char challenge[RANDOM_BYTES];
	time_t at;
} pending;

/* The last signature counter of `user`'s passkey. */
typedef struct {
	char user[VAULT_NAME_MAX + 1];
	uint32_t counter;
} counter_row;

static struct {
	char *origin;                    /* the portal's, "https://HOST[:PORT]"; NULL: no portal */
	char *rp_id;                     /* its relying-party id, HOST */
	unsigned idle;                   /* seconds a session lives without use */
	session sessions[SESSIONS_MAX];
	pending pending[PENDING_MAX];
	char *state_dir;                 /* DIR/qvault, where the counters file is */
	char *counters_path;             /* DIR/qvault/passkey-counters */
	counter_row *counters;           /* each user's last counter seen (no row: 0) */
	size_t ncounters, counters_room;
	/* the record each user was last given to sign, by its SHA-256, for CHALLENGE_SECONDS */
	struct {
		char user[VAULT_NAME_MAX + 1];
		unsigned char sha256[32];
		time_t at;
	} issued[ISSUED_MAX];
} portal;

/* ---- signature counters ----------------------------------------------------- */

/* The row of `user`, or NULL. */
static counter_row *counter_of(const char *user)
{
	for (size_t i = 0; i < portal.ncounters; i++)
		if (strcmp(portal.counters[i].user, user) == 0)
			return &portal.counters[i];
	return NULL;
}

/* A new row for `user` (a name vault_name_check took), counter 0. */
static counter_row *counter_add(const char *user)
{
	counter_row *row;

	if (portal.ncounters == portal.counters_room) {
		size_t room = portal.counters_room ? 2 * portal.counters_room : 64;

		if (room > SIZE_MAX / sizeof(*row) ||
		    (row = realloc(portal.counters, room * sizeof(*row))) == NULL)
			abort();
		portal.counters = row;
		portal.counters_room = room;
	}
	row = &portal.counters[portal.ncounters++];
	memset(row, 0, sizeof(*row));
	if (cli_fmt(row->user, sizeof(row->user), "the user name", "%s", user) < 0)
		abort();
	return row;
}

/*
 * Line `line` of the counters file, its newline cut off, taken in; the
 * reason it is malformed, or NULL.
 */
static const char *counter_line(char *line, size_t len)
{
	char *space = strchr(line, ' '), *digits;
	unsigned long long value = 0;

	if (strlen(line) != len)
		return "it holds a NUL byte";
	if (!space)
		return "it is not NAME COUNTER";
	*space = '\0';
	digits = space + 1;
	if (vault_plain_name_check("the user name", line) < 0)
		return vault_error_message();
	if (!*digits || strspn(digits, "0123456789") != strlen(digits) || strlen(digits) > 10 ||
	    (value = strtoull(digits, NULL, 10)) > UINT32_MAX)
		return "its counter is not a whole number from 0 to 4294967295";
	if (counter_of(line))
		return "its user has a line before";
	counter_add(line)->counter = (uint32_t)value;
	return NULL;
}

/*
 * Read the counters file at portal.counters_path; none is no counter
 * seen.  -1, said in one line on stderr, when it cannot be read or is
 * malformed: the writer does not start, rather than forget a counter.
 */
static int counters_load(void)
{
	const char *path = portal.counters_path, *reason = NULL;
	char *line = NULL;
	size_t size = 0, number = 0;
	ssize_t len;
	FILE *f = NULL;
	int fd, error = 0;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "qvault serve: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		fprintf(stderr, "qvault serve: cannot read '%s': %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	errno = 0;
	while (!reason && (len = getline(&line, &size, f)) >= 0) {
		number++;
		if (len == 0 || line[len - 1] != '\n') {
			reason = "it does not end with a newline";
		} else {
			line[--len] = '\0';
			reason = counter_line(line, (size_t)len);
		}
	}
	if (reason) {
		fprintf(stderr, "qvault serve: the passkey counters file '%s' is malformed at "
			"line %zu: %s\n", path, number, reason);
		error = -1;
	} else if (ferror(f)) {
		fprintf(stderr, "qvault serve: cannot read '%s': %s\n", path,
			strerror(errno ? errno : EIO));
		error = -1;
	}
	free(line);
	fclose(f);
	return error;
}

/* Write all of `len` bytes of `data` to `fd`; -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Write every counter to the counters file: a new file beside it,
 * synced, renamed over it (and the folder synced), so that the file holds
 * either the counters before or the counters after.  -1, said on stderr
 * for the server's operator, when it could not.
 */
static int counters_save(void)
{
	const char *path = portal.counters_path;
	size_t size = strlen(path) + sizeof(".XXXXXX"), used = 0, room;
	char *tmp, *text;
	int fd, dir, error = -1;

	room = portal.ncounters * (VAULT_NAME_MAX + 13) + 1;
	if ((tmp = malloc(size)) == NULL || (text = malloc(room)) == NULL)
		abort();
	/* the path and its suffix; a name of VAULT_NAME_MAX at most, a space,
	 * 10 digits and a newline a line: they fit */
	if (cli_fmt(tmp, size, "the counters file's path", "%s.XXXXXX", path) < 0)
		abort();
	for (size_t i = 0; i < portal.ncounters; i++) {
		if (cli_fmt(text + used, room - used, "the counters file", "%s %" PRIu32 "\n",
			    portal.counters[i].user, portal.counters[i].counter) < 0)
			abort();
		used += strlen(text + used);
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		fprintf(stderr, "qvault serve: cannot write '%s': %s\n", tmp, strerror(errno));
		goto done;
	}
	if (write_all(fd, text, used) < 0 || fsync(fd) < 0) {
		fprintf(stderr, "qvault serve: cannot write '%s': %s\n", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto done;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "qvault serve: cannot write '%s': %s\n", path, strerror(errno));
		unlink(tmp);
		goto done;
	}
	/* the rename itself lasts once the folder is synced */
	if ((dir = open(portal.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(dir) < 0) {
		fprintf(stderr, "qvault serve: cannot sync '%s': %s\n", portal.state_dir,
			strerror(errno));
		if (dir >= 0)
			close(dir);
		goto done;
	}
	close(dir);
	error = 0;
done:
	free(text);
	free(tmp);
	return error;
}

/*
 * The signature counter of `user`'s passkey moved to `counter`: it must
 * grow, unless the authenticator keeps none (always 0, as synced passkeys
 * do).  0 when it did, and it is recorded; -1 when it did not (a cloned
 * authenticator, or a replayed assertion); -2 when it could not be
 * recorded (the caller refuses: a restart would forget it).  Seen, it is
 * kept in this process even when it could not be recorded: the counter
 * only ever rises here.
 */
static int counter_moves(const char *user, uint32_t counter)
{
	counter_row *row = counter_of(user);

	if (row && (counter || row->counter) && counter <= row->counter)
		return -1;
	if (counter == (row ? row->counter : 0))
		return 0; /* 0 again: nothing to record */
	if (!row)
		row = counter_add(user);
	row->counter = counter;
	return counters_save() < 0 ? -2 : 0;
}

int serve_sessions_init(const char *dir, const char *origin, unsigned idle)
{
	size_t size = strlen(dir) + sizeof("/qvault/" COUNTERS_FILE);
	char *rp = NULL;

	portal.idle = idle;
	if (!origin)
		return 0;
	if (vault_webauthn_rp_id(&rp, origin) < 0) {
		fprintf(stderr, "qvault serve: %s\n", vault_error_message());
		return -1;
	}
	portal.rp_id = rp;
	if ((portal.origin = strdup(origin)) == NULL || (portal.state_dir = malloc(size)) == NULL ||
	    (portal.counters_path = malloc(size)) == NULL)
		abort();
	/* both fit: the size is the longer's */
	if (cli_fmt(portal.state_dir, size, "the vault's path", "%s/qvault", dir) < 0 ||
	    cli_fmt(portal.counters_path, size, "the vault's path", "%s/qvault/" COUNTERS_FILE,
		    dir) < 0)
		return -1;
	return counters_load();
}

static json_t *failure(int status, const char *message)
{
	return json_pack("{s:i, s:s}", "status", status, "error", message);
}

static json_t *ok(json_t *body)
{
	return body ? json_pack("{s:i, s:o}", "status", 200, "body", body) :
		failure(500, "cannot describe the answer");
}

static const char *member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void sha256_hex(char out[65], const char *s)
{
	unsigned char md[32];

	static const char digits[] = "0123456789abcdef";

	EVP_Digest(s, strlen(s), md, NULL, EVP_sha256(), NULL);
	for (size_t i = 0; i < sizeof(md); i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}

/* `n` random bytes in base64url; malloc'd. */
static char *random_text(void)
{
	unsigned char raw[RANDOM_BYTES];
	char *text;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		abort();
	text = vault_webauthn_b64url(raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	return text;
}

static char *passkey_of(vault *v, const char *name);

/* ---- sessions ------------------------------------------------------------- */

/* The live session of id `id`, or NULL (an idle one is ended on the way). */
static session *session_of(const char *id, time_t now)
{
	char sha[65];

	if (!id || strlen(id) != 43)
		return NULL;
	sha256_hex(sha, id);
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		session *s = &portal.sessions[i];

		if (!s->sha256[0] || CRYPTO_memcmp(s->sha256, sha, 64) != 0)
			continue;
		if (now - s->seen > (time_t)portal.idle || now < s->seen - 60) {
			memset(s, 0, sizeof(*s));
			return NULL;
		}
		s->seen = now;
		return s;
	}
	return NULL;
}

/*
 * A new session for `user` into the reply `body` ("session", "csrf"):
 * in the place of the user's own idle longest when it has
 * SESSIONS_PER_USER already (so that one user logging in again and again
 * ends no one else's), else in a free slot, or the one idle longest.
 */
static void session_open(json_t *body, const char *user, time_t now)
{
	session *s = NULL, *mine = NULL;
	char *id = random_text(), *csrf = random_text();
	size_t i, n = 0;

	for (i = 0; i < SESSIONS_MAX; i++) {
		session *t = &portal.sessions[i];

		if (t->sha256[0] && now - t->seen <= (time_t)portal.idle &&
		    strcmp(t->user, user) == 0) {
			n++;
			if (!mine || t->seen < mine->seen)
				mine = t;
		}
	}
	if (n >= SESSIONS_PER_USER)
		s = mine;
	for (i = 0; !s && i < SESSIONS_MAX; i++) {
		session *t = &portal.sessions[i];

		if (!t->sha256[0] || now - t->seen > (time_t)portal.idle)
			s = t;
	}
	if (!s) {
		s = &portal.sessions[0];
		for (i = 1; i < SESSIONS_MAX; i++)
			if (portal.sessions[i].seen < s->seen)
				s = &portal.sessions[i];
	}
	memset(s, 0, sizeof(*s));
	sha256_hex(s->sha256, id);
	/* 43 characters, and a name of VAULT_NAME_MAX at most: they fit */
	if (cli_fmt(s->csrf, sizeof(s->csrf), "the CSRF token", "%s", csrf) < 0 ||
	    cli_fmt(s->user, sizeof(s->user), "the user name", "%s", user) < 0)
		abort();
	s->seen = now;
	json_object_set_new(body, "session", json_string(id));
	json_object_set_new(body, "csrf", json_string(csrf));
	json_object_set_new(body, "user", json_string(user));
	OPENSSL_cleanse(id, strlen(id));
	free(id);
	free(csrf);
}

json_t *serve_session_authorize(vault_user *u, vault *v, const json_t *req)
{
	const char *csrf = member(req, "csrf");
	session *s = session_of(member(req, "session"), time(NULL));
	vault_user_list *list = NULL;
	json_t *reply = NULL;
	size_t i;

	memset(u, 0, sizeof(*u));
	if (!s)
		return failure(401, "your session ended; log in again");
	if (!csrf || strlen(csrf) != strlen(s->csrf) ||
	    CRYPTO_memcmp(csrf, s->csrf, strlen(s->csrf)) != 0)
		return failure(403, "the request did not come from a page of this portal");
	if (vault_users(&list, v) < 0)
		return failure(500, vault_error_message());
	for (i = 0; i < list->count; i++)
		if (strcmp(list->items[i].name, s->user) == 0 && !list->items[i].revoked)
			break;
	if (i == list->count) {
		memset(s, 0, sizeof(*s));
		reply = failure(401, "your user was revoked");
	} else {
		*u = list->items[i];
		memset(&list->items[i], 0, sizeof(*u));
	}
	vault_user_list_free(list);
	return reply;
}

/* "portal-session": who a session is, for the HTTP side's pages. */
static json_t *do_session(vault *v, const json_t *req)
{
	session *s = session_of(member(req, "session"), time(NULL));
	char *key;

	if (!s)
		return failure(401, "no session");
	/* a user revoked since it logged in has no session any more */
	if ((key = passkey_of(v, s->user)) == NULL) {
		memset(s, 0, sizeof(*s));
		return failure(401, "no session");
	}
	free(key);
	return ok(json_pack("{s:s, s:s}", "user", s->user, "csrf", s->csrf));
}

/* "portal-logout": the session ends (its CSRF token checked). */
static json_t *do_logout(vault *v, const json_t *req)
{
	session *s = session_of(member(req, "session"), time(NULL));
	const char *csrf = member(req, "csrf");

	(void)v;
	if (s && csrf && strlen(csrf) == strlen(s->csrf) &&
	    CRYPTO_memcmp(csrf, s->csrf, strlen(csrf)) == 0)
		memset(s, 0, sizeof(*s));
	return ok(json_pack("{s:b}", "ended", 1));
}

/* ---- challenges ------------------------------------------------------------ */

/*
 * A new challenge of `kind` for `name`: in the place of that name's own
 * of the same kind (one live challenge each: whoever floods logins for
 * other names takes no one's place), else in a free or expired slot.
 * NULL when every slot holds a live challenge: the caller refuses, and
 * no one's challenge is taken.
 */
static pending *challenge_new(int kind, const char *name, time_t now)
{
	pending *p = NULL;

	for (size_t i = 0; i < PENDING_MAX; i++) {
		pending *t = &portal.pending[i];

		if (t->kind == kind && strcmp(t->name, name) == 0) {
			p = t;
			break;
		}
		if (!p && (!t->kind || now - t->at > CHALLENGE_SECONDS))
			p = t;
	}
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	/* the caller checked the name (vault_name_check): it fits */
	if (cli_fmt(p->name, sizeof(p->name), "the user name", "%s", name) < 0)
		abort();
	p->at = now;
	if (RAND_bytes(p->challenge, sizeof(p->challenge)) != 1)
		abort();
	return p;
}

/*
 * The live challenge of `kind` for `name` that the clientDataJSON
 * `client_b64` (base64url, as the browser sent it) answers, taken out: a
 * challenge answers once.  NULL when none does.
 */
static int challenge_take(pending *out, int kind, const char *name, const char *client_b64,
			  time_t now)
{
	json_t *client = NULL;
	unsigned char *raw = NULL;
	const char *got;
	size_t n = 0;
	int found = 0;

	if (!client_b64 || !name)
		return 0;
	{
		/* base64url to text, with EVP's decoder: padded, '+' and '/' */
		size_t len = strlen(client_b64), pad = (4 - len % 4) % 4, bare = len, i;
		char *std;
		int r;

		/* the sender's text: too long, or not base64url, answers nothing */
		while (bare > 0 && client_b64[bare - 1] == '=')
			bare--;
		if (bare == 0 || len > 16384 || len % 4 == 1 ||
		    strspn(client_b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			   "0123456789-_") != bare)
			return 0;
		if ((std = malloc(len + pad + 1)) == NULL || (raw = malloc(len + pad)) == NULL)
			abort();
		for (i = 0; i < len; i++)
			std[i] = client_b64[i] == '-' ? '+' : client_b64[i] == '_' ? '/' : client_b64[i];
		memset(std + len, '=', pad);
		std[len + pad] = '\0';
		r = EVP_DecodeBlock(raw, (unsigned char *)std, (int)(len + pad));
		free(std);
		n = r < 0 || (size_t)r < pad ? 0 : (size_t)r - pad;
	}
	client = n ? json_loadb((const char *)raw, n, 0, NULL) : NULL;
	free(raw);
	got = json_string_value(json_object_get(client, "challenge"));
	for (size_t i = 0; got && i < PENDING_MAX && !found; i++) {
		pending *p = &portal.pending[i];
		char *want;

		if (p->kind != kind || strcmp(p->name, name) != 0 || now - p->at > CHALLENGE_SECONDS)
			continue;
		want = vault_webauthn_b64url(p->challenge, sizeof(p->challenge));
		if (strcmp(want, got) == 0) {
			*out = *p;
			memset(p, 0, sizeof(*p));
			found = 1;
		}
		free(want);
	}
	json_decref(client);
	return found;
}

/* The passkey of registered, unrevoked user `name` (malloc'd), or NULL. */
static char *passkey_of(vault *v, const char *name)
{
	vault_user_list *list = NULL;
	char *key = NULL;
	size_t i;

	if (!name || vault_users(&list, v) < 0)
		return NULL;
	for (i = 0; i < list->count; i++)
		if (strcmp(list->items[i].name, name) == 0 && !list->items[i].revoked &&
		    strncmp(list->items[i].key, "sk-ecdsa-sha2-nistp256@openssh.com ", 35) == 0)
			key = strdup(list->items[i].key);
	vault_user_list_free(list);
	return key;
}

/* ---- login ----------------------------------------------------------------- */

/*
 * "portal-login-begin" {name}: a challenge for `name`'s passkey.  Any
 * name gets one, so that the answer says nothing of who is a user.
 */
static json_t *do_login_begin(vault *v, const json_t *req)
{
	const char *name = member(req, "name");
	char *rp = NULL, *challenge;
	pending *p;
	json_t *body;

	(void)v;
	if (!name || vault_plain_name_check("user name", name) < 0)
		return failure(400, "give your user name");
	if (vault_webauthn_rp_id(&rp, portal.origin) < 0)
		return failure(500, vault_error_message());
	if ((p = challenge_new(PENDING_LOGIN, name, time(NULL))) == NULL) {
		free(rp);
		return failure(503, "too many logins under way; try again in a minute");
	}
	challenge = vault_webauthn_b64url(p->challenge, sizeof(p->challenge));
	body = json_pack("{s:s, s:s, s:i}", "challenge", challenge, "rp_id", rp, "timeout",
			 CHALLENGE_SECONDS * 1000);
	free(challenge);
	free(rp);
	return ok(body);
}

/* The assertion's three pieces, as the request carries them. */
static vault_webauthn_assertion assertion_of(const json_t *req)
{
	vault_webauthn_assertion a = { member(req, "authenticator_data"),
				       member(req, "client_data"), member(req, "signature") };

	return a;
}

/* "portal-login-finish" {name, authenticator_data, client_data, signature}. */
static json_t *do_login_finish(vault *v, const json_t *req)
{
	const char *name = member(req, "name");
	vault_webauthn_assertion a = assertion_of(req);
	time_t now = time(NULL);
	uint32_t counter = 0;
	char *key = NULL;
	session *old;
	pending p;
	json_t *body;
	int error;

	if (!challenge_take(&p, PENDING_LOGIN, name, a.client_data, now))
		return failure(401, "the login expired or was answered already; try again");
	/* a name without a passkey is answered as a wrong passkey is: no user is told apart */
	key = passkey_of(v, name);
	error = vault_webauthn_login(&counter, key, portal.origin, p.challenge,
				     sizeof(p.challenge), &a);
	free(key);
	/* a wrong answer is the user's (401); anything else is the server's */
	if (error < 0)
		return failure(error == VAULT_EVERIFY || error == VAULT_EINVALID ? 401 : 500,
			       vault_error_message());
	if ((error = counter_moves(name, counter)) < 0)
		return error == -2 ? failure(500, "cannot record the passkey's signature counter") :
			failure(401, "the passkey's signature counter went back: a copied "
				"authenticator or a replayed login");
	/* rotated at login: the browser's session before, if any, ends here */
	if ((old = session_of(member(req, "session"), now)) != NULL)
		memset(old, 0, sizeof(*old));
	body = json_object();
	session_open(body, name, now);
	return ok(body);
}

/* ---- enrollment ------------------------------------------------------------ */

/* "portal-enroll-begin" {name, secret}: what navigator.credentials.create() needs. */
static json_t *do_enroll_begin(vault *v, const json_t *req)
{
	const char *name = member(req, "name"), *secret = member(req, "secret");
	vault_enrollment e;
	char display[2 * VAULT_NAME_MAX + 8], *challenge, *uid;

	pending *p;
	json_t *body;

	if (!name || !secret || vault_enrollment_get(&e, v, name, secret, (int64_t)time(NULL)) < 0)
		return failure(403, "this enrollment link is not valid: it expired, was used, or "
			       "is not one; ask your admin for a new one");
	if (strcmp(e.rp_id, portal.rp_id) != 0) {
		vault_enrollment_dispose(&e);
		return failure(400, "this enrollment link is for another portal");
	}
	/* two names of VAULT_NAME_MAX at most: it fits, unless history was forged around
	 * verify (an organization that is no name), which is answered, not aborted on */
	if (cli_fmt(display, sizeof(display), "the display name", "%s (%s)", name, e.org) < 0) {
		vault_enrollment_dispose(&e);
		return failure(500, "this enrollment's organization is not a name; ask your admin");
	}
	if ((p = challenge_new(PENDING_ENROLL, name, time(NULL))) == NULL) {
		vault_enrollment_dispose(&e);
		return failure(503, "too many logins under way; try again in a minute");
	}
	sha256_hex(p->secret_sha256, secret);
	challenge = vault_webauthn_b64url(p->challenge, sizeof(p->challenge));
	uid = vault_webauthn_b64url((const unsigned char *)name, strlen(name));
	body = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:i}",
			 "challenge", challenge, "rp", "id", e.rp_id, "name", "qvault",
			 "user", "id", uid, "name", name, "displayName", display,
			 "expires", e.expires, "timeout", CHALLENGE_SECONDS * 1000);
	free(challenge);
	free(uid);
	vault_enrollment_dispose(&e);
	return ok(body);
}

/* "portal-enroll-finish" {name, secret, attestation_object, client_data}. */
static json_t *do_enroll_finish(vault *v, const json_t *req)
{
	const char *name = member(req, "name"), *secret = member(req, "secret");
	char sha[65], comment[VAULT_NAME_MAX + 300], *line = NULL;
	json_t *reply;
	pending p;

	if (!secret || !challenge_take(&p, PENDING_ENROLL, name, member(req, "client_data"),
				       time(NULL)))
		return failure(403, "the enrollment expired or was answered already; open the "
			       "link again");
	sha256_hex(sha, secret);
	if (CRYPTO_memcmp(sha, p.secret_sha256, 64) != 0)
		return failure(403, "the answer is for another enrollment link");
	/* a name and a host name (253 at most): it fits */
	if (cli_fmt(comment, sizeof(comment), "the key's comment", "%s@%s", name,
		    portal.rp_id) < 0)
		abort();
	if (vault_webauthn_register(&line, portal.origin, p.challenge, sizeof(p.challenge),
				    member(req, "attestation_object"), member(req, "client_data"),
				    comment) < 0)
		return failure(400, vault_error_message());
	vault_set_on_behalf(v, NULL);
	if (vault_user_enrolled(v, name, secret, line) < 0)
		reply = failure(403, vault_error_message());
	else
		reply = ok(json_pack("{s:s, s:s}", "user", name, "key", line));
	free(line);
	return reply;
}

/* ---- signatures ------------------------------------------------------------ */

/* 1 when the statement `stmt` acknowledges DOC@REV. */
static int statement_is_for(const char *stmt, const char *doc, const char *rev)
{
	json_t *s = json_loads(stmt, JSON_REJECT_DUPLICATES, NULL);
	json_t *p = json_object_get(s, "predicate");
	const char *d = json_string_value(json_object_get(p, "document"));
	const char *r = json_string_value(json_object_get(p, "revision"));
	int same = d && r && doc && rev && strcmp(d, doc) == 0 && strcmp(r, rev) == 0;

	json_decref(s);
	return same;
}

/*
 * The assertion in `req`, by `user`'s passkey `key` over `msg` in namespace
 * `ns`, as an armored SSHSIG into *armored: NULL, or the refusal (another
 * origin or challenge, no user verification, a counter that went back or
 * that could not be recorded).
 */
static json_t *passkey_signature(char **armored, const char *user, const char *key,
				 const char *ns, const char *msg, const json_t *req)
{
	vault_webauthn_assertion a = assertion_of(req);
	uint32_t counter = 0;
	int moved, error;

	/* a wrong answer is the user's (400); anything else is the server's */
	if ((error = vault_webauthn_sign(armored, &counter, key, portal.origin, ns, msg,
					 strlen(msg), &a)) < 0)
		return failure(error == VAULT_EVERIFY || error == VAULT_EINVALID ? 400 : 500,
			       vault_error_message());
	if ((moved = counter_moves(user, counter)) < 0)
		return moved == -2 ? failure(500, "cannot record the passkey's signature counter") :
			failure(400, "the passkey's signature counter went back: a copied "
				"authenticator or a replayed signature");
	return NULL;
}

/*
 * What a signature recorded answers: 201 with it, and a new session in
 * place of the one `sid` signed in (a session is replaced after each).
 */
static json_t *signed_reply(const char *sid, const char *user, const char *armored)
{
	session *old = session_of(sid, time(NULL));
	json_t *body = json_pack("{s:s}", "signature", armored);

	if (old)
		memset(old, 0, sizeof(*old));
	session_open(body, user, time(NULL));
	return json_pack("{s:i, s:o}", "status", 201, "body", body);
}

/*
 * "portal-ack" {session, csrf, doc, rev, statement, authenticator_data,
 * client_data, signature}: the statement signed with the session user's
 * passkey becomes an SSHSIG and is recorded as `ack --sig` would record
 * it; the session is replaced by a new one.
 */
static json_t *do_ack(vault *v, const json_t *req)
{
	const char *stmt = member(req, "statement"), *sid = member(req, "session");
	char *key = NULL, *armored = NULL;
	vault_user u;
	json_t *reply;
	int error;

	if ((reply = serve_session_authorize(&u, v, req)) != NULL)
		return reply;
	if (stmt && !statement_is_for(stmt, member(req, "doc"), member(req, "rev"))) {
		vault_user_dispose(&u);
		return failure(400, "the statement is for another revision than the one posted to");
	}
	if (!stmt || !(key = passkey_of(v, u.name))) {
		vault_user_dispose(&u);
		return failure(400, stmt ? "your user signs with a key file, not a passkey: use "
			       "qvault ack" : "'statement' is required");
	}
	if ((reply = passkey_signature(&armored, u.name, key, VAULT_ACK_NAMESPACE, stmt, req)) != NULL)
		goto done;
	vault_set_on_behalf(v, u.name);
	if ((error = vault_ack_submit(v, stmt, strlen(stmt), armored)) < 0) {
		reply = failure(error == VAULT_EEXISTS ? 409 : error == VAULT_ENOTFOUND ? 404 :
				error == VAULT_EDENIED ? 403 : 400, vault_error_message());
		goto done;
	}
	reply = signed_reply(sid, u.name, armored);
done:
	free(key);
	free(armored);
	vault_user_dispose(&u);
	return reply;
}

/*
 * Remember that `user` was given `record` to sign, in place of the one it
 * was given before; -1 when every place is taken by a live one.
 */
static int issue(const char *user, const char *record, time_t now)
{
	size_t i, slot = ISSUED_MAX;

	for (i = 0; i < ISSUED_MAX; i++) {
		if (strcmp(portal.issued[i].user, user) == 0) {
			slot = i;
			break;
		}
		if (slot == ISSUED_MAX && (!portal.issued[i].user[0] ||
					   now - portal.issued[i].at > CHALLENGE_SECONDS))
			slot = i;
	}
	if (slot == ISSUED_MAX)
		return -1;
	if (cli_fmt(portal.issued[slot].user, sizeof(portal.issued[slot].user), "a user name",
		    "%s", user) < 0)
		return -1;
	EVP_Digest(record, strlen(record), portal.issued[slot].sha256, NULL, EVP_sha256(), NULL);
	portal.issued[slot].at = now;
	return 0;
}

/*
 * The place of the record `user` was given to sign if it is `record`,
 * given less than CHALLENGE_SECONDS ago; -1 when it is not.
 */
static long issued_to(const char *user, const char *record, time_t now)
{
	unsigned char sha[32];

	EVP_Digest(record, strlen(record), sha, NULL, EVP_sha256(), NULL);
	for (size_t i = 0; i < ISSUED_MAX; i++)
		if (strcmp(portal.issued[i].user, user) == 0)
			return now - portal.issued[i].at <= CHALLENGE_SECONDS &&
				CRYPTO_memcmp(portal.issued[i].sha256, sha, sizeof(sha)) == 0 ?
				(long)i : -1;
	return -1;
}

/*
 * The act's own request (member "request") as the session's user asks it:
 * a copy with the session and CSRF token, which the act checks again.
 */
static json_t *act_request(const json_t *req)
{
	json_t *inner = json_deep_copy(json_object_get(req, "request"));

	if (!json_is_object(inner)) {
		json_decref(inner);
		return NULL;
	}
	json_object_set_new(inner, "session", json_string(member(req, "session")));
	json_object_set_new(inner, "csrf", json_string(member(req, "csrf") ? member(req, "csrf") : ""));
	return inner;
}

/*
 * "portal-act-statement" {session, csrf, act, request}: the record the
 * session's user would sign to make the act (a PO acknowledgment, an FAI
 * disposition, an NCR's close) now, written nowhere, and its WebAuthn
 * challenge (its SSHSIG signed data).
 */
static json_t *do_act_statement(vault *v, const json_t *req)
{
	const char *act = member(req, "act"), *ns = serve_writer_act_namespace(act);
	json_t *inner = act_request(req), *reply = NULL, *body;
	char *record = NULL, *key = NULL, *challenge = NULL;
	vault_signing s = { &record, NULL, 0, NULL };
	vault_user u;

	if (!ns || !inner) {
		json_decref(inner);
		return failure(400, !ns ? "no such act to sign" : "'request' is required");
	}
	if ((reply = serve_session_authorize(&u, v, req)) != NULL)
		goto done;
	if ((key = passkey_of(v, u.name)) == NULL) {
		vault_user_dispose(&u);
		reply = failure(400, "your user signs with a key file, not a passkey");
		goto done;
	}
	reply = serve_writer_act(v, act, inner, &s);
	body = json_object_get(reply, "body");
	record = (char *)json_string_value(json_object_get(body, "record"));
	if (json_integer_value(json_object_get(reply, "status")) == 200 && record) {
		if (vault_webauthn_challenge(&challenge, ns, record, strlen(record)) < 0) {
			json_decref(reply);
			reply = failure(500, vault_error_message());
		} else if (issue(u.name, record, time(NULL)) < 0) {
			json_decref(reply);
			reply = failure(503, "too many signatures under way; try again in a minute");
		} else {
			json_object_set_new(body, "challenge", json_string(challenge));
		}
	}
	vault_user_dispose(&u);
done:
	free(challenge);
	free(key);
	json_decref(inner);
	return reply;
}

/*
 * "portal-act-sign" {session, csrf, act, request, record,
 * authenticator_data, client_data, signature}: the record signed with the
 * session user's passkey becomes an SSHSIG, and the act is made with it
 * beside its record; the session is replaced by a new one.
 */
static json_t *do_act_sign(vault *v, const json_t *req)
{
	const char *act = member(req, "act"), *ns = serve_writer_act_namespace(act);
	const char *record = member(req, "record"), *sid = member(req, "session");
	json_t *inner = act_request(req), *reply = NULL;
	char *key = NULL, *armored = NULL;
	vault_user u;
	long slot;

	memset(&u, 0, sizeof(u));
	if (!ns || !inner || !record) {
		json_decref(inner);
		return failure(400, !ns ? "no such act to sign" : !inner ? "'request' is required" :
			       "'record' is required");
	}
	if ((reply = serve_session_authorize(&u, v, req)) != NULL)
		goto done;
	if ((key = passkey_of(v, u.name)) == NULL) {
		reply = failure(400, "your user signs with a key file, not a passkey");
		goto done;
	}
	/* only the record this portal gave this user to sign, once */
	if ((slot = issued_to(u.name, record, time(NULL))) < 0) {
		reply = failure(400, "this record was not given you to sign, or was signed already, "
				"or too long ago: sign again");
		goto done;
	}
	if ((reply = passkey_signature(&armored, u.name, key, ns, record, req)) != NULL)
		goto done;
	{
		vault_signing s = { NULL, record, strlen(record), armored };

		reply = serve_writer_act(v, act, inner, &s);
	}
	if (json_integer_value(json_object_get(reply, "status")) != 201)
		goto done;
	memset(&portal.issued[slot], 0, sizeof(portal.issued[slot]));
	json_decref(reply);
	reply = signed_reply(sid, u.name, armored);
done:
	free(key);
	free(armored);
	vault_user_dispose(&u);
	json_decref(inner);
	return reply;
}

json_t *serve_portal_op(vault *v, const char *op, const json_t *req)
{
	static const struct {
		const char *op;
		json_t *(*run)(vault *v, const json_t *req);
	} ops[] = {
		{ "portal-session", do_session },
		{ "portal-logout", do_logout },
		{ "portal-login-begin", do_login_begin },
		{ "portal-login-finish", do_login_finish },
		{ "portal-enroll-begin", do_enroll_begin },
		{ "portal-enroll-finish", do_enroll_finish },
		{ "portal-ack", do_ack },
		{ "portal-act-statement", do_act_statement },
		{ "portal-act-sign", do_act_sign },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i].op) == 0)
			return portal.origin ? ops[i].run(v, req) :
				failure(404, "the portal is off: start serve with --origin");
	return NULL;
}
