#!/usr/bin/env bash
# Measures the server: starts redis-server and the server (Release) on loopback ports; measures each hot endpoint with
# wrk beside /health/live, and /health/live from bare Kestrel up through the server's pipeline (when wrk is installed:
# apt-get install -y wrk); runs the load generator's lifecycles, Redis probes and memory phases; writes
# tests/Challenges.Benchmarks/report.md; and stops everything it started, on failure too. Take numbers that matter on a
# quiet machine: wrk, the server and Redis share its cores.
#
#   tests/Challenges.Benchmarks/run.sh                       # defaults below
#   DURATION=60s CONCURRENCY=128 PENDING=1000000 tests/Challenges.Benchmarks/run.sh --note "quiet machine"
#   WRK_DURATION=3s DURATION=3s PENDING=1000 LADDER=0 tests/Challenges.Benchmarks/run.sh   # a short check of the tooling
#   PROFILE=1 LADDER=0 tests/Challenges.Benchmarks/run.sh   # perf-record each endpoint stage: profile.md (report in profile-perf/)
#   SERVER_ENV="DOTNET_gcServer=0" REPORT=/tmp/b.md tests/Challenges.Benchmarks/run.sh     # A/B a runtime or config setting
#
# Extra arguments go to the generator (see `dotnet run --project tests/Challenges.Benchmarks -- load` for all).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DURATION="${DURATION:-20s}"
PROFILE="${PROFILE:-0}"
# Long enough for tiered compilation to settle before the measured phases (longer still when profiling).
WARMUP="${WARMUP:-$([ "$PROFILE" = 1 ] && echo 60s || echo 10s)}"
CONCURRENCY="${CONCURRENCY:-64}"
MIX="${MIX:-otp,push,server,baseline}"
PENDING="${PENDING:-100000}"
PENDING_VIA="${PENDING_VIA:-otp}"
PROFILE_REPORT="${PROFILE_REPORT:-$here/profile.md}"
# A profiled run's rates are lowered by perf: its report goes beside the recordings, not over report.md.
REPORT="${REPORT:-$([ "$PROFILE" = 1 ] && echo "$here/profile-perf/report.md" || echo "$here/report.md")}"
WRK_THREADS="${WRK_THREADS:-1}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-64}"
WRK_DURATION="${WRK_DURATION:-10s}"
WRK_USERS="${WRK_USERS:-100}"
WRK_PUSH_USERS="${WRK_PUSH_USERS:-5000}"
LADDER="${LADDER:-1}"
LADDER_ROUNDS="${LADDER_ROUNDS:-3}"
LADDER_DURATION="${LADDER_DURATION:-5s}"

mkdir -p "$(dirname "$REPORT")"
command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install -y redis-server" >&2; exit 1; }
wrk_args=()
if command -v wrk >/dev/null; then
  wrk_args=(--wrk wrk --wrk-threads "$WRK_THREADS" --wrk-connections "$WRK_CONNECTIONS" --wrk-duration "$WRK_DURATION" --wrk-users "$WRK_USERS" --wrk-push-users "$WRK_PUSH_USERS")
  if [ "$LADDER" = 1 ]; then wrk_args+=(--ladder --ladder-rounds "$LADDER_ROUNDS" --ladder-duration "$LADDER_DURATION"); fi
else
  echo "wrk is not installed (apt-get install -y wrk): the report will have no per-endpoint throughput." >&2
fi
profile_env=()
# shellcheck disable=SC2206
server_env=(${SERVER_ENV:-})
if [ "$PROFILE" = 1 ]; then
  command -v perf >/dev/null || { echo "PROFILE=1 needs perf: apt-get install -y linux-perf" >&2; exit 1; }
  # perf names JIT-compiled methods from /tmp/perf-<pid>.map, which it can only match without W^X double mapping.
  profile_env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
  wrk_args+=(--profile "$PROFILE_REPORT")
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
REDIS_PORT="$(free_port)"
API_PORT="$(free_port)"
HOOK_PORT="$(free_port)"
while [ "$HOOK_PORT" = "$API_PORT" ] || [ "$HOOK_PORT" = "$REDIS_PORT" ]; do HOOK_PORT="$(free_port)"; done
METRICS_PORT="$(free_port)"
while [ "$METRICS_PORT" = "$API_PORT" ] || [ "$METRICS_PORT" = "$REDIS_PORT" ] || [ "$METRICS_PORT" = "$HOOK_PORT" ]; do METRICS_PORT="$(free_port)"; done

