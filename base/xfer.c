/*
 * xfer.c: the curl multi socket interface on a libevent base.
 *
 * curl tells us which sockets to watch (sock_cb) and when to call it back
 * (timer_cb); libevent tells curl when a socket is ready (on_sock) or the
 * timer fired (on_timer).  Completions are drained after every
 * socket_action call, never from inside a curl callback, because curl
 * refuses add/remove calls made from its own callbacks.
 */
#include "xfer.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "log.h"
#include "xmalloc.h"

struct xfer_multi {
	struct event_base	*base;
	CURLM			*multi;
	CURLSH			*share;
	struct event		*timer;
	int			 running;
	size_t			 nstarted;
	TAILQ_HEAD(, xfer)	 xfers;
};

struct xfer {
	struct xfer_multi	*m;
	CURL			*easy;
	int			 started;
	xfer_done_cb		*done;
	void			*arg;
	char			 errbuf[CURL_ERROR_SIZE];
	TAILQ_ENTRY(xfer)	 entry;
};

/* One per socket curl watches; owned by sock_cb. */
struct sockev {
	struct event		*ev;
};

static void	reap(struct xfer_multi *);

int
xfer_global_init(void)
{
	/* CURLOPT_NOSIGNAL means curl will not ignore SIGPIPE for us. */
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("curl_global_init failed");
		return -1;
	}
	return 0;
}

void
xfer_global_cleanup(void)
{
	curl_global_cleanup();
}

/*
 * The callback argument is the multi, never the sockev: socket_action may
 * call sock_cb(REMOVE), which frees the sockev while we are in here.
 */
static void
on_sock(evutil_socket_t fd, short what, void *arg)
{
	struct xfer_multi	*m = arg;
	int			 flags = 0;
	CURLMcode		 mc;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	mc = curl_multi_socket_action(m->multi, fd, flags, &m->running);
	if (mc != CURLM_OK)
		fatalx("curl_multi_socket_action: %s", curl_multi_strerror(mc));
	reap(m);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct xfer_multi	*m = arg;
	CURLMcode		 mc;

	mc = curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0,
	    &m->running);
	if (mc != CURLM_OK)
		fatalx("curl_multi_socket_action: %s", curl_multi_strerror(mc));
	reap(m);
}

static int
sock_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct xfer_multi	*m = userp;
	struct sockev		*s = sockp;
	short			 kind;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
			curl_multi_assign(m->multi, fd, NULL);
		}
		return 0;
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		curl_multi_assign(m->multi, fd, s);
	} else
		event_free(s->ev);	/* a pending event cannot be re-assigned */
	if ((s->ev = event_new(m->base, fd, kind, on_sock, m)) == NULL ||
	    event_add(s->ev, NULL) == -1) {
		log_warnx("cannot watch a socket for curl");
		return -1;
	}
	return 0;
}

/* Only arms or disarms: curl must not be called from here. */
static int
timer_cb(CURLM *multi, long ms, void *userp)
{
	struct xfer_multi	*m = userp;
	struct timeval		 tv;

	if (ms < 0)
		return event_del(m->timer);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return event_add(m->timer, &tv);
}

struct xfer_multi *
xfer_multi_new(struct event_base *base)
{
	struct xfer_multi	*m;

	m = xcalloc(1, sizeof(*m));
	m->base = base;
	TAILQ_INIT(&m->xfers);
	if ((m->timer = evtimer_new(base, on_timer, m)) == NULL ||
	    (m->multi = curl_multi_init()) == NULL ||
	    (m->share = curl_share_init()) == NULL)
		goto fail;
	/* 7.88 keeps TLS sessions per easy handle unless shared. */
	if (curl_share_setopt(m->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    curl_share_setopt(m->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION,
	    sock_cb) != CURLM_OK ||
	    curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m) != CURLM_OK ||
	    curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION,
	    timer_cb) != CURLM_OK ||
	    curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m) != CURLM_OK)
		goto fail;
	return m;
 fail:
	log_warnx("cannot set up the transfer engine");
	xfer_multi_free(m);
	return NULL;
}

