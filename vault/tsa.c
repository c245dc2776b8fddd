/*
 * tsa.c - RFC 3161 timestamp tokens: asked of a TSA over HTTP (libcurl),
 * built and checked with OpenSSL's TS_* API.  See tsa.h.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "error.h"
#include "tsa.h"
#include "util.h"
#include "vault.h"

/* ---- settings ----------------------------------------------------------- */

static int config_string(char **out, git_config *cfg, const char *name)
{
	git_buf buf = { NULL, 0, 0 };
	int error = git_config_get_string_buf(&buf, cfg, name);

	*out = NULL;
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0)
		return vault_error__git(VAULT_EINVALID, "git config %s", name);
	if (buf.ptr && *buf.ptr)
		*out = vault__strdup(buf.ptr);
	git_buf_dispose(&buf);
	return 0;
}

int vault_tsa__config(vault_tsa_config *out, git_repository *repo)
{
	git_config *cfg = NULL;
	int32_t timeout = VAULT_TSA_TIMEOUT;
	int required = 1, error;

	memset(out, 0, sizeof(*out));
	out->required = 1;
	out->timeout = VAULT_TSA_TIMEOUT;
	if (git_repository_config_snapshot(&cfg, repo) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	if ((error = config_string(&out->url, cfg, "qvault.tsa")) < 0 ||
	    (error = config_string(&out->cert, cfg, "qvault.tsaCert")) < 0)
		goto done;
	if (!out->url)
		goto done; /* no TSA: the other settings are none of this site's writes */
	error = git_config_get_bool(&required, cfg, "qvault.tsaRequired");
	if (error < 0 && error != GIT_ENOTFOUND) {
		error = vault_error__set(VAULT_EINVALID,
					 "git config qvault.tsaRequired must be true or false");
		goto done;
	}
	out->required = error == GIT_ENOTFOUND ? 1 : required;
	error = git_config_get_int32(&timeout, cfg, "qvault.tsaTimeout");
	if ((error < 0 && error != GIT_ENOTFOUND) || timeout < 1 || timeout > 300) {
		error = vault_error__set(VAULT_EINVALID,
			"git config qvault.tsaTimeout must be a number of seconds from 1 to 300");
		goto done;
	}
	out->timeout = timeout;
	error = 0;
	if (out->url && !out->cert)
		error = vault_error__set(VAULT_EINVALID,
			"git config qvault.tsa is set but qvault.tsaCert (the TSA's CA "
			"certificate, PEM) is not: its tokens could not be checked");
done:
	git_config_free(cfg);
	if (error < 0)
		vault_tsa__config_dispose(out);
	return error;
}

int vault_tsa__configured(git_repository *repo)
{
	git_config *cfg = NULL;
	char *url = NULL;

	if (git_repository_config_snapshot(&cfg, repo) < 0)
		return 0;
	config_string(&url, cfg, "qvault.tsa");
	git_config_free(cfg);
	free(url);
	return url != NULL;
}

void vault_tsa__config_dispose(vault_tsa_config *c)
{
	free(c->url);
	free(c->cert);
	memset(c, 0, sizeof(*c));
}

/* ---- OpenSSL's words ------------------------------------------------------ */

/*
 * OpenSSL's reason for the last failure, with the data it attached (a
 * certificate check says which: "certificate has expired"), into `out`.
 */
static void ssl_reason(char *out, size_t size)
{
	const char *data = NULL, *last_data = NULL;
	unsigned long e, last = 0;
	int flags;

	*out = '\0';
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		last = e;
		if (data && *data && (flags & ERR_TXT_STRING)) {
			free((char *)last_data);
			last_data = vault__strdup(data);
		}
	}
	if (last_data)
		vault__fmt_message(out, size, "%s", last_data);
	else if (last)
		ERR_error_string_n(last, out, size);
	else
		vault__fmt_message(out, size, "unknown reason");
	free((char *)last_data);
}

/* ---- checking an answer ------------------------------------------------------ */

