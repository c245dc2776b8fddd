/*
 * gitviews.c - what makes stock git show a vault otherwise than its
 * objects record, outside the objects (gitviews.h says which, and why).
 *
 * Where git 2.39 and libgit2 1.5 read a file differently, it is read
 * here as git does (refs/files-backend.c, config.c): HEAD's "ref:"
 * followed by any blanks, a symbolic link's text as a branch name.
 */
#include "gitviews.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "store.h"
#include "util.h"

#define HEX "0123456789abcdef"

typedef struct {
	git_repository *repo;
	const char *dir;           /* the repository's folder, ending in '/' */
	void (*bad)(void *payload, const char *subject, const char *why);
	void *payload;
} views;

static void say(views *v, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(views *v, const char *subject, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vault__vfmt_message(why, sizeof(why), fmt, ap);
	va_end(ap);
	v->bad(v->payload, subject, why);
}

/* The path of the repository's file `name`: 0, or < 0 when too long. */
static int path_of(char path[4200], const views *v, const char *name)
{
	return vault__fmt(path, 4200, "path", "%s%s", v->dir, name);
}

/* lstat(2) of the repository's file `name`: 0, or -1 when it is not there. */
static int there(const views *v, const char *name, struct stat *st)
{
	char path[4200];

	return path_of(path, v, name) < 0 ? -1 : lstat(path, st);
}

/* 1 when `s` starts with an id as git writes one, 40 digits of lowercase
 * hex (into *id when not NULL). */
static int hex_id(git_oid *id, const char *s)
{
	git_oid ignored;

	return strspn(s, HEX) >= GIT_OID_HEXSZ &&
	       git_oid_fromstrn(id ? id : &ignored, s, GIT_OID_HEXSZ) == 0;
}

/* ---- files ----------------------------------------------------------- */

static void check_files(views *v)
{
	static const struct {
		const char *file, *why;
	} files[] = {
		{ ".git", "git reads the repository it is or names, not the vault's" },
		{ "commondir", "git reads this vault's objects and refs from the folder it names" },
		{ "info/grafts", "git shows other parents for the commits it lists than they record" },
		{ "shallow", "git takes the history as cut short at the commits it lists" },
		{ "info/attributes", "git applies its attributes when it shows files (a textconv "
				     "filter shows other bytes than a drawing's)" },
		{ "config.worktree", "git reads its settings (extensions.worktreeConfig), which "
				     "libgit2 does not" },
		{ "main", "git log main reads it before " VAULT_BRANCH },
		/* read from the folder git is in, once core.bare is false:
		 * a mailmap (names of the forger's choosing), attributes
		 * (helper-122) */
		{ ".mailmap", "git shows other names for the authors it lists (core.bare false)" },
		{ ".gitattributes", "git applies its attributes when it shows files (core.bare "
				    "false)" },
	};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (there(v, files[i].file, &st) == 0)
			say(v, files[i].file, "%s", files[i].why);
}

/* ---- config ---------------------------------------------------------- */

/* a name of the local config git reads to change what it prints, or runs */
static int config_shows(const char *name)
{
	static const char *const keys[] = {
		/* what git log and git show print: notes, names, formats of
		 * the forger's text (a '.' at the end: the whole section) */
		"core.notesref", "notes.", "mailmap.", "core.attributesfile", "format.",
		"pretty.", "log.date",
		/* programs git runs as it shows: a pager, a filter, what
		 * checks a signature (and with it, what it says) */
		"core.pager", "pager.", "diff.external", "gpg.",
		/* an alias of the vault's overrides the auditor's own of that
		 * name (`git lg` then runs the forger's command); what git
		 * blame leaves out of who wrote a line */
		"alias.", "blame.",
		/* settings git reads from elsewhere, by rules libgit2 does
		 * not share (includeIf "hasconfig:", a folder with a '/') */
		"include.", "includeif.", "extensions.worktreeconfig",
		/* a work tree, whose .mailmap and .gitattributes git reads */
		"core.worktree",
		/* what git clone of the vault is given: refs hidden, so that
		 * a clone holds no signed history (helper-122) */
		"transfer.hiderefs", "uploadpack.",
	};
	size_t i, len = strlen(name);

	/* which kind of signature a commit's is: an operator's setting
	 * (ssh, so that git verify-commit reads qvault's), which says
	 * nothing of who signed */
	if (!strcmp(name, "gpg.format"))
		return 0;
	/* diff.<driver>.textconv and .command: shown bytes of a program's */
	if (len > 5 && !strncmp(name, "diff.", 5) &&
	    ((len > 14 && !strcmp(name + len - 9, ".textconv")) ||
	     (len > 13 && !strcmp(name + len - 8, ".command"))))
		return 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t k = strlen(keys[i]);

		if (keys[i][k - 1] == '.' ? !strncmp(name, keys[i], k) : !strcmp(name, keys[i]))
			return 1;
	}
	return 0;
}

