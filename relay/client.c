/* The airing child's side of the relay service's socket (relay/relay.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "relay/relay.h"

char *
relay_socket_path(const char *data)
{
	char *p;

	xasprintf(&p, "%s/%s", data, RELAY_SOCKET);
	return p;
}

int
relay_client_open(const char *sock, const char *source, char **cause)
{
	struct sockaddr_un sa;
	char req[RELAY_NAME_MAX + 16];
	int fd, n;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof sa.sun_path) {
		xasprintf(cause, "relay service: socket path too long: %s", sock);
		return -1;
	}
	n = snprintf(req, sizeof req, "SOURCE %s\n", source);
	if (n < 0 || (size_t)n >= sizeof req || strchr(source, '\n') != NULL) {
		xasprintf(cause, "relay source name too long");
		return -1;
	}
	memcpy(sa.sun_path, sock, strlen(sock));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		xasprintf(cause, "relay service: socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		xasprintf(cause, "relay service not reachable at %s: %s (is "
		    "loaxa-relay.service running?)", sock, strerror(errno));
		close(fd);
		return -1;
	}
	/* The request is far smaller than a socket's buffer: one write. */
	if (write(fd, req, (size_t)n) != n) {
		xasprintf(cause, "relay service: %s", strerror(errno));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

int
relay_client_header(int fd, char *line, size_t size, size_t *len)
{
	ssize_t r;
	char ch;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r == 0)
			return -1;
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (ch == '\n') {
			line[*len] = '\0';
			return 1;
		}
		if (*len + 1 < size)
			line[(*len)++] = ch;
	}
}
