#!/bin/sh
# The demo: one pass of feedwatch over the bundled example config, alerts
# printed on the terminal.  State goes to a fresh temporary directory, so
# every run shows the example alerts again.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${FEEDWATCH:-$here/../feedwatch}
STATE_DIRECTORY=$(mktemp -d "${TMPDIR:-/tmp}/feedwatch-demo.XXXXXX")
export STATE_DIRECTORY
trap 'rm -rf "$STATE_DIRECTORY"' EXIT
"$bin" check -c "$here/feedwatch.conf"