static int config_found(const git_config_entry *entry, void *payload)
{
	int bare = 0;

	/* a bare repository (as every vault is), or git reads a work tree's
	 * files in the folder it runs in (a name with no value is true, as
	 * git reads it) */
	if (!strcmp(entry->name, "core.bare") && entry->value &&
	    (git_config_parse_bool(&bare, entry->value) < 0 || !bare)) {
		say(payload, "config", "core.bare: git takes the vault for a work tree, and "
		    "reads its .mailmap and .gitattributes");
		return 0;
	}
	if (config_shows(entry->name))
		say(payload, "config", "%s: git shows the history otherwise than it records "
		    "(notes, names, text or programs of its choosing)", entry->name);
	return 0;
}

/*
 * A line of the vault's config file continued by a backslash: libgit2
 * 1.5.1 reads past an empty or comment line after it, git does not, and
 * the two then read other settings (helper-122: `format.pretty` that git
 * read and libgit2 named otherwise).  git config never writes one.
 */
static void check_config_lines(views *v)
{
	char buf[8192];
	size_t run = 0, line = 1;
	ssize_t n;
	int fd, start = 1, comment = 0;
	char path[4200];

	if (path_of(path, v, "config") < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return;
	/* each byte in turn: a newline after an odd run of backslashes
	 * (a CR between, as git takes "\\r\n" for a newline), but on a
	 * comment's line (its first byte not a blank '#' or ';'), which
	 * neither continues */
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		ssize_t i;

		for (i = 0; i < n; i++) {
			if (start && (buf[i] == '#' || buf[i] == ';'))
				comment = 1;
			if (buf[i] != ' ' && buf[i] != '\t')
				start = 0;
			if (buf[i] == '\n') {
				if (run % 2 && !comment) {
					char at[32];

					vault__fmt_message(at, sizeof(at), "config:%zu", line);
					say(v, at, "a line continued by a backslash: git and libgit2 "
					    "read the settings after it otherwise");
					close(fd);
					return;
				}
				line++;
				run = 0;
				start = 1;
				comment = 0;
			} else if (buf[i] == '\\') {
				run++;
			} else if (buf[i] != '\r') {
				run = 0;
			}
		}
	}
	close(fd);
}

/* The vault's own git config (not the user's): libgit2 lowercases each
 * section and name, as git compares them. */
