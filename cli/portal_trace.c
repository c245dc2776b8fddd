/*
 * portal_trace.c - the portal's reports: a lot's trace with its genealogy
 * drawn, the audit's gaps, every event of a record (its log), a lot's
 * evidence bundle, and the suppliers' scorecard.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "portal.h"

/* ---- tracing a lot ------------------------------------------------------------- */

#define GRAPH_NODES 48
#define BOX_W 170
#define BOX_H 44
#define COL_W 230
#define ROW_H 64

/* A lot of the genealogy drawn: its column (tier) and row. */
typedef struct {
	const char *lot, *part, *supplier;
	int col, row;
} node;

static int node_of(const node *n, size_t count, const char *lot)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(n[i].lot, lot) == 0)
			return (int)i;
	return -1;
}

/*
 * The genealogy of `t` (trace lot --json) as an SVG drawn on the server:
 * inputs on the left by tier, the lot in the middle, what was made from it
 * on the right; an arrow from each input to what it went into (each lot's
 * own trace, read as the viewer sees it, says which).  At most GRAPH_NODES
 * lots; the tables below the drawing list them all, with their links (a
 * picture, role img, holds no control to reach from the keyboard).
 */
static void genealogy_svg(html *h, serve_req *q, const json_t *t)
{
	const json_t *up = json_object_get(t, "upstream"), *down = json_object_get(t, "downstream");
	node n[GRAPH_NODES];
	int rows[2 * 65] = { 0 }, max_up = 0, max_down = 0, cols, height = 0;
	size_t count = 0, i, k;
	json_t *x;

	json_array_foreach(up, i, x)
		if (json_integer_value(json_object_get(x, "depth")) > max_up)
			max_up = (int)json_integer_value(json_object_get(x, "depth"));
	json_array_foreach(down, i, x)
		if (json_integer_value(json_object_get(x, "depth")) > max_down)
			max_down = (int)json_integer_value(json_object_get(x, "depth"));
	if (max_up > 64 || max_down > 64)
		return;
	n[count].lot = json_string_value(json_object_get(json_object_get(t, "lot"), "lot"));
	n[count].part = json_string_value(json_object_get(json_object_get(t, "lot"), "part"));
	n[count].supplier = json_string_value(json_object_get(json_object_get(t, "lot"),
							      "supplier"));
	n[count].col = max_up;
	n[count].row = rows[max_up]++;
	if (!n[count].lot)
		return;
	count++;
	for (k = 0; k < 2; k++)
		json_array_foreach(k ? down : up, i, x) {
			int d = (int)json_integer_value(json_object_get(x, "depth"));
			const char *lot = json_string_value(json_object_get(x, "lot"));

			if (count == GRAPH_NODES || !lot || d < 1 || node_of(n, count, lot) >= 0)
				continue;
			n[count].lot = lot;
			n[count].part = json_string_value(json_object_get(x, "part"));
			n[count].supplier = json_string_value(json_object_get(x, "supplier"));
			n[count].col = k ? max_up + d : max_up - d;
			n[count].row = rows[n[count].col]++;
			count++;
		}
	cols = max_up + max_down + 1;
	for (i = 0; i < (size_t)cols; i++)
		if (rows[i] * ROW_H > height)
			height = rows[i] * ROW_H;
	h_raw(h, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
		 "aria-labelledby=\"genealogy-title\" width=\"");
	h_int(h, cols * COL_W);
	h_raw(h, "\" height=\"");
	h_int(h, height + 10);
	h_raw(h, "\" viewBox=\"0 0 ");
	h_int(h, cols * COL_W);
	h_raw(h, " ");
	h_int(h, height + 10);
	h_raw(h, "\"><title id=\"genealogy-title\">The lot's genealogy: what it was made from "
		 "(left) and what was made from it (right)</title>"
		 "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
		 "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
		 "fill=\"#333\"/></marker></defs>");
	/* the arrows: each lot's direct inputs, from its own trace */
	for (i = 0; i < count; i++) {
		char *text = NULL;
		json_t *tr, *in;
		size_t j;

		if (vault_trace_lot(&text, q->v, n[i].lot) < 0)
			continue;
		tr = parsed(text);
		json_array_foreach(json_object_get(tr, "upstream"), j, in) {
			int from;

			if (json_integer_value(json_object_get(in, "depth")) != 1 ||
			    (from = node_of(n, count, json_string_value(json_object_get(in, "lot")))) < 0)
				continue;
			h_raw(h, "<line x1=\"");
			h_int(h, n[from].col * COL_W + 10 + BOX_W);
			h_raw(h, "\" y1=\"");
			h_int(h, n[from].row * ROW_H + 10 + BOX_H / 2);
			h_raw(h, "\" x2=\"");
			h_int(h, n[i].col * COL_W + 10);
			h_raw(h, "\" y2=\"");
			h_int(h, n[i].row * ROW_H + 10 + BOX_H / 2);
			h_raw(h, "\" stroke=\"#333\" marker-end=\"url(#arrow)\"/>");
		}
		json_decref(tr);
	}
	for (i = 0; i < count; i++) {
		h_raw(h, "<rect x=\"");
		h_int(h, n[i].col * COL_W + 10);
		h_raw(h, "\" y=\"");
		h_int(h, n[i].row * ROW_H + 10);
		h_raw(h, "\" width=\"" );
		h_int(h, BOX_W);
		h_raw(h, "\" height=\"");
		h_int(h, BOX_H);
		h_raw(h, i == 0 ? "\" fill=\"#fff3d6\" stroke=\"#1d3557\" stroke-width=\"2\"/>" :
			 "\" fill=\"#eef\" stroke=\"#1d3557\"/>");
		h_raw(h, "<text x=\"");
		h_int(h, n[i].col * COL_W + 18);
		h_raw(h, "\" y=\"");
		h_int(h, n[i].row * ROW_H + 28);
		h_raw(h, "\" font-size=\"14\" fill=\"#111\">");
		h_text(h, n[i].lot);
		h_raw(h, "</text><text x=\"");
		h_int(h, n[i].col * COL_W + 18);
		h_raw(h, "\" y=\"");
		h_int(h, n[i].row * ROW_H + 46);
		h_raw(h, "\" font-size=\"12\" fill=\"#333\">");
		h_text(h, n[i].part);
		h_raw(h, " · ");
		h_text(h, n[i].supplier);
		h_raw(h, "</text>");
	}
	h_raw(h, "</svg></figure>");
}

