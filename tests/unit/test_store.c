/*
 * Unit tests of detect.c, pack.c and store.c through the library: content
 * detection, batch packs that stock git accepts, streaming round trips.
 */
#include "helpers.h"

#include <fcntl.h>
#include <git2.h>
#include <malloc.h>
#include <sys/stat.h>

#include "detect.h"
#include "gc.h"
#include "resident.h"
#include "store.h"
#include "vault.h"

static void detect_kinds(void **state)
{
	static const char step[] = "ISO-10303-21;\nHEADER;\nENDSEC;\n";
	static const char pdf[] = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
	char iges[81];
	vault_detect *d;
	const char *mime;

	(void)state;
	memset(iges, ' ', 80);
	memcpy(iges, "IGES test", 9);
	memcpy(iges + 72, "S      1", 8);
	iges[80] = '\n';
	assert_int_equal(vault_detect__new(&d), 0);
	assert_int_equal(vault_detect__buffer(&mime, d, step, sizeof(step) - 1), 0);
	assert_string_equal(mime, "model/step");
	assert_int_equal(vault_detect__buffer(&mime, d, iges, sizeof(iges)), 0);
	assert_string_equal(mime, "model/iges");
	assert_int_equal(vault_detect__buffer(&mime, d, pdf, sizeof(pdf) - 1), 0);
	assert_string_equal(mime, "application/pdf");
	assert_int_equal(vault_detect__buffer(&mime, d, "plain words\n", 12), 0);
	assert_string_equal(mime, "text/plain");
	assert_int_equal(vault_detect__buffer(&mime, d, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0", 20), 0);
	assert_non_null(strstr(mime, "application/x-"));
	vault_detect__free(d);
}

/* The formats libmagic names only by their encoding (issue 20). */
static void detect_real_files(void **state)
{
	static const struct {
		const char *content;
		size_t len;
		const char *mime;
	} cases[] = {
#define C(s, m) { s, sizeof(s) - 1, m }
		C("AutoCAD Binary DXF\r\n\032\0\0\0SECTION\0", "image/vnd.dxf"),
		C("999\r\ncomment\r\n  0\r\nSECTION\r\n  2\r\nENTITIES\r\n  0\r\nENDSEC\r\n", "image/vnd.dxf"),
		C("  0\nSECTION\n  2\nENTITIES\n  0\nENDSEC\n  0\nEOF\n", "image/vnd.dxf"),
		C("  0\nSECTION\n  2\nPOINTS\n  0\nENDSEC\n", "text/plain"),
		C("<?xml version=\"1.0\"?>\n<!-- x -->\n<QIFDocument versionQIF=\"3\">\n</QIFDocument>\n",
		  "application/qif+xml"),
		C("<q:QIFDocument xmlns:q=\"http://qifstandards.org/xsd/qif3\">\n</q:QIFDocument>\n",
		  "application/qif+xml"),
		C("<?xml version=\"1.0\"?>\n<QIFDocumentation/>\n", "text/xml"),
		C("solid s\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n", "model/stl"),
		C("solid is what this text is about\nand nothing more\n", "text/plain"),
		C("**ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz****\n**PARASOLID\n",
		  "model/vnd.parasolid.transmit.text"),
		C("heat,C,Mn\nH1,0.20,1.10\n", "text/csv"),
		C("heat;C\nH1;0,2\n", "text/csv"),
		C("heat,C,Mn\nH1,0.20\n", "text/plain"),
		C("one line, with a comma\n", "text/plain"),
#undef C
	};
	char jt[90];
	vault_detect *d;
	const char *mime, *magic;
	size_t i;

	(void)state;
	assert_int_equal(vault_detect__new(&d), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(vault_detect__buffer(&mime, d, cases[i].content, cases[i].len), 0);
		if (strcmp(mime, cases[i].mime) != 0)
			fail_msg("case %zu: %s, not %s", i, mime, cases[i].mime);
	}
	memset(jt, 0, sizeof(jt));
	memcpy(jt, "Version 9.5 JT", 14);
	memset(jt + 14, ' ', 66);
	jt[81] = '\1';
	jt[85] = '\377';
	assert_int_equal(vault_detect__both(&mime, &magic, d, jt, sizeof(jt)), 0);
	assert_string_equal(mime, "model/jt");
	assert_string_equal(magic, "application/octet-stream");
	vault_detect__free(d);
}

/*
 * A PDF of `len` bytes whose one stream is random (incompressible) or
 * repetitive text: a PDF the upload's PDF check opens (it has no xref,
 * which qpdf rebuilds, as it does for make_pdf's in tests/cli/lib.sh).
 */
static void make_content(const char *path, size_t len, int random)
{
	static const char tail[] = "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
	char *buf = malloc(len), head[256];
	size_t i, hlen = 0, body = 0;

	assert_non_null(buf);
	/* the head names the stream's length, which the head's own length decides */
	for (i = 0; i < 3; i++) {
		assert_true(len > hlen + sizeof(tail) - 1);
		body = len - hlen - (sizeof(tail) - 1);
		test_fmt(head, sizeof(head), "%%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n"
			 "endobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
			 "3 0 obj\n<< /Length %zu >>\nstream\n", body);
		hlen = strlen(head);
	}
	assert_int_equal(hlen + body + sizeof(tail) - 1, len);
	memcpy(buf, head, hlen);
	for (i = 0; i < body; i++)
		buf[hlen + i] = random ? (char)(rand() & 0xff) : "stream of text "[i % 15];
	memcpy(buf + hlen + body, tail, sizeof(tail) - 1);
	write_file(path, buf, len);
	free(buf);
}

/* Run a shell command with $V naming the vault. */
static int sh(const char *cmd, const char *vpath)
{
	setenv("V", vpath, 1);
	return system(cmd);
}

static void count_warning(const char *message, void *payload)
{
	(void)message;
	++*(int *)payload;
}

static void batch_pack_is_valid_git(void **state)
{
	char *dir = temp_dir(), vpath[4200], f[3][4200];
	vault_add_options e[4];
	vault_revision r;
	vault_key *admin, *tester;
	vault *v;
	size_t count, i;
	int fd;

	(void)state;
	test_fmt(vpath, sizeof(vpath), "%s/v", dir);
	for (i = 0; i < 3; i++)
		test_fmt(f[i], sizeof(f[i]), "%s/f%zu.pdf", dir, i);
	make_content(f[0], 300000, 1);  /* stored */
	make_content(f[1], 300000, 0);  /* deflated */
	make_content(f[2], 2500000, 1); /* several chunks */
	memset(e, 0, sizeof(e));
	for (i = 0; i < 4; i++) {
		static const char *const docs[] = { "D-0", "D-1", "D-2", "D-3" };

		e[i].path = f[i < 3 ? i : 0]; /* D-3 repeats D-0's bytes */
		e[i].doc = docs[i];
		e[i].type = "drawing";
	}
	new_vault(&v, vpath, &admin, &tester);
	assert_int_equal(vault_doc_import(&count, v, e, 4), 0);
	assert_int_equal(count, 4);
	assert_int_equal(sh("git -C \"$V\" fsck --strict --no-dangling >/dev/null 2>&1 && git verify-pack \"$V\"/objects/pack/*.idx >/dev/null", vpath), 0);
	/* the compressible file takes less room than its size, the others not */
	assert_int_equal(sh("test $(du -sk \"$V\"/objects/pack | cut -f1) -lt 3400 && test -z \"$(ls \"$V\"/objects/pack | grep tmp)\"", vpath), 0);

	for (i = 0; i < 4; i++) {
		char out[4300], cmd[9000];

		assert_int_equal(vault_doc_get(&r, v, e[i].doc, "A"), 0);
		test_fmt(out, sizeof(out), "%s/out%zu", dir, i);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(vault_doc_cat(v, &r, 0, fd), 0);
		close(fd);
		test_fmt(cmd, sizeof(cmd), "cmp -s '%s' '%s'", out, e[i].path);
		assert_int_equal(system(cmd), 0);
		if (i == 3) {
			vault_revision first;

			assert_int_equal(vault_doc_get(&first, v, "D-0", NULL), 0);
			assert_string_equal(first.files[0].blob, r.files[0].blob);
			vault_revision_dispose(&first);
		}
		vault_revision_dispose(&r);
	}
	vault_free(v);
	vault_key_free(admin);
	vault_key_free(tester);
	rm_tree(dir);
}

static void refused_batch_leaves_nothing(void **state)
{
	char *dir = temp_dir(), vpath[4200], good[4200], empty[4200], cmd[9000];
	vault_add_options e[2];
	FILE *f;
	vault_key *admin, *tester;
	vault *v;
	size_t count;

	(void)state;
	test_fmt(vpath, sizeof(vpath), "%s/v", dir);
	test_fmt(good, sizeof(good), "%s/good.pdf", dir);
	make_content(good, 100000, 1);
	test_fmt(empty, sizeof(empty), "%s/empty.pdf", dir);
	assert_non_null(f = fopen(empty, "w"));
	fclose(f);
	memset(e, 0, sizeof(e));
	e[0].path = good, e[0].doc = "D-1", e[0].type = "drawing";
	e[1].path = empty, e[1].doc = "D-2", e[1].type = "drawing";
	new_vault(&v, vpath, &admin, &tester);
	vault_free(v);
	test_fmt(cmd, sizeof(cmd), "cd '%s' && find . -type f | sort | xargs sha256sum > '%s/before'", vpath, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(vault_open(&v, vpath, NULL, NULL), 0);
	vault_set_key(v, tester);
	/* an empty file, then one of a type a drawing does not take: each
	 * refused for its own reason, the good entry 1 with it */
	assert_int_equal(vault_doc_import(&count, v, e, 2), VAULT_EINVALID);
	test_fmt(cmd, sizeof(cmd), "entry 2: file '%s' is empty", empty);
	assert_string_equal(vault_error_message(), cmd);
	e[1].path = "/bin/sh";
	assert_int_equal(vault_doc_import(&count, v, e, 2), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "entry 2: file '/bin/sh' is application/x-"));
	vault_free(v);
	test_fmt(cmd, sizeof(cmd), "cd '%s' && find . -type f | sort | xargs sha256sum | cmp -s - '%s/before'", vpath, dir);
	assert_int_equal(system(cmd), 0);
	vault_key_free(admin);
	vault_key_free(tester);
	rm_tree(dir);
}

static void open_heals_and_reports(void **state)
{
	char *dir = temp_dir(), vpath[4200], f[4200], idx[4300];
	vault_add_options o;
	vault_revision_list *list;
	vault_key *admin, *tester;
	vault *v;
	int warned = 0;

	(void)state;
	test_fmt(vpath, sizeof(vpath), "%s/v", dir);
	test_fmt(f, sizeof(f), "%s/a.pdf", dir);
	make_content(f, 5000, 0);
	memset(&o, 0, sizeof(o));
	o.path = f, o.doc = "DWG-9", o.type = "drawing";
	new_vault(&v, vpath, &admin, &tester);
	assert_int_equal(vault_doc_add(NULL, v, &o), 0);
	vault_free(v);

	test_fmt(idx, sizeof(idx), "%s/qvault/index.db", vpath);
	write_file(idx, "garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage", 104);
	assert_int_equal(vault_open(&v, vpath, count_warning, &warned), 0);
	assert_int_equal(warned, 1);
	assert_int_equal(vault_doc_list(&list, v, NULL), 0);
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0].doc, "DWG-9");
	vault_revision_list_free(list);
	vault_free(v);
	vault_key_free(admin);
	vault_key_free(tester);
	rm_tree(dir);
}