static int token_time(int64_t *out, const TS_TST_INFO *info)
{
	const ASN1_GENERALIZEDTIME *gt = TS_TST_INFO_get_time(info);
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!gt || ASN1_TIME_to_tm(gt, &tm) != 1)
		return vault_error__set(VAULT_EVERIFY, "the timestamp token's time is malformed");
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* The certificates of `cafile`, trusted, to check a token's signer at `at`. */
static int trust_store(X509_STORE **out, const char *cafile, int64_t at)
{
	X509_STORE *store = X509_STORE_new();
	X509_VERIFY_PARAM *param = X509_VERIFY_PARAM_new();
	int error = 0;

	*out = NULL;
	if (!store || !param)
		abort();
	if (X509_STORE_load_file(store, cafile) != 1) {
		char why[256];

		ssl_reason(why, sizeof(why));
		error = vault_error__set(VAULT_EINVALID,
			"cannot read the TSA certificate '%s' (git config qvault.tsaCert): %s",
			cafile, why);
		goto done;
	}
	/* the chain as it was when the token was made: a TSA's certificate
	 * that expires later leaves the tokens it signed good */
	X509_VERIFY_PARAM_set_time(param, (time_t)at);
	X509_STORE_set1_param(store, param);
	*out = store;
	store = NULL;
done:
	X509_VERIFY_PARAM_free(param);
	X509_STORE_free(store);
	return error;
}

static int check_signature(TS_RESP *resp, const char *cafile, int64_t at)
{
	TS_VERIFY_CTX *ctx;
	X509_STORE *store;
	char why[256];
	int error;

	if ((error = trust_store(&store, cafile, at)) < 0)
		return error;
	if ((ctx = TS_VERIFY_CTX_new()) == NULL)
		abort();
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE | TS_VFY_VERSION);
	TS_VERIFY_CTX_set_store(ctx, store); /* the context's now */
	ERR_clear_error();
	if (TS_RESP_verify_response(ctx, resp) != 1) {
		ssl_reason(why, sizeof(why));
		error = vault_error__set(VAULT_EVERIFY,
			"the timestamp token does not verify against the TSA certificate "
			"(qvault.tsaCert): %s", why);
	}
	TS_VERIFY_CTX_free(ctx);
	return error;
}

/*
 * The answer parsed, granted, with a token over SHA-256 of `data`; its
 * token's information stays in *resp.
 */
static int read_answer(TS_RESP **out, TS_TST_INFO **info, const unsigned char *tsr, size_t len,
		       const void *data, size_t dlen)
{
	const unsigned char *p = tsr;
	unsigned char md[32];
	TS_RESP *resp;
	TS_MSG_IMPRINT *imprint;
	ASN1_OCTET_STRING *msg;
	const ASN1_OBJECT *alg = NULL;
	long status;

	*out = NULL;
	if (len > VAULT_TSA_MAX || (resp = d2i_TS_RESP(NULL, &p, (long)len)) == NULL ||
	    p != tsr + len) {
		ERR_clear_error();
		return vault_error__set(VAULT_EVERIFY,
					"the timestamp authority's answer is not an RFC 3161 response");
	}
	*out = resp;
	status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp)));
	if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS)
		return vault_error__set(VAULT_EVERIFY,
					"the timestamp authority refused to stamp (status %ld)", status);
	if ((*info = TS_RESP_get_tst_info(resp)) == NULL)
		return vault_error__set(VAULT_EVERIFY, "the timestamp authority's answer holds no token");
	imprint = TS_TST_INFO_get_msg_imprint(*info);
	X509_ALGOR_get0(&alg, NULL, NULL, TS_MSG_IMPRINT_get_algo(imprint));
	if (!alg || OBJ_obj2nid(alg) != NID_sha256)
		return vault_error__set(VAULT_EVERIFY, "the timestamp token is not over SHA-256");
	if (EVP_Digest(data, dlen, md, NULL, EVP_sha256(), NULL) != 1)
		abort();
	msg = TS_MSG_IMPRINT_get_msg(imprint);
	if (!msg || ASN1_STRING_length(msg) != (int)sizeof(md) ||
	    memcmp(ASN1_STRING_get0_data(msg), md, sizeof(md)) != 0)
		return vault_error__set(VAULT_EVERIFY,
					"the timestamp token is for other bytes than the signature it stamps");
	return 0;
}

