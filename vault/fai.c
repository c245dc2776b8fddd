/*
 * fai.c - First Article Inspection packages (AS9102 Rev C).
 *
 * A package is a zip holding fai.json (schemas/fai.schema.json: Forms 1,
 * 2 and 3) and the files it names.  `fai add` checks the archive's
 * structure (package.c), then the manifest, then the vault (drawing,
 * PO, lot, who may submit), and records the FAI as a revision of the
 * document named by its FAIR number, type "fai": each member stored as
 * its own blob under files/, the archive's structure in package.json,
 * attached to its part, PO and lot.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <zlib.h>

#include "common.h"
#include "error.h"
#include "doc.h"
#include "index.h"
#include "kind.h"
#include "kinds.h"
#include "fai.h"
#include "input.h"
#include "link.h"
#include "package.h"
#include "pdf.h"
#include "po.h"
#include "record.h"
#include "rules.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define MANIFEST "fai.json"
#define MANIFEST_MAX (4u << 20)
#define FORM3_CSV_MAX (16u << 20)
#define TEXT_MAX 4096

/* ---- tolerances ------------------------------------------------------- */

/* A decimal number at *s (C locale: '.' is the point); advances *s. */
static int number(const char **s, double *out)
{
	char *end;

	if (!((**s >= '0' && **s <= '9') || **s == '.' || **s == '-' || **s == '+'))
		return 0;
	*out = strtod(*s, &end);
	if (end == *s || !isfinite(*out))
		return 0;
	*s = end;
	return 1;
}

static void blanks(const char **s)
{
	while (**s == ' ')
		(*s)++;
}

/* An optional unit after a value: "mm", "in", "deg", "°". */
static int unit_then_end(const char *s)
{
	blanks(&s);
	if (strncmp(s, "mm", 2) == 0 || strncmp(s, "in", 2) == 0)
		s += 2;
	else if (strncmp(s, "deg", 3) == 0)
		s += 3;
	else if (strncmp(s, "\xc2\xb0", 2) == 0)
		s += 2;
	blanks(&s);
	return *s == '\0';
}

/*
 * The limits of a requirement that reads as a nominal and a tolerance:
 * "6.0 ±0.1", "6.0 +/-0.1", "6.0 +0.1/-0.05", "6.0 +0.1 -0.05", after an
 * optional diameter or radius sign and before an optional unit.  Anything
 * else ("Ø6.2 H7", "break all edges") is text, checked by a person: 0.
 */
int vault_fai__tolerance(const char *req, double *lo, double *hi)
{
	const char *s = req;
	double nominal, plus, minus;

	blanks(&s);
	if (strncmp(s, "\xc3\x98", 2) == 0 || strncmp(s, "\xe2\x8c\x80", 3) == 0)
		s += (unsigned char)s[0] == 0xc3 ? 2 : 3;
	else if (*s == 'R')
		s++;
	if (!number(&s, &nominal))
		return 0;
	blanks(&s);
	if (strncmp(s, "\xc2\xb1", 2) == 0 || strncmp(s, "+/-", 3) == 0) {
		s += *s == '+' ? 3 : 2;
		blanks(&s);
		if (!number(&s, &plus) || plus < 0 || !unit_then_end(s))
			return 0;
		*lo = nominal - plus;
		*hi = nominal + plus;
		return 1;
	}
	if (*s != '+')
		return 0;
	s++;
	if (!number(&s, &plus) || plus < 0)
		return 0;
	blanks(&s);
	if (*s == '/')
		s++;
	blanks(&s);
	if (*s != '-')
		return 0;
	s++;
	if (!number(&s, &minus) || minus < 0 || !unit_then_end(s))
		return 0;
	*lo = nominal - minus;
	*hi = nominal + plus;
	return 1;
}

/* A result that is a number (with an optional unit); 0 for text. */
static int numeric_result(const char *result, double *value)
{
	const char *s = result;

	blanks(&s);
	return number(&s, value) && unit_then_end(s);
}

/* ---- the manifest ----------------------------------------------------- */

typedef struct {
	const char *number, *location, *designator, *requirement, *result;
	const char *tooling, *nonconformance, *comments;
} fai_char;

typedef struct {
	json_t *root;
	const char *fair, *part, *part_rev, *drawing, *drawing_rev, *org, *po;
	const char *kind, *baseline;
	const char *bad_field;     /* the Form 1 field a refusal is about, or NULL */
	int complete;
	const char *form3_csv;     /* member, or NULL when Form 3 is in fai.json */
	fai_char *chars;
	size_t nchars, nonconforming;
	const char **refs;         /* every member fai.json names */
	size_t nrefs;
	vault_strings keep;        /* strings of the Form 3 CSV */
} manifest;

static void manifest_dispose(manifest *m)
{
	json_decref(m->root);
	free(m->chars);
	free(m->refs);
	vault_strings__dispose(&m->keep);
	memset(m, 0, sizeof(*m));
}

static void add_ref(manifest *m, const char *name)
{
	if ((m->refs = realloc(m->refs, (m->nrefs + 1) * sizeof(char *))) == NULL)
		abort();
	m->refs[m->nrefs++] = name;
}

/* How many bytes of `s`, at most `max`, end at a character's boundary (for "%.*s"). */
static int utf8_prefix(const char *s, size_t max)
{
	size_t len = strnlen(s, max + 1);

	if (len <= max)
		return (int)len;
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return (int)len;
}

/* A text field: UTF-8 without control characters, bounded. */
static int text_ok(const char *where, const char *field, const char *value)
{
	char what[128];
	int error;

	if (!value)
		return 0;
	if ((error = vault__fmt(what, sizeof(what), "field name", "%s: '%s'", where, field)) < 0)
		return error;
	return vault_record__text_check(what, value, TEXT_MAX);
}

static int one_of(const char *where, const char *field, const char *value,
		  const char *const *allowed)
{
	size_t i;

	for (i = 0; allowed[i]; i++)
		if (strcmp(value, allowed[i]) == 0)
			return 0;
	return vault_error__set(VAULT_EINVALID, "%s: '%s' is '%.64s', not one of the allowed values",
				where, field, value);
}

/* Form 1's fields: each checked as a name, a text or a date when given. */
enum { FIELD_NAME, FIELD_TEXT, FIELD_DATE, FIELD_CHOICE, FIELD_LIST, FIELD_BOOL };
static const struct {
	const char *key;
	int kind, required;
} form1_fields[] = {
	{ "part_number", FIELD_NAME, 1 }, { "part_name", FIELD_TEXT, 1 },
	{ "serial_number", FIELD_TEXT, 0 }, { "fair_number", FIELD_NAME, 1 },
	{ "part_revision", FIELD_NAME, 1 }, { "drawing_number", FIELD_NAME, 1 },
	{ "drawing_revision", FIELD_NAME, 1 }, { "organization", FIELD_NAME, 1 },
	{ "supplier_code", FIELD_TEXT, 0 }, { "po_number", FIELD_NAME, 0 },
	{ "detail_or_assembly", FIELD_CHOICE, 1 }, { "fai_type", FIELD_CHOICE, 1 },
	{ "baseline_fair", FIELD_NAME, 0 }, { "reason", FIELD_TEXT, 0 },
	{ "subassemblies", FIELD_LIST, 0 }, { "complete", FIELD_BOOL, 1 },
	{ "signed_by", FIELD_TEXT, 1 }, { "signed_date", FIELD_DATE, 1 },
	{ "reviewed_by", FIELD_TEXT, 0 }, { "review_date", FIELD_DATE, 0 },
};
#define FORM1_FIELDS (sizeof(form1_fields) / sizeof(form1_fields[0]))