/*
 * vault_store__entry and vault_store__tree_at hold the folders of the
 * paths they looked up last: whatever the order of the lookups, across
 * several trees (a folder's among them, and one read through another
 * repository) and top folders, they answer as libgit2's
 * git_tree_entry_bypath() does, missing folders, files where a folder is
 * asked for, and paths deeper than a cursor holds included.
 */
static void entry_agrees_with_bypath(void **state)
{
	static const char *const paths[] = {
		"vault.json", "docs", "docs/00", "docs/00/01/D-1/A/record.json",
		"docs/00/01/D-1/A/files/f.pdf", "docs/00/01/D-1/B/record.json",
		"docs/00/01/D-1/B", "docs/00/01/D-2/A/record.json", "docs/00/02/D-3/A/record.json",
		"docs/00/01/D-1/A/record.json/x", "docs/00/01/missing/A/record.json",
		"docs/00/01/D-1/A/files/f.pdf/deeper", "users/ada/user.json", "users/bob/user.json",
		"users/ada", "users/nobody/user.json", "vault.json/x", "missing",
		"deep/1/2/3/4/5/6/7/8/9/10/leaf", "deep/1/2/3/4/5/6/7/8/9/10",
		"deep/1/2/3/4/5/6/7/8/9/10/none", "deep/1/2/3/4/5/6/7/x",
		"docs//00", "docs/", "/docs", "", "docs/00/01/", "users/ada/",
		"docs/00/01/D-10/A/record.json", "docs/00/01/D-1/A/files", "doc/x", "docs/0/01",
		"D-1/A/record.json", "D-1/B/record.json", "D-2/A/record.json", "D-1", "D-1/A/files/f.pdf",
		"extra/x/z.txt", "extra/x",
	};
	const size_t n = sizeof(paths) / sizeof(paths[0]);
	char *dir = temp_dir(), repo[4200], cmd[9000];
	git_repository *r, *other;
	git_object *trees[4];
	vault_store *s;
	size_t round, i;

	(void)state;
	git_libgit2_init(); /* its errors (GIT_ENOTFOUND) live until the shutdown */
	test_fmt(repo, sizeof(repo), "%s/r", dir);
	test_fmt(cmd, sizeof(cmd),
		 "set -e; git init -q --bare \"$V\"; w=\"$V.w\"; mkdir -p \"$w\"; cd \"$w\";"
		 "git init -q; mkdir -p docs/00/01/D-1/A/files docs/00/02/D-3/A users/ada users/bob;"
		 "mkdir -p deep/1/2/3/4/5/6/7/8/9/10;"
		 "echo {} > vault.json; echo r1 > docs/00/01/D-1/A/record.json;"
		 "echo pdf > docs/00/01/D-1/A/files/f.pdf; echo r3 > docs/00/02/D-3/A/record.json;"
		 "echo ada > users/ada/user.json; echo leaf > deep/1/2/3/4/5/6/7/8/9/10/leaf;"
		 "git add -A; git -c user.name=t -c user.email=t@t commit -qm one;"
		 "mkdir -p docs/00/01/D-1/B docs/00/01/D-2/A docs/00/01/D-10/A;"
		 "echo r2 > docs/00/01/D-1/B/record.json; echo r5 > docs/00/01/D-10/A/record.json;"
		 "echo r4 > docs/00/01/D-2/A/record.json; echo bob > users/bob/user.json;"
		 "git add -A; git -c user.name=t -c user.email=t@t commit -qm two;"
		 "git push -q \"$V\" HEAD:refs/heads/main;"
		 "mkdir -p extra/x; echo z > extra/x/z.txt; git add -A;"
		 "git -c user.name=t -c user.email=t@t commit -qm three");
	assert_int_equal(sh(cmd, repo), 0);
	assert_int_equal(vault_store__open(&s, repo), 0);
	r = vault_store__repo(s);
	assert_int_equal(git_revparse_single(&trees[0], r, "main~1^{tree}"), 0);
	assert_int_equal(git_revparse_single(&trees[1], r, "main^{tree}"), 0);
	/* a folder as the root (a document's, as doc.c reads REV/record.json) */
	assert_int_equal(git_revparse_single(&trees[2], r, "main:docs/00/01"), 0);
	/* a tree of another repository, whose folders the store's has not */
	test_fmt(cmd, sizeof(cmd), "%s.w", repo);
	assert_int_equal(git_repository_open(&other, cmd), 0);
	assert_int_equal(git_revparse_single(&trees[3], other, "HEAD^{tree}"), 0);
	srand(7);
	for (round = 0; round < 4000; round++) {
		const git_tree *root = (const git_tree *)trees[rand() % 4];
		const char *path = paths[round < n ? round : (size_t)rand() % n];
		git_tree_entry *want = NULL, *got = NULL;
		git_tree *sub = NULL;
		int w = git_tree_entry_bypath(&want, root, path);
		int g = vault_store__entry(&got, s, root, path);

		/* git's answer is 0 or GIT_ENOTFOUND for these; ours is the same */
		if (w != 0)
			w = GIT_ENOTFOUND;
		if (g != 0 && g != GIT_ENOTFOUND)
			fail_msg("'%s': %d", path, g);
		if (w != g)
			fail_msg("'%s' in %s: libgit2 says %d, the store %d", path,
				 git_oid_tostr_s(git_tree_id(root)), w, g);
		if (w == 0) {
			assert_true(git_oid_equal(git_tree_entry_id(want), git_tree_entry_id(got)));
			assert_int_equal(git_tree_entry_filemode(want), git_tree_entry_filemode(got));
			assert_string_equal(git_tree_entry_name(want), git_tree_entry_name(got));
		}
		g = vault_store__tree_at(&sub, s, root, path);
		if (w == 0 && git_tree_entry_type(want) == GIT_OBJECT_TREE) {
			assert_int_equal(g, 0);
			assert_true(git_oid_equal(git_tree_id(sub), git_tree_entry_id(want)));
		} else {
			assert_int_equal(g, GIT_ENOTFOUND);
			assert_null(sub);
		}
		git_tree_free(sub);
		git_tree_entry_free(want);
		git_tree_entry_free(got);
	}
	for (i = 0; i < 4; i++)
		git_object_free(trees[i]);
	git_repository_free(other);
	vault_store__free(s);
	git_libgit2_shutdown();
	rm_tree(dir);
}

