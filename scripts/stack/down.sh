#!/usr/bin/env bash
# npm run stack:down: stop the local Kafka and PostgreSQL started by stack:up.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/stack/kafka.sh stop
bash scripts/stack/postgres.sh stop
