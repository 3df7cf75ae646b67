#!/bin/sh
# install.sh: `make install` with a PREFIX other than the build's, into a
# scratch DESTDIR.  The installed `feedwatch demo`, run in a clean
# environment, must find its examples, print its alerts, keep its state in
# $TMPDIR, remove it on SIGINT and leave the install tree as it was.
# Run by `make check`, with $MAKE (and the build dir O in its flags).
set -eu

prefix=/opt/feedwatch-test
tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedwatch-install-XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "install: $*" >&2
	if [ -f "$tmp/demo.log" ]; then
		sed 's/^/  | /' "$tmp/demo.log" >&2
	fi
	exit 1
}

# Paths, sizes, modes and times of everything installed.
listing() {
	(cd "$tmp/dest" && find . -printf '%p %s %m %T@\n' | sort)
}

if ! ${MAKE:-make} -s install PREFIX="$prefix" DESTDIR="$tmp/dest" \
    >"$tmp/make.log" 2>&1; then
	cat "$tmp/make.log" >&2
	fail "make install PREFIX=$prefix DESTDIR=$tmp/dest failed"
fi
bin=$tmp/dest$prefix/bin/feedwatch
[ -x "$bin" ] || fail "make install left no $bin"
listing >"$tmp/before"

mkdir "$tmp/tmp" "$tmp/home"
# shellcheck disable=SC2086
env -i PATH=/usr/bin:/bin HOME="$tmp/home" TMPDIR="$tmp/tmp" \
    FEEDWATCH_DEMO_PERIOD=1 \
    ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
    ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
    "$bin" demo >"$tmp/demo.log" 2>&1 &
pid=$!

# The article alerts for crimea and lavrov, and the live feed alerts.
article=0 live=0 state=0 i=0
while [ $i -lt 300 ] && { [ "$article" -lt 2 ] || [ "$live" -lt 1 ]; }; do
	sleep 0.1
	i=$((i + 1))
	article=$(grep -c 'Pompeo to Lavrov' "$tmp/demo.log" || true)
	live=$(grep -c '"feed":"live-wire"' "$tmp/demo.log" || true)
	if ls "$tmp"/tmp/feedwatch-demo-*/state.db >/dev/null 2>&1; then
		state=1
	fi
done
if [ "$article" -ne 2 ] || [ "$live" -lt 1 ]; then
	fail "the installed demo printed $article article and $live live alerts"
fi
[ "$state" -eq 1 ] || fail "the demo kept no state in \$TMPDIR"

kill -INT "$pid"
i=0
while [ $i -lt 150 ] && kill -0 "$pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || fail "the installed demo exited $rc on SIGINT"
[ -z "$(ls -A "$tmp/tmp")" ] ||
    fail "the demo left $(ls "$tmp/tmp") in \$TMPDIR"
listing >"$tmp/after"
diff "$tmp/before" "$tmp/after" >&2 || fail "the demo changed the install tree"
echo "install: make install PREFIX=$prefix DESTDIR=...: the installed demo" \
    "alerts, and writes only to \$TMPDIR"
