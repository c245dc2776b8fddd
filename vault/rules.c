/*
 * rules.c - what the kinds' checks of a change share: reading the trees
 * the change is made on and leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marking.h"
#include "record.h"
#include "rules.h"
#include "user.h"
#include "util.h"

json_t *vault_rules__json_at(const vault_change_ctx *c, const git_tree *tree, const char *path)
{
	char *data = NULL;
	size_t len;
	json_t *root = NULL;

	if (tree && vault_store__read_path(&data, &len, c->store, tree, path) == 0)
		root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	free(data);
	if (root && !json_is_object(root)) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

json_t *vault_rules__keyed(const vault_change_ctx *c, const git_tree *tree, const char *top,
			   const char *name, const char *file)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 32];

	if (!name || vault_name_check("name", name) < 0)
		return NULL;
	if (vault_record__dir(dir, sizeof(dir), top, name) < 0 ||
	    vault__fmt(path, sizeof(path), "path", "%s/%s", dir, file) < 0)
		return NULL;
	return vault_rules__json_at(c, tree, path);
}

int vault_rules__has(vault_store *s, const git_tree *tree, const char *path)
{
	git_tree_entry *te;
	int file;

	if (!tree || vault_store__entry(&te, s, tree, path) < 0)
		return 0;
	file = git_tree_entry_type(te) == GIT_OBJECT_BLOB;
	git_tree_entry_free(te);
	return file;
}

const char *vault_rules__str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

void vault_rules__require(const vault_change_ctx *c, const char *path, unsigned roles,
			  const char *what)
{
	if (c->who && vault_user__may(c->who, roles, what) < 0)
		c->found(c, path, "%s", vault_error_message());
}

int vault_rules__lacks(const vault_change_ctx *c, unsigned roles)
{
	return c->who && !(c->who->roles & roles);
}

int vault_rules__doc_path(char *doc, char *rev, const char **rest, const char *path)
{
	const char *p[6];
	char dir[VAULT_PATH_MAX];
	size_t i, k = 0;

	if (strncmp(path, "docs/", 5) != 0)
		return -1;
	p[k++] = path + 5;
	for (i = 5; path[i] && k < 6; i++)
		if (path[i] == '/')
			p[k++] = path + i + 1;
	/* DOC and REV: the names the components encode, exactly */
	if (k < 5 || vault_record__name_of(doc, p[2], (size_t)(p[3] - p[2] - 1)) < 0 ||
	    vault_record__name_of(rev, p[3], (size_t)(p[4] - p[3] - 1)) < 0 ||
	    vault_record__doc_dir(dir, sizeof(dir), doc) < 0)
		return -1;
	if (strncmp(path, dir, strlen(dir)) != 0 || path[strlen(dir)] != '/')
		return -1;
	*rest = p[4];
	return 0;
}

int vault_rules__revision_of(const vault_change_ctx *c, const char *path, char *doc, char *rev,
			     const char **rest)
{
	if (vault_rules__doc_path(doc, rev, rest, path) == 0)
		return 0;
	c->found(c, path, "adds an unexpected path");
	return -1;
}

size_t vault_rules__split(char parts[][VAULT_NAME_MAX + 1], size_t max, const char *path)
{
	size_t n = 0;
	const char *p = path;

	while (n < max) {
		size_t len = strcspn(p, "/");

		/* a component with a '%' is an encoded name: the name it encodes */
		if (memchr(p, '%', len)) {
			if (vault_record__name_of(parts[n], p, len) < 0)
				return max + 1;
			n++;
		} else {
			if (len > VAULT_NAME_MAX)
				return max + 1;
			memcpy(parts[n], p, len);
			parts[n++][len] = '\0';
		}
		if (!p[len])
			return n;
		p += len + 1;
	}
	return max + 1;
}

int vault_rules__fanned(const char *path, const char *top, const char *name)
{
	char dir[VAULT_PATH_MAX];

	if (vault_name_check("name", name) < 0)
		return 0;
	vault_record__dir(dir, sizeof(dir), top, name);
	return strncmp(path, dir, strlen(dir)) == 0 && path[strlen(dir)] == '/';
}

void vault_rules__signed_as(const vault_change_ctx *c, const char *path, const char *by,
			    const char *org, const char *at)
{
	char when[VAULT_TIME_SIZE];

	vault_time_format(when, sizeof(when), c->time);
	if (strcmp(at, when) != 0)
		c->found(c, path, "the record is dated '%s', its commit '%s'", at, when);
	if (!c->who)
		return;
	if (strcmp(by, c->who->name) != 0)
		c->found(c, path, "the record names '%s' as its author, but '%s' signed the commit",
			 by, c->who->name);
	if (org && strcmp(org, c->who->org) != 0)
		c->found(c, path, "the record names organization '%s', but '%s' of '%s' signed the "
			 "commit", org, c->who->name, c->who->org);
}

