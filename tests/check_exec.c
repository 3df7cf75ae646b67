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
	char	*path = xasprintf("%s/%s", H->dir, name), *text;

	text = test_slurp(path);
	free(path);
	return text;
}

static const char exec_script[] =
    "cat > \"$1/stdin\"\n"
    "env | grep '^FEEDWATCH_' | sort > \"$1/env\"\n"
    "echo \"a line of output\"\n"
    "echo \"oops: exit $2\" >&2\n"
    "exit $2\n";

static void
exec_conf(const char *code, char **argv)
{
	argv[0] = SINKH_W("/bin/sh");
	argv[1] = test_write(H->dir, "hook.sh", exec_script);
	argv[2] = H->dir;
	argv[3] = (char *)code;
	argv[4] = NULL;
	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	H->conf.ncommand = 4;
	H->conf.timeout = 5;
}

START_TEST(exec_stdin_env)
{
	struct sink	*s;
	char		*a = sinkh_alert(1, SINKH_TITLE);
	char		*argv[5], *in, *env, *want;
	const char	*alerts[] = { a };
	json_t		*al = sinkh_json(a);

	exec_conf("0", argv);
	s = sinkh_sink();
	ck_assert_int_eq(sinkh_send(s, alerts, 1, 0)->result, SINK_DELIVERED);
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
	free(argv[1]);
	free(a);
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
	char			*a = sinkh_alert(1, SINKH_TITLE), *argv[5];
	const char		*alerts[] = { a };
	struct sinkh_outcome	*o;

	exec_conf(exits[_i].code, argv);
	s = sinkh_sink();
	o = sinkh_send(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, exits[_i].result);
	/* The program's last line of output is in the message. */
	ck_assert_msg(strstr(o->error, "oops: exit") != NULL, "%s", o->error);
	sink_free(s);
	free(argv[1]);
	free(a);
}
END_TEST

/* A digest bigger than a pipe, to a reader that starts late. */
START_TEST(exec_digest_slow_reader)
{
	struct sink	*s;
	char		*argv[5], *in, *t;
	char		*a[200];
	const char	*alerts[200];
	size_t		 i;
	GString		*big = g_string_new(NULL);

	for (i = 0; i < 500; i++)
		g_string_append(big, "long title ");
	for (i = 0; i < 200; i++) {
		t = xasprintf("%zu %s", i, big->str);
		alerts[i] = a[i] = sinkh_alert(i, t);
		free(t);
	}
	g_string_free(big, TRUE);
	argv[0] = SINKH_W("/bin/sh");
	argv[1] = SINKH_W("-c");
	argv[2] = xasprintf("sleep 0.3; cat > '%s/stdin'; "
	    "test \"$FEEDWATCH_COUNT\" = 200", H->dir);
	argv[3] = NULL;
	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	H->conf.ncommand = 3;
	s = sinkh_sink();
	ck_assert_int_eq(sinkh_send(s, alerts, 200, 0)->result, SINK_DELIVERED);
	in = slurp_in_dir("stdin");
	ck_assert_int_eq(test_count_lines(in, "\"alert_id\""), 200);
	ck_assert_uint_gt(strlen(in), 1000000);
	g_free(in);
	sink_free(s);
	free(argv[2]);
	for (i = 0; i < 200; i++)
		free(a[i]);
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
	char			*a = sinkh_alert(1, SINKH_TITLE);
	char			*argv[4], *pidfile, *txt;
	const char		*alerts[] = { a };
	struct sinkh_outcome	*o;
	pid_t			 pid;
	int			 i;

	pidfile = xasprintf("%s/pid", H->dir);
	argv[0] = SINKH_W("/bin/sh");
	argv[1] = SINKH_W("-c");
	argv[2] = xasprintf("sleep 30 & echo $! > '%s'; wait", pidfile);
	argv[3] = NULL;
	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	H->conf.ncommand = 3;
	H->conf.timeout = 1;
	s = sinkh_sink();
	o = sinkh_send(s, alerts, 1, 0);
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
	free(argv[2]);
	free(pidfile);
	free(a);
}
END_TEST

START_TEST(exec_not_found)
{
	struct sink		*s;
	char			*a = sinkh_alert(1, SINKH_TITLE);
	const char		*alerts[] = { a };
	char			*argv[2];
	struct sinkh_outcome	*o;

	argv[0] = SINKH_W("/nonexistent/feedwatch-hook");
	argv[1] = NULL;
	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	H->conf.ncommand = 1;
	s = sinkh_sink();
	o = sinkh_send(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_FAILED);
	ck_assert_msg(strstr(o->error, "cannot run") != NULL, "%s", o->error);
	sink_free(s);
	free(a);
}
END_TEST

/* FEEDWATCH_LINK holds web links only. */
START_TEST(exec_bad_link)
{
	struct sink	*s;
	char		*a = sinkh_hostile(SINKH_HOSTILE, sinkh_links[0]);
	char		*argv[5], *env;
	const char	*alerts[] = { a };

	exec_conf("0", argv);
	s = sinkh_sink();
	ck_assert_int_eq(sinkh_send(s, alerts, 1, 0)->result, SINK_DELIVERED);
	env = slurp_in_dir("env");
	ck_assert_msg(strstr(env, "FEEDWATCH_LINK=\n") != NULL, "%s", env);
	g_free(env);
	sink_free(s);
	free(argv[1]);
	free(a);
}
END_TEST

Suite *
exec_suite(void)
{
	Suite	*s = suite_create("exec");
	TCase	*tc;

	tc = sinkh_tcase(s, "exec", 20);
	tcase_add_test(tc, exec_stdin_env);
	tcase_add_loop_test(tc, exec_exit_status, 0,
	    sizeof(exits) / sizeof(exits[0]));
	tcase_add_test(tc, exec_digest_slow_reader);
	tcase_add_test(tc, exec_timeout_kills_group);
	tcase_add_test(tc, exec_not_found);
	tcase_add_test(tc, exec_bad_link);
	return s;
}
