#!/bin/sh
# bench_story.sh: same-story folding, how well and at what cost.
#
#   1. the curve: build/bench/bench_story on the labelled set of
#      tests/data/stories/ (tests/storyset.h): pairwise precision and
#      recall per threshold for shingles of 3 to 6 words, of story_same()
#      alone and of the folding the daemon does; the default row is
#      marked '*' (check_story's test_story_evaluation holds it to
#      precision >= 0.98 and recall >= 0.95);
#   2. the cost: build/bench/bench_story_cost on the small feeds of
#      ../shared/bench/gen_feeds.py (made if missing, as bench_parse.sh
#      makes them): per item, the signature, and a story claim with
#      same-story off and on (a new SQLite state, writes grouped by 100),
#      beside build/bench/bench_parse's time per item on the same files,
#      and the ratios; then the state's bytes per story in the window.
#
# Env: DATA=/tmp/feedbench  RUNS=5  SHARED=../shared  FEEDS=1000
set -eu
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$(cd .. && pwd)/shared}
DATA=${DATA:-/tmp/feedbench}
RUNS=${RUNS:-5}
FEEDS=${FEEDS:-1000}
PY=${PY:-python3}

make -s build/bench/bench_story build/bench/bench_story_cost \
    build/bench/bench_parse
echo "story benchmark: $(nproc) cores ($(date -u +%FT%TZ))"
echo
build/bench/bench_story tests/data/stories

last=$(printf 'feed%05d.xml' $((FEEDS - 1)))
[ -s "$DATA/small/$last" ] ||
    $PY "$SHARED/bench/gen_feeds.py" --seed 11 feeds --format mixed \
    --feeds "$FEEDS" --items 20 --outdir "$DATA/small"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
files=$(ls "$DATA"/small/feed*.xml | head -n "$FEEDS")

# best of RUNS: the parser's seconds for all items
best=
for _ in $(seq "$RUNS"); do
	line=$(build/bench/bench_parse $files)
	s=$(echo "$line" | sed 's/.*parse_s=\([0-9.]*\).*/\1/')
	if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'
	then best=$s; fi
done
items=$(echo "$line" | sed 's/.*items=\([0-9]*\).*/\1/')
cost=$(build/bench/bench_story_cost "$OUT" $files)
echo
echo "cost per item: $items items of $FEEDS generated feeds ($DATA/small)"
echo "$cost" | awk -v ps="$best" -v n="$items" '{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	parse = ps * 1e6 / n
	added = v["claim_near_us"] - v["claim_keys_us"]
	printf "  parse (bench_parse, best of runs)   %8.2f us\n", parse
	printf "  signature (story_sign)              %8.2f us  %5.2fx parse\n",
	    v["sign_us"], v["sign_us"] / parse
	printf "  claim, same-story = 0 (keys)        %8.2f us\n",
	    v["claim_keys_us"]
	printf "  claim, same-story on (keys, sign,   %8.2f us\n",
	    v["claim_near_us"]
	printf "    band lookup, signature stored)\n"
	printf "  added by same-story per claim       %8.2f us  %5.2fx parse\n",
	    added, added / parse
	printf "  state per story in the window       %8d bytes\n",
	    v["near_bytes"]
}'
echo "  (only an item that matches a topic is signed and claimed, once"
echo "  per topic; an item that matches nothing costs nothing here)"
