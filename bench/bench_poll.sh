#!/bin/sh
# Poll benchmark: one full refresh of N feeds served by nginx on 127.0.0.1
# (ETag and Last-Modified on), then a second and third, all-304 refresh;
# feedwatch (`feedwatch check`, state kept between refreshes) side by side
# with a bare curl multi fetch (the floor), sfeed_update, newsboat and
# rss2email, measured by ../shared/bench/run_poll.sh in one run, and a bare
# libxml2 SAX2 parse of the same files.  Prints the table, feedwatch's
# ratios and the targets of the daemon's issue.
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
# The anchor of the full-refresh target: bare libxml2 SAX2 push over the
# same N files (best of 3), one row per N in the same table.
sax=$shared/bench/c/sax_count
make -s -C "$shared/bench/c" sax_count >/dev/null 2>&1 || true
for n in ${NS:-1000 10000}; do
	[ -x "$sax" ] || break
	files=$(ls "$DATA"/poll/*.xml | head -n "$n")
	cat $files > /dev/null
	best=
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		"$sax" $files > /dev/null
		t=$(( $(date +%s%N) - t0 ))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	printf 'libxml2-sax2\t%s\tcold\t1\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t0\n' \
	    "$n" "$(echo "$best" | awk '{ printf "%.2f", $1 / 1e9 }')" \
	    "$(echo "$best" | awk '{ printf "%.2f", $1 / 1e9 }')" \
	    >> "$results/poll/poll.tsv"
done
python3 "$here/poll_ratios.py" "$results/poll/poll.tsv"
