/* Purchase orders and PO changes: X12 850 and 860 interchanges (x12_po.c, x12.c, po.c). */
#include "fuzz.h"

#include "po.h"
#include "x12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *list = NULL;

	/* the readers themselves see every byte, NULs included */
	if (vault_x12__parse_850(&list, (const char *)data, size) == 0)
		json_decref(list);
	list = NULL;
	if (vault_x12__parse_860(&list, (const char *)data, size) == 0)
		json_decref(list);
	/* and po import's way in: which set, then the POs checked as a JSON file's */
	vault_po__parse_x12((const char *)data, size);
	return 0;
}
