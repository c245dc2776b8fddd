/*
 * sk-soft.c - a security-key middleware for tests only: OpenSSH's
 * ssh-keygen loads it (SSH_SK_PROVIDER, or -w) as it loads libfido2's,
 * and it answers as an authenticator would, with software keys of
 * OpenSSL.  No hardware, no secrecy: the key handle IS the private key.
 *
 * The interface is OpenSSH 9.2's sk-api.h (API version 0x000a0000),
 * declared here by hand from its documented layout; the signature is
 * what PROTOCOL.u2f describes: over SHA256(application) || flags ||
 * counter || SHA256(data), ECDSA P-256 with SHA-256 or plain Ed25519.
 *
 * SK_SOFT_NO_UP=1 in the environment leaves the user-presence flag out
 * of a signature, as an authenticator asked for no touch would; nothing
 * else changes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

/* ---- sk-api.h of OpenSSH 9.2, as its ABI is ------------------------- */

#define SSH_SK_USER_PRESENCE_REQD 0x01
#define SSH_SK_USER_VERIFICATION_REQD 0x04
#define SSH_SK_ECDSA 0x00
#define SSH_SK_ED25519 0x01
#define SSH_SK_ERR_GENERAL -1
#define SSH_SK_ERR_UNSUPPORTED -2
#define SSH_SK_VERSION_MAJOR 0x000a0000

struct sk_enroll_response {
	uint8_t flags;
	uint8_t *public_key;
	size_t public_key_len;
	uint8_t *key_handle;
	size_t key_handle_len;
	uint8_t *signature;
	size_t signature_len;
	uint8_t *attestation_cert;
	size_t attestation_cert_len;
	uint8_t *authdata;
	size_t authdata_len;
};

struct sk_sign_response {
	uint8_t flags;
	uint32_t counter;
	uint8_t *sig_r;
	size_t sig_r_len;
	uint8_t *sig_s;
	size_t sig_s_len;
};

struct sk_resident_key;
struct sk_option;

uint32_t sk_api_version(void);
int sk_enroll(uint32_t alg, const uint8_t *challenge, size_t challenge_len,
	      const char *application, uint8_t flags, const char *pin,
	      struct sk_option **options, struct sk_enroll_response **enroll_response);
int sk_sign(uint32_t alg, const uint8_t *data, size_t data_len, const char *application,
	    const uint8_t *key_handle, size_t key_handle_len, uint8_t flags, const char *pin,
	    struct sk_option **options, struct sk_sign_response **sign_response);
int sk_load_resident_keys(const char *pin, struct sk_option **options,
			  struct sk_resident_key ***rks, size_t *nrks);

/* ---- the software authenticator --------------------------------------- */

/* a key handle: this tag, the algorithm, then the 32 bytes of private key */
#define HANDLE_TAG "sk-soft1"
#define HANDLE_LEN (sizeof(HANDLE_TAG) - 1 + 1 + 32)

uint32_t sk_api_version(void)
{
	return SSH_SK_VERSION_MAJOR;
}

static uint8_t *copy(const void *p, size_t n)
{
	uint8_t *out = malloc(n ? n : 1);

	if (out && n)
		memcpy(out, p, n);
	return out;
}

/* The P-256 key of scalar d (32 bytes), its point computed; NULL if none. */
static EVP_PKEY *p256_key(const uint8_t d32[32])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *q = g ? EC_POINT_new(g) : NULL;
	BIGNUM *d = BN_bin2bn(d32, 32, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t pub[65];

	if (g && q && d && bld && EC_POINT_mul(g, q, d, NULL, NULL, NULL) == 1 &&
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL) == 65 &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 65) == 1 &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	EC_POINT_free(q);
	EC_GROUP_free(g);
	return pkey;
}

/* The private key of a handle, as OpenSSL's; NULL when it is not ours. */
static EVP_PKEY *handle_key(uint32_t alg, const uint8_t *h, size_t n)
{
	size_t t = sizeof(HANDLE_TAG) - 1;

	if (n != HANDLE_LEN || memcmp(h, HANDLE_TAG, t) != 0 || h[t] != alg)
		return NULL;
	if (alg == SSH_SK_ED25519)
		return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, h + t + 1, 32);
	return p256_key(h + t + 1);
}

int sk_enroll(uint32_t alg, const uint8_t *challenge, size_t challenge_len,
	      const char *application, uint8_t flags, const char *pin,
	      struct sk_option **options, struct sk_enroll_response **enroll_response)
{
	struct sk_enroll_response *r;
	uint8_t handle[HANDLE_LEN], pub[65];
	size_t t = sizeof(HANDLE_TAG) - 1, publen = 0;
	EVP_PKEY *pkey = NULL;
	int ret = SSH_SK_ERR_GENERAL;

