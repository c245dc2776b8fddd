/*
 * webauthn.c - what the portal makes of a browser's passkey: at
 * enrollment an OpenSSH sk-ecdsa key line, at login a checked assertion,
 * and for a signature an SSHSIG that `ssh-keygen -Y verify` accepts.
 *
 * The checks a relying party owes (W3C WebAuthn, "Verifying an
 * authentication assertion") are made here, with well-kept libraries for
 * the parts that parse: libcbor reads the attestation object, libfido2
 * reads the authenticator data and its COSE key and verifies the
 * assertion's signature (fido_assert_verify: relying-party hash, user
 * present, user verified, ECDSA over authenticatorData || SHA-256 of the
 * clientDataJSON).  What libfido2 does not know of, a browser's
 * clientDataJSON (type, challenge, origin, crossOrigin), is checked with
 * jansson.  A signature is then checked once more as every signature in
 * the vault is, by vault_sign__check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "error.h"
#include "lazy_fido2.h"
#include "sign.h"
#include "util.h"

/* authenticator data: rpIdHash(32) flags(1) signCount(4), then the rest */
#define AUTHDATA_MIN 37
#define FLAG_UP 0x01
#define FLAG_UV 0x04
#define FLAG_AT 0x40
#define FLAG_ED 0x80

/* The largest piece of an assertion or attestation qvault takes, decoded. */
#define PIECE_MAX (16 * 1024)

/* base64url (RFC 4648, section 5), unpadded or padded; -1 when malformed. */
static int unb64url(unsigned char **out, size_t *n, const char *s)
{
	size_t len = s ? strlen(s) : 0, i, pad;
	char *std;
	int got;

	*out = NULL;
	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len == 0 || len > PIECE_MAX * 4 / 3 + 4 || len % 4 == 1)
		return -1;
	pad = (4 - len % 4) % 4;
	if ((std = malloc(len + pad + 1)) == NULL || (*out = malloc(len + pad)) == NULL)
		abort();
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_')) {
			free(std);
			free(*out);
			*out = NULL;
			return -1;
		}
		std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	memset(std + len, '=', pad);
	std[len + pad] = '\0';
	got = EVP_DecodeBlock(*out, (const unsigned char *)std, (int)(len + pad));
	free(std);
	if (got < 0 || (size_t)got < pad) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*n = (size_t)got - pad;
	return 0;
}

int vault_webauthn_prepare(void)
{
	return vault_fido2__load();
}

