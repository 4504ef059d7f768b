#!/usr/bin/env bash
# Jest on native ES modules needs the VM modules flag of the project's Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node_modules/.bin/node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js "$@"
