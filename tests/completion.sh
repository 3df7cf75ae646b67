#!/bin/bash
# completion.sh: the bash completion (completion/feedwatch.bash), sourced
# in bash and run as bash runs it, against the binary under test
# ($FEEDWATCH) and temporary configs: the commands are those of `feedwatch
# --help`, the options those of each command's --help, and the topic, feed
# and sink names those of the config the command line would read (-c,
# $FEEDWATCH_CONFIG, the XDG path).  A completion never writes to stderr.
# Run by `make check`.
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
bin=${FEEDWATCH:?"set FEEDWATCH to the feedwatch binary under test"}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedwatch-completion-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# shellcheck source=completion/feedwatch.bash
. "$src/completion/feedwatch.bash"

fail() {
	echo "completion: $*" >&2
	failed=$((failed + 1))
}

# The completions of the command line WORD... (the cursor at the end of
# the last word), sorted, on one line.
complete_line() {
	COMP_WORDS=("$bin" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_feedwatch
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# expect WANT WORD...: the completions are exactly WANT.
expect() {
	local want=$1 got
	shift
	got=$(complete_line "$@" 2>"$tmp/stderr")
	if [ -s "$tmp/stderr" ]; then
		fail "'feedwatch $*' wrote to stderr: $(cat "$tmp/stderr")"
	elif [ "$got" != "$want" ]; then
		fail "'feedwatch $*' completes to '$got', not '$want'"
	else
		passed=$((passed + 1))
	fi
}

# expect_some WANT WORD...: the completions include every word of WANT.
expect_some() {
	local want=$1 got w
	shift
	got=" $(complete_line "$@" 2>/dev/null) "
	for w in $want; do
		if [[ $got != *" $w "* ]]; then
			fail "'feedwatch $*' completes to '$got', without '$w'"
			return
		fi
	done
	passed=$((passed + 1))
}

conf=$tmp/feedwatch.conf
cat >"$conf" <<'EOF'
[daemon]
interval = 5m

[feed lwn.net]
url = https://lwn.net/headlines/rss
 [feed bbc-world]
url = https://feeds.bbci.co.uk/news/world/rss.xml
# [feed commented-out]
# url = [feed not-a-section]

[alias russia]
terms = Russia, Kremlin

[topic crimea]
query = Crimea
sinks = desk

[topic crimea-talks]
query = Crimea AND @russia
sinks = ops_mail

[sink desk]
type = stdout

[sink ops_mail]
type = file
path = alerts.jsonl
EOF
# The fixture is a config feedwatch reads, so these are its names.
if ! "$bin" config check -c "$conf" >"$tmp/check.log" 2>&1; then
	fail "the test config does not load: $(cat "$tmp/check.log")"
fi
mkdir -p "$tmp/xdg/feedwatch" "$tmp/home/.config/feedwatch" "$tmp/srcs"
printf '[sink xdg-sink]\ntype = stdout\n' >"$tmp/xdg/feedwatch/feedwatch.conf"
printf '[sink home-sink]\ntype = stdout\n' \
    >"$tmp/home/.config/feedwatch/feedwatch.conf"
touch "$tmp/srcs/world.xml" "$tmp/srcs/world.atom" "$tmp/srcs/subs.opml"
unset FEEDWATCH_CONFIG XDG_CONFIG_HOME CONFIGURATION_DIRECTORY
export HOME=$tmp/home

complete -p feedwatch >"$tmp/spec" 2>&1
grep -q '_feedwatch feedwatch$' "$tmp/spec" ||
    fail "the script does not register _feedwatch for feedwatch"

# The commands are exactly those of `feedwatch --help`.
help_cmds=$("$bin" --help | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\).*/\1/p' |
    sort | tr '\n' ' ' | sed 's/ $//')
[ -n "$help_cmds" ] || fail "'feedwatch --help' lists no commands"
got=$(complete_line '' | tr ' ' '\n')
for w in $help_cmds; do
	grep -qx -- "$w" <<<"$got" || fail "'$w' is a command of" \
	    "'feedwatch --help': add it to _feedwatch_commands in" \
	    "completion/feedwatch.bash"
done
for w in $got; do
	[[ " $help_cmds " == *" $w "* ]] || fail "'$w' is not a command of" \
	    "'feedwatch --help': remove it from completion/feedwatch.bash"
done
expect "$help_cmds" ''
expect 'test-sink' te
expect '--help --version' --
expect '' nosuch ''

# Options, from each command's --help.
expect_some '--dry-run --feed --help -c' check -
expect '--json' status --j
expect '--since' backtest --s
expect '' backtest -c "$conf" --since ''
expect 'export import' opml ''
expect 'check' config ''

# Names, from the config given with -c (also as -cFILE, anywhere).
expect 'bbc-world lwn.net' check -c "$conf" --feed ''
expect 'lwn.net' check --dry-run -c "$conf" --feed l
expect 'crimea crimea-talks' backtest -c "$conf" ''
expect 'crimea-talks' backtest -c"$conf" crimea-
expect 'desk ops_mail' test-sink -c "$conf" ''
# -q is a flag of test-sink (a value only where the help says -q QUERY).
expect 'desk ops_mail' test-sink -q -c "$conf" ''
expect '' test-sink -c "$tmp/missing.conf" ''

# Else $FEEDWATCH_CONFIG, else $XDG_CONFIG_HOME/..., else ~/.config/...
expect 'home-sink' test-sink ''
# shellcheck disable=SC2088 # the literal tilde, as bash hands it over
expect 'home-sink' test-sink -c '~/.config/feedwatch/feedwatch.conf' ''
XDG_CONFIG_HOME=$tmp/xdg expect 'xdg-sink' test-sink ''
FEEDWATCH_CONFIG=$conf XDG_CONFIG_HOME=$tmp/xdg \
    expect 'desk ops_mail' test-sink ''
FEEDWATCH_CONFIG=$tmp/xdg/feedwatch/feedwatch.conf \
    expect 'desk ops_mail' test-sink -c "$conf" ''

# Files where the command reads one.
expect "$tmp/srcs/world.atom $tmp/srcs/world.xml" parse "$tmp/srcs/wo"
expect "$tmp/srcs/world.atom $tmp/srcs/world.xml" match -q x "$tmp/srcs/w"
expect "$tmp/srcs/subs.opml" opml import "$tmp/srcs/s"
expect "$tmp/feedwatch.conf" check -c "$tmp/feed"

echo "completion: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
