/* SSHSIG armor and blobs, and OpenSSH public key lines (sign.c). */
#include "fuzz.h"

#include "sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *signer = NULL, *key = NULL, *comment = NULL, fp[64];

	if (vault_sign__check(&signer, (const char *)data, size, "qvault-ack", "message", 7) == 0)
		free(signer);
	signer = NULL;
	if (vault_sign__claimed(&signer, (const char *)data, size, "git") == 0)
		free(signer);
	if (vault_sign__parse_public(&key, &comment, s) == 0) {
		free(key);
		free(comment);
	}
	vault_sign__fingerprint_of(fp, s);
	free(s);
	return 0;
}
