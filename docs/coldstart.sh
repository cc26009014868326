#!/usr/bin/env bash
# Cold start of the worker on this machine: time from JVM launch to the first reply, median of N runs.
#
#   docs/coldstart.sh [RUNS] [TREE] [SCENARIOS]
#     RUNS       runs per scenario (default 7)
#     TREE       project tree whose worker is measured (default: this one); e.g. an older commit:
#                git archive e7327dd | tar -x -C /tmp/before && docs/coldstart.sh 7 /tmp/before scripted
#     SCENARIOS  space-separated, default "scripted deployed-cold deployed-unprimed deployed-restored":
#       scripted           guard on (local Redis), scripted generator, stdout sink
#       deployed-cold      as deployed: Redis URL from Secrets Manager, Bedrock Converse, SQS sink
#                          (local servers speaking their wire protocols); init + first invocation,
#                          as Lambda without SnapStart
#       deployed-unprimed  the same, with a simulated snapshot after init (Redis closed, then reopened)
#                          but no priming, timed from the "restore" (restore hook + first invocation)
#       deployed-restored  the same, with the SnapStart hooks run after init (priming, Redis closed,
#                          then reopened), timed from the "restore" (restore hook + first invocation)
#
# Each run is a fresh JVM with the template's JAVA_TOOL_OPTIONS, the deployable's classpath (classes
# + runtime jars, as sam build packages them) and the probe class (src/test/.../ColdStartProbe).
# The servers (Redis, ElasticMQ, WireMock) run in one other JVM, started once.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-7}
TREE=$(cd "${2:-$ROOT}" && pwd)
SCENARIOS=${3:-scripted deployed-cold deployed-unprimed deployed-restored}
# the JDK: JAVA_HOME, else the one of `java` on the PATH (>= 21)
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
JAVA="$JAVA_HOME/bin/java"
export JAVA_HOME

echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
     "JDK: $("$JAVA" -version 2>&1 | head -1)"
echo "measuring: $TREE ($(git -C "$TREE" rev-parse --short HEAD 2>/dev/null || echo 'not a git tree')), $RUNS runs per scenario"

# 1. the deployable of TREE: classes + runtime jars
(cd "$TREE" && mvn -q -B -ntp -DskipTests package dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory=target/coldstart-lib >/dev/null 2>&1)
DEPLOYABLE="$TREE/target/classes:$TREE/target/coldstart-lib/*"

# 2. the probe, compiled against TREE; the local servers from this tree's test classpath
(cd "$ROOT" && mvn -q -B -ntp -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test >/dev/null 2>&1)
PROBE=$(mktemp -d)
"$JAVA_HOME/bin/javac" -nowarn -d "$PROBE" -cp "$DEPLOYABLE" "$ROOT/src/test/java/com/replyguard/local/ColdStartProbe.java"

SERVERS_OUT=$(mktemp)
SERVERS_IN=$(mktemp -u); mkfifo "$SERVERS_IN"
"$JAVA" -cp "$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$ROOT/target/test.classpath")" \
    com.replyguard.local.LocalServers <"$SERVERS_IN" >"$SERVERS_OUT" 2>/dev/null &
SERVERS_PID=$!
exec 3>"$SERVERS_IN"   # keeps the servers' stdin open; closing it stops them
cleanup() { exec 3>&- 2>/dev/null || true; wait "$SERVERS_PID" 2>/dev/null || true; rm -rf "$PROBE" "$SERVERS_IN" "$SERVERS_OUT"; }
trap cleanup EXIT
for _ in $(seq 1 120); do grep -q READY "$SERVERS_OUT" && break; sleep 0.5; done
grep -q READY "$SERVERS_OUT" || { echo "local servers did not start" >&2; exit 1; }
eval "$(grep '^LOCAL_[A-Z_]*=' "$SERVERS_OUT")"   # shell variables, not exported

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
field() { sed -n "s/.* $1=\([0-9.-]*\).*/\1/p"; }

printf '\n%-19s %15s %9s %14s %19s %16s %19s\n' scenario jvm-to-reply-ms init-ms checkpoint-ms restore-to-reply-ms first-invoke-ms 'min..max (reply)'
for scenario in $SCENARIOS; do
  mode=cold
  vars=(GUARD_ENABLED=true REDIS_TIMEOUT_MS=1000 AWS_REGION=eu-west-3)
  case $scenario in
    scripted) vars+=(REDIS_URL="$LOCAL_REDIS_URL" GENERATOR=scripted REPLY_SINK=stdout) ;;
    deployed-cold|deployed-unprimed|deployed-restored)
      vars+=(REDIS_URL_SECRET_ARN="$LOCAL_REDIS_URL_SECRET_ARN" GENERATOR=bedrock
             BEDROCK_MODEL_ID=eu.anthropic.claude-3-haiku-20240307-v1:0 REPLY_SINK=sqs REPLY_QUEUE_URL="$LOCAL_REPLY_QUEUE_URL"
             AWS_ACCESS_KEY_ID=AKIDLOCAL AWS_SECRET_ACCESS_KEY=local-secret
             AWS_ENDPOINT_URL_SECRETS_MANAGER="$LOCAL_SECRETS_MANAGER"
             AWS_ENDPOINT_URL_BEDROCK_RUNTIME="$LOCAL_BEDROCK_RUNTIME" AWS_ENDPOINT_URL_SQS="$LOCAL_SQS"
             FUNCTION_TIMEOUT_SECONDS=30)
      [ "$scenario" = deployed-restored ] && mode=restored
      [ "$scenario" = deployed-unprimed ] && mode=restored-unprimed ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  results=$(mktemp)
  for _ in $(seq 1 "$RUNS"); do
    t0=$(date +%s%N)
    env "${vars[@]}" JAVA_TOOL_OPTIONS="-XX:+TieredCompilation -XX:TieredStopAtLevel=1" \
      "$JAVA" -Dprobe.t0="$t0" -cp "$PROBE:$DEPLOYABLE" com.replyguard.local.ColdStartProbe "$mode" 2>"$results.err" \
      | grep "^PROBE" >>"$results" || { echo "run failed: $scenario" >&2; cat "$results.err" >&2; exit 1; }
  done
  if grep -qv 'failures=0' "$results"; then echo "a run of $scenario did not reply" >&2; cat "$results" >&2; exit 1; fi
  printf '%-19s %15s %9s %14s %19s %16s %19s\n' "$scenario" \
    "$(field jvmToReplyMs <"$results" | median)" "$(field initMs <"$results" | median)" \
    "$(field checkpointMs <"$results" | median)" "$(field restoreToReplyMs <"$results" | median)" \
    "$(field firstInvokeMs <"$results" | median)" \
    "$(field jvmToReplyMs <"$results" | sort -n | sed -n '1p;$p' | paste -sd' ' | sed 's/ /../')"
  rm -f "$results"
done
