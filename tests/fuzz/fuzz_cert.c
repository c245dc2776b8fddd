/* EN 10204 certificate data (cert.c). */
#include "fuzz.h"

#include "cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *out = NULL;
	size_t len;

	vault_cert__record(&out, &len, s, "MTR-1", "A");
	free(out);
	free(s);
	return 0;
}
