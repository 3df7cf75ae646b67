#!/bin/sh
# bench_parse.sh: the feed parser beside sfeed, bare libxml2 and feedparser.
#
# Inputs from ../shared/bench/gen_feeds.py (made if missing, as in its
# make_data.sh): one ~40 MB RSS feed, one ~40 MB Atom feed, and 1,000
# small mixed feeds.  For each, the best of RUNS wall times, MB/s, items/s
# and peak RSS of:
#
#   feedwatch-parser  build/bench/bench_parse: the parser alone, all of its
#                     per-item work (HTML to text, dates, identity, UTF-8
#                     repair), items counted, not printed
#   feedwatch-parse   ./feedwatch parse FILE... > /dev/null: the same plus
#                     the JSON output (jansson)
#   sfeed             sfeed < FILE > /dev/null (once per file for the small
#                     feeds, which is how sfeed is used)
#   libxml2-sax2      ../shared/bench/c/sax_count: bare SAX2 push, counting
#   feedparser        /usr/bin/python3 ../shared/bench/fp_count.py (one run)
#
# then the ratios the parser is held to, and the peak RSS of a ~200 MB
# feed streamed through the parser (memory must not grow with size).
# A missing peer is skipped with a message.
#
# Env: DATA=/tmp/feedbench  RUNS=5  SHARED=../shared  FEEDPARSER=0 skips
#      feedparser (about 3 minutes)  BIG_MB=200
set -eu
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$(cd .. && pwd)/shared}
DATA=${DATA:-/tmp/feedbench}
RUNS=${RUNS:-5}
BIG_MB=${BIG_MB:-200}
GEN=$SHARED/bench/gen_feeds.py
PY=${PY:-python3}

mkdir -p "$DATA"
[ -s "$DATA/big.rss.xml" ] ||
    $PY "$GEN" big --format rss --target-mb 40 --out "$DATA/big.rss.xml"
[ -s "$DATA/big.atom.xml" ] ||
    $PY "$GEN" --seed 7 big --format atom --target-mb 40 \
    --out "$DATA/big.atom.xml"
[ -s "$DATA/small/feed00999.xml" ] ||
    $PY "$GEN" --seed 11 feeds --format mixed --feeds 1000 --items 20 \
    --outdir "$DATA/small"

make -s feedwatch build/bench/bench_parse
BP=build/bench/bench_parse
SAX=$SHARED/bench/c/sax_count
make -s -C "$SHARED/bench/c" sax_count >/dev/null 2>&1 || true
have_sfeed=1; command -v sfeed >/dev/null 2>&1 || {
	have_sfeed=0; echo "skip sfeed: not installed (apt-get install sfeed)"; }
have_sax=1; [ -x "$SAX" ] || {
	have_sax=0; echo "skip libxml2-sax2: cannot build $SAX"; }
have_fp=1
if [ "${FEEDPARSER:-1}" = 0 ]; then
	have_fp=0; echo "skip feedparser: FEEDPARSER=0"
elif ! /usr/bin/python3 -c 'import feedparser' 2>/dev/null; then
	have_fp=0
	echo "skip feedparser: not installed (apt-get install python3-feedparser)"
fi
have_time=1; [ -x /usr/bin/time ] || have_time=0

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# best RUNS wall time in seconds of: sh -c CMD
best() {
	runs=$1; cmd=$2; b=
	for _ in $(seq "$runs"); do
		t0=$(date +%s%N)
		sh -c "$cmd" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		t=$((t1 - t0))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	echo "$b" | awk '{ printf "%.4f", $1 / 1e9 }'
}

# peak RSS in KiB of the largest single process of: sh -c CMD
peak() {
	if [ "$have_time" = 1 ]; then
		/usr/bin/time -f %M -o "$OUT/peak" sh -c "$1" >/dev/null 2>&1 ||
		    true
		tail -1 "$OUT/peak"
	else
		echo "-"
	fi
}

