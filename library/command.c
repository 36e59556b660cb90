/*
 * District commands: what a district asks its stations to do (air a
 * bulletin now, stop, send an export, take a timetable) in one signed text, so that the
 * broker that carries it is trusted with nothing. The format, like a
 * package's header:
 *
 *   LOAXA-COMMAND 1\n
 *   signer BASE64(Ed25519 public key, 32 bytes)\n
 *   signed-at SECONDS\n                 the signer's clock, UTC
 *   expires SECONDS\n                   refused after this time, UTC
 *   sequence SEQ\n                      1 <= SEQ < 2^63, per signer
 *   stations CODE[ CODE...]\n           the targets: station codes and/or
 *   groups NAME[ NAME...]\n             group names (one of the two at least)
 *   action play|stop|export|timetable\n
 *   then the action's arguments, one line each, in this order:
 *     bulletin ID|SHA256\n              play: a bulletin id or its SHA-256
 *     priority normal|priority|emergency\n   play
 *     period SPEC\n                     export: YYYY-H1, YYYY-9M, YYYY or
 *                                       YYYY-MM-DD..YYYY-MM-DD
 *     file NAME\n                       timetable: the file's name (1 to 64
 *                                       bytes of UTF-8, no '/', space or
 *                                       control)
 *     timetable BASE64(TEXT)\n          timetable: the file, libconfig text
 *                                       of at most LIB_CMD_TIMETABLE_MAX bytes
 *   signature BASE64(64 bytes)\n
 *
 * The signature is Ed25519 (crypto_sign_detached) over every byte before
 * the signature line. A code or group name is 1 to 32 letters, digits, '-'
 * and '_'; a command is at most LIB_CMD_MAX bytes. Whether a station takes
 * it is then: its signer in trust.districts, the signature good, not
 * expired (lib_cmd_verify), the station among its targets (lib_cmd_for),
 * and its sequence above the last one taken from that signer in scope
 * "command" (lib_seq_db_take).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "library/internal.h"

#define CMD_MAGIC "LOAXA-COMMAND 1"

/* A target's name: letters, digits, '-' and '_', 1 to 32. */
static int
cmd_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* A bulletin reference: an id (1 to 18 digits) or a full SHA-256. */
static int
cmd_bulletin_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 64)
		return lib_pkg_sha256_ok(s);
	if (n < 1 || n > 18 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A period as reports take it: its characters only (reports/ parses it). */
static int
cmd_period_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 4 || n > 22)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.' ||
		    s[i] == 'H' || s[i] == 'M'))
			return 0;
	return 1;
}

/* A timetable file's name as it travels: UTF-8, no path, one word. */
static int
cmd_file_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > LIB_CMD_FILE_MAX || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0 || !utf8_valid(s))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == 0x7f)
			return 0;
	return 1;
}

char *
lib_cmd_file_name(const char *path)
{
	const char *base = strrchr(path, '/'), *s;
	char *out, *o;
	size_t n;

	base = base != NULL ? base + 1 : path;
	out = o = xmalloc(strlen(base) + 1);
	for (s = base; *s != '\0'; s += n) {
		if ((n = utf8_char(s)) == 0)
			n = 1;
		if ((size_t)(o - out) + n > LIB_CMD_FILE_MAX)
			break;
		if (n == 1 && ((unsigned char)*s <= ' ' || *s == 0x7f ||
		    (unsigned char)*s >= 0x80))
			*o++ = '-';
		else {
			memcpy(o, s, n);
			o += n;
		}
	}
	*o = '\0';
	if (!cmd_file_ok(out)) {
		free(out);
		out = xstrdup("timetable.conf");
	}
	return out;
}

