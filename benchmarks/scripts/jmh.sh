#!/usr/bin/env bash
# ./weft bench jmh [jmh-options]: JMH's own command line on benchmarks.jar.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build_jar
exec java "${JAVA_FLAGS[@]}" -jar "$JAR" "$@"
