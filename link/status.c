/*
 * DATA/link/status.json: what `loaxa status` shows of the link. One member
 * a line, strings as common/json.c writes them, so that the reader here
 * needs no general JSON parser: it reads only what link_status_write wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "common/json.h"
#include "common/xmalloc.h"
#include "link/link.h"

/* Appends "  \"key\": value" (a JSON string, or null) to *b. */
static void
status_str(char **b, const char *key, const char *value, int last)
{
	char *q = json_quote(value), *old = *b;

	xasprintf(b, "%s  \"%s\": %s%s\n", old, key, q, last ? "" : ",");
	free(old);
	free(q);
}

static void
status_int(char **b, const char *key, int64_t value)
{
	char *old = *b;

	xasprintf(b, "%s  \"%s\": %lld,\n", old, key, (long long)value);
	free(old);
}

int
link_status_write(const char *datadir, const struct link_status *s, char **cause)
{
	char *b = xstrdup("{\n"), *path, *tmp = NULL, *err = NULL;
	size_t len;
	int fd, rc = -1;

	status_int(&b, "version", LINK_PROTOCOL);
	status_int(&b, "pid", s->pid);
	status_int(&b, "connected", s->connected);
	status_int(&b, "since_ms", s->since_ms);
	status_int(&b, "queued", s->queued);
	status_int(&b, "updated_ms", s->updated_ms);
	status_str(&b, "broker", s->broker, 0);
	status_str(&b, "last_package", s->last_package, 0);
	status_str(&b, "last_command", s->last_command, 0);
	status_str(&b, "last_error", s->last_error, 1);
	len = strlen(b);
	xasprintf(&path, "%s/%s/%s", datadir, LINK_DIR, LINK_STATUS_FILE);
	fd = file_tmp_open(path, NULL, 0640, &tmp, &err);
	if (fd >= 0) {
		b[len++] = '}';
		if (write(fd, b, len) == (ssize_t)len && write(fd, "\n", 1) == 1)
			rc = file_tmp_commit(fd, tmp, path, &err);
		else {
			unlink(tmp);
			err = xstrdup("cannot write");
		}
		close(fd);
	}
	if (rc != 0)
		xasprintf(cause, "%s: %s", path, err);
	free(err);
	free(tmp);
	free(path);
	free(b);
	return rc;
}

/* Decodes the JSON string literal at s (after its '"') into a new string. */
static char *
status_unquote(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	unsigned v;

	for (; *s != '\0' && *s != '"'; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		s++;
		if (*s == 'u' && sscanf(s + 1, "%4x", &v) == 1 && v < 0x80) {
			*o++ = (char)v;
			s += 4;
		} else if (*s == 'n')
			*o++ = '\n';
		else if (*s != '\0')
			*o++ = *s;
		else
			break;
	}
	*o = '\0';
	return out;
}

char *
link_status_json(const char *datadir)
{
	char *path, *text = NULL;
	size_t n = 0;
	FILE *f;

	xasprintf(&path, "%s/%s/%s", datadir, LINK_DIR, LINK_STATUS_FILE);
	f = fopen(path, "re");
	free(path);
	if (f == NULL)
		return NULL;
	text = xmalloc(8192);
	n = fread(text, 1, 8191, f);
	fclose(f);
	text[n] = '\0';
	if (n == 0 || text[0] != '{') {
		free(text);
		return NULL;
	}
	return text;
}

int
link_status_read(const char *datadir, struct link_status *s)
{
	char *text = link_status_json(datadir), *line, *save = NULL, *key, *v;

	memset(s, 0, sizeof *s);
	if (text == NULL)
		return -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((key = strstr(line, "\"")) == NULL || (v = strstr(key + 1, "\": ")) ==
		    NULL)
			continue;
		*v = '\0';
		key++;
		v += 3;
		if (strcmp(key, "connected") == 0)
			s->connected = atoi(v);
		else if (strcmp(key, "pid") == 0)
			s->pid = atoi(v);
		else if (strcmp(key, "since_ms") == 0)
			s->since_ms = strtoll(v, NULL, 10);
		else if (strcmp(key, "queued") == 0)
			s->queued = strtoll(v, NULL, 10);
		else if (strcmp(key, "updated_ms") == 0)
			s->updated_ms = strtoll(v, NULL, 10);
		else if (*v == '"') {
			if (strcmp(key, "broker") == 0)
				s->broker = status_unquote(v + 1);
			else if (strcmp(key, "last_package") == 0)
				s->last_package = status_unquote(v + 1);
			else if (strcmp(key, "last_command") == 0)
				s->last_command = status_unquote(v + 1);
			else if (strcmp(key, "last_error") == 0)
				s->last_error = status_unquote(v + 1);
		}
	}
	free(text);
	return 0;
}

void
link_status_clear(struct link_status *s)
{
	free(s->broker);
	free(s->last_package);
	free(s->last_command);
	free(s->last_error);
	memset(s, 0, sizeof *s);
}
