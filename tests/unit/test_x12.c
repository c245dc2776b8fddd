/* Unit tests of x12.c: the 856 reader on the fixture and on what breaks it. */
#include "helpers.h"

#include "portal.h"
#include "x12.h"

#define FIXTURE "tests/fixtures/856/ship-notice.856"

static char *fixture(size_t *len)
{
	FILE *f = fopen(FIXTURE, "rb");
	char *data = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(data);
	*len = fread(data, 1, (1 << 16) - 1, f);
	data[*len] = '\0';
	fclose(f);
	return data;
}

/* The fixture with `from` replaced by `to` (once), malloc'd. */
static char *edited(size_t *len, const char *from, const char *to)
{
	char *data = fixture(len), *at = strstr(data, from), *out;
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

static void reads_the_fixture(void **state)
{
	json_t *list = NULL, *asn, *p;
	size_t len;
	char *data = fixture(&len);

	(void)state;
	assert_int_equal(vault_x12__parse_856(&list, data, len), 0);
	assert_int_equal(json_array_size(list), 1);
	asn = json_array_get(list, 0);
	assert_string_equal(str(asn, "asn"), "SHIP-0001");
	assert_string_equal(str(asn, "po"), "PO-1");
	assert_string_equal(str(asn, "ship_date"), "2026-11-27");
	assert_string_equal(str(asn, "carrier"), "UPSN");
	assert_string_equal(str(asn, "tracking"), "1Z999AA10123456784");
	assert_int_equal(json_array_size(json_object_get(asn, "packages")), 2);
	p = json_array_get(json_object_get(asn, "packages"), 1);
	assert_string_equal(str(p, "id"), "CTN-002");
	assert_string_equal(str(p, "lot"), "L-2");
	/* the part numbers the item names (LIN's BP, IN, PN, VP): checked against its lot's */
	assert_int_equal(json_array_size(json_object_get(p, "part")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "part"), 0)), "PN-1");
	assert_string_equal(str(p, "unit"), "EA");
	assert_int_equal(json_integer_value(json_object_get(p, "qty")), 5);
	json_decref(list);
	free(data);
}

static void refuses(const char *from, const char *to, const char *message)
{
	json_t *list = NULL;
	size_t len;
	char *data = edited(&len, from, to);

	assert_int_equal(vault_x12__parse_856(&list, data, len), VAULT_EINVALID);
	assert_null(list);
	if (!strstr(vault_error_message(), message))
		fail_msg("'%s' does not say '%s'", vault_error_message(), message);
	free(data);
}

static void envelope_refusals(void **state)
{
	(void)state;
	refuses("SE*23*", "SE*24*", "SE01 says 24 segments, transaction set '0001' has 23");
	refuses("SE*23*0001", "SE*23*0002", "SE02 '0002' does not match ST02 '0001'");
	refuses("GE*1*101", "GE*3*101", "GE01 says 3 transaction sets");
	refuses("IEA*1*", "IEA*2*", "IEA01 says 2 groups");
	refuses("IEA*1*000000101~\n", "", "no IEA trailer");
	refuses("ST*856*", "ST*810*", "is a 810, not an 856 ship notice");
	refuses("*00401*", "*0401**", "ISA is not the fixed 106 bytes");
	refuses("GS*SH*", "XX*SH*", "a segment outside a transaction set");
}

static void hierarchy_refusals(void **state)
{
	(void)state;
	refuses("BSN*00*SHIP-0001*20261127", "BSN*00*SHIP-0001*2026112", "BSN03 '2026112' is not a date");
	refuses("SN1**10*", "SN1**1.5*", "SN102 '1.5' is not a whole quantity");
	/* any product qualifier is taken; a LIN naming none is not */
	refuses("LIN**BP*PN-1~\nSN1**10", "LIN**~\nSN1**10", "LIN names no product");
	/* a level qvault does not read is passed over; a parent that is not there is not */
	refuses("HL*2*1*O", "HL*2*7*O", "HL02 '7' names no HL before it");
	refuses("BSN*00*", "BSN*04*", "BSN01 '04' is not a purpose qvault takes");
	refuses("PRF*PO-1", "PRF*", "PRF01 (the PO) is missing");
}

