#!/bin/sh
# feedwatch's side of the poll benchmark: poll_feedwatch.sh URLS STATEDIR.
# The first call writes a config for the URL list; every call is one
# `feedwatch check` (the state, with its validators, stays in STATEDIR).
set -eu
urls=$1
state=$2
bin=${FEEDWATCH:-$(cd "$(dirname "$0")/.." && pwd)/feedwatch}
mkdir -p "$state"
if [ ! -f "$state/feedwatch.conf" ]; then
	{
		printf '[daemon]\nstate = %s/state.db\nconcurrency = 64\n' "$state"
		printf 'backfill = 36500d\n\n'
		awk '{ printf "[feed f%05d]\nurl = %s\n\n", NR - 1, $0 }' "$urls"
		printf '[topic t]\nquery = Lavrov OR Crimea OR "central bank"\n\n'
		printf '[sink out]\ntype = file\npath = %s/alerts.jsonl\n' "$state"
	} > "$state/feedwatch.conf"
fi
exec "$bin" check -q -c "$state/feedwatch.conf"
