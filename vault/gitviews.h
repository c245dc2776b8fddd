/*
 * gitviews.h - what makes stock git show a vault otherwise than its
 * objects record, outside the objects.
 *
 * An auditor reads a vault with stock git: `git log`, `git show`, `git
 * cat-file`, `git verify-commit`.  Besides the objects, git reads the
 * repository's own files and settings, and these change what it prints:
 *
 *   - a `.git` in the vault (git reads that repository, not the vault),
 *     a `commondir` (objects and refs from elsewhere), `info/grafts`
 *     (other parents), `shallow` (a history cut short);
 *   - replace refs (another object under a name) and notes;
 *   - HEAD and the branch, as git reads them: "ref:" then any blanks, a
 *     symbolic link's text, where libgit2 wants one space and reads the
 *     file a link reaches;
 *   - a name `main` that git takes before refs/heads/main (`$GIT_DIR/main`,
 *     refs/main, refs/tags/main: `git log main` reads those first);
 *   - attributes (a textconv filter shows other bytes than a drawing's);
 *   - the repository's config: notes, a mailmap, a pretty format or a
 *     date format of the forger's text, a pager or a program that checks
 *     signatures (code of the forger's, run on the auditor's machine),
 *     and includes, which git follows where libgit2 does not.
 *
 * qvault writes none of them.  Config the user's own (global, system) is
 * the auditor's, not the vault's, and not read.
 */
#ifndef VAULT_GITVIEWS_H
#define VAULT_GITVIEWS_H

#include <git2.h>

/*
 * Each of the above found in `repo`, whose verified history ends at
 * `tip`, said to `bad` (the file or setting, and why).  0, or < 0 on an
 * error reading the repository (the reason set).
 */
int vault_gitviews__check(git_repository *repo, const git_oid *tip,
			  void (*bad)(void *payload, const char *subject, const char *why),
			  void *payload);

#endif
