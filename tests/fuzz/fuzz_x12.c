/* Ship notice files: X12 856 interchanges and JSON (x12.c, asn.c). */
#include "fuzz.h"

#include "portal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *list = NULL;

	/* the reader itself sees every byte, NULs included */
	if (vault_x12__parse_856(&list, (const char *)data, size) == 0)
		json_decref(list);
	vault_asn__parse((const char *)data, size);
	return 0;
}
