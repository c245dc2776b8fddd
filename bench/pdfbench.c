/*
 * pdfbench - the time of qvault's PDF check (vault/pdf.c) through
 * libqvault: each file checked RUNS times as a drawing under the
 * built-in policy; prints, for each, its size, the median and the
 * fastest run in milliseconds of CPU time (the process's and the
 * check's child's, which this process's checker server forks and reaps:
 * on a shared machine, wall time measures the neighbours; the server's
 * own fork is not counted), the median per MB, and
 * what the check found (tabs between).
 *
 *   pdfbench [--here | --spawn QVAULT | --parse] RUNS FILE...
 *
 * By default the check runs as `add` runs it, in a child of a checker
 * server forked from this process (it has one thread).  --here: in this
 * process, unbounded, as the fuzz target runs it.  --spawn QVAULT: from
 * a process of two threads, in a child of a checker server that is
 * QVAULT started afresh once (vault_pdf_set_checker), as a threaded
 * command that did not call vault_pdf_prepare runs it; the second
 * thread only sleeps.  --parse: no check, libqpdf alone reading every
 * object of the file (each one's type asked for, so that it is parsed):
 * the floor under any check that reads every object through qpdf's C API.
 *
 * A file the check refuses is a result too: it is printed, not an error.
 */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lazy_qpdf.h"
#include "pdf.h"
#include "vault.h"

static double tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

/* CPU time so far, user and system, of this process and its children waited for */
static double now_ms(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return tv_ms(self.ru_utime) + tv_ms(self.ru_stime) + tv_ms(kids.ru_utime) +
	       tv_ms(kids.ru_stime);
}

/* --parse: every object of `file` read by libqpdf, its type asked for; -1 when it cannot be opened */
static int parse_all(const char *file)
{
	qpdf_data q = qpdf_init();
	int error = 0;

	qpdf_silence_errors(q);
	if (qpdf_read(q, file, NULL) & QPDF_ERRORS) {
		error = -1;
	} else {
		qpdf_oh trailer = qpdf_get_trailer(q), size = qpdf_oh_get_key(q, trailer, "/Size");
		long long n = qpdf_oh_get_int_value(q, size);

		for (long long id = 1; id < n && id < 100000000; id++) {
			qpdf_oh o = qpdf_get_object_by_id(q, (int)id, 0);

			(void)qpdf_oh_get_type_code(q, o);
			qpdf_oh_release(q, o);
		}
	}
	qpdf_cleanup(&q);
	return error;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* a second thread, that the process be one of several */
static void *idle(void *unused)
{
	(void)unused;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	char *end = NULL;
	long n;
	int runs = 0, i, r, here = 0, parse = 0;
	pthread_t t2;

	if (argc > 1 && strcmp(argv[1], "--here") == 0) {
		here = 1;
		argc--, argv++;
	} else if (argc > 1 && strcmp(argv[1], "--parse") == 0) {
		if (vault_qpdf__load() < 0)
			return fprintf(stderr, "pdfbench: %s\n", vault_error_message()), 1;
		parse = 1;
		argc--, argv++;
	} else if (argc > 2 && strcmp(argv[1], "--spawn") == 0) {
		vault_pdf_set_checker(argv[2]);
		if (pthread_create(&t2, NULL, idle, NULL) != 0)
			return perror("pthread_create"), 1;
		argc -= 2, argv += 2;
	}
	n = argc > 2 ? strtol(argv[1], &end, 10) : 0;

	/* RUNS whole, 1 to 10000: a number read as some other number is refused */
	if (end && *end == '\0' && n >= 1 && n <= 10000)
		runs = (int)n;
	if (runs < 1) {
		fprintf(stderr, "usage: pdfbench [--here | --spawn QVAULT | --parse] RUNS FILE...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		double *t = calloc((size_t)runs, sizeof(double)), mb;
		const char *said = "accepted";
		char *findings = NULL;
		struct stat st;
		int fd = open(argv[i], O_RDONLY), error = 0;

		if (!t || fd < 0 || fstat(fd, &st) < 0)
			return perror(argv[i]), 1;
		for (r = 0; r < runs; r++) {
			double start = now_ms();

			free(findings);
			findings = NULL;
			if (parse)
				error = parse_all(argv[i]);
			else
				error = here ? vault_pdf__check_here(&findings, NULL, "drawing", argv[i], fd) :
					       vault_pdf__check(&findings, NULL, "drawing", argv[i], fd);
			/* the child's CPU time, which the checker server reaped */
			t[r] = now_ms() - start + vault_pdf__check_cpu_us() / 1e3;
		}
		qsort(t, (size_t)runs, sizeof(double), cmp_double);
		mb = st.st_size / 1048576.0;
		if (error < 0)
			said = parse ? "libqpdf cannot open it" : vault_error_message();
		else if (parse)
			said = "parsed";
		else if (findings)
			said = findings;
		printf("%s\t%.0f\t%.3f\t%.3f\t%.3f\t%s\n", argv[i], (double)st.st_size,
		       t[runs / 2], t[0], t[runs / 2] / mb, said);
		free(findings);
		free(t);
		close(fd);
	}
	return 0;
}
