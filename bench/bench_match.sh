#!/bin/sh
# bench_match.sh: the matcher against grep -F -i -w on the same text.
#
# For 10, 1,000, 10,000 and 100,000 topics (terms from ../shared/bench/
# gen_feeds.py, one topic per term, quoted as a phrase) over the corpus
# (one item a line, ~150 MB by default), prints items/s, MB/s, compile
# time and peak RSS of build/bench/bench_match beside
# `LC_ALL=C grep -c -F -i -w -f TERMS CORPUS` (output to a file: grep
# stops at the first match when writing to /dev/null), and the ratios.
#
# Env: DATA=/tmp/feedbench (made if missing)  BENCH_MB=150
#      SHARED=../shared  NS="10 1000 10000 100000"  GREP_UTF8=1 adds
#      grep in the C.UTF-8 locale (slow).
set -eu
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$(cd .. && pwd)/shared}
DATA=${DATA:-/tmp/feedbench}
BENCH_MB=${BENCH_MB:-150}
NS=${NS:-"10 1000 10000 100000"}
GEN=$SHARED/bench/gen_feeds.py
PY=${PY:-python3}
mkdir -p "$DATA"
for n in $NS; do
	[ -s "$DATA/terms_$n.txt" ] ||
	    $PY "$GEN" terms --n "$n" --out "$DATA/terms_$n.txt"
done
C=$DATA/corpus.txt
[ "$BENCH_MB" = 150 ] || C=$DATA/corpus_$BENCH_MB.txt
if [ ! -s "$C" ]; then
	$PY "$GEN" --seed 13 corpus --target-mb "$BENCH_MB" --out "$C.tmp"
	mv "$C.tmp" "$C"
fi
make -s build/bench/bench_match
B=build/bench/bench_match
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat "$C" > /dev/null	# warm the page cache
bytes=$(wc -c < "$C")
lines=$(wc -l < "$C")
echo "match benchmark: $C, $bytes bytes, $lines items, $(nproc) cores"
echo "feedwatch: build/bench/bench_match (compile excluded, reading included)"
echo "grep: LC_ALL=C grep -c -F -i -w -f TERMS (whole process)"
printf '%8s %10s %10s %9s %9s %9s %10s %10s %8s %8s %8s %9s\n' topics fw_MB/s \
    fw_items/s fw_comp_s fw_rss_MB grep_MB/s grep_rss_MB fw_lines \
    grep_lines x_grep x_10top fw_wall_s
base=
for n in $NS; do
	T=$DATA/terms_$n.txt
	/usr/bin/time -f '%e %M' -o "$OUT/fw.time" $B "$T" "$C" > "$OUT/fw.out"
	fw=$(cat "$OUT/fw.out")
	get() { echo "$fw" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	/usr/bin/time -f '%e %M' -o "$OUT/grep.time" sh -c \
	    "LC_ALL=C grep -c -F -i -w -f '$T' '$C' > '$OUT/grep.out'" || true
	gs=$(cut -d' ' -f1 "$OUT/grep.time")
	grss=$(cut -d' ' -f2 "$OUT/grep.time")
	mbs=$(get mb_s)
	[ -n "$base" ] || base=$mbs
	awk -v n="$n" -v mbs="$mbs" -v its="$(get items_s)" \
	    -v comp="$(get compile_s)" -v rss="$(get maxrss_kb)" \
	    -v gs="$gs" -v grss="$grss" -v by="$bytes" \
	    -v fl="$(get matched_items)" -v gl="$(cat "$OUT/grep.out")" \
	    -v base="$base" -v wall="$(cut -d' ' -f1 "$OUT/fw.time")" \
	    'BEGIN { gm = by / 1e6 / gs;
	    printf "%8d %10.1f %10.0f %9.3f %9.1f %9.1f %10.1f %10d %8d %8.1f %8.2f %9.2f\n",
	    n, mbs, its, comp, rss / 1024, gm, grss / 1024, fl, gl,
	    mbs / gm, base / mbs, wall }'
	if [ "${GREP_UTF8:-0}" = 1 ]; then
		/usr/bin/time -f '%e %M' -o "$OUT/grepu.time" sh -c \
		    "LC_ALL=C.UTF-8 grep -c -F -i -w -f '$T' '$C' > '$OUT/grep.out'" || true
		awk -v n="$n" -v gs="$(cut -d' ' -f1 "$OUT/grepu.time")" \
		    -v by="$bytes" -v mbs="$mbs" 'BEGIN { printf \
		    "%8d grep C.UTF-8: %.1f MB/s, feedwatch %.1fx\n", n,
		    by / 1e6 / gs, mbs / (by / 1e6 / gs) }'
	fi
done
echo "x_grep: feedwatch MB/s over grep MB/s; x_10top: cost relative to 10 topics"
echo "fw_lines counts items with a match: phrases also match across runs of"
echo "spaces and punctuation (\"Robert  Mueller\"), so it may exceed grep_lines"
