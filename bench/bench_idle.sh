#!/bin/sh
# Memory per idle feed: `feedwatch run` on N feeds served by nginx on
# 127.0.0.1 (../shared/bench/serve.sh), measured once every feed has been
# polled and the daemon sits idle until the next interval.  The per-feed
# figure is the RSS difference between N = 1,000 and N = 10,000, divided by
# 9,000, so fixed costs (libraries, SQLite's cache) cancel out.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${SHARED:-$root/../shared}
bin=${FEEDWATCH:-$root/feedwatch}
DATA=${DATA:-/tmp/feedbench}
PORT=${PORT:-8089}
work=$(mktemp -d)
trap 'rm -rf "$work"; bash "$shared/bench/serve.sh" stop >/dev/null 2>&1 || true' EXIT

command -v nginx >/dev/null 2>&1 || { echo "bench_idle: skipped (no nginx)"; exit 0; }
if [ ! -f "$DATA/poll/feed09999.xml" ]; then
	python3 "$shared/bench/gen_feeds.py" --seed 17 feeds --format mixed \
	    --feeds 10000 --items 10 --outdir "$DATA/poll" >/dev/null
fi
DATA=$DATA bash "$shared/bench/serve.sh" start "$DATA/poll" "$PORT" >/dev/null

rss_after_refresh() { # N -> RSS in kB once N polls are done
	n=$1
	d=$work/n$n
	mkdir -p "$d"
	mport=$((PORT + 1))
	{
		printf '[daemon]\nstate = %s/state.db\ninterval = 1h\nper-host = 64\n' "$d"
		printf 'listen = 127.0.0.1:%s\nbackfill = 0\n\n' "$mport"
		i=0
		while [ "$i" -lt "$n" ]; do
			printf '[feed f%05d]\nurl = http://127.0.0.1:%s/feed%05d.xml\n\n' \
			    "$i" "$PORT" "$i"
			i=$((i + 1))
		done
		printf '[topic t]\nquery = Lavrov OR Crimea\n\n'
		printf '[sink out]\ntype = file\npath = %s/alerts.jsonl\n' "$d"
	} > "$d/feedwatch.conf"
	"$bin" run -q -c "$d/feedwatch.conf" &
	pid=$!
	start=$(date +%s.%N)
	polled=0
	tries=0
	while [ "$polled" -lt "$n" ] && [ "$tries" -lt 1200 ]; do
		sleep 0.1
		tries=$((tries + 1))
		polled=$(curl -s "http://127.0.0.1:$mport/metrics" |
		    awk '/^feedwatch_polls_total/ { s += $2 } END { print s + 0 }')
	done
	end=$(date +%s.%N)
	sleep 2
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" || true
	echo "$n $rss $(echo "$end - $start" | bc)"
}

a=$(rss_after_refresh 1000)
b=$(rss_after_refresh 10000)
echo "$a" | awk '{ printf "feedwatch run, %d feeds: first refresh %.1f s, idle RSS %d kB\n", $1, $3, $2 }'
echo "$b" | awk '{ printf "feedwatch run, %d feeds: first refresh %.1f s, idle RSS %d kB\n", $1, $3, $2 }'
echo "$a $b" | awk '{ printf "memory per idle feed: %.2f KiB (target: under 4 KiB)\n", ($5 - $2) / ($4 - $1) }'
