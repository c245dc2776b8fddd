/* FAI manifests (fai.json), Form 3 inline (fai.c). */
#include "fuzz.h"

#include "fai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vault_fai__check_manifest((const char *)data, size, NULL, 0);
	return 0;
}
