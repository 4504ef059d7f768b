#!/usr/bin/env bash
# npm run bench, bench:retry and chaos: installs the dependencies first when they are
# missing (as npm start and npm test do), then runs the script on the project's own Node 24.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/deps.sh
ensure_dependencies
script="$1"
shift
exec node "scripts/bench/$script" "$@"
