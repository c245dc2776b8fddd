/*
 * serve_reads.c - the reads of a supplier's everyday work under /api/v1/
 * (serve.h): where POs and ship notices stand, acknowledgments, traces,
 * NCRs, the scorecard, the exports and FAI packages.  Each reads through
 * the library as the caller sees the vault and answers what the same
 * command prints with --json: who may see what is the library's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "serve.h"

/*
 * A yes-or-no query argument `key`: absent, "0" or "false" is no, "1" or
 * "true" yes; 0 or 1 in *out, else -1 with the 400 answered.
 */
static int query_flag(int *out, serve_req *q, const char *key, enum MHD_Result *answered)
{
	const char *s = serve_query(q, key);

	*out = s && (strcmp(s, "1") == 0 || strcmp(s, "true") == 0);
	if (!s || *out || strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
		return 0;
	*answered = serve_failed(q, MHD_HTTP_BAD_REQUEST, "%s '%s' is not 1 or 0", key, s);
	return -1;
}

/*
 * ?format=: json (VAULT_EXPORT_JSON) or csv; *given says whether it was
 * asked for.  -1 with the 400 answered for any other.
 */
static int query_format(vault_export_format *out, int *given, serve_req *q,
			enum MHD_Result *answered)
{
	const char *s = serve_query(q, "format");

	*out = VAULT_EXPORT_JSON;
	*given = s != NULL;
	if (!s || strcmp(s, "json") == 0)
		return 0;
	if (strcmp(s, "csv") == 0) {
		*out = VAULT_EXPORT_CSV;
		return 0;
	}
	*answered = serve_failed(q, MHD_HTTP_BAD_REQUEST, "format '%s' is not json or csv", s);
	return -1;
}

/* An export the library wrote, as JSON or as CSV (text/csv, RFC 4180). */
static enum MHD_Result answer_export(serve_req *q, int error, char *text,
				     vault_export_format format)
{
	if (format == VAULT_EXPORT_CSV)
		return serve_answer_library_as(q, error, text, "text/csv; charset=utf-8");
	return serve_answer_library(q, error, text);
}

/* ---- the inbox -------------------------------------------------------------- */

/*
 * GET inbox[?days=N]: inbox --json.  Never kept: the actions' ages, and
 * what the buying side chases after N days, move with the clock.
 */
enum MHD_Result serve_get_inbox(serve_req *q)
{
	const char *d = serve_query(q, "days");
	unsigned long days = 3;
	char *text = NULL, *end = NULL;
	int error;

	if (d) {
		errno = 0;
		days = strtoul(d, &end, 10);
		if (errno || !*d || *end || *d == '-' || days > 3650)
			return serve_failed(q, MHD_HTTP_BAD_REQUEST,
					    "days '%s' is not a number of days from 0 to 3650", d);
	}
	error = vault_inbox(&text, q->v, (unsigned)days);
	return serve_answer_library(q, error, text);
}

/* ---- POs ------------------------------------------------------------------- */

/* GET pos[?open=1][&supplier=ORG]: po list --json */
enum MHD_Result serve_get_pos(serve_req *q)
{
	enum MHD_Result answered;
	char *text = NULL;
	int open, error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if (query_flag(&open, q, "open", &answered) < 0)
		return answered;
	error = vault_po_list(&text, q->v, serve_query(q, "supplier"), open);
	return serve_answer_library(q, error, text);
}

/* GET pos/{po}: po show --json */
enum MHD_Result serve_get_po(serve_req *q)
{
	enum MHD_Result kept;
	char *text = NULL;
	int error;

	/* first: the version the answer is kept for is the one it is made at */
	if (serve_kept(q, &kept))
		return kept;
	error = vault_po_show(&text, q->v, q->part[1]);
	return serve_answer_library(q, error, text);
}

/* GET pos/{po}/acks: the acknowledgments of po show --json */
enum MHD_Result serve_get_po_acks(serve_req *q)
{
	enum MHD_Result kept;
	char *text = NULL;
	int error;

	/* first: the version the answer is kept for is the one it is made at */
	if (serve_kept(q, &kept))
		return kept;
	error = vault_po_acks(&text, q->v, q->part[1]);
	return serve_answer_library(q, error, text);
}

/* GET pos/{po}/trace: trace po --json */
enum MHD_Result serve_get_po_trace(serve_req *q)
{
	char *text = NULL;
	int error = vault_trace_po(&text, q->v, q->part[1]);

	return serve_answer_library(q, error, text);
}

/* ---- ship notices, status reports, NCRs ---------------------------------------- */

/*
 * GET asns[?po=PO]: asn list --json; GET asns?format=json|csv[&org=ORG]:
 * asn export, one row a package.
 */
enum MHD_Result serve_get_asns(serve_req *q)
{
	vault_export_format format;
	enum MHD_Result answered;
	char *text = NULL;
	int exporting, error;

	if (query_format(&format, &exporting, q, &answered) < 0)
		return answered;
	if (!exporting) {
		error = vault_asn_list(&text, q->v, serve_query(q, "po"));
		return serve_answer_library(q, error, text);
	}
	error = vault_asn_export(&text, q->v, serve_query(q, "org"), format);
	return answer_export(q, error, text, format);
}

/* GET asns/{asn}: asn show --json */
enum MHD_Result serve_get_asn(serve_req *q)
{
	enum MHD_Result kept;
	char *text = NULL;
	int error;

	/* first: the version the answer is kept for is the one it is made at */
	if (serve_kept(q, &kept))
		return kept;
	error = vault_asn_show(&text, q->v, q->part[1]);
	return serve_answer_library(q, error, text);
}

/* GET status[?format=json|csv][&org=ORG]: status export */
enum MHD_Result serve_get_status(serve_req *q)
{
	vault_export_format format;
	enum MHD_Result answered;
	char *text = NULL;
	int given, error;

	if (query_format(&format, &given, q, &answered) < 0)
		return answered;
	error = vault_status_export(&text, q->v, serve_query(q, "org"), format);
	return answer_export(q, error, text, format);
}

/* GET ncrs/{ncr}: ncr show --json */
enum MHD_Result serve_get_ncr(serve_req *q)
{
	enum MHD_Result kept;
	char *text = NULL;
	int error;

	if (serve_kept(q, &kept))
		return kept;
	error = vault_ncr_show(&text, q->v, q->part[1]);
	return serve_answer_library(q, error, text);
}

/* GET ncrs[?org=ORG]: ncr list --json */
enum MHD_Result serve_get_ncrs(serve_req *q)
{
	char *text = NULL;
	int error = vault_ncr_list(&text, q->v, serve_query(q, "org"));

	return serve_answer_library(q, error, text);
}

/* ---- revisions ---------------------------------------------------------------- */

/* GET documents/{doc}/{rev}/trace: trace doc DOC@REV --json */
enum MHD_Result serve_get_revision_trace(serve_req *q)
{
	char *text = NULL;
	int error = vault_trace_doc(&text, q->v, q->part[1], q->part[2]);

	return serve_answer_library(q, error, text);
}

/* GET documents/{doc}/{rev}/acks: acks DOC@REV --json, who acknowledged it */
enum MHD_Result serve_get_revision_acks(serve_req *q)
{
	vault_ack_list *list = NULL;
	json_t *j;
	int error;

	if ((error = vault_acks(&list, q->v, q->part[1], q->part[2])) < 0)
		return serve_library_failed(q, error);
	j = cli_acks_json(list);
	vault_ack_list_free(list);
	return serve_answer(q, MHD_HTTP_OK, j);
}

/* GET fai/{fair}[/{rev}]: fai show FAIR [--rev REV] --json */
enum MHD_Result serve_get_fai(serve_req *q)
{
	char *text = NULL;
	int error = vault_fai_show(&text, q->v, q->part[1], q->nparts > 2 ? q->part[2] : NULL);

	return serve_answer_library(q, error, text);
}

/* ---- the scorecard ---------------------------------------------------------- */

/* GET scorecard[?org=ORG][&from=DATE][&to=DATE]: scorecard --json */
/*
 * GET forecasts/{part}[?supplier=ORG][&ship_to=S][&today=DATE]: the part's
 * schedules as `forecast show --json` prints them, scoped by the library
 * (a supplier's own; another's part is the 404 of a part with none).
 */
enum MHD_Result serve_get_forecast(serve_req *q)
{
	char *text = NULL;
	int error = vault_forecast_show(&text, q->v, q->part[1], serve_query(q, "supplier"),
					serve_query(q, "ship_to"), serve_query(q, "today"),
					VAULT_EXPORT_JSON);

	return serve_answer_library(q, error, text);
}

enum MHD_Result serve_get_scorecard(serve_req *q)
{
	char *text = NULL;
	int error = vault_scorecard(&text, q->v, serve_query(q, "org"), serve_query(q, "from"),
				    serve_query(q, "to"));

	return serve_answer_library(q, error, text);
}
