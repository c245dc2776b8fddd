/*
 * sign.h - keys and OpenSSH SSHSIG signatures, made and checked with
 * OpenSSL, readable by `ssh-keygen -Y verify` and `git verify-commit`.
 *
 * The formats are OpenSSH's PROTOCOL.sshsig and the "ssh-ed25519" and
 * "ecdsa-sha2-nistp256" public key blobs of RFC 8709 and RFC 5656, and a
 * security key's or passkey's "sk-ecdsa-sha2-nistp256@openssh.com" of
 * PROTOCOL.u2f, whose signatures are "sk-ecdsa-sha2-nistp256@openssh.com"
 * or a browser's "webauthn-sk-ecdsa-sha2-nistp256@openssh.com" (checked
 * as OpenSSH's ssh-ecdsa-sk.c does, and more: README.md, "Passkeys"),
 * and an OpenSSH FIDO key's "sk-ssh-ed25519@openssh.com" (ssh-ed25519-sk.c).
 * qvault makes Ed25519 and ECDSA signatures of its PEM keys itself; for an
 * OpenSSH key file or an ssh-agent key (any of the four kinds) it runs
 * ssh-keygen -Y sign (README.md, "Keys people already have"), and checks
 * what comes back as any signature.
 */
#ifndef VAULT_SIGN_H
#define VAULT_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "vault.h"

/*
 * Sign `msg` in namespace `ns`; `*out` receives the armored signature
 * ("-----BEGIN SSH SIGNATURE-----" ...), malloc'd, NUL-terminated.
 */
int vault_sign__sshsig(char **out, const vault_key *key, const char *ns,
		       const void *msg, size_t len);

/*
 * Check an armored SSHSIG over `msg` in namespace `ns`.  On success
 * `*signer` receives the signer's public key as "TYPE BASE64" (malloc'd),
 * for the caller to match against the keys it trusts.  VAULT_EVERIFY
 * when the signature is malformed or does not verify, or is a security
 * key's without user presence and verification (UP, UV), or a browser's
 * from another origin than its relying party's.
 */
int vault_sign__check(char **signer, const char *armored, size_t armored_len,
		      const char *ns, const void *msg, size_t len);

/*
 * The one spelling qvault stores of a signature a client made, into
 * `*out` (malloc'd): ssh-keygen's armor, and for ECDSA the low s of the
 * two valid ones (ssh-keygen and security keys give either at random;
 * vault_sign__check accepts the low one only).  Nothing is checked but
 * the form: vault_sign__check the result.  VAULT_EVERIFY if malformed.
 */
int vault_sign__canonical(char **out, const char *armored, size_t len);

/*
 * The key an armored SSHSIG claims to be made by, "TYPE BASE64", without
 * checking the signature (vault_sign__check does): for work that can
 * start on the claim while the check runs elsewhere.
 */
int vault_sign__claimed(char **signer, const char *armored, size_t armored_len,
			const char *ns);

/* "TYPE BASE64" of a key, without comment; malloc'd. */
int vault_sign__key_id(char **out, const vault_key *key);

/* The "SHA256:..." fingerprint of a "TYPE BASE64[ COMMENT]" line. */
int vault_sign__fingerprint_of(char out[64], const char *pubkey_line);

/*
 * Parse "TYPE BASE64[ COMMENT]": 0 when it is a key qvault accepts (a
 * security key's application "ssh:..." or a relying-party id).
 */
int vault_sign__parse_public(char **key_id, char **comment, const char *line);

/* ---- passkeys (webauthn.c makes them of what a browser sends) ---------- */

/*
 * The SSHSIG signed data of `msg` in namespace `ns`: "SSHSIG", ns,
 * reserved, "sha512", SHA-512(msg).  A passkey signs it as its WebAuthn
 * challenge.  `*out` malloc'd.
 */
int vault_sign__signed_data(unsigned char **out, size_t *n, const char *ns,
			    const void *msg, size_t len);

/*
 * A passkey's public key line taken apart: its P-256 point (65 bytes,
 * uncompressed) and its relying-party id (malloc'd).  VAULT_EINVALID for
 * any other key.
 */
int vault_sign__sk_point(unsigned char q[65], char **app, const char *pubkey_line);

/* The OpenSSH line of the passkey `q` made for relying party `app`; malloc'd. */
int vault_sign__sk_public(char **line, const unsigned char q[65], const char *app,
			  const char *comment);

/*
 * The armored SSHSIG of type webauthn-sk-ecdsa-sha2-nistp256@openssh.com
 * that a browser's assertion is (PROTOCOL.u2f): the key's, in namespace
 * `ns`, the DER signature `der` with its low s, the authenticator's
 * flags and counter, the origin, the whole clientDataJSON and the
 * authenticator data's extensions.  Nothing is checked but the DER:
 * vault_sign__check the result.
 */
int vault_sign__webauthn_sshsig(char **out, const char *pubkey_line, const char *ns,
				const unsigned char *der, size_t dern, unsigned char flags,
				uint32_t counter, const char *origin, const unsigned char *client,
				size_t clientn, const unsigned char *ext, size_t extn);

#endif
