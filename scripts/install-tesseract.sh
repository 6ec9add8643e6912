#!/usr/bin/env bash
# Installs Debian's tesseract (eng + deu) for the OCR benchmark's native contender, unless `tesseract` is already
# on PATH. ix itself never needs it (it runs tesseract.js with traineddata from npm). Idempotent, non-interactive.
set -euo pipefail

if command -v tesseract >/dev/null 2>&1; then
  echo "tesseract: already installed ($(tesseract --version 2>&1 | head -n 1))"
  exit 0
fi

# shellcheck source=lib/apt-install.sh
source "$(dirname "$0")/lib/apt-install.sh"
apt_install tesseract tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu
echo "tesseract: installed ($(tesseract --version 2>&1 | head -n 1))"
