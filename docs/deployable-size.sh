#!/usr/bin/env bash
# Size of what `sam build` packages for the function: the compiled classes plus the runtime-scope
# dependency jars (test-scope jars - embedded Redis, ElasticMQ, WireMock - are not packaged).
#
#   docs/deployable-size.sh [TREE]     TREE: project tree to measure (default: this one)
#
# Prints the jar count, the unzipped size and the size of the zip Lambda receives.
set -euo pipefail
TREE=$(cd "${1:-$(dirname "$0")/..}" && pwd)
OUT="$TREE/target/deployable"
rm -rf "$OUT" && mkdir -p "$OUT/lib"
(cd "$TREE" && mvn -q -B -ntp -DskipTests package dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$OUT/lib" >/dev/null 2>&1)
cp -r "$TREE/target/classes/." "$OUT/"   # sam build's layout: classes at the root, jars in lib/
(cd "$OUT" && rm -f ../deployable.zip && python3 -c "
import os, zipfile
with zipfile.ZipFile('../deployable.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk('.'):
        for f in files:
            z.write(os.path.join(root, f))")
jars=$(ls "$OUT/lib" | wc -l)
unzipped=$(du -sk --apparent-size "$OUT" | cut -f1)
classes=$(du -sk --apparent-size --exclude=lib "$OUT" | cut -f1)
zipped=$(stat -c %s "$TREE/target/deployable.zip")
printf 'tree: %s (%s)\n' "$TREE" "$(git -C "$TREE" rev-parse --short HEAD 2>/dev/null || echo 'not a git tree')"
awk -v j="$jars" -v u="$unzipped" -v c="$classes" -v z="$zipped" 'BEGIN {
    printf "runtime jars: %d; unzipped: %.1f MB (classes and resources %.2f MB); zip: %.1f MB\n", j, u/1024, c/1024, z/1048576 }'
printf 'largest jars:\n'; ls -S -s --block-size=K "$OUT/lib" | sed -n '2,9p' | sed 's/^/  /'
