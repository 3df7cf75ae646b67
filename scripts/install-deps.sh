#!/bin/sh
# Installs the Debian 12 packages feedwatch needs to build, test and run its
# demo. Run as root (or through sudo). Used by the README and by .ci/run.
# The last line holds the programs the tests run (the SMTP server, a private
# session bus, systemd-analyze, valgrind for make check-valgrind, newsboat for
# the OPML round trip); a test whose program is missing fails, naming its
# package.
set -eu

PKGS="
build-essential pkg-config clang libclang-rt-14-dev clang-tidy cppcheck
libcurl4-openssl-dev libxml2-dev libevent-dev libnotify-dev libglib2.0-dev
libsqlite3-dev libjansson-dev libpcre2-dev libsystemd-dev libutf8proc-dev
libstemmer-dev libhyperscan-dev check zlib1g-dev
python3 python3-aiosmtpd dbus-daemon systemd valgrind openssl newsboat
"

if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PKGS
