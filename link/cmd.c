/*
 * PREFIX/down/cmd: signed district commands. A stub until the command
 * handling lands (it replaces this file): messages are ignored.
 */
#include "link/link.h"

void
link_cmd_message(struct link_env *env, const void *data, size_t len)
{
	(void)env;
	(void)data;
	(void)len;
}
