/*
 * portalbench - fill a vault with the supplier portal's records through
 * libqvault, in bulk, as bench/run section 8 needs them; and print the
 * scorecard's SQL for the sqlite3 baseline.
 *
 *   portalbench fill VAULT KEYDIR BUYER_KEY SUPPLIERS POS STATUS_PER_PO
 *   portalbench sql [po-list|inbox-supplier|inbox-buyer]
 *
 * `fill` expects POs PO-NNNNNN (0 .. POS-1) of one line each (part P-1,
 * qty 100, due 2027-MM-15 with MM = 1 + n % 12) for organizations ORG-SSS
 * (n % SUPPLIERS), whose supplier keys are KEYDIR/ORG-SSS.pem.  Per
 * supplier, in one commit each: an acknowledgment of every PO (and a
 * second with a slipped promise for one in ten), a lot per PO (lot
 * import), STATUS_PER_PO status reports per PO (status import), a ship
 * notice per PO (asn import); then the buyer receives every notice in
 * one commit.  Prints what each step took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forecast.h"
#include "portal.h"
#include "user.h"
#include "vault.h"
#include "fmt.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* 2027-MM-15 plus `days`, as YYYY-MM-DD, for PO n. */
static void day_of(char *buf, size_t size, unsigned long n, int days)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 127;
	tm.tm_mon = (int)(n % 12);
	tm.tm_mday = 15 + days;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

static int fail(const char *what)
{
	fprintf(stderr, "portalbench: %s: %s\n", what, vault_error_message());
	return 1;
}

static int supplier(vault *v, const char *keydir, const char *tmp, unsigned long s,
		    unsigned long nsup, unsigned long npos, unsigned long nstatus, double *ms)
{
	char org[32], path[4096], file[4200], d[16], s2[16];
	unsigned long n, k, count = 0;
	vault_po_ack *acks;
	char (*names)[32], (*promises)[16];
	vault_key *key;
	size_t done, i = 0;
	FILE *f;
	double t;

	bench_fmt(org, sizeof(org), "ORG-%03lu", s);
	bench_fmt(path, sizeof(path), "%s/%s.pem", keydir, org);
	if (vault_key_load(&key, path, NULL, NULL) < 0)
		return fail(path);
	vault_set_key(v, key);
	for (n = s; n < npos; n += nsup)
		count++;
	acks = calloc(count * 2 + 1, sizeof(*acks));
	names = calloc(count + 1, sizeof(*names));
	promises = calloc(count * 2 + 1, sizeof(*promises));
	if (!acks || !names || !promises)
		abort();
	for (n = s, k = 0; n < npos; n += nsup, k++) {
		bench_fmt(names[k], sizeof(names[k]), "PO-%06lu", n);
		day_of(promises[i], sizeof(promises[i]), n, -2);
		acks[i].po = names[k];
		acks[i].line = 1;
		acks[i].revision = -1;
		acks[i].promise = promises[i];
		acks[i++].qty = 100;
		if (n % 10 == 0) {
			day_of(promises[i], sizeof(promises[i]), n, 5);
			acks[i].po = names[k];
			acks[i].line = 1;
			acks[i].revision = -1;
			acks[i].promise = promises[i];
			i++;
		}
	}
	t = now_ms();
	if (vault_po_ack_add(v, acks, i) < 0)
		return fail("po ack");
	ms[0] += now_ms() - t;

	bench_fmt(file, sizeof(file), "%s/lots.csv", tmp);
	if ((f = fopen(file, "w")) == NULL)
		return fail(file);
	fprintf(f, "lot,po,part,qty,made,shipped,from\n");
	for (n = s; n < npos; n += nsup) {
		day_of(d, sizeof(d), n, -10);
		fprintf(f, "L-%06lu,PO-%06lu,P-1,100,%s,,\n", n, n, d);
	}
	fclose(f);
	t = now_ms();
	if (vault_lot_import(&done, v, file) < 0)
		return fail("lot import");
	ms[1] += now_ms() - t;

	bench_fmt(file, sizeof(file), "%s/status.csv", tmp);
	if ((f = fopen(file, "w")) == NULL)
		return fail(file);
	fprintf(f, "po,line,status,note\n");
	for (k = 0; k < nstatus; k++)
		for (n = s; n < npos; n += nsup)
			fprintf(f, "PO-%06lu,1,%s,step %lu\n", n, vault_status_names[k % 5], k + 1);
	fclose(f);
	t = now_ms();
	if (vault_status_import(&done, v, file) < 0)
		return fail("status import");
	ms[2] += now_ms() - t;

	bench_fmt(file, sizeof(file), "%s/asns.json", tmp);
	if ((f = fopen(file, "w")) == NULL)
		return fail(file);
	fputc('[', f);
	for (n = s; n < npos; n += nsup) {
		/* one in seven ships late */
		day_of(s2, sizeof(s2), n, n % 7 == 0 ? 3 : -4);
		fprintf(f, "%s{\"asn\": \"ASN-%06lu\", \"po\": \"PO-%06lu\", \"ship_date\": \"%s\","
			" \"carrier\": \"UPS\", \"tracking\": \"1Z%08lu\", \"packages\": [{\"id\": \"C1\","
			" \"lot\": \"L-%06lu\", \"qty\": 100}]}\n", n == s ? "" : ",", n, n, s2, n, n);
	}
	fputs("]\n", f);
	fclose(f);
	t = now_ms();
	if (vault_asn_import(&done, v, file) < 0)
		return fail("asn import");
	ms[3] += now_ms() - t;
	vault_set_key(v, NULL);
	vault_key_free(key);
	free(acks);
	free(names);
	free(promises);
	return 0;
}

