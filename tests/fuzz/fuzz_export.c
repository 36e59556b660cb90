/*
 * Fuzz target: verification of a signed airing-log export (reports/export.c
 * rep_verify), then what `loaxa report --merge` does with the rows it loaded:
 * the coverage report over the export's own period. The input is the file.
 * Beyond not crashing: a file it calls good has a good signature and no
 * problem listed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "reports/reports.h"
#include "store/store.h"
#include "tests/fuzz/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config *cfg;
	static char *path;
	struct config_problems p = { 0 };
	struct rep_verified v;
	struct rep_coverage c;
	struct rep_period period;
	char *cause = NULL;

	if (cfg == NULL) {
		setenv("TZ", "Asia/Ho_Chi_Minh", 1);
		if (conf_read(NULL, &cfg, &p) != 0)
			fuzz_fail("the embedded default configuration is refused");
		path = fuzz_path("export.tsv");
	}
	fuzz_write(path, data, size);
	if (rep_verify(path, 1, &v, &cause) != 0) {
		if (cause == NULL)
			fuzz_fail("refused without a reason");
		free(cause);
		return 0;
	}
	if (v.ok && (!v.sig_ok || v.nproblems != 0))
		fuzz_fail("called good with a bad signature or %zu problems", v.nproblems);
	/* The coverage of the period it states, as the merge computes it. */
	if (v.store != NULL && rep_period_dates(v.period.from, v.period.to, &period,
	    &cause) == 0) {
		memset(&c, 0, sizeof c);
		if (rep_coverage(store_db(v.store), cfg, &period, &c, &cause) == 0)
			rep_coverage_clear(&c);
	}
	free(cause);
	rep_verified_clear(&v);
	return 0;
}
