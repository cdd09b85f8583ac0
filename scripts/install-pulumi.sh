#!/usr/bin/env bash
# Installs the Pulumi CLI at the pinned version where the Automation API's
# PulumiCommand.install({version}) looks first: ~/.pulumi/versions/<v>/bin/pulumi.
# Idempotent: does nothing when that binary already reports the pinned version.
# Offline machines cannot run the official installer, so the CLI is built from
# the Go module proxy through a throw-away wrapper module (pkg/v3's go.mod has a
# relative `replace` for sdk/v3, which `go install pkg@version` refuses).
set -euo pipefail

VERSION="${PULUMI_VERSION:-$(node -p "require('$(dirname "$0")/../package.json').config.pulumiVersion" 2>/dev/null || echo 3.274.1)}"
DEST="${HOME}/.pulumi/versions/${VERSION}/bin"
BIN="${DEST}/pulumi"

if [ -x "$BIN" ] && [ "$("$BIN" version 2>/dev/null)" = "v${VERSION}" ]; then
  echo "pulumi v${VERSION} already installed at ${BIN}"
  exit 0
fi

# The official installer, where it can be reached (offline it fails at once, and we build).
if command -v curl >/dev/null; then
  INSTALLER="$(mktemp)"
  if curl -fsSL --connect-timeout 5 --max-time 120 https://get.pulumi.com/install.sh -o "$INSTALLER" 2>/dev/null \
    && sh "$INSTALLER" --version "${VERSION}" --install-root "${HOME}/.pulumi/versions/${VERSION}" --no-edit-path \
    && [ "$("$BIN" version 2>/dev/null)" = "v${VERSION}" ]; then
    rm -f "$INSTALLER"
    echo "installed pulumi v${VERSION} with the official installer at ${BIN}"
    exit 0
  fi
  rm -f "$INSTALLER"
fi

command -v go >/dev/null || { echo "install-pulumi: neither the official installer nor a Go toolchain is available" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo "building pulumi v${VERSION} from the Go module proxy in ${WORK} (first time only)"
go mod init ecs-crd-pulumi-build >/dev/null 2>&1
PKG_MOD="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@v${VERSION}" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
# Copy pkg's replace directives except the relative one for sdk (we require sdk at the same tag).
awk '
  /^replace \(/ { inblock=1; next }
  inblock && /^\)/ { inblock=0; next }
  inblock { print "replace " $0; next }
  /^replace / { sub(/^replace /, ""); print "replace " $0 }
' "$PKG_MOD" | grep -v '=> \.\./' >> go.mod || true
go mod edit -require="github.com/pulumi/pulumi/pkg/v3@v${VERSION}" -require="github.com/pulumi/pulumi/sdk/v3@v${VERSION}"
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
go mod tidy -e >/dev/null 2>&1 || true
go mod edit -require="github.com/pulumi/pulumi/pkg/v3@v${VERSION}" -require="github.com/pulumi/pulumi/sdk/v3@v${VERSION}"
mkdir -p "$DEST"
CGO_ENABLED=0 go build -mod=mod -o "$BIN.tmp" \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${VERSION}" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
mv "$BIN.tmp" "$BIN"
echo "installed $("$BIN" version) at ${BIN}"
