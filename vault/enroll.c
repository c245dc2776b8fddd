/*
 * enroll.c - a user who enrolls a passkey in the portal rather than
 * bringing a key file.
 *
 * An admin, with its own key, records enrollments/NAME/request.json: the
 * user's name, organization and roles, the portal's relying-party id, the
 * SHA-256 of a one-time secret and an expiry 72 hours on.  The secret
 * itself is shown once, in the enrollment link, and never stored.  Who
 * opens the link within that time and makes a passkey gets, through the
 * server, users/NAME/user.json with that passkey as the key, and
 * enrollments/NAME/used.json, which reveals the secret: anyone can check
 * that its hash is the admin's, and the request is spent (used.json is
 * written once).  So the server adds no one the admin did not name, with
 * no other organization or roles, and only once; verify checks it all.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common.h"
#include "error.h"
#include "kind.h"
#include "kinds.h"
#include "record.h"
#include "rules.h"
#include "sign.h"
#include "store.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define ENROLL_DIR "enrollments"
#define ENROLL_REQUEST "request.json"
#define ENROLL_USED "used.json"
#define ENROLL_HOURS 72
#define SECRET_BYTES 32

static int is_hex(const char *s, size_t n)
{
	return s && strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* The SHA-256 of the secret's hex text, as hex. */
static void secret_sha256(char out[65], const char *secret)
{
	unsigned char md[32];

	EVP_Digest(secret, strlen(secret), md, NULL, EVP_sha256(), NULL);
	vault__hex(out, md, sizeof(md));
}

static int request_path(char *path, size_t size, const char *name, const char *file)
{
	return vault__fmt(path, size, "path", ENROLL_DIR "/%s/%s", name, file);
}

/* ---- checks ---------------------------------------------------------- */

/*
 * 1 when `name`, who asked for an enrollment, is still an admin in `tree`:
 * a request dies with its admin's revocation, as the admin's own
 * signatures do.
 */
static int asker_holds(vault_store *s, const git_tree *tree, const char *name)
{
	vault_user u;
	int holds;

	if (vault_user__by_name(&u, s, tree, name) < 0)
		return 0;
	holds = !u.revoked && (u.roles & VAULT_ROLE_ADMIN);
	vault_user_dispose(&u);
	return holds;
}

/* enrollments/NAME/request.json: an admin names who may enroll, once. */
static void check_request(const vault_change_ctx *c, const char *path)
{
	char name[VAULT_NAME_MAX + 1], want[VAULT_TIME_SIZE];
	json_t *rec = vault_rules__json_at(c, c->tree, path);
	vault_user u;
	unsigned roles = 0;
	json_t *r;
	size_t i;

	if (c->on_behalf)
		c->found(c, path, "a server may not ask for an enrollment on behalf of '%s'",
			 c->who ? c->who->name : "");
	if (!rec) {
		c->found(c, path, "the enrollment is not a JSON object");
		return;
	}
	if (vault__fmt(name, sizeof(name), "name", "%s", path + strlen(ENROLL_DIR "/")) < 0)
		name[0] = '\0';
	name[strcspn(name, "/")] = '\0';
	if (strcmp(vault_rules__str(rec, "name"), name) != 0)
		c->found(c, path, "the enrollment names '%s' in the folder of '%s'",
			 vault_rules__str(rec, "name"), name);
	/* the organization the user will have, and the portal shows: a name, as user add's */
	if (vault_plain_name_check("the enrollment's organization", vault_rules__str(rec, "org")) < 0)
		c->found(c, path, "%s", vault_error_message());
	json_array_foreach(json_object_get(rec, "roles"), i, r) {
		unsigned bit;

		if (!json_is_string(r) || vault_user__parse_roles(&bit, json_string_value(r)) < 0)
			c->found(c, path, "the enrollment has a role that is none");
		else
			roles |= bit;
	}
	if (!roles || (roles & (VAULT_ROLE_ADMIN | VAULT_ROLE_SERVER)))
		c->found(c, path, "an enrollment is for a user with roles, none of them admin or "
			 "server (who sign with keys of their own)");
	if (!is_hex(vault_rules__str(rec, "secret_sha256"), 64))
		c->found(c, path, "the enrollment's secret_sha256 is not 64 lowercase hex digits");
	vault_rules__signed_as(c, path, vault_rules__str(rec, "created_by"), NULL,
			       vault_rules__str(rec, "created_at"));
	vault_time_format(want, sizeof(want), c->time + ENROLL_HOURS * 3600);
	if (strcmp(vault_rules__str(rec, "expires"), want) != 0)
		c->found(c, path, "the enrollment expires at '%s', not %d hours after it was made",
			 vault_rules__str(rec, "expires"), ENROLL_HOURS);
	if (c->before && vault_user__by_name(&u, c->store, c->before, name) == 0) {
		c->found(c, path, "the enrollment is for '%s', who is a user already", name);
		vault_user_dispose(&u);
	}
	json_decref(rec);
}

