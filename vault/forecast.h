/*
 * forecast.h - forecasts (planning schedules, an X12 830's content) and
 * delivery schedules (an 862's), and a supplier's answers to them.
 *
 * A schedule for one part, supplier and ship-to is stored as numbered
 * revisions, each replacing the one before (which stays in history):
 *
 *   forecasts/<h>/<h>/<PART>/<SUPPLIER>/<SHIP_TO>/<KIND>/NNNNNN.json
 *
 * KIND is "forecast" or "delivery", <h>/<h> the fan-out of the part (a
 * supplier's ten thousand parts are ten thousand small folders, never one
 * large one).  A supplier's answer (a commitment to the firm zone, or a
 * counter-proposal per bucket) names the revision it answers and sits
 * beside them as acks/NNNNNN-SIGNER.json, with its signer's SSHSIG over it
 * as acks/NNNNNN-SIGNER.json.sig (namespace VAULT_FORECAST_ACK_NAMESPACE)
 * unless a server wrote it on the supplier's behalf.
 */
#ifndef VAULT_FORECAST_H
#define VAULT_FORECAST_H

#include <jansson.h>

#include "vault.h"

#define VAULT_FORECASTS_DIR "forecasts"
#define VAULT_FORECAST_ACKS_DIR "acks"

/* The whole span of one schedule, in days: no bucket reaches further. */
#define VAULT_FORECAST_SPAN_MAX 3660
/* the largest quantity of a bucket */
#define VAULT_FORECAST_QTY_MAX 1000000000LL

/*
 * Check one schedule of the import's shape (schemas/forecast-import.schema.json)
 * and make it the record's: every bucket's end filled in from its period,
 * the unit set (EA when left out).  What is wrong is one message naming
 * the schedule's bucket or field (VAULT_EINVALID).  `sched` is changed in
 * place.  The record written and the record verify reads are held to the
 * same rules (vault_forecast__check_buckets).
 */
int vault_forecast__normalize(json_t *sched);

/* forecast show's SQL statement `i` (0: the series, 1: a revision's head, 2: its buckets,
 * 3: the last answer, 4: its buckets, 5: receipts since), NULL past the last: for the bench */
const char *vault_forecast_show__sql(size_t i);

/*
 * The rules of a record's buckets: each a valid date, period, status and
 * quantity, its end what its period implies (a flexible one's given, not
 * before its start), in date order and none overlapping the one before; a
 * delivery schedule's all firm.  0, or -1 with `msg` (size bytes) saying
 * what is wrong.
 */
int vault_forecast__check_buckets(char *msg, size_t size, const json_t *buckets,
				  int delivery);

/* Days since 1970-01-01 of a valid YYYY-MM-DD; -1 for anything else. */
long vault_forecast__day(const char *date);

/* YYYY-MM-DD of day `d` (11 bytes). */
void vault_forecast__date(char out[11], long d);

#endif
