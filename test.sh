#!/usr/bin/env bash
# The one command that runs the tests: installs redis-server when it is missing (the tests start their own
# instances and clusters on free loopback ports), then runs every test project, and the integration tests once more
# on a Redis Cluster.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server not found: installing it with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

# The compatibility tests drive the server with the official SDK packages from npm.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node/npm not found: installing them with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi

# The passkey tests drive Debian's chromium (playwright-core with executablePath) with a virtual authenticator.
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium not found: installing it with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# docker-compose.yml is checked with docker-compose itself (`config` needs no Docker engine).
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "docker-compose not found: installing it with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker-compose >/dev/null
fi

dotnet test Challenges.sln "$@"

# The integration tests once more with a 3-master Redis Cluster behind the server (the reliability, attack, operations,
# SDK and load tests start their own Redis and run once, above).
echo "Integration tests on a Redis Cluster:"
CHALLENGES_TEST_REDIS=cluster dotnet test Challenges.sln --no-build \
  --filter "FullyQualifiedName!~Reliability&FullyQualifiedName!~AttackTests&FullyQualifiedName!~SdkCompatibility&FullyQualifiedName!~Performance&FullyQualifiedName!~Operations" "$@"
