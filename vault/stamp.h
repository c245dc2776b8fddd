/*
 * stamp.h - trusted time for acknowledgments and releases: with git
 * config qvault.tsa set, an RFC 3161 token (tsa.h) over each
 * acknowledgment's signature and each release record, stored beside it
 * as NAME.tsr in the same signed commit.
 *
 *   docs/<h>/<h>/DOC/REV/acks/SIGNER-MEANING.json.sig.tsr  over the .sig's bytes
 *   docs/<h>/<h>/DOC/REV/release.json.tsr                  over release.json's bytes
 *
 * A release has no signature of its own: its record is signed by the
 * commit that holds it, whose signature cannot cover a token obtained
 * over itself; the token is over the release record those signed bytes
 * cover.
 */
#ifndef VAULT_STAMP_H
#define VAULT_STAMP_H

#include <stddef.h>

#include "kind.h"

struct vault_txn;

/*
 * Ask the configured TSA for a token over `data` (the bytes queued at
 * `path`) and queue it at `path`.tsr.  No TSA configured: nothing.  A
 * TSA that does not answer refuses the write when qvault.tsaRequired is
 * true (the default), else leaves the write without a token (a warning,
 * and `audit` lists it); a wrong answer always refuses it.
 */
int vault_stamp__put(struct vault_txn *t, vault *v, const char *path, const void *data,
		     size_t len);

/* the kinds (kinds.h): vault_kind_ack_timestamp, vault_kind_release_timestamp */

#endif
