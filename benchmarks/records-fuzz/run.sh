#!/usr/bin/env bash
# Records safety run (targets.md "Query input"): >= 100,000 generated and mutated PostgREST query
# strings, headers and bodies against a real server (RecordsFuzzTest with more cases). Passes when no
# response is a 500, every error has PostgREST's (or InsForge's) shape, and Postgres located no
# class-42 error (syntax, undefined name) in a statement the engine wrote.
# Usage: ./anvil bench records-fuzz [cases] [seed]     (defaults: 100000, a time-based seed)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:?run through ./anvil bench records-fuzz}"
CASES="${1:-100000}"
SEED="${2:-$(date +%s)}"
echo "records fuzz: $CASES cases, seed $SEED (re-run the same cases with: ./anvil bench records-fuzz $CASES $SEED)"
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
if mvn -B -ntp verify -pl server -DskipITs -Dsurefire.failIfNoSpecifiedTests=false -Dtest=RecordsFuzzTest \
    -Drecords.fuzz.cases="$CASES" -Drecords.fuzz.seed="$SEED" >"$LOG" 2>&1; then
  grep -E '^records fuzz:' "$LOG"
  echo "result: PASS — 0 server errors, 0 statements rejected by Postgres as malformed, $CASES cases"
else
  grep -E '^records fuzz:|#[0-9]+ |    -> |Tests run:' "$LOG" | head -60
  echo "result: FAIL (full log kept at $LOG.kept)"
  cp "$LOG" "$LOG.kept"
  exit 1
fi
