#!/usr/bin/env bash
# jmh.sh: builds and runs the engine's JMH benchmarks (src/jmh/java, Maven profile jmh).
#   bench/jmh.sh                              # every benchmark, JMH defaults
#   bench/jmh.sh -f 1 -wi 3 -i 5 -w 1 -r 2    # shorter; any JMH option works
#   bench/jmh.sh 'EngineBenchmark.get' -p distribution=zipf
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -Pjmh test-compile -DskipTests
./mvnw -q -B -Pjmh dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath
exec java -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" org.openjdk.jmh.Main "$@"