/* enrollments/NAME/used.json: by the server, with the secret, in time. */
static void check_used(const vault_change_ctx *c, const char *path)
{
	char name[VAULT_NAME_MAX + 1], req[VAULT_PATH_MAX], sha[65], when[VAULT_TIME_SIZE];
	json_t *used = vault_rules__json_at(c, c->tree, path), *rec;
	const char *secret;

	if (vault__fmt(name, sizeof(name), "name", "%s", path + strlen(ENROLL_DIR "/")) < 0)
		name[0] = '\0';
	name[strcspn(name, "/")] = '\0';
	if (c->on_behalf || (c->who && !(c->who->roles & VAULT_ROLE_SERVER)))
		c->found(c, path, "an enrollment is completed by the server, as itself");
	if (request_path(req, sizeof(req), name, ENROLL_REQUEST) < 0 ||
	    (rec = vault_rules__json_at(c, c->before, req)) == NULL) {
		c->found(c, path, "no enrollment of '%s' was asked for before it was used", name);
		json_decref(used);
		return;
	}
	secret = vault_rules__str(used, "secret");
	secret_sha256(sha, secret);
	/* a request's hash of another length is found by check_request: compared here
	 * only when it is 64 digits, never past its end */
	if (!is_hex(secret, 2 * SECRET_BYTES) ||
	    !is_hex(vault_rules__str(rec, "secret_sha256"), 64) ||
	    CRYPTO_memcmp(sha, vault_rules__str(rec, "secret_sha256"), 64) != 0)
		c->found(c, path, "the enrollment of '%s' was used without its secret", name);
	vault_time_format(when, sizeof(when), c->time);
	if (strcmp(when, vault_rules__str(rec, "expires")) > 0)
		c->found(c, path, "the enrollment of '%s' was used after it expired (%s)", name,
			 vault_rules__str(rec, "expires"));
	if (!asker_holds(c->store, c->before, vault_rules__str(rec, "created_by")))
		c->found(c, path, "the enrollment of '%s' was used after '%s', who asked for it, "
			 "was revoked or is no admin", name, vault_rules__str(rec, "created_by"));
	if (strcmp(vault_rules__str(used, "at"), when) != 0)
		c->found(c, path, "the enrollment's use is dated '%s', its commit '%s'",
			 vault_rules__str(used, "at"), when);
	if (vault__fmt(req, sizeof(req), "path", VAULT_USERS_DIR "/%s/user.json", name) < 0 ||
	    !vault_rules__has(c->store, c->tree, req) || vault_rules__has(c->store, c->before, req))
		c->found(c, path, "the enrollment of '%s' was used without adding the user", name);
	json_decref(rec);
	json_decref(used);
}

