#!/usr/bin/env bash
# What the suite needs beyond the Python packages: PostgreSQL and Redis on localhost (started when they
# are down), Debian's Chromium for the browser tests, wrk for the load test and dovecot for the bounce
# mailbox tests (installed when missing, as root with apt). Called by `make test` and `make bench`;
# fails, never skips, when something is missing.
set -euo pipefail

postgres_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

wait_for() {  # name, check function
  for _ in $(seq 1 30); do "$2" && return 0; sleep 1; done
  echo "tests: $1 is not reachable on localhost; the tests need it (see the README's quick start)" >&2
  return 1
}

if ! postgres_up && command -v pg_ctlcluster >/dev/null; then
  echo "tests: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
wait_for PostgreSQL postgres_up

if ! redis_up && command -v redis-server >/dev/null; then
  echo "tests: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/tests.log || true
fi
wait_for Redis redis_up

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)   # Playwright drives Debian's build (none can be fetched)
command -v wrk >/dev/null || missing+=(wrk)        # the load test and the benchmarks
{ [ -x /usr/sbin/dovecot ] && command -v doveadm >/dev/null; } || missing+=(dovecot-imapd)  # bounce mailbox tests
[ -x /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)                                     # and over POP3
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "tests: installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "tests: the suite needs ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
