#!/bin/sh
# bench_article.sh: the article extractor beside bare libxml2.
#
# The pages of tests/data/articles/ (ten, 2.9-15.7 KB, news, blog, AMP,
# tables, windows-1251, Latin-1), each pushed 64 KiB at a time, REPS times
# over, best of RUNS: MB/s of the whole extraction (build/bench/
# bench_article: parse, score, text, title), of libxml2's HTML push parser
# with no callbacks, and of the same building its tree, and the ratios.
# Then the wired path (`content = full`): `feedwatch check` of one feed of
# ITEMS one-line teasers linking to those pages, served by Python's
# http.server on 127.0.0.1, with content = summary and then full (fresh
# state each run, best of RUNS): the cost an article fetch and extract
# adds per item, in feedwatch's CPU time and in wall time at per-host 4.
# Not part of `make check`.
#
# Env: REPS=500 (about 40 MB a measurement)  RUNS=5  ITEMS=200
set -eu
cd "$(dirname "$0")/.."
REPS=${REPS:-500}
RUNS=${RUNS:-5}
ITEMS=${ITEMS:-200}

make -s build/bench/bench_article
out=$(build/bench/bench_article "$REPS" "$RUNS" tests/data/articles/*.html)
get() { echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

echo "article benchmark: $(nproc) cores, best of $RUNS runs" \
    "($(date -u +%FT%TZ))"
echo "$(get files) pages, $(get bytes) bytes a run"
printf '  %-34s %8s MB/s\n' "extraction (article.c)" "$(get article_mb_s)"
printf '  %-34s %8s MB/s\n' "libxml2 HTML push, no callbacks" "$(get sax_mb_s)"
printf '  %-34s %8s MB/s\n' "libxml2 HTML push, building a tree" \
    "$(get tree_mb_s)"
printf '  %-34s %8sx\n' "extraction vs bare SAX" "$(get article_vs_sax)"
printf '  %-34s %8sx\n' "extraction vs tree" "$(get article_vs_tree)"
printf '  %-34s %8s KiB\n' "peak RSS" "$(get maxrss_kb)"
[ "$(get failed)" = 0 ] || { echo "pages that failed: $(get failed)"; exit 1; }

# The wired path: a feed of teasers, each linking to one of the pages.
command -v python3 >/dev/null 2>&1 || { echo "wired path: skipped (no python3)"; exit 0; }
make -s feedwatch
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
mkdir "$dir/www"
python3 -c '
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler,
    directory=sys.argv[1])
h.func.log_message = lambda *a: None
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
print(s.server_address[1], flush=True)
s.serve_forever()' "$dir/www" > "$dir/port" &
server=$!
i=0
while [ ! -s "$dir/port" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$dir/port")
now=$(date -u -R)
set -- tests/data/articles/*.html
{
	printf '<?xml version="1.0"?>\n<rss version="2.0"><channel>'
	printf '<title>Wire</title><link>http://127.0.0.1:%s/</link>\n' "$port"
	i=0
	while [ "$i" -lt "$ITEMS" ]; do
		shift $(( $# > 1 ? 1 : 0 ))
		[ "$#" -gt 1 ] || set -- tests/data/articles/*.html
		cp "$1" "$dir/www/a$i.html"
		printf '<item><title>Story %d</title><guid>s%d</guid>' "$i" "$i"
		printf '<link>http://127.0.0.1:%s/a%d.html</link>' "$port" "$i"
		printf '<pubDate>%s</pubDate>' "$now"
		printf '<description>Read the full story.</description></item>\n'
		i=$((i + 1))
	done
	printf '</channel></rss>\n'
} > "$dir/www/feed.xml"

# Best of RUNS `check`s with content = $1: "wall user+sys" in seconds.
check_best() {
	best=
	for _ in $(seq "$RUNS"); do
		rm -f "$dir"/state.db* "$dir/alerts.jsonl"
		cat > "$dir/conf" <<CONF
[daemon]
state = $dir/state.db
backfill = 36500d
content = $1

[feed wire]
url = http://127.0.0.1:$port/feed.xml

[topic t]
query = dredging OR Lavrov OR bridge

[sink out]
type = file
path = $dir/alerts.jsonl
CONF
		/usr/bin/time -f '%e %U %S' -o "$dir/time" \
		    ./feedwatch check -q -c "$dir/conf" > /dev/null
		t=$(awk '{ printf "%.3f %.3f", $1, $2 + $3 }' "$dir/time")
		if [ -z "$best" ] || [ "$(echo "$t $best" |
		    awk '{ print ($2 < $4) }')" = 1 ]; then
			best=$t
		fi
	done
	echo "$best"
}
sum=$(check_best summary)
full=$(check_best full)
fetched=$(grep -c '"matched_in":\[[^]]*"body"' "$dir/alerts.jsonl" || true)
echo "wired path: $ITEMS teasers of one feed, 127.0.0.1, per-host 4"
echo "$sum $full $ITEMS" | awk '{
	printf "  %-34s %8.2f ms\n", "check, content = summary (wall)", $1 * 1000
	printf "  %-34s %8.2f ms\n", "check, content = full (wall)", $3 * 1000
	printf "  %-34s %8.2f ms\n", "per article, CPU (fetch+extract)",
	    ($4 - $2) * 1000 / $5
	printf "  %-34s %8.2f ms\n", "per article, wall", ($3 - $1) * 1000 / $5
}'
echo "  alerts found in the article alone: $fetched of $ITEMS items"