static int receive_all(vault *v, const char *buyer_key, unsigned long npos, double *ms)
{
	vault_receipt *r = calloc(npos + 1, sizeof(*r));
	vault_receipt_item *items = calloc(npos + 1, sizeof(*items));
	char (*names)[32] = calloc(npos + 1, sizeof(*names)), (*lots)[32] = calloc(npos + 1, 32);
	char (*dates)[16] = calloc(npos + 1, sizeof(*dates));
	vault_key *key;
	unsigned long n;
	double t;

	if (!r || !items || !names || !lots || !dates)
		abort();
	if (vault_key_load(&key, buyer_key, NULL, NULL) < 0)
		return fail(buyer_key);
	vault_set_key(v, key);
	for (n = 0; n < npos; n++) {
		bench_fmt(names[n], sizeof(names[n]), "ASN-%06lu", n);
		bench_fmt(lots[n], sizeof(lots[n]), "L-%06lu", n);
		day_of(dates[n], sizeof(dates[n]), n, n % 7 == 0 ? 6 : -1);
		r[n].asn = names[n];
		r[n].date = dates[n];
		if (n % 20 == 0) {
			/* one in twenty is short */
			items[n].lot = lots[n];
			items[n].qty = 98;
			r[n].items = &items[n];
			r[n].nitems = 1;
		}
	}
	t = now_ms();
	if (vault_asn_receive(v, r, npos) < 0)
		return fail("asn receive");
	ms[4] += now_ms() - t;
	vault_set_key(v, NULL);
	vault_key_free(key);
	free(r);
	free(items);
	free(names);
	free(lots);
	free(dates);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const steps[] = { "po ack", "lot import", "status import",
		"asn import", "asn receive (buyer, one commit)" };
	unsigned long nsup, npos, nstatus, s;
	double ms[5] = { 0, 0, 0, 0, 0 };
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	vault *v;
	size_t i;

	if (argc == 2 && strcmp(argv[1], "sql") == 0) {
		const char *sql;

		for (i = 0; (sql = vault_scorecard__sql(i)) != NULL; i++)
			printf("%s;\n", sql);
		return 0;
	}
	/* one supplier's PO list, and a supplier's and a buyer's inbox (sqlite3 binds ?N) */
	if (argc == 3 && strcmp(argv[1], "sql") == 0) {
		char *sql = NULL;

		if (strcmp(argv[2], "po-list") == 0)
			printf("%s;\n", vault_orders__po_list_sql(1));
		else if (strncmp(argv[2], "forecast-show-", 14) == 0 && strlen(argv[2]) == 15 &&
			 vault_forecast_show__sql((size_t)(argv[2][14] - '0')))
			printf("%s;\n", vault_forecast_show__sql((size_t)(argv[2][14] - '0')));
		else if (strcmp(argv[2], "inbox-supplier") == 0 || strcmp(argv[2], "inbox-buyer") == 0) {
			sql = vault_inbox__sql(strcmp(argv[2], "inbox-buyer") == 0 ?
					       VAULT_ROLE_BUYER : VAULT_ROLE_SUPPLIER);
			printf("%s;\n", sql ? sql : "");
			free(sql);
		} else {
			fprintf(stderr, "portalbench sql [po-list|inbox-supplier|inbox-buyer|forecast-show-N]\n");
			return 2;
		}
		return 0;
	}
	if (argc != 8 || strcmp(argv[1], "fill") != 0) {
		fprintf(stderr, "usage: portalbench fill VAULT KEYDIR BUYER_KEY SUPPLIERS POS STATUS_PER_PO\n"
				"       portalbench sql [po-list|inbox-supplier|inbox-buyer|forecast-show-N]\n");
		return 2;
	}
	nsup = strtoul(argv[5], NULL, 10);
	npos = strtoul(argv[6], NULL, 10);
	nstatus = strtoul(argv[7], NULL, 10);
	if (!nsup || !npos || nsup > 1000)
		return 2;
	if (vault_open(&v, argv[2], NULL, NULL) < 0)
		return fail(argv[2]);
	for (s = 0; s < nsup; s++)
		if (supplier(v, argv[3], tmp, s, nsup, npos, nstatus, ms) != 0)
			return 1;
	if (receive_all(v, argv[4], npos, ms) != 0)
		return 1;
	for (i = 0; i < 5; i++)
		printf("  %-34s %8.0f ms%s\n", steps[i], ms[i], i < 4 ? " (all suppliers, one commit each)" : "");
	vault_free(v);
	return 0;
}
