/*
 * token.h - API tokens for system clients (an ERP, a MES, a QMS), each
 * acting for one registered user through the server.
 *
 * A token is qvt_<ID>_<SECRET>: ID 16 lowercase hex digits (random, the
 * record's name), SECRET 43 characters of base64url (32 random bytes).  It
 * is shown once, when made.  The vault records only the SHA-256 of the
 * SECRET text: tokens/<h>/<h>/<ID>/token.json, and revoked.json beside it
 * when revoked; an admin writes both, never a server for someone.
 */
#ifndef VAULT_TOKEN_H
#define VAULT_TOKEN_H

#define VAULT_TOKENS_DIR "tokens"
#define VAULT_TOKEN_FILE "token.json"
#define VAULT_TOKEN_REVOKED_FILE "revoked.json"

/* "qvt_" + ID + "_" + SECRET */
#define VAULT_TOKEN_PREFIX "qvt_"
#define VAULT_TOKEN_ID_LEN 16
#define VAULT_TOKEN_SECRET_LEN 43
#define VAULT_TOKEN_LEN (4 + VAULT_TOKEN_ID_LEN + 1 + VAULT_TOKEN_SECRET_LEN)

#endif
