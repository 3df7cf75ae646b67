/* main.c: feedwatch(1), the subcommand dispatcher. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "alerts.h"
#include "backtest.h"
#include "demo.h"
#include "mute.h"
#include "run.h"
#include "status.h"
#include "subscribe.h"
#include "testsink.h"
#include "log.h"
#include "parser.h"
#include "xfer.h"

static const char *const usage =
    "usage: feedwatch COMMAND [-c FILE] [-v|-q] [ARGS]\n"
    "\n"
    "A streaming RSS/Atom monitor: polls feeds, matches every new item\n"
    "against the topics you watch and sends alerts.\n"
    "\n"
    "commands:\n"
    "  run                                 the daemon, in the foreground\n"
    "  check [--dry-run] [--feed NAME]...  poll every feed once, alert, exit\n"
    "  parse SRC...                        print a feed's items as JSON lines\n"
    "  match -e QUERY... [SRC...]          run queries over feeds or items\n"
    "  config check                        validate the config file\n"
    "  status [--all|--feed NAME] [--json] the daemon, feeds and deliveries\n"
    "  alerts [--since D] [--topic T]      alerts sent, pending and failed\n"
    "  mute TOPIC [for D]                  silence a topic, in the daemon too\n"
    "  unmute TOPIC                        let a muted topic alert again\n"
    "  add URL [--name N] [--tags T]       add a feed, or a web page's feed\n"
    "  remove NAME                         remove a feed from the config\n"
    "  opml import FILE | opml export      subscriptions in and out\n"
    "  backtest TOPIC | backtest -e QUERY  replay kept items: what would alert\n"
    "  test-sink NAME                      send a sample alert through a sink\n"
    "  demo                                the daemon on the example config\n"
    "\n"
    "options (every command, before or after its operands):\n"
    "  -c FILE     the config (else $FEEDWATCH_CONFIG,\n"
    "              $XDG_CONFIG_HOME/feedwatch/feedwatch.conf,\n"
    "              $CONFIGURATION_DIRECTORY/feedwatch.conf,\n"
    "              /etc/feedwatch/feedwatch.conf)\n"
    "  -v, -q      more or less logging (--verbose, --quiet; in match\n"
    "              and backtest -q QUERY is a query: use --quiet)\n"
    "  --help      the command's help\n"
    "\n"
    "feedwatch --version prints the version.  Exit status: 0 success,\n"
    "1 runtime failure, 2 usage or config error (match: 0 matched,\n"
    "1 nothing matched, 2 error).\n";

struct command {
	const char	*name;
	int		(*fn)(int, char **);
};

static const struct command commands[] = {
	{ "run", cmd_run },
	{ "check", cmd_check },
	{ "status", cmd_status },
	{ "alerts", cmd_alerts },
	{ "mute", cmd_mute },
	{ "unmute", cmd_unmute },
	{ "opml", cmd_opml },
	{ "add", cmd_add },
	{ "remove", cmd_remove },
	{ "backtest", cmd_backtest },
	{ "demo", cmd_demo },
	{ "parse", cmd_parse },
	{ "match", cmd_match },
	{ "config", cmd_config },
	{ "test-sink", cmd_test_sink },
};

int
main(int argc, char **argv)
{
	size_t	 i;
	int	 rc;

	log_init(0);
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("feedwatch %s\n", FEEDWATCH_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "feedwatch: unknown command '%s'; "
		    "'feedwatch --help' lists them\n", argv[1]);
		return 2;
	}
	if (xfer_global_init() == -1)
		return 1;
	feed_parser_global_init();
	rc = commands[i].fn(argc - 1, argv + 1);
	xfer_global_cleanup();
	return rc;
}