static void genealogy_table(html *h, const char *caption, const json_t *list)
{
	static const char *const cols[] = { "Lot", "Part", "PO", "Supplier", "Made", "Tier", NULL };
	json_t *x;
	size_t i;

	if (!json_array_size(list))
		return;
	h_table(h, caption, cols);
	json_array_foreach(list, i, x) {
		h_raw(h, "<tr><td><a href=\"/trace/lot/");
		h_path(h, json_string_value(json_object_get(x, "lot")));
		h_raw(h, "\">");
		h_member(h, x, "lot");
		h_raw(h, "</a></td>");
		h_cell(h, x, "part");
		h_cell(h, x, "po");
		h_cell(h, x, "supplier");
		h_cell(h, x, "made");
		h_cell(h, x, "depth");
		h_raw(h, "</tr>");
	}
	h_raw(h, "</tbody></table>");
}

static void documents_table(html *h, const char *caption, const json_t *list)
{
	static const char *const cols[] = { "Document", "Type", "Attached to", NULL };
	json_t *x;
	size_t i;

	if (!json_array_size(list))
		return;
	h_table(h, caption, cols);
	json_array_foreach(list, i, x) {
		h_raw(h, "<tr><td>");
		h_doc_link(h, json_string_value(json_object_get(x, "doc")),
			   json_string_value(json_object_get(x, "rev")));
		h_raw(h, "</td>");
		h_cell(h, x, "type");
		h_raw(h, "<td>");
		h_member(h, x, "attached_to");
		h_raw(h, " ");
		h_member(h, x, "target");
		h_raw(h, "</td></tr>");
	}
	h_raw(h, "</tbody></table>");
}

/*
 * Who signs the bundle the page offers, each as "NAME@ORG SHA256:...":
 * the auditor compares them with fingerprints got apart from the portal,
 * because the bundle's own allowed_signers proves nothing by itself.
 * Nothing when the vault's key cannot be read (the download says why).
 */
static void bundle_signers(html *h, serve_req *q)
{
	char *signers = NULL, *line, *end;

	if (vault_export_signers(&signers, q->v) < 0)
		return;
	h_raw(h, "<p class=\"signers\">The bundle is signed by ");
	for (line = signers; (end = strchr(line, '\n')) != NULL; line = end + 1) {
		*end = '\0';
		h_raw(h, line == signers ? "<code>" : ", <code>");
		h_text(h, line);
		h_raw(h, "</code>");
	}
	h_raw(h, ". Compare this fingerprint with the one your administrator gave you apart "
		 "from this portal, not only with the bundle's own <code>allowed_signers</code>.</p>");
	free(signers);
}

