/*
 * check_exec.c: the exec sink running small sh scripts: the alert on
 * stdin and in the environment, exit statuses, a digest bigger than a
 * pipe, a timeout that kills the process group.
 */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "sink.h"
#include "sinkh.h"
#include "xmalloc.h"

/* H->dir/NAME's text (g_free it). */
static char *
slurp_in_dir(const char *name)
{
	char	*path = sinkh_path(name), *text;

	text = test_slurp(path);
	free(path);
	return text;
}

/* An exec sink running 'argv' with a 'timeout' (0: the default). */
static struct sink *
exec_sink(char **argv, long timeout)
{
	struct sink	*s;

	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	for (H->conf.ncommand = 0; argv[H->conf.ncommand] != NULL;
	    H->conf.ncommand++)
		;
	H->conf.timeout = timeout;
	s = sinkh_sink();
	/* The sink has its copy: 'argv' need not outlive the call. */
	H->conf.command = NULL;
	return s;
}

/* An exec sink running sh -c 'script'. */
static struct sink *
sh_sink(const char *script, long timeout)
{
	char	*argv[] = { SINKH_W("/bin/sh"), SINKH_W("-c"), (char *)script,
		    NULL };

	return exec_sink(argv, timeout);
}

static const char exec_script[] =
    "cat > \"$1/stdin\"\n"
    "env | grep '^FEEDWATCH_' | sort > \"$1/env\"\n"
    "echo \"a line of output\"\n"
    "echo \"oops: exit $2\" >&2\n"
    "exit $2\n";

/*
 * An exec sink running exec_script, which saves its stdin and environment
 * in H->dir and exits with 'code'.
 */
static struct sink *
script_sink(const char *code)
{
	char		*argv[5];
	struct sink	*s;

	argv[0] = SINKH_W("/bin/sh");
	argv[1] = test_write(H->dir, "hook.sh", exec_script);
	argv[2] = H->dir;
	argv[3] = (char *)code;
	argv[4] = NULL;
	s = exec_sink(argv, 5);
	free(argv[1]);
	return s;
}

START_TEST(exec_stdin_env)
{
	struct sink	*s;
	const char	*a = sinkh_alert(1, SINKH_TITLE);
	char		*in, *env, *want;
	json_t		*al = sinkh_json(a);

	s = script_sink("0");
	ck_assert_int_eq(sinkh_send1(s, a, 0)->result, SINK_DELIVERED);
	in = slurp_in_dir("stdin");
	want = xasprintf("%s\n", a);
	ck_assert_str_eq(in, want);
	env = slurp_in_dir("env");
	ck_assert(strstr(env, "FEEDWATCH_TOPIC=crimea\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_TITLE=" SINKH_TITLE "\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_LINK=https://news.example.org/"
	    "world/1?a=1&b=2\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_FEED=world\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_FEED_TITLE=World & Co\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_MATCHED=crimea,lavrov\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_COUNT=1\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_SINK=test\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_SNIPPET=") != NULL);
	free(want);
	want = xasprintf("FEEDWATCH_ALERT_ID=%s\n", sinkh_get(al, "alert_id"));
	ck_assert(strstr(env, want) != NULL);
	free(want);
	g_free(in);
	g_free(env);
	json_decref(al);
	sink_free(s);
}
END_TEST

/*
 * The alerts of one item for three topics: one run, each alert a line of
 * stdin, FEEDWATCH_TOPICS naming the three.
 */
START_TEST(exec_one_item)
{
	struct sink	*s;
	const char	*alerts[] = { sinkh_alert_topic(1, "crimea"),
	    sinkh_alert_topic(1, "lavrov"), sinkh_alert_topic(1, "ukraine") };
	char		*in, *env, *want;

	s = script_sink("0");
	ck_assert_int_eq(sinkh_send(s, alerts, 3, 0)->result, SINK_DELIVERED);
	in = slurp_in_dir("stdin");
	want = xasprintf("%s\n%s\n%s\n", alerts[0], alerts[1], alerts[2]);
	ck_assert_str_eq(in, want);
	env = slurp_in_dir("env");
	ck_assert(strstr(env, "FEEDWATCH_COUNT=3\n") != NULL);
	ck_assert_msg(strstr(env, "FEEDWATCH_TOPICS=crimea,lavrov,ukraine\n") !=
	    NULL, "%s", env);
	ck_assert(strstr(env, "FEEDWATCH_TOPIC=crimea\n") != NULL);
	free(want);
	g_free(in);
	g_free(env);
	sink_free(s);
}
END_TEST

static const struct {
	const char		*code;
	enum sink_result	 result;
} exits[] = {
	{ "75", SINK_RETRY },
	{ "1", SINK_RETRY },
	{ "65", SINK_FAILED },
	{ "78", SINK_FAILED },
};

