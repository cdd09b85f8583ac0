#!/usr/bin/env bash
# The sandbox's AWS emulator: moto in server mode, installed with pip when missing.
set -euo pipefail
if command -v moto_server >/dev/null 2>&1 && python3 -c 'import moto, flask' 2>/dev/null; then
  exit 0
fi
python3 -m pip install --quiet 'moto[server]>=5.2,<5.3'
