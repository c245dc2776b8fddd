/*
 * journal.h - the access journal of export-controlled data (issue 21).
 *
 * Every download of a marked revision's bytes (vault_doc_cat: cat, the
 * API's and the shell's, an export or bundle; a diff's text) is first recorded in
 * qvault/journal, one line an entry, before a byte is given out; a
 * download that cannot be recorded is refused.  A line is
 *
 *   ENTRY<TAB>SIG<LF>
 *
 * ENTRY compact JSON: {"seq": N (from 1), "prev": SHA-256 hex of the line
 * before (without its LF; 64 zeros for the first), "at": time, "user",
 * "org", "via": the front end, "cli" | "shell" (qvault shell, and so
 * --remote) | "api" | "portal" (qvault serve: its writer writes the entry
 * the HTTP side hands it, vault_set_journal, as the side that parses HTTP
 * holds no key; "server": an entry of a qvault that wrote it in the HTTP
 * side), "server": the server user acting (shell) or null, "how":
 * "cat" | "export" | "diff" (a text file's lines shown) | "copy" (the
 * whole history, git-upload-pack behind qvault shell: doc and file "*",
 * rev the commit copied, sha256 "", marking every one released, comma
 * separated; vault_journal_copy), "doc", "rev", "file", "sha256", "marking"}.  SIG is the
 * base64 of the SSHSIG (namespace qvault-journal) of ENTRY's bytes by the
 * vault's server key (qvault/server.pem, user qvault-server), its armor
 * lines joined.
 *
 * Tamper-evident: a changed entry no longer matches its signature, nor
 * the next entry's "prev"; a removed or inserted one breaks "seq" and the
 * chain; forging a consistent rest needs the server key.  What the chain
 * alone cannot show is the loss of the newest entries (a cut tail): each
 * verify reports the count and the head's hash, for a reader to compare.
 * Not replicated (per site, like the index), never in git.
 */
#ifndef VAULT_JOURNAL_H
#define VAULT_JOURNAL_H

#include <stddef.h>

#include <git2.h>

#include "vault.h"

#define VAULT_JOURNAL_FILE "journal"
#define VAULT_JOURNAL_NAMESPACE "qvault-journal"

/*
 * Record that the acting user downloads file `file` (SHA-256 `sha256`) of
 * `doc`@`rev`, marked `marking`, by `how` ("cat", "export").  Locks the
 * journal, appends one signed entry and syncs it.  An error means the
 * download must not happen.
 */
int vault_journal__record(vault *v, const char *doc, const char *rev, const char *file,
			  const char *sha256, const char *marking, const char *how);

/*
 * Check the whole journal (absent: empty): every line parses, its "seq"
 * follows, its "prev" is the line before's hash, and its signature is
 * by the key of the server user of `tree`.  Each failure is passed to
 * `found` (one line), and checking goes on.  *entries: the lines read;
 * head: the last line's hash (65 bytes; "" when empty).
 */
int vault_journal__check(size_t *entries, char *head, vault *v, const git_tree *tree,
			 void (*found)(void *payload, const char *msg), void *payload);

#endif
