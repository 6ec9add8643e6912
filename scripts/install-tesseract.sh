#!/usr/bin/env bash
# Installs Debian's tesseract (eng + deu) for the OCR benchmark's native contender, unless `tesseract` is already
# on PATH. ix itself never needs it (it runs tesseract.js with traineddata from npm). Idempotent, non-interactive.
set -euo pipefail

if command -v tesseract >/dev/null 2>&1; then
  echo "tesseract: already installed ($(tesseract --version 2>&1 | head -n 1))"
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO='sudo'
  else
    echo "tesseract: not installed and this user cannot run apt-get (not root, no sudo)" >&2
    exit 1
  fi
fi

$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu >/dev/null
echo "tesseract: installed ($(tesseract --version 2>&1 | head -n 1))"
