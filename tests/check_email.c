/*
 * check_email.c: the email sink against Debian's aiosmtpd on 127.0.0.1
 * (tests/smtpd.py, which saves each message parsed by Python's email
 * package): plain, STARTTLS and smtps with a private CA, authentication,
 * hostile feed text; then, through the feedwatch binary, ca-file in the
 * config and the secrets of the email and webhook sinks.
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <netinet/in.h>

#include "harness.h"
#include "httpd.h"
#include "sink.h"
#include "sinkh.h"
#include "xmalloc.h"

enum smtpd_tls {
	SMTPD_PLAIN,		/* no TLS offered */
	SMTPD_STARTTLS,		/* STARTTLS offered */
	SMTPD_REQUIRE,		/* STARTTLS offered, MAIL refused before it */
	SMTPD_SMTPS		/* TLS from the first byte */
};

struct smtpd {
	GPid		 pid;
	int		 port;
	char		*dir;
	enum smtpd_tls	 tls;
};

/*
 * smtpd.py in H->dir/mail, with 'creds' (USER:PASSWORD) if not NULL; with
 * TLS, its certificate is sinkh_certs()'s.
 */
static void
smtpd_start(struct smtpd *d, const char *creds, enum smtpd_tls tls)
{
	char		*script, *cert, *key, line[128];
	const char	*argv[12];
	GError		*err = NULL;
	gint		 out;
	FILE		*f;
	int		 n = 0;

	if (tls != SMTPD_PLAIN)
		sinkh_certs();
	d->tls = tls;
	d->dir = xasprintf("%s/mail", H->dir);
	ck_assert_int_eq(mkdir(d->dir, 0700), 0);
	script = xasprintf("%s/tests/smtpd.py", test_env("FEEDWATCH_SRC"));
	/* Debian's, which has python3-aiosmtpd */
	test_need("/usr/bin/python3", "python3");
	cert = xasprintf("%s/server.pem", H->dir);
	key = xasprintf("%s/server.key", H->dir);
	argv[n++] = "/usr/bin/python3";
	argv[n++] = "-Wignore";
	argv[n++] = script;
	argv[n++] = d->dir;
	if (creds != NULL)
		argv[n++] = creds;
	if (tls != SMTPD_PLAIN) {
		argv[n++] = tls == SMTPD_SMTPS ? "--tls" : "--starttls";
		argv[n++] = cert;
		argv[n++] = key;
	}
	if (tls == SMTPD_REQUIRE)
		argv[n++] = "--require-starttls";
	argv[n] = NULL;
	ck_assert_msg(g_spawn_async_with_pipes(NULL, (gchar **)argv, NULL,
	    G_SPAWN_DEFAULT, NULL, NULL, &d->pid, NULL, &out, NULL, &err),
	    "cannot start smtpd.py: %s", err ? err->message : "?");
	ck_assert_ptr_nonnull(f = fdopen(out, "r"));
	ck_assert_msg(fgets(line, sizeof(line), f) != NULL,
	    "smtpd.py printed no port");
	fclose(f);
	d->port = atoi(line);
	ck_assert_msg(d->port > 0, "smtpd.py: %s", line);
	free(script);
	free(cert);
	free(key);
}

static void
smtpd_stop(struct smtpd *d)
{
	kill(d->pid, SIGTERM);
	waitpid(d->pid, NULL, 0);
	g_spawn_close_pid(d->pid);
	free(d->dir);
}

/* 1 if the server saved an 'n'th message. */
static int
smtpd_has(const struct smtpd *d, int n)
{
	char	*path = xasprintf("%s/%d.json", d->dir, n);
	int	 has = access(path, F_OK) == 0;

	free(path);
	return has;
}

static json_t *
smtpd_message(struct smtpd *d, int n)
{
	char	*path = xasprintf("%s/%d.json", d->dir, n), *text;
	json_t	*j;

	ck_assert_msg(access(path, R_OK) == 0, "no message %d", n);
	text = test_slurp(path);
	j = sinkh_json(text);
	g_free(text);
	free(path);
	return j;
}

/*
 * Fails unless the AUTH attempts the server saw, as "LOGIN TLS" lines,
 * are 'want' ("" for none).
 */
