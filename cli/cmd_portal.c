/* The supplier portal: qvault po ack; status; status import|export; asn
 * add|import|receive|export; ncr add|close|list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A whole number from 1 (up to `max`), or 0. */
static unsigned long long whole(const char *s, unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno || v > max ? 0 : v;
}

/* ---- po ack ---------------------------------------------------------------- */

static const cli_opt ack_opts[] = {
	{ "line", 'l', OPT_VALUE, "N", "acknowledge this line only" },
	{ "promise", 'p', OPT_VALUE, "DATE", "the date promised, YYYY-MM-DD" },
	{ "qty", 'q', OPT_VALUE, "N", "the quantity promised (with --line)" },
	{ "note", 'n', OPT_VALUE, "TEXT", "a note for the buyer" },
	{ "reject", 0, OPT_FLAG, NULL, "reject the PO (or line) instead" },
	{ "reason", 0, OPT_VALUE, "TEXT", "why it is rejected" },
	{ "revision", 0, OPT_VALUE, "N", "the PO revision answered (po show): refused if changed since" },
	{ "release", 0, OPT_VALUE, "N", "acknowledge release N of a blanket order instead (po show)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_ack(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *line = cli_opt_value(cmd, a, "line"), *qty = cli_opt_value(cmd, a, "qty");
	const char *revision = cli_opt_value(cmd, a, "revision");
	const char *release = cli_opt_value(cmd, a, "release");
	vault_po_ack k;
	int error;

	memset(&k, 0, sizeof(k));
	k.po = a->arg[0];
	k.revision = -1;
	/* revision 0 is the PO as issued: whole(), which takes 1 up, with one more */
	if (revision && (strcmp(revision, "0") == 0 ? (k.revision = 0, 0) :
			 (k.revision = (long)whole(revision, 1000000)) == 0))
		return cli_usage_error(cmd, "--revision '%s' is not a revision number", revision);
	k.promise = cli_opt_value(cmd, a, "promise");
	k.note = cli_opt_value(cmd, a, "note");
	k.reject = cli_opt_flag(cmd, a, "reject");
	k.reason = cli_opt_value(cmd, a, "reason");
	if (line && (k.line = (unsigned)whole(line, 10000)) == 0)
		return cli_usage_error(cmd, "--line '%s' is not a line number", line);
	if (release && (k.release = (unsigned)whole(release, 999999)) == 0)
		return cli_usage_error(cmd, "--release '%s' is not a release number", release);
	if (qty && (k.qty = whole(qty, 1000000000ULL)) == 0)
		return cli_usage_error(cmd, "--qty '%s' is not a whole number from 1", qty);
	if (!k.reject && !k.promise)
		return cli_usage_error(cmd, "give --promise DATE, or --reject --reason TEXT");
	if (k.promise && (error = cli_check_date(cmd, "--promise", k.promise)) != EXIT_OK)
		return error;
	if ((error = vault_po_ack_add(v, &k, 1)) < 0)
		return cli_fail(error);
	if (k.release)
		printf("%s PO %s release %u%s%s\n", k.reject ? "rejected" : "acknowledged", k.po,
		       k.release, k.reject ? ": " : ": promised ", k.reject ? k.reason : k.promise);
	else if (k.reject)
		printf("rejected PO %s%s%.0u: %s\n", k.po, k.line ? " line " : "", k.line, k.reason);
	else
		printf("acknowledged PO %s%s%.0u: promised %s\n", k.po, k.line ? " line " : "", k.line,
		       k.promise);
	return EXIT_OK;
}

const cli_command cli_cmd_po_ack = {
	"po ack", "acknowledge a PO or a line with a promised date, or reject it (supplier of the PO)",
	"PO", 1, 1, ack_opts, 1, run_ack
};

static const cli_opt ack_export_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "only this supplier's" },
	CLI_OPT_X12_IDS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_ack_export(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *org = cli_opt_value(cmd, a, "org");
	vault_x12_ids ids;
	char *text = NULL;
	int error;

	if ((org && (error = cli_check_plain_name(cmd, "--org", org)) != EXIT_OK) ||
	    (error = cli_x12_ids(cmd, a, &ids, 1)) != EXIT_OK)
		return error;
	if ((error = vault_po_ack_export_x12(&text, v, org, &ids)) < 0)
		return cli_fail(error);
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_po_ack_export = {
	"po ack-export", "every PO acknowledgment (po ack) as one X12 855 interchange, for a buyer's ERP",
	"", 0, 0, ack_export_opts, 1, run_ack_export
};

/* ---- status ------------------------------------------------------------------ */

static const cli_opt status_opts[] = {
	{ "note", 'n', OPT_VALUE, "TEXT", "a note for the buyer" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_status(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_status_report r;
	char po[256];
	const char *colon = strchr(a->arg[0], ':');
	int error;

	memset(&r, 0, sizeof(r));
	if (cli_fmt(po, sizeof(po), "PO number", "%.*s",
		    colon ? (int)(colon - a->arg[0]) : (int)strlen(a->arg[0]), a->arg[0]) < 0)
		return EXIT_ERROR;
	if (colon && (r.line = (unsigned)whole(colon + 1, 10000)) == 0)
		return cli_usage_error(cmd, "'%s' is not PO[:LINE]", a->arg[0]);
	if ((error = cli_check_enum(cmd, "status", a->arg[1], vault_status_names)) != EXIT_OK)
		return error;
	r.po = po;
	r.status = a->arg[1];
	r.note = cli_opt_value(cmd, a, "note");
	if ((error = vault_status_add(v, &r, 1)) < 0)
		return cli_fail(error);
	printf("PO %s%s%.0u: %s\n", r.po, r.line ? " line " : "", r.line, r.status);
	return EXIT_OK;
}

const cli_command cli_cmd_status = {
	"status", "report production status: started, in-progress, complete, shipped, on-hold (supplier)",
	"PO[:LINE] STATUS", 2, 2, status_opts, 1, run_status
};

static const cli_opt import_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_status_import(const cli_command *cmd, cli_args *a, vault *v)
{
	size_t count;
	int error;

	(void)cmd;
	if ((error = vault_status_import(&count, v, a->arg[0])) < 0)
		return cli_fail(error);
	printf("recorded %zu status report%s in one commit\n", count, count == 1 ? "" : "s");
	return EXIT_OK;
}

const cli_command cli_cmd_status_import = {
	"status import", "record the status reports of a CSV or JSON file in one commit (supplier)",
	"FILE", 1, 1, import_opts, 1, run_status_import
};

static const cli_opt export_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "only this supplier's" },
	{ "csv", 0, OPT_FLAG, NULL, "CSV instead of JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int print_export(int error, char *text)
{
	if (error < 0)
		return cli_fail(error);
	fputs(text, stdout);
	if (*text && text[strlen(text) - 1] != '\n')
		putchar('\n');
	free(text);
	return EXIT_OK;
}

/* --org ORG, if given, a well-formed name: EXIT_OK or EXIT_USAGE. */
static int check_org(const cli_command *cmd, const cli_args *a)
{
	const char *org = cli_opt_value(cmd, a, "org");

	return org ? cli_check_plain_name(cmd, "--org", org) : EXIT_OK;
}

static int run_status_export(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text = NULL;
	int error;

	if ((error = check_org(cmd, a)) != EXIT_OK)
		return error;
	error = vault_status_export(&text, v, cli_opt_value(cmd, a, "org"),
				    cli_opt_flag(cmd, a, "csv") ? VAULT_EXPORT_CSV : VAULT_EXPORT_JSON);
	return print_export(error, text);
}

const cli_command cli_cmd_status_export = {
	"status export", "every status report, as JSON or CSV, for an ERP or MES",
	"", 0, 0, export_opts, 1, run_status_export
};

/* ---- ship notices --------------------------------------------------------------- */

static const cli_opt asn_opts[] = {
	{ "id", 0, OPT_VALUE, "ASN", "its number (default: the next ASN-NNNNNN)" },
	{ "po", 0, OPT_VALUE, "PO", "the purchase order shipped against" },
	{ "ship-date", 0, OPT_VALUE, "DATE", "shipped on YYYY-MM-DD" },
	{ "carrier", 0, OPT_VALUE, "C", "the carrier" },
	{ "tracking", 0, OPT_VALUE, "T", "the carrier's tracking number" },
	{ "package", 'p', OPT_LIST, "ID:LOT:QTY", "a package: its id, the lot and how many (repeatable)" },
	{ "replaces", 0, OPT_VALUE, "ASN", "replace ship notice ASN (in force, not received) by this one, of the same PO" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_asn_add(const cli_command *cmd, cli_args *a, vault *v)
{
	const char **specs;
	vault_asn_package *pk;
	char **copies, id[VAULT_NAME_MAX + 1];
	vault_asn n;
	size_t count, i;
	int rc = EXIT_OK, error;

	specs = cli_opt_list(cmd, a, "package", &count);
	if (a->nargs == 1) {
		if (count || cli_opt_value(cmd, a, "po") || cli_opt_value(cmd, a, "replaces"))
			return cli_usage_error(cmd, "give a FILE or --po and --package, not both");
		if ((error = vault_asn_import(&count, v, a->arg[0])) < 0)
			return cli_fail(error);
		printf("recorded %zu ship notice%s\n", count, count == 1 ? "" : "s");
		return EXIT_OK;
	}
	memset(&n, 0, sizeof(n));
	n.asn = cli_opt_value(cmd, a, "id");
	n.po = cli_opt_value(cmd, a, "po");
	n.ship_date = cli_opt_value(cmd, a, "ship-date");
	n.carrier = cli_opt_value(cmd, a, "carrier");
	n.tracking = cli_opt_value(cmd, a, "tracking");
	n.replaces = cli_opt_value(cmd, a, "replaces");
	if (!n.po || !n.ship_date || count == 0)
		return cli_usage_error(cmd, "give a FILE, or --po, --ship-date and at least one --package");
	if ((error = cli_check_date(cmd, "--ship-date", n.ship_date)) != EXIT_OK)
		return error;
	pk = calloc(count + 1, sizeof(*pk));
	copies = calloc(count + 1, sizeof(*copies));
	if (!pk || !copies)
		abort();
	for (i = 0; i < count && rc == EXIT_OK; i++) {
		char *c1, *c2;

		if ((copies[i] = strdup(specs[i])) == NULL)
			abort();
		c1 = strchr(copies[i], ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c1 || !c2 || strchr(c2 + 1, ':') || (pk[i].qty = whole(c2 + 1, 1000000000ULL)) == 0) {
			rc = cli_usage_error(cmd, "--package '%s' is not ID:LOT:QTY", specs[i]);
			break;
		}
		*c1 = *c2 = '\0';
		pk[i].id = copies[i];
		pk[i].lot = c1 + 1;
	}
	if (rc == EXIT_OK) {
		n.packages = pk;
		n.npackages = count;
		if ((error = vault_asn_add(v, &n, id, sizeof(id))) < 0)
			rc = cli_fail(error);
		else
			printf("%s ship notice %s for PO %s: %zu package%s\n",
			       n.replaces ? "replaced" : "recorded", id, n.po, count,
			       count == 1 ? "" : "s");
	}
	for (i = 0; i < count; i++)
		free(copies[i]);
	free(copies);
	free(pk);
	return rc;
}

const cli_command cli_cmd_asn_add = {
	"asn add", "send an advance ship notice: the lots and quantities in each package (supplier)",
	"[FILE]", 0, 1, asn_opts, 1, run_asn_add
};

static const cli_opt asn_import_opts[] = {
	CLI_OPT_ACK997,
	CLI_OPT_FORCE,
	CLI_OPT_X12_ACK_IDS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_asn_import(const cli_command *cmd, cli_args *a, vault *v)
{
	return cli_import_ack(vault_asn_import_ack, cmd, a, v, "ship notice", "ship notices");
}

const cli_command cli_cmd_asn_import = {
	"asn import", "record the ship notices of a JSON file or an X12 856 interchange in one commit "
	"(--ack997: answer an 856 with its 997)",
	"FILE", 1, 1, asn_import_opts, 1, run_asn_import
};

static const cli_opt cancel_opts[] = {
	{ "reason", 'r', OPT_VALUE, "TEXT", "why it is cancelled" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_asn_cancel(const cli_command *cmd, cli_args *a, vault *v)
{
	int error = vault_asn_cancel(v, a->arg[0], cli_opt_value(cmd, a, "reason"));

	if (error < 0)
		return cli_fail(error);
	printf("cancelled ship notice %s\n", a->arg[0]);
	return EXIT_OK;
}

const cli_command cli_cmd_asn_cancel = {
	"asn cancel", "cancel a ship notice not received: its packages no longer count as shipped (its supplier, a buyer)",
	"ASN", 1, 1, cancel_opts, 1, run_asn_cancel
};

static const cli_opt receive_opts[] = {
	{ "qty", 'q', OPT_LIST, "LOT:N", "received N of the lot (repeatable; lots not named: as shipped)" },
	{ "date", 0, OPT_VALUE, "DATE", "received on YYYY-MM-DD (default: today)" },
	{ "note", 'n', OPT_VALUE, "TEXT", "what was found" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_asn_receive(const cli_command *cmd, cli_args *a, vault *v)
{
	const char **specs;
	vault_receipt_item *items;
	vault_receipt r;
	char **copies;
	size_t count, i;
	int rc = EXIT_OK, error;

	if (cli_opt_value(cmd, a, "date") &&
	    (error = cli_check_date(cmd, "--date", cli_opt_value(cmd, a, "date"))) != EXIT_OK)
		return error;
	specs = cli_opt_list(cmd, a, "qty", &count);
	items = calloc(count + 1, sizeof(*items));
	copies = calloc(count + 1, sizeof(*copies));
	if (!items || !copies)
		abort();
	for (i = 0; i < count && rc == EXIT_OK; i++) {
		char *colon;

		if ((copies[i] = strdup(specs[i])) == NULL)
			abort();
		colon = strrchr(copies[i], ':');
		if (!colon || (strcmp(colon + 1, "0") != 0 &&
			       (items[i].qty = whole(colon + 1, 1000000000ULL)) == 0)) {
			rc = cli_usage_error(cmd, "--qty '%s' is not LOT:N", specs[i]);
			break;
		}
		*colon = '\0';
		items[i].lot = copies[i];
	}
	if (rc == EXIT_OK) {
		memset(&r, 0, sizeof(r));
		r.asn = a->arg[0];
		r.date = cli_opt_value(cmd, a, "date");
		r.note = cli_opt_value(cmd, a, "note");
		r.items = items;
		r.nitems = count;
		if ((error = vault_asn_receive(v, &r, 1)) < 0)
			rc = cli_fail(error);
		else
			printf("received ship notice %s\n", r.asn);
	}
	for (i = 0; i < count; i++)
		free(copies[i]);
	free(copies);
	free(items);
	return rc;
}

const cli_command cli_cmd_asn_receive = {
	"asn receive", "record the receipt of a ship notice, and what differs from it (buyer, quality)",
	"ASN", 1, 1, receive_opts, 1, run_asn_receive
};

static const cli_opt asn_export_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "only this supplier's" },
	{ "csv", 0, OPT_FLAG, NULL, "CSV instead of JSON" },
	{ "x12", 0, OPT_FLAG, NULL, "one X12 856 interchange instead, a set per notice in force" },
	CLI_OPT_X12_IDS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_asn_export(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_x12_ids ids;
	char *text = NULL;
	int error;

	if ((error = check_org(cmd, a)) != EXIT_OK)
		return error;
	if (cli_opt_flag(cmd, a, "x12")) {
		if (cli_opt_flag(cmd, a, "csv"))
			return cli_usage_error(cmd, "give --csv or --x12, not both");
		if ((error = cli_x12_ids(cmd, a, &ids, 1)) != EXIT_OK)
			return error;
		error = vault_asn_export_x12(&text, v, cli_opt_value(cmd, a, "org"), &ids);
		return print_export(error, text);
	}
	if (cli_opt_value(cmd, a, "isa-sender") || cli_opt_value(cmd, a, "isa-receiver") ||
	    cli_opt_value(cmd, a, "control"))
		return cli_usage_error(cmd, "--isa-sender, --isa-receiver and --control go with --x12");
	error = vault_asn_export(&text, v, cli_opt_value(cmd, a, "org"),
				 cli_opt_flag(cmd, a, "csv") ? VAULT_EXPORT_CSV : VAULT_EXPORT_JSON);
	return print_export(error, text);
}

const cli_command cli_cmd_asn_export = {
	"asn export", "every ship notice package and its receipt, as JSON or CSV, or the notices in force as an X12 856, for an ERP",
	"", 0, 0, asn_export_opts, 1, run_asn_export
};

/* ---- nonconformance ------------------------------------------------------------- */

static const cli_opt ncr_opts[] = {
	{ "lot", 0, OPT_VALUE, "LOT", "the nonconforming lot" },
	{ "reason", 'r', OPT_VALUE, "TEXT", "what does not conform" },
	{ "disposition", 'd', OPT_VALUE, "D", "proposed: use-as-is, rework, repair, scrap, return-to-supplier" },
	{ "doc", 0, OPT_LIST, "DOC@REV", "a document it cites (repeatable)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_ncr_add(const cli_command *cmd, cli_args *a, vault *v)
{
	const char **docs;
	vault_doc_ref *refs;
	char (*bufs)[512], id[32];
	vault_ncr n;
	size_t count, i;
	int rc = EXIT_OK, error;

	memset(&n, 0, sizeof(n));
	n.lot = cli_opt_value(cmd, a, "lot");
	n.reason = cli_opt_value(cmd, a, "reason");
	n.disposition = cli_opt_value(cmd, a, "disposition");
	if (!n.lot || !n.reason)
		return cli_usage_error(cmd, "--lot and --reason are required");
	if (n.disposition &&
	    (error = cli_check_enum(cmd, "--disposition", n.disposition, vault_dispositions)) != EXIT_OK)
		return error;
	docs = cli_opt_list(cmd, a, "doc", &count);
	refs = calloc(count + 1, sizeof(*refs));
	bufs = calloc(count + 1, sizeof(*bufs));
	if (!refs || !bufs)
		abort();
	for (i = 0; i < count && rc == EXIT_OK; i++) {
		cli_split_docrev(bufs[i], sizeof(bufs[i]), docs[i], &refs[i].doc, &refs[i].rev);
		if (!refs[i].rev)
			rc = cli_usage_error(cmd, "--doc '%s': name the revision: DOC@REV", docs[i]);
	}
	if (rc == EXIT_OK) {
		n.docs = refs;
		n.ndocs = count;
		if ((error = vault_ncr_add(v, &n, id, sizeof(id))) < 0)
			rc = cli_fail(error);
		else
			printf("opened %s on lot %s\n", id, n.lot);
	}
	free(refs);
	free(bufs);
	return rc;
}

const cli_command cli_cmd_ncr_add = {
	"ncr add", "open a nonconformance report on a lot (quality, buyer)",
	"", 0, 0, ncr_opts, 1, run_ncr_add
};

static const cli_opt close_opts[] = {
	{ "disposition", 'd', OPT_VALUE, "D", "use-as-is, rework, repair, scrap, return-to-supplier" },
	{ "note", 'n', OPT_VALUE, "TEXT", "a note" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_ncr_close(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *d = cli_opt_value(cmd, a, "disposition");
	int error;

	if (!d)
		return cli_usage_error(cmd, "--disposition is required");
	if ((error = cli_check_enum(cmd, "--disposition", d, vault_dispositions)) != EXIT_OK)
		return error;
	if ((error = vault_ncr_close(v, a->arg[0], d, cli_opt_value(cmd, a, "note"))) < 0)
		return cli_fail(error);
	printf("closed %s: %s\n", a->arg[0], d);
	return EXIT_OK;
}

const cli_command cli_cmd_ncr_close = {
	"ncr close", "close a nonconformance report with its disposition (quality, buyer)",
	"NCR", 1, 1, close_opts, 1, run_ncr_close
};

static const cli_opt list_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "only this supplier's" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static int run_ncr_list(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text;
	json_t *list, *o;
	size_t i;
	int error;

	if ((error = check_org(cmd, a)) != EXIT_OK)
		return error;
	if ((error = vault_ncr_list(&text, v, cli_opt_value(cmd, a, "org"))) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		printf("%s\n", text);
	} else if ((list = json_loads(text, 0, NULL)) != NULL) {
		json_array_foreach(list, i, o)
			printf("%s %-6s lot %s (PO %s, %s): %s%s%s\n", str(o, "ncr"), str(o, "state"),
			       str(o, "lot"), str(o, "po"), str(o, "supplier"), str(o, "reason"),
			       json_object_get(o, "closed_disposition") ? "; closed: " : "",
			       json_object_get(o, "closed_disposition") ? str(o, "closed_disposition") : "");
		json_decref(list);
	}
	free(text);
	return EXIT_OK;
}

static const cli_opt show_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON (schemas/portal-output.schema.json, ncr)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_ncr_show(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text;
	json_t *o;
	int error;

	if ((error = vault_ncr_show(&text, v, a->arg[0])) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		printf("%s\n", text);
	} else if ((o = json_loads(text, 0, NULL)) != NULL) {
		printf("NCR %s: %s\n", str(o, "ncr"), str(o, "state"));
		printf("  lot %s of PO %s (%s)\n", str(o, "lot"), str(o, "po"), str(o, "supplier"));
		printf("  opened by %s at %s: %s\n", str(o, "opened_by"), str(o, "opened_at"),
		       str(o, "reason"));
		printf("  disposition proposed: %s\n", str(o, "disposition"));
		if (json_object_get(o, "docs"))
			printf("  documents: %s\n", str(o, "docs"));
		if (json_object_get(o, "closed_at"))
			printf("  closed by %s at %s: %s\n", str(o, "closed_by"), str(o, "closed_at"),
			       str(o, "closed_disposition"));
		json_decref(o);
	}
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_ncr_show = {
	"ncr show", "one nonconformance report: its lot, reason, documents and disposition",
	"NCR", 1, 1, show_opts, 1, run_ncr_show
};

const cli_command cli_cmd_ncr_list = {
	"ncr list", "nonconformance reports, open and closed",
	"", 0, 0, list_opts, 1, run_ncr_list
};
