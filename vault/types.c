/*
 * types.c - what each document type accepts: the allowlists of vault.json
 * (trust.c's kind), read and changed by an admin, one commit a change.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common.h"
#include "config.h"
#include "error.h"
#include "record.h"
#include "txn.h"
#include "user.h"
#include "util.h"

/* Not a document type: what the members of an FAI package may be. */
#define FAI_MEMBER "fai-member"

static int type_check(const char *type)
{
	if (type && (vault_record__type_known(type) || strcmp(type, FAI_MEMBER) == 0))
		return 0;
	return vault_error__set(VAULT_EINVALID,
		"unknown document type '%.64s' (known: drawing, spec, model, fai, coc, "
		"material-cert, inspection-report, process-cert, other, and fai-member: "
		"what an FAI package may hold)", type ? type : "");
}

static void allow_fill(vault_type_allow *out, const char *type, json_t *list)
{
	json_t *m;
	size_t i;

	out->type = vault__strdup(type);
	if ((out->mime = calloc(json_array_size(list) + 1, sizeof(char *))) == NULL)
		abort();
	json_array_foreach(list, i, m)
		if (json_is_string(m))
			out->mime[out->count++] = vault__strdup(json_string_value(m));
}

int vault_types(vault_type_list **out, vault *v)
{
	vault_type_list *l;
	vault_config cfg;
	git_commit *head = NULL;
	size_t i, ntypes;
	int error;

	*out = NULL;
	memset(&cfg, 0, sizeof(cfg));
	if ((error = vault_store__head(&head, v->store)) < 0 ||
	    (error = vault__config(&cfg, v, head)) < 0)
		goto done;
	for (ntypes = 0; vault_doc_types[ntypes]; ntypes++)
		;
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->items = calloc(ntypes + 1, sizeof(*l->items))) == NULL)
		abort();
	for (i = 0; i <= ntypes; i++) {
		const char *type = i < ntypes ? vault_doc_types[i] : FAI_MEMBER;
		json_t *list = vault_config__list(&cfg, type);

		allow_fill(&l->items[l->count++], type, list);
		json_decref(list);
	}
	*out = l;
done:
	vault_config__dispose(&cfg);
	git_commit_free(head);
	return error;
}

void vault_type_list_free(vault_type_list *list)
{
	size_t i, j;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		for (j = 0; j < list->items[i].count; j++)
			free(list->items[i].mime[j]);
		free(list->items[i].mime);
		free(list->items[i].type);
	}
	free(list->items);
	free(list);
}

/* `list` with `mime` added or taken off; VAULT_EEXISTS / VAULT_ENOTFOUND when that changes nothing. */
static int change_list(json_t *list, const char *type, const char *mime, int allow)
{
	json_t *m;
	size_t i;

	json_array_foreach(list, i, m)
		if (json_is_string(m) && strcmp(json_string_value(m), mime) == 0) {
			if (allow)
				return vault_error__set(VAULT_EEXISTS, "%s %s already accepts %s",
							vault_record__a(type), type, mime);
			json_array_remove(list, i);
			return 0;
		}
	if (!allow)
		return vault_error__set(VAULT_ENOTFOUND, "%s %s does not accept %s: nothing to deny",
					vault_record__a(type), type, mime);
	json_array_append_new(list, json_string(mime));
	return 0;
}

int vault_types_change(vault *v, const char *type, const char *mime, int allow)
{
	vault_buf message = VAULT_BUF_INIT;
	char *data = NULL, *json = NULL;
	json_t *root = NULL, *list = NULL;
	size_t len;
	vault_txn t;
	int error;

	if ((error = type_check(type)) < 0 || (error = vault_config__mime_check(mime)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_ADMIN,
				     "change what document types accept")) < 0 ||
	    (error = vault_store__read_path(&data, &len, v->store, t.root, VAULT_CONFIG_FILE)) < 0)
		goto done;
	if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(json_object_get(root, "allow"))) {
		error = vault_error__set(VAULT_EINVALID, "vault.json is malformed");
		goto done;
	}
	{
		json_t *in_force = vault_config__list(&t.cfg, type);

		list = json_deep_copy(in_force);
		json_decref(in_force);
	}
	if (!list) {
		error = vault_error__set(VAULT_EINVALID, "vault.json is malformed");
		goto done;
	}
	if ((error = change_list(list, type, mime, allow)) < 0)
		goto done;
	json_object_set(json_object_get(root, "allow"), type, list);
	if ((error = vault_record__dump(&json, &len, json_incref(root))) < 0 ||
	    (error = vault_buf__addf(&message, "types %s %s %s\n\nQvault-Op: types\n",
				     allow ? "allow" : "deny", type, mime)) < 0 ||
	    (error = vault__txn_put_data(&t, v, VAULT_CONFIG_FILE, json, len)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	json_decref(list);
	json_decref(root);
	free(json);
	free(data);
	vault__txn_end(&t, v);
	return error;
}
