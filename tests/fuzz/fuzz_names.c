/* Names, file paths, dates and revision successors (record.c). */
#include "fuzz.h"

#include "record.h"
#include "vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), next[200];

	vault_name_check("name", s);
	vault_record__file_name_check(s);
	vault_record__member_path_check(s);
	vault_record__date_check("date", s);
	if (vault_name_check("revision", s) == 0)
		vault_record__next_rev(next, sizeof(next), s);
	free(s);
	return 0;
}
