/* Form 3 requirements read as tolerances (fai.c). */
#include "fuzz.h"

#include "fai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	double lo, hi;

	if (vault_fai__tolerance(s, &lo, &hi) && !(lo <= hi))
		abort(); /* limits always come in order */
	free(s);
	return 0;
}
