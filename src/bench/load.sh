#!/usr/bin/env bash
# Whole-service benchmark: packages the service, then runs the load driver (src/bench/java/.../load), which starts
# the Metric Store on both backends, a Redis server and Prometheus' Pushgateway on loopback and prints a Markdown
# report (also written to target/bench/report.md). Options are passed through, e.g. --runs 3 --targets memory.
# The service runs with authentication off unless --auth says otherwise (off, static, jwt; several compare them).
# Needs redis-server and prometheus-pushgateway (Debian packages of those names) for the Redis and side-by-side rows.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ "${SKIP_PACKAGE:-}" != "true" ]]; then
    ./mvnw -B -q -ntp package -DskipTests
fi
rm -rf target/bench-load && mkdir -p target/bench-load
javac -d target/bench-load $(find src/bench/java/io/metricstore/bench/load -name '*.java')

args=()
if command -v redis-server > /dev/null; then args+=(--redis-server "$(command -v redis-server)"); fi
if command -v prometheus-pushgateway > /dev/null; then args+=(--pushgateway "$(command -v prometheus-pushgateway)"); fi
exec java -cp target/bench-load io.metricstore.bench.load.LoadDriver "${args[@]}" "$@"
