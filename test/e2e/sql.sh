#!/usr/bin/env bash
# The SQL side of the e2e run: a real PostgreSQL (Debian's packages) and the real provider-sql, both
# inside the control plane's network namespace, so that the users and databases a claim composes are
# created and checked in an actual server.
#
#   sql.sh start                  start PostgreSQL on 127.0.0.1:5432 (SSL, scram) and provider-sql,
#                                 apply provider-sql's CRDs (install-function.sh calls this)
#   sql.sh bootstrap NS CLAIM     SIMULATED: what the cluster's DNS and StackGres do for a claim (see below)
#   sql.sh bootstrap-admin NS CLAIM  SIMULATED: the same for a hosted service whose provider writes the admin login
#                                 (provider-scalingo's <claim>-admin Secret, from the fake Scalingo API; see below)
#   sql.sh psql [PSQL ARGS…]      psql as the local superuser over the Unix socket (no password)
#
# Must run inside control-plane.sh (KUBECONFIG, E2E_WORKDIR). Background processes are registered
# with its cleanup (lib.sh e2e_bg): provider-sql is stopped before PostgreSQL (newest first).
#
# Environment:
#   E2E_PG_BINDIR      PostgreSQL's bin dir (default: the newest /usr/lib/postgresql/*/bin)
#   E2E_PROVIDER_SQL_ARGS  extra flags for provider-sql
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$E2E_DIR/lib.sh"

: "${KUBECONFIG:?run inside control-plane.sh}" "${E2E_WORKDIR:?run inside control-plane.sh}"
W="$E2E_WORKDIR"
PG="$W/postgresql"       # data/, sock/, server.crt/key; owned by the postgres OS user
PG_PORT=5432             # the port the function writes into every superuser Secret

pg_bindir() {
  if [[ -n "${E2E_PG_BINDIR:-}" ]]; then echo "$E2E_PG_BINDIR"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -x "$d/postgres" ]] || e2e_die "no PostgreSQL server found under /usr/lib/postgresql (apt-get install -y postgresql)"
  echo "$d"
}

# as the postgres OS user (PostgreSQL refuses to run as root); setpriv execs (for the server,
# setpriv is given to e2e_bg directly, so the PID it records is the postmaster's own)
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

