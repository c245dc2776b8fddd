/* Private key files, PEM and OpenSSH's (sign.c through vault_key_load). */
#include "fuzz.h"

#include <stdio.h>
#include <unistd.h>

#include "vault.h"

static int passphrase(char *buf, size_t size, void *payload)
{
	(void)payload;
	return snprintf(buf, size, "fuzz") < (int)size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a real file: keys are opened with O_NOFOLLOW, so no /proc/self/fd link */
	char path[] = "/tmp/qvault-fuzz-key-XXXXXX";
	int fd = mkstemp(path);
	vault_key *key;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (vault_key_load(&key, path, passphrase, NULL) == 0)
		vault_key_free(key);
	unlink(path);
	return 0;
}
