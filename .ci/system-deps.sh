#!/usr/bin/env bash
# Install the system programs `make test` needs when they are missing:
# PostgreSQL 15's server programs, Debian's Chromium for the browser tests,
# the DejaVu fonts the PDFs use and Noto Naskh Arabic for their Arabic
# (fonts-noto-core), poppler-utils (pdftoppm) for the docs,
# openssl for the certificate of the mail TLS tests, zbar-tools (zbarimg)
# to read the certificates' QR codes back in their tests, and redis-server for
# the shared store of the two-node test (.ci/with-redis.sh).
# Runs without standard input (CI); needs root for apt-get.
set -euo pipefail

missing=()
pg_bin() {
  for candidate in "$(command -v initdb 2>/dev/null || true)" /usr/lib/postgresql/15/bin/initdb; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { dirname "$(readlink -f "$candidate")"; return 0; }
  done
  return 1
}
pg_bin >/dev/null || missing+=(postgresql-15)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf ] || missing+=(fonts-noto-core)  # Arabic
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v openssl >/dev/null || missing+=(openssl)  # the mail TLS tests' certificate
command -v zbarimg >/dev/null || missing+=(zbar-tools)  # QR codes read back from certificates
command -v npm >/dev/null || missing+=(npm)  # axe-core for the accessibility test (tests/browser/package.json)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)  # two nodes, one store

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Not root: install them yourself (apt-get install ${missing[*]})." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
