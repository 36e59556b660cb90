/* The package chunk's header (the format is in link/chunk.h). */
#include <errno.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "link/chunk.h"

/* Whether s (n bytes) is a SHA-256 in lower-case hex. */
static int
chunk_sha_ok(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The next header line, "word VALUE", its value copied into val; 0 if not. */
static int
chunk_line(const char **p, const char *end, const char *word, char *val,
    size_t max)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t wl = strlen(word), n;

	if (nl == NULL || (size_t)(nl - *p) <= wl + 1 ||
	    strncmp(*p, word, wl) != 0 || (*p)[wl] != ' ')
		return 0;
	n = (size_t)(nl - *p) - wl - 1;
	if (n >= max)
		return 0;
	memcpy(val, *p + wl + 1, n);
	val[n] = '\0';
	*p = nl + 1;
	return 1;
}

/* The next line "word NUMBER" with min <= NUMBER <= max into *v; 0 if not. */
static int
chunk_number(const char **p, const char *end, const char *word, int64_t min,
    int64_t max, int64_t *v)
{
	char val[24], *e;
	long long x;

	if (!chunk_line(p, end, word, val, sizeof val) || val[0] < '0' ||
	    val[0] > '9')
		return 0;
	errno = 0;
	x = strtoll(val, &e, 10);
	if (*e != '\0' || errno != 0 || x < min || x > max)
		return 0;
	*v = x;
	return 1;
}

int
link_chunk_parse(const void *msg, size_t len, struct link_chunk *c,
    char **cause)
{
	const char *p = msg, *end = p + len;
	size_t ml = strlen(LINK_CHUNK_MAGIC);
	int64_t want;

	memset(c, 0, sizeof *c);
	if (len < ml + 1 || memcmp(p, LINK_CHUNK_MAGIC "\n", ml + 1) != 0) {
		xasprintf(cause, "not a package chunk (it must start with '%s')",
		    LINK_CHUNK_MAGIC);
		return -1;
	}
	p += ml + 1;
	if (!chunk_line(&p, end, "package", c->package, sizeof c->package) ||
	    !chunk_sha_ok(c->package, strlen(c->package))) {
		c->package[0] = '\0';
		xasprintf(cause, "malformed chunk: no package SHA-256");
		return -1;
	}
	if (!chunk_number(&p, end, "size", 1, LINK_PKG_MAX, &c->size)) {
		xasprintf(cause, "refused: the package's size is missing or above "
		    "%lld bytes", (long long)LINK_PKG_MAX);
		return -1;
	}
	if (!chunk_number(&p, end, "chunk-size", 1, LINK_CHUNK_MAX, &c->chunk_size) ||
	    !chunk_number(&p, end, "index", 0, INT32_MAX, &c->index) ||
	    !chunk_number(&p, end, "count", 1, INT32_MAX, &c->count) ||
	    !chunk_line(&p, end, "sha256", c->sha256, sizeof c->sha256) ||
	    !chunk_sha_ok(c->sha256, strlen(c->sha256)) || p >= end || *p != '\n') {
		xasprintf(cause, "malformed chunk header of package %.12s", c->package);
		return -1;
	}
	p++;
	if (c->count != (c->size + c->chunk_size - 1) / c->chunk_size ||
	    c->index >= c->count) {
		xasprintf(cause, "malformed chunk of package %.12s: index %lld, count "
		    "%lld do not fit its size", c->package, (long long)c->index,
		    (long long)c->count);
		return -1;
	}
	want = c->index < c->count - 1 ? c->chunk_size :
	    c->size - c->chunk_size * (c->count - 1);
	if ((int64_t)(end - p) != want) {
		xasprintf(cause, "malformed chunk %lld of package %.12s: %lld bytes, "
		    "%lld expected", (long long)c->index, c->package,
		    (long long)(end - p), (long long)want);
		return -1;
	}
	c->data = (const unsigned char *)p;
	c->len = (size_t)want;
	return 0;
}

size_t
link_chunk_make(const unsigned char *pkg, int64_t size, const char *package,
    int64_t chunk_size, int64_t index, unsigned char **msg)
{
	unsigned char d[crypto_hash_sha256_BYTES];
	const unsigned char *data = pkg + index * chunk_size;
	size_t len = (size_t)(index * chunk_size + chunk_size <= size ? chunk_size :
	    size - index * chunk_size), hl;
	char hex[65], *head;

	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(hex, sizeof hex, d, sizeof d);
	hl = (size_t)xasprintf(&head, "%s\npackage %s\nsize %" PRId64 "\nchunk-size %"
	    PRId64 "\nindex %" PRId64 "\ncount %" PRId64 "\nsha256 %s\n\n",
	    LINK_CHUNK_MAGIC, package, size, chunk_size, index,
	    (size + chunk_size - 1) / chunk_size, hex);
	*msg = xmalloc(hl + len);
	memcpy(*msg, head, hl);
	memcpy(*msg + hl, data, len);
	free(head);
	return hl + len;
}
