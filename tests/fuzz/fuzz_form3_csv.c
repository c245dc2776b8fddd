/* Form 3 as CSV (fai.c, input.c with libcsv), under a fixed manifest. */
#include "fuzz.h"

#include "fai.h"

static const char manifest[] =
	"{\"format\": 1, \"form1\": {\"part_number\": \"PN-1\", \"part_name\": \"P\","
	" \"fair_number\": \"F-1\", \"part_revision\": \"A\", \"drawing_number\": \"D-1\","
	" \"drawing_revision\": \"A\", \"organization\": \"acme\", \"detail_or_assembly\": \"detail\","
	" \"fai_type\": \"full\", \"complete\": true, \"signed_by\": \"S\", \"signed_date\": \"2026-01-01\"},"
	" \"form3_csv\": \"form3.csv\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vault_fai__check_manifest(manifest, sizeof(manifest) - 1, (const char *)data, size);
	return 0;
}
