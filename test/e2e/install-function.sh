#!/usr/bin/env bash
# Installs function-postgresql into a running control plane (see control-plane.sh)
# the way users do, with the External package runtime:
#   1. apply the third-party CRDs of every kind we compose (from ../shared/crds);
#   2. build the Function package with `crossplane xpkg build` (the CLI, built as crossplane-cli), serve it from a local
#      registry (`crane registry serve`), `crane push` it, apply a pkg.crossplane.io/v1
#      Function pointing at it;
#   3. issue the function a server certificate signed by Crossplane's root CA, start
#      the function process, point the active FunctionRevision's status.endpoint at it
#      and keep it pointed there (endpoint keeper, see README.md);
#   4. apply xrds/*.yaml and compositions/*.yaml of the repo, wait for Established;
#   5. start a local PostgreSQL and provider-sql (sql.sh start; E2E_SQL=0 skips it);
#   6. apply provider-scalingo's CRDs, and with E2E_SCALINGO=1 (run.sh's default) start the SIMULATED Scalingo API
#      and provider-scalingo (scalingo.sh; with a node provider-scalingo is a Provider package run as a pod, whose
#      package manager installs the CRDs).
# With a node (E2E_PACKAGE_RUNTIME=Deployment, control-plane.sh's default when E2E_NODE=1) step 2 embeds the
# function's image built from the Dockerfile (E2E_FUNCTION_IMAGE_TAR, node/images.sh) in the package and pushes it
# to the node's registry, and step 3 is node/function-pod.sh: Crossplane runs the function as a pod (no process,
# no endpoint keeper).
# Background processes are registered with control-plane.sh's cleanup (lib.sh e2e_bg).
#
# Must run inside control-plane.sh (needs KUBECONFIG, E2E_WORKDIR, E2E_CROSSPLANE_CA_DIR).
# Environment:
#   E2E_FUNCTION_CMD   command that starts the function; it gets
#                      `--address 127.0.0.1:PORT --tls-server-certs-dir DIR` appended.
#                      Default: node $E2E_FUNCTION_NODE_FLAGS $REPO/dist/main.js (lib.sh)
#   E2E_PACKAGE_DIR    package root with crossplane.yaml (default $REPO/package; a
#                      minimal temporary one is generated when it has no crossplane.yaml)
#   E2E_FUNCTION_NAME  default function-postgresql
#   E2E_APPLY_REPO_XRDS=0  do not apply the repo's xrds/ and compositions/
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$E2E_DIR/lib.sh"

: "${KUBECONFIG:?run inside control-plane.sh}" "${E2E_WORKDIR:?run inside control-plane.sh}" "${E2E_CROSSPLANE_CA_DIR:?run inside control-plane.sh}"
W="$E2E_WORKDIR"
FN="${E2E_FUNCTION_NAME:-function-postgresql}"
FN_CMD="${E2E_FUNCTION_CMD:-node $E2E_FUNCTION_NODE_FLAGS $E2E_REPO/dist/main.js}"
PKG_DIR="${E2E_PACKAGE_DIR:-$E2E_REPO/package}"
start=$(e2e_now)
command -v jq >/dev/null || e2e_die "jq is needed (apt-get install -y jq)"