sql_start() {
  local start; start=$(e2e_now)
  id postgres >/dev/null 2>&1 || e2e_die "no postgres OS user (apt-get install -y postgresql)"
  [[ -n "${E2E_PROVIDER_SQL_BIN:-}" && -x "$E2E_PROVIDER_SQL_BIN" ]] || e2e_die "provider-sql not built (tools.sh)"
  [[ -d "${E2E_PROVIDER_SQL_CRDS:-}" ]] || e2e_die "provider-sql CRDs not found (tools.sh sets E2E_PROVIDER_SQL_CRDS)"
  if [[ "${E2E_PRIVATE_HOSTS:-0}" != "1" ]]; then
    e2e_log "WARNING: no private /etc/hosts (needs unshare --mount): claims' Service names will not resolve, suites that query PostgreSQL will fail"
  fi
  if [[ -n "$(ss -Htln "sport = :$PG_PORT")" ]]; then
    e2e_die "port $PG_PORT is taken (outside a private network namespace?)"
  fi
  local bindir; bindir="$(pg_bindir)"

  # --- PostgreSQL: a throwaway cluster under the temp dir --------------------------
  chmod 711 "$W"   # mktemp made it 0700; the postgres user must reach $PG (it can't list $W)
  install -d -o postgres -g postgres -m 700 "$PG" "$PG/sock"
  (
    cd "$PG"
    as_postgres "$bindir/initdb" -D "$PG/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$W/logs/initdb.log" 2>&1
  ) || { cat "$W/logs/initdb.log" >&2; e2e_die "initdb failed"; }
  # A self-made certificate: SSL on, as StackGres has it (the ProviderConfig asks sslmode=require,
  # which encrypts without verifying the chain).
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=postgresql-e2e" \
    -keyout "$PG/server.key" -out "$PG/server.crt" >/dev/null 2>&1
  chown postgres:postgres "$PG/server.key" "$PG/server.crt"; chmod 600 "$PG/server.key"
  # TCP: only SSL, only scram passwords. Unix socket (in $PG/sock, reachable by root only): the
  # postgres role without a password, for sql.sh bootstrap/psql.
  cat >"$PG/data/pg_hba.conf" <<EOF
local     all  postgres                trust
hostssl   all  all       127.0.0.1/32  scram-sha-256
hostnossl all  all       0.0.0.0/0     reject
EOF
  E2E_BG_STOP_SIGNAL=INT e2e_bg postgresql setpriv --reuid=postgres --regid=postgres --init-groups -- "$bindir/postgres" -D "$PG/data" \
    -c listen_addresses=127.0.0.1 -c port="$PG_PORT" -c unix_socket_directories="$PG/sock" \
    -c ssl=on -c ssl_cert_file="$PG/server.crt" -c ssl_key_file="$PG/server.key" \
    -c password_encryption=scram-sha-256 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    -c log_statement=ddl -c log_connections=on -c log_line_prefix='%m [%p] %q%u@%d '
  e2e_wait_for "PostgreSQL on 127.0.0.1:$PG_PORT" 60 postgresql "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
  local pg_secs; pg_secs="$(e2e_since "$start")"
  e2e_log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$PG_PORT (SSL, scram) in ${pg_secs}s (initdb included)"

  # --- provider-sql: its CRDs, then the process --------------------------------------
  local crd_start; crd_start=$(e2e_now)
  if ! kubectl apply --server-side --force-conflicts -f "$E2E_PROVIDER_SQL_CRDS" >"$W/logs/provider-sql-crds.log" 2>&1; then
    cat "$W/logs/provider-sql-crds.log" >&2; e2e_die "applying provider-sql's CRDs failed"
  fi
  kubectl wait --for condition=Established --timeout 60s crd --all >/dev/null
  local port; e2e_free_port port
  # --poll 10s: drift checks (and so readiness) every 10 s instead of 10 min. No webhooks, no
  # leader election, metrics on loopback (the default ":8080" is every interface).
  # shellcheck disable=SC2086
  e2e_bg provider-sql "$E2E_PROVIDER_SQL_BIN" --debug --poll 10s --no-leader-election \
    --metrics-bind-address "127.0.0.1:$port" ${E2E_PROVIDER_SQL_ARGS:-}
  # Started once its controllers' caches have synced ("Starting workers" for the postgresql kinds).
  e2e_wait_for "provider-sql controllers started" 120 provider-sql \
    grep -q 'Starting workers.*postgresql\.sql\.m\.crossplane\.io' "$W/logs/provider-sql.log"
  {
    echo "E2E_PG_PORT=$PG_PORT"
    echo "E2E_PG_SOCKET_DIR=$PG/sock"
    echo "E2E_PG_BINDIR=$bindir"
  } >"$W/sql.env"
  e2e_log "provider-sql $E2E_PROVIDER_SQL_VERSION running (CRDs + start $(e2e_since "$crd_start")s); SQL part ready in $(e2e_since "$start")s"
  echo "$pg_secs" >"$W/postgresql-start-seconds"
}

superuser_psql() {
  psql -h "$PG/sock" -p "$PG_PORT" -U postgres -d postgres -X -v ON_ERROR_STOP=1 "$@"
}

# read_login NS SECRET: waits for the Secret and sets login_endpoint, login_user, login_password and login_port from it
read_login() {
  local ns="$1" secret="$2" i json=""
  for i in $(seq 1 120); do
    json="$(kubectl -n "$ns" get secret "$secret" -o json 2>/dev/null)" && break
    sleep 0.5
  done
  [[ -n "$json" ]] || e2e_die "no Secret $ns/$secret"
  login_endpoint="$(jq -r '.data.endpoint' <<<"$json" | base64 -d)"
  login_user="$(jq -r '.data.username' <<<"$json" | base64 -d)"
  login_password="$(jq -r '.data.password' <<<"$json" | base64 -d)"
  login_port="$(jq -r '.data.port' <<<"$json" | base64 -d)"
}

# stand_in_for HOST: this server becomes the new instance at HOST (the private /etc/hosts maps it to 127.0.0.1); an
# earlier claim's role and database "app" are dropped, as if this server were the instance's own.
stand_in_for() {
  [[ "${E2E_PRIVATE_HOSTS:-0}" == "1" ]] || e2e_die "no private /etc/hosts: cannot make $1 resolve (needs unshare --mount)"
  grep -q "[[:space:]]$1\$" /etc/hosts || printf '127.0.0.1 %s\n' "$1" >>/etc/hosts
  superuser_psql -q -c "DROP DATABASE IF EXISTS app WITH (FORCE)" -c "DROP ROLE IF EXISTS app" >/dev/null
}