/* Form 1's field `f`, given as `value`: its type, then as a name, text, date or choice. */
static int form1_field_check(size_t f, const json_t *value)
{
	static const char *const kinds[] = { "detail", "assembly", NULL };
	static const char *const types[] = { "full", "partial", NULL };
	const char *key = form1_fields[f].key, *text = json_string_value(value);
	char what[96];
	const json_t *s;
	size_t i;
	int error;

	/* "fai.json: form1: '" and a key of the table: it fits */
	(void)vault__fmt(what, sizeof(what), "field name", "fai.json: form1: '%s'", key);
	switch (form1_fields[f].kind) {
	case FIELD_BOOL:
		return json_is_boolean(value) ? 0 :
			vault_error__set(VAULT_EINVALID, "%s is not true or false", what);
	case FIELD_LIST:
		if (!json_is_array(value))
			return vault_error__set(VAULT_EINVALID, "%s is not a list", what);
		json_array_foreach(value, i, s) {
			const char *pn, *fair;
			json_error_t jerr;

			if (json_unpack_ex((json_t *)s, &jerr, JSON_STRICT, "{s:s, s:s}",
					   "part_number", &pn, "fair_number", &fair) < 0)
				return vault_error__set(VAULT_EINVALID,
					"fai.json: form1: subassembly %zu: %s", i + 1, jerr.text);
			if ((error = vault_name_check("fai.json: form1: subassembly part", pn)) < 0 ||
			    (error = vault_name_check("fai.json: form1: subassembly FAIR", fair)) < 0)
				return error;
		}
		return 0;
	default:
		break;
	}
	if (!text)
		return vault_error__set(VAULT_EINVALID, "%s is not text", what);
	switch (form1_fields[f].kind) {
	case FIELD_NAME:
		return vault_name_check(what, text);
	case FIELD_DATE:
		return vault_record__date_check(what, text);
	case FIELD_CHOICE:
		return one_of("fai.json: form1", key, text,
			      strcmp(key, "fai_type") == 0 ? types : kinds);
	default:
		return text_ok("fai.json: form1", key, text);
	}
}

/*
 * Every field of Form 1 `f1` checked on its own: {field: the reason it is
 * refused, or null}, a required field missing and a field Form 1 does
 * not have among them.  `first` (if not NULL) gets the field whose
 * refusal comes first (the table's order, then the unknown fields).
 */
static json_t *form1_checks(const json_t *f1, const char **first)
{
	json_t *out = json_object(), *value;
	const char *key, *kind, *missing = NULL;
	size_t i;

	if (first)
		*first = NULL;
	for (i = 0; i < FORM1_FIELDS; i++) {
		key = form1_fields[i].key;
		if ((value = json_object_get(f1, key)) == NULL && !form1_fields[i].required)
			continue;
		if (!value)
			vault_error__set(VAULT_EINVALID, "fai.json: form1: '%s' is missing", key);
		json_object_set_new(out, key, !value || form1_field_check(i, value) < 0 ?
				    json_string(vault_error_message()) : json_null());
		if (first && !*first && !json_is_null(json_object_get(out, key)))
			*first = form1_fields[i].key;
	}
	/* a partial FAI names the one it is partial to, and why */
	kind = json_string_value(json_object_get(f1, "fai_type"));
	if (kind && strcmp(kind, "partial") == 0)
		missing = !json_object_get(f1, "baseline_fair") ? "baseline_fair" :
			!json_object_get(f1, "reason") ? "reason" : NULL;
	if (missing) {
		vault_error__set(VAULT_EINVALID,
			"fai.json: form1: a partial FAI names its 'baseline_fair' and its 'reason'");
		json_object_set_new(out, missing, json_string(vault_error_message()));
		if (first && !*first)
			*first = missing;
	}
	json_object_foreach((json_t *)f1, key, value) {
		for (i = 0; i < FORM1_FIELDS && strcmp(key, form1_fields[i].key) != 0; i++)
			;
		if (i < FORM1_FIELDS)
			continue;
		vault_error__set(VAULT_EINVALID, "fai.json: form1: '%.*s' is no field of Form 1",
				 utf8_prefix(key, 64), key);
		json_object_set_new(out, key, json_string(vault_error_message()));
		if (first && !*first)
			*first = key;
	}
	return out;
}

static int parse_form1(manifest *m, json_t *f1)
{
	const char *name, *serial = NULL, *code = NULL, *assembly, *reason = NULL;
	const char *signed_by, *signed_date, *reviewer = NULL, *review_date = NULL;
	json_t *subs = NULL, *checks;
	json_error_t jerr;
	int error = 0;

	if (!json_is_object(f1)) {
		m->bad_field = "form1";
		return vault_error__set(VAULT_EINVALID, "fai.json: 'form1' is not an object");
	}
	checks = form1_checks(f1, &m->bad_field);
	if (m->bad_field)
		error = vault_error__set(VAULT_EINVALID, "%s",
					 json_string_value(json_object_get(checks, m->bad_field)));
	json_decref(checks);
	if (error < 0)
		return error;
	/* every field checked: this takes them out */
	if (json_unpack_ex(f1, &jerr, JSON_STRICT,
			   "{s:s, s:s, s?:s, s:s, s:s, s:s, s:s, s:s, s?:s, s?:s, s:s, s:s, s?:s,"
			   " s?:s, s?:o, s:b, s:s, s:s, s?:s, s?:s}",
			   "part_number", &m->part, "part_name", &name, "serial_number", &serial,
			   "fair_number", &m->fair, "part_revision", &m->part_rev,
			   "drawing_number", &m->drawing, "drawing_revision", &m->drawing_rev,
			   "organization", &m->org, "supplier_code", &code, "po_number", &m->po,
			   "detail_or_assembly", &assembly, "fai_type", &m->kind,
			   "baseline_fair", &m->baseline, "reason", &reason,
			   "subassemblies", &subs, "complete", &m->complete,
			   "signed_by", &signed_by, "signed_date", &signed_date,
			   "reviewed_by", &reviewer, "review_date", &review_date) < 0)
		return vault_error__set(VAULT_EINVALID, "fai.json: form1: %s", jerr.text);
	return 0;
}

static int parse_form2(manifest *m, json_t *f2)
{
	static const char *const approvals[] = { "yes", "no", "n/a", NULL };
	json_error_t jerr;
	json_t *o;
	size_t i;
	int error;

	if (!json_is_array(f2))
		return vault_error__set(VAULT_EINVALID, "fai.json: 'form2' is not a list");
	json_array_foreach(f2, i, o) {
		const char *what, *spec, *code = NULL, *supplier = NULL, *approval = NULL;
		const char *cert = NULL, *file = NULL, *test = NULL, *report = NULL;
		char where[64];

		if ((error = vault__fmt(where, sizeof(where), "item name", "fai.json: form2 item %zu",
					i + 1)) < 0)
			return error;
		if (json_unpack_ex(o, &jerr, JSON_STRICT,
				   "{s:s, s:s, s?:s, s?:s, s?:s, s?:s, s?:s, s?:s, s?:s}",
				   "material_or_process", &what, "specification", &spec, "code", &code,
				   "supplier", &supplier, "customer_approval", &approval,
				   "certificate_number", &cert, "certificate_file", &file,
				   "functional_test_procedure", &test, "acceptance_report", &report) < 0)
			return vault_error__set(VAULT_EINVALID, "%s: %s", where, jerr.text);
		if ((error = text_ok(where, "material_or_process", what)) < 0 ||
		    (error = text_ok(where, "specification", spec)) < 0 ||
		    (error = text_ok(where, "code", code)) < 0 ||
		    (error = text_ok(where, "supplier", supplier)) < 0 ||
		    (error = text_ok(where, "certificate_number", cert)) < 0 ||
		    (error = text_ok(where, "functional_test_procedure", test)) < 0 ||
		    (error = text_ok(where, "acceptance_report", report)) < 0 ||
		    (approval && (error = one_of(where, "customer_approval", approval, approvals)) < 0))
			return error;
		if (file)
			add_ref(m, file);
	}
	return 0;
}

static fai_char *next_char(manifest *m)
{
	if ((m->chars = realloc(m->chars, (m->nchars + 1) * sizeof(fai_char))) == NULL)
		abort();
	memset(&m->chars[m->nchars], 0, sizeof(fai_char));
	return &m->chars[m->nchars++];
}

static int parse_form3_json(manifest *m, json_t *f3)
{
	json_error_t jerr;
	json_t *o, *num;
	size_t i;

	if (!json_is_array(f3))
		return vault_error__set(VAULT_EINVALID, "fai.json: 'form3' is not a list");
	json_array_foreach(f3, i, o) {
		fai_char *c = next_char(m);

		if (json_unpack_ex(o, &jerr, JSON_STRICT,
				   "{s:o, s?:s, s?:s, s:s, s?:s, s?:s, s?:s, s?:s}", "number", &num,
				   "location", &c->location, "designator", &c->designator,
				   "requirement", &c->requirement, "result", &c->result,
				   "tooling", &c->tooling, "nonconformance", &c->nonconformance,
				   "comments", &c->comments) < 0) {
			m->nchars--; /* a row half read is no characteristic */
			return vault_error__set(VAULT_EINVALID, "fai.json: form3 item %zu: %s", i + 1,
						jerr.text);
		}
		if (json_is_integer(num)) {
			char buf[32];

			if (vault__fmt(buf, sizeof(buf), "characteristic number", "%lld",
				       (long long)json_integer_value(num)) < 0)
				return VAULT_EINVALID;
			c->number = vault_strings__keep(&m->keep, buf, strlen(buf));
		} else if (json_is_string(num)) {
			c->number = json_string_value(num);
		} else {
			m->nchars--;
			return vault_error__set(VAULT_EINVALID,
				"fai.json: form3 item %zu: 'number' is not a number or text", i + 1);
		}
	}
	return 0;
}

