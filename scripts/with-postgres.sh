#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on loopback; stop and remove it after.
#   scripts/with-postgres.sh pytest -q
# With DATABASE_URL already pointing at PostgreSQL, just run the command.
set -euo pipefail
if [[ "${DATABASE_URL:-}" == postgres* ]]; then exec "$@"; fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (make test installs it as root)" >&2; exit 1; }
DIR=$(mktemp -d /tmp/yizhan-pg.XXXXXX)
PORT=${YIZHAN_PG_PORT:-$(( 20000 + RANDOM % 20000 ))}
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$DIR"   # initdb refuses to run as root
  RUN_AS=(runuser -u postgres --)
fi
cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U yizhan -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U yizhan yizhan
export DATABASE_URL="postgres://yizhan@127.0.0.1:$PORT/yizhan"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
