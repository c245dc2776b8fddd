/*
 * x12_write.c - the envelope of every interchange qvault writes: ISA at
 * its fixed 106 bytes, one GS group, ST ... SE sets counted, GE, IEA.
 * The 997 (x12_ack.c), 855 (x12_855.c) and 856 (x12_856w.c) writers
 * call it; what they write, the readers in x12.c read back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "util.h"
#include "x12_write.h"

#define ELEMENT '*'
#define TERMINATOR '~'
#define COMPONENT '>'

/* A QUAL:ID of X12: a 2-character qualifier, an id of 1 to 15 printable bytes. */
static int party(char qual[3], char id[16], const char *s, const char *dflt, const char *what)
{
	const char *colon;
	size_t k;

	if (!s)
		s = dflt;
	colon = strchr(s, ':');
	if (!colon || colon - s != 2 || strlen(colon + 1) < 1 || strlen(colon + 1) > 15)
		return vault_error__set(VAULT_EINVALID, "the %s '%s' is not QUAL:ID (a 2-character "
					"qualifier, an id of 1 to 15 characters)", what, s);
	for (k = 0; s[k]; k++)
		if ((unsigned char)s[k] <= 0x20 || (unsigned char)s[k] > 0x7e || s[k] == ELEMENT ||
		    s[k] == TERMINATOR || s[k] == COMPONENT)
			return vault_error__set(VAULT_EINVALID, "the %s '%s' holds a character X12 "
						"cannot carry there", what, s);
	memcpy(qual, s, 2);
	qual[2] = '\0';
	memcpy(id, colon + 1, strlen(colon + 1) + 1);
	return 0;
}

int vault_x12_ids_check(const vault_x12_ids *ids)
{
	char q[3], id[16];
	int error;

	if ((ids->sender && (error = party(q, id, ids->sender, NULL, "sender")) < 0) ||
	    (ids->receiver && (error = party(q, id, ids->receiver, NULL, "receiver")) < 0))
		return error;
	if (ids->control > 999999999)
		return vault_error__set(VAULT_EINVALID, "the control number %lu is not 1 to 999999999",
					ids->control);
	return 0;
}

int vault_x12w__begin(vault_x12w *x, const vault_x12_ids *ids, const char *gs01)
{
	char sq[3], sid[16], rq[3], rid[16], date[16], tm[8];
	unsigned long control = ids->control;
	time_t when = ids->when ? ids->when : time(NULL);
	struct tm t;
	int error;

	memset(x, 0, sizeof(*x));
	x->buf.max = SIZE_MAX;
	if ((error = party(sq, sid, ids->sender, "ZZ:QVAULT", "sender")) < 0 ||
	    (error = party(rq, rid, ids->receiver, "ZZ:PARTNER", "receiver")) < 0)
		return error;
	/* no number given: one from the clock, as translators number by time */
	if (control == 0)
		control = (unsigned long)(when % 999999999) + 1;
	if (control > 999999999)
		return vault_error__set(VAULT_EINVALID, "the control number %lu is not 1 to 999999999", control);
	if (gmtime_r(&when, &t) == NULL || strftime(date, sizeof(date), "%Y%m%d", &t) != 8 ||
	    strftime(tm, sizeof(tm), "%H%M", &t) != 4)
		return vault_error__set(VAULT_EINVALID, "the date of the interchange is out of range");
	vault__fmt_message(x->control, sizeof(x->control), "%09lu", control);
	/* ISA: every element at its width, so the ISA is 106 bytes */
	if ((error = vault_buf__addf(&x->buf, "ISA*00*          *00*          *%s*%-15s*%s*%-15s*%s*%s*U*00401*%s*0*P*%c%c\n",
				     sq, sid, rq, rid, date + 2, tm, x->control, COMPONENT, TERMINATOR)) < 0 ||
	    (error = vault_buf__addf(&x->buf, "GS*%s*%s*%s*%s*%s*%lu*X*004010%c\n", gs01, sid, rid, date, tm,
				     control, TERMINATOR)) < 0)
		return error;
	return 0;
}

