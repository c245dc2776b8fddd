/*
 * edi.c - what an X12 file reads as, writing nothing: the ship notices of
 * an 856 (x12.c), or the forecasts and delivery schedules of an 830 or
 * 862 (x12_forecast.c), as the imports would take them; or what qvault
 * writes for a partner: the answers of a 997 (x12_ack.c), the PO
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
			json_array_append_new(rows, (*shape)[0] == 'a' ? asn_row(o) :
						    (*shape)[0] == 'f' ? schedule_row(o) : json_incref(o));
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
