/*
 * backtest.h: `feedwatch backtest TOPIC` and `feedwatch backtest -q QUERY`.
 *
 * Replays the items kept in the state store (first seen within --since,
 * default 7d) against a configured topic, with its stem, translit and
 * feeds options, or against a query (which may use the config's aliases),
 * and prints what would have alerted, as alert JSON lines: one per story
 * and topic, folded as the daemon folds them (the same link or headline,
 * in another feed or later), with the feeds of the other items of the
 * story in its also_in.  Nothing is sent and nothing is written.
 */
#ifndef FEEDWATCH_BACKTEST_H
#define FEEDWATCH_BACKTEST_H

int	cmd_backtest(int argc, char **argv);

#endif