int vault_x12w__set_begin(vault_x12w *x, const char *st01)
{
	int error;

	if (x->set_no == 9999)
		return vault_error__set(VAULT_EINVALID, "more than 9999 transaction sets in one interchange");
	x->set_no++;
	if ((error = vault_buf__addf(&x->buf, "ST*%s*%04lu%c\n", st01, x->set_no, TERMINATOR)) < 0)
		return error;
	x->in_set = 1;
	x->segments = 1;
	x->sets++;
	return 0;
}

/* An element X12 can carry: printable, no separator. */
static int element_ok(const char *e)
{
	for (; *e; e++)
		if ((unsigned char)*e < 0x20 || (unsigned char)*e > 0x7e || *e == ELEMENT ||
		    *e == TERMINATOR || *e == COMPONENT)
			return 0;
	return 1;
}

int vault_x12w__seg(vault_x12w *x, const char *id, ...)
{
	const char *el[64];
	size_t n = 0, k, last = 0;
	va_list ap;
	int error;

	va_start(ap, id);
	while (n < 64 && (el[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	for (k = 0; k < n; k++) {
		if (!element_ok(el[k]))
			return vault_error__set(VAULT_EINVALID, "%s%02zu '%s' holds a character X12 cannot "
						"carry ('%c', '%c', '%c' or a control character)", id, k + 1,
						el[k], ELEMENT, TERMINATOR, COMPONENT);
		if (*el[k])
			last = k + 1;
	}
	if ((error = vault_buf__add(&x->buf, id, strlen(id))) < 0)
		return error;
	for (k = 0; k < last; k++)
		if ((error = vault_buf__addf(&x->buf, "%c%s", ELEMENT, el[k])) < 0)
			return error;
	if ((error = vault_buf__addf(&x->buf, "%c\n", TERMINATOR)) < 0)
		return error;
	x->segments++;
	return 0;
}

int vault_x12w__text(vault_x12w *x, const char *id, const char *qual, const char *text, size_t max)
{
	char *t = vault__strndup(text, max);
	size_t k;
	int error;

	for (k = 0; t[k]; k++)
		if ((unsigned char)t[k] < 0x20 || (unsigned char)t[k] > 0x7e || t[k] == ELEMENT ||
		    t[k] == TERMINATOR || t[k] == COMPONENT)
			t[k] = ' ';
	error = qual ? vault_x12w__seg(x, id, qual, t, NULL) : vault_x12w__seg(x, id, t, NULL);
	free(t);
	return error;
}

int vault_x12w__set_end(vault_x12w *x)
{
	int error;

	if ((error = vault_buf__addf(&x->buf, "SE*%zu*%04lu%c\n", x->segments + 1, x->set_no,
				     TERMINATOR)) < 0)
		return error;
	x->in_set = 0;
	return 0;
}

int vault_x12w__end(char **out, vault_x12w *x)
{
	int error;

	*out = NULL;
	if ((error = vault_buf__addf(&x->buf, "GE*%zu*%lu%c\nIEA*1*%s%c\n", x->sets,
				     strtoul(x->control, NULL, 10), TERMINATOR, x->control, TERMINATOR)) < 0)
		return error;
	*out = vault_buf__detach(&x->buf);
	return 0;
}

void vault_x12w__dispose(vault_x12w *x)
{
	vault_buf__dispose(&x->buf);
}

int vault_x12w__date(char out[9], const char *iso)
{
	if (!iso || strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-' || strspn(iso, "0123456789") != 4)
		return -1;
	memcpy(out, iso, 4);
	memcpy(out + 4, iso + 5, 2);
	memcpy(out + 6, iso + 8, 2);
	out[8] = '\0';
	return strspn(out, "0123456789") == 8 ? 0 : -1;
}