work="$(mktemp -d -t challenges-bench-XXXXXX)"
redis_pid=""
server_pid=""
cleanup() {
  local status=$?
  # Only the processes this script started, by pid.
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ]; then
    echo "run.sh failed (exit $status); last server log lines:" >&2
    tail -n 30 "$work/server.log" >&2 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # description, pid, command...
  local what="$1" pid="$2"; shift 2
  for _ in $(seq 1 150); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "$what exited during start-up" >&2; return 1; fi
    sleep 0.2
  done
  echo "$what did not come up in time" >&2
  return 1
}

echo "Building (Release)..."
dotnet build -c Release -v q -nologo "$root/src/Challenges.Api/Challenges.Api.csproj" >/dev/null
dotnet build -c Release -v q -nologo "$here/Challenges.Benchmarks.csproj" >/dev/null

echo "Starting redis-server on 127.0.0.1:$REDIS_PORT..."
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
wait_for "redis-server" "$redis_pid" bash -c "exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG"

echo "Starting the server on 127.0.0.1:$API_PORT (webhooks to 127.0.0.1:$HOOK_PORT)..."
# Limits are raised (and the push-fatigue back-off is off) so the run measures the work, not the 429s; the rate-limit counters still run on every request.
# One tenant, Webhook delivery to the generator's receiver (Log delivery is refused outside Development); the
# pending-challenge phase's codes go there too and are dropped.
limits() {
  local t="$1"
  echo "Tenants__${t}__Limits__SmsSendsPerWindow=1000000000 Tenants__${t}__Limits__EmailSendsPerWindow=1000000000" \
       "Tenants__${t}__Limits__VerifiesPerWindow=1000000000 Tenants__${t}__Limits__PushStartsPerWindow=1000000000" \
       "Tenants__${t}__Limits__StepUpsPerWindow=1000000000 Tenants__${t}__Limits__StartsPerIpPerWindow=1000000000" \
       "Tenants__${t}__Push__Fatigue__Enabled=false"
}
BENCH_SECRET="bench-secret-key-0123456789abcdef0123456789"
# The server's configuration; the generator gets it too, for the bare server's stages that build the server's services.
# shellcheck disable=SC2207
config=(ASPNETCORE_ENVIRONMENT=Production
    Logging__LogLevel__Default=Warning
    Redis__Configuration="127.0.0.1:$REDIS_PORT,abortConnect=false,connectTimeout=1000,syncTimeout=1000"
    Tokens__SigningKey="benchmark-token-signing-key-0123456789abcdef0123"
    PublicUrl="http://127.0.0.1:$API_PORT"
    Tenants__0__Id=bench
    Tenants__0__SecretKeys__0="$BENCH_SECRET"
    Tenants__0__WebhookUrl="http://127.0.0.1:$HOOK_PORT/webhook"
    Tenants__0__Delivery__Sms=Webhook
    $(limits 0))
# The server's own count of store round trips per request (store.round_trips) is read from /metrics on a port of its
# own by the round-trip probe; METRICS=0 leaves metrics off (the probe then reports Redis commands only).
METRICS="${METRICS:-1}"
urls="http://127.0.0.1:$API_PORT"
metrics_args=()
if [ "$METRICS" = 1 ]; then
  config+=(Metrics__Enabled=true Metrics__Port="$METRICS_PORT")
  urls="$urls;http://127.0.0.1:$METRICS_PORT"
  metrics_args=(--metrics "http://127.0.0.1:$METRICS_PORT/metrics")
fi
env "${config[@]}" "${profile_env[@]}" "${server_env[@]}" ASPNETCORE_URLS="$urls" \
    dotnet "$root/src/Challenges.Api/bin/Release/net10.0/Challenges.Api.dll" >"$work/server.log" 2>&1 &
server_pid=$!
wait_for "the server" "$server_pid" curl -fsS "http://127.0.0.1:$API_PORT/health/ready"

echo "Running the load generator (server pid $server_pid)..."
env "${config[@]}" dotnet "$here/bin/Release/net10.0/Challenges.Benchmarks.dll" load \
  --url "http://127.0.0.1:$API_PORT" --tenant bench --secret "$BENCH_SECRET" \
  --redis "127.0.0.1:$REDIS_PORT" --webhook-port "$HOOK_PORT" --server-pid "$server_pid" \
  --duration "$DURATION" --warmup "$WARMUP" --concurrency "$CONCURRENCY" --mix "$MIX" --half-rate \
  --pending "$PENDING" --pending-via "$PENDING_VIA" \
  "${wrk_args[@]}" "${metrics_args[@]}" --report "$REPORT" "$@"