static const char *const form3_columns[] = {
	"number", "location", "designator", "requirement", "result", "tooling",
	"nonconformance", "comments"
};

static int on_form3_row(void *payload, const char *const *f, size_t row)
{
	manifest *m = payload;
	fai_char *c = next_char(m);

	(void)row;
	c->number = f[0];
	c->location = f[1];
	c->designator = f[2];
	c->requirement = f[3];
	c->result = f[4];
	c->tooling = f[5];
	c->nonconformance = f[6];
	c->comments = f[7];
	return 0;
}

/*
 * Characteristic `i` of Form 3: numbered once, its texts sound, a
 * requirement and a result, within tolerance or naming a nonconformance
 * (counted in m->nonconforming).
 */
static int check_char(manifest *m, size_t i)
{
	static const char *const designators[] = { "", "key", "critical", NULL };
	fai_char *c = &m->chars[i];
	char where[96];
	double lo, hi, value;
	size_t k;
	int error;

	if (!c->number || !*c->number)
		return vault_error__set(VAULT_EINVALID, "Form 3 row %zu has no characteristic number",
					i + 1);
	/* the start of the number names the row in a message */
	if ((error = vault__fmt(where, sizeof(where), "characteristic", "characteristic %.*s",
				utf8_prefix(c->number, 32), c->number)) < 0)
		return error;
	for (k = 0; k < i; k++)
		if (strcmp(m->chars[k].number, c->number) == 0)
			return vault_error__set(VAULT_EINVALID, "%s is listed twice", where);
	if ((error = text_ok(where, "number", c->number)) < 0 ||
	    (error = text_ok(where, "location", c->location)) < 0 ||
	    (error = text_ok(where, "requirement", c->requirement)) < 0 ||
	    (error = text_ok(where, "result", c->result)) < 0 ||
	    (error = text_ok(where, "tooling", c->tooling)) < 0 ||
	    (error = text_ok(where, "nonconformance", c->nonconformance)) < 0 ||
	    (error = text_ok(where, "comments", c->comments)) < 0 ||
	    (c->designator && (error = one_of(where, "designator", c->designator, designators)) < 0))
		return error;
	if (!c->requirement || !*c->requirement)
		return vault_error__set(VAULT_EINVALID, "%s has no requirement", where);
	if (!c->result || !*c->result)
		return vault_error__set(VAULT_EINVALID, "%s (%.*s) has no result", where,
					utf8_prefix(c->requirement, 64), c->requirement);
	if (vault_fai__tolerance(c->requirement, &lo, &hi) && numeric_result(c->result, &value) &&
	    (value < lo - 1e-9 || value > hi + 1e-9)) {
		if (!c->nonconformance || !*c->nonconformance)
			return vault_error__set(VAULT_EINVALID,
				"%s: result %.*s is outside %.*s (%g to %g) and names no"
				" nonconformance", where, utf8_prefix(c->result, 32), c->result,
				utf8_prefix(c->requirement, 64), c->requirement, lo, hi);
		m->nonconforming++;
	}
	return 0;
}

/* Every characteristic checked; the first wrong one refuses the package. */
static int check_form3(manifest *m)
{
	size_t i;
	int error;

	if (m->nchars == 0)
		return vault_error__set(VAULT_EINVALID, "fai.json: Form 3 lists no characteristics");
	for (i = 0; i < m->nchars; i++)
		if ((error = check_char(m, i)) < 0)
			return error;
	return 0;
}