static int check_config(views *v)
{
	git_config *all = NULL, *local = NULL;
	int error;

	check_config_lines(v);
	if (git_repository_config(&all, v->repo) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	error = git_config_open_level(&local, all, GIT_CONFIG_LEVEL_LOCAL);
	if (error == 0)
		/* each entry named here, not by a pattern: libgit2 1.5.1's
		 * pattern search leaks pcre2's match data (tests/lsan.supp) */
		error = git_config_foreach(local, config_found, v);
	git_config_free(local);
	git_config_free(all);
	if (error < 0 && error != GIT_ENOTFOUND)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	return 0;
}

/* ---- HEAD and the branch --------------------------------------------- */

/*
 * The repository's file `name` whole into buf (at most cap - 1 bytes,
 * NUL-terminated; a longer one is cut, which no ref git writes is):
 * 0, 1 when it is not there, 2 when it is a symbolic link, -1 when it is
 * no regular file or cannot be read.
 */
static int read_ref_file(char *buf, size_t cap, size_t *len, const views *v, const char *name)
{
	char path[4200];
	struct stat st;
	ssize_t n;
	int fd;

	*len = 0;
	buf[0] = '\0';
	if (path_of(path, v, name) < 0)
		return -1;
	if (lstat(path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	if (S_ISLNK(st.st_mode))
		return 2;
	if (!S_ISREG(st.st_mode) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) < 0)
		return -1;
	do
		n = read(fd, buf, cap - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	*len = (size_t)n;
	buf[n] = '\0';
	return 0;
}

/* 1 when the branch `name` is written nowhere: no file, nothing packed. */
static int unwritten(const views *v, const char *name)
{
	git_reference *ref = NULL;
	struct stat st;
	int error;

	if (there(v, name, &st) == 0)
		return 0;
	error = git_reference_lookup(&ref, v->repo, name);
	git_reference_free(ref);
	return error == GIT_ENOTFOUND;
}

/*
 * 1 when the file of branch `name` is as git writes one: an id in
 * lowercase hex and a newline, nothing else (no "ref:", which git and
 * libgit2 follow by different rules, no link, whose text git reads as a
 * ref's name: helper-122).  *id is that id.  0 when it is not; 1 with
 * *present 0 when there is no file (a packed branch, or none).
 */
static int branch_file(git_oid *id, int *present, const views *v, const char *name)
{
	char buf[64];
	size_t len;
	int r = read_ref_file(buf, sizeof(buf), &len, v, name);

	*present = r != 1;
	if (r == 1)
		return 1;
	return r == 0 && len == GIT_OID_HEXSZ + 1 && buf[GIT_OID_HEXSZ] == '\n' &&
	       hex_id(id, buf);
}

/* 1 when branch `name` is written as git writes it, and names `tip`. */
static int names_tip(const views *v, const char *name, const git_oid *tip)
{
	git_oid id;
	int present;

	if (!branch_file(&id, &present, v, name))
		return 0;
	if (!present && git_reference_name_to_id(&id, v->repo, name) < 0)
		return 0;
	return git_oid_equal(&id, tip);
}

/*
 * HEAD, which `git log` and `git show HEAD:...` read: the vault's branch,
 * or a commit that is its tip, or a branch never written (a bare
 * repository a server made: git shows nothing).  Read as git reads it:
 * "ref:" then any blanks, or a symbolic link's text; anything written
 * otherwise than git writes it ("ref: " NAME "\n", or an id and "\n") is
 * a finding, since git and libgit2 may take it for two histories.
 */
static void check_head(views *v, const git_oid *tip)
{
	char buf[512];
	size_t len;
	git_oid id;
	int r = read_ref_file(buf, sizeof(buf), &len, v, "HEAD");

	if (r == 2) {
		/* core.preferSymlinkRefs writes one: to the vault's branch,
		 * git and libgit2 read the same */
		char path[4200], text[sizeof(VAULT_BRANCH) + 1];
		ssize_t n;

		if (path_of(path, v, "HEAD") == 0 &&
		    (n = readlink(path, text, sizeof(text))) == (ssize_t)strlen(VAULT_BRANCH) &&
		    !memcmp(text, VAULT_BRANCH, (size_t)n))
			return;
		say(v, "HEAD", "it is a symbolic link: git reads its text as the branch it names, "
		    "libgit2 the file it reaches");
		return;
	}
	if (r != 0) {
		say(v, "HEAD", "git cannot read it");
		return;
	}
	if (len == GIT_OID_HEXSZ + 1 && buf[len - 1] == '\n' && hex_id(&id, buf)) {
		if (!git_oid_equal(&id, tip))
			say(v, "HEAD", "it names a commit of its own, not %s: git shows that history",
			    VAULT_BRANCH);
		return;
	}
	if (len > 6 && !memcmp(buf, "ref: ", 5) && buf[5] != ' ' && buf[5] != '\t' &&
	    memchr(buf, '\n', len) == buf + len - 1 && strlen(buf) == len) {
		const char *name = buf + 5;

		buf[len - 1] = '\0';
		if (!git_reference_is_valid_name(name)) {
			say(v, "HEAD", "it names '%s', which is no branch", name);
			return;
		}
		if (strcmp(name, VAULT_BRANCH) && !unwritten(v, name) && !names_tip(v, name, tip))
			say(v, "HEAD", "it names %s, not %s: git shows that history", name,
			    VAULT_BRANCH);
		return;
	}
	say(v, "HEAD", "it is not as git writes it (\"ref: \" and a branch, or a commit's id, "
	    "and a newline): git and libgit2 may read two histories");
}

/*
 * The vault's branch, and the names git tries before it for `main`
 * (refs.c's ref_rev_parse_rules: $GIT_DIR/main, refs/main,
 * refs/tags/main, then refs/heads/main).
 */
static void check_branch(views *v)
{
	static const char *const before[] = { "refs/main", "refs/tags/main" };
	git_reference *ref = NULL;
	struct stat st;
	git_oid id;
	size_t i;
	int present;

	if (there(v, VAULT_BRANCH, &st) == 0 && S_ISLNK(st.st_mode))
		say(v, VAULT_BRANCH, "it is a symbolic link: git reads its text as the branch it "
		    "names, libgit2 the file it reaches");
	else if (!branch_file(&id, &present, v, VAULT_BRANCH))
		say(v, VAULT_BRANCH, "it is not as git writes a branch (a commit's id and a "
		    "newline): git and libgit2 may read two histories");
	for (i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		if (there(v, before[i], &st) == 0 ||
		    git_reference_lookup(&ref, v->repo, before[i]) != GIT_ENOTFOUND)
			say(v, before[i], "git log main reads it before %s", VAULT_BRANCH);
		git_reference_free(ref);
		ref = NULL;
	}
}

/*
 * packed-refs, as git and libgit2 both write it: a "# pack-refs with:"
 * line first, then one "ID NAME" line a ref, names under refs/ and in
 * strictly increasing order, each perhaps followed by a "^ID" line (the
 * commit a tag names).  Anything else they may read otherwise: the same
 * name twice (libgit2 kept the last, git the first of its sort), a CR at
 * a name's end (libgit2 drops it), a name outside refs/ (`main`, which
 * git log main reads first): helper-122.
 */
static void check_packed_refs(views *v)
{
	char path[4200], *line = NULL, *prev = NULL, *name;
	size_t cap = 0, prev_cap = 0, at = 0;
	ssize_t len;
	const char *why = NULL;
	FILE *f;
	int fd, after_ref = 0;
	struct stat st;

	if (path_of(path, v, "packed-refs") < 0 || lstat(path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		say(v, "packed-refs", "it is no file git and qvault read alike");
		return;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return;
	}
	while (!why && (len = getline(&line, &cap, f)) > 0) {
		size_t n = (size_t)len;

		at++;
		if (line[n - 1] != '\n' || memchr(line, '\0', n)) {
			why = "a line git and libgit2 read otherwise (no newline, or a NUL)";
			break;
		}
		line[--n] = '\0';
		if (at == 1 && !strncmp(line, "# pack-refs with:", 17))
			continue;
		if (line[0] == '^') {
			/* the commit the ref before it names */
			if (!after_ref || n != GIT_OID_HEXSZ + 1 || !hex_id(NULL, line + 1))
				why = "a line not as git writes it";
			after_ref = 0;
			continue;
		}
		if (n < GIT_OID_HEXSZ + 2 || !hex_id(NULL, line) || line[GIT_OID_HEXSZ] != ' ') {
			why = "a line not as git writes it";
			break;
		}
		name = line + GIT_OID_HEXSZ + 1;
		if (strncmp(name, "refs/", 5) || !git_reference_is_valid_name(name)) {
			why = "a name git reads otherwise than libgit2, or outside refs/";
			break;
		}
		if (prev && strcmp(prev, name) >= 0) {
			why = "names out of order or listed twice: git and libgit2 keep different ones";
			break;
		}
		if (strlen(name) + 1 > prev_cap &&
		    (prev = realloc(prev, prev_cap = strlen(name) + 1)) == NULL)
			abort();
		memcpy(prev, name, strlen(name) + 1);
		after_ref = 1;
	}
	fclose(f);
	free(line);
	free(prev);
	if (why) {
		char subject[48];

		vault__fmt_message(subject, sizeof(subject), "packed-refs:%zu", at);
		say(v, subject, "%s", why);
	}
}

/* ---- refs that change what git shows ---------------------------------- */

static int replace_found(const char *name, void *payload)
{
	say(payload, name, "git shows another object in place of %s",
	    name + strlen("refs/replace/"));
	return 0;
}

static int notes_found(const char *name, void *payload)
{
	say(payload, name, "git log shows its notes beside the commits");
	return 0;
}

int vault_gitviews__check(git_repository *repo, const git_oid *tip,
			  void (*bad)(void *payload, const char *subject, const char *why),
			  void *payload)
{
	views v = { repo, git_repository_path(repo), bad, payload };
	int error;

	check_files(&v);
	if ((error = check_config(&v)) < 0)
		return error;
	error = git_reference_foreach_glob(repo, "refs/replace/*", replace_found, &v);
	if (error >= 0 || error == GIT_ENOTFOUND)
		error = git_reference_foreach_glob(repo, "refs/notes/*", notes_found, &v);
	if (error < 0 && error != GIT_ENOTFOUND)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's references");
	check_packed_refs(&v);
	check_head(&v, tip);
	check_branch(&v);
	return 0;
}