char *vault_webauthn_b64url(const unsigned char *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	size_t len, i;

	if (!out)
		abort();
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	len = strlen(out);
	while (len > 0 && out[len - 1] == '=')
		out[--len] = '\0';
	for (i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return out;
}

int vault_webauthn_rp_id(char **rp_id, const char *origin)
{
	const char *host, *end;
	unsigned char q[65] = { 4 };
	char *line = NULL;
	int error;

	*rp_id = NULL;
	if (strncmp(origin, "https://", 8) == 0)
		host = origin + 8;
	else if (strncmp(origin, "http://localhost", 16) == 0 &&
		 (origin[16] == '\0' || origin[16] == ':'))
		host = origin + 7; /* localhost itself, not http://localhost.example */
	else
		return vault_error__set(VAULT_EINVALID, "the portal's origin '%s' is not "
					"https://HOST[:PORT] (or http://localhost)", origin);
	end = host + strcspn(host, ":/");
	if (*end == '/' || (*end == ':' && (strchr(end, '/') || strlen(end) < 2)))
		return vault_error__set(VAULT_EINVALID, "the portal's origin '%s' has a path; "
					"give https://HOST[:PORT]", origin);
	if ((*rp_id = malloc((size_t)(end - host) + 1)) == NULL)
		abort();
	memcpy(*rp_id, host, (size_t)(end - host));
	(*rp_id)[end - host] = '\0';
	/* a host name the key format takes as an application (sign.c's rule) */
	if ((error = vault_sign__sk_public(&line, q, *rp_id, NULL)) < 0) {
		free(*rp_id);
		*rp_id = NULL;
		return vault_error__set(VAULT_EINVALID, "the portal's origin '%s' does not name a "
					"host (a lower-case host name, not an address)", origin);
	}
	free(line);
	return 0;
}

/*
 * A clientDataJSON as the browser sent it: one JSON object, no key twice,
 * of `type`, whose challenge is `challenge` in base64url, whose origin is
 * `origin`, not made in another site's frame.
 */
static int client_data_ok(const unsigned char *client, size_t n, const char *type,
			  const char *origin, const unsigned char *challenge, size_t chn)
{
	json_t *o = json_loadb((const char *)client, n, JSON_REJECT_DUPLICATES, NULL), *x;
	char *want = vault_webauthn_b64url(challenge, chn);
	const char *got;
	int error = 0;

	if (!json_is_object(o))
		error = vault_error__set(VAULT_EVERIFY, "the passkey's client data is not one "
					 "JSON object");
	else if (!(got = json_string_value(json_object_get(o, "type"))) || strcmp(got, type))
		error = vault_error__set(VAULT_EVERIFY, "the passkey's client data is not of type "
					 "\"%s\"", type);
	else if (!(got = json_string_value(json_object_get(o, "challenge"))) ||
		 strlen(got) != strlen(want) || CRYPTO_memcmp(got, want, strlen(want)) != 0)
		error = vault_error__set(VAULT_EVERIFY, "the passkey answered another challenge "
					 "(a replay, or a request that expired)");
	else if (!(got = json_string_value(json_object_get(o, "origin"))) ||
		 strcmp(got, origin) != 0)
		error = vault_error__set(VAULT_EVERIFY, "the passkey was used on another site "
					 "than %s", origin);
	else if ((x = json_object_get(o, "crossOrigin")) != NULL && !json_is_false(x))
		error = vault_error__set(VAULT_EVERIFY, "the passkey was used in another site's "
					 "frame");
	json_decref(o);
	free(want);
	return error;
}

/* P-256's generator (uncompressed): the stand-in key of a name with no passkey. */
static const unsigned char nobody[65] = {
	0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63,
	0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39,
	0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e,
	0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e,
	0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5
};

/* The three pieces of an assertion, decoded; freed by assertion_dispose. */
typedef struct {
	unsigned char *auth, *client, *sig;
	size_t authn, clientn, sign;
} assertion;

static void assertion_dispose(assertion *d)
{
	free(d->auth);
	free(d->client);
	free(d->sig);
}

/*
 * Check an assertion by the passkey `pubkey_line` over `challenge` from
 * `origin` (the portal's): its pieces decoded into `d`.
 */
static int check_assertion(assertion *d, const char *pubkey_line, const char *origin,
			   const unsigned char *challenge, size_t chn,
			   const vault_webauthn_assertion *a)
{
	unsigned char q[65];
	char *rp = NULL, *app = NULL;
	fido_assert_t *fa = NULL;
	es256_pk_t *pk = NULL;
	int error, r;

	memset(d, 0, sizeof(*d));
	if ((error = vault_fido2__load()) < 0)
		return error;
	if (unb64url(&d->auth, &d->authn, a->authenticator_data) < 0 ||
	    unb64url(&d->client, &d->clientn, a->client_data) < 0 ||
	    unb64url(&d->sig, &d->sign, a->signature) < 0)
		return vault_error__set(VAULT_EVERIFY, "the passkey's answer is not base64url "
					"authenticatorData, clientDataJSON and signature");
	if (d->authn < AUTHDATA_MIN || d->authn > PIECE_MAX || d->clientn > PIECE_MAX ||
	    d->sign > 80)
		return vault_error__set(VAULT_EVERIFY, "the passkey's answer has pieces of "
					"impossible sizes");
	if ((error = vault_webauthn_rp_id(&rp, origin)) < 0)
		goto done;
	if (!pubkey_line) {
		/* no one's: P-256's generator, made for this portal */
		memcpy(q, nobody, sizeof(q));
		app = vault__strdup(rp);
	} else if ((error = vault_sign__sk_point(q, &app, pubkey_line)) < 0) {
		goto done;
	}
	if (strcmp(app, rp) != 0) {
		error = vault_error__set(VAULT_EVERIFY, "the passkey was made for '%s', not for "
					 "this portal ('%s')", app, rp);
		goto done;
	}
	if ((error = client_data_ok(d->client, d->clientn, "webauthn.get", origin, challenge,
				    chn)) < 0)
		goto done;
	if (d->auth[32] & FLAG_AT) {
		error = vault_error__set(VAULT_EVERIFY, "the passkey's assertion carries "
					 "attested credential data (AT)");
		goto done;
	}
	if (!(d->auth[32] & FLAG_UV)) {
		error = vault_error__set(VAULT_EVERIFY, "the passkey did not verify its user (a "
					 "PIN or biometric: the UV flag)");
		goto done;
	}
	if ((fa = fido_assert_new()) == NULL || (pk = es256_pk_new()) == NULL)
		abort();
	if (es256_pk_from_ptr(pk, q, sizeof(q)) != FIDO_OK) {
		error = vault_error__set(VAULT_EVERIFY, "the user's passkey is not a P-256 point");
		goto done;
	}
	if ((r = fido_assert_set_count(fa, 1)) != FIDO_OK ||
	    (r = fido_assert_set_rp(fa, rp)) != FIDO_OK ||
	    (r = fido_assert_set_clientdata(fa, d->client, d->clientn)) != FIDO_OK ||
	    (r = fido_assert_set_authdata_raw(fa, 0, d->auth, d->authn)) != FIDO_OK ||
	    (r = fido_assert_set_sig(fa, 0, d->sig, d->sign)) != FIDO_OK ||
	    (r = fido_assert_set_up(fa, FIDO_OPT_TRUE)) != FIDO_OK ||
	    (r = fido_assert_set_uv(fa, FIDO_OPT_TRUE)) != FIDO_OK) {
		error = vault_error__set(VAULT_EVERIFY, "the passkey's answer is malformed (%s)",
					 fido_strerr(r));
		goto done;
	}
	if ((r = fido_assert_verify(fa, 0, COSE_ES256, pk)) != FIDO_OK)
		error = vault_error__set(VAULT_EVERIFY, "the passkey's signature does not verify "
					 "(%s)", fido_strerr(r));
done:
	es256_pk_free(&pk);
	fido_assert_free(&fa);
	free(rp);
	free(app);
	return error;
}

/* The authenticator's signature counter (big-endian, after the flags). */
static uint32_t counter_of(const unsigned char *auth)
{
	return (uint32_t)auth[33] << 24 | (uint32_t)auth[34] << 16 | (uint32_t)auth[35] << 8 |
	       auth[36];
}

int vault_webauthn_login(uint32_t *counter, const char *pubkey_line, const char *origin,
			 const unsigned char *challenge, size_t chn,
			 const vault_webauthn_assertion *a)
{
	assertion d;
	int error = check_assertion(&d, pubkey_line, origin, challenge, chn, a);

	/* the generator's private key is 1: whatever a stand-in's answer, refused */
	if (error == 0 && !pubkey_line)
		error = vault_error__set(VAULT_EVERIFY, "the passkey's signature does not verify "
					 "(%s)", fido_strerr(FIDO_ERR_INVALID_SIG));
	if (error == 0)
		*counter = counter_of(d.auth);
	assertion_dispose(&d);
	return error;
}

int vault_webauthn_sign(char **armored, uint32_t *counter, const char *pubkey_line,
			const char *origin, const char *ns, const void *msg, size_t len,
			const vault_webauthn_assertion *a)
{
	unsigned char *data = NULL;
	size_t dn;
	char *signer = NULL, *key_id = NULL;
	assertion d;
	int error;

	*armored = NULL;
	vault_sign__signed_data(&data, &dn, ns, msg, len);
	if ((error = check_assertion(&d, pubkey_line, origin, data, dn, a)) < 0)
		goto done;
	*counter = counter_of(d.auth);
	if ((error = vault_sign__webauthn_sshsig(armored, pubkey_line, ns, d.sig, d.sign,
						 d.auth[32], *counter, origin, d.client,
						 d.clientn, d.auth + AUTHDATA_MIN,
						 d.authn - AUTHDATA_MIN)) < 0)
		goto done;
	/* and as every signature the vault holds is: by its own reader */
	if ((error = vault_sign__check(&signer, *armored, strlen(*armored), ns, msg, len)) < 0 ||
	    (error = vault_sign__parse_public(&key_id, NULL, pubkey_line)) < 0)
		goto done;
	if (strcmp(signer, key_id) != 0)
		error = vault_error__set(VAULT_EVERIFY, "the signature is not the passkey's");
done:
	if (error < 0) {
		free(*armored);
		*armored = NULL;
	}
	assertion_dispose(&d);
	free(signer);
	free(key_id);
	free(data);
	return error;
}

/* The byte string `key` of the CBOR map `map` (a text key), or NULL. */
static cbor_item_t *map_get(cbor_item_t *map, const char *key)
{
	struct cbor_pair *pairs = cbor_map_handle(map);
	size_t i, n = cbor_map_size(map), kn = strlen(key);

	for (i = 0; i < n; i++)
		if (cbor_isa_string(pairs[i].key) && cbor_string_is_definite(pairs[i].key) &&
		    cbor_string_length(pairs[i].key) == kn &&
		    memcmp(cbor_string_handle(pairs[i].key), key, kn) == 0)
			return pairs[i].value;
	return NULL;
}

int vault_webauthn_register(char **pubkey_line, const char *origin,
			    const unsigned char *challenge, size_t chn,
			    const char *attestation_object, const char *client_data,
			    const char *comment)
{
	unsigned char *att = NULL, *client = NULL, hash[32], q[65];
	size_t attn = 0, clientn = 0, authn;
	const unsigned char *auth;
	struct cbor_load_result res;
	cbor_item_t *root = NULL, *fmt, *ad;
	fido_cred_t *cred = NULL;
	char *rp = NULL;
	int error, r;

	*pubkey_line = NULL;
	if ((error = vault_fido2__load()) < 0)
		return error;
	if (unb64url(&att, &attn, attestation_object) < 0 ||
	    unb64url(&client, &clientn, client_data) < 0 || attn > PIECE_MAX ||
	    clientn > PIECE_MAX) {
		error = vault_error__set(VAULT_EINVALID, "the new passkey's answer is not "
					 "base64url attestationObject and clientDataJSON");
		goto done;
	}
	if ((error = vault_webauthn_rp_id(&rp, origin)) < 0 ||
	    (error = client_data_ok(client, clientn, "webauthn.create", origin, challenge,
				    chn)) < 0)
		goto done;
	root = cbor_load(att, attn, &res);
	if (!root || res.error.code != CBOR_ERR_NONE || res.read != attn ||
	    !cbor_isa_map(root) || !cbor_map_is_definite(root)) {
		error = vault_error__set(VAULT_EINVALID, "the attestation object is not one "
					 "CBOR map");
		goto done;
	}
	fmt = map_get(root, "fmt");
	ad = map_get(root, "authData");
	if (!fmt || !cbor_isa_string(fmt) || !cbor_string_is_definite(fmt) ||
	    cbor_string_length(fmt) != 4 || memcmp(cbor_string_handle(fmt), "none", 4) != 0) {
		error = vault_error__set(VAULT_EINVALID, "the attestation is not of format "
					 "\"none\" (the portal asks for none)");
		goto done;
	}
	if (!ad || !cbor_isa_bytestring(ad) || !cbor_bytestring_is_definite(ad) ||
	    cbor_bytestring_length(ad) < AUTHDATA_MIN) {
		error = vault_error__set(VAULT_EINVALID, "the attestation object has no "
					 "authenticator data");
		goto done;
	}
	auth = cbor_bytestring_handle(ad);
	authn = cbor_bytestring_length(ad);
	EVP_Digest(rp, strlen(rp), hash, NULL, EVP_sha256(), NULL);
	if (memcmp(auth, hash, 32) != 0) {
		error = vault_error__set(VAULT_EINVALID, "the new passkey was made for another "
					 "relying party than '%s'", rp);
		goto done;
	}
	if ((auth[32] & (FLAG_UP | FLAG_UV | FLAG_AT)) != (FLAG_UP | FLAG_UV | FLAG_AT)) {
		error = vault_error__set(VAULT_EINVALID, "the new passkey did not verify its user "
					 "(UP, UV) or carries no key (AT)");
		goto done;
	}
	/* libfido2 reads the attested credential data and its COSE key */
	if ((cred = fido_cred_new()) == NULL)
		abort();
	if ((r = fido_cred_set_type(cred, COSE_ES256)) != FIDO_OK ||
	    (r = fido_cred_set_authdata_raw(cred, auth, authn)) != FIDO_OK ||
	    fido_cred_pubkey_len(cred) != 64) {
		error = vault_error__set(VAULT_EINVALID, "the new passkey is not an ES256 (P-256) "
					 "key (%s)", fido_strerr(r));
		goto done;
	}
	q[0] = 4;
	memcpy(q + 1, fido_cred_pubkey_ptr(cred), 64);
	{
		es256_pk_t *pk = es256_pk_new();

		if (!pk)
			abort();
		r = es256_pk_from_ptr(pk, q, sizeof(q));
		es256_pk_free(&pk);
		if (r != FIDO_OK) {
			error = vault_error__set(VAULT_EINVALID, "the new passkey is not a point "
						 "of P-256");
			goto done;
		}
	}
	error = vault_sign__sk_public(pubkey_line, q, rp, comment);
done:
	fido_cred_free(&cred);
	if (root)
		cbor_decref(&root);
	free(att);
	free(client);
	free(rp);
	return error;
}

int vault_webauthn_challenge(char **out, const char *ns, const void *msg, size_t len)
{
	unsigned char *data = NULL;
	size_t n = 0;
	int error = vault_sign__signed_data(&data, &n, ns, msg, len);

	*out = error < 0 ? NULL : vault_webauthn_b64url(data, n);
	free(data);
	return error;
}