static int parse_manifest(manifest *m, const char *data, size_t len)
{
	json_t *f1 = NULL, *f2 = NULL, *f3 = NULL, *att = NULL, *a;
	json_error_t jerr;
	int format, error;
	size_t i;

	memset(m, 0, sizeof(*m));
	if ((m->root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return vault_error__set(VAULT_EINVALID, "fai.json: line %d: %s", jerr.line, jerr.text);
	if (json_unpack_ex(m->root, &jerr, JSON_STRICT, "{s:i, s:o, s?:o, s?:o, s?:s, s?:o}",
			   "format", &format, "form1", &f1, "form2", &f2, "form3", &f3,
			   "form3_csv", &m->form3_csv, "attachments", &att) < 0)
		return vault_error__set(VAULT_EINVALID, "fai.json: %s", jerr.text);
	if (format != 1)
		return vault_error__set(VAULT_EINVALID, "fai.json: format %d is not 1", format);
	if (!!f3 == !!m->form3_csv)
		return vault_error__set(VAULT_EINVALID,
			"fai.json: give Form 3 either as 'form3' or as 'form3_csv', one of them");
	add_ref(m, MANIFEST);
	if ((error = parse_form1(m, f1)) < 0 || (f2 && (error = parse_form2(m, f2)) < 0) ||
	    (f3 && (error = parse_form3_json(m, f3)) < 0))
		return error;
	if (m->form3_csv)
		add_ref(m, m->form3_csv);
	if (att && !json_is_array(att))
		return vault_error__set(VAULT_EINVALID, "fai.json: 'attachments' is not a list");
	json_array_foreach(att, i, a) {
		if (!json_is_string(a))
			return vault_error__set(VAULT_EINVALID,
				"fai.json: attachment %zu is not a file name", i + 1);
		add_ref(m, json_string_value(a));
	}
	return 0;
}

/* Form 3 from its CSV member, when the package gives it so. */
static int read_form3(manifest *m, vault_pkg *p)
{
	const vault_pkg_entry *e;
	char *data;
	size_t len;
	int error;

	if (m->form3_csv) {
		if ((e = vault_pkg__find(p, m->form3_csv)) == NULL || e->folder)
			return vault_error__set(VAULT_EINVALID,
				"fai.json names '%.128s', which the package does not hold", m->form3_csv);
		if ((error = vault_pkg__slurp(&data, &len, p, e, FORM3_CSV_MAX)) < 0)
			return error;
		vault_strings__own(&m->keep, data);
		if ((error = vault_input__csv(&m->keep, data, len, form3_columns, 8, 3, 0, on_form3_row,
					      m)) < 0)
			return vault_error__set(error, "%s: %s", m->form3_csv, vault_error_message());
	}
	return 0;
}

/* fai.json names every member, and every name is a member. */
static int check_refs(const manifest *m, const vault_pkg *p)
{
	size_t i, k;
	int error;

	for (i = 0; i < m->nrefs; i++) {
		const vault_pkg_entry *e = vault_pkg__find(p, m->refs[i]);

		if ((error = vault_record__member_path_check(m->refs[i])) < 0)
			return vault_error__set(error, "fai.json names a bad file: %s",
						vault_error_message());
		if (!e || e->folder)
			return vault_error__set(VAULT_EINVALID,
				"fai.json names '%.128s', which the package does not hold", m->refs[i]);
	}
	for (k = 0; k < p->count; k++) {
		if (p->entries[k].folder)
			continue;
		for (i = 0; i < m->nrefs && strcmp(m->refs[i], p->entries[k].name) != 0; i++)
			;
		if (i == m->nrefs)
			return vault_error__set(VAULT_EINVALID,
				"the package holds '%.128s', which fai.json does not name",
				p->entries[k].name);
	}
	return 0;
}

int vault_fai__check_manifest(const char *data, size_t len, const char *csv, size_t csv_len)
{
	manifest m;
	char *copy = NULL;
	int error;

	if ((error = parse_manifest(&m, data, len)) == 0 && m.form3_csv && csv) {
		if ((copy = malloc(csv_len + 1)) == NULL)
			abort();
		memcpy(copy, csv, csv_len);
		copy[csv_len] = '\0';
		error = vault_input__csv(&m.keep, copy, csv_len, form3_columns, 8, 3, 0, on_form3_row, &m);
	}
	if (error == 0 && (!m.form3_csv || csv))
		error = check_form3(&m);
	manifest_dispose(&m);
	free(copy);
	return error;
}

/* ---- storing ---------------------------------------------------------- */

typedef struct {
	vault *v;
	const vault_config *cfg;
	const vault_pkg_entry *e;
	git_odb_stream *stream;
	EVP_MD_CTX *sha;
	char mime[128];
	int pdf_fd; /* a PDF's copy for the PDF check (pdf.h), or -1 */
} member_ctx;

/* All of buf to fd. */
static int write_all(int fd, const unsigned char *buf, size_t len, const char *name)
{
	while (len) {
		ssize_t k = write(fd, buf, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return vault_error__errno(VAULT_ERROR, "cannot copy '%s' to check it", name);
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

static int member_chunk(void *payload, const unsigned char *buf, size_t len, int first)
{
	member_ctx *c = payload;

	if (first) {
		vault_detect *d;
		const char *mime;
		int error;

		if ((error = vault__detector(&d, c->v)) < 0 ||
		    (error = vault_detect__buffer(&mime, d, buf, len)) < 0)
			return error;
		if ((error = vault__fmt(c->mime, sizeof(c->mime), "MIME type", "%s", mime)) < 0)
			return error;
		if (strcmp(mime, "application/zip") == 0 || strcmp(mime, "application/x-7z-compressed") == 0 ||
		    strcmp(mime, "application/gzip") == 0 || strcmp(mime, "application/x-tar") == 0)
			return vault_error__set(VAULT_EINVALID,
				"entry '%s' is itself an archive (%s): packages are not nested",
				c->e->name, mime);
		if (vault_config__check(c->cfg, "fai-member", mime, c->e->name) < 0)
			return vault_error__set(VAULT_EINVALID,
				"entry '%s' is %s, which an FAI package may not hold", c->e->name, mime);
		if (vault_pdf__opens_as_pdf(mime, buf, len) &&
		    (c->pdf_fd = memfd_create("qvault-pdf", MFD_CLOEXEC)) < 0)
			return vault_error__errno(VAULT_ERROR, "cannot copy '%s' to check it",
						  c->e->name);
	}
	if (c->pdf_fd >= 0) {
		int error = write_all(c->pdf_fd, buf, len, c->e->name);

		if (error < 0)
			return error;
	}
	if (!EVP_DigestUpdate(c->sha, buf, len))
		return vault_error__ssl(VAULT_ERROR, "cannot hash '%s'", c->e->name);
	if (git_odb_stream_write(c->stream, (const char *)buf, len) < 0)
		return vault_error__git(VAULT_ERROR, "cannot store '%s'", c->e->name);
	return 0;
}

/* Store member `e` as a blob; fill `f`. */
static int store_member(vault_file *f, git_oid *blob, vault *v, const vault_config *cfg,
			vault_pkg *p, const vault_pkg_entry *e)
{
	member_ctx c;
	unsigned char md[32];
	char *findings = NULL;
	int error;

	if (e->size == 0)
		return vault_error__set(VAULT_EINVALID, "entry '%s' is empty", e->name);
	memset(&c, 0, sizeof(c));
	c.v = v;
	c.cfg = cfg;
	c.e = e;
	c.pdf_fd = -1;
	if ((error = vault_store__blob_stream(&c.stream, v->store, e->size)) < 0)
		return error;
	if ((c.sha = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(c.sha, EVP_sha256(), NULL))
		abort();
	error = vault_pkg__read(p, e, member_chunk, &c);
	/* a PDF member is held to the policy for "fai-member" */
	if (error == 0 && c.pdf_fd >= 0)
		error = vault_pdf__check(&findings, cfg->pdf, "fai-member", e->name, c.pdf_fd);
	if (error == 0 && git_odb_stream_finalize_write(blob, c.stream) < 0)
		error = vault_error__git(VAULT_ERROR, "cannot store '%s'", e->name);
	if (error == 0) {
		EVP_DigestFinal_ex(c.sha, md, NULL);
		f->name = vault__strdup(e->name);
		f->mime = vault__strdup(c.mime);
		f->findings = findings;
		findings = NULL;
		f->size = e->size;
		vault__hex(f->sha256, md, sizeof(md));
		git_oid_tostr(f->blob, sizeof(f->blob), blob);
	}
	EVP_MD_CTX_free(c.sha);
	git_odb_stream_free(c.stream);
	if (c.pdf_fd >= 0)
		close(c.pdf_fd);
	free(findings);
	return error;
}

/* The SHA-256 of the whole archive, as the supplier sent it. */
static int archive_sha256(char hex[65], int fd)
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	unsigned char *buf = malloc(1 << 20), md[32];
	uint64_t off = 0;
	ssize_t n;

	if (!sha || !buf || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL))
		abort();
	while ((n = pread(fd, buf, 1 << 20, (off_t)off)) > 0) {
		EVP_DigestUpdate(sha, buf, (size_t)n);
		off += (uint64_t)n;
	}
	EVP_DigestFinal_ex(sha, md, NULL);
	EVP_MD_CTX_free(sha);
	free(buf);
	if (n < 0)
		return vault_error__errno(VAULT_ERROR, "cannot read the package");
	vault__hex(hex, md, sizeof(md));
	return 0;
}

/* package.json: the archive as it came, and what the FAI covers. */
static int package_record(char **json, size_t *len, const vault_pkg *p, const manifest *m,
			  const char *sha, const char *po, const char *lot)
{
	json_t *entries = json_array(), *root;
	size_t i;

	for (i = 0; i < p->count; i++) {
		const vault_pkg_entry *e = &p->entries[i];
		char crc[9];

		if (vault__fmt(crc, sizeof(crc), "CRC-32", "%08x", (unsigned)(e->crc32 & 0xffffffffu)) < 0)
			return VAULT_EINVALID;
		json_array_append_new(entries, json_pack("{s:s, s:I, s:I, s:s, s:s}", "name", e->name,
			"size", (json_int_t)e->size, "stored", (json_int_t)e->stored,
			"method", e->method ? "deflate" : "stored", "crc32", crc));
	}
	root = json_pack("{s:s, s:i, s:{s:s, s:I, s:o}, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b,"
			 " s:I, s:I}}", "record", "package", "format", 1,
			 "archive", "sha256", sha, "size", (json_int_t)p->size, "entries", entries,
			 "fai", "fair", m->fair, "part", m->part, "part_revision", m->part_rev,
			 "drawing", m->drawing, "drawing_revision", m->drawing_rev,
			 "fai_type", m->kind, "complete", m->complete,
			 "characteristics", (json_int_t)m->nchars,
			 "nonconforming", (json_int_t)m->nonconforming);
	if (root && po)
		json_object_set_new(json_object_get(root, "fai"), "po", json_string(po));
	if (root && lot)
		json_object_set_new(json_object_get(root, "fai"), "lot", json_string(lot));
	return vault_record__dump(json, len, root);
}

static int fai_add(vault_revision *rec, vault *v, vault_pkg *p, manifest *m, const char *po,
		   const char *lot)
{
	vault_enc er;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], rev[64], sha[65];
	char *json = NULL;
	vault_buf message = VAULT_BUF_INIT;
	const char *parts[1];
	git_oid record;
	vault_revision drawing;
	vault_txn t;
	size_t len, i, n = 0;
	unsigned seq;
	int error;

	if ((error = archive_sha256(sha, p->fd)) < 0 || (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if (!(t.actor.roles & VAULT_ROLE_QUALITY) &&
	    !((t.actor.roles & VAULT_ROLE_SUPPLIER) && strcmp(t.actor.org, m->org) == 0)) {
		error = vault_error__set(VAULT_EDENIED,
			"user '%s' of '%s' may not submit an FAI for '%s'", t.actor.name, t.actor.org,
			m->org);
		goto done;
	}
	/* the drawing revision, as the submitter sees the vault (a supplier: what was released to it) */
	if (vault_doc_get(&drawing, v, m->drawing, m->drawing_rev) < 0) {
		error = vault_error__set(VAULT_ENOTFOUND,
			"fai.json: form1: drawing '%s@%s' is not in the vault", m->drawing, m->drawing_rev);
		goto done;
	}
	vault_revision_dispose(&drawing);
	if ((error = vault_doc__plan(rev, sizeof(rev), &seq, v, t.root, &t.actor, m->fair, "fai")) < 0 ||
	    (error = vault__txn_batch(&t, v)) < 0)
		goto done;
	memset(rec, 0, sizeof(*rec));
	if ((rec->files = calloc(p->count, sizeof(vault_file))) == NULL)
		abort();
	vault_record__doc_dir(dir, sizeof(dir), m->fair);
	for (i = 0; i < p->count; i++) {
		git_oid blob;

		vault__progress(&v->progress, "Storing members", i, p->count);
		if (p->entries[i].folder)
			continue;
		if ((error = store_member(&rec->files[n], &blob, v, &t.cfg, p, &p->entries[i])) < 0)
			goto done;
		rec->nfiles = ++n;
		if ((error = vault__fmt(path, sizeof(path), "path", "%s/%s/" VAULT_FILES_DIR "/%s",
					dir, vault_record__enc(&er, rev), p->entries[i].name)) < 0)
			goto done;
		vault__txn_put(&t, path, &blob);
	}
	vault__progress_end(&v->progress, "Storing members", p->count, p->count);
	parts[0] = m->part;
	rec->doc = vault__strdup(m->fair);
	rec->rev = vault__strdup(rev);
	rec->type = vault__strdup("fai");
	if ((error = vault_buf__addf(&message, "FAI of %s at %s@%s", m->part, m->drawing,
				     m->drawing_rev)) < 0)
		goto done;
	rec->title = vault_buf__detach(&message);
	rec->seq = seq;
	rec->added_by = vault__strdup(t.actor.name);
	rec->org = vault__strdup(t.actor.org);
	rec->added_at = t.now;
	if ((rec->parts = calloc(1, sizeof(char *))) == NULL)
		abort();
	rec->parts[0] = vault__strdup(parts[0]);
	rec->nparts = 1;
	if ((error = vault_record__revision_dump(&json, &len, rec)) < 0 ||
	    (error = vault_store__write_buf(&record, v->store, json, len)) < 0)
		goto done;
	if ((error = vault_record__rev_file(path, sizeof(path), dir, rev, VAULT_RECORD_FILE)) < 0)
		goto done;
	vault__txn_put(&t, path, &record);
	free(json);
	json = NULL;
	if (!po)
		po = m->po;
	if ((error = package_record(&json, &len, p, m, sha, po, lot)) < 0)
		goto done;
	if ((error = vault_record__rev_file(path, sizeof(path), dir, rev, VAULT_PACKAGE_FILE)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (po && (error = vault_link__put(&t, v, m->fair, rev, VAULT_LINK_PO, po)) < 0) ||
	    (lot && (error = vault_link__put(&t, v, m->fair, rev, VAULT_LINK_LOT, lot)) < 0))
		goto done;
	if ((error = vault_buf__addf(&message,
		 "fai add %s@%s: %s at %s@%s\n\nQvault-Op: fai-add\nQvault-Doc: %s\nQvault-Rev: %s\n",
		 m->fair, rev, m->part, m->drawing, m->drawing_rev, m->fair, rev)) < 0)
		goto done;
	/* the index reads the commit back: it has links, not only a revision */
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	free(json);
	vault__txn_end(&t, v);
	return error;
}

int vault_fai_add(vault_revision *out, vault *v, const char *package, const char *po,
		  const char *lot)
{
	vault_revision rec;
	vault_pkg p;
	manifest m;
	const vault_pkg_entry *e;
	char *data = NULL, key[VAULT_NAME_MAX + 32];
	uint64_t limit;
	size_t len;
	int error;

	memset(&rec, 0, sizeof(rec));
	memset(&m, 0, sizeof(m));
	if ((po && (error = vault_name_check("PO number", po)) < 0) ||
	    (lot && (error = vault_name_check("lot", lot)) < 0) ||
	    (error = vault__upload_limit(&limit, key, sizeof(key), v, "fai")) < 0)
		return error;
	/* the archive's structure first: the message names the real problem */
	if ((error = vault_pkg__open(&p, package, limit, key)) < 0)
		return vault_error__set(error, "'%s': %s", package, vault_error_message());
	if ((e = vault_pkg__find(&p, MANIFEST)) == NULL || e->folder)
		error = vault_error__set(VAULT_EINVALID, "the package has no " MANIFEST);
	else if ((error = vault_pkg__slurp(&data, &len, &p, e, MANIFEST_MAX)) == 0 &&
		 (error = parse_manifest(&m, data, len)) == 0 &&
		 (error = check_refs(&m, &p)) == 0 && (error = read_form3(&m, &p)) == 0 &&
		 (error = check_form3(&m)) == 0)
		error = fai_add(&rec, v, &p, &m, po, lot);
	if (error < 0)
		error = vault_error__set(error, "'%s': %s", package, vault_error_message());
	if (error == 0 && out)
		*out = rec;
	else
		vault_revision_dispose(&rec);
	manifest_dispose(&m);
	free(data);
	vault_pkg__close(&p);
	return error;
}

/* ---- checking without recording --------------------------------------- */

static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Whether characteristic `c`'s result is within its requirement: true, false, or null (a text). */
static json_t *conforms_of(const fai_char *c)
{
	double lo, hi, value;

	if (c->requirement && c->result && vault_fai__tolerance(c->requirement, &lo, &hi) &&
	    numeric_result(c->result, &value))
		return json_boolean(value >= lo - 1e-9 && value <= hi + 1e-9);
	return json_null();
}

/* The message of refusal `error` (the last one set), or null when `error` is none. */
static json_t *check_message(int error)
{
	return error < 0 ? json_string(vault_error_message()) : json_null();
}

/*
 * Form 3 of a manifest whose Form 1 was refused before Form 3 was read
 * (parse_manifest stops at the first refusal): read now, so that each
 * characteristic still gets its check.
 */
static int read_form3_anyway(manifest *m, vault_pkg *p)
{
	json_t *f3 = json_object_get(m->root, "form3");

	if (f3)
		return parse_form3_json(m, f3);
	return m->form3_csv ? read_form3(m, p) : 0;
}

int vault_fai_check(char **out, vault *v, const char *package)
{
	vault_pkg p;
	manifest m;
	const vault_pkg_entry *e;
	json_t *root, *chars = json_array(), *first = json_null(), *f1, *f1_checks = json_null();
	const char *field = NULL;
	char *data = NULL, key[VAULT_NAME_MAX + 32];
	uint64_t limit;
	size_t len, i;
	int error, opened = 0;

	*out = NULL;
	memset(&m, 0, sizeof(m));
	if ((error = vault__upload_limit(&limit, key, sizeof(key), v, "fai")) < 0) {
		json_decref(chars);
		return error;
	}
	if ((error = vault_pkg__open(&p, package, limit, key)) < 0) {
		first = check_message(error);
		field = "file";
		goto answer;
	}
	opened = 1;
	if ((e = vault_pkg__find(&p, MANIFEST)) == NULL || e->folder)
		error = vault_error__set(VAULT_EINVALID, "the package has no " MANIFEST);
	else if ((error = vault_pkg__slurp(&data, &len, &p, e, MANIFEST_MAX)) == 0 &&
		 (error = parse_manifest(&m, data, len)) == 0 && (error = check_refs(&m, &p)) == 0)
		error = read_form3(&m, &p);
	if (error < 0) {
		first = check_message(error);
		field = m.bad_field ? m.bad_field : m.nchars ? "form3" : "file";
		/* a refused Form 1 stopped the reading before Form 3: read what of it reads */
		if (m.bad_field)
			(void)read_form3_anyway(&m, &p);
	} else if (m.nchars == 0) {
		first = check_message(check_form3(&m));
		field = "form3";
	}
	f1 = json_object_get(m.root, "form1");
	if (json_is_object(f1)) {
		json_decref(f1_checks);
		f1_checks = form1_checks(f1, NULL);
	}
	/* every characteristic its own check, so that the page can show each one's */
	for (i = 0; i < m.nchars; i++) {
		const fai_char *c = &m.chars[i];
		json_t *why = check_message(check_char(&m, i));

		if (json_is_null(first) && !json_is_null(why)) {
			first = json_incref(why);
			field = "form3";
		}
		json_array_append_new(chars, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"number", opt_str(c->number), "requirement", opt_str(c->requirement),
			"result", opt_str(c->result), "nonconformance", opt_str(c->nonconformance),
			"designator", opt_str(c->designator), "conforms", conforms_of(c), "error", why));
	}
answer:
	if (opened)
		vault_pkg__close(&p);
	f1 = json_object_get(m.root, "form1");
	root = json_pack("{s:o, s:o, s:O, s:o, s:o}", "error", first, "field", opt_str(field),
			 "form1", json_is_object(f1) ? f1 : json_null(), "form1_checks", f1_checks,
			 "form3", chars);
	if (!root || (*out = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT)) == NULL)
		error = vault_error__set(VAULT_ERROR, "cannot write the FAI package's checks");
	else
		error = 0;
	json_decref(root);
	manifest_dispose(&m);
	free(data);
	return error;
}

/* ---- reading ---------------------------------------------------------- */

/* The stored file `name` of revision `r`, whole, NUL-terminated. */
static int read_file(char **data, size_t *len, vault *v, const vault_revision *r,
		     const char *name, size_t max)
{
	vault_buf g = { NULL, 0, max, 0 };
	git_oid id;
	size_t i;
	int error;

	*data = NULL;
	for (i = 0; i < r->nfiles && strcmp(r->files[i].name, name) != 0; i++)
		;
	if (i == r->nfiles)
		return vault_error__set(VAULT_EVERIFY, "'%s@%s' has no file '%s'", r->doc, r->rev, name);
	if (git_oid_fromstr(&id, r->files[i].blob) < 0)
		return vault_error__set(VAULT_EVERIFY, "'%s@%s': a bad blob id", r->doc, r->rev);
	if ((error = vault_store__read_blob(v->store, &id, vault_buf__append, &g)) < 0) {
		free(g.data);
		return error;
	}
	if (!g.data && (g.data = calloc(1, 1)) == NULL)
		abort();
	*data = g.data;
	*len = g.len;
	return 0;
}

int vault_fai_show(char **out, vault *v, const char *fair, const char *rev)
{
	vault_revision r;
	manifest m;
	json_t *root = NULL, *chars, *files;
	char *data = NULL, *csv = NULL, when[VAULT_TIME_SIZE];
	size_t len = 0, i;
	int error;

	*out = NULL;
	memset(&m, 0, sizeof(m));
	if ((error = vault_name_check("FAIR number", fair)) < 0 ||
	    (error = vault_doc_get(&r, v, fair, rev)) < 0)
		return error;
	if (strcmp(r.type, "fai") != 0) {
		error = vault_error__set(VAULT_EINVALID, "'%s' is %s %s, not an FAI", fair,
					 vault_record__a(r.type), r.type);
		goto done;
	}
	if ((error = read_file(&data, &len, v, &r, MANIFEST, MANIFEST_MAX)) < 0 ||
	    (error = parse_manifest(&m, data, len)) < 0)
		goto done;
	if (m.form3_csv) {
		if ((error = read_file(&csv, &len, v, &r, m.form3_csv, FORM3_CSV_MAX)) < 0 ||
		    (error = vault_input__csv(&m.keep, csv, len, form3_columns, 8, 3, 0, on_form3_row,
					      &m)) < 0)
			goto done;
	}
	chars = json_array();
	for (i = 0; i < m.nchars; i++) {
		const fai_char *c = &m.chars[i];
		json_t *conforms = conforms_of(c);

		/* counted here, as check_char counts them on the way in */
		if (json_is_false(conforms))
			m.nonconforming++;
		json_array_append_new(chars, json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o}",
			"number", c->number, "location", opt_str(c->location),
			"designator", opt_str(c->designator), "requirement", c->requirement,
			"result", c->result, "tooling", opt_str(c->tooling),
			"nonconformance", opt_str(c->nonconformance),
			"comments", opt_str(c->comments), "conforms", conforms));
	}
	files = json_array();
	for (i = 0; i < r.nfiles; i++)
		json_array_append_new(files, json_pack("{s:s, s:s, s:I, s:s}", "name", r.files[i].name,
			"type", r.files[i].mime, "size", (json_int_t)r.files[i].size,
			"sha256", r.files[i].sha256));
	vault_time_format(when, sizeof(when), r.added_at);
	root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:o, s:o, s:I}",
		"fair", r.doc, "rev", r.rev, "added_by", r.added_by, "added_at", when,
		"commit", r.commit,
		"form1", json_object_get(m.root, "form1"),
		"form2", json_object_get(m.root, "form2") ? json_incref(json_object_get(m.root, "form2")) :
		json_array(),
		"form3", chars, "files", files, "nonconforming", (json_int_t)m.nonconforming);
	if (!root || (*out = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
		error = vault_error__set(VAULT_ERROR, "cannot write the FAI");
done:
	json_decref(root);
	manifest_dispose(&m);
	free(data);
	free(csv);
	vault_revision_dispose(&r);
	return error;
}

/* ---- packing ---------------------------------------------------------- */

typedef struct {
	char **names;   /* relative to the folder */
	size_t n, cap;
} listing;

static int list_folder(listing *l, const char *root, const char *rel)
{
	char path[4096];
	struct dirent *d;
	DIR *dir;
	int error = 0;

	if ((error = vault__fmt(path, sizeof(path), "path", "%s%s%s", root, *rel ? "/" : "",
				rel)) < 0)
		return error;
	if ((dir = opendir(path)) == NULL)
		return vault_error__errno(errno == ENOENT ? VAULT_ENOTFOUND : VAULT_ERROR,
					  "cannot read folder '%s'", path);
	while (!error && (d = readdir(dir)) != NULL) {
		char sub[4096];
		struct stat st;

		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (vault__fmt(sub, sizeof(sub), "path", "%s%s%s", rel, *rel ? "/" : "",
			       d->d_name) < 0 ||
		    vault__fmt(path, sizeof(path), "path", "%s/%s", root, sub) < 0) {
			error = vault_error__set(VAULT_EINVALID, "a path in '%s' is too long", root);
		} else if (lstat(path, &st) < 0) {
			error = vault_error__errno(VAULT_ERROR, "cannot read '%s'", path);
		} else if (S_ISDIR(st.st_mode)) {
			error = list_folder(l, root, sub);
		} else if (!S_ISREG(st.st_mode)) {
			error = vault_error__set(VAULT_EINVALID,
				"'%s' is not a regular file: a package holds files only", sub);
		} else {
			if (l->n == l->cap) {
				l->cap = l->cap ? 2 * l->cap : 16;
				if ((l->names = realloc(l->names, l->cap * sizeof(char *))) == NULL)
					abort();
			}
			l->names[l->n++] = vault__strdup(sub);
		}
	}
	closedir(dir);
	return error;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int read_whole(char **data, size_t *len, const char *path, size_t max)
{
	struct stat st;
	int error;

	if (stat(path, &st) == 0 && (uint64_t)st.st_size > max)
		return vault_error__set(VAULT_EINVALID, "'%s' is over %zu bytes", path, max);
	if ((error = vault_input__read(data, len, NULL, path)) < 0)
		return error;
	return 0;
}

/* Check the folder as `fai add` would check the package's manifest. */
static int check_folder(const char *dir, listing *l)
{
	vault_pkg fake;
	manifest m;
	char path[4096], *data = NULL, *csv = NULL;
	size_t len = 0, i;
	int error;

	memset(&fake, 0, sizeof(fake));
	if ((fake.entries = calloc(l->n + 1, sizeof(vault_pkg_entry))) == NULL)
		abort();
	for (i = 0; i < l->n; i++)
		fake.entries[i].name = l->names[i];
	fake.count = l->n;
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" MANIFEST, dir)) < 0 ||
	    (error = read_whole(&data, &len, path, MANIFEST_MAX)) < 0) {
		free(fake.entries);
		return error == VAULT_ENOTFOUND ?
			vault_error__set(error, "the folder has no " MANIFEST) : error;
	}
	if ((error = parse_manifest(&m, data, len)) == 0 && (error = check_refs(&m, &fake)) == 0) {
		if (m.form3_csv) {
			if ((error = vault__fmt(path, sizeof(path), "path", "%s/%s", dir,
						m.form3_csv)) == 0 &&
			    (error = read_whole(&csv, &len, path, FORM3_CSV_MAX)) == 0 &&
			    (error = vault_input__csv(&m.keep, csv, len, form3_columns, 8, 3, 0,
						      on_form3_row, &m)) < 0)
				error = vault_error__set(error, "%s: %s", m.form3_csv, vault_error_message());
		}
		if (error == 0)
			error = check_form3(&m);
	}
	manifest_dispose(&m);
	free(data);
	free(csv);
	free(fake.entries);
	return error;
}

int vault_fai_pack(const char *dir, const char *out)
{
	listing l = { NULL, 0, 0 };
	vault_zipw *za = NULL;
	int error;
	size_t i;

	if ((error = list_folder(&l, dir, "")) < 0)
		goto done;
	if (l.n)
		qsort(l.names, l.n, sizeof(char *), cmp_str);
	if ((error = check_folder(dir, &l)) < 0)
		goto done;
	if ((error = vault_zipw__open(&za, out)) < 0)
		goto done;
	for (i = 0; i < l.n && !error; i++) {
		char path[4096];

		if ((error = vault__fmt(path, sizeof(path), "path", "%s/%s", dir, l.names[i])) == 0)
			error = vault_zipw__add_file(za, l.names[i], path);
	}
	if (!error)
		error = vault_zipw__close(za);
	else
		vault_zipw__discard(za);
	za = NULL;
done:
	vault_zipw__discard(za);
	for (i = 0; i < l.n; i++)
		free(l.names[i]);
	free(l.names);
	return error;
}

/* ---- checking a change ------------------------------------------------ */

static int crc_chunk(void *payload, const unsigned char *buf, size_t len, int first)
{
	(void)first;
	*(uLong *)payload = crc32(*(uLong *)payload, buf, (uInt)len);
	return 0;
}

/*
 * The stored manifest of the FAI whose revision folder is `dir` (recorded
 * as `r`), checked as `fai add` checks it: its members are the record's
 * files, Form 3 (from its CSV member, if it names one) counted.
 */
static int stored_manifest(manifest *m, char **keep, const vault_change_ctx *c, const char *dir,
			   const vault_revision *r)
{
	vault_pkg fake;
	char path[VAULT_PATH_MAX * 3], *data = NULL, *csv = NULL;
	size_t len, i;
	int error;

	memset(m, 0, sizeof(*m));
	memset(&fake, 0, sizeof(fake));
	*keep = NULL;
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_FILES_DIR "/" MANIFEST,
				dir)) < 0)
		return error;
	for (i = 0; i < r->nfiles && strcmp(r->files[i].name, MANIFEST) != 0; i++)
		;
	if (i == r->nfiles || r->files[i].size > MANIFEST_MAX ||
	    vault_store__read_path(&data, &len, c->store, c->tree, path) < 0)
		return vault_error__set(VAULT_EINVALID, "the FAI has no " MANIFEST);
	*keep = data;
	if ((fake.entries = calloc(r->nfiles + 1, sizeof(vault_pkg_entry))) == NULL)
		abort();
	for (i = 0; i < r->nfiles; i++)
		fake.entries[i].name = r->files[i].name;
	fake.count = r->nfiles;
	if ((error = parse_manifest(m, data, len)) < 0 || (error = check_refs(m, &fake)) < 0)
		goto done;
	if (m->form3_csv) {
		if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_FILES_DIR "/%s", dir,
					m->form3_csv)) < 0 ||
		    (error = vault_store__read_path(&csv, &len, c->store, c->tree, path)) < 0)
			goto done;
		vault_strings__own(&m->keep, csv);
		if ((error = vault_input__csv(&m->keep, csv, len, form3_columns, 8, 3, 0, on_form3_row,
					      m)) < 0) {
			error = vault_error__set(error, "%s: %s", m->form3_csv, vault_error_message());
			goto done;
		}
	}
	error = check_form3(m);