int vault_tsa__check(int64_t *gen_time, const unsigned char *tsr, size_t tsrlen,
		     const void *data, size_t len, const char *cafile)
{
	TS_RESP *resp = NULL;
	TS_TST_INFO *info = NULL;
	int error;

	*gen_time = 0;
	if ((error = read_answer(&resp, &info, tsr, tsrlen, data, len)) == 0 &&
	    (error = token_time(gen_time, info)) == 0 && cafile)
		error = check_signature(resp, cafile, *gen_time);
	TS_RESP_free(resp);
	return error;
}

int vault_tsa__time(int64_t *gen_time, const unsigned char *tsr, size_t tsrlen)
{
	const unsigned char *p = tsr;
	TS_RESP *resp;
	TS_TST_INFO *info;
	int error;

	*gen_time = 0;
	if (tsrlen > VAULT_TSA_MAX || (resp = d2i_TS_RESP(NULL, &p, (long)tsrlen)) == NULL) {
		ERR_clear_error();
		return vault_error__set(VAULT_EVERIFY, "the timestamp token is malformed");
	}
	if ((info = TS_RESP_get_tst_info(resp)) == NULL)
		error = vault_error__set(VAULT_EVERIFY, "the timestamp answer holds no token");
	else
		error = token_time(gen_time, info);
	TS_RESP_free(resp);
	return error;
}

/* ---- asking a TSA ------------------------------------------------------------ */

static int request(unsigned char **der, int *derlen, ASN1_INTEGER **nonce, const void *data,
		   size_t len)
{
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	BIGNUM *bn = BN_new();
	unsigned char md[32];
	int ok;

	*der = NULL;
	if (!req || !imprint || !alg || !bn)
		abort();
	if (EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL) != 1)
		abort();
	ok = X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) == 1 &&
	     TS_MSG_IMPRINT_set_algo(imprint, alg) == 1 &&
	     TS_MSG_IMPRINT_set_msg(imprint, md, sizeof(md)) == 1 &&
	     TS_REQ_set_version(req, 1) == 1 && TS_REQ_set_msg_imprint(req, imprint) == 1 &&
	     BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
	     (*nonce = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
	     TS_REQ_set_nonce(req, *nonce) == 1 && TS_REQ_set_cert_req(req, 1) == 1 &&
	     (*derlen = i2d_TS_REQ(req, der)) > 0;
	BN_free(bn);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(imprint);
	TS_REQ_free(req);
	if (!ok)
		return vault_error__ssl(VAULT_ERROR, "cannot build a timestamp request: ");
	return 0;
}

/*
 * libcurl, loaded by the first request (dlopen) and its global state made
 * then, once: a command that asks no TSA neither maps libcurl and the
 * dozen libraries it needs (LDAP, SASL, RTMP, HTTP/2...) nor starts it.
 * The header gives the types; the Makefile takes its compile flags only.
 */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
} lc;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;
static char curl_error[256];

static int curl_symbol(void *fn, size_t size, void *lib, const char *name)
{
	void *sym = dlsym(lib, name);

	if (!sym || size != sizeof(sym)) {
		vault__fmt_message(curl_error, sizeof(curl_error), "libcurl has no %s", name);
		return -1;
	}
	memcpy(fn, &sym, sizeof(sym));
	return 0;
}

#define CURL_SYMBOL(field, name) curl_symbol(&lc.field, sizeof(lc.field), lib, name)

static void curl_start(void)
{
	void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		vault__fmt_message(curl_error, sizeof(curl_error), "cannot load libcurl: %s",
				   dlerror());
		return;
	}
	if (CURL_SYMBOL(global_init, "curl_global_init") < 0 ||
	    CURL_SYMBOL(easy_init, "curl_easy_init") < 0 ||
	    CURL_SYMBOL(easy_setopt, "curl_easy_setopt") < 0 ||
	    CURL_SYMBOL(easy_perform, "curl_easy_perform") < 0 ||
	    CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo") < 0 ||
	    CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup") < 0 ||
	    CURL_SYMBOL(easy_strerror, "curl_easy_strerror") < 0 ||
	    CURL_SYMBOL(slist_append, "curl_slist_append") < 0 ||
	    CURL_SYMBOL(slist_free_all, "curl_slist_free_all") < 0)
		return;
	if (lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		vault__fmt_message(curl_error, sizeof(curl_error), "cannot start libcurl");
		return;
	}
	curl_ready = 1;
}

