#!/bin/sh
# The peers and tools `make bench` compares feedwatch with (Debian 12
# packages).  Not needed to build or test.  Run as root.
set -eu
PKGS="
nginx-light sfeed newsboat rss2email wrk bc time hyperfine
python3-feedparser libxml2-utils
"
if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PKGS
