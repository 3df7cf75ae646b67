#!/bin/sh
# WebSub push latency: the local hub (tests/hub.py), 1,000 subscribed
# feeds, 100 publishes a second for 20 s; the time from the hub's POST to
# the alert line of a file sink, p50 and p99, and the daemon's CPU per
# push, with their ratios to the targets (p50 < 50 ms, p99 < 250 ms).
# FEEDS, RATE and SECS change the load.  Loopback only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
exec python3 "$here/bench_push.py" --feedwatch "${FEEDWATCH:-$root/feedwatch}" \
    --hub "$root/tests/hub.py" --feeds "${FEEDS:-1000}" \
    --rate "${RATE:-100}" --secs "${SECS:-20}"
