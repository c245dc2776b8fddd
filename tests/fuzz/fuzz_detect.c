/* Content detection (detect.c): libmagic, then the formats it names by encoding only. */
#include "fuzz.h"

#include "detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vault_detect *d;
	const char *mime, *magic;

	if (!d && vault_detect__new(&d) < 0)
		abort();
	if (vault_detect__both(&mime, &magic, d, data, size) == 0 && (!*mime || !*magic))
		abort(); /* an answer is always a type */
	return 0;
}
