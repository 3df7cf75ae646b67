#!/bin/sh
# Poll benchmark: one full refresh of N feeds served by nginx on 127.0.0.1
# (ETag and Last-Modified on), then a second and third, all-304 refresh;
# feedwatch (`feedwatch check`, state kept between refreshes) side by side
# with a bare curl multi fetch (the floor), sfeed_update, newsboat and
# rss2email, measured by ../shared/bench/run_poll.sh in one run.  Prints
# the table and feedwatch's ratios.
#
# Env: NS="1000 10000" RUNS=1 DATA=/tmp/feedbench TOOLS=... (run_poll.sh's)
# Needs: scripts/install-bench-deps.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${SHARED:-$root/../shared}
DATA=${DATA:-/tmp/feedbench}
export DATA
results=${RESULTS:-$root/bench-results}
export RESULTS="$results"

for tool in nginx sfeed_update newsboat r2e wrk bc; do
	command -v "$tool" >/dev/null 2>&1 ||
	    echo "bench_poll: '$tool' is missing: run scripts/install-bench-deps.sh" >&2
done
command -v nginx >/dev/null 2>&1 || { echo "bench_poll: skipped (no nginx)"; exit 0; }
if [ ! -f "$DATA/poll/feed09999.xml" ]; then
	echo "bench_poll: generating 10,000 feeds in $DATA/poll"
	python3 "$shared/bench/gen_feeds.py" --seed 17 feeds --format mixed \
	    --feeds 10000 --items 10 --outdir "$DATA/poll" >/dev/null
fi
rm -f "$results/poll/poll.tsv"
NEW_POLL="sh $here/poll_feedwatch.sh %U %S" \
    NS=${NS:-"1000 10000"} RUNS=${RUNS:-1} SKIP_WRK=${SKIP_WRK:-1} \
    TOOLS=${TOOLS:-"curl-multi sfeed_update newsboat r2e"} \
    bash "$shared/bench/run_poll.sh"
python3 "$here/poll_ratios.py" "$results/poll/poll.tsv"