void vault_enroll__check_user(const vault_change_ctx *c, const char *path, const char *name)
{
	char req[VAULT_PATH_MAX], used[VAULT_PATH_MAX], *app = NULL;
	unsigned char q[65];
	json_t *rec = NULL, *user = NULL, *roles;

	if (request_path(req, sizeof(req), name, ENROLL_REQUEST) < 0 ||
	    request_path(used, sizeof(used), name, ENROLL_USED) < 0 ||
	    !vault_rules__has(c->store, c->tree, used) || vault_rules__has(c->store, c->before, used) ||
	    (rec = vault_rules__json_at(c, c->before, req)) == NULL) {
		c->found(c, path, "the server added user '%s' without an enrollment an admin asked "
			 "for", name);
		return;
	}
	user = vault_rules__json_at(c, c->tree, path);
	roles = json_object_get(user, "roles");
	if (!user || strcmp(vault_rules__str(user, "org"), vault_rules__str(rec, "org")) != 0 ||
	    !json_equal(roles, json_object_get(rec, "roles")) ||
	    strcmp(vault_rules__str(user, "added_by"), vault_rules__str(rec, "created_by")) != 0)
		c->found(c, path, "user '%s' is not the one the enrollment names (organization, "
			 "roles, added by)", name);
	if (vault_sign__sk_point(q, &app, vault_rules__str(user, "key")) < 0 ||
	    strcmp(app, vault_rules__str(rec, "rp_id")) != 0)
		c->found(c, path, "user '%s' was enrolled with a key that is not a passkey of "
			 "the portal '%s'", name, vault_rules__str(rec, "rp_id"));
	free(app);
	json_decref(user);
	json_decref(rec);
}

const vault_kind vault_kind_enrollment = {
	.name = "enrollment",
	.shape = ENROLL_DIR "/NAME/" ENROLL_REQUEST,
	.roles = VAULT_ROLE_ADMIN,
	.act = "enroll users",
	.ops = "user-enroll",
	.made_by = "user-enroll",
	.check = check_request,
};
const vault_kind vault_kind_enrollment_used = {
	.name = "enrollment's use",
	.shape = ENROLL_DIR "/NAME/" ENROLL_USED,
	.roles = 0,
	.act = "complete an enrollment",
	.ops = "enroll",
	.made_by = "enroll",
	.check = check_used,
};

/* ---- writes ---------------------------------------------------------- */

