#!/usr/bin/env bash
# The studio's end-to-end test drives Chromium through playwright-core. Playwright's own browser
# download is not used; on Debian the distribution's package is installed instead (needs root).
set -euo pipefail
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the studio's end-to-end test..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
else
  echo "note: $chromium not found; install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH for the studio's end-to-end test" >&2
fi