done:
	free(fake.entries);
	return error;
}

/* The archive's entries against the stored members: names, sizes, CRC-32s. */
static void check_entries(const vault_change_ctx *c, const char *path, const char *dir,
			  const vault_revision *r, json_t *entries)
{
	size_t i, files = 0;
	json_t *e;

	json_array_foreach(entries, i, e) {
		const char *name = vault_rules__str(e, "name"), *crc = vault_rules__str(e, "crc32");
		char member[VAULT_PATH_MAX * 3], hex[9];
		git_tree_entry *te = NULL;
		uLong sum = crc32(0L, Z_NULL, 0);
		size_t k;

		if (*name && name[strlen(name) - 1] == '/')
			continue;
		files++;
		for (k = 0; k < r->nfiles && strcmp(r->files[k].name, name) != 0; k++)
			;
		if (k == r->nfiles ||
		    vault__fmt(member, sizeof(member), "path", "%s/" VAULT_FILES_DIR "/%s", dir,
			       name) < 0 || git_tree_entry_bypath(&te, c->tree, member) < 0) {
			c->found(c, path, "the package lists '%.128s', which the FAI does not hold", name);
			continue;
		}
		if ((uint64_t)json_integer_value(json_object_get(e, "size")) != r->files[k].size)
			c->found(c, path, "the package lists '%.128s' at another size than its file", name);
		if (vault_store__read_blob(c->store, git_tree_entry_id(te), crc_chunk, &sum) == 0) {
			if (vault__fmt(hex, sizeof(hex), "CRC-32", "%08x",
				       (unsigned)(sum & 0xffffffffu)) < 0 || strcmp(hex, crc) != 0)
				c->found(c, path, "the package lists '%.128s' with CRC-32 %.8s, its file"
					 " has %s", name, crc, hex);
		}
		git_tree_entry_free(te);
	}
	if (files != r->nfiles)
		c->found(c, path, "the package lists %zu files, the FAI holds %zu", files, r->nfiles);
}

