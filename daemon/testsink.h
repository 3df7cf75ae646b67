/*
 * testsink.h: `feedwatch test-sink NAME` (SPEC.md section 1).
 *
 * Sends one sample alert (topic "feedwatch-test", a fresh alert_id each
 * run so that receivers deduplicating on Idempotency-Key or Message-ID
 * still show it) through the configured sink NAME, waits on the event
 * loop until the sink reports, and prints the outcome:
 *
 *   sink 'NAME' (TYPE): delivered
 *   sink 'NAME' (TYPE): retry [after Ns]: ERROR
 *   sink 'NAME' (TYPE): failed: ERROR
 *
 * Exit status 0 when delivered, 1 otherwise, 2 for a usage or config error
 * (no such sink included).
 */
#ifndef FEEDWATCH_TESTSINK_H
#define FEEDWATCH_TESTSINK_H

/* argv[0] is "test-sink", as getopt expects. */
int	cmd_test_sink(int argc, char **argv);

#endif
