#include "intake.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "pdf.h"
#include "store.h"
#include "util.h"
#include "vault.h"

/*
 * Open `path` as a regular, non-empty file of at most `max` bytes (the
 * limit at git config `key`), its size taken from fstat before a byte is
 * read.
 */
static int open_source(int *fd, uint64_t *size, const char *path, uint64_t max,
		       const char *key)
{
	struct stat st;

	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ?
			vault_error__set(VAULT_ENOTFOUND, "file '%s' does not exist", path) :
			vault_error__errno(VAULT_ERROR, "cannot open '%s'", path);
	if (fstat(*fd, &st) < 0) {
		close(*fd);
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(*fd);
		return vault_error__set(VAULT_EINVALID, "'%s' is %s, not a file", path,
			S_ISDIR(st.st_mode) ? "a folder" : "special");
	}
	if (st.st_size == 0) {
		close(*fd);
		return vault_error__set(VAULT_EINVALID, "file '%s' is empty", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(*fd);
		return vault_error__set(VAULT_EINVALID,
			"'%s' is larger than the limit of %llu bytes (git config %s)", path,
			(unsigned long long)max, key);
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int vault_intake__check_path(const char *path, uint64_t max, const char *key)
{
	uint64_t size;
	int fd, error;

	if ((error = open_source(&fd, &size, path, max, key)) < 0)
		return error;
	close(fd);
	return 0;
}

/* Below this many bytes libmagic may call any content application/octet-stream. */
#define TOO_SHORT 8

int vault_intake__open(vault_intake *in, vault_detect *d, const vault_config *cfg,
		       const char *path, const char *type, int want_id)
{
	const char *mime;
	int error;

	memset(in, 0, sizeof(*in));
	in->fd = -1;
	if ((error = open_source(&in->fd, &in->size, path, UINT64_MAX, "")) < 0)
		return error;
	in->first_len = in->size < VAULT_CHUNK ? (size_t)in->size : VAULT_CHUNK;
	if ((in->first = malloc(in->first_len)) == NULL)
		abort();
	{
		size_t got = 0;

		while (got < in->first_len) {
			ssize_t n = read(in->fd, in->first + got, in->first_len - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				error = n < 0 ?
					vault_error__errno(VAULT_ERROR, "cannot read '%s'", path) :
					vault_error__set(VAULT_EINVALID,
						"file '%s' changed while it was being read", path);
				goto fail;
			}
			got += (size_t)n;
		}
	}
	if (in->first_len == in->size) {
		unsigned char extra;
		ssize_t n;

		while ((n = read(in->fd, &extra, 1)) < 0 && errno == EINTR)
			;
		if (n != 0) {
			error = vault_error__set(VAULT_EINVALID,
				"file '%s' changed while it was being read", path);
			goto fail;
		}
		in->whole = 1;
	}
	if ((error = vault_detect__buffer(&mime, d, in->first, in->first_len)) < 0)
		goto fail;
	/* libmagic names nothing from a byte or two: say so, not "octet-stream" */
	if (in->size < TOO_SHORT && strcmp(mime, "application/octet-stream") == 0 &&
	    vault_config__check(cfg, type, mime, path) < 0) {
		error = vault_error__set(VAULT_EINVALID,
			"file '%s' holds only %u byte%s, too few to tell what it is", path,
			(unsigned)in->size, in->size == 1 ? "" : "s");
		goto fail;
	}
	if ((error = vault__fmt(in->mime, sizeof(in->mime), "MIME type", "%s", mime)) < 0 ||
	    (error = vault_config__check(cfg, type, in->mime, path)) < 0)
		goto fail;
	if (vault_pdf__opens_as_pdf(in->mime, in->first, in->first_len) &&
	    (error = vault_pdf__check(&in->findings, cfg->pdf, type, path, in->fd)) < 0)
		goto fail;
	if ((in->sha = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(in->sha, EVP_sha256(), NULL)) {
		error = vault_error__ssl(VAULT_ERROR, "cannot hash '%s'", path);
		goto fail;
	}
	if (want_id && in->whole) {
		if (git_odb_hash(&in->id, in->first, in->first_len, GIT_OBJECT_BLOB) < 0) {
			error = vault_error__git(VAULT_ERROR, "cannot hash '%s'", path);
			goto fail;
		}
	} else {
		if (!EVP_DigestUpdate(in->sha, in->first, in->first_len)) {
			error = vault_error__ssl(VAULT_ERROR, "cannot hash '%s'", path);
			goto fail;
		}
		in->hashed = in->first_len;
	}
	return 0;
fail:
	vault_intake__dispose(in);
	return error;
}

void vault_intake__dispose(vault_intake *in)
{
	if (in->fd >= 0)
		close(in->fd);
	free(in->first);
	free(in->findings);
	EVP_MD_CTX_free(in->sha);
	memset(in, 0, sizeof(*in));
	in->fd = -1;
}

/* ---- the prefetcher ------------------------------------------------- */

#define AHEAD 2

typedef struct {
	vault_intake in;
	int error;
	char message[1024];
} slot;

struct vault_prefetch {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	vault_detect *detect;
	const vault_config *cfg;
	const char *const *paths;
	const char *const *types;
	size_t n;
	slot ring[AHEAD];
	size_t produced, consumed; /* counts; ring index is count % AHEAD */
	int stop;
};

static void *worker(void *arg)
{
	vault_prefetch *p = arg;
	size_t i;

	for (i = 0; i < p->n; i++) {
		slot s;

		pthread_mutex_lock(&p->lock);
		while (!p->stop && p->produced - p->consumed == AHEAD)
			pthread_cond_wait(&p->changed, &p->lock);
		if (p->stop) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		pthread_mutex_unlock(&p->lock);

		s.error = vault_intake__open(&s.in, p->detect, p->cfg, p->paths[i],
					     p->types[i], 1);
		/* as long as error.c's own message: it fits */
		if (s.error < 0)
			(void)vault__fmt(s.message, sizeof(s.message), "message", "%s",
					 vault_error_message());

		pthread_mutex_lock(&p->lock);
		p->ring[p->produced % AHEAD] = s;
		p->produced++;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		if (s.error < 0)
			break; /* the batch is refused: nothing more to read */
	}
	return NULL;
}

int vault_prefetch__start(vault_prefetch **out, vault_detect *d,
			  const vault_config *cfg, const char *const *paths,
			  const char *const *types, size_t n)
{
	vault_prefetch *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	p->detect = d;
	p->cfg = cfg;
	p->paths = paths;
	p->types = types;
	p->n = n;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	if (pthread_create(&p->thread, NULL, worker, p) != 0) {
		pthread_cond_destroy(&p->changed);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return vault_error__set(VAULT_ERROR, "cannot start a reader thread");
	}
	*out = p;
	return 0;
}

int vault_prefetch__next(vault_intake *out, vault_prefetch *p)
{
	slot s;

	pthread_mutex_lock(&p->lock);
	while (p->produced == p->consumed)
		pthread_cond_wait(&p->changed, &p->lock);
	s = p->ring[p->consumed % AHEAD];
	p->consumed++;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	if (s.error < 0)
		return vault_error__set(s.error, "%s", s.message);
	*out = s.in;
	return 0;
}

void vault_prefetch__free(vault_prefetch *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	while (p->consumed < p->produced) {
		slot *s = &p->ring[p->consumed++ % AHEAD];

		if (s->error == 0)
			vault_intake__dispose(&s->in);
	}
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
