#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/browser), unless /usr/bin/chromium is already there.
# Idempotent and non-interactive; run as root (CI machines are) or with sudo available. Playwright's own browser
# download is never used: playwright-core drives this binary (executablePath /usr/bin/chromium).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

# shellcheck source=lib/apt-install.sh
source "$(dirname "$0")/lib/apt-install.sh"
apt_install chromium chromium
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
