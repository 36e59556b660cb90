/*
 * The commands that use the network, link, fleet and web, run in a program
 * of their own, loaxa-net, installed beside loaxa: only it links
 * libmosquitto and libmicrohttpd and the TLS libraries they bring (OpenSSL,
 * GnuTLS), so that the playout daemon and its airing children, which are
 * loaxa, never map them. loaxa lists them (cli/net.c) and, asked to run
 * one, becomes loaxa-net with the same arguments.
 */
#ifndef LOAXA_CLI_NET_H
#define LOAXA_CLI_NET_H

#include "common/i18n.h"

#define CLI_NET_PROG "loaxa-net"

/* Their one line in `loaxa --help`, which both programs show. */
#define CLI_NET_LINK_SUMMARY \
    N_("the station's connection to its district's MQTT broker")
#define CLI_NET_FLEET_SUMMARY \
    N_("the district's side of the link: send packages and commands to stations")
#define CLI_NET_WEB_SUMMARY \
    N_("the operator's console in a browser (bảng điều khiển web)")

/*
 * Becomes loaxa-net, found beside the running binary (/proc/self/exe's
 * directory), else in BINDIR, with argv unchanged (-c and -v pass through,
 * and --help shows the command's whole help). Returns only on failure,
 * EXIT_FAIL after one line on stderr.
 */
int cli_net_exec(char **argv);

#endif