/*
 * The packs verify sizes its cap of mapped packs by: the vault's and its
 * alternates' (a pull's check reads the vault through them), whatever
 * else lies in those folders.
 */
static void pack_count_reads_alternates(void **state)
{
	char *dir = temp_dir(), vpath[4200];
	vault_key *admin, *tester;
	vault *v;
	size_t own;

	(void)state;
	test_fmt(vpath, sizeof(vpath), "%s/v", dir);
	new_vault(&v, vpath, &admin, &tester);
	own = vault__pack_count(v);
	/* two more of its own (a name is all that is counted), one not a pack */
	assert_int_equal(sh("cd \"$V\"/objects/pack && touch pack-a.pack pack-b.pack pack-c.keep", vpath), 0);
	assert_int_equal(vault__pack_count(v), own + 2);
	/* an alternate by its absolute path with 3, one relative with 1, a
	 * comment, a blank line and one that does not exist */
	assert_int_equal(sh("mkdir -p \"$V\"/../alt/pack \"$V\"/objects/rel/pack &&"
			    " touch \"$V\"/../alt/pack/1.pack \"$V\"/../alt/pack/2.pack"
			    " \"$V\"/../alt/pack/3.pack \"$V\"/../alt/pack/3.idx"
			    " \"$V\"/objects/rel/pack/r.pack &&"
			    " printf '%s\\n# a comment\\n\\nrel\\n/nowhere/objects\\n' \"$(cd \"$V\"/../alt && pwd)\""
			    " > \"$V\"/objects/info/alternates", vpath), 0);
	assert_int_equal(vault__pack_count(v), own + 2 + 3 + 1);
	assert_int_equal(sh("rm \"$V\"/objects/pack/pack-a.pack \"$V\"/objects/pack/pack-b.pack"
			    " \"$V\"/objects/pack/pack-c.keep \"$V\"/objects/info/alternates", vpath), 0);
	assert_int_equal(vault__pack_count(v), own);
	vault_free(v);
	vault_key_free(admin);
	vault_key_free(tester);
	rm_tree(dir);
}