# --- 1. third-party CRDs -------------------------------------------------------
crd_folders=(stackgres prometheus-operator provider-sql provider-kubernetes provider-minio provider-upjet-aws cloudnative-pg cnpg-plugin-barman-cloud zalando-postgres-operator provider-opentelekomcloud)
mkdir -p "$W/crds"
n=0
for folder in "${crd_folders[@]}"; do
  [[ -d "$E2E_CRDS_DIR/$folder" ]] || e2e_die "missing CRD folder $E2E_CRDS_DIR/$folder"
  for f in "$E2E_CRDS_DIR/$folder"/*.yaml; do
    out="$W/crds/$folder-$(basename "$f")"
    if [[ "$(basename "$f")" == "kubernetes.crossplane.io_objects.yaml" ]]; then
      # Its spec.conversion names a webhook service without name/namespace (the package
      # manager fills those in); the API server rejects that. Drop the block (strategy
      # then defaults to None). See ../shared/crds/provider-kubernetes/SOURCE.md.
      awk '/^  conversion:/ {skip=1; next} skip && /^(   |$)/ {next} {skip=0; print}' "$f" >"$out"
    else
      cp "$f" "$out"
    fi
    n=$((n + 1))
  done
done
# Server-side apply: several CRDs are larger than the 256 KiB last-applied annotation.
if ! kubectl apply --server-side --force-conflicts -f "$W/crds" >"$W/logs/crds-apply.log" 2>&1; then
  cat "$W/logs/crds-apply.log" >&2
  e2e_die "applying the CRDs from $E2E_CRDS_DIR failed"
fi
kubectl wait --for condition=Established --timeout 120s crd --all >/dev/null
e2e_log "applied $n third-party CRDs from $E2E_CRDS_DIR"

# What the repo ships for cluster admins (deploy/): the aggregated ClusterRole for Crossplane
# and the deletion-protection ValidatingAdmissionPolicies. Crossplane runs with its chart's
# ClusterRoles only (crossplane-rbac.sh), so deploy/rbac.yaml must grant all it composes.
for f in "$E2E_REPO"/deploy/*.yaml; do
  [[ -f "$f" ]] || continue
  kubectl apply -f "$f" >/dev/null || e2e_die "applying $f failed"
  e2e_log "applied $f"
done

# --- 2. package, registry, Function ----------------------------------------------
if [[ ! -f "$PKG_DIR/crossplane.yaml" ]]; then
  e2e_log "no $PKG_DIR/crossplane.yaml yet: using a temporary minimal package"
  PKG_DIR="$W/package"
  mkdir -p "$PKG_DIR"
  cat >"$PKG_DIR/crossplane.yaml" <<EOF
apiVersion: meta.pkg.crossplane.io/v1beta1
kind: Function
metadata:
  name: $FN
spec: {}
EOF
fi
mkdir -p "$W/empty-examples"
embed=()
if [[ "${E2E_PACKAGE_RUNTIME:-External}" == "Deployment" ]]; then
  embed=(--embed-runtime-image-tarball "${E2E_FUNCTION_IMAGE_TAR:?the Deployment runtime needs the function image (node/images.sh)}")
fi
if ! crossplane-cli xpkg build --package-root "$PKG_DIR" --examples-root "$W/empty-examples" "${embed[@]}" \
      --package-file "$W/$FN.xpkg" >"$W/logs/xpkg-build.log" 2>&1; then
  cat "$W/logs/xpkg-build.log" >&2
  e2e_die "crossplane-cli xpkg build of $PKG_DIR failed"
fi

if [[ -n "${E2E_REGISTRY_PORT:-}" ]]; then
  REGISTRY_PORT="$E2E_REGISTRY_PORT"   # the node's (node/start.sh), which containerd pulls from
else
  e2e_free_port REGISTRY_PORT
  mkdir -p "$W/registry"
  e2e_bg registry crane registry serve --address "127.0.0.1:$REGISTRY_PORT" --disk "$W/registry"
  e2e_wait_for "local registry" 30 registry curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/"
fi
# A tag unique to this content, so a rebuilt package makes a new FunctionRevision.
TAG="v0.0.0-e2e-$(sha256sum "$W/$FN.xpkg" | cut -c1-12)"
IMAGE="127.0.0.1:$REGISTRY_PORT/$FN:$TAG"
crane push "$W/$FN.xpkg" "$IMAGE" >"$W/logs/crane-push.log" 2>&1 || { cat "$W/logs/crane-push.log" >&2; e2e_die "crane push failed"; }
e2e_log "pushed $IMAGE"

# --- 3. with a node: the function as a pod (Crossplane's Deployment runtime) ----------------
if [[ "${E2E_PACKAGE_RUNTIME:-External}" == "Deployment" ]]; then
  "$E2E_DIR/node/function-pod.sh" "$FN" "$IMAGE"
  FUNCTION_PORT=""
  ENDPOINT="$(kubectl get functionrevisions -l "pkg.crossplane.io/package=$FN" -o jsonpath='{.items[?(@.spec.desiredState=="Active")].status.endpoint}')"
else   # the External runtime: up to "fi # External runtime" below (left unindented)
# --- 3. function process: certificate, start ---------------------------------------
TLS="$W/function-tls"
mkdir -p "$TLS"
(
  cd "$TLS"
  cp "$E2E_CROSSPLANE_CA_DIR/tls.crt" ca.crt
  openssl ecparam -name prime256v1 -genkey -noout -out key.ec 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in key.ec -out tls.key
  rm -f key.ec
  openssl req -new -key tls.key -subj "/CN=$FN" -out tls.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:%s,DNS:%s.crossplane-system,DNS:%s.crossplane-system.svc\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n' "$FN" "$FN" "$FN" >ext
  openssl x509 -req -in tls.csr -CA "$E2E_CROSSPLANE_CA_DIR/tls.crt" -CAkey "$E2E_CROSSPLANE_CA_DIR/tls.key" \
    -CAcreateserial -CAserial "$W/function-tls.srl" -days 2 -extfile ext -out tls.crt 2>/dev/null
  rm -f tls.csr ext
)
e2e_free_port FUNCTION_PORT
read -r -a fn_argv <<<"$FN_CMD"
e2e_bg function "${fn_argv[@]}" --address "127.0.0.1:$FUNCTION_PORT" --tls-server-certs-dir "$TLS"
e2e_wait_for "function listening on 127.0.0.1:$FUNCTION_PORT" 60 function \
  bash -c "[[ -n \"\$(ss -Htln 'sport = :$FUNCTION_PORT')\" ]]"
ENDPOINT="dns:///127.0.0.1:$FUNCTION_PORT"

kubectl apply -f - >/dev/null <<EOF
apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: $FN
spec:
  package: $IMAGE
  packagePullPolicy: IfNotPresent
  revisionActivationPolicy: Automatic
EOF

# The endpoint keeper. With the External runtime nothing plays the package runtime
# controller's part, which for the active FunctionRevision is to
#   - write status.endpoint (where Crossplane dials the function);
#   - write status.tlsServerSecretName naming a Secret in crossplane-system with a tls.crt
#     (until then the revision reconciler stops at "waiting for package runtime
#     controller to set revision's webhook TLS secret");
#   - set the RuntimeHealthy condition (until then the Function is Healthy=False with
#     'Package runtime health is "Unknown"').
# A new revision (new package tag) starts without all three. Poll every 2 s, create the
# Secret (holding the function's server certificate) and (re-)patch, logging each patch.
cat >"$W/endpoint-keeper.sh" <<'EOF'
#!/usr/bin/env bash
set -uo pipefail
fn="$1" endpoint="$2" tlsdir="$3"
while true; do
  revs="$(kubectl get functionrevisions -l "pkg.crossplane.io/package=$fn" -o json 2>/dev/null || echo '{"items":[]}')"
  jq -c '.items[] | select(.spec.desiredState == "Active")' <<<"$revs" | while read -r rev; do
    name="$(jq -r .metadata.name <<<"$rev")"
    secret="$(jq -r --arg d "$fn-tls-server" '.spec.tlsServerSecretName // $d' <<<"$rev")"
    ok="$(jq -r --arg e "$endpoint" --arg s "$secret" '
      (.status.endpoint == $e) and (.status.tlsServerSecretName == $s) and
      ([.status.conditions[]? | select(.type == "RuntimeHealthy" and .status == "True")] | length == 1)' <<<"$rev")"
    [[ "$ok" == "true" ]] && continue
    kubectl -n crossplane-system get secret "$secret" >/dev/null 2>&1 ||
      kubectl -n crossplane-system create secret generic "$secret" \
        --from-file=tls.crt="$tlsdir/tls.crt" --from-file=tls.key="$tlsdir/tls.key" --from-file=ca.crt="$tlsdir/ca.crt" >/dev/null
    patch="$(jq -c --arg e "$endpoint" --arg s "$secret" --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
      {status: {endpoint: $e, tlsServerSecretName: $s,
        conditions: ([.status.conditions[]? | select(.type != "RuntimeHealthy")] +
          [{type: "RuntimeHealthy", status: "True", reason: "HealthyPackageRevision",
            message: "External runtime: function process managed by test/e2e", lastTransitionTime: $now}])}}' <<<"$rev")"
    if kubectl patch functionrevision "$name" --subresource status --type merge -p "$patch" >/dev/null; then
      echo "$(date +%H:%M:%S) patched $name: was endpoint=$(jq -r '.status.endpoint // "<empty>"' <<<"$rev") tlsServerSecretName=$(jq -r '.status.tlsServerSecretName // "<empty>"' <<<"$rev") RuntimeHealthy=$(jq -r '[.status.conditions[]? | select(.type == "RuntimeHealthy") | .status][0] // "<none>"' <<<"$rev")"
    fi
  done
  sleep "${E2E_ENDPOINT_KEEPER_INTERVAL:-2}"
done
EOF
chmod +x "$W/endpoint-keeper.sh"
e2e_bg endpoint-keeper "$W/endpoint-keeper.sh" "$FN" "$ENDPOINT" "$TLS"

e2e_wait_for "Function $FN Installed" 120 function kubectl wait --for condition=Installed --timeout 5s "function.pkg.crossplane.io/$FN"
e2e_wait_for "active FunctionRevision endpoint $ENDPOINT" 60 endpoint-keeper bash -c \
  "kubectl get functionrevisions -l pkg.crossplane.io/package=$FN -o jsonpath='{.items[*].status.endpoint}' | grep -qF '$ENDPOINT'"
e2e_wait_for "Function $FN Healthy" 120 function kubectl wait --for condition=Healthy --timeout 5s "function.pkg.crossplane.io/$FN"
e2e_log "Function $FN installed, Healthy, endpoint $ENDPOINT"
fi # External runtime

# --- 4. XRDs and Compositions -------------------------------------------------------
if [[ "${E2E_APPLY_REPO_XRDS:-1}" == "1" ]] && compgen -G "$E2E_REPO/xrds/*.yaml" >/dev/null; then
  kubectl apply -f "$E2E_REPO/xrds" >/dev/null
  kubectl wait --for condition=Established --timeout 120s compositeresourcedefinitions --all >/dev/null \
    || e2e_die "XRDs in $E2E_REPO/xrds did not become Established"
  e2e_log "applied and established XRDs from $E2E_REPO/xrds"
fi
if [[ "${E2E_APPLY_REPO_XRDS:-1}" == "1" ]] && compgen -G "$E2E_REPO/compositions/*.yaml" >/dev/null; then
  kubectl apply -f "$E2E_REPO/compositions" >/dev/null
  e2e_log "applied Compositions from $E2E_REPO/compositions"
fi

# --- 5. the SQL part: a real PostgreSQL and provider-sql (see sql.sh) ----------------
if [[ "${E2E_SQL:-1}" == "1" ]]; then
  "$E2E_DIR/sql.sh" start
fi

# --- 5b. provider-scalingo: its CRDs always (with the node: its Provider package's); the fake Scalingo API and the
# provider itself when asked -------------
"$E2E_DIR/scalingo.sh" crds
if [[ "${E2E_SCALINGO:-0}" == "1" ]]; then
  [[ "${E2E_SQL:-1}" == "1" ]] || e2e_die "E2E_SCALINGO=1 needs the SQL part (E2E_SQL=1): its databases are the harness's PostgreSQL"
  "$E2E_DIR/scalingo.sh" start
fi

# --- 6. the providers' ClusterRoles, as Crossplane's RBAC manager makes them for Provider packages -----
# (their CRDs were applied above instead of installing the packages; see crossplane-rbac.sh)
# shellcheck source=crossplane-rbac.sh
source "$E2E_DIR/crossplane-rbac.sh"
e2e_provider_package_roles provider-sql '^([a-z]+\.)?sql(\.m)?\.crossplane\.io$'
e2e_provider_package_roles provider-kubernetes '^kubernetes(\.m)?\.crossplane\.io$'
e2e_provider_package_roles provider-minio '^minio\.crossplane\.io$'
e2e_provider_package_roles provider-upjet-aws '\.aws(\.m)?\.upbound\.io$'
e2e_provider_package_roles provider-opentelekomcloud '^rds\.opentelekomcloud(\.m)?\.crossplane\.io$'
# provider-scalingo as a pod is a Provider package: the RBAC manager makes its roles (scalingo.sh waits for them)
"$E2E_DIR/scalingo.sh" as-pod || e2e_provider_package_roles provider-scalingo '^scalingo\.dbaas\.dev$'
e2e_log "applied the providers' aggregated ClusterRoles (stand-in for the RBAC manager's provider roles)"

{
  echo "E2E_FUNCTION_PORT=$FUNCTION_PORT"
  echo "E2E_FUNCTION_ENDPOINT=$ENDPOINT"
  echo "E2E_REGISTRY_PORT=$REGISTRY_PORT"
  echo "E2E_FUNCTION_IMAGE=$IMAGE"
} >"$W/function.env"
e2e_log "function installed in $(e2e_since "$start")s"
