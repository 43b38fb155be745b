#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's chromium through Playwright (never
# `playwright install`: its browser download is not reachable from CI). Installs the Debian
# package when /usr/bin/chromium is missing; a no-op otherwise.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "ensure-browser: $CHROMIUM is missing and neither root nor sudo is available;" \
         "install the Debian package 'chromium' by hand." >&2
    exit 1
fi

echo "ensure-browser: installing Debian's chromium (for the dashboard browser tests)" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-browser: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
