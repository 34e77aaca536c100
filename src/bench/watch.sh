#!/usr/bin/env bash
# Watch benchmark (issue 14): packages the service, then runs the watch driver (src/bench/java/.../load/WatchDriver),
# which starts builds of the service side by side on loopback (--jars label=path,…; default this build only), with a
# Redis server of its own per launch, and prints a Markdown report (also written to target/bench-watch/report.md).
# Options are passed through, e.g. --scenarios propagation --writes 50. Needs redis-server (the Debian package).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ "${SKIP_PACKAGE:-}" != "true" ]]; then
    ./mvnw -B -q -ntp package -DskipTests
fi
rm -rf target/bench-load && mkdir -p target/bench-load
javac -d target/bench-load $(find src/bench/java/io/metricstore/bench/load -name '*.java')

args=()
if command -v redis-server > /dev/null; then args+=(--redis-server "$(command -v redis-server)"); fi
exec java -cp target/bench-load io.metricstore.bench.load.WatchDriver "${args[@]}" "$@"