static void
smtpd_assert_auth(struct smtpd *d, const char *want)
{
	char	*path = xasprintf("%s/auth.log", d->dir), *text;

	text = access(path, F_OK) == 0 ? test_slurp(path) : g_strdup("");
	ck_assert_str_eq(text, want);
	g_free(text);
	free(path);
}

/*
 * An email sink to 'd' (smtps:// when it speaks TLS from the first byte),
 * from feedwatch to two addresses, as 'user' with 'pass' when not NULL,
 * trusting the CAs of H->dir/'ca' when not NULL.
 */
static struct sink *
email_sink(struct smtpd *d, const char *user, const char *pass,
    const char *ca)
{
	static char	*to[] = { SINKH_W("Ops <ops@example.org>"),
			    SINKH_W("analyst@example.org") };

	H->conf.type = SINK_EMAIL;
	H->conf.smtp = xasprintf("%s://127.0.0.1:%d", d->tls == SMTPD_SMTPS ?
	    "smtps" : "smtp", d->port);
	H->conf.username = (char *)user;
	H->conf.password = (char *)pass;
	H->conf.from = SINKH_W("feedwatch <feedwatch@example.org>");
	H->conf.to = to;
	H->conf.nto = 2;
	if (ca != NULL)
		H->conf.ca_file = sinkh_path(ca);
	return sinkh_sink();
}

static int
has_string(const json_t *arr, const char *s)
{
	size_t	 i;

	for (i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_array_get(arr, i)), s) == 0)
			return 1;
	return 0;
}

/* Fails if 'm' has a header called 'name'. */
static void
assert_no_header(const json_t *m, const char *name)
{
	const json_t	*h = json_object_get(m, "headers");
	size_t		 i;

	for (i = 0; i < json_array_size(h); i++)
		ck_assert_str_ne(json_string_value(json_array_get(h, i)),
		    name);
}

