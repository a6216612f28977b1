#!/usr/bin/env bash
# Make sure PostgreSQL (database `test`, trust on 127.0.0.1) and Redis answer on
# loopback for the tests. Uses what runs; installs and starts Debian's packages if not.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pg_ok() { python3 - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PY
}
redis_ok() { python3 - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("127.0.0.1", 6379)); s.sendall(b"PING\r\n"); sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
PY
}

if ! pg_ok; then
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "PostgreSQL is not installed: installing Debian's postgresql"
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  # test machines only: the suite connects as postgres over loopback without a password
  grep -q "callcenter-tests" "$hba" || sed -i "1i host all all 127.0.0.1/32 trust # callcenter-tests" "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || pg_ctlcluster "$ver" main start
  for _ in $(seq 50); do pg_ok && break; sleep 0.2; done
fi
pg_ok || { echo "PostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL tests will fail"; exit 1; }
if command -v psql >/dev/null; then
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" postgres 2>/dev/null | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" postgres >/dev/null
fi

if ! redis_ok; then
  if ! command -v redis-server >/dev/null; then
    echo "Redis is not installed: installing Debian's redis-server"
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/callcenter-tests.log
  for _ in $(seq 50); do redis_ok && break; sleep 0.2; done
fi
redis_ok || { echo "Redis does not answer on 127.0.0.1:6379"; exit 1; }
echo "services: PostgreSQL 127.0.0.1:5432 and Redis 127.0.0.1:6379 answer"