/* The PO or lot a package names: recorded before, the signer's own for a supplier. */
static void check_owned(const vault_change_ctx *c, const char *path, const char *top,
			const char *file, const char *what, const char *name)
{
	json_t *rec;

	if (!name)
		return;
	if ((rec = vault_rules__keyed(c, c->before, top, name, file)) == NULL) {
		c->found(c, path, "the FAI's %s '%s' was not recorded before it", what, name);
		return;
	}
	if (vault_rules__lacks(c, VAULT_ROLE_QUALITY) &&
	    strcmp(vault_rules__str(rec, "supplier"), c->who->org) != 0)
		c->found(c, path, "user '%s' of '%s' files an FAI against %s '%s' of '%s'",
			 c->who->name, c->who->org, what, name, vault_rules__str(rec, "supplier"));
	json_decref(rec);
}

/*
 * An added docs/.../<FAIR>/<REV>/package.json: beside an FAI's record
 * added by the same commit, it says what the stored fai.json says (part,
 * drawing, type, completeness, characteristics, nonconformities) and
 * lists the stored members; the drawing, PO and lot were recorded
 * before; quality, or a supplier of the FAI's own organization, submits.
 */
static void check_package_data(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1], dir[VAULT_PATH_MAX * 2];
	char recpath[VAULT_PATH_MAX * 3], *data = NULL, *keep = NULL;
	const char *rest, *fair, *part, *part_rev, *drawing, *drawing_rev, *kind;
	const char *po = NULL, *lot = NULL;
	json_t *pkg = NULL, *entries;
	json_int_t chars, nonconforming;
	int complete;
	vault_revision r;
	manifest m;
	size_t len;

	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	if (vault_rules__doc_path(doc, rev, &rest, path) < 0) {
		c->found(c, path, "the FAI package is stored outside a revision");
		return;
	}
	if (vault__fmt(dir, sizeof(dir), "path", "%.*s", (int)(rest - path - 1), path) < 0 ||
	    vault__fmt(recpath, sizeof(recpath), "path", "%s/" VAULT_RECORD_FILE, dir) < 0) {
		c->found(c, path, "%s", vault_error_message());
		return;
	}
	if (vault_rules__has(c->store, c->before, recpath))
		c->found(c, path, "an FAI package added to '%s@%s', recorded earlier", doc, rev);
	if (vault_store__read_path(&data, &len, c->store, c->tree, recpath) < 0 ||
	    vault_record__revision_parse(&r, data, len) < 0 || strcmp(r.type, "fai") != 0) {
		c->found(c, path, "the FAI package has no FAI record beside it");
		goto done;
	}
	vault_rules__require(c, path, VAULT_ROLE_QUALITY | VAULT_ROLE_SUPPLIER, "submit FAIs");
	pkg = vault_rules__json_at(c, c->tree, path);
	if (!pkg || strcmp(vault_rules__str(pkg, "record"), "package") != 0 ||
	    json_unpack(pkg, "{s:{s:o}, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s?:s, s?:s}}",
			"archive", "entries", &entries, "fai", "fair", &fair, "part", &part,
			"part_revision", &part_rev, "drawing", &drawing, "drawing_revision",
			&drawing_rev, "fai_type", &kind, "complete", &complete, "characteristics",
			&chars, "nonconforming", &nonconforming, "po", &po, "lot", &lot) < 0 ||
	    !json_is_array(entries)) {
		c->found(c, path, "the FAI package record is malformed");
		goto done;
	}
	if (stored_manifest(&m, &keep, c, dir, &r) < 0) {
		c->found(c, path, "the FAI's " MANIFEST " does not pass: %s", vault_error_message());
		goto done;
	}
	if (strcmp(fair, doc) != 0 || strcmp(m.fair, doc) != 0 || strcmp(part, m.part) != 0 ||
	    strcmp(part_rev, m.part_rev) != 0 || strcmp(drawing, m.drawing) != 0 ||
	    strcmp(drawing_rev, m.drawing_rev) != 0 || strcmp(kind, m.kind) != 0 ||
	    complete != m.complete || chars != (json_int_t)m.nchars ||
	    nonconforming != (json_int_t)m.nonconforming || r.nparts != 1 ||
	    strcmp(r.parts[0], m.part) != 0)
		c->found(c, path, "the FAI package does not say what its " MANIFEST " says (FAIR '%s', "
			 "part '%s', drawing '%s@%s', %s, %s, %zu characteristics, %zu nonconforming)",
			 m.fair, m.part, m.drawing, m.drawing_rev, m.kind,
			 m.complete ? "complete" : "incomplete", m.nchars, m.nonconforming);
	check_entries(c, path, dir, &r, entries);
	{
		char dwg[VAULT_PATH_MAX], drawing_rec[VAULT_PATH_MAX * 2];

		vault_record__doc_dir(dwg, sizeof(dwg), m.drawing);
		char revdir[VAULT_PATH_MAX * 2], marking[32];
		int seen;

		if (vault_record__rev_file(drawing_rec, sizeof(drawing_rec), dwg, m.drawing_rev, VAULT_RECORD_FILE) < 0 || !vault_rules__has(c->store, c->before, drawing_rec))
			c->found(c, path, "the FAI's drawing '%s@%s' was not recorded before it",
				 m.drawing, m.drawing_rev);
		/* the drawing as the submitter sees the vault (a supplier: what was released to it) */
		else if (c->who && !(c->who->roles & VAULT_ROLE_QUALITY) &&
			 vault__fmt(revdir, sizeof(revdir), "path", "%.*s", (int)(strlen(drawing_rec) -
				    strlen("/" VAULT_RECORD_FILE)), drawing_rec) == 0 &&
			 (seen = vault_rules__visible(marking, c, revdir, c->who)) != 1)
			c->found(c, path, seen ? "user '%s' of '%s' submits an FAI to '%s@%s', marked %s, "
				 "without an attestation covering it" : "user '%s' of '%s' submits an FAI "
				 "to '%s@%s', neither its organization's nor released to it%s",
				 c->who->name, c->who->org, m.drawing, m.drawing_rev, seen ? marking : "");
	}
	if (c->who && !(c->who->roles & VAULT_ROLE_QUALITY) && strcmp(c->who->org, m.org) != 0)
		c->found(c, path, "user '%s' of '%s' may not submit an FAI for '%s'", c->who->name,
			 c->who->org, m.org);
	check_owned(c, path, "pos", VAULT_PO_FILE, "PO", po);
	check_owned(c, path, "lots", "lot.json", "lot", lot);
