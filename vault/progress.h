/*
 * progress.h - how far long work got, told to the caller's callback
 * (vault_set_progress): the library never prints.  Base layer: anything
 * may report through a vault__progress it is handed.
 */
#ifndef VAULT_PROGRESS_H
#define VAULT_PROGRESS_H

#include <stdint.h>

#include "vault.h"

/* The caller's callback, and what was last told to it (the throttle). */
typedef struct {
	vault_progress_cb cb; /* NULL: nobody listens, and nothing is counted */
	void *payload;
	uint64_t last_ms;     /* when it was last told, CLOCK_MONOTONIC */
	unsigned last_pct;    /* the percentage it was last told, 101 for none */
} vault__meter;

/* Is anybody listening?  (Counting a total first costs: only then.) */
#define vault__progress_on(p) ((p) && (p)->cb)

/*
 * Stage `what` reached `done` of `total` (0: not known).  Told to the
 * callback at its first report, when the percentage changes, and at most
 * every 100 ms otherwise, so a loop may call it for each item.
 */
void vault__progress(vault__meter *p, const char *what, uint64_t done, uint64_t total);

/* Stage `what` ended at `done` of `total`: always told, as finished. */
void vault__progress_end(vault__meter *p, const char *what, uint64_t done, uint64_t total);

#endif
