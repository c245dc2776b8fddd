/*
 * pack.h - one pack per batch.
 *
 * While a batch is open, every object libgit2 writes through the
 * repository's odb (blobs by stream, trees, the commit) goes into one
 * pack file: hashed once by libgit2's stream, deflated only when the first
 * chunk shows the content compresses (PDFs, zips and images are stored),
 * and indexed by an idx v2 file written at the end.  Loose objects would
 * cost one file, one fsync and one rename each; a batch costs two of each.
 *
 * The pack is an odb backend of the highest priority, owned by the odb
 * once registered; vault_pack__finish() or vault_pack__abort() ends the
 * batch, after which the backend passes everything through.
 */
#ifndef VAULT_PACK_H
#define VAULT_PACK_H

#include <git2.h>

typedef struct vault_pack vault_pack;

/* Start a batch for `repo`.  `*out` stays valid until the odb is freed. */
int vault_pack__begin(vault_pack **out, git_repository *repo);

/*
 * Add an object whose id the caller has already computed (with
 * git_odb_hash(), on another thread), unless the odb has it: this skips
 * libgit2's second hashing of it.  The id must be the content's.
 */
int vault_pack__write(vault_pack *pack, const git_oid *id, const void *data,
		      size_t len, git_object_t type);

/*
 * Seal the pack: fix its object count, write its checksum and index, sync
 * both, move them into objects/pack/ and make the odb see them.  A batch
 * that wrote nothing leaves nothing behind.
 */
int vault_pack__finish(vault_pack *pack);

/* Throw the batch away; nothing of it stays on disk. */
void vault_pack__abort(vault_pack *pack);

#endif