START_TEST(exec_exit_status)
{
	struct sink		*s;
	struct sinkh_outcome	*o;

	s = script_sink(exits[_i].code);
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	ck_assert_int_eq(o->result, exits[_i].result);
	/* The program's last line of output is in the message. */
	ck_assert_msg(strstr(o->error, "oops: exit") != NULL, "%s", o->error);
	sink_free(s);
}
END_TEST

/* A digest bigger than a pipe, to a reader that starts late. */
START_TEST(exec_digest_slow_reader)
{
	struct sink	*s;
	char		*script, *in, *t;
	const char	*alerts[200];
	size_t		 i;
	GString		*big = g_string_new(NULL);

	for (i = 0; i < 500; i++)
		g_string_append(big, "long title ");
	for (i = 0; i < 200; i++) {
		t = xasprintf("%zu %s", i, big->str);
		alerts[i] = sinkh_alert(i, t);
		free(t);
	}
	g_string_free(big, TRUE);
	script = xasprintf("sleep 0.3; cat > '%s/stdin'; "
	    "test \"$FEEDWATCH_COUNT\" = 200", H->dir);
	s = sh_sink(script, 0);
	ck_assert_int_eq(sinkh_send(s, alerts, 200, 0)->result, SINK_DELIVERED);
	in = slurp_in_dir("stdin");
	ck_assert_int_eq(test_count_lines(in, "\"alert_id\""), 200);
	ck_assert_uint_gt(strlen(in), 1000000);
	g_free(in);
	sink_free(s);
	free(script);
}
END_TEST

static int
pid_gone(pid_t pid)
{
	char	*path = xasprintf("/proc/%ld/stat", (long)pid), *st, *p;
	int	 gone;

	if (!g_file_get_contents(path, &st, NULL, NULL)) {
		free(path);
		return 1;
	}
	/* A zombie nobody reaps (no init in a container) counts as gone. */
	p = strrchr(st, ')');
	gone = p != NULL && p[2] == 'Z';
	g_free(st);
	free(path);
	return gone;
}

START_TEST(exec_timeout_kills_group)
{
	struct sink		*s;
	char			*script, *pidfile, *txt;
	struct sinkh_outcome	*o;
	pid_t			 pid;
	int			 i;

	pidfile = sinkh_path("pid");
	script = xasprintf("sleep 30 & echo $! > '%s'; wait", pidfile);
	s = sh_sink(script, 1);
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_msg(strstr(o->error, "timed out") != NULL, "%s", o->error);
	ck_assert_msg(o->at < 4, "took %.2fs", o->at);
	txt = test_slurp(pidfile);
	pid = atoi(txt);
	ck_assert_int_gt(pid, 0);
	/* The grandchild got the signal too. */
	for (i = 0; i < 100 && !pid_gone(pid); i++)
		usleep(20000);
	ck_assert_msg(pid_gone(pid), "sleep %ld still runs", (long)pid);
	g_free(txt);
	sink_free(s);
	free(script);
	free(pidfile);
}
END_TEST

START_TEST(exec_not_found)
{
	struct sink		*s;
	char			*argv[2];
	struct sinkh_outcome	*o;

	argv[0] = SINKH_W("/nonexistent/feedwatch-hook");
	argv[1] = NULL;
	s = exec_sink(argv, 0);
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	ck_assert_int_eq(o->result, SINK_FAILED);
	ck_assert_msg(strstr(o->error, "cannot run") != NULL, "%s", o->error);
	sink_free(s);
}
END_TEST

/* FEEDWATCH_LINK holds web links only. */
START_TEST(exec_bad_link)
{
	struct sink	*s;
	char		*env;

	s = script_sink("0");
	ck_assert_int_eq(sinkh_send1(s, sinkh_hostile(SINKH_HOSTILE,
	    sinkh_links[0]), 0)->result, SINK_DELIVERED);
	env = slurp_in_dir("env");
	ck_assert_msg(strstr(env, "FEEDWATCH_LINK=\n") != NULL, "%s", env);
	g_free(env);
	sink_free(s);
}
END_TEST

Suite *
exec_suite(void)
{
	Suite	*s = suite_create("exec");
	TCase	*tc;

	tc = sinkh_tcase(s, "exec", 20);
	tcase_add_test(tc, exec_stdin_env);
	tcase_add_test(tc, exec_one_item);
	tcase_add_loop_test(tc, exec_exit_status, 0,
	    sizeof(exits) / sizeof(exits[0]));
	tcase_add_test(tc, exec_digest_slow_reader);
	tcase_add_test(tc, exec_timeout_kills_group);
	tcase_add_test(tc, exec_not_found);
	tcase_add_test(tc, exec_bad_link);
	return s;
}