# SIMULATED (both halves) — what a real cluster does for the claim's instance, here done by hand:
#   1. cluster DNS: <claim>.<ns>.svc.cluster.local (the endpoint in the claim's superuser Secret) resolves
#      to the StackGres primary Service; here to 127.0.0.1, through the private /etc/hosts;
#   2. StackGres bootstrap: the SGCluster's superuser password comes from the superuser Secret the
#      function composes; here the local server's postgres role gets that password. A new instance has no
#      role or database "app" yet (every claim gets them, and they are kept in PostgreSQL when a claim goes):
#      an earlier claim's are dropped, as if this server were the claim's own.
# Everything after this (provider-sql connecting as the superuser, creating roles, databases, grants) is real.
sql_bootstrap() {
  local ns="$1" claim="$2" secret="$2-superuser"
  read_login "$ns" "$secret"
  [[ "$login_user" == "postgres" && "$login_port" == "$PG_PORT" && -n "$login_password" ]] ||
    e2e_die "unexpected superuser Secret: username=$login_user port=$login_port"
  [[ "$login_endpoint" == "$claim.$ns.svc.cluster.local" ]] || e2e_die "unexpected endpoint $login_endpoint"
  stand_in_for "$login_endpoint"
  printf '%s\n' "ALTER ROLE postgres WITH PASSWORD :'pw';" | superuser_psql -q -v pw="$login_password" >/dev/null
  e2e_log "SIMULATED bootstrap of $ns/$claim: $login_endpoint -> 127.0.0.1, postgres password from $secret"
}

# SIMULATED (both halves) — what Scalingo does for a new database, here done by hand once provider-scalingo has
# written the admin login the (fake) Scalingo API gave it into <claim>-admin:
#   1. DNS: the database's host (<name>.postgresql.a.osc-fr1.scalingo-dbs.com) resolves to 127.0.0.1 through the
#      private /etc/hosts; the fake names this server's port in its URLs (scalingo.sh start);
#   2. Scalingo creates the admin role with that password: here a LOGIN SUPERUSER role of that name (Scalingo's admin
#      is less than a superuser: whether provider-sql's grants all work under its real rights is not proven here).
#      A new database has no role or database "app" yet: an earlier claim's are dropped, as in sql_bootstrap.
# Everything after this (provider-sql logging in with the admin Secret, creating roles, databases, grants) is real.
sql_bootstrap_admin() {
  local ns="$1" claim="$2" secret="$2-admin"
  read_login "$ns" "$secret"
  [[ "$login_user" =~ ^[a-z][a-z0-9_]*$ && "$login_user" != "postgres" && "$login_port" == "$PG_PORT" && -n "$login_password" && -n "$login_endpoint" ]] ||
    e2e_die "unexpected admin Secret: username=$login_user port=$login_port endpoint=$login_endpoint"
  stand_in_for "$login_endpoint"
  printf '%s\n' "DROP ROLE IF EXISTS :\"admin\";" "CREATE ROLE :\"admin\" WITH LOGIN SUPERUSER PASSWORD :'pw';" |
    superuser_psql -q -v admin="$login_user" -v pw="$login_password" >/dev/null
  e2e_log "SIMULATED Scalingo bootstrap of $ns/$claim: $login_endpoint -> 127.0.0.1, admin role $login_user with the password from $secret"
}

case "${1:-}" in
  start) sql_start ;;
  bootstrap-admin) [[ $# -eq 3 ]] || e2e_die "usage: sql.sh bootstrap-admin NAMESPACE CLAIM"; sql_bootstrap_admin "$2" "$3" ;;
  bootstrap) [[ $# -eq 3 ]] || e2e_die "usage: sql.sh bootstrap NAMESPACE CLAIM"; sql_bootstrap "$2" "$3" ;;
  psql) shift; superuser_psql "$@" ;;
  *) echo "usage: sql.sh start | bootstrap NAMESPACE CLAIM | bootstrap-admin NAMESPACE CLAIM | psql [ARGS…]" >&2; exit 2 ;;
esac
