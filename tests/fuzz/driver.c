/*
 * driver - replays a fuzz target's corpus without libFuzzer: every file
 * of the folders (or files) given is passed to LLVMFuzzerTestOneInput
 * once.  A crash or a sanitizer report ends the run; otherwise one TAP
 * line says how many inputs went through, after the plan (1..1).
 *
 *   fuzz_names tests/fuzz/corpus/names
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fprintf(stderr, "driver: cannot read %s\n", path);
		exit(2);
	}
	if ((buf = malloc((size_t)len + 1)) == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len)
		exit(2);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 1;
}

int main(int argc, char **argv)
{
	size_t n = 0;
	int i;

	for (i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **names;
		int k, count;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "driver: no %s\n", argv[i]);
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			n += run_file(argv[i]);
			continue;
		}
		if ((count = scandir(argv[i], &names, NULL, alphasort)) < 0)
			return 2;
		for (k = 0; k < count; k++) {
			char path[4096];
			int w = snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]->d_name);

			if (w < 0 || (size_t)w >= sizeof(path)) {
				fprintf(stderr, "%s/%s: the path is too long\n", argv[i], names[k]->d_name);
				return 2;
			}
			if (names[k]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
				n += run_file(path);
			free(names[k]);
		}
		free(names);
	}
	printf("1..1\n");
	if (n == 0) {
		printf("not ok 1 - %s: an empty corpus\n", argv[0]);
		return 1;
	}
	printf("ok 1 - %s replays its corpus: %zu inputs, no crash, no sanitizer report\n",
	       strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0], n);
	return 0;
}
