/* PO and lot import files, CSV and JSON (po.c, lot.c, input.c). */
#include "fuzz.h"

#include "lot.h"
#include "po.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	vault_po__parse(s, size);
	vault_lot__parse(s, size);
	free(s);
	return 0;
}
