#!/usr/bin/env bash
# How long one upsert script holds Redis (docs/benchmarks.md, issue 12). Starts a Redis that logs every command in
# its SLOWLOG, the packaged service on it (the pod's JVM options) and POSTs batches of 10,000 and 1,000 points: new
# series, then the same series again with new values. Per POST it prints
#   case, µs of the upsert script (SLOWLOG: its EVALSHA, told by its number of arguments),
#   µs of CPU of Redis' main thread during the whole POST (/proc/<pid>/schedstat: script, argument parsing, replies),
#   with REPLICA=true also µs of CPU of the replica's main thread and the POST's HTTP status and seconds
# With REPLICA=true a second Redis follows the first and the service runs with store.redis.min-replicas-ack=1.
# Needs redis-server and redis-cli 7, curl, jq and target/quarkus-app (./mvnw package -DskipTests).
# Usage: src/bench/script-time.sh [rounds, default 10]; REDIS_PORT, REPLICA_PORT, HTTP_PORT: 6399, 6398, 8099
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-10}
redis_port=${REDIS_PORT:-6399}; replica_port=${REPLICA_PORT:-6398}; http_port=${HTTP_PORT:-8099}
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; wait; rm -rf "$dir"' EXIT
redis() { # redis <port> <dir> [more options]
    local port=$1 data=$2; shift 2
    mkdir -p "$data"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$data" "$@" > "$data/redis.log" &
    pids+=($!)
    until redis-cli -p "$port" PING 2> /dev/null | grep -q PONG; do sleep 0.1; done
}
redis "$redis_port" "$dir/primary" --slowlog-log-slower-than 0 --slowlog-max-len 100000
redis_pid=${pids[0]}
ack=0
if [[ "${REPLICA:-}" == "true" ]]; then
    redis "$replica_port" "$dir/replica" --replicaof 127.0.0.1 "$redis_port"
    replica_pid=${pids[1]}
    until redis-cli -p "$replica_port" INFO replication | grep -q master_link_status:up; do sleep 0.1; done
    ack=1
fi
java -XX:MaxRAM=768m -XX:MaxRAMPercentage=70 -XX:+UseSerialGC -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 \
    -XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90 -XX:+ExitOnOutOfMemoryError -Dquarkus.http.port="$http_port" \
    -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.log.level=WARN -Dstore.backend=redis -Dquarkus.redis.hosts=redis://127.0.0.1:"$redis_port" \
    -Dstore.redis.min-replicas-ack=$ack -jar target/quarkus-app/quarkus-run.jar > "$dir/service.log" 2>&1 &
pids+=($!)
until curl -sf "localhost:$http_port/q/health/ready" > /dev/null; do sleep 0.2; done

# batch <prefix> <points> <value>: series script_<prefix>_<i / 1000>{host="host-<i % 1000>"}, one value, now
batch() {
    jq -nc --arg p "$1" --argjson n "$2" --argjson v "$3" --arg t "$(date -u +%FT%T.%3NZ)" \
        '{role: "leader", source: "leader_scrape", points: [range($n) | {name: "script_\($p)_\(. / 1000 | floor)",
          labels: {job: "bench", host: "host-\(. % 1000)"}, value: $v, updatedAt: $t}]}'
}
cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; } # nanoseconds a process' main thread has run
post() { # post <case> <prefix> <points> <value>
    batch "$2" "$3" "$4" > "$dir/body.json"
    redis-cli -p "$redis_port" SLOWLOG RESET > /dev/null
    local before replica_before=0 answer replica=""
    before=$(cpu_ns "$redis_pid")
    if [[ $ack == 1 ]]; then replica_before=$(cpu_ns "$replica_pid"); fi
    answer=$(curl -s -o "$dir/answer.json" -w '%{http_code} %{time_total}' -XPOST \
        "localhost:$http_port/api/v1/points" -H 'Content-Type: application/json' --data-binary @"$dir/body.json")
    local cpu=$(( ($(cpu_ns "$redis_pid") - before) / 1000 ))
    if [[ $ack == 1 ]]; then replica="$(( ($(cpu_ns "$replica_pid") - replica_before) / 1000 )) $answer"
    elif ! grep -q "\"applied\":$3," "$dir/answer.json"; then echo "not applied: $(cat "$dir/answer.json")" >&2; exit 1
    fi
    # SLOWLOG entries: id, time, µs, arguments (at most 31 and then "... (n more arguments)"). The upsert of n points
    # of n distinct series is the one command with 7n to 8n arguments (a key and an id per series, 5 values per point,
    # a few more); a follower reading n changes sends about n
    redis-cli -p "$redis_port" --json SLOWLOG GET 100000 | jq -r --arg c "$1" --arg more "$cpu $replica" \
        --argjson n "$3" '.[] | select(.[3][-1] | test("more arguments"))
            | select(((.[3] | length) - 1 + (.[3][-1] | capture("(?<m>[0-9]+) more") | .m | tonumber)) as $args
                | $args >= 7 * $n and $args < 8 * $n) | "\($c) \(.[2]) \($more)"'
}
post warm-up w 1000 0 > /dev/null
for r in $(seq 1 "$rounds"); do
    post new-10000 "a$r" 10000 "$r"; post new-1000 "b$r" 1000 "$r"
    post update-10000 "a$r" 10000 "$((r + 1000))"; post update-1000 "b$r" 1000 "$((r + 1000))"
done