int vault_user_enroll(char **secret, vault *v, const char *name, const char *org,
		      const char *roles, const char *origin)
{
	unsigned char raw[SECRET_BYTES];
	char hex[2 * SECRET_BYTES + 1], sha[65], path[VAULT_PATH_MAX];
	char at[VAULT_TIME_SIZE], expires[VAULT_TIME_SIZE], *rp = NULL, *json = NULL;
	vault_buf message = VAULT_BUF_INIT;
	json_t *role_list = json_array();
	vault_user u, existing;
	vault_user_list *all = NULL;
	vault_txn t;
	size_t len, i;
	int error;

	*secret = NULL;
	memset(&u, 0, sizeof(u));
	if ((error = vault_plain_name_check("user name", name)) < 0 ||
	    (error = vault_plain_name_check("organization", org)) < 0 ||
	    (error = vault_user__parse_roles(&u.roles, roles)) < 0 ||
	    (error = vault_webauthn_rp_id(&rp, origin)) < 0) {
		json_decref(role_list);
		return error;
	}
	if (u.roles & (VAULT_ROLE_ADMIN | VAULT_ROLE_SERVER)) {
		json_decref(role_list);
		free(rp);
		return vault_error__set(VAULT_EINVALID, "an admin or a server signs with a key of "
					"its own: give --pubkey, not --enroll");
	}
	if ((error = vault__txn_begin(&t, v)) < 0) {
		json_decref(role_list);
		free(rp);
		return error;
	}
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_ADMIN, "enroll users")) < 0)
		goto done;
	if (vault_user__by_name(&existing, v->store, t.root, name) == 0) {
		vault_user_dispose(&existing);
		error = vault_error__set(VAULT_EEXISTS, "user '%s' already exists", name);
		goto done;
	}
	if ((error = request_path(path, sizeof(path), name, ENROLL_REQUEST)) < 0)
		goto done;
	if (vault_rules__has(v->store, t.root, path)) {
		error = vault_error__set(VAULT_EEXISTS, "'%s' was already asked to enroll; an "
					 "enrollment is made once", name);
		goto done;
	}
	u.name = (char *)(uintptr_t)name;
	u.org = (char *)(uintptr_t)org;
	if ((error = vault_user__list(&all, v->store, t.root)) == 0)
		error = vault_user__side_check(&u, all);
	vault_user_list_free(all);
	if (error < 0)
		goto done;
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		error = vault_error__set(VAULT_ERROR, "no random bytes for the secret");
		goto done;
	}
	vault__hex(hex, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	secret_sha256(sha, hex);
	for (i = 0; vault_role_names[i]; i++)
		if (u.roles & (1u << i))
			json_array_append_new(role_list, json_string(vault_role_names[i]));
	vault_time_format(at, sizeof(at), t.now);
	vault_time_format(expires, sizeof(expires), t.now + ENROLL_HOURS * 3600);
	if ((error = vault_record__dump(&json, &len, json_pack(
		"{s:s, s:i, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:s}", "record", "enrollment",
		"format", 1, "name", name, "org", org, "roles", role_list, "rp_id", rp,
		"secret_sha256", sha, "created_by", t.actor.name, "created_at", at,
		"expires", expires))) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message, "user enroll %s (%s, %s) at %s\n\n"
				     "Qvault-Op: user-enroll\nQvault-User: %s\n",
				     name, org, roles, rp, name)) < 0 ||
	    (error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL)) < 0)
		goto done;
	*secret = vault__strdup(hex);
done:
	OPENSSL_cleanse(hex, sizeof(hex));
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	json_decref(role_list);
	free(json);
	free(rp);
	return error;
}

/*
 * The enrollment request of `name`, in `tree`, that `secret` opens and
 * that is not used nor expired at `now`, of a name that is no user yet
 * (an admin may have added it with a key file since), asked for by an
 * admin not revoked since; VAULT_EDENIED, the same for every reason,
 * otherwise.
 */
static int open_request(json_t **out, vault *v, const git_tree *tree, const char *name,
			const char *secret, int64_t now)
{
	char path[VAULT_PATH_MAX], sha[65], when[VAULT_TIME_SIZE];
	json_t *rec = NULL;
	char *data = NULL;
	size_t len;

	*out = NULL;
	if (vault_plain_name_check("user name", name) < 0 || !is_hex(secret, 2 * SECRET_BYTES) ||
	    request_path(path, sizeof(path), name, ENROLL_USED) < 0 ||
	    vault_rules__has(v->store, tree, path) ||
	    vault__fmt(path, sizeof(path), "path", VAULT_USERS_DIR "/%s/user.json", name) < 0 ||
	    vault_rules__has(v->store, tree, path) ||
	    request_path(path, sizeof(path), name, ENROLL_REQUEST) < 0 ||
	    vault_store__read_path(&data, &len, v->store, tree, path) < 0 ||
	    (rec = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		goto refused;
	secret_sha256(sha, secret);
	vault_time_format(when, sizeof(when), now);
	if (!is_hex(vault_rules__str(rec, "secret_sha256"), 64) ||
	    CRYPTO_memcmp(sha, vault_rules__str(rec, "secret_sha256"), 64) != 0 ||
	    strcmp(when, vault_rules__str(rec, "expires")) > 0 ||
	    !asker_holds(v->store, tree, vault_rules__str(rec, "created_by")))
		goto refused;
	free(data);
	*out = rec;
	return 0;
refused:
	json_decref(rec);
	free(data);
	vault_error__set(VAULT_EDENIED, "this enrollment link is not valid: it expired, was "
			 "used, or is not one; ask your admin for a new one");
	return VAULT_EDENIED;
}

int vault_enrollment_get(vault_enrollment *out, vault *v, const char *name, const char *secret,
			 int64_t now)
{
	git_tree *tree = NULL;
	json_t *rec = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = vault_store__head_tree(&tree, v->store)) < 0)
		return error;
	if ((error = open_request(&rec, v, tree, name, secret, now)) == 0) {
		out->name = vault__strdup(vault_rules__str(rec, "name"));
		out->org = vault__strdup(vault_rules__str(rec, "org"));
		out->rp_id = vault__strdup(vault_rules__str(rec, "rp_id"));
		out->expires = vault__strdup(vault_rules__str(rec, "expires"));
	}
	json_decref(rec);
	git_tree_free(tree);
	return error;
}

