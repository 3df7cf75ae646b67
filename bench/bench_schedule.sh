#!/bin/sh
# bench_schedule.sh: interval = auto against a fixed 15-minute interval,
# in virtual time (build/bench/bench_schedule links the scheduler's rule).
#
# Publishing histories: the item dates of every feed in ../shared/corpus
# (each feed's items, as `feedwatch parse` dates them, its history; the
# feeds with two dated items or more), and bench/schedule/*.hist (busy,
# bursty news feeds, weekly blogs, dead feeds).  Prints, for each set and
# for all together, the median and p90 detection delay and the requests a
# feed a day, and whether the target is met: no more requests than the
# fixed interval, the median delay at least halved.
#
# Env: SHARED=../shared  MIN=120  MAX=21600  FIXED=900
set -eu
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$(cd .. && pwd)/shared}
MIN=${MIN:-120}
MAX=${MAX:-21600}
FIXED=${FIXED:-900}
make -s feedwatch build/bench/bench_schedule
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The corpus's feeds as histories: one "# feed" block per file.
find "$SHARED/corpus" -type f \( -name '*.xml' -o -name '*.atom' -o \
    -name '*.json' -o -name '*.rss' \) -print0 |
    xargs -0 ./feedwatch parse 2>/dev/null |
    jq -r 'select(.published != null or .updated != null) |
        [.feed, ((.published // .updated) | fromdateiso8601)] | @tsv' |
    awk -F '\t' '{ n[$1]++; t[$1] = t[$1] $2 "\n" }
        END { for (f in n) if (n[f] >= 2) {
            g = f; gsub(/[^A-Za-z0-9._-]/, "_", g);
            printf "# feed %s\n%s", g, t[f] } }' > "$tmp/corpus.hist"

run() {
	echo "== $1"
	shift
	build/bench/bench_schedule -i "$FIXED" -m "$MIN" -M "$MAX" "$@"
	echo
}
run "corpus ($SHARED/corpus)" "$tmp/corpus.hist"
for f in bench/schedule/*.hist; do
	run "$(basename "$f" .hist)" "$f"
done
run "all" "$tmp/corpus.hist" bench/schedule/*.hist