void
xfer_multi_free(struct xfer_multi *m)
{
	struct xfer	*x;

	if (m == NULL)
		return;
	while ((x = TAILQ_FIRST(&m->xfers)) != NULL) {
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): cancel unlinks x */
		if (x->started) {
			curl_multi_remove_handle(m->multi, x->easy);
			x->started = 0;
			m->nstarted--;
			x->done(x, CURLE_ABORTED_BY_CALLBACK, "cancelled",
			    x->arg);
		}
		xfer_cancel(x);
	}
	/* curl_multi_cleanup may call sock_cb: the base must still exist. */
	if (m->multi != NULL)
		curl_multi_cleanup(m->multi);
	if (m->share != NULL)
		curl_share_cleanup(m->share);
	if (m->timer != NULL)
		event_free(m->timer);
	free(m);
}

size_t
xfer_multi_running(const struct xfer_multi *m)
{
	return m->nstarted;
}

struct xfer *
xfer_new(struct xfer_multi *m, xfer_done_cb *done, void *arg)
{
	struct xfer	*x;

	x = xcalloc(1, sizeof(*x));
	x->m = m;
	x->done = done;
	x->arg = arg;
	if ((x->easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	if (curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER,
	    x->errbuf) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_SHARE, m->share) != CURLE_OK)
		fatalx("%s: curl_easy_setopt failed", __func__);
	TAILQ_INSERT_TAIL(&m->xfers, x, entry);
	return x;
}

void *
xfer_easy(struct xfer *x)
{
	return x->easy;
}

int
xfer_setup(struct xfer *x, const char *url, const char *protocols,
    long timeout, const char *ca_file)
{
	if (curl_easy_setopt(x->easy, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, protocols) !=
	    CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    timeout * 1000L) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, timeout * 1000L) !=
	    CURLE_OK)
		return -1;
	/* ca-file: the CAs of a private server, instead of the system's. */
	if (ca_file != NULL && (curl_easy_setopt(x->easy, CURLOPT_CAINFO,
	    ca_file) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_CAPATH, NULL) != CURLE_OK))
		return -1;
	return 0;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

int
xfer_post_form(struct xfer *x, const char *body, const char *user_agent)
{
	if (curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, body) !=
	    CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_USERAGENT, user_agent) !=
	    CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, discard) !=
	    CURLE_OK)
		return -1;
	return 0;
}

long
xfer_http_code(struct xfer *x)
{
	long	 code = 0;

	if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code) !=
	    CURLE_OK)
		return 0;
	return code;
}

int
xfer_start(struct xfer *x)
{
	CURLMcode	 mc;

	/* add_handle arms a 0 ms timer; the loop then starts the transfer. */
	if ((mc = curl_multi_add_handle(x->m->multi, x->easy)) != CURLM_OK) {
		log_warnx("cannot start a transfer: %s",
		    curl_multi_strerror(mc));
		return -1;
	}
	x->started = 1;
	x->m->nstarted++;
	return 0;
}

void
xfer_cancel(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->started) {
		curl_multi_remove_handle(x->m->multi, x->easy);
		x->m->nstarted--;
	}
	TAILQ_REMOVE(&x->m->xfers, x, entry);
	curl_easy_cleanup(x->easy);
	free(x);
}

static void
reap(struct xfer_multi *m)
{
	CURLMsg		*msg;
	CURL		*e;
	CURLcode	 rc;
	struct xfer	*x;
	char		*priv;
	int		 left;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg dies with remove_handle: copy first. */
		e = msg->easy_handle;
		rc = msg->data.result;
		if (curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv) != CURLE_OK)
			fatalx("%s: transfer without owner", __func__);
		x = (struct xfer *)priv;
		curl_multi_remove_handle(m->multi, e);
		x->started = 0;
		m->nstarted--;
		x->done(x, rc, x->errbuf[0] != '\0' ? x->errbuf :
		    curl_easy_strerror(rc), x->arg);
		xfer_cancel(x);
	}
}
