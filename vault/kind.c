/*
 * kind.c - matching a path against the shape of a kind of record.
 */
#include "kind.h"

#include <fnmatch.h>
#include <string.h>

#include "record.h"

/* The longest component of a path the vault holds: a file system's name limit. */
#define COMPONENT_MAX 255


/* The next component of *p (advanced past it and its '/'), its length in *len. */
static const char *next(const char **p, size_t *len)
{
	const char *c = *p;

	if (!*c)
		return NULL;
	*len = strcspn(c, "/");
	*p = c[*len] ? c + *len + 1 : c + *len;
	return c;
}

/* A shape's word for a captured name: upper-case letters only. */
static int is_capture(const char *w, size_t n)
{
	return n > 0 && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") >= n && !(n == 2 && w[0] == 'H' &&
									  w[1] == 'H');
}

/* Whether the fan-out folders `fan` (nfan of them, 2 bytes each) are those of `key`. */
static int fanned_for(const char *const *fan, size_t nfan, const char *key)
{
	char dir[VAULT_PATH_MAX];
	size_t i;

	if (!nfan)
		return 1;
	if (nfan != 2 || !*key)
		return 0;
	/* "-/ab/cd/KEY" */
	vault_record__dir(dir, sizeof(dir), "-", key);
	for (i = 0; i < nfan; i++)
		if (memcmp(fan[i], dir + 2 + 3 * i, 2) != 0)
			return 0;
	return 1;
}

int vault_kind__match(const vault_kind *k, const char *path, vault_kind_match *m)
{
	const char *s = k->shape, *p = path, *w, *c, *fan[2];
	vault_kind_match local;
	size_t wn, cn, nfan = 0;

	if (!m)
		m = &local;
	m->key[0] = m->rev[0] = '\0';
	while ((w = next(&s, &wn)) != NULL) {
		if (wn == 3 && strncmp(w, "...", 3) == 0)
			return *p != '\0' && fanned_for(fan, nfan, m->key);
		/* a file's name may be longer than a record's: "NAME-received.json" */
		if ((c = next(&p, &cn)) == NULL || cn == 0 || cn > COMPONENT_MAX)
			return 0;
		if (wn == 2 && strncmp(w, "HH", 2) == 0) {
			if (cn != 2 || strspn(c, "0123456789abcdef") < 2 || nfan == 2)
				return 0;
			fan[nfan++] = c;
		} else if (is_capture(w, wn)) {
			char *into = wn == 3 && strncmp(w, "REV", 3) == 0 ? m->rev : m->key;

			/* the name whose encoding the component is, exactly */
			if (vault_record__name_of(into, c, cn) < 0)
				return 0;
		} else if (strcspn(w, "*?[") >= wn) {
			/* a literal: most components, compared as they are */
			if (cn != wn || memcmp(c, w, wn) != 0)
				return 0;
		} else {
			char pat[COMPONENT_MAX + 1], got[COMPONENT_MAX + 1];

			if (wn > COMPONENT_MAX)
				return 0;
			memcpy(pat, w, wn);
			pat[wn] = '\0';
			memcpy(got, c, cn);
			got[cn] = '\0';
			if (fnmatch(pat, got, FNM_PERIOD) != 0)
				return 0;
		}
	}
	return *p == '\0' && fanned_for(fan, nfan, m->key);
}

const vault_kind *vault_kind__of(const vault_kind *const *kinds, const char *path,
				 vault_kind_match *m)
{
	size_t i;

	for (i = 0; kinds[i]; i++)
		if (vault_kind__match(kinds[i], path, m))
			return kinds[i];
	return NULL;
}

/* Whether the space-separated list `o` names `op`. */
static int listed(const char *o, const char *op)
{
	size_t n = strlen(op);

	while (o && *o) {
		size_t len = strcspn(o, " ");

		if (len == n && strncmp(o, op, n) == 0)
			return 1;
		o += len;
		o += strspn(o, " ");
	}
	return 0;
}

int vault_kind__written_by(const vault_kind *k, const char *op)
{
	return listed(k->ops, op);
}

int vault_kind__made_by(const vault_kind *k, const char *op)
{
	return listed(k->made_by, op);
}