void vault_enrollment_dispose(vault_enrollment *e)
{
	free(e->name);
	free(e->org);
	free(e->rp_id);
	free(e->expires);
	memset(e, 0, sizeof(*e));
}

int vault_user_enrolled(vault *v, const char *name, const char *secret, const char *pubkey)
{
	char path[VAULT_PATH_MAX], at[VAULT_TIME_SIZE], *json = NULL, *kid = NULL, *app = NULL;
	vault_buf message = VAULT_BUF_INIT;
	unsigned char q[65];
	json_t *rec = NULL, *r;
	vault_user u, existing;
	vault_txn t;
	size_t len, i;
	int error;

	memset(&u, 0, sizeof(u));
	if ((error = vault_sign__parse_public(&kid, NULL, pubkey)) < 0 ||
	    (error = vault_sign__sk_point(q, &app, pubkey)) < 0) {
		free(kid);
		return error;
	}
	if ((error = vault__txn_begin(&t, v)) < 0)
		goto out;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_SERVER, "complete enrollments")) < 0 ||
	    (error = open_request(&rec, v, t.root, name, secret, t.now)) < 0)
		goto done;
	if (strcmp(app, vault_rules__str(rec, "rp_id")) != 0) {
		error = vault_error__set(VAULT_EINVALID, "the passkey was made for '%s', not for "
					 "the portal '%s'", app, vault_rules__str(rec, "rp_id"));
		goto done;
	}
	if (vault_user__by_key(&existing, v->store, t.root, kid) == 0) {
		vault_user_dispose(&existing);
		error = vault_error__set(VAULT_EEXISTS, "that passkey already belongs to a user");
		goto done;
	}
	u.name = (char *)(uintptr_t)name;
	u.org = (char *)(uintptr_t)vault_rules__str(rec, "org");
	json_array_foreach(json_object_get(rec, "roles"), i, r) {
		unsigned bit;

		if (vault_user__parse_roles(&bit, json_string_value(r)) == 0)
			u.roles |= bit;
	}
	u.key = (char *)(uintptr_t)pubkey;
	u.added_by = (char *)(uintptr_t)vault_rules__str(rec, "created_by");
	u.added_at = t.now;
	vault_sign__fingerprint_of(u.fingerprint, pubkey);
	vault_time_format(at, sizeof(at), t.now);
	if ((error = vault__fmt(path, sizeof(path), "path", VAULT_USERS_DIR "/%s/user.json",
				name)) < 0 ||
	    (error = vault_user__dump(&json, &len, &u)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0)
		goto done;
	free(json);
	json = NULL;
	if ((error = request_path(path, sizeof(path), name, ENROLL_USED)) < 0 ||
	    (error = vault_record__dump(&json, &len, json_pack("{s:s, s:i, s:s, s:s, s:s}",
		"record", "enrollment-used", "format", 1, "name", name, "secret", secret,
		"at", at))) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message, "user %s enrolled a passkey (%s)\n\n"
				     "Qvault-Op: enroll\nQvault-User: %s\n", name, u.fingerprint,
				     name)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
out:
	json_decref(rec);
	free(json);
	free(kid);
	free(app);
	return error;
}
