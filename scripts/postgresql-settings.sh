#!/usr/bin/env bash
# Regenerates src/api/settings-catalogue.ts: every postgresql.conf parameter of each PostgreSQL major, with its type,
# unit, range, enum values and context, as the real server reports them in pg_settings.
#
# `postgres --describe-config` lists the parameters but neither their units nor their enum values, so each major's
# own binary is started in single-user mode on a throw-away data directory and asked for pg_settings.
#
# Usage (as root): scripts/postgresql-settings.sh [ROOT...]
#   Every /usr/lib/postgresql/<major>/bin/postgres under each ROOT is used; ROOT "/" is this machine. Other roots are
#   root file systems of other Debian suites, run with chroot, e.g.
#     mmdebstrap --variant=apt --include=postgresql-17 trixie /srv/trixie http://deb.debian.org/debian
#     mmdebstrap --variant=apt --include=postgresql-18 --aptopt='Acquire::Check-Valid-Until "false"' forky /srv/forky http://deb.debian.org/debian
#     scripts/postgresql-settings.sh / /srv/trixie /srv/forky
set -euo pipefail
cd "$(dirname "$0")/.."
roots=("${@:-/}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One line: in single-user mode a newline ends the statement.
query="COPY (SELECT name, context, vartype, coalesce(unit, ''), coalesce(min_val, ''), coalesce(max_val, ''), coalesce(array_to_string(enumvals, ','), '') FROM pg_settings ORDER BY name) TO '/tmp/pg-settings.tsv';"

in_root() { # ROOT COMMAND...: run a command as postgres inside ROOT, with /dev and /proc of this machine
  local root=$1; shift
  if [ "$root" = / ]; then runuser -u postgres -- "$@"; return; fi
  unshare --mount --propagation private bash -c '
    root=$1; shift
    mount --rbind /dev "$root/dev"; mount -t proc proc "$root/proc"
    exec chroot "$root" runuser -u postgres -- "$@"' _ "$root" "$@"
}

for root in "${roots[@]}"; do
  for bin in "$root"/usr/lib/postgresql/*/bin/postgres; do
    [ -x "$bin" ] || continue
    major=$(basename "$(dirname "$(dirname "$bin")")")
    dir=/usr/lib/postgresql/$major/bin
    data=/tmp/pg-settings-$major
    rm -rf "${root%/}$data" "${root%/}/tmp/pg-settings.tsv"
    install -d -o "$(stat -c %u "${root%/}/var/lib/postgresql")" "${root%/}$data"
    in_root "$root" "$dir/initdb" -D "$data" -A trust >/dev/null
    echo "$query" | in_root "$root" "$dir/postgres" --single -D "$data" postgres >/dev/null 2>&1
    version=$(in_root "$root" "$dir/postgres" --version)
    cp "${root%/}/tmp/pg-settings.tsv" "$out/$major.tsv"
    echo "$version" > "$out/$major.version"
    rm -rf "${root%/}$data" "${root%/}/tmp/pg-settings.tsv"
    echo "PostgreSQL $major: $(wc -l < "$out/$major.tsv") parameters from $version ($root)"
  done
done
node scripts/postgresql-settings.mjs "$out" src/api/settings-catalogue.ts
