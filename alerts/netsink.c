/*
 * netsink.c: the sends in flight of a network sink, and its secrets.
 *
 * One struct inflight per send owns the sink's request and the transfer,
 * and is freed in one place, inflight_free, from completion, from a send
 * that could not start, or from netsink_free.
 */
#include "netsink.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <glib.h>

#include "log.h"
#include "xfer.h"
#include "xmalloc.h"

struct inflight {
	struct netsink		*n;
	struct xfer		*x;
	void			*req;
	const struct netsink_ops *ops;
	sink_done_cb		*done;
	void			*arg;
	TAILQ_ENTRY(inflight)	 entry;
};

struct netsink {
	const char		*name;
	struct xfer_multi	*multi;
	char			**secrets;	/* NULL-terminated */
	size_t			 nsecrets;
	TAILQ_HEAD(, inflight)	 sends;
};

struct netsink *
netsink_new(const char *name, struct xfer_multi *multi)
{
	struct netsink	*n;

	n = xcalloc(1, sizeof(*n));
	n->name = name;
	n->multi = multi;
	TAILQ_INIT(&n->sends);
	return n;
}

static void
inflight_free(struct inflight *f)
{
	if (f->x != NULL)
		xfer_cancel(f->x);
	f->ops->release(f->req);
	free(f);
}

void
netsink_free(struct netsink *n)
{
	struct inflight	*f;
	size_t		 i;

	if (n == NULL)
		return;
	while ((f = TAILQ_FIRST(&n->sends)) != NULL) {
		TAILQ_REMOVE(&n->sends, f, entry);
		inflight_free(f);
	}
	for (i = 0; i < n->nsecrets; i++)
		free(n->secrets[i]);
	free(n->secrets);
	free(n);
}

static void
on_done(struct xfer *x, int result, const char *error, void *arg)
{
	struct inflight		*f = arg;
	struct netsink		*n = f->n;
	enum sink_result	 res;
	long			 ra = -1;
	char			 msg[512];
	sink_done_cb		*done = f->done;
	void			*darg = f->arg;

	res = f->ops->finish(f->req, x, result, error, msg, sizeof(msg), &ra);
	netsink_scrub(n, msg);
	if (res != SINK_DELIVERED)
		log_warnx("sink '%s': %s", n->name, msg);
	else
		log_debug("sink '%s': %s", n->name, msg);
	/* xfer frees the transfer after we return: forget it first. */
	f->x = NULL;
	TAILQ_REMOVE(&n->sends, f, entry);
	inflight_free(f);
	done(res, ra, res == SINK_DELIVERED ? NULL : msg, darg);
}

int
netsink_send(struct netsink *n, void *req, const struct netsink_ops *ops,
    sink_done_cb *done, void *arg)
{
	struct inflight	*f;

	f = xcalloc(1, sizeof(*f));
	f->n = n;
	f->req = req;
	f->ops = ops;
	f->done = done;
	f->arg = arg;
	f->x = xfer_new(n->multi, on_done, f);
	if (ops->setup(req, f->x) == -1) {
		log_warnx("sink '%s': cannot set up the transfer", n->name);
		goto fail;
	}
	if (xfer_start(f->x) == -1)
		goto fail;
	TAILQ_INSERT_TAIL(&n->sends, f, entry);
	return 0;
 fail:
	inflight_free(f);
	return -1;
}

void
netsink_secret(struct netsink *n, const char *s, size_t len)
{
	n->secrets = xreallocarray(n->secrets, n->nsecrets + 2,
	    sizeof(*n->secrets));
	n->secrets[n->nsecrets++] = xstrndup(s, len);
	n->secrets[n->nsecrets] = NULL;
}

void
netsink_scrub(const struct netsink *n, char *msg)
{
	char	*p;
	size_t	 i, len, k, sz;

	for (i = 0; i < n->nsecrets; i++) {
		if ((len = strlen(n->secrets[i])) < 3)
			continue;
		for (p = msg; (p = strstr(p, n->secrets[i])) != NULL; p += 3) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + len, strlen(p + len) + 1);
		}
		/* A quote cut short may end in the start of a secret. */
		sz = strlen(msg);
		for (k = len - 1; k >= 3; k--)
			if (k <= sz && strncmp(msg + sz - k, n->secrets[i],
			    k) == 0) {
				memcpy(msg + sz - k, "***", 4);
				break;
			}
	}
}

char *
netsink_key(const char *const *ids, size_t n)
{
	GChecksum	*ck;
	char		*key;
	size_t		 i;

	if (n == 1)
		return xstrdup(ids[0]);
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	for (i = 0; i < n; i++) {
		if (i > 0)
			g_checksum_update(ck, (const guchar *)"\n", 1);
		g_checksum_update(ck, (const guchar *)ids[i], strlen(ids[i]));
	}
	key = xstrndup(g_checksum_get_string(ck), 32);
	g_checksum_free(ck);
	return key;
}
