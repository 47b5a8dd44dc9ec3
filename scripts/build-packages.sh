#!/usr/bin/env bash
# Builds the Crossplane packages into dist/packages/ (provider-scalingo.xpkg: provider-scalingo/package/):
#   function-postgresql.xpkg       package/ (crossplane.yaml and the function-input CRD); with IMAGE=<ref> the
#                                  runtime image is embedded (needs the image in a local daemon or tarball), without
#                                  it the package is for the External runtime (as the e2e tests use it)
#   configuration-postgresql.xpkg  configuration/crossplane.yaml with the XRD and the Composition, copied in from
#                                  xrds/ and compositions/ so there is one copy of each in the repo
#   configuration-postgresql-<set>.xpkg
#                                  the optional engine sets of configuration/engines/<set>/ (in-cluster, aws-rds,
#                                  otc-rds, scalingo): no resources, only dependencies on the above and on that set's providers
# The Crossplane CLI (github.com/crossplane/cli/v2, built as crossplane-cli) comes from the e2e tool cache, built from
# Go modules if missing.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=../test/e2e/tools.sh
source test/e2e/tools.sh
E2E_TOOLS_ONLY=crossplane-cli e2e_tools >&2

out="$repo/dist/packages"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

image_args=()
[[ -n "${IMAGE:-}" ]] && image_args=(--embed-runtime-image "$IMAGE")
crossplane-cli xpkg build --package-root package "${image_args[@]}" --package-file "$out/function-postgresql.xpkg" >&2

# provider-scalingo: its CRDs (generated, committed) and crossplane.yaml; the runtime image from provider-scalingo/Dockerfile
crossplane-cli xpkg build --package-root provider-scalingo/package --examples-root provider-scalingo/examples --package-file "$out/provider-scalingo.xpkg" >&2

mkdir -p "$work/configuration"
cp configuration/crossplane.yaml "$work/configuration/"
for f in xrds/*.yaml; do cp "$f" "$work/configuration/xrd-$(basename "$f")"; done
for f in compositions/*.yaml; do cp "$f" "$work/configuration/composition-$(basename "$f")"; done
# The Operations (maintenance clock, disk autogrow, final backup): inert where Crossplane runs without --enable-operations (its CRD is
# installed either way), so the package installs on every Crossplane 2.x.
cp deploy/maintenance-clock.yaml "$work/configuration/cronoperation-maintenance-clock.yaml"
cp deploy/disk-autogrow.yaml "$work/configuration/cronoperation-disk-autogrow.yaml"
cp deploy/final-backup.yaml "$work/configuration/operations-final-backup.yaml"
crossplane-cli xpkg build --package-root "$work/configuration" --package-file "$out/configuration-postgresql.xpkg" >&2

for dir in configuration/engines/*/; do
  set_name="$(basename "$dir")"
  crossplane-cli xpkg build --package-root "$dir" --package-file "$out/configuration-postgresql-$set_name.xpkg" >&2
done

ls -l "$out"/*.xpkg
