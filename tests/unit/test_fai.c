/* Unit tests of fai.c: reading tolerances off Form 3 requirements. */
#include "helpers.h"

#include <math.h>

#include "fai.h"

static void limits(const char *req, double lo, double hi)
{
	double l = -1, h = -1;

	if (!vault_fai__tolerance(req, &l, &h))
		fail_msg("'%s' did not parse", req);
	if (fabs(l - lo) > 1e-9 || fabs(h - hi) > 1e-9)
		fail_msg("'%s': %g to %g, expected %g to %g", req, l, h, lo, hi);
}

static void tolerances_parsed(void **state)
{
	(void)state;
	limits("6.0 \xc2\xb1" "0.1", 5.9, 6.1);          /* 6.0 ±0.1 */
	limits("6.0\xc2\xb1" "0.1", 5.9, 6.1);
	limits("6.0 +/-0.1", 5.9, 6.1);
	limits("6.0 +/- 0.1 mm", 5.9, 6.1);
	limits("6.0 +0.1/-0.0", 6.0, 6.1);
	limits("6.0 +0.1 -0.05", 5.95, 6.1);
	limits("10 +0.2/-0.1in", 9.9, 10.2);
	limits("\xc3\x98" "6.0 \xc2\xb1" "0.1", 5.9, 6.1); /* Ø6.0 ±0.1 */
	limits("\xe2\x8c\x80" "6.0 +/-0.1", 5.9, 6.1);    /* ⌀6.0 */
	limits("R2 +/-0.5", 1.5, 2.5);
	limits("45 \xc2\xb1" "0.5\xc2\xb0", 44.5, 45.5);   /* 45 ±0.5° */
	limits("-3.0 +/-0.2", -3.2, -2.8);
}

static void text_left_to_a_person(void **state)
{
	double lo, hi;
	static const char *const text[] = {
		"\xc3\x98" "6.2 H7", "break all edges", "", "6.0", "6.0 +0.1", "6.0 \xc2\xb1-0.1",
		"6.0 +/-0.1 furlongs", "M6x1.0-6H", "6.0 +0.1/+0.2", "nan +/-1", "inf +/-1",
		"6.0 +/-", "+/-0.1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (vault_fai__tolerance(text[i], &lo, &hi))
			fail_msg("'%s' parsed as %g to %g; it is text", text[i], lo, hi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tolerances_parsed),
		cmocka_unit_test(text_left_to_a_person),
	};

	return cmocka_run_group_tests_name("fai", tests, NULL, NULL);
}
