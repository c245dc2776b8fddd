/*
 * tsa.h - trusted time: RFC 3161 timestamp tokens over a signature's
 * bytes, asked of a timestamp authority (TSA) over HTTP and checked
 * against the TSA's certificate (OpenSSL's TS_* API; the HTTP POST is
 * libcurl's).
 *
 * What is stored is the TSA's whole answer (a DER TimeStampResp, the
 * `.tsr` that `openssl ts -reply` writes and `openssl ts -verify -in`
 * reads), beside the bytes its message imprint is the SHA-256 of.
 */
#ifndef VAULT_TSA_H
#define VAULT_TSA_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

/* The extension of a token file: `NAME.tsr` stands beside NAME. */
#define VAULT_TSA_EXT ".tsr"

/* How long a write waits for the TSA unless git config qvault.tsaTimeout says. */
#define VAULT_TSA_TIMEOUT 10

/* The largest answer taken from a TSA. */
#define VAULT_TSA_MAX (64 * 1024)

/*
 * A site's TSA settings, from the vault's git config:
 *   qvault.tsa          the TSA's URL (http or https); unset: no timestamps
 *   qvault.tsaCert      a PEM file of the certificates trusted to sign
 *                       tokens (the TSA's CA): what `verify` checks with
 *   qvault.tsaRequired  true (the default): a write the TSA does not
 *                       stamp is refused; false: recorded without a token
 *   qvault.tsaTimeout   seconds, 1 to 300 (VAULT_TSA_TIMEOUT)
 */
typedef struct {
	char *url;       /* NULL: no TSA configured */
	char *cert;      /* NULL: none given */
	int required;
	long timeout;
} vault_tsa_config;

/* Read the settings of `repo` into `out` (dispose it); a bad value is VAULT_EINVALID. */
int vault_tsa__config(vault_tsa_config *out, git_repository *repo);
void vault_tsa__config_dispose(vault_tsa_config *c);

/* Whether `repo` names a TSA (git config qvault.tsa), whatever else it says. */
int vault_tsa__configured(git_repository *repo);

/*
 * Ask the TSA of `cfg` for a token over SHA-256(`data`), with a fresh
 * nonce and its certificate requested; check the answer as
 * vault_tsa__check() does (and that it answers this request), and that
 * its time is within `skew` seconds of `now`.  *out (malloc'd, the
 * caller's) is the DER answer.  A TSA that cannot be reached or does
 * not answer in time is VAULT_ENOTFOUND; a wrong answer VAULT_EVERIFY.
 */
int vault_tsa__stamp(unsigned char **out, size_t *outlen, const vault_tsa_config *cfg,
		     const void *data, size_t len, int64_t now, int64_t skew);

/*
 * Check the DER answer `tsr`: a granted TimeStampResp whose token's
 * message imprint is SHA-256 of `data`; with `cafile`, its signature and
 * its signer's chain (timeStamping, to a certificate of `cafile`) at the
 * token's own time.  *gen_time is the token's time.  VAULT_EVERIFY with
 * the reason when anything fails.
 */
int vault_tsa__check(int64_t *gen_time, const unsigned char *tsr, size_t tsrlen,
		     const void *data, size_t len, const char *cafile);

/* The time of the token in the DER answer `tsr`, unchecked; VAULT_EVERIFY when it holds none. */
int vault_tsa__time(int64_t *gen_time, const unsigned char *tsr, size_t tsrlen);

#endif
