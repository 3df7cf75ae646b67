#!/bin/bash
# build-deb.sh [--install] [OUTDIR]: the Debian package of this tree.
#
# Builds it as Debian does (dpkg-buildpackage -us -uc -b, with make check
# unless DEB_BUILD_OPTIONS has nocheck) in a copy of the tree, so that the
# tree's own build directories stay as they are, and checks it: lintian
# with no error and no warning, blhc (every compiler and linker line had
# Debian's hardening flags), desktop-file-validate, the files it must
# ship.  Copies the .deb, .changes and .buildinfo files to OUTDIR (..).
#
# --install (root; for CI or a scratch machine) then installs the .deb
# with dpkg -i, runs the installed feedwatch --version, config check and
# demo, systemd-analyze verify on both units, loads the bash completion,
# and purges the package again, /etc/feedwatch with it.
#
# The tools come from scripts/install-package-deps.sh.
set -euo pipefail

usage="usage: scripts/build-deb.sh [--install] [OUTDIR]"
install=0
case ${1-} in
--install)
	install=1
	shift
	;;
-*)
	echo "$usage" >&2
	exit 2
	;;
esac
[ $# -le 1 ] || { echo "$usage" >&2; exit 2; }

src=$(cd "$(dirname "$0")/.." && pwd)
outdir=${1:-$src/..}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedwatch-deb-XXXXXX")
# Run as root, make check runs some tests as another user, who must reach
# the binary.
chmod 755 "$tmp"
demo='' installed=0
cleanup() {
	if [ -n "$demo" ]; then
		kill "$demo" 2>/dev/null || true
	fi
	if [ "$installed" -eq 1 ]; then
		dpkg --purge feedwatch >/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "build-deb: $*" >&2
	exit 1
}

for t in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian \
    blhc:blhc desktop-file-validate:desktop-file-utils; do
	command -v "${t%%:*}" >/dev/null || fail "'${t%%:*}' is missing:" \
	    "it comes with Debian's package '${t#*:}'" \
	    "(scripts/install-package-deps.sh installs it)"
done
if [ "$install" -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
	fail "--install runs dpkg -i and dpkg --purge: run it as root"
fi

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
made=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$src/Makefile")
[ "$version" = "$made" ] || fail "debian/changelog is at $version, the" \
    "Makefile at $made: add a changelog entry (dch -v $made)"

# The tree as git sees it (what is committed, changed or new, not what
# .gitignore leaves out), and ../shared beside it for the corpus tests.
tree=$tmp/feedwatch-$version
mkdir "$tree"
git -C "$src" ls-files -z --cached --others --exclude-standard |
    (cd "$src" && tar --null --ignore-failed-read -T - -cf -) |
    tar -C "$tree" -xf -
if [ -d "$src/../shared" ]; then
	ln -s "$(cd "$src/../shared" && pwd)" "$tmp/shared"
fi

echo "build-deb: dpkg-buildpackage -us -uc -b in $tree"
(cd "$tree" && dpkg-buildpackage -us -uc -b -J"$(nproc)") 2>&1 |
    tee "$tmp/build.log"

arch=$(dpkg-architecture -q DEB_HOST_ARCH)
deb=$tmp/feedwatch_${version}_$arch.deb
changes=$tmp/feedwatch_${version}_$arch.changes
if [ ! -f "$deb" ] || [ ! -f "$changes" ]; then
	fail "dpkg-buildpackage made no $deb"
fi

echo "build-deb: lintian"
lintian --fail-on error,warning --display-info --pedantic "$changes" ||
    fail "lintian reports errors or warnings (above)"
echo "build-deb: blhc"
blhc --debian --bindnow "$tmp/build.log" ||
    fail "blhc: build lines without Debian's flags (above)"

dpkg-deb -x "$deb" "$tmp/root"
for f in usr/bin/feedwatch lib/systemd/system/feedwatch.service \
    usr/lib/systemd/user/feedwatch.service \
    usr/share/man/man1/feedwatch.1.gz usr/share/man/man5/feedwatch.conf.5.gz \
    usr/share/bash-completion/completions/feedwatch \
    usr/share/icons/hicolor/scalable/apps/feedwatch.svg \
    usr/share/applications/feedwatch.desktop \
    usr/share/feedwatch/examples/feedwatch.conf etc/feedwatch/feedwatch.conf; do
	[ -f "$tmp/root/$f" ] || fail "$(basename "$deb") has no /$f"
done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/feedwatch/feedwatch.conf ||
    fail "/etc/feedwatch/feedwatch.conf is not a conffile"
desktop-file-validate "$tmp/root/usr/share/applications/feedwatch.desktop" ||
    fail "feedwatch.desktop does not validate (above)"

mkdir -p "$outdir"
for f in "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo; do
	cp "$f" "$outdir"/
	echo "build-deb: $outdir/$(basename "$f")"
done
[ "$install" -eq 1 ] || exit 0

echo "build-deb: dpkg -i $(basename "$deb")"
installed=1
dpkg -i "$deb"
for f in /etc/systemd/system/multi-user.target.wants/feedwatch.service \
    /etc/systemd/user/default.target.wants/feedwatch.service; do
	[ ! -e "$f" ] || fail "installing the package enabled a unit: $f"
done
got=$(/usr/bin/feedwatch --version)
[ "$got" = "feedwatch $version" ] ||
    fail "feedwatch --version says '$got', not 'feedwatch $version'"
for unit in /lib/systemd/system/feedwatch.service \
    /usr/lib/systemd/user/feedwatch.service; do
	systemd-analyze verify "$unit" ||
	    fail "systemd-analyze verify $unit failed (above)"
done
/usr/bin/feedwatch config check -c /etc/feedwatch/feedwatch.conf ||
    fail "the installed /etc/feedwatch/feedwatch.conf does not load"
bash -c '. /usr/share/bash-completion/completions/feedwatch &&
    complete -p feedwatch' >/dev/null ||
    fail "the installed bash completion does not load"

# The installed demo finds its examples and alerts.
mkdir "$tmp/home"
env -i PATH=/usr/bin:/bin HOME="$tmp/home" TMPDIR="$tmp/home" \
    FEEDWATCH_DEMO_PERIOD=1 feedwatch demo >"$tmp/demo.log" 2>&1 &
demo=$!
i=0
while [ $i -lt 150 ] && ! grep -qs 'Pompeo to Lavrov' "$tmp/demo.log"; do
	sleep 0.1
	i=$((i + 1))
done
kill -INT "$demo"
wait "$demo" || fail "the installed demo exited $? on SIGINT:" \
    "$(cat "$tmp/demo.log")"
demo=
grep -q 'Pompeo to Lavrov' "$tmp/demo.log" ||
    fail "the installed demo printed no alert: $(cat "$tmp/demo.log")"

dpkg --purge feedwatch
installed=0
if [ -e /usr/bin/feedwatch ] || [ -e /etc/feedwatch ]; then
	fail "dpkg --purge feedwatch left /usr/bin/feedwatch or /etc/feedwatch"
fi
echo "build-deb: installed, checked and purged $(basename "$deb")"
