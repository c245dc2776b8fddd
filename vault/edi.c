/*
 * edi.c - what an X12 file reads as, writing nothing: the ship notices of
 * an 856 (x12.c), or the forecasts and delivery schedules of an 830 or
 * 862 (x12_forecast.c), as the imports would take them.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error.h"
#include "input.h"
#include "portal.h"
#include "vault.h"
#include "x12.h"

int vault_edi_read(char **json, const char **shape, const char *path)
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
	} else {
		*shape = "forecast";
		error = vault_x12__parse_forecast(&list, data, len);
	}
	if (error < 0)
		goto done;
	if ((*json = json_dumps(list, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
		abort();
done:
	json_decref(list);
	free(data);
	if (error < 0)
		*shape = NULL;
	return error;
}