enum MHD_Result get_trace_lot(serve_req *q)
{
	html h = { NULL, 0, 0 };
	char *text = NULL;
	json_t *t, *lot, *line;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	if ((error = vault_trace_lot(&text, q->v, q->part[2])) < 0)
		return error_page(q, error);
	t = parsed(text);
	lot = json_object_get(t, "lot");
	line = json_object_get(t, "po_line");
	page_begin(&h, q, "Trace of lot ", q->part[2]);
	h_raw(&h, "<dl><dt>Part</dt><dd>");
	h_member(&h, lot, "part");
	h_raw(&h, "</dd><dt>Quantity</dt><dd>");
	h_member(&h, lot, "qty");
	h_raw(&h, "</dd><dt>PO</dt><dd>");
	if (json_string_value(json_object_get(lot, "po"))) {
		h_raw(&h, "<a href=\"/pos/");
		h_path(&h, json_string_value(json_object_get(lot, "po")));
		h_raw(&h, "\">");
		h_member(&h, lot, "po");
		h_raw(&h, "</a>");
	}
	h_raw(&h, "</dd><dt>Supplier</dt><dd>");
	h_member(&h, lot, "supplier");
	h_raw(&h, "</dd><dt>Made</dt><dd>");
	h_member(&h, lot, "made");
	h_raw(&h, "</dd><dt>Built to</dt><dd>");
	if (line) {
		h_member(&h, line, "doc");
		h_raw(&h, "@");
		h_member(&h, line, "rev");
	}
	h_raw(&h, "</dd></dl><p><a href=\"/export/lot/");
	h_path(&h, q->part[2]);
	h_raw(&h, "\" download>Download the evidence bundle</a> (every document, acknowledgment "
		  "and signature behind this lot, with the commands that check them)</p>");
	bundle_signers(&h, q);
	h_raw(&h, "<h2>Genealogy</h2>");
	genealogy_svg(&h, q, t);
	genealogy_table(&h, "Made from (upstream)", json_object_get(t, "upstream"));
	genealogy_table(&h, "Made into (downstream)", json_object_get(t, "downstream"));
	documents_table(&h, "Documents of the lot", json_object_get(t, "documents"));
	documents_table(&h, "Documents of what it was made from",
			json_object_get(t, "upstream_documents"));
	json_decref(t);
	return send_page(q, MHD_HTTP_OK, &h);
}

/* ---- the audit, a record's log ------------------------------------------------- */