int
lib_cmd_timetable_text(const char *name, const char *text, size_t len,
    char **cause)
{
	const char *s = text, *end = text + len;
	size_t n;
	int line = 1;

	if (len > LIB_CMD_TIMETABLE_MAX) {
		xasprintf(cause, _("%s: larger than %d bytes, the most a district's "
		    "timetable may be"), name, LIB_CMD_TIMETABLE_MAX);
		return LIB_REJECTED;
	}
	for (; s < end; s += n) {
		if (*s == '\0') {
			xasprintf(cause, _("%s:%d: a NUL byte: not a text file (byte "
			    "offset %zu)"), name, line, (size_t)(s - text));
			return LIB_REJECTED;
		}
		if ((n = utf8_char(s)) == 0 || n > (size_t)(end - s)) {
			xasprintf(cause, _("%s:%d: not UTF-8 text: byte offset %zu"), name,
			    line, (size_t)(s - text));
			return LIB_REJECTED;
		}
		line += *s == '\n';
	}
	return 0;
}

static int
cmd_priority_ok(const char *s)
{
	return strcmp(s, "normal") == 0 || strcmp(s, "priority") == 0 ||
	    strcmp(s, "emergency") == 0;
}

/* Checks what c asks for: LIB_REJECTED with the reason when it is not a command. */
static int
cmd_check(const struct lib_cmd *c, char **cause)
{
	size_t i;

	if (c->nstations + c->ngroups == 0) {
		xasprintf(cause, _("a command names at least one station or group"));
		return LIB_REJECTED;
	}
	for (i = 0; i < c->nstations + c->ngroups; i++) {
		const char *s = i < c->nstations ? c->stations[i] :
		    c->groups[i - c->nstations];

		if (!cmd_name_ok(s, strlen(s))) {
			xasprintf(cause, _("'%.40s' is not a station code or group name "
			    "(letters, digits, '-' and '_', at most 32)"), s);
			return LIB_REJECTED;
		}
	}
	if (c->sequence < 1 || c->sequence == INT64_MAX || c->signed_at < 0 ||
	    c->expires <= c->signed_at) {
		xasprintf(cause, _("a command needs a sequence above 0 and an expiry "
		    "after its signing time"));
		return LIB_REJECTED;
	}
	if (c->action == NULL) {
		xasprintf(cause, _("a command needs an action"));
		return LIB_REJECTED;
	}
	if (strcmp(c->action, "timetable") != 0 &&
	    (c->file != NULL || c->timetable != NULL)) {
		xasprintf(cause, _("only a timetable command carries a file"));
		return LIB_REJECTED;
	}
	if (strcmp(c->action, "play") == 0) {
		if (c->bulletin == NULL || !cmd_bulletin_ok(c->bulletin) ||
		    c->priority == NULL || !cmd_priority_ok(c->priority) ||
		    c->period != NULL) {
			xasprintf(cause, _("play takes a bulletin (an id or a SHA-256) and "
			    "a priority (normal, priority or emergency)"));
			return LIB_REJECTED;
		}
	} else if (strcmp(c->action, "stop") == 0) {
		if (c->bulletin != NULL || c->priority != NULL || c->period != NULL) {
			xasprintf(cause, _("stop takes no arguments"));
			return LIB_REJECTED;
		}
	} else if (strcmp(c->action, "export") == 0) {
		if (c->period == NULL || !cmd_period_ok(c->period) ||
		    c->bulletin != NULL || c->priority != NULL) {
			xasprintf(cause, _("export takes a period (2026-H1, 2026-9M, 2026 "
			    "or FROM..TO)"));
			return LIB_REJECTED;
		}
	} else if (strcmp(c->action, "timetable") == 0) {
		if (c->file == NULL || c->timetable == NULL || c->bulletin != NULL ||
		    c->priority != NULL || c->period != NULL) {
			xasprintf(cause, _("timetable takes a file name and the file, "
			    "nothing else"));
			return LIB_REJECTED;
		}
		if (!cmd_file_ok(c->file)) {
			xasprintf(cause, _("timetable: the file name is not 1 to %d bytes "
			    "of UTF-8 without '/', space or control character"),
			    LIB_CMD_FILE_MAX);
			return LIB_REJECTED;
		}
		return lib_cmd_timetable_text(c->file, c->timetable,
		    strlen(c->timetable), cause);
	} else {
		xasprintf(cause, _("unknown action '%.20s' (play, stop, export, "
		    "timetable)"), c->action);
		return LIB_REJECTED;
	}
	return 0;
}

