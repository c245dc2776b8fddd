/* Unit tests of x12_forecast.c: the 830/862 reader on the fixtures and on what breaks them. */
#include "helpers.h"

#include "x12.h"

#define F830 "tests/fixtures/830/planning-schedule.830"
#define F862 "tests/fixtures/862/shipping-schedule.862"

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

/* The 830 fixture with `from` replaced by `to` (once), malloc'd. */
static char *edited(size_t *len, const char *from, const char *to)
{
	char *data = fixture(len, F830), *at = strstr(data, from), *out;
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

static void reads_the_830(void **state)
{
	json_t *list = NULL, *s, *b;
	size_t len;
	char *data = fixture(&len, F830);

	(void)state;
	assert_int_equal(vault_x12__parse_forecast(&list, data, len), 0);
	assert_int_equal(json_array_size(list), 2);
	s = json_array_get(list, 0);
	assert_string_equal(str(s, "schedule"), "forecast");
	assert_string_equal(str(s, "supplier"), "ACME");
	assert_string_equal(str(s, "ship_to"), "PLANT-2");
	assert_string_equal(str(s, "part"), "PN-1");
	assert_int_equal(json_array_size(json_object_get(s, "buckets")), 6);
	b = json_array_get(json_object_get(s, "buckets"), 5);
	assert_string_equal(str(b, "period"), "flexible");
	assert_string_equal(str(b, "end"), "2027-02-28");
	assert_string_equal(str(b, "status"), "trade-off");
	assert_int_equal(json_array_size(json_object_get(s, "authorizations")), 2);
	assert_string_equal(str(json_object_get(s, "last_receipt"), "shipment"), "SHIP-0001");
	/* PN-2's own N1*ST; its buckets share their words and the dates of PN-1's */
	s = json_array_get(list, 1);
	assert_string_equal(str(s, "ship_to"), "DOCK-7");
	assert_null(json_object_get(s, "authorizations"));
	assert_ptr_equal(json_object_get(json_array_get(json_object_get(s, "buckets"), 0), "period"),
			 json_object_get(json_array_get(json_object_get(s, "buckets"), 1), "period"));
	assert_ptr_equal(json_object_get(json_array_get(json_object_get(s, "buckets"), 0), "start"),
			 json_object_get(json_array_get(json_object_get(json_array_get(list, 0), "buckets"), 0),
					 "start"));
	json_decref(list);
	free(data);
}

static void reads_the_862(void **state)
{
	json_t *list = NULL, *b;
	size_t len;
	char *data = fixture(&len, F862);

	(void)state;
	assert_int_equal(vault_x12__parse_forecast(&list, data, len), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(str(json_array_get(list, 0), "schedule"), "delivery");
	b = json_array_get(json_object_get(json_array_get(list, 0), "buckets"), 1);
	assert_string_equal(str(b, "start"), "2026-11-30");
	assert_string_equal(str(b, "time"), "14:00");
	assert_null(json_object_get(json_array_get(list, 1), "unit"));
	json_decref(list);
	free(data);
}

static void the_receiver_supplies(void **state)
{
	json_t *list = NULL;
	size_t len;
	char *data = edited(&len, "N1*SU*ACME MACHINING*92*ACME~", "N1*BY*BUYER CORP*92*BUYERCORP~");

	(void)state;
	assert_int_equal(vault_x12__parse_forecast(&list, data, len), 0);
	assert_string_equal(str(json_array_get(list, 1), "supplier"), "ACMEMACHINING");
	json_decref(list);
	free(data);
}

static void refuses(const char *from, const char *to, const char *message)
{
	json_t *list = NULL;
	size_t len;
	char *data = edited(&len, from, to);

	assert_int_equal(vault_x12__parse_forecast(&list, data, len), VAULT_EINVALID);
	assert_null(list);
	if (!strstr(vault_error_message(), message))
		fail_msg("'%s' does not say '%s'", vault_error_message(), message);
	free(data);
}

static void refusals(void **state)
{
	(void)state;
	refuses("FST*500*C*W*20261207~", "FST*500*C*W*20261129~", "(FST): FST dates out of order");
	refuses("FST*450*D*W*20261214~", "FST*450*D*W*20261213~", "overlaps the one before");
	refuses("*Z*F*20270201*20270228~", "*Z*F*20270201~", "without its end date (FST05)");
	refuses("SE*27*", "SE*28*", "SE01 says 28 segments, transaction set '0001' has 27");
	refuses("CTT*2*6250", "CTT*1*6250", "CTT01 says 1 line items, the set has 2 LIN");
	refuses("CTT*2*6250", "CTT*2*1", "CTT02 says the quantities (FST01) add up to 1");
	refuses("ATH*MT*", "ATH*LB*", "ATH01 'LB' is not an authorization qvault reads");
	refuses("LIN**BP*PN-2", "LIN**PO*PO-7", "LIN names no buyer's part (qualifier BP)");
	refuses("ST*830*", "ST*856*", "is an 856, not an 830 planning schedule");
	refuses("PER*EX*", "HL*EX*", "HL is a ship notice's (856) segment, not an 830's");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_830),
		cmocka_unit_test(reads_the_862),
		cmocka_unit_test(the_receiver_supplies),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests_name("x12_forecast", tests, NULL, NULL);
}
