#!/bin/sh
# bench_article.sh: the article extractor beside bare libxml2.
#
# The pages of tests/data/articles/ (ten, 2.9-15.7 KB, news, blog, AMP,
# tables, windows-1251, Latin-1), each pushed 64 KiB at a time, REPS times
# over, best of RUNS: MB/s of the whole extraction (build/bench/
# bench_article: parse, score, text, title), of libxml2's HTML push parser
# with no callbacks, and of the same building its tree, and the ratios.
# Not part of `make check`.
#
# Env: REPS=500 (about 40 MB a measurement)  RUNS=5
set -eu
cd "$(dirname "$0")/.."
REPS=${REPS:-500}
RUNS=${RUNS:-5}

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