/* Appends "word NAME NAME...\n" to f for n names, nothing when n is 0. */
static void
cmd_put_names(FILE *f, const char *word, char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i == 0 ? word : " ", names[i]);
	if (n > 0)
		fputc('\n', f);
}

/* Appends "word BASE64(text)\n" to f. */
static void
cmd_put_base64(FILE *f, const char *word, const char *text)
{
	size_t n = strlen(text), blen;
	char *b64;

	blen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, (const unsigned char *)text, n,
	    sodium_base64_VARIANT_ORIGINAL);
	fprintf(f, "%s %s\n", word, b64);
	free(b64);
}

/* The text of base64 b64 (allocated), or NULL when it is not base64 of text. */
static char *
cmd_base64_text(const char *b64)
{
	size_t n = strlen(b64), len;
	const char *end;
	char *out = xmalloc(n / 4 * 3 + 1);

	if (sodium_base642bin((unsigned char *)out, n / 4 * 3 + 1, b64, n, NULL, &len,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0' ||
	    memchr(out, '\0', len) != NULL) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

int
lib_cmd_sign(const unsigned char sk[LIB_KEY_SECRET], const struct lib_cmd *c,
    char **out, size_t *len, char **cause)
{
	unsigned char sig[crypto_sign_BYTES];
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int rc;

	*out = NULL;
	if ((rc = cmd_check(c, cause)) != 0)
		return rc;
	if (sodium_init() < 0) {
		xasprintf(cause, _("cannot initialise libsodium"));
		return LIB_ERR;
	}
	if ((f = open_memstream(&buf, &n)) == NULL) {
		xasprintf(cause, "%s", strerror(errno));
		return LIB_ERR;
	}
	sodium_bin2base64(b64, sizeof b64, sk + 32, 32, sodium_base64_VARIANT_ORIGINAL);
	fprintf(f, "%s\nsigner %s\nsigned-at %" PRId64 "\nexpires %" PRId64
	    "\nsequence %" PRId64 "\n", CMD_MAGIC, b64, c->signed_at, c->expires,
	    c->sequence);
	cmd_put_names(f, "stations ", c->stations, c->nstations);
	cmd_put_names(f, "groups ", c->groups, c->ngroups);
	fprintf(f, "action %s\n", c->action);
	if (c->bulletin != NULL)
		fprintf(f, "bulletin %s\n", c->bulletin);
	if (c->priority != NULL)
		fprintf(f, "priority %s\n", c->priority);
	if (c->period != NULL)
		fprintf(f, "period %s\n", c->period);
	if (c->file != NULL)
		fprintf(f, "file %s\n", c->file);
	if (c->timetable != NULL)
		cmd_put_base64(f, "timetable", c->timetable);
	if (fclose(f) != 0) {
		free(buf);
		xasprintf(cause, _("cannot write the command"));
		return LIB_ERR;
	}
	if (n > LIB_CMD_MAX - 100) {
		free(buf);
		xasprintf(cause, _("the command is too long (at most %d bytes)"),
		    LIB_CMD_MAX);
		return LIB_REJECTED;
	}
	crypto_sign_detached(sig, NULL, (const unsigned char *)buf, n, sk);
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig,
	    sodium_base64_VARIANT_ORIGINAL);
	xasprintf(out, "%ssignature %s\n", buf, b64);
	*len = strlen(*out);
	free(buf);
	return 0;
}

/* The command being read: the text and where the next line starts. */
struct cmd_reader {
	const char *p, *end;
	char line[LIB_CMD_MAX + 1];
};

/* The next line into r->line, or NULL at the end. */
static const char *
cmd_line(struct cmd_reader *r)
{
	const char *nl;

	if (r->p >= r->end ||
	    (nl = memchr(r->p, '\n', (size_t)(r->end - r->p))) == NULL)
		return NULL;
	memcpy(r->line, r->p, (size_t)(nl - r->p));
	r->line[nl - r->p] = '\0';
	r->p = nl + 1;
	return r->line;
}

/* The value of the line "word VALUE" when line is one, else NULL. */
static const char *
cmd_value(const char *line, const char *word)
{
	size_t n = strlen(word);

	if (line == NULL || strncmp(line, word, n) != 0 || line[n] != ' ')
		return NULL;
	return line + n + 1;
}

/* Reads "word NUMBER" into *v (0 to INT64_MAX - 1); 0 when it is not that. */
static int
cmd_number(struct cmd_reader *r, const char *word, int64_t *v)
{
	const char *s = cmd_value(cmd_line(r), word);
	long long x;
	char *e;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	x = strtoll(s, &e, 10);
	if (*e != '\0' || errno != 0 || x == INT64_MAX)
		return 0;
	*v = x;
	return 1;
}

/* Splits names (space-separated) into *out; 0 when one is not a name. */
static int
cmd_names(const char *s, char ***out, size_t *n)
{
	const char *sp;
	size_t len;

	for (;;) {
		sp = strchr(s, ' ');
		len = sp != NULL ? (size_t)(sp - s) : strlen(s);
		if (!cmd_name_ok(s, len))
			return 0;
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = xstrndup(s, len);
		if (sp == NULL)
			return 1;
		s = sp + 1;
	}
}

/* A refusal for a command that is not one. */
static int
cmd_bad(char **cause, const char *what)
{
	xasprintf(cause, _("malformed: %s"), what);
	return LIB_REJECTED;
}

/* Reads the lines after the sequence: targets, action, arguments. */
static int
cmd_body(struct cmd_reader *r, struct lib_cmd *c, char **cause)
{
	static const char *const args[] = { "bulletin", "priority", "period", "file",
		"timetable" };
	char **slot[] = { &c->bulletin, &c->priority, &c->period, &c->file,
		&c->timetable };
	const char *line = cmd_line(r), *v;
	size_t k = 0;
	char *text;

	if ((v = cmd_value(line, "stations")) != NULL) {
		if (!cmd_names(v, &c->stations, &c->nstations))
			return cmd_bad(cause, _("bad station code"));
		line = cmd_line(r);
	}
	if ((v = cmd_value(line, "groups")) != NULL) {
		if (!cmd_names(v, &c->groups, &c->ngroups))
			return cmd_bad(cause, _("bad group name"));
		line = cmd_line(r);
	}
	if ((v = cmd_value(line, "action")) == NULL)
		return cmd_bad(cause, _("no action line"));
	c->action = xstrdup(v);
	while ((line = cmd_line(r)) != NULL) {
		while (k < 5 && cmd_value(line, args[k]) == NULL)
			k++;
		if (k == 5)
			return cmd_bad(cause, _("unknown or misplaced line"));
		*slot[k] = xstrdup(cmd_value(line, args[k]));
		k++;
	}
	if (c->timetable != NULL) {
		if ((text = cmd_base64_text(c->timetable)) == NULL)
			return cmd_bad(cause, _("the timetable line is not base64 of a text"));
		free(c->timetable);
		c->timetable = text;
	}
	return cmd_check(c, cause);
}

int
lib_cmd_verify(const void *data, size_t len, const struct lib_trusted *trusted,
    size_t ntrusted, int64_t now, struct lib_cmd *c,
    const struct lib_trusted **signer, char **cause)
{
	const char *text = data, *sigline, *v, *end;
	unsigned char sig[crypto_sign_BYTES];
	struct cmd_reader *r;
	size_t i, siglen;
	int rc = LIB_REJECTED;

	memset(c, 0, sizeof *c);
	*signer = NULL;
	if (len > LIB_CMD_MAX) {
		xasprintf(cause, _("oversized: a command of %zu bytes (at most %d)"), len,
		    LIB_CMD_MAX);
		return LIB_REJECTED;
	}
	if (len == 0 || memchr(text, '\0', len) != NULL || text[len - 1] != '\n')
		return cmd_bad(cause, _("not a text ending in a newline"));
	r = xcalloc(1, sizeof *r);
	r->p = text;
	r->end = text + len;
	if ((v = cmd_line(r)) == NULL || strcmp(v, CMD_MAGIC) != 0) {
		xasprintf(cause, _("not a loaxa command (it must start with '%s')"),
		    CMD_MAGIC);
		goto out;
	}
	if ((v = cmd_value(cmd_line(r), "signer")) == NULL ||
	    lib_key_decode(v, c->signer) != 0) {
		xasprintf(cause, _("not signed: no valid signer line"));
		goto out;
	}
	for (i = 0; i < ntrusted; i++)
		if (sodium_memcmp(trusted[i].key, c->signer, LIB_KEY_PUBLIC) == 0)
			*signer = &trusted[i];
	if (*signer == NULL) {
		xasprintf(cause, _("signed by an unknown key %s; it is not in this "
		    "station's trust.districts"), v);
		goto out;
	}
	/* The last line is the signature, over everything before it. */
	for (sigline = text + len - 1; sigline > text && sigline[-1] != '\n'; sigline--)
		;
	if (strncmp(sigline, "signature ", 10) != 0) {
		xasprintf(cause, _("not signed: the command has no signature"));
		goto out;
	}
	if (sodium_base642bin(sig, sizeof sig, sigline + 10,
	    (size_t)(text + len - 1 - (sigline + 10)), NULL, &siglen, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || end != text + len - 1 ||
	    siglen != sizeof sig) {
		xasprintf(cause, _("not signed: no valid signature line"));
		goto out;
	}
	if (crypto_sign_verify_detached(sig, (const unsigned char *)text,
	    (size_t)(sigline - text), c->signer) != 0) {
		xasprintf(cause, _("forged or damaged: the signature does not match the "
		    "command (signer '%s')"), (*signer)->name);
		goto out;
	}
	r->end = sigline;
	if (!cmd_number(r, "signed-at", &c->signed_at) ||
	    !cmd_number(r, "expires", &c->expires) ||
	    !cmd_number(r, "sequence", &c->sequence)) {
		rc = cmd_bad(cause, _("bad signed-at, expires or sequence line"));
		goto out;
	}
	if ((rc = cmd_body(r, c, cause)) != 0)
		goto out;
	if (now > c->expires) {
		xasprintf(cause, _("expired: command %lld of '%s' expired %lld s ago"),
		    (long long)c->sequence, (*signer)->name,
		    (long long)(now - c->expires));
		rc = LIB_REJECTED;
	}
out:
	free(r);
	return rc;
}

int
lib_cmd_for(const struct lib_cmd *c, const char *station,
    const char *const *groups, size_t ngroups)
{
	size_t i, k;

	for (i = 0; i < c->nstations; i++)
		if (station != NULL && strcmp(c->stations[i], station) == 0)
			return 1;
	for (i = 0; i < c->ngroups; i++)
		for (k = 0; k < ngroups; k++)
			if (strcmp(c->groups[i], groups[k]) == 0)
				return 1;
	return 0;
}

void
lib_cmd_clear(struct lib_cmd *c)
{
	size_t i;

	for (i = 0; i < c->nstations; i++)
		free(c->stations[i]);
	for (i = 0; i < c->ngroups; i++)
		free(c->groups[i]);
	free(c->stations);
	free(c->groups);
	free(c->action);
	free(c->bulletin);
	free(c->priority);
	free(c->period);
	free(c->file);
	free(c->timetable);
	memset(c, 0, sizeof *c);
}
