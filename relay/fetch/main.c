/*
 * loaxa-relay: the relay service (`loaxa relay` runs it). It listens on
 * DATA/relay.sock and serves the sources named in the configuration, each
 * client in a worker process of its own, so that a source that crashes or
 * hangs its decoder takes down one relay, never the service.
 *
 * Why a program of its own: it is the only loaxa process with network
 * (packaging/loaxa-relay.service), and FFmpeg's libraries, which it needs,
 * map some 30 MB; in the loaxa binary they would load into the playout
 * daemon and every airing child too. loaxa's airing child only reads PCM.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/perm.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "relay/fetch/fetch.h"
#include "relay/relay.h"

#define RELAY_WORKERS 8        /* clients served at once */
#define RELAY_REQUEST_MS 2000  /* a client's request line must come within this */

static volatile sig_atomic_t relay_quit;

static void
relay_on_term(int sig)
{
	(void)sig;
	relay_quit = 1;
}

/* Only interrupts accept, so that finished workers are counted out. */
static void
relay_on_child(int sig)
{
	(void)sig;
}

/* Forgets the workers that have ended; returns how many remain. */
static int
relay_reap(pid_t *pids)
{
	int i, n = 0, status;

	for (i = 0; i < RELAY_WORKERS; i++)
		if (pids[i] > 0 && waitpid(pids[i], &status, WNOHANG) == pids[i])
			pids[i] = 0;
	for (i = 0; i < RELAY_WORKERS; i++)
		n += pids[i] > 0;
	return n;
}

/* Listens on path (a stale socket of a dead service is replaced). -1 on failure. */
static int
relay_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd, probe;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		log_error(_("relay: socket path too long: %s"), path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (errno != EADDRINUSE) {
			log_error("relay: %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0) {
			log_error(_("relay: another relay service listens on %s"), path);
			close(probe);
			close(fd);
			return -1;
		}
		close(probe);
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
			log_error("relay: %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	/* The daemon's user (its group) may connect; nobody else. */
	chmod(path, 0660);
	if (listen(fd, 16) != 0) {
		log_error(_("relay: listen: %s"), strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads the request line "SOURCE name" within RELAY_REQUEST_MS; NULL when bad. */
static char *
relay_request(int fd)
{
	static char line[RELAY_NAME_MAX + 16];
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	ssize_t r;

	while (n + 1 < sizeof line) {
		if (poll(&p, 1, RELAY_REQUEST_MS) <= 0)
			return NULL;
		if ((r = read(fd, line + n, 1)) <= 0)
			return NULL;
		if (line[n] == '\n') {
			line[n] = '\0';
			return strncmp(line, "SOURCE ", 7) == 0 ? line + 7 : NULL;
		}
		n++;
	}
	return NULL;
}

/* The worker: one client, one source. Returns its exit status. */
static int
relay_worker(const struct config *cfg, int fd)
{
	const struct config_relay_source *src;
	const char *name;
	char line[RELAY_NAME_MAX + 64];

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	if ((name = relay_request(fd)) == NULL)
		return 2;
	if ((src = conf_relay_source(cfg, name)) == NULL) {
		/* Only the configuration's sources: never a URL from a client. */
		log_warn(_("relay: refused unknown source '%s'"), name);
		snprintf(line, sizeof line, "ERR unknown source: %s\n", name);
		if (write(fd, line, strlen(line)) < 0)
			return 2;
		return 2;
	}
	log_info(_("relay %s: asked for"), src->name);
	return relay_fetch_serve(src, fd);
}

static void
relay_usage(FILE *f)
{
	fprintf(f, _("usage: loaxa-relay [-v] [-c FILE]\n"));
}

int
main(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct sigaction sa;
	const char *conf = NULL;
	pid_t pids[RELAY_WORKERS] = { 0 }, pid;
	char *path;
	int lfd, cfd, ch, i;

	i18n_init();
	perm_close_proc();
	while ((ch = getopt(argc, argv, "c:vh")) != -1)
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'v':
			log_set_verbose(1);
			break;
		case 'h':
			relay_usage(stdout);
			return 0;
		default:
			relay_usage(stderr);
			return 2;
		}
	if (conf_load(conf, &cfg, stderr) != 0)
		return 2;
	path = relay_socket_path(cfg->paths.data);
	umask(007);
	if ((lfd = relay_listen(path)) < 0)
		return 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = relay_on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = relay_on_child;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_info(ngettext("relay: %zu source on %s", "relay: %zu sources on %s",
	    cfg->relay.nsources), cfg->relay.nsources, path);
	while (!relay_quit) {
		relay_reap(pids);
		if ((cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno != EINTR)
				log_warn(_("relay: accept: %s"), strerror(errno));
			continue;
		}
		if (relay_reap(pids) >= RELAY_WORKERS) {
			log_warn(_("relay: %d clients already; one refused"), RELAY_WORKERS);
			close(cfd);
			continue;
		}
		if ((pid = fork()) == 0) {
			close(lfd);
			_exit(relay_worker(cfg, cfd));
		}
		for (i = 0; pid > 0 && i < RELAY_WORKERS; i++)
			if (pids[i] == 0) {
				pids[i] = pid;
				break;
			}
		close(cfd);
	}
	log_info(_("relay: stopping"));
	close(lfd);
	unlink(path);
	for (i = 0; i < RELAY_WORKERS; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGTERM);
			waitpid(pids[i], NULL, 0);
		}
	free(path);
	conf_free(&cfg);
	return 0;
}
