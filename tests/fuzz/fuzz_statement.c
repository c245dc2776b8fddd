/* Acknowledgment statements, in-toto Statement v1 (ack.c). */
#include "fuzz.h"

#include "ack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vault_ack_info a;

	memset(&a, 0, sizeof(a));
	if (vault_ack__parse(&a, (const char *)data, size) == 0)
		vault_ack__dispose(&a);
	return 0;
}
