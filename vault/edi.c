/*
 * edi.c - what an X12 file reads as, writing nothing: the ship notices of
 * an 856 (x12.c), the forecasts and delivery schedules of an 830 or 862
 * (x12_forecast.c), or the purchase orders of an 850 and the change
 * order of an 860 (x12_po.c), as the imports would take them; or what
 * qvault writes for a partner: the answers of a 997 (x12_ack.c), the PO
 * acknowledgments of an 855 (x12_855.c).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error.h"
#include "input.h"
#include "portal.h"
#include "vault.h"
#include "x12.h"
#include "x12_write.h"

/* A schedule's row: its names, how many buckets, the first and last start, the total. */
static json_t *schedule_row(json_t *o)
{
	json_t *row = json_object(), *buckets = json_object_get(o, "buckets"), *b;
	const char *keys[] = { "schedule", "supplier", "part", "ship_to", "issued" };
	json_int_t total = 0;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_set(row, keys[i], json_object_get(o, keys[i]));
	json_array_foreach(buckets, i, b)
		total += json_integer_value(json_object_get(b, "qty"));
	json_object_set_new(row, "buckets", json_integer((json_int_t)json_array_size(buckets)));
	json_object_set(row, "first", json_object_get(json_array_get(buckets, 0), "start"));
	json_object_set(row, "last", json_object_get(json_array_get(buckets, json_array_size(buckets) - 1),
						      "start"));
	json_object_set_new(row, "qty", json_integer(total));
	return row;
}

/* A PO's row (850): its number, supplier, lines, total quantity, whether a blanket. */
static json_t *po_row(json_t *o)
{
	json_t *row = json_object(), *lines = json_object_get(o, "lines"), *l;
	json_int_t total = 0;
	size_t i;

	json_object_set(row, "po", json_object_get(o, "po"));
	json_object_set(row, "supplier", json_object_get(o, "supplier"));
	json_array_foreach(lines, i, l)
		total += json_integer_value(json_object_get(l, "qty"));
	json_object_set_new(row, "lines", json_integer((json_int_t)json_array_size(lines)));
	json_object_set_new(row, "qty", json_integer(total));
	json_object_set_new(row, "blanket",
			    json_boolean(json_object_get(json_array_get(lines, 0), "blanket") != NULL));
	return row;
}

/* A change order's row (860): its PO, supplier, purpose, how many lines it changes. */
static json_t *change_row(json_t *o)
{
	json_t *row = json_object();

	json_object_set(row, "po", json_object_get(o, "po"));
	json_object_set(row, "supplier", json_object_get(o, "supplier"));
	json_object_set(row, "purpose", json_object_get(o, "purpose"));
	json_object_set_new(row, "lines",
			    json_integer((json_int_t)json_array_size(json_object_get(o, "changes"))));
	return row;
}

/* A ship notice's row: its number (or the one it cancels), PO, date, packages. */
static json_t *asn_row(json_t *o)
{
	json_t *row = json_object();

	json_object_set(row, "asn", json_object_get(o, json_object_get(o, "asn") ? "asn" : "cancels"));
	if (json_object_get(o, "po"))
		json_object_set(row, "po", json_object_get(o, "po"));
	if (json_object_get(o, "ship_date"))
		json_object_set(row, "ship_date", json_object_get(o, "ship_date"));
	json_object_set_new(row, "packages",
			    json_integer((json_int_t)json_array_size(json_object_get(o, "packages"))));
	return row;
}

int vault_edi_read(char **json, const char **shape, const char *path, unsigned flags)
{
	char *data = NULL, set[16];
	size_t len = 0;
	json_t *list = NULL;
	int error;

	*json = NULL;
	*shape = NULL;
	if ((error = vault_input__read(&data, &len, NULL, path)) < 0)
		return error;
	if (len == 0) {
		error = vault_error__set(VAULT_EINVALID, "'%s' is empty", path);
		goto done;
	}
	if (!vault_x12__is_x12(data, len)) {
		error = vault_error__set(VAULT_EINVALID, "'%s' is not an X12 interchange (no ISA)", path);
		goto done;
	}
	/* the first set says which reader: the other refuses a set of another kind */
	vault_x12__first_set(set, sizeof(set), data, len);
	if (strcmp(set, "856") == 0) {
		*shape = "asn";
		error = vault_x12__parse_856(&list, data, len);
	} else if (strcmp(set, "850") == 0) {
		*shape = "po";
		error = vault_x12__parse_850(&list, data, len);
	} else if (strcmp(set, "860") == 0) {
		*shape = "po-change";
		error = vault_x12__parse_860(&list, data, len);
	} else if (strcmp(set, "997") == 0) {
		*shape = "997";
		error = vault_x12__parse_997(&list, data, len);
	} else if (strcmp(set, "855") == 0) {
		*shape = "855";
		error = vault_x12__parse_855(&list, data, len);
	} else {
		*shape = "forecast";
		error = vault_x12__parse_forecast(&list, data, len);
	}
	if (error < 0)
		goto done;
	if (flags & VAULT_EDI_SUMMARY) {
		json_t *rows = json_array(), *o;
		size_t i;

		json_array_foreach(list, i, o)
			json_array_append_new(rows, strcmp(*shape, "asn") == 0 ? asn_row(o) :
						    strcmp(*shape, "po") == 0 ? po_row(o) :
						    strcmp(*shape, "po-change") == 0 ? change_row(o) :
						    strcmp(*shape, "forecast") == 0 ? schedule_row(o) :
						    json_incref(o));
		json_decref(list);
		list = rows;
	}
	if ((*json = json_dumps(list, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
		abort();
done:
	json_decref(list);
	free(data);
	if (error < 0)
		*shape = NULL;
	return error;
}
