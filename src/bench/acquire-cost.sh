#!/usr/bin/env bash
# Redis' own cost of one lock acquire script, before and after a change: loads acquire.lua (with its preludes) as of
# commit BEFORE (default 300babb, before issue 12) and as in the working tree into one fresh redis-server, sends
# 20,000 acquires of new keys with each (a new fence every time), three rounds alternating, and prints each round's
# microseconds per call from INFO commandstats. Needs redis-server, redis-cli and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
before="${BEFORE:-300babb}"
dir="src/main/resources/io/metricstore/store/redis"
work="$(mktemp -d)"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git show "$before:$dir/acquire.lua" > "$work/old.lua"
cat "$dir/origin.lua" "$dir/layout.lua" "$dir/acquire.lua" > "$work/new.lua"
port=$((20000 + RANDOM % 10000))
redis-server --port "$port" --dir "$work" --save "" --appendonly no --daemonize yes > /dev/null
until redis-cli -p "$port" ping > /dev/null 2>&1; do sleep 0.1; done
old=$(redis-cli -p "$port" SCRIPT LOAD "$(cat "$work/old.lua")")
new=$(redis-cli -p "$port" SCRIPT LOAD "$(cat "$work/new.lua")")
now=$(date +%s%3N)
for round in 1 2 3; do
    for version in old new; do
        sha=$([ "$version" = old ] && echo "$old" || echo "$new")
        redis-cli -p "$port" CONFIG RESETSTAT > /dev/null
        python3 - "$version" "$sha" "$now" "$round" > "$work/commands" <<'PY'
import sys
version, sha, now, rnd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def resp(args):
    return "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(str(a).encode()), a) for a in args)
for i in range(20000):
    key = "%s-%s-%d" % (version, rnd, i)
    lock = "{ns}:lock:job:" + key
    if version == "old":
        args = ["EVALSHA", sha, 3, lock, "{ns}:fence", "{ns}:locks", "token", now, now + 30000, "job:" + key,
                now * 1024]
    else:
        args = ["EVALSHA", sha, 3, lock, "{ns}:locks", "{ns}:meta", "token", now, now + 30000, "job:" + key,
                now * 1024, 60500, "2/1", (now + 3601000) * 1024]
    sys.stdout.write(resp(args))
PY
        redis-cli -p "$port" --pipe < "$work/commands" > /dev/null
        echo "$version, round $round: $(redis-cli -p "$port" INFO commandstats | grep -o 'evalsha:calls=[0-9]*,usec=[0-9]*,usec_per_call=[0-9.]*')"
    done
done
