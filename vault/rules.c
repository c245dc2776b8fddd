/*
 * rules.c - what the kinds' checks of a change share: reading the trees
 * the change is made on and leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "portal.h"
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
	if (vault_portal__dir(dir, sizeof(dir), top, name) < 0 ||
	    vault__fmt(path, sizeof(path), "path", "%s/%s", dir, file) < 0)
		return NULL;
	return vault_rules__json_at(c, tree, path);
}

int vault_rules__has(const git_tree *tree, const char *path)
{
	return tree && vault_portal__in_tree(tree, path);
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
	if (k < 5 || p[3] - p[2] - 1 > VAULT_NAME_MAX || p[4] - p[3] - 1 > VAULT_NAME_MAX)
		return -1;
	/* each at most VAULT_NAME_MAX bytes, as checked above */
	memcpy(doc, p[2], (size_t)(p[3] - p[2] - 1));
	doc[p[3] - p[2] - 1] = '\0';
	memcpy(rev, p[3], (size_t)(p[4] - p[3] - 1));
	rev[p[4] - p[3] - 1] = '\0';
	if (vault_name_check("document number", doc) < 0 || vault_name_check("revision", rev) < 0 ||
	    vault_record__doc_dir(dir, sizeof(dir), doc) < 0)
		return -1;
	if (strncmp(path, dir, strlen(dir)) != 0 || path[strlen(dir)] != '/')
		return -1;
	*rest = p[4];
	return 0;
}