# one table row: name seconds bytes items peak
row() {
	echo "$1 $2 $3 $4 $5" | awk '{ printf "  %-17s %8.3f s %8.1f MB/s %10.0f items/s %8s KiB\n", $1, $2, $3 / 1e6 / $2, $4 / $2, $5 }'
	echo "$1 $2" >> "$OUT/times"
}

ratio() {	# label a b: a/b as speed (b's time over a's)
	ta=$(awk -v k="$2" '$1 == k { print $2 }' "$OUT/times")
	tb=$(awk -v k="$3" '$1 == k { print $2 }' "$OUT/times")
	[ -n "$ta" ] && [ -n "$tb" ] || return 0
	echo "$ta $tb" | awk -v l="$1" -v w="$4" '{ r = $2 / $1;
	    printf "  %-44s %7.2fx  (want >= %s) %s\n", l, r, w,
	    (r >= w ? "ok" : "BELOW") }'
}

echo "parse benchmark: $(nproc) cores, best of $RUNS runs ($(date -u +%FT%TZ))"
for f in big.rss.xml big.atom.xml small; do
	: > "$OUT/times"
	if [ "$f" = small ]; then
		files="$DATA/small/*.xml"
		bytes=$(cat $files | wc -c)
		sfeed_cmd="for x in $files; do sfeed < \$x; done > /dev/null"
	else
		files="$DATA/$f"
		bytes=$(wc -c < "$files")
		sfeed_cmd="sfeed < $files > /dev/null"
	fi
	items=$($BP $files | sed 's/.*items=\([0-9]*\).*/\1/')
	echo
	echo "$f: $bytes bytes, $items items"
	cat $files > /dev/null		# warm the page cache
	row feedwatch-parser "$(best "$RUNS" "$BP $files")" "$bytes" "$items" \
	    "$(peak "$BP $files")"
	row feedwatch-parse "$(best "$RUNS" "./feedwatch parse $files")" \
	    "$bytes" "$items" "$(peak "./feedwatch parse $files")"
	[ "$have_sfeed" = 0 ] || row sfeed "$(best "$RUNS" "$sfeed_cmd")" \
	    "$bytes" "$items" "$(peak "$sfeed_cmd")"
	[ "$have_sax" = 0 ] || row libxml2-sax2 "$(best "$RUNS" "$SAX $files")" \
	    "$bytes" "$items" "$(peak "$SAX $files")"
	fp="/usr/bin/python3 $SHARED/bench/fp_count.py $files"
	[ "$have_fp" = 0 ] || row feedparser "$(best 1 "$fp")" "$bytes" \
	    "$items" "-"
	if [ "$f" = small ]; then
		ratio "parser vs sfeed once per file" feedwatch-parser sfeed 3
		ratio "parse (with JSON) vs sfeed once per file" \
		    feedwatch-parse sfeed 3
	else
		ratio "parser vs sfeed" feedwatch-parser sfeed 1
		ratio "parse (with JSON) vs sfeed" feedwatch-parse sfeed 1
	fi
	ratio "parser vs bare libxml2 SAX2 push" feedwatch-parser \
	    libxml2-sax2 0.7
	ratio "parser vs feedparser" feedwatch-parser feedparser 100
	ratio "parse (with JSON) vs feedparser" feedwatch-parse feedparser 100
done

# Memory must not depend on the size: the RSS feed's items repeated to
# about BIG_MB MB, streamed through a pipe.
big=$DATA/big.rss.xml
reps=$(( (BIG_MB * 1000000) / $(wc -c < "$big") + 1 ))
gen="{ sed -n '1,/<ttl>/p' $big; for i in \$(seq $reps); do sed -n '/^<item>/,/^<\\/item>/p' $big; done; echo '</channel></rss>'; }"
echo
echo "memory: ~$((reps * 40)) MB RSS feed ($reps x big.rss.xml's items) on stdin"
echo "  $(sh -c "$gen | /usr/bin/time -f 'peak %M KiB' $BP -" 2>&1 | tr '\n' ' ')"