typedef struct {
	vault_buf buf;
	int too_big;
} answer;

static size_t take(char *ptr, size_t size, size_t nmemb, void *payload)
{
	answer *a = payload;
	size_t n = size * nmemb;

	if (a->buf.len + n > VAULT_TSA_MAX) {
		a->too_big = 1;
		return 0;
	}
	if (vault_buf__add(&a->buf, ptr, n) < 0)
		return 0;
	return n;
}

/* POST `der` to the TSA; its answer's body into a->buf. */
static int post(answer *a, const vault_tsa_config *cfg, const unsigned char *der, int derlen)
{
	struct curl_slist *headers = NULL;
	long code = 0;
	CURLcode rc;
	CURL *curl;
	int error = 0;

	pthread_once(&curl_once, curl_start);
	if (!curl_ready)
		return vault_error__set(VAULT_ERROR, "%s", curl_error);
	if ((curl = lc.easy_init()) == NULL)
		return vault_error__set(VAULT_ERROR, "cannot start libcurl");
	headers = lc.slist_append(headers, "Content-Type: application/timestamp-query");
	lc.easy_setopt(curl, CURLOPT_URL, cfg->url);
	lc.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	lc.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(curl, CURLOPT_TIMEOUT, cfg->timeout);
	lc.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, cfg->timeout);
	lc.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	lc.easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)der);
	lc.easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)derlen);
	lc.easy_setopt(curl, CURLOPT_WRITEFUNCTION, take);
	lc.easy_setopt(curl, CURLOPT_WRITEDATA, a);
	rc = lc.easy_perform(curl);
	if (a->too_big)
		error = vault_error__set(VAULT_EVERIFY,
			"the timestamp authority's answer is larger than %d bytes", VAULT_TSA_MAX);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		error = vault_error__set(VAULT_ENOTFOUND,
			"the timestamp authority (git config qvault.tsa) did not answer within %ld s",
			cfg->timeout);
	else if (rc != CURLE_OK)
		error = vault_error__set(VAULT_ENOTFOUND,
			"cannot reach the timestamp authority (git config qvault.tsa): %s",
			lc.easy_strerror(rc));
	else if (lc.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 200)
		error = vault_error__set(VAULT_ENOTFOUND,
			"the timestamp authority (git config qvault.tsa) answered HTTP %ld", code);
	lc.slist_free_all(headers);
	lc.easy_cleanup(curl);
	return error;
}

int vault_tsa__stamp(unsigned char **out, size_t *outlen, const vault_tsa_config *cfg,
		     const void *data, size_t len, int64_t now, int64_t skew)
{
	ASN1_INTEGER *nonce = NULL;
	TS_RESP *resp = NULL;
	TS_TST_INFO *info = NULL;
	unsigned char *der = NULL;
	answer a = { VAULT_BUF_INIT, 0 };
	int64_t at = 0;
	int derlen = 0, error;

	*out = NULL;
	*outlen = 0;
	if ((error = request(&der, &derlen, &nonce, data, len)) < 0 ||
	    (error = post(&a, cfg, der, derlen)) < 0 ||
	    (error = read_answer(&resp, &info, (const unsigned char *)a.buf.data, a.buf.len,
				 data, len)) < 0)
		goto done;
	if (!TS_TST_INFO_get_nonce(info) ||
	    ASN1_INTEGER_cmp(TS_TST_INFO_get_nonce(info), nonce) != 0) {
		error = vault_error__set(VAULT_EVERIFY,
			"the timestamp token does not answer this request (another nonce)");
		goto done;
	}
	if ((error = token_time(&at, info)) < 0 ||
	    (error = check_signature(resp, cfg->cert, at)) < 0)
		goto done;
	if (at < now - skew || at > now + skew) {
		error = vault_error__set(VAULT_EVERIFY,
			"the timestamp token's time is more than %lld s from this clock",
			(long long)skew);
		goto done;
	}
	*outlen = a.buf.len;
	*out = (unsigned char *)vault_buf__detach(&a.buf);
done:
	TS_RESP_free(resp);
	ASN1_INTEGER_free(nonce);
	OPENSSL_free(der);
	vault_buf__dispose(&a.buf);
	return error;
}
