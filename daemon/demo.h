/*
 * demo.h: `feedwatch demo`, the daemon on the bundled example config.
 *
 * It runs `feedwatch run` on examples/feedwatch.conf (of the source tree
 * the binary was built in, or of the install, found from the binary's own
 * path whatever the prefix; $FEEDWATCH_EXAMPLES overrides) with its state
 * in a fresh temporary directory (so the example alerts show on every run),
 * plus one live feed served over HTTP from 127.0.0.1 by the daemon's own
 * loop, which gains a new story every 20 seconds ($FEEDWATCH_DEMO_PERIOD),
 * so that a newcomer sees a new item alert live.  Alerts print on the
 * terminal and, where a session bus exists, on the desktop.  Ctrl-C
 * stops it and removes the temporary state.
 */
#ifndef FEEDWATCH_DEMO_H
#define FEEDWATCH_DEMO_H

int	cmd_demo(int argc, char **argv);

#endif
