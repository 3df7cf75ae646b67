#!/bin/sh
# check-layers.sh: the include graph points down, and each library stays
# on its floor (STYLE.md, "Layering and module boundaries").
#
#   base/    libc, and libcurl + libevent in xfer (libevent in listener)
#   feeds/   base/ and feeds/; libxml2 here only
#   alerts/  base/, feeds/ and alerts/
#   daemon/  everything; SQLite and libsystemd here only
#
# Prints every offending line as FILE:LINE: what, and exits 1 if any.
cd "$(dirname "$0")/.." || exit 2
bad=0
say() { echo "$1"; bad=1; }

rank() {
	case $1 in
	base) echo 0 ;; feeds) echo 1 ;; alerts) echo 2 ;; daemon) echo 3 ;;
	esac
}

# Which floor a project header lives on (file names are unique).
floor_of() {
	for d in base feeds alerts daemon; do
		[ -f "$d/$1" ] && { echo "$d"; return; }
	done
}

for d in base feeds alerts daemon; do
	for f in "$d"/*.[ch]; do
		grep -n '^#include "' "$f" | while IFS= read -r line; do
			h=${line#*\"}; h=${h%%\"*}
			to=$(floor_of "$h")
			[ -n "$to" ] || continue
			if [ "$(rank "$to")" -gt "$(rank "$d")" ]; then
				echo "$f:${line%%:*}: includes $to/$h, a floor above $d/"
			fi
		done
	done
done > /tmp/check-layers.$$
[ -s /tmp/check-layers.$$ ] && { cat /tmp/check-layers.$$; bad=1; }
rm -f /tmp/check-layers.$$

# Libraries on their floors: PATTERN, the files allowed it.
confined() {
	grep -n "$1" base/*.[ch] feeds/*.[ch] alerts/*.[ch] daemon/*.[ch] |
	    grep -v "$2" | while IFS= read -r line; do
		echo "${line%%:*:*}:$(echo "$line" | cut -d: -f2): $3"
	done
}
out=$(confined '#include <curl/' \
    '^base/xfer\.c:\|^feeds/fetch\.c:\|^feeds/artfetch\.c:\|^alerts/sink_webhook\.c:\|^alerts/sink_email\.c:' \
    'libcurl outside xfer, the fetches and the network sinks')
[ -n "$out" ] && say "$out"
out=$(confined '#include <libxml/' '^feeds/' 'libxml2 outside feeds/')
[ -n "$out" ] && say "$out"
out=$(confined '#include <sqlite3.h>' '^daemon/store' 'SQLite outside the store')
[ -n "$out" ] && say "$out"
out=$(confined '#include <systemd/' '^daemon/' 'libsystemd outside daemon/')
[ -n "$out" ] && say "$out"
out=$(grep -nE '^#include <(curl|event2|glib|gio|jansson|libxml|sqlite3|systemd|pcre2|utf8proc|libnotify|libstemmer)' \
    base/*.[ch] | grep -v '^base/xfer\.c:\|^base/listener\.c:[0-9]*:#include <event2/')
[ -n "$out" ] && say "$out: base/ uses libc only (libcurl and libevent in xfer.c, libevent in listener.c)"
exit $bad
