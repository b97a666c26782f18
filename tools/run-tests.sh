#!/usr/bin/env bash
# Runs the test bundle as several processes at once, one per group of test targets.
#
# Swift Testing runs as many tests at a time as the machine has cores (its cooperative pool), and
# most of ours spend their time waiting on child processes: vetcentral, PostgreSQL, the TUI in
# tmux, SUNAT's validator. A waiting test still holds its pool thread, so in one process a
# two-core machine ran two tests at a time with its cores half idle. One process per group keeps
# them busy. Each group's output is printed whole when the group ends; the run fails when any
# group fails (or crashes), and the last lines sum every group up.
#
# Usage: tools/run-tests.sh BIN_PATH   (the folder of `swift build --show-bin-path`)
set -uo pipefail
bin_path=${1:?usage: tools/run-tests.sh BIN_PATH}
bundle="$bin_path/VetDeskPackageTests.xctest"
[ -x "$bundle" ] || { echo "run-tests: no existe $bundle (¿swift build --build-tests?)" >&2; exit 2; }

# The first groups are named; the last one is everything else, so no test can be left out.
# Two groups: the sync suites (mostly waiting on vetcentral, PostgreSQL and the local SUNAT) and
# everything else. More groups than that overloaded a two-core machine: tests that wait for a screen
# or an answer with a deadline began to miss it.
names=(sync rest)
args=(
  "--filter ^VetSyncTests\\."
  "--skip ^VetSyncTests\\."
)

export NO_COLOR=1
logs=$(mktemp -d "${TMPDIR:-/tmp}/vetdesk-tests.XXXXXX")
trap 'rm -rf "$logs"' EXIT
start=$SECONDS
declare -A group_of
for i in "${!names[@]}"; do
  # shellcheck disable=SC2086  # each group's arguments are words on purpose
  "$bundle" --testing-library swift-testing ${args[$i]} >"$logs/${names[$i]}.log" 2>&1 &
  group_of[$!]=${names[$i]}
done

failed=0
summary=()
while [ ${#group_of[@]} -gt 0 ]; do
  wait -n -p done_pid
  status=$?
  name=${group_of[$done_pid]}
  unset "group_of[$done_pid]"
  echo "═══ grupo $name: terminó con código $status a los $((SECONDS - start)) s ═══"
  cat "$logs/$name.log"
  last=$(grep -a "Test run with" "$logs/$name.log" | tail -1)
  summary+=("$name ($((SECONDS - start)) s, código $status): ${last:-sin resumen: el proceso terminó antes de acabar}")
  [ "$status" -eq 0 ] || failed=1
done

echo "═══ resumen ($((SECONDS - start)) s) ═══"
printf '%s\n' "${summary[@]}"
exit $failed
