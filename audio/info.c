/*
 * Freeing what audio_probe fills: apart from the probe, so that code that
 * only carries an audio_info (a package read by the station link) does not
 * bring in the decoders and their libraries.
 */
#include <stdlib.h>

#include "audio/audio.h"
/* Frees the tag strings of info. */
void
audio_info_clear(struct audio_info *info)
{
	free(info->title);
	free(info->artist);
	info->title = NULL;
	info->artist = NULL;
}
