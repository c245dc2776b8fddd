/*
 * tracebench - latency of `trace lot` through libqvault: N lots picked at
 * random from a vault whose lots are named T<tier>-<7 digits> (as
 * bench/run section 6 builds it), each traced once; prints p50, p99, max
 * and mean in microseconds.
 *
 *   tracebench VAULT PER_TIER TIERS N [SEED]
 *
 * Opens the vault without a key, as an auditor on the server would: the
 * whole vault is visible.  Every trace must succeed and name its lot.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vault.h"
#include "fmt.h"

static uint64_t state;

static uint64_t next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1du;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long per_tier, tiers, n, i;
	uint64_t *ns, total = 0, bytes = 0;
	vault *v;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: tracebench VAULT PER_TIER TIERS N [SEED]\n");
		return 2;
	}
	per_tier = strtoul(argv[2], NULL, 10);
	tiers = strtoul(argv[3], NULL, 10);
	n = strtoul(argv[4], NULL, 10);
	state = argc == 6 ? strtoull(argv[5], NULL, 10) : 42;
	if (!per_tier || !tiers || !n || !state || (ns = calloc(n, sizeof(*ns))) == NULL) {
		fprintf(stderr, "tracebench: bad arguments\n");
		return 2;
	}
	if (vault_open(&v, argv[1], NULL, NULL) < 0) {
		fprintf(stderr, "tracebench: %s\n", vault_error_message());
		return 1;
	}
	for (i = 0; i < n; i++) {
		char lot[64], *out;
		uint64_t t;

		bench_fmt(lot, sizeof(lot), "T%lu-%07lu", 1 + next() % tiers,
			 (unsigned long)(next() % per_tier));
		t = now_ns();
		if (vault_trace_lot(&out, v, lot) < 0) {
			fprintf(stderr, "tracebench: %s: %s\n", lot, vault_error_message());
			return 1;
		}
		ns[i] = now_ns() - t;
		total += ns[i];
		if (!strstr(out, lot)) {
			fprintf(stderr, "tracebench: the trace of %s does not name it\n", lot);
			return 1;
		}
		bytes += strlen(out);
		free(out);
	}
	qsort(ns, n, sizeof(*ns), cmp_u64);
	printf("%lu traces (%llu bytes of JSON): p50 %.0f us, p99 %.0f us, max %.0f us, mean %.0f us\n",
	       n, (unsigned long long)bytes, ns[n / 2] / 1e3, ns[n * 99 / 100] / 1e3,
	       ns[n - 1] / 1e3, (double)total / (double)n / 1e3);
	free(ns);
	vault_free(v);
	return 0;
}