done:
	manifest_dispose(&m);
	json_decref(pkg);
	vault_revision_dispose(&r);
	free(keep);
	free(data);
}

/* ---- indexing --------------------------------------------------------- */

static int index_package_data(sqlite3 *db, const char *data, size_t len, const char *path,
		     const char *doc, const char *rev, const git_oid *commit)
{
	const char *kind, *part, *drawing, *drawing_rev, *type;
	json_int_t chars, nonconforming;
	sqlite3_stmt *st;
	json_t *root;
	char hex[41];
	int complete, error = 0;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:{s:s, s:s, s:s, s:s, s:b, s:I, s:I}}", "record", &kind,
				 "fai", "part", &part, "drawing", &drawing, "drawing_revision",
				 &drawing_rev, "fai_type", &type, "complete", &complete,
				 "characteristics", &chars, "nonconforming", &nonconforming) < 0 ||
	    strcmp(kind, "package") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the package record is malformed", path);
	}
	git_oid_tostr(hex, sizeof(hex), commit);
	if (sqlite3_prepare_v2(db, "INSERT INTO fais (doc, rev, part, drawing, drawing_rev, fai_type,"
			       " complete, characteristics, nonconforming, commit_id) VALUES (?1, ?2,"
			       " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1, &st, NULL) != SQLITE_OK) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, part, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, drawing, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, drawing_rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, complete);
	sqlite3_bind_int64(st, 8, chars);
	sqlite3_bind_int64(st, 9, nonconforming);
	sqlite3_bind_text(st, 10, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = vault_error__set(VAULT_EVERIFY, "%s: cannot index: %s", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	json_decref(root);
	return error;
}

/* docs/.../<FAIR>/<REV>/package.json: with its record, and what the package holds. */
static void check_package(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;

	if (vault_rules__doc_path(doc, rev, &rest, path) == 0)
		vault_rules__with_its_record(c, path, rest);
	check_package_data(c, path);
}

static const char SQL_PACKAGE_ONCE[] = "SELECT commit_id FROM fais WHERE doc = ?1 AND rev = ?2";

static int index_package(const vault_kind_file *f)
{
	int error = vault_index__once_of(f, SQL_PACKAGE_ONCE, "FAI package", f->m->key, f->m->rev);

	return error < 0 ? error :
		index_package_data(vault_index__db(f->idx), f->data, f->len, f->path, f->m->key,
				   f->m->rev, f->commit);
}

const vault_kind vault_kind_fai_package = {
	.name = "FAI package",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_PACKAGE_FILE,
	.ops = "fai-add",
	.made_by = "fai-add",
	.index = index_package,
	.check = check_package,
	.tables = "fais",
};

/* ---- a starting package ------------------------------------------------- */

/* Write `text` to `path`, a file that must not exist. */
static int write_new(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), error = 0;

	if (fd < 0)
		return vault_error__set(VAULT_ERROR, "cannot create '%s': %s", path, strerror(errno));
	if (write(fd, text, len) != (ssize_t)len)
		error = vault_error__set(VAULT_ERROR, "cannot write '%s': %s", path, strerror(errno));
	if (close(fd) < 0 && error == 0)
		error = vault_error__set(VAULT_ERROR, "cannot write '%s': %s", path, strerror(errno));
	return error;
}

int vault_fai_init(vault *v, const char *dir, const char *part, const char *drawing,
		   const char *rev, const char *po)
{
	char path[VAULT_PATH_MAX * 2], *text = NULL;
	vault_buf csv = VAULT_BUF_INIT, fai_json = VAULT_BUF_INIT;
	vault_revision r;
	git_tree *tree = NULL;
	json_t *root = NULL;
	vault_user u;
	size_t i;
	int error;

	memset(&u, 0, sizeof(u));
	memset(&r, 0, sizeof(r));
	if ((error = vault_name_check("part number", part)) < 0 ||
	    (po && (error = vault_name_check("PO number", po)) < 0))
		return error;
	/* the drawing revision as the actor may see it, and who the actor is */
	if ((error = vault__revision(&r, v, drawing, rev)) < 0 ||
	    (error = vault_store__head_tree(&tree, v->store)) < 0 ||
	    (error = vault__whoami(&u, v, tree)) < 0)
		goto done;
	for (i = 0; i < sizeof(form3_columns) / sizeof(form3_columns[0]); i++)
		if (vault_buf__addf(&csv, "%s%s", i ? "," : "", form3_columns[i]) < 0)
			abort();
	if (vault_buf__addf(&csv, "\n") < 0)
		abort();
	/* every field of the three forms, what qvault knows filled in, the rest to fill:
	 * fai pack refuses it until it is */
	root = json_pack("{s:i, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s,"
			 " s:s}, s:[], s:s, s:[]}", "format", 1, "form1",
			 "part_number", part, "part_name", "", "serial_number", "",
			 "fair_number", "", "part_revision", r.rev, "drawing_number", r.doc,
			 "drawing_revision", r.rev, "organization", u.org,
			 "detail_or_assembly", "detail", "fai_type", "full", "complete", 0,
			 "signed_by", "", "signed_date", "", "form2", "form3_csv", "form3.csv",
			 "attachments");
	if (!root)
		abort();
	if (po)
		json_object_set_new(json_object_get(root, "form1"), "po_number", json_string(po));
	if ((text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL ||
	    vault_buf__addf(&fai_json, "%s\n", text) < 0)
		abort();
	if (mkdir(dir, 0755) < 0) {
		error = vault_error__set(errno == EEXIST ? VAULT_EEXISTS : VAULT_ERROR,
					 "cannot make '%s': %s", dir, strerror(errno));
		goto done;
	}
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/fai.json", dir)) == 0 &&
	    (error = write_new(path, fai_json.data)) == 0 &&
	    (error = vault__fmt(path, sizeof(path), "path", "%s/form3.csv", dir)) == 0)
		error = write_new(path, csv.data);
done:
	free(text);
	vault_buf__dispose(&fai_json);
	json_decref(root);
	vault_buf__dispose(&csv);
	vault_user_dispose(&u);
	vault_revision_dispose(&r);
	git_tree_free(tree);
	return error;
}
