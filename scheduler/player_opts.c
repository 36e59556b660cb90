/*
 * The player's options from the configuration's audio section: one reading
 * of it for the airings and for play-file, so that a test through play-file
 * sounds as the airing will.
 */
#include <stdlib.h>

#include "audio/audio.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/airing.h"

/*
 * Fills *po with the player's defaults and then the configured output
 * (driver, file, pacing), loudness target, ceiling and fade. The strings
 * stay ca's. Allocates nothing: sched_player_out_options adds libao's.
 */
void
sched_player_opts(const struct config_audio *ca, struct player_opts *po)
{
	player_opts_init(po);
	po->out.driver = ca->driver;
	po->out.file = ca->file;
	po->out.realtime = ca->realtime;
	po->target_lufs = ca->loudness_target;
	po->ceiling_dbtp = ca->true_peak;
	po->fade_ms = ca->fade_ms;
}

/*
 * Hands the configured libao options to po's output. Returns them,
 * allocated: the caller frees them once the output is gone.
 */
struct audio_option *
sched_player_out_options(const struct config_audio *ca, struct player_opts *po)
{
	struct audio_option *o = xcalloc(ca->noptions + 1, sizeof *o);
	size_t i;

	for (i = 0; i < ca->noptions; i++) {
		o[i].name = ca->options[i].name;
		o[i].value = ca->options[i].value;
	}
	po->out.options = o;
	po->out.noptions = ca->noptions;
	return o;
}
