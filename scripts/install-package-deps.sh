#!/bin/sh
# The Debian 12 packages scripts/build-deb.sh needs to build and check the
# Debian package, beyond those of install-deps.sh (whose build and test
# packages are its Build-Depends).  Run as root; used by .ci/run.
set -eu
PKGS="
dpkg-dev debhelper lintian blhc desktop-file-utils git
"
if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PKGS