	(void)challenge, (void)challenge_len, (void)application, (void)pin, (void)options;
	*enroll_response = NULL;
	if (alg != SSH_SK_ECDSA && alg != SSH_SK_ED25519)
		return SSH_SK_ERR_UNSUPPORTED;
	memcpy(handle, HANDLE_TAG, t);
	handle[t] = (uint8_t)alg;
	/* a P-256 scalar below the order: random bytes with the top bit clear */
	if (RAND_bytes(handle + t + 1, 32) != 1)
		return ret;
	handle[t + 1] &= 0x7f;
	if ((pkey = handle_key(alg, handle, sizeof(handle))) == NULL)
		goto done;
	if (alg == SSH_SK_ED25519) {
		publen = 32;
		if (EVP_PKEY_get_raw_public_key(pkey, pub, &publen) != 1 || publen != 32)
			goto done;
	} else if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pub,
						   sizeof(pub), &publen) != 1 || publen != 65) {
		goto done;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto done;
	r->flags = flags;
	r->public_key = copy(pub, publen);
	r->public_key_len = publen;
	r->key_handle = copy(handle, sizeof(handle));
	r->key_handle_len = sizeof(handle);
	if (!r->public_key || !r->key_handle) {
		free(r->public_key);
		free(r->key_handle);
		free(r);
		goto done;
	}
	*enroll_response = r;
	ret = 0;
done:
	OPENSSL_cleanse(handle, sizeof(handle));
	EVP_PKEY_free(pkey);
	return ret;
}

/* The signature of `msg` by `pkey` into the response (r and s, or Ed25519's 64 bytes). */
static int sign_into(struct sk_sign_response *r, uint32_t alg, EVP_PKEY *pkey,
		     const uint8_t *msg, size_t n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t sig[128], rb[32], sb[32];
	size_t siglen = sizeof(sig);
	const uint8_t *p = sig;
	ECDSA_SIG *es = NULL;
	int ok = 0;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, alg == SSH_SK_ECDSA ? EVP_sha256() : NULL,
				       NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, n) != 1)
		goto done;
	if (alg == SSH_SK_ED25519) {
		r->sig_r = copy(sig, siglen);
		r->sig_r_len = siglen;
		ok = r->sig_r != NULL;
		goto done;
	}
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)siglen)) == NULL ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), rb, 32) != 32 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), sb, 32) != 32)
		goto done;
	r->sig_r = copy(rb, 32);
	r->sig_r_len = 32;
	r->sig_s = copy(sb, 32);
	r->sig_s_len = 32;
	ok = r->sig_r && r->sig_s;
done:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ok;
}

int sk_sign(uint32_t alg, const uint8_t *data, size_t data_len, const char *application,
	    const uint8_t *key_handle, size_t key_handle_len, uint8_t flags, const char *pin,
	    struct sk_option **options, struct sk_sign_response **sign_response)
{
	const char *no_up = getenv("SK_SOFT_NO_UP");
	struct sk_sign_response *r = NULL;
	uint8_t msg[32 + 1 + 4 + 32];
	EVP_PKEY *pkey;
	uint32_t counter = (uint32_t)time(NULL);
	int ret = SSH_SK_ERR_GENERAL;

	(void)pin, (void)options;
	*sign_response = NULL;
	if ((pkey = handle_key(alg, key_handle, key_handle_len)) == NULL)
		return ret;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto done;
	r->flags = (flags & SSH_SK_USER_VERIFICATION_REQD) ? 0x04 : 0;
	if (!(no_up && strcmp(no_up, "1") == 0))
		r->flags |= 0x01; /* the user touched it */
	r->counter = counter;
	/* the authenticator data (rpIdHash, flags, counter), then the client data's hash */
	EVP_Digest(application, strlen(application), msg, NULL, EVP_sha256(), NULL);
	msg[32] = r->flags;
	msg[33] = (uint8_t)(counter >> 24);
	msg[34] = (uint8_t)(counter >> 16);
	msg[35] = (uint8_t)(counter >> 8);
	msg[36] = (uint8_t)counter;
	EVP_Digest(data, data_len, msg + 37, NULL, EVP_sha256(), NULL);
	if (!sign_into(r, alg, pkey, msg, sizeof(msg)))
		goto done;
	*sign_response = r;
	r = NULL;
	ret = 0;
done:
	if (r) {
		free(r->sig_r);
		free(r->sig_s);
		free(r);
	}
	EVP_PKEY_free(pkey);
	return ret;
}

int sk_load_resident_keys(const char *pin, struct sk_option **options,
			  struct sk_resident_key ***rks, size_t *nrks)
{
	(void)pin, (void)options;
	*rks = NULL;
	*nrks = 0;
	return SSH_SK_ERR_UNSUPPORTED;
}
