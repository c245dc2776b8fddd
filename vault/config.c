#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "error.h"
#include "pdf.h"
#include "record.h"
#include "util.h"
#include "vault.h"

#define PDF "application/pdf"
#define IMAGES "image/png", "image/jpeg", "image/tiff"
#define TEXT "text/plain", "text/csv"
/* what a certificate may be as text: CSV, or a structured format */
#define CERT_TEXT "text/csv", "application/json", "text/xml"
/* spreadsheets (AS9102 forms, CMM reports) and word-processor documents */
#define OFFICE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", \
	"application/vnd.ms-excel.sheet.macroEnabled.12", "application/vnd.ms-excel", \
	"application/vnd.oasis.opendocument.spreadsheet", \
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document"
/* 3D models: STEP, IGES, JT, 3MF, STL, Parasolid */
#define MODELS "model/step", "model/iges", "model/jt", "model/3mf", "model/stl", \
	"model/vnd.parasolid.transmit.text"

/*
 * The allowlists of DESIGN.md, issues #2 and #20, one row per document
 * type: what a new vault's vault.json holds (an admin changes them with
 * `qvault types`).  A drawing is 2D (a scan is a JPEG), or a product
 * definition in a neutral CAD format (STEP, IGES: model-based definition);
 * a 3D model of any format is a document of type model.
 */
static const struct {
	const char *type;
	const char *mime[24];
} defaults[] = {
	{ "drawing", { PDF, "image/tiff", "image/png", "image/jpeg", "image/vnd.dxf",
		       "image/vnd.dwg", "model/step", "model/iges" } },
	{ "model", { MODELS } },
	{ "spec", { PDF, TEXT } },
	{ "fai", { "application/zip" } },
	{ "coc", { PDF, IMAGES, CERT_TEXT } },
	{ "material-cert", { PDF, IMAGES, CERT_TEXT } },
	{ "inspection-report", { PDF, IMAGES, CERT_TEXT, VAULT_MIME_QIF, OFFICE } },
	{ "process-cert", { PDF, IMAGES, CERT_TEXT } },
	{ "other", { PDF, IMAGES, TEXT, "application/zip", OFFICE, VAULT_MIME_QIF,
		     "application/json", "text/xml" } },
	/* not a document type: what the members of an FAI package may be */
	{ "fai-member", { PDF, IMAGES, TEXT, "application/json", "text/xml", VAULT_MIME_QIF,
			  OFFICE, "image/vnd.dxf", MODELS } },
};

/* The built-in list for `type` (for vaults made before it existed), or NULL. */
static json_t *default_list(const char *type)
{
	size_t i, j;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (strcmp(defaults[i].type, type) == 0) {
			json_t *list = json_array();

			for (j = 0; defaults[i].mime[j]; j++)
				json_array_append_new(list, json_string(defaults[i].mime[j]));
			return list;
		}
	return NULL;
}

int vault_config__default(char **out, size_t *len, const char *id)
{
	json_t *root, *allow = json_object();
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		json_object_set_new(allow, defaults[i].type, default_list(defaults[i].type));
	root = json_pack("{s:s, s:i, s:s, s:o, s:o}", "record", "vault",
			 "format", 1, "id", id, "allow", allow,
			 "pdf", vault_pdf__default_policy());
	return vault_record__dump(out, len, root);
}

/* One part of a MIME type: a letter or digit, then RFC 6838's restricted-name-chars. */
static size_t mime_part(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      (i > 0 && strchr("!#$&-^_.+", s[i]))))
			break;
	return i;
}

int vault_config__mime_check(const char *mime)
{
	size_t a = mime ? mime_part(mime) : 0, b;

	if (a == 0 || mime[a] != '/' || (b = mime_part(mime + a + 1)) == 0 ||
	    mime[a + 1 + b] != '\0' || a + 1 + b > 127)
		return vault_error__set(VAULT_EINVALID, "'%.64s' is not a MIME type (TYPE/SUBTYPE, "
					"as 'qvault types list' shows them)", mime ? mime : "");
	return 0;
}

int vault_config__parse(vault_config *cfg, const char *data, size_t len)
{
	const char *kind, *id;
	json_t *root, *allow;
	json_error_t jerr;
	int format;

	memset(cfg, 0, sizeof(*cfg));
	if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return vault_error__set(VAULT_EINVALID, "vault.json is not valid JSON: %s",
					jerr.text);
	if (json_unpack_ex(root, &jerr, 0, "{s:s, s:i, s:s, s:o}", "record", &kind,
			   "format", &format, "id", &id, "allow", &allow) < 0 ||
	    strcmp(kind, "vault") != 0 || format != 1 || strlen(id) != 32 ||
	    !json_is_object(allow)) {
		json_decref(root);
		return vault_error__set(VAULT_EINVALID, "vault.json is malformed");
	}
	memcpy(cfg->id, id, 33);
	cfg->allow = json_incref(allow);
	cfg->pdf = json_incref(json_object_get(root, "pdf"));
	json_decref(root);
	return 0;
}

void vault_config__dispose(vault_config *cfg)
{
	json_decref(cfg->allow);
	json_decref(cfg->pdf);
	cfg->allow = NULL;
	cfg->pdf = NULL;
}

json_t *vault_config__list(const vault_config *cfg, const char *type)
{
	json_t *list = json_object_get(cfg->allow, type);

	return json_is_array(list) ? json_incref(list) : default_list(type);
}

int vault_config__accepts(const vault_config *cfg, const char *type, const char *mime)
{
	json_t *list = vault_config__list(cfg, type), *m;
	size_t i;
	int found = 0;

	json_array_foreach(list, i, m)
		if (json_is_string(m) && strcmp(json_string_value(m), mime) == 0)
			found = 1;
	json_decref(list);
	return found;
}

int vault_config__check(const vault_config *cfg, const char *type,
			const char *mime, const char *file)
{
	json_t *list = vault_config__list(cfg, type), *m;
	char accepted[512] = "";
	size_t i, used = 0;

	json_array_foreach(list, i, m) {
		const char *s = json_string_value(m);

		if (s && strcmp(s, mime) == 0) {
			json_decref(list);
			return 0;
		}
		/* a list for a message: what does not fit ends it in "..." */
		if (used + 1 < sizeof(accepted) &&
		    vault__fmt(accepted + used, sizeof(accepted) - used, "list", "%s%s",
			       i ? ", " : "", s ? s : "?") < 0)
			memcpy(accepted + sizeof(accepted) - 4, "...", 4);
		used += strlen(accepted + used);
	}
	json_decref(list);
	return vault_error__set(VAULT_EINVALID,
		"file '%s' is %s, which %s %s does not accept (accepted: %s)",
		file, mime, vault_record__a(type), type, used ? accepted : "nothing");
}
