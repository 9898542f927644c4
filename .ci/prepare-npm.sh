#!/usr/bin/env bash
# code-server 4.100.3 depends on @vscode/ripgrep 1.15.11, whose install script downloads ripgrep
# from GitHub. It first looks in a cache folder; a tarball of the system's ripgrep placed there
# makes the install work offline. Needs `rg` on PATH (Debian package ripgrep).
set -euo pipefail
cache="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-1.15.11"
tarball="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ -f "$tarball" ]; then exit 0; fi
rg_bin="$(command -v rg || true)"
if [ -z "$rg_bin" ]; then
  echo "prepare-npm: ripgrep (rg) is not installed; install it (Debian: apt-get install ripgrep) so code-server can install offline" >&2
  exit 1
fi
mkdir -p "$cache"
work="$(mktemp -d)"
cp "$rg_bin" "$work/rg"
tar -czf "$tarball" -C "$work" rg
rm -rf "$work"
echo "prepare-npm: seeded $tarball from $rg_bin"
