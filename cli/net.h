/*
 * The commands that use the network run in programs of their own,
 * installed beside loaxa: fleet and web in loaxa-net, which links
 * libmosquitto and libmicrohttpd and the TLS libraries they bring (OpenSSL,
 * GnuTLS), and link in loaxa-link, which links libmosquitto (OpenSSL)
 * alone, so that the station's resident link maps neither the web's
 * libraries nor the audio decoders. The playout daemon and its airing
 * children, which are loaxa, map none of them. loaxa lists the commands
 * (cli/net-entries.c) and, asked to run one, becomes its program with the
 * same arguments.
 */
#ifndef LOAXA_CLI_NET_H
#define LOAXA_CLI_NET_H

#include "common/i18n.h"

#define CLI_NET_PROG "loaxa-net"
#define CLI_LINK_PROG "loaxa-link"

/* Their one line in `loaxa --help`, which both programs show. */
#define CLI_NET_LINK_SUMMARY \
    N_("the station's connection to its district's MQTT broker")
#define CLI_NET_FLEET_SUMMARY \
    N_("the district's side of the link: send packages and commands to stations")
#define CLI_NET_WEB_SUMMARY \
    N_("the operator's console in a browser (bảng điều khiển web)")

/*
 * Becomes e's program (loaxa-link for link, else loaxa-net), found beside
 * the running binary (/proc/self/exe's directory), else in BINDIR, with
 * argv unchanged (-c and -v pass through, and --help shows the command's
 * whole help). Returns only on failure, EXIT_FAIL after one line on stderr.
 */
struct cmd_entry;
int cli_net_exec(const struct cmd_entry *e, char **argv);

#endif