static void other_separators(void **state)
{
	json_t *list = NULL;
	size_t len, i;
	char *data = fixture(&len);

	(void)state;
	for (i = 0; i < len; i++)
		data[i] = data[i] == '*' ? '^' : data[i] == '~' ? '\n' : data[i];
	assert_int_equal(vault_x12__parse_856(&list, data, len), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	free(data);
}

/* The 856 over three POs: a notice each, numbered BSN02+PO, its items only. */
static void reads_several_orders(void **state)
{
	static const char *const want[][3] = {
		{ "SHIP-0002+PO-A", "PO-A", "LA-1" },
		{ "SHIP-0002+PO-B", "PO-B", "LB-1" },
		{ "SHIP-0002+PO-C", "PO-C", "LC-1" },
	};
	FILE *f = fopen("tests/fixtures/856/several-orders.856", "rb");
	char *data = malloc(1 << 16);
	json_t *list = NULL, *asn;
	size_t len, i;

	(void)state;
	assert_non_null(f);
	assert_non_null(data);
	len = fread(data, 1, (1 << 16) - 1, f);
	fclose(f);
	assert_int_equal(vault_x12__parse_856(&list, data, len), 0);
	assert_int_equal(json_array_size(list), 3);
	json_array_foreach(list, i, asn) {
		json_t *p = json_array_get(json_object_get(asn, "packages"), 0);

		assert_string_equal(str(asn, "asn"), want[i][0]);
		assert_string_equal(str(asn, "po"), want[i][1]);
		assert_string_equal(str(asn, "carrier"), "FDEG");
		assert_string_equal(str(p, "lot"), want[i][2]);
	}
	assert_int_equal(json_array_size(json_object_get(json_array_get(list, 0), "packages")), 2);
	json_decref(list);
	free(data);
}

/* The R elements read as whole numbers: digits, then a fraction of zeros only. */
static void whole_numbers(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_true(vault_x12__whole("24", 10, &v));
	assert_int_equal(v, 24);
	assert_true(vault_x12__whole("24.000", 10, &v));
	assert_int_equal(v, 24);
	assert_true(vault_x12__whole("24.", 10, &v));
	assert_int_equal(v, 24);
	assert_true(vault_x12__whole("0", 10, &v));
	assert_int_equal(v, 0);
	assert_true(vault_x12__whole("9999999999", 10, &v));
	assert_int_equal(v, 9999999999ULL);
	assert_true(vault_x12__whole("999999999999999", 15, &v));
	v = 7;
	assert_false(vault_x12__whole("99999999999", 10, &v));
	assert_false(vault_x12__whole("", 10, &v));
	assert_false(vault_x12__whole(".5", 10, &v));
	assert_false(vault_x12__whole("24.5", 10, &v));
	assert_false(vault_x12__whole("24.0005", 10, &v));
	assert_false(vault_x12__whole("-24", 10, &v));
	assert_false(vault_x12__whole("+24", 10, &v));
	assert_false(vault_x12__whole(" 24", 10, &v));
	assert_false(vault_x12__whole("24 ", 10, &v));
	assert_false(vault_x12__whole("24.0.0", 10, &v));
	assert_false(vault_x12__whole("2E3", 10, &v));
	assert_int_equal(v, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_fixture),
		cmocka_unit_test(envelope_refusals),
		cmocka_unit_test(hierarchy_refusals),
		cmocka_unit_test(other_separators),
		cmocka_unit_test(reads_several_orders),
		cmocka_unit_test(whole_numbers),
	};

	return cmocka_run_group_tests_name("x12", tests, NULL, NULL);
}
