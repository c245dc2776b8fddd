/*
 * portal_cert.c - uploading a certificate or report (a CoC, a material
 * certificate with its EN 10204 data, an inspection report...) as a
 * document's next revision, for a PO or a lot.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "portal.h"

static const char *const upload_types[] = { "coc", "material-cert", "inspection-report",
					    "process-cert", "other", NULL };
static const char *const cert_types[] = { "3.1", "3.2", "2.2", "2.1", NULL };
/* the EN 10204 fields the form asks for, as material-cert.schema.json names them */
static const struct {
	const char *key, *label, *type;
	int required;
} cert_fields[] = {
	{ "certificate_number", "Certificate number", "text", 0 },
	{ "manufacturer", "Manufacturer (mill)", "text", 0 },
	{ "product", "Product", "text", 0 },
	{ "grade", "Grade or specification", "text", 0 },
	{ "heat_number", "Heat number", "text", 0 },
	{ "quantity", "Quantity, with its unit", "text", 0 },
	{ "issue_date", "Issue date", "date", 0 },
	{ "inspector", "Inspector (3.1 and 3.2)", "text", 0 },
};

static enum MHD_Result upload_form(serve_req *q, unsigned status, const char *why)
{
	html h = { NULL, 0, 0 };
	char name[64];
	size_t i;

	page_begin(&h, q, "Upload a certificate or report", "");
	h_refusal(&h, why);
	h_form(&h, q, "/upload", 1);
	h_input(&h, q, "doc", "Document number (for example COC-L-0923)", "text", 1);
	h_select(&h, q, "type", "Type", upload_types);
	h_input(&h, q, "rev", "Revision (empty: the next)", "text", 0);
	h_input(&h, q, "title", "Title", "text", 0);
	h_input(&h, q, "po", "For PO", "text", 0);
	h_input(&h, q, "lot", "For lot", "text", 0);
	h_input(&h, q, "expires", "Valid until (a certificate, an approval)", "date", 0);
	h_input(&h, q, "file", "File", "file", 1);
	h_raw(&h, "<fieldset><legend>EN 10204 data, for a material certificate</legend>");
	h_select(&h, q, "cert.certificate_type", "Certificate type", cert_types);
	for (i = 0; i < sizeof(cert_fields) / sizeof(cert_fields[0]); i++) {
		/* "cert." and a key of the table: it fits */
		(void)cli_fmt(name, sizeof(name), "a field's name", "cert.%s", cert_fields[i].key);
		h_input(&h, q, name, cert_fields[i].label, cert_fields[i].type,
			cert_fields[i].required);
	}
	h_input(&h, q, "cert.chemical", "Chemical composition (C=0.20, Mn=1.10)", "text", 0);
	h_input(&h, q, "cert.mechanical", "Mechanical results (Rm_MPa=310, A_pct=12)", "text", 0);
	h_raw(&h, "</fieldset><p><button type=\"submit\">Upload</button></p></form>");
	return send_page(q, status, &h);
}

enum MHD_Result get_upload(serve_req *q)
{
	return upload_form(q, MHD_HTTP_OK, NULL);
}

/* "C=0.20, Mn=1.10" as {"C": "0.20", "Mn": "1.10"}; NULL when malformed. */
static json_t *results_of(const char *text)
{
	json_t *o = json_object();
	char *copy = strdup(text), *item, *save = NULL;

	if (!o || !copy)
		abort();
	for (item = strtok_r(copy, ",;", &save); item; item = strtok_r(NULL, ",;", &save)) {
		char *eq = strchr(item, '='), *k = item, *v, *end;

		if (!eq) {
			json_decref(o);
			o = NULL;
			break;
		}
		*eq = '\0';
		v = eq + 1;
		while (*k == ' ')
			k++;
		while (*v == ' ')
			v++;
		for (end = k + strlen(k); end > k && end[-1] == ' '; end--)
			*--end = '\0';
		for (end = v + strlen(v); end > v && end[-1] == ' '; end--)
			*--end = '\0';
		if (!*k || !*v || json_object_set_new(o, k, json_string(v)) < 0) {
			json_decref(o);
			o = NULL;
			break;
		}
	}
	free(copy);
	return o;
}

/* The form's EN 10204 data as the JSON text `add --meta` reads; NULL with *why. */
static char *cert_meta(serve_req *q, const char **why)
{
	json_t *m = json_object(), *r;
	char name[64], *text;
	size_t i;

	json_object_set_new(m, "certificate_type",
			    json_string(form_value(q, "cert.certificate_type") ?
					form_value(q, "cert.certificate_type") : ""));
	for (i = 0; i < sizeof(cert_fields) / sizeof(cert_fields[0]); i++) {
		(void)cli_fmt(name, sizeof(name), "a field's name", "cert.%s", cert_fields[i].key);
		if (form_value(q, name))
			json_object_set_new(m, cert_fields[i].key, json_string(form_value(q, name)));
	}
	if (form_value(q, "cert.chemical")) {
		if ((r = results_of(form_value(q, "cert.chemical"))) == NULL) {
			*why = "the chemical composition is not NAME=VALUE, NAME=VALUE";
			json_decref(m);
			return NULL;
		}
		json_object_set_new(m, "chemical", r);
	}
	if (form_value(q, "cert.mechanical")) {
		if ((r = results_of(form_value(q, "cert.mechanical"))) == NULL) {
			*why = "the mechanical results are not NAME=VALUE, NAME=VALUE";
			json_decref(m);
			return NULL;
		}
		json_object_set_new(m, "mechanical", r);
	}
	text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	return text;
}

enum MHD_Result post_upload(serve_req *q)
{
	const char *type = form_value(q, "type"), *why = NULL;
	char *meta = NULL, where[1024];
	json_t *reply, *body;
	enum MHD_Result ok;
	unsigned status;

	if (q->body < 0 || !form_value(q, "file.name"))
		return upload_form(q, MHD_HTTP_BAD_REQUEST, "choose the file to upload");
	if (!form_value(q, "doc") || !type)
		return upload_form(q, MHD_HTTP_BAD_REQUEST, "give the document's number and type");
	if (strcmp(type, "material-cert") == 0 && (meta = cert_meta(q, &why)) == NULL)
		return upload_form(q, MHD_HTTP_BAD_REQUEST, why);
	reply = serve_writer_ask(q, json_pack("{s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*, s:s*, s:s*,"
					      " s:s*}",
					      "op", "add", "doc", form_value(q, "doc"), "type", type,
					      "name", form_value(q, "file.name"),
					      "rev", form_value(q, "rev"), "title",
					      form_value(q, "title"), "po", form_value(q, "po"),
					      "lot", form_value(q, "lot"), "meta", meta,
					      "expires", form_value(q, "expires")),
				 q->body);
	free(meta);
	status = (unsigned)json_integer_value(json_object_get(reply, "status"));
	body = json_object_get(reply, "body");
	if (status != MHD_HTTP_CREATED ||
	    revision_address(where, sizeof(where), json_string_value(json_object_get(body, "doc")),
			     NULL) < 0) {
		ok = upload_form(q, status >= 400 ? status : MHD_HTTP_BAD_REQUEST,
				 refusal_of(reply));
		json_decref(reply);
		return ok;
	}
	json_decref(reply);
	return serve_redirect(q->c, where);
}