/* Read each blob `ids` names (one hex id a line) through `s`; how many. */
static size_t read_blobs(vault_store *s, const char *ids)
{
	FILE *f = fopen(ids, "r");
	char line[64];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		git_oid id;
		git_blob *b;

		line[strcspn(line, "\n")] = '\0';
		assert_int_equal(git_oid_fromstr(&id, line), 0);
		assert_int_equal(git_blob_lookup(&b, vault_store__repo(s), &id), 0);
		assert_true(git_blob_rawsize(b) > 262144);
		git_blob_free(b);
		n++;
	}
	fclose(f);
	return n;
}

/*
 * libgit2 caches, for each pack, the delta bases it inflates, for as long
 * as the pack is open; a pack is the process's, shared by the stores that
 * opened it: the cache goes when every one of them let go of its packs
 * (what verify does, vault_store__packs_release), not before.
 */
static void packs_release_frees_delta_bases(void **state)
{
	char *dir = temp_dir(), rpath[4200], ids[4300];
	vault_store *a, *b;
	size_t start, read, one, both;

	(void)state;
	test_fmt(rpath, sizeof(rpath), "%s/r.git", dir);
	test_fmt(ids, sizeof(ids), "%s/ids", dir);
	/* 40 files of 256 KB (each its own size: git looks for a delta
	 * among objects of about the same size), 3 versions of each, each
	 * the one before with a line more: one pack of 40 delta chains.
	 * libgit2 caches the base a chain ends in when it reads one of its
	 * deltas: 10 MB of bases */
	assert_int_equal(sh("git init -q --bare \"$V\" && for f in $(seq 1 40); do"
			    " head -c $((262144 + f * 64)) /dev/urandom > \"$V\"/../f; for i in 1 2 3; do"
			    " echo $i >> \"$V\"/../f; git --git-dir=\"$V\" hash-object -w \"$V\"/../f;"
			    " done; done > \"$V\"/../ids &&"
			    " git --git-dir=\"$V\" pack-objects -q \"$V\"/objects/pack/pack < \"$V\"/../ids"
			    " > /dev/null && git --git-dir=\"$V\" prune-packed", rpath), 0);
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	assert_int_equal(vault_store__open(&a, rpath), 0);
	assert_int_equal(vault_store__open(&b, rpath), 0);
	start = vault_resident__heap();
	assert_int_equal(read_blobs(a, ids), 120);
	assert_int_equal(read_blobs(b, ids), 120);
	read = vault_resident__heap();
	print_message("# heap: %zu KB at the start, %zu after the reads\n", start >> 10, read >> 10);
	/* the cache filled (10 MB of 16), the blobs read all freed */
	assert_true(read > start + ((size_t)8 << 20));
	vault_store__packs_release(a);
	malloc_trim(0);
	one = vault_resident__heap();
	print_message("# heap: %zu KB with one store's packs let go of\n", one >> 10);
	/* b holds the pack: its cache stays */
	assert_true(one + ((size_t)1 << 20) > read);
	vault_store__packs_release(b);
	malloc_trim(0);
	both = vault_resident__heap();
	print_message("# heap: %zu KB with both\n", both >> 10);
	assert_true(both + ((size_t)8 << 20) < read);
	/* opened again, both read as before (a by reading: its packs are
	 * opened again at the first read) */
	assert_int_equal(vault_store__packs_reopen(b), 0);
	assert_int_equal(vault_store__packs_reopen(b), 0); /* open: nothing to do */
	assert_int_equal(read_blobs(a, ids), 120);
	assert_int_equal(read_blobs(b, ids), 120);
	vault_store__free(a);
	vault_store__free(b);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 1);
	git_libgit2_shutdown();
	rm_tree(dir);
}

