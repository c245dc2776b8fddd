/* Unit tests of x12_po.c: the 850 and 860 readers on the fixtures and on what breaks them. */
#include "helpers.h"

#include "x12.h"

#define F850 "tests/fixtures/850/purchase-order.850"
#define F860 "tests/fixtures/860/change-order.860"

static char *fixture(size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(data);
	*len = fread(data, 1, (1 << 16) - 1, f);
	data[*len] = '\0';
	fclose(f);
	return data;
}

/* Fixture `path` with `from` replaced by `to` (once), malloc'd. */
static char *edited(size_t *len, const char *path, const char *from, const char *to)
{
	char *data = fixture(len, path), *at = strstr(data, from), *out;
	size_t head, tail;

	assert_non_null(at);
	head = (size_t)(at - data);
	tail = *len - head - strlen(from);
	out = malloc(*len + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, data, head);
	memcpy(out + head, to, strlen(to));
	memcpy(out + head + strlen(to), at + strlen(from), tail + 1);
	*len = head + strlen(to) + tail;
	free(data);
	return out;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void reads_the_850(void **state)
{
	json_t *list = NULL, *po, *l;
	size_t len;
	char *data = fixture(&len, F850);

	(void)state;
	assert_int_equal(vault_x12__parse_850(&list, data, len), 0);
	assert_int_equal(json_array_size(list), 2);
	po = json_array_get(list, 0);
	assert_string_equal(str(po, "po"), "4500012345");
	assert_string_equal(str(po, "supplier"), "acme");
	assert_int_equal(json_array_size(json_object_get(po, "lines")), 3);
	l = json_array_get(json_object_get(po, "lines"), 1);
	/* VP before BP: the part is BP's; the heading's due date */
	assert_string_equal(str(l, "part"), "PN-2");
	assert_string_equal(str(l, "unit"), "CA");
	assert_int_equal(num(l, "qty"), 24);
	assert_string_equal(str(l, "due"), "2027-02-01");
	/* EC the revision, SCH's date the due date */
	l = json_array_get(json_object_get(po, "lines"), 2);
	assert_string_equal(str(l, "rev"), "C");
	assert_string_equal(str(l, "due"), "2027-03-01");
	/* the blanket order: lines numbered in order, no due date, the validity */
	po = json_array_get(list, 1);
	l = json_array_get(json_object_get(po, "lines"), 1);
	assert_int_equal(num(l, "line"), 2);
	assert_null(json_object_get(l, "due"));
	assert_string_equal(str(json_object_get(l, "blanket"), "valid_until"), "2027-12-31");
	json_decref(list);
	free(data);
}

static void reads_the_860(void **state)
{
	json_t *list = NULL, *c, *changes;
	size_t len;
	char *data = fixture(&len, F860);

	(void)state;
	assert_int_equal(vault_x12__parse_860(&list, data, len), 0);
	assert_int_equal(json_array_size(list), 1);
	c = json_array_get(list, 0);
	assert_string_equal(str(c, "purpose"), "change");
	assert_string_equal(str(c, "reason"), "Quantity and schedule per ECN-88");
	changes = json_object_get(c, "changes");
	assert_int_equal(json_array_size(changes), 4);
	assert_string_equal(str(json_array_get(changes, 0), "change"), "edit");
	assert_int_equal(num(json_array_get(changes, 0), "qty"), 150);
	assert_string_equal(str(json_array_get(changes, 1), "due"), "2027-02-15");
	assert_string_equal(str(json_array_get(changes, 2), "change"), "cancel");
	assert_string_equal(str(json_array_get(changes, 3), "change"), "add");
	assert_string_equal(str(json_array_get(changes, 3), "doc"), "DWG-1");
	json_decref(list);
	free(data);
}

static void refuses(const char *path, const char *from, const char *to, const char *message)
{
	json_t *list = NULL;
	size_t len;
	char *data = edited(&len, path, from, to);
	int error = strcmp(path, F850) == 0 ? vault_x12__parse_850(&list, data, len) :
		    vault_x12__parse_860(&list, data, len);

	assert_int_equal(error, VAULT_EINVALID);
	assert_null(list);
	if (!strstr(vault_error_message(), message))
		fail_msg("'%s' does not say '%s'", vault_error_message(), message);
	free(data);
}

static void refusals(void **state)
{
	(void)state;
	refuses(F850, "BEG*00*SA", "BEG*01*SA", "(BEG): BEG01 '01' is not a purpose qvault takes");
	refuses(F850, "*DW*DWG-1*EC*C", "", "line 3 names no drawing and revision");
	refuses(F850, "PO1*1*100*", "PO1*1*100.5*", "PO102 (the quantity) '100.5' is not a whole quantity");
	refuses(F850, "SCH*10*", "SCH*9*", "SCH01 9 is not the line's quantity 10");
	refuses(F850, "DTM*093*20271231~", "", "a blanket order (BEG02 BK) without its validity");
	refuses(F850, "CTT*3*134", "CTT*3*1", "CTT02 says the quantities add up to 1, they add up to 134");
	refuses(F850, "SE*16*", "SE*17*", "SE01 says 17 segments");
	refuses(F850, "ST*850*0002", "ST*830*0002", "is an 830, not an 850 purchase order");
	refuses(F860, "POC*1*QI", "POC*1*PC", "POC02 'PC' changes a price: qvault keeps no prices");
	refuses(F860, "BCH*04", "BCH*05", "BCH01 '05' is not a purpose qvault takes");
	refuses(F860, "DTM*002*20270215~", "", "line 2 is rescheduled (POC02 RS) without its new date");
	refuses(F860, "POC*4*AI*40*0*EA*5.00*PE*BP*PN-4*DW*DWG-1*DR*C", "POC*4*AI*40*0*EA*5.00*PE*BP*PN-4",
		"line 4 names no drawing and revision");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_850),
		cmocka_unit_test(reads_the_860),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests_name("x12_po", tests, NULL, NULL);
}