/* STARTTLS required by the server, trusted through ca-file: TLS, then AUTH. */
START_TEST(email_single_auth)
{
	struct smtpd	 d;
	struct sink	*s;
	const char	*a = sinkh_alert(1, SINKH_TITLE), *text, *html;
	json_t		*m, *al = sinkh_json(a);

	smtpd_start(&d, "alice:pw0rd", SMTPD_REQUIRE);
	s = email_sink(&d, "alice", "pw0rd", "ca.pem");
	ck_assert_int_eq(sinkh_send1(s, a, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	ck_assert(json_is_true(json_object_get(m, "tls")));
	smtpd_assert_auth(&d, "alice 1\n");
	ck_assert_str_eq(sinkh_get(m, "login"), "alice");
	ck_assert_str_eq(sinkh_get(m, "mail_from"), "feedwatch@example.org");
	ck_assert(has_string(json_object_get(m, "rcpt_tos"),
	    "ops@example.org"));
	ck_assert(has_string(json_object_get(m, "rcpt_tos"),
	    "analyst@example.org"));
	ck_assert_str_eq(sinkh_get(m, "subject"), "[feedwatch] crimea: "
	    SINKH_TITLE);
	ck_assert_str_eq(sinkh_get(m, "from"),
	    "feedwatch <feedwatch@example.org>");
	ck_assert(strstr(sinkh_get(m, "to"), "ops@example.org") != NULL);
	ck_assert(json_is_true(json_object_get(m, "date_ok")));
	ck_assert(g_str_has_suffix(sinkh_get(m, "message_id"),
	    "@example.org>"));
	ck_assert(strstr(sinkh_get(m, "message_id"), sinkh_get(al,
	    "alert_id")) != NULL);
	ck_assert_str_eq(sinkh_get(m, "mime_version"), "1.0");
	ck_assert_str_eq(sinkh_get(m, "content_type"), "multipart/alternative");
	ck_assert_uint_eq(json_array_size(json_object_get(m, "defects")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "bare_lf")), 0);
	ck_assert_int_le(json_integer_value(json_object_get(m, "max_line")),
	    998);
	text = sinkh_get(m, "text");
	ck_assert(strstr(text, SINKH_TITLE) != NULL);
	ck_assert(strstr(text, "https://news.example.org/world/1?a=1&b=2") !=
	    NULL);
	ck_assert(strstr(text, "Matched:   crimea, lavrov") != NULL);
	ck_assert(strstr(text, "annexation of <Crimea>") != NULL);
	html = sinkh_get(m, "html");
	ck_assert(strstr(html, "<a href=\"https://news.example.org/world/1?a=1"
	    "&amp;b=2\">") != NULL);
	ck_assert(strstr(html, "&lt;b&gt;is&lt;/b&gt;") != NULL);
	json_decref(m);
	json_decref(al);
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

START_TEST(email_digest)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*t;
	const char	*alerts[3];
	json_t		*m;
	size_t		 i;

	for (i = 0; i < 3; i++) {
		t = xasprintf("Story number %zu about Crimea", i);
		alerts[i] = sinkh_alert(i, t);
		free(t);
	}
	smtpd_start(&d, NULL, SMTPD_PLAIN);
	s = email_sink(&d, NULL, NULL, NULL);
	ck_assert_int_eq(sinkh_send(s, alerts, 3, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	ck_assert_msg(!smtpd_has(&d, 2), "a digest is one message");
	ck_assert_str_eq(sinkh_get(m, "subject"),
	    "[feedwatch] 3 alerts for crimea");
	for (i = 0; i < 3; i++) {
		t = xasprintf("Story number %zu about Crimea", i);
		ck_assert(strstr(sinkh_get(m, "text"), t) != NULL);
		ck_assert(strstr(sinkh_get(m, "html"), t) != NULL);
		free(t);
	}
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

/*
 * The alerts of one item for three topics: one message, the topics in its
 * subject and body, the story told once; its Message-ID the key of the
 * three alerts.
 */
START_TEST(email_one_item)
{
	struct smtpd	 d;
	struct sink	*s;
	const char	*alerts[] = { sinkh_alert_topic(1, "crimea"),
	    sinkh_alert_topic(1, "lavrov"), sinkh_alert_topic(1, "ukraine") };
	const char	*text;
	json_t		*m;

	smtpd_start(&d, NULL, SMTPD_PLAIN);
	s = email_sink(&d, NULL, NULL, NULL);
	ck_assert_int_eq(sinkh_send(s, alerts, 3, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	ck_assert_msg(!smtpd_has(&d, 2), "one item is one message");
	ck_assert_str_eq(sinkh_get(m, "subject"), "[feedwatch] crimea, lavrov, "
	    "ukraine: " SINKH_TITLE);
	text = sinkh_get(m, "text");
	ck_assert_int_eq(test_count_lines(text, SINKH_TITLE), 1);
	ck_assert_msg(strstr(text, "Topics:    crimea, lavrov, ukraine") !=
	    NULL, "%s", text);
	ck_assert(strstr(text, "Matched:   crimea, lavrov, ukraine") !=
	    NULL);
	ck_assert_int_eq(test_count_lines(sinkh_get(m, "html"), "<h3"), 1);
	ck_assert(strstr(sinkh_get(m, "html"), "topics <b>crimea, lavrov, "
	    "ukraine</b>") != NULL);
	ck_assert(strstr(sinkh_get(m, "message_id"), "<feedwatch.") != NULL);
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

/*
 * Through `feedwatch check`, the wire feed (harness_wire()): a mail per
 * story, the one three topics match naming the three in its subject; a
 * JSON line per alert in the file sink.
 */
START_TEST(email_one_per_story)
{
	struct harness		 fx;
	struct test_proc	 p;
	struct smtpd		 d;
	const char		*check[] = { "check", "-c", NULL, NULL };
	char			*sinks;
	json_t			*m;
	int			 i, named = 0;

	smtpd_start(&d, NULL, SMTPD_PLAIN);
	harness_init(&fx);
	sinks = xasprintf("[sink mail]\ntype = email\nsmtp = smtp://"
	    "127.0.0.1:%d\nfrom = feedwatch@example.org\n"
	    "to = ops@example.org\n", d.port);
	harness_wire(&fx, "", NULL, sinks);
	check[2] = fx.conf;
	test_run(&p, check);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	test_proc_clear(&p);
	ck_assert_msg(smtpd_has(&d, 3) && !smtpd_has(&d, 4), "not a mail "
	    "per story");
	for (i = 1; i <= 3; i++) {
		m = smtpd_message(&d, i);
		named += strcmp(sinkh_get(m, "subject"), "[feedwatch] crimea, "
		    "lavrov, ukraine: Pompeo to Lavrov: Washington will never "
		    "recognize the annexation of Crimea") == 0;
		json_decref(m);
	}
	ck_assert_int_eq(named, 1);
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 5);
	free(sinks);
	harness_release(&fx);
	smtpd_stop(&d);
}
END_TEST

/*
 * An alert found in the article (matched_in "body") says so beside its
 * matched words, in both parts; one found in the feed's text does not.
 */
START_TEST(email_in_article)
{
	struct smtpd	 d;
	struct sink	*s;
	json_t		*m, *al = sinkh_json(sinkh_alert(1, SINKH_TITLE));
	char		*a;
	int		 i;

	smtpd_start(&d, NULL, SMTPD_PLAIN);
	s = email_sink(&d, NULL, NULL, NULL);
	for (i = 0; i < 2; i++) {
		json_object_set_new(al, "matched_in", json_pack("[s]", i == 0 ?
		    "body" : "title"));
		a = json_dumps(al, JSON_COMPACT);
		ck_assert_int_eq(sinkh_send1(s, a, (size_t)i)->result,
		    SINK_DELIVERED);
		free(a);
		m = smtpd_message(&d, i + 1);
		ck_assert_int_eq(strstr(sinkh_get(m, "text"), "Matched:   "
		    "crimea, lavrov (in the article)") != NULL, i == 0);
		ck_assert_int_eq(strstr(sinkh_get(m, "html"), "(in the "
		    "article)") != NULL, i == 0);
		json_decref(m);
	}
	json_decref(al);
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

/* A feed title cannot add headers or recipients. */
START_TEST(email_header_injection)
{
	struct smtpd	 d;
	struct sink	*s;
	json_t		*m;

	smtpd_start(&d, NULL, SMTPD_PLAIN);
	s = email_sink(&d, NULL, NULL, NULL);
	ck_assert_int_eq(sinkh_send1(s, sinkh_alert(1, "Hi\r\nBcc: "
	    "evil@example.net\r\nX-Evil: 1"), 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	assert_no_header(m, "Bcc");
	assert_no_header(m, "X-Evil");
	ck_assert_uint_eq(json_array_size(json_object_get(m, "rcpt_tos")), 2);
	ck_assert(strchr(sinkh_get(m, "subject"), '\n') == NULL);
	ck_assert(strstr(sinkh_get(m, "subject"), "Bcc: evil") != NULL);
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

START_TEST(email_auth_failed)
{
	struct smtpd		 d;
	struct sink		*s;
	struct sinkh_outcome	*o;

	smtpd_start(&d, "alice:pw0rd", SMTPD_STARTTLS);
	s = email_sink(&d, "alice", "wrong-password", "ca.pem");
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	ck_assert_int_eq(o->result, SINK_FAILED);
	ck_assert_msg(strstr(o->error, "(smtp 535)") != NULL, "%s", o->error);
	ck_assert_msg(strstr(o->error, "wrong-password") == NULL &&
	    strstr(o->error, "alice") == NULL, "%s", o->error);
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

START_TEST(email_server_down)
{
	struct sink	*s;
	static char	*to[] = { SINKH_W("ops@example.org") };

	H->conf.type = SINK_EMAIL;
	H->conf.smtp = xstrdup("smtp://127.0.0.1:1");
	H->conf.from = SINKH_W("feedwatch@example.org");
	H->conf.to = to;
	H->conf.nto = 1;
	s = sinkh_sink();
	ck_assert_int_eq(sinkh_send1(s, sinkh_alert(1, SINKH_TITLE),
	    0)->result, SINK_RETRY);
	sink_free(s);
}
END_TEST

/* The hostile text and each non-web link, by email: headers and HTML. */
START_TEST(email_hostile)
{
	const char	*link = sinkh_links[_i];
	struct smtpd	 d;
	struct sink	*s;
	char		*title;
	const char	*text, *html;
	json_t		*m, *parts;

	/* A feed title cannot add a header or a MIME part either. */
	title = xasprintf("%s\r\nX-Evil: 1\r\n\r\n--=_feedwatch_x\r\n"
	    "Content-Type: text/html\r\n\r\n<script>x()</script>",
	    SINKH_HOSTILE);
	smtpd_start(&d, NULL, SMTPD_PLAIN);
	s = email_sink(&d, NULL, NULL, NULL);
	ck_assert_int_eq(sinkh_send1(s, sinkh_hostile(title, link),
	    0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	assert_no_header(m, "X-Evil");
	ck_assert(strpbrk(sinkh_get(m, "subject"), "\r\n") == NULL);
	parts = json_object_get(m, "parts");
	ck_assert_uint_eq(json_array_size(parts), 3);
	ck_assert_str_eq(json_string_value(json_array_get(parts, 1)),
	    "text/plain");
	ck_assert_str_eq(json_string_value(json_array_get(parts, 2)),
	    "text/html");
	ck_assert_uint_eq(json_array_size(json_object_get(m, "defects")), 0);
	text = sinkh_get(m, "text");
	html = sinkh_get(m, "html");
	sinkh_assert_no_bad_link(text, link);
	sinkh_assert_no_bad_link(html, link);
	ck_assert_msg(strstr(html, "href") == NULL, "%s", html);
	ck_assert_msg(strstr(html, "<b>x</b>") == NULL && strstr(html,
	    "<script>") == NULL, "%s", html);
	ck_assert(strstr(html, "&lt;b&gt;x&lt;/b&gt;") != NULL);
	ck_assert(strstr(text, SINKH_HOSTILE) != NULL);
	ck_assert_int_eq(sinkh_hostile_count(html), 3);
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
	free(title);
}
END_TEST

/* A plaintext client: MAIL before STARTTLS must be refused with 530. */
static void
assert_plaintext_refused(int port)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 5, 0 };
	char			 line[512];
	FILE			*f;
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert(write(fd, "EHLO test\r\n", 11) == 11);
	do
		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	while (line[3] == '-');
	ck_assert(write(fd, "MAIL FROM:<a@example.org>\r\n", 27) == 27);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_msg(strncmp(line, "530", 3) == 0, "%s", line);
	fclose(f);
}

/* STARTTLS offered, no password: curl takes it (opportunistic TLS). */
START_TEST(email_starttls_opportunistic)
{
	struct smtpd	 d;
	struct sink	*s;
	json_t		*m;

	smtpd_start(&d, NULL, SMTPD_REQUIRE);
	assert_plaintext_refused(d.port);
	s = email_sink(&d, NULL, NULL, "ca.pem");
	ck_assert_int_eq(sinkh_send1(s, sinkh_alert(1, SINKH_TITLE),
	    0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	ck_assert(json_is_true(json_object_get(m, "tls")));
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

/* A certificate from another CA: no mail, no password, a clear error. */
START_TEST(email_starttls_wrong_ca)
{
	struct smtpd		 d;
	struct sink		*s;
	struct sinkh_outcome	*o;

	smtpd_start(&d, "alice:pw0rd", SMTPD_REQUIRE);
	s = email_sink(&d, "alice", "pw0rd", "other.pem");
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_msg(strstr(o->error, "certificate") != NULL &&
	    strstr(o->error, "set ca-file") != NULL, "%s", o->error);
	smtpd_assert_auth(&d, "");
	ck_assert(!smtpd_has(&d, 1));
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

/* smtps://: TLS from the first byte. */
START_TEST(email_smtps)
{
	struct smtpd	 d;
	struct sink	*s;
	json_t		*m;

	smtpd_start(&d, "alice:pw0rd", SMTPD_SMTPS);
	s = email_sink(&d, "alice", "pw0rd", "ca.pem");
	ck_assert_int_eq(sinkh_send1(s, sinkh_alert(1, SINKH_TITLE),
	    0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	ck_assert(json_is_true(json_object_get(m, "tls")));
	smtpd_assert_auth(&d, "alice 1\n");
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

/*
 * A server without STARTTLS and a password: FAILED before AUTH, on
 * loopback too.  The password never travels in clear.
 */
START_TEST(email_no_starttls_password)
{
	struct smtpd		 d;
	struct sink		*s;
	struct sinkh_outcome	*o;

	smtpd_start(&d, "alice:pw0rd", SMTPD_PLAIN);
	s = email_sink(&d, "alice", "pw0rd", NULL);
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	ck_assert_int_eq(o->result, SINK_FAILED);
	ck_assert_msg(strstr(o->error, "STARTTLS") != NULL, "%s", o->error);
	smtpd_assert_auth(&d, "");
	ck_assert(!smtpd_has(&d, 1));
	sink_free(s);
	smtpd_stop(&d);
}
END_TEST

/* --- secrets and ca-file, through the feedwatch binary ---------------- */

static const char secrets_rss[] =
    "<rss version=\"2.0\"><channel><title>World</title>"
    "<item><title>Ferries to Crimea resume</title><guid>s-1</guid>"
    "<pubDate>Tue, 14 May 2019 18:30:00 +0000</pubDate>"
    "<link>https://news.example.org/s-1</link></item></channel></rss>";

/* Values that must never be printed, whatever the command or level. */
static const char *const secret_values[] = {
	"HOOKUSER-2t", "HOOKPASS-5x", "HOOKTOKEN-9z", "QUERYTOKEN-7q",
	"HMACKEY-3w", "MAILUSER-4v", "MAILPASS-8u"
};

static void
assert_no_secret(const struct test_proc *p, const char *what)
{
	size_t	 i;

	for (i = 0; i < sizeof(secret_values) / sizeof(secret_values[0]);
	    i++)
		ck_assert_msg(strstr(p->out, secret_values[i]) == NULL &&
		    strstr(p->err, secret_values[i]) == NULL,
		    "%s shows '%s':\n%s%s", what, secret_values[i], p->out,
		    p->err);
	ck_assert_msg(strstr(p->out, "HMACK") == NULL && strstr(p->err,
	    "HMACK") == NULL, "%s shows part of a key:\n%s%s", what, p->out,
	    p->err);
}

/* `feedwatch test-sink -v NAME` says 'want' and shows no secret. */
static void
assert_test_sink(const char *conf, const char *name, const char *want)
{
	const char		*ts[] = { "test-sink", "-v", "-c", conf, name,
				    NULL };
	struct test_proc	 p;
	char			*what = xasprintf("test-sink %s", name);

	test_run(&p, ts);
	ck_assert_msg(strstr(p.out, want) != NULL, "%s", p.out);
	assert_no_secret(&p, what);
	test_proc_clear(&p);
	free(what);
}

/*
 * A webhook whose server quotes the request in its error, and an SMTP
 * server without STARTTLS: logs at -v, `status` and `test-sink` show
 * what failed and none of the tokens, keys, user names or passwords.
 */
START_TEST(secrets_never_shown)
{
	struct httpd		*srv = httpd_start();
	struct test_proc	 p;
	struct smtpd		 d;
	char			*conf, *text, *feed, *echo;
	const char		*check[] = { "check", "-v", "-c", NULL, NULL };
	const char		*status[] = { "status", "-v", "-c", NULL,
				    NULL, NULL };

	smtpd_start(&d, "MAILUSER-4v:MAILPASS-8u", SMTPD_PLAIN);
	httpd_route(srv, "/world.xml", 200, "application/rss+xml",
	    secrets_rss, sizeof(secrets_rss) - 1, NULL);
	/* The last key is cut where the error quotes no more of the answer. */
	echo = xasprintf("no hook /services/T0/B0/HOOKTOKEN-9z?token="
	    "QUERYTOKEN-7q for HOOKUSER-2t:HOOKPASS-5x (key HMACKEY-3w)%*s"
	    "HMACKEY-3w", 21, "");
	httpd_route(srv, "/services/T0/B0/HOOKTOKEN-9z", 500, "text/plain",
	    echo, strlen(echo), NULL);
	feed = httpd_url(srv, "/world.xml");
	text = xasprintf("[daemon]\nstate = %s/state.db\nbackfill = 36500d\n"
	    "\n[feed world]\nurl = %s\n\n[topic crimea]\nquery = Crimea\n\n"
	    "[sink hook]\ntype = webhook\nformat = slack\nurl = http://"
	    "HOOKUSER-2t:HOOKPASS-5x@127.0.0.1:%d/services/T0/B0/"
	    "HOOKTOKEN-9z?token=QUERYTOKEN-7q\nsecret = HMACKEY-3w\n\n"
	    "[sink mail]\ntype = email\nsmtp = smtp://127.0.0.1:%d\n"
	    "username = MAILUSER-4v\npassword = MAILPASS-8u\n"
	    "from = feedwatch@example.org\nto = ops@example.org\n", H->dir,
	    feed, httpd_port(srv), d.port);
	conf = test_write(H->dir, "feedwatch.conf", text);
	check[3] = status[3] = conf;

	test_run(&p, check);
	ck_assert_msg(p.status == 1, "exit %d: %s", p.status, p.err);
	ck_assert_uint_eq(httpd_hits(srv, "/services/T0/B0/HOOKTOKEN-9z"), 1);
	ck_assert_msg(strstr(p.err, "http 500") != NULL, "%s", p.err);
	assert_no_secret(&p, "check -v");
	test_proc_clear(&p);
	test_run(&p, status);
	ck_assert_msg(strstr(p.out, "http 500") != NULL && strstr(p.out,
	    "STARTTLS") != NULL, "%s", p.out);
	assert_no_secret(&p, "status");
	test_proc_clear(&p);
	status[4] = "--json";
	test_run(&p, status);
	ck_assert_int_eq(p.status, 0);
	assert_no_secret(&p, "status --json");
	test_proc_clear(&p);
	assert_test_sink(conf, "hook", "sink 'hook' (webhook): retry");
	assert_test_sink(conf, "mail", "sink 'mail' (email): failed");
	/* And the password never went to the server in clear. */
	smtpd_assert_auth(&d, "");
	smtpd_stop(&d);
	httpd_stop(srv);
	free(conf);
	free(text);
	free(feed);
	free(echo);
}
END_TEST

/* ca-file: a config error with its line when missing; relative works. */
START_TEST(config_ca_file)
{
	struct test_proc	 p;
	char			*conf, *text, *want;
	const char		*check[] = { "config", "check", "-c", NULL,
				    NULL };
	static const char	*const bad[] = { "missing.pem", "." };
	size_t			 i;

	sinkh_certs();
	for (i = 0; i < 3; i++) {
		text = xasprintf("[sink mail]\ntype = email\nsmtp = smtp://"
		    "127.0.0.1:25\nfrom = a@example.org\nto = b@example.org\n"
		    "ca-file = %s\n\n[sink hook]\ntype = webhook\nurl = "
		    "https://127.0.0.1/x\nca-file = ca.pem\n", i < 2 ? bad[i] :
		    "ca.pem");
		conf = test_write(H->dir, "feedwatch.conf", text);
		check[3] = conf;
		test_run(&p, check);
		if (i == 2)
			ck_assert_msg(p.status == 0, "%s", p.err);
		else {
			ck_assert_int_eq(p.status, 2);
			want = xasprintf("%s:6: sink 'mail': ca-file '%s", conf,
			    H->dir);
			ck_assert_msg(strstr(p.err, want) != NULL, "%s", p.err);
			ck_assert_msg(strstr(p.err, i == 0 ? "No such file" :
			    "is not a file") != NULL, "%s", p.err);
			free(want);
		}
		test_proc_clear(&p);
		free(conf);
		free(text);
	}
}
END_TEST

Suite *
email_suite(void)
{
	Suite	*s = suite_create("email");
	TCase	*tc;

	tc = sinkh_tcase(s, "email", 20);
	tcase_add_test(tc, email_single_auth);
	tcase_add_test(tc, email_digest);
	tcase_add_test(tc, email_one_item);
	tcase_add_test(tc, email_one_per_story);
	tcase_add_test(tc, email_in_article);
	tcase_add_test(tc, email_header_injection);
	tcase_add_test(tc, email_auth_failed);
	tcase_add_test(tc, email_server_down);
	tcase_add_loop_test(tc, email_hostile, 0, SINKH_NLINKS - 1);
	tcase_add_test(tc, email_starttls_opportunistic);
	tcase_add_test(tc, email_starttls_wrong_ca);
	tcase_add_test(tc, email_smtps);
	tcase_add_test(tc, email_no_starttls_password);

	tc = sinkh_tcase(s, "config", 30);
	tcase_add_test(tc, config_ca_file);

	tc = sinkh_tcase(s, "secrets", 30);
	tcase_add_test(tc, secrets_never_shown);
	return s;
}
