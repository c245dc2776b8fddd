/*
 * progress.c - the throttle between long work and the caller's callback.
 */
#include <time.h>

#include "progress.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void vault__progress(vault__meter *p, const char *what, uint64_t done, uint64_t total)
{
	unsigned pct;
	uint64_t now;

	if (!vault__progress_on(p))
		return;
	pct = total ? (unsigned)(done > total ? 100 : done * 100 / total) : 0;
	now = now_ms();
	if (p->last_pct != 101 && pct == p->last_pct && now - p->last_ms < 100)
		return;
	p->last_pct = pct;
	p->last_ms = now;
	p->cb(what, done, total, 0, p->payload);
}

void vault__progress_end(vault__meter *p, const char *what, uint64_t done, uint64_t total)
{
	if (!vault__progress_on(p))
		return;
	p->last_pct = 101;
	p->last_ms = 0;
	p->cb(what, done, total, 1, p->payload);
}
