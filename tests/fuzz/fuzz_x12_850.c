/* Purchase orders and PO changes: X12 850 and 860 interchanges (x12_po.c, x12.c, po.c). */
#include "fuzz.h"

#include "po.h"
#include "x12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *list = NULL;
	char *s;

	/* the readers themselves see every byte, NULs included */
	if (vault_x12__parse_850(&list, (const char *)data, size) == 0)
		json_decref(list);
	list = NULL;
	if (vault_x12__parse_860(&list, (const char *)data, size) == 0)
		json_decref(list);
	/* and po import's way in: which set, then the POs checked as a CSV's */
	s = fuzz_string(data, size);
	vault_po__parse(s, size);
	free(s);
	return 0;
}