enum MHD_Result get_audit(serve_req *q)
{
	static const char *const cols[] = { "Gap", "What", "Records", "Id", "State", NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL;
	size_t open = 0, i;
	json_t *list, *g, *v;
	const char *k;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	if ((error = vault_audit(&text, &open, q->v, NULL, 14, -1)) < 0)
		return error_page(q, error);
	list = parsed(text);
	page_begin(&h, q, "Audit", "");
	h_raw(&h, "<p>");
	h_int(&h, (json_int_t)open);
	h_raw(&h, " open gaps.  An expiry or a review coming within the window is due, not"
		 " open; waived gaps are listed last.</p>");
	if (json_array_size(list)) {
		size_t from, to, page = page_span(q, "page", json_array_size(list), &from, &to);

		page_links(&h, q, "/audit", "page", page, from, to, json_array_size(list));
		h_table(&h, "Compliance gaps", cols);
		for (i = from; i < to && (g = json_array_get(list, i)) != NULL; i++) {
			h_raw(&h, "<tr>");
			h_cell(&h, g, "gap");
			h_cell(&h, g, "what");
			h_raw(&h, "<td>");
			json_object_foreach(json_object_get(g, "records"), k, v) {
				h_text(&h, k);
				h_raw(&h, ": ");
				if (json_is_integer(v))
					h_int(&h, json_integer_value(v));
				else
					h_text(&h, json_string_value(v));
				h_raw(&h, "<br>");
			}
			h_raw(&h, "</td>");
			h_cell(&h, g, "id");
			h_raw(&h, "<td>");
			h_member(&h, g, "state");
			if (json_object_get(g, "waiver")) {
				h_raw(&h, " until ");
				h_member(&h, json_object_get(g, "waiver"), "until");
			}
			h_raw(&h, "</td></tr>");
		}
		h_raw(&h, "</tbody></table>");
	}
	json_decref(list);
	return send_page(q, MHD_HTTP_OK, &h);
}

/* GET log/{name}: every event of a document, PO or lot (log NAME), as the viewer sees it. */
enum MHD_Result get_log(serve_req *q)
{
	static const char *const cols[] = { "#", "When", "Who", "What", "Commit", NULL };
	vault_event_list *list = NULL;
	html h = { NULL, 0, 0 };
	char path[VAULT_NAME_MAX + 8];
	size_t i, from, to, page;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if ((error = vault_log(&list, q->v, q->part[1])) < 0)
		return error_page(q, error);
	page_begin(&h, q, "Log of ", q->part[1]);
	page = page_span(q, "page", list->count, &from, &to);
	/* a name vault_log took: letters, digits and ._+- only, which a path takes as they are */
	if (cli_fmt(path, sizeof(path), "the address", "/log/%s", q->part[1]) == 0)
		page_links(&h, q, path, "page", page, from, to, list->count);
	h_table(&h, "Every signed commit that wrote it, oldest first", cols);
	for (i = from; i < to; i++) {
		char when[VAULT_TIME_SIZE];

		vault_time_format(when, sizeof(when), list->items[i].time);
		h_raw(&h, "<tr><td>");
		h_int(&h, (json_int_t)list->items[i].seq);
		h_raw(&h, "</td><td>");
		h_text(&h, when);
		h_raw(&h, "</td><td>");
		h_text(&h, list->items[i].author);
		h_raw(&h, "</td><td>");
		h_text(&h, list->items[i].summary);
		h_raw(&h, "</td><td><code>");
		h_put(&h, list->items[i].commit, 12);
		h_raw(&h, "</code></td></tr>");
	}
	h_raw(&h, "</tbody></table>");
	vault_event_list_free(list);
	return send_page(q, MHD_HTTP_OK, &h);
}

/* ---- evidence bundles, the scorecard ------------------------------------------- */

/*
 * GET export/lot/{lot}: the lot's evidence bundle (export lot), made in
 * the spool folder and sent from a file already unlinked.
 */
enum MHD_Result get_export_lot(serve_req *q)
{
	char dir[4200], path[4300], file[VAULT_NAME_MAX + 16], name[1024];
	struct MHD_Response *r;
	enum MHD_Result ok;
	struct stat st;
	int fd = -1, error;

