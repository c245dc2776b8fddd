/* Planning and shipping schedules: X12 830 and 862 interchanges (x12_forecast.c, x12.c). */
#include "fuzz.h"

#include "x12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *list = NULL;
	char set[16];

	/* the reader itself sees every byte, NULs included */
	if (vault_x12__parse_forecast(&list, (const char *)data, size) == 0)
		json_decref(list);
	vault_x12__first_set(set, sizeof(set), (const char *)data, size);
	return 0;
}
