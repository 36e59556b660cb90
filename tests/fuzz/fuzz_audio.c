/*
 * Fuzz target: audio_probe, the one validating decode pass every import and
 * package entry goes through (format from content, libmpg123 or libsndfile,
 * loudness and true peak beside). The input is the file. Beyond not
 * crashing or hanging (libFuzzer's -timeout): a file it accepts has a format,
 * a rate, channels, and a duration that agrees with its frames.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/audio.h"
#include "tests/fuzz/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *path;
	struct audio_info info;
	char *cause = NULL;

	if (path == NULL)
		path = fuzz_path("input");
	fuzz_write(path, data, size);
	memset(&info, 0, sizeof info);
	if (audio_probe(path, &info, &cause) == 0) {
		if (info.format[0] == '\0' || info.sample_rate <= 0 || info.channels <= 0 ||
		    info.frames < 0 || strlen(info.sha256) != 64)
			fuzz_fail("accepted with a nonsensical description: format '%s', "
			    "%d Hz, %d channels, %lld frames", info.format, info.sample_rate,
			    info.channels, (long long)info.frames);
		if (llabs(info.duration_ms - info.frames * 1000 / info.sample_rate) > 1)
			fuzz_fail("duration %lld ms for %lld frames at %d Hz",
			    (long long)info.duration_ms, (long long)info.frames,
			    info.sample_rate);
		audio_info_clear(&info);
	} else if (cause == NULL || cause[0] == '\0')
		fuzz_fail("refused without a reason");
	free(cause);
	return 0;
}
