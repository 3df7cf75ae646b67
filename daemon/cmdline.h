/*
 * cmdline.h: what the commands share before their own work (SPEC.md
 * section 1).
 *
 * Every command takes -v and -q (--verbose, --quiet: more or less
 * logging; in match and backtest -q QUERY is a query, as -e is, and
 * --quiet the only spelling of quiet) and --help beside its own options,
 * those that read a config -c FILE, and exits 0 on success, 1 on a
 * runtime failure and 2 on a usage or config error (match: 1 when nothing
 * matched, as grep does).  Options and operands come in any order
 * (`test-sink NAME -c FILE`); "--" ends the options.  A command describes
 * itself in a struct cmdline and reads its own options with
 * cmdline_getopt(), which handles the common ones; cmdline_config() then
 * finds and loads its config, and cmdline_state() opens the state
 * read-only for the commands that read it beside the daemon (status,
 * backtest).  The daemon and `check` open the state for writing in
 * watch_new().
 *
 * `match` and `backtest` print the alerts they find, as `run` would send
 * them, with cmdline_print_match() (backtest with cmdline_match_json(),
 * holding them until their also_in is known).
 */
#ifndef FEEDWATCH_CMDLINE_H
#define FEEDWATCH_CMDLINE_H

struct config;
struct feed_item;
struct match;
struct option;
struct store;

/* What cmdline_getopt() returns besides the command's own options. */
enum {
	CMDLINE_END = -1,	/* every option is read: go on */
	CMDLINE_EXIT = -2	/* --help or a usage error: exit cl->status */
};

struct cmdline {
	const char	*usage;		/* for --help, and on a usage error */
	const char	*optstring;	/* getopt's, the common letters too;
					   no '+': options follow operands */
	const struct option *longopts;	/* the command's own, or NULL */
	const char	*config;	/* -c FILE, else NULL */
	int		 verbosity;	/* -v minus -q */
	int		 status;	/* the exit status after CMDLINE_EXIT */
};

/*
 * getopt_long(3) over argv with cl->optstring and cl->longopts plus
 * --help, --quiet and --verbose.  Handles -c, -v, -q (unless
 * cl->optstring has "q:", where -q is the command's), --verbose, --quiet
 * and --help, and returns the command's next own option (optarg set), or
 * CMDLINE_END after the last, with logging set up (log_init), or
 * CMDLINE_EXIT after printing the usage, on stdout for --help (status 0),
 * else on stderr (status 2).
 */
int		 cmdline_getopt(struct cmdline *cl, int argc, char **argv);

/* Prints the usage on stderr and returns 2, for a wrong argument. */
int		 cmdline_usage(const struct cmdline *cl);

/*
 * The config of -c FILE, else the first found of SPEC section 1's
 * places (config_find), loaded: cf->path names it.  NULL after printing
 * why (every error of the file, or the places searched); exit 2.
 */
struct config	*cmdline_config(const struct cmdline *cl);

/*
 * The state of 'cf' (see store_location()), opened read-only beside a
 * daemon that may be writing it.  NULL after printing why: "no state at
 * 'PATH' yet: NONE" where there is none.
 */
struct store	*cmdline_state(const struct config *cf, const char *none);

/*
 * Prints on stdout the alert JSON line (SPEC section 5) of match 'm' of
 * 'it' from feed 'feed', detected now, with 'priority' (NULL: normal).
 * -1 after a warning if the alert cannot be encoded.
 */
int		 cmdline_print_match(const struct match *m, const char *feed,
		    const struct feed_item *it, const char *priority);

/*
 * That alert JSON line as a new string, without the newline, and its
 * alert_id in 'id' (ALERT_ID_LEN + 1 bytes, alert.h); NULL after a
 * warning if the alert cannot be encoded.
 */
char		*cmdline_match_json(const struct match *m, const char *feed,
		    const struct feed_item *it, const char *priority,
		    char *id);

#endif