	if (serve_spool_dir(q, dir, sizeof(dir)) < 0 ||
	    strlen(dir) + sizeof("/export-XXXXXX/bundle.zip") > sizeof(path))
		return message_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "no room to stage the bundle");
	memcpy(path, dir, strlen(dir));
	memcpy(path + strlen(dir), "/export-XXXXXX", sizeof("/export-XXXXXX"));
	if (!mkdtemp(path))
		return message_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the bundle");
	memcpy(dir, path, strlen(path) + 1);
	memcpy(path + strlen(path), "/bundle.zip", sizeof("/bundle.zip"));
	error = vault_export(q->v, VAULT_EXPORT_LOT, q->part[2], NULL, path);
	if (error == 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0 && fstat(fd, &st) < 0) {
		close(fd);
		fd = -1;
	}
	unlink(path);
	rmdir(dir);
	if (error < 0)
		return error_page(q, error);
	if (fd < 0)
		return message_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the bundle back");
	if ((r = MHD_create_response_from_fd((uint64_t)st.st_size, fd)) == NULL) {
		close(fd);
		return MHD_NO;
	}
	secure(r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/zip");
	/* a lot's name may hold a '"' or a ';' (vault_name_check): never as it is */
	if (cli_fmt(file, sizeof(file), "the file's name", "evidence-%s.zip", q->part[2]) == 0 &&
	    serve_disposition(name, sizeof(name), file) == 0)
		MHD_add_response_header(r, "Content-Disposition", name);
	q->sending = (uint64_t)st.st_size;
	ok = MHD_queue_response(q->c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

/* A rate (0..1, or null) as a percentage. */
static void h_rate(html *h, const json_t *o)
{
	const json_t *r = json_object_get(o, "rate");

	if (!json_is_number(r)) {
		h_raw(h, "&ndash;");
		return;
	}
	h_int(h, (json_int_t)(json_number_value(r) * 100 + 0.5));
	h_raw(h, "% (");
	h_member(h, o, json_object_get(o, "on_time") ? "on_time" : json_object_get(o, "passed") ?
		 "passed" : "equal");
	h_raw(h, " of ");
	h_member(h, o, "of");
	h_raw(h, ")");
}

/* On-time delivery by month as a bar chart, drawn on the server. */
static void months_svg(html *h, const json_t *months)
{
	size_t n = json_array_size(months), i;
	json_t *m;

	if (!n)
		return;
	if (n > 24)
		n = 24;
	h_raw(h, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
		 "aria-labelledby=\"chart-title\" width=\"");
	h_int(h, (json_int_t)(n * 48 + 60));
	h_raw(h, "\" height=\"200\" viewBox=\"0 0 ");
	h_int(h, (json_int_t)(n * 48 + 60));
	h_raw(h, " 200\"><title id=\"chart-title\">On-time delivery by month, in percent</title>"
		 "<line x1=\"40\" y1=\"170\" x2=\"");
	h_int(h, (json_int_t)(n * 48 + 50));
	h_raw(h, "\" y2=\"170\" stroke=\"#333\"/><text x=\"0\" y=\"24\" font-size=\"12\" "
		 "fill=\"#111\">100%</text><text x=\"10\" y=\"170\" font-size=\"12\" "
		 "fill=\"#111\">0%</text>");
	for (i = 0; i < n; i++) {
		const json_t *r;
		int height;

		m = json_array_get(months, json_array_size(months) - n + i);
		r = json_object_get(m, "rate");
		height = json_is_number(r) ? (int)(json_number_value(r) * 150 + 0.5) : 0;
		h_raw(h, "<rect x=\"");
		h_int(h, (json_int_t)(48 + i * 48));
		h_raw(h, "\" y=\"");
		h_int(h, 170 - height);
		h_raw(h, "\" width=\"32\" height=\"");
		h_int(h, height);
		h_raw(h, "\" fill=\"#1d3557\"><title>");
		h_member(h, m, "month");
		h_raw(h, ": ");
		h_member(h, m, "on_time");
		h_raw(h, " of ");
		h_member(h, m, "of");
		h_raw(h, " on time</title></rect><text x=\"");
		h_int(h, (json_int_t)(44 + i * 48));
		h_raw(h, "\" y=\"188\" font-size=\"11\" fill=\"#111\">");
		h_member(h, m, "month");
		h_raw(h, "</text>");
	}
	h_raw(h, "</svg></figure>");
}

enum MHD_Result get_scorecard(serve_req *q)
{
	static const char *const cols[] = { "Supplier", "Deliveries", "On time (promise)",
		"On time (due)", "Quantity right", "Days to acknowledge a drawing (average)",
		"FAI first pass", "NCRs open / all", "Lots without CoC", NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL;
	json_t *sc, *x;
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if ((error = vault_scorecard(&text, q->v, serve_query(q, "org"), NULL, NULL)) < 0)
		return error_page(q, error);
	sc = parsed(text);
	page_begin(&h, q, "Scorecard", "");
	h_table(&h, "Each supplier's performance", cols);
	json_array_foreach(json_object_get(sc, "suppliers"), i, x) {
		h_raw(&h, "<tr><td><a href=\"/scorecard?org=");
		h_path(&h, json_string_value(json_object_get(x, "org")));
		h_raw(&h, "\">");
		h_member(&h, x, "org");
		h_raw(&h, "</a></td>");
		h_cell(&h, x, "deliveries");
		h_raw(&h, "<td>");
		h_rate(&h, json_object_get(x, "on_time_promised"));
		h_raw(&h, "</td><td>");
		h_rate(&h, json_object_get(x, "on_time_due"));
		h_raw(&h, "</td><td>");
		h_rate(&h, json_object_get(x, "quantity_accuracy"));
		h_raw(&h, "</td><td>");
		if (json_is_number(json_object_get(json_object_get(x, "drawing_ack_days"), "average")))
			h_int(&h, (json_int_t)(json_number_value(json_object_get(
				json_object_get(x, "drawing_ack_days"), "average")) + 0.5));
		h_raw(&h, "</td><td>");
		h_rate(&h, json_object_get(x, "fai_first_pass"));
		h_raw(&h, "</td><td>");
		h_member(&h, json_object_get(x, "ncrs"), "open");
		h_raw(&h, " / ");
		h_member(&h, json_object_get(x, "ncrs"), "total");
		h_raw(&h, "</td>");
		h_cell(&h, json_object_get(x, "certificate_gaps"), "no_coc");
		h_raw(&h, "</tr>");
	}
	h_raw(&h, "</tbody></table>");
	if (json_array_size(json_object_get(sc, "suppliers")) == 1)
		months_svg(&h, json_object_get(json_array_get(json_object_get(sc, "suppliers"), 0),
					       "months"));
	json_decref(sc);
	return send_page(q, MHD_HTTP_OK, &h);
}
