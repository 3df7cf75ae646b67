/*
 * commands.h: the subcommands of feedwatch(1) (SPEC.md section 1).
 *
 * Each takes the arguments after the command name (argv[0] is the command
 * itself, as getopt expects) and returns the process exit status: 0 on
 * success, 1 on a runtime failure, 2 on a usage or config error.
 */
#ifndef FEEDWATCH_COMMANDS_H
#define FEEDWATCH_COMMANDS_H

int	cmd_check(int argc, char **argv);
int	cmd_parse(int argc, char **argv);
int	cmd_match(int argc, char **argv);
int	cmd_config(int argc, char **argv);
int	cmd_opml(int argc, char **argv);

#endif
