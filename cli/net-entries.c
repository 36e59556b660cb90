/*
 * loaxa's stand-ins for the commands of loaxa-net and loaxa-link (cli/net.h
 * says why): their name and summary for `loaxa --help`. main execs their
 * program for anything else, their help included. Only loaxa links this file.
 */
#include "cli/cli.h"
#include "cli/net.h"
#include "common/i18n.h"


const struct cmd_entry cmd_link = {
	.name = "link",
	.usage = "",
	.summary = CLI_NET_LINK_SUMMARY,
	.flags = CMD_NET,
};

const struct cmd_entry cmd_fleet = {
	.name = "fleet",
	.usage = "",
	.summary = CLI_NET_FLEET_SUMMARY,
	.flags = CMD_NET,
};

const struct cmd_entry cmd_web = {
	.name = "web",
	.usage = "",
	.summary = CLI_NET_WEB_SUMMARY,
	.flags = CMD_NET,
};
