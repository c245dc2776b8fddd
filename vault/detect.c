#include "detect.h"

#include <stdlib.h>
#include <string.h>

#include <magic.h>

#include "error.h"
#include "vault.h"

struct vault_detect {
	magic_t magic;
};

int vault_detect__new(vault_detect **out)
{
	vault_detect *d = calloc(1, sizeof(*d));

	if (!d)
		abort();
	d->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
	if (!d->magic) {
		free(d);
		return vault_error__errno(VAULT_ERROR, "cannot start libmagic");
	}
	if (magic_load(d->magic, NULL) < 0) {
		int error = vault_error__set(VAULT_ERROR,
			"cannot load libmagic's database: %s", magic_error(d->magic));

		vault_detect__free(d);
		return error;
	}
	*out = d;
	return 0;
}

void vault_detect__free(vault_detect *d)
{
	if (!d)
		return;
	if (d->magic)
		magic_close(d->magic);
	free(d);
}

/* ISO 10303-21 (STEP) files open with this exact keyword. */
static int is_step(const char *buf, size_t len)
{
	static const char magic[] = "ISO-10303-21;";

	return len >= sizeof(magic) - 1 && memcmp(buf, magic, sizeof(magic) - 1) == 0;
}

/*
 * IGES files are 80-column card images; the first is a Start section
 * line: column 73 holds 'S' and columns 74-80 its sequence number 1.
 */
static int is_iges(const char *buf, size_t len)
{
	size_t i;

	if (len < 80 || buf[72] != 'S')
		return 0;
	for (i = 73; i < 79; i++)
		if (buf[i] != ' ' && buf[i] != '0')
			return 0;
	return buf[79] == '1' && (len == 80 || buf[80] == '\n' || buf[80] == '\r');
}

int vault_detect__buffer(const char **mime, vault_detect *d, const void *buf,
			 size_t len)
{
	const char *m = magic_buffer(d->magic, buf, len);

	if (!m)
		return vault_error__set(VAULT_ERROR, "cannot detect the content type: %s",
					magic_error(d->magic));
	if (strcmp(m, "text/plain") == 0) {
		if (is_step(buf, len))
			m = "model/step";
		else if (is_iges(buf, len))
			m = "model/iges";
	}
	*mime = m;
	return 0;
}
