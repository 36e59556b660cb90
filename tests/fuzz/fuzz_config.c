/*
 * Fuzz target: the configuration reader (libconfig, then every section's
 * validator) on any text. Beyond not crashing: a refusal comes with at least
 * one problem and every problem names the file, as the product promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "tests/fuzz/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_problems p = { 0 };
	struct config *cfg = NULL;
	char *text;
	size_t i;
	int rc;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = conf_read_string(text, "fuzz.conf", &cfg, &p);
	if (rc == 0 && (cfg == NULL || p.n != 0))
		fuzz_fail("accepted, yet cfg %p and %zu problems", (void *)cfg, p.n);
	if (rc != 0 && (cfg != NULL || p.n == 0))
		fuzz_fail("refused without a problem");
	for (i = 0; i < p.n; i++)
		if (strncmp(p.lines[i], "fuzz.conf", 9) != 0)
			fuzz_fail("a problem that does not name the file: %s", p.lines[i]);
	conf_free(&cfg);
	conf_problems_clear(&p);
	free(text);
	return 0;
}
