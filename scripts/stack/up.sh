#!/usr/bin/env bash
# npm run stack:up: start the local Kafka and PostgreSQL and print their URLs (they keep running;
# npm run stack:down stops them).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/stack/kafka.sh start
bash scripts/stack/postgres.sh start
