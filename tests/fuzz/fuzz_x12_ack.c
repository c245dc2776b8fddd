/*
 * What qvault writes to a partner, read back: the 997 and 855 readers
 * (x12_ack.c, x12_855.c); and the 997 writer over any input, as an
 * import answers what the 856 reader made of it (the walk stopped where
 * the reader refused), or a refusal by the vault after a clean read.
 */
#include "fuzz.h"

#include "error.h"
#include "portal.h"
#include "vault.h"
#include "x12.h"
#include "x12_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	vault_x12_ids ids = { NULL, NULL, 1, 1 };
	json_t *list = NULL;
	char *ack = NULL;
	int error;

	if (vault_x12__parse_997(&list, d, size) == 0)
		json_decref(list);
	if (vault_x12__parse_855(&list, d, size) == 0)
		json_decref(list);
	error = vault_x12__parse_856(&list, d, size);
	if (error == 0)
		json_decref(list);
	/* the 997 of the reader's answer, and of a refusal after a clean read */
	if (vault_x12__ack997(&ack, d, size, error, &ids) == 0)
		free(ack);
	ack = NULL;
	if (error == 0 && vault_x12__ack997(&ack, d, size, vault_error__set(VAULT_EINVALID, "refused"), &ids) == 0)
		free(ack);
	return 0;
}
