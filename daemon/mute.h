/*
 * mute.h: `feedwatch mute TOPIC [for DURATION]` and `feedwatch unmute
 * TOPIC`.
 *
 * A mute is a row of the state store, written beside a running daemon
 * (store.h: STORE_CONTROL, no writer's lock), which reads it back within
 * STORE_MUTES_TTL seconds: no reload, no restart.  While a topic is
 * muted its matches do not alert; their items are recorded as seen all
 * the same, so unmuting alerts only what comes after, not what came
 * meanwhile.  Alerts queued before the mute are still delivered.  A mute
 * for a DURATION ends by itself; one without lasts until `unmute`.
 * Muting a topic again replaces its mute.
 */
#ifndef FEEDWATCH_MUTE_H
#define FEEDWATCH_MUTE_H

int	cmd_mute(int argc, char **argv);
int	cmd_unmute(int argc, char **argv);

#endif