/* Read the blob `hex` through `s`: 0 and its size, or libgit2's error. */
static int read_blob(vault_store *s, const char *hex, size_t *size)
{
	git_oid id;
	git_blob *b;
	int error;

	assert_int_equal(git_oid_fromstr(&id, hex), 0);
	if ((error = git_blob_lookup(&b, vault_store__repo(s), &id)) < 0)
		return error;
	*size = (size_t)git_blob_rawsize(b);
	git_blob_free(b);
	return 0;
}

/* the loose file of `hex`, removed */
static void remove_loose(const char *repo, const char *hex)
{
	char path[4300];

	test_fmt(path, sizeof(path), "%s/objects/%.2s/%s", repo, hex, hex + 2);
	assert_int_equal(unlink(path), 0);
}

/*
 * While a long read asks (vault_store__keep_recent), the loose objects
 * read last are kept: read again, one is served though its file went
 * since (what shows it kept); not before it asks, nor after, nor one
 * past a quarter of the budget.  Writes pass to libgit2's loose backend
 * as before, kept or not.
 */
static void loose_kept_while_asked(void **state)
{
	char *dir = temp_dir(), rpath[4200], hex[4][GIT_OID_HEXSZ + 1];
	vault_store *s;
	git_oid written;
	size_t size;
	FILE *f;
	int i;

	(void)state;
	test_fmt(rpath, sizeof(rpath), "%s/r.git", dir);
	/* three small blobs and one of 40 KB, loose */
	assert_int_equal(sh("git init -q --bare \"$V\" && for i in 1 2 3; do"
			    " echo \"blob $i\" | git --git-dir=\"$V\" hash-object -w --stdin; done > \"$V\"/../ids &&"
			    " head -c 40960 /dev/zero | tr '\\0' x |"
			    " git --git-dir=\"$V\" hash-object -w --stdin >> \"$V\"/../ids", rpath), 0);
	{
		char ids[4300];

		test_fmt(ids, sizeof(ids), "%s/ids", dir);
		assert_non_null(f = fopen(ids, "r"));
		for (i = 0; i < 4; i++)
			assert_int_equal(fscanf(f, "%40s", hex[i]), 1);
		fclose(f);
	}
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	assert_int_equal(vault_store__open(&s, rpath), 0);
	/* not asked: a file gone is an object gone */
	assert_int_equal(read_blob(s, hex[0], &size), 0);
	remove_loose(rpath, hex[0]);
	assert_int_equal(read_blob(s, hex[0], &size), GIT_ENOTFOUND);
	/* asked, 64 KB: kept, served after its file went */
	vault_store__keep_recent(s, (size_t)64 << 10);
	assert_int_equal(read_blob(s, hex[1], &size), 0);
	assert_int_equal(size, 7);
	remove_loose(rpath, hex[1]);
	assert_int_equal(read_blob(s, hex[1], &size), 0);
	assert_int_equal(size, 7);
	/* 40 KB is past a quarter of 64: read, not kept */
	assert_int_equal(read_blob(s, hex[3], &size), 0);
	assert_int_equal(size, 40960);
	remove_loose(rpath, hex[3]);
	assert_int_equal(read_blob(s, hex[3], &size), GIT_ENOTFOUND);
	/* a write while kept: a loose file, as libgit2 writes it, read back */
	assert_int_equal(git_blob_create_from_buffer(&written, vault_store__repo(s), "new\n", 4), 0);
	{
		char path[4300], whex[GIT_OID_HEXSZ + 1];
		struct stat st;

		git_oid_tostr(whex, sizeof(whex), &written);
		test_fmt(path, sizeof(path), "%s/objects/%.2s/%s", rpath, whex, whex + 2);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(read_blob(s, whex, &size), 0);
		assert_int_equal(size, 4);
	}
	/* let go of: the gone file's object is gone */
	vault_store__keep_recent(s, 0);
	assert_int_equal(read_blob(s, hex[1], &size), GIT_ENOTFOUND);
	assert_int_equal(read_blob(s, hex[2], &size), 0);
	vault_store__free(s);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 1);
	git_libgit2_shutdown();
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect_kinds),
		cmocka_unit_test(detect_real_files),
		cmocka_unit_test(batch_pack_is_valid_git),
		cmocka_unit_test(refused_batch_leaves_nothing),
		cmocka_unit_test(open_heals_and_reports),
		cmocka_unit_test(entry_agrees_with_bypath),
		cmocka_unit_test(pack_count_reads_alternates),
		cmocka_unit_test(packs_release_frees_delta_bases),
		cmocka_unit_test(loose_kept_while_asked),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