/* The record.json of the revision folder that `path` is in (`rest`: its part in it). */
static int record_of(char *rec, size_t size, const char *path, const char *rest)
{
	return vault__fmt(rec, size, "path", "%.*s" VAULT_RECORD_FILE, (int)(rest - path), path);
}

void vault_rules__with_its_record(const vault_change_ctx *c, const char *path, const char *rest)
{
	char rec[VAULT_PATH_MAX];

	if (record_of(rec, sizeof(rec), path, rest) < 0)
		c->found(c, path, "the path is too long");
	else if (vault_rules__has(c->store, c->before, rec))
		c->found(c, path, "adds a file to a revision recorded earlier");
	else if (!vault_rules__has(c->store, c->tree, rec))
		c->found(c, path, "adds a file without its record");
}

void vault_rules__beside_a_record(const vault_change_ctx *c, const char *path, const char *rest,
				  const git_tree *in)
{
	char rec[VAULT_PATH_MAX];

	if (record_of(rec, sizeof(rec), path, rest) < 0)
		c->found(c, path, "the path is too long");
	else if (!vault_rules__has(c->store, in, rec))
		c->found(c, path, "names a revision that has no record%s",
			 in == c->before ? " before it" : "");
}

void vault_rules__each_revision(const vault_change_ctx *c, const git_tree *tree, const char *doc,
				vault_revision_cb cb, void *payload)
{
	char dir[VAULT_PATH_MAX], sub[VAULT_PATH_MAX * 2];
	git_tree *t = NULL;
	size_t i;

	if (vault_record__doc_dir(dir, sizeof(dir), doc) == 0 && tree &&
	    vault_store__tree_at(&t, c->store, tree, dir) == 0) {
		for (i = 0; i < git_tree_entrycount(t); i++) {
			const char *rev = git_tree_entry_name(git_tree_entry_byindex(t, i));
			char *data = NULL, rel[VAULT_PATH_MAX * 2];
			size_t len;
			vault_revision o;

			/* a name too long for a revision is none */
			/* rev: the folder's name, encoded already */
			if (vault__fmt(sub, sizeof(sub), "path", "%s/%s/" VAULT_RECORD_FILE, dir, rev) < 0 ||
			    vault__fmt(rel, sizeof(rel), "path", "%s/%s/" VAULT_RELEASE_FILE, dir, rev) < 0)
				continue;
			if (vault_store__read_path(&data, &len, c->store, tree, sub) == 0 &&
			    vault_record__revision_parse(&o, data, len) == 0) {
				cb(c, &o, vault_rules__has(c->store, tree, rel), payload);
				vault_revision_dispose(&o);
			}
			free(data);
		}
	}
	git_tree_free(t);
}

/* rules.h: the read rule of a supplier (its own, released to it, marked and covered). */
int vault_rules__visible(char marking[32], const vault_change_ctx *c, const char *revdir,
			 const vault_user *u)
{
	const char *org = u->org;
	char day[16];
	int ok = 0;
	char path[VAULT_PATH_MAX * 2 + 32], *data = NULL;
	vault_revision r;
	vault_release rel;
	size_t len, i;
	int yes = 0;

	if (vault__fmt(path, sizeof(path), "path", "%s/" VAULT_RECORD_FILE, revdir) < 0)
		return 0;
	if (vault_store__read_path(&data, &len, c->store, c->tree, path) == 0 &&
	    vault_record__revision_parse(&r, data, len) == 0) {
		yes = r.org && strcmp(r.org, org) == 0;
		vault_revision_dispose(&r);
	}
	free(data);
	data = NULL;
	if (!yes && vault__fmt(path, sizeof(path), "path", "%s/" VAULT_RELEASE_FILE, revdir) == 0 &&
	    vault_store__read_path(&data, &len, c->store, c->tree, path) == 0 &&
	    vault_record__release_parse(&rel, data, len) == 0) {
		for (i = 0; i < rel.nto && !yes; i++)
			yes = strcmp(rel.to[i], org) == 0;
		vault_marking__today(day, sizeof(day), c->time);
		if (yes && rel.marking &&
		    (vault_marking__check(rel.marking) < 0 ||
		     vault_marking__covers(&ok, c->store, c->before ? c->before : c->tree, u,
					   rel.marking, day) < 0 || !ok)) {
			vault__fmt_message(marking, 32, "%s", rel.marking);
			yes = 2;
		}
		vault_record__release_dispose(&rel);
	}
	free(data);
	return yes;
}
