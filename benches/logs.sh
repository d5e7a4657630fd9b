#!/usr/bin/env bash
# Throughput and memory of `mailsleuth logs` against the issue's baselines, on one file.
#
# Usage: benches/logs.sh [FILE|SIZE]
#   FILE  an existing log file to time;
#   SIZE  otherwise, the size of a genlog file (genlog --bytes, default 1G, classic stamps,
#         seed 1), generated once and cached under target/bench-data/.
# Environment: RUNS=5 (rounds, default 3), PFLOGSUMM_RUNS=3 (pflogsumm's runs, default 3; about
#   55 s each per GB here), SKIP_PFLOGSUMM=1, TOOLS=tests/tools (genlog.py and sasl_rcpt.awk,
#   copies of ../shared/tools).
#
# Builds the release binary, then times in the same run, on the same file, in RUNS rounds
# (each round runs every tool once, after reading the file into the page cache):
#   engine     target/release/mailsleuth logs FILE --json --progress never > /dev/null
#   grep       LC_ALL=C grep -c sasl_username FILE     (output to a file: GNU grep stops at the
#              first match when its output is /dev/null)
#   mawk       mawk -f sasl_rcpt.awk FILE
#   pflogsumm  pflogsumm FILE, in the first PFLOGSUMM_RUNS rounds (its median against the
#              engine's median: a single run of it moved between 50 and 60 s within half an
#              hour, which alone moved the ratio by 20%)
# and prints, per tool, the median wall time, MB/s (10^6 bytes per second) and the peak RSS
# (maximum resident set size from GNU time's %M) of the median run, then the engine's ratios
# against the targets of the issue: >= 50x pflogsumm, >= 1/3 of grep, >= 2x mawk, peak RSS
# < 300 MB. A ratio is the median of the per-round ratios, so a round slowed by other load on
# the machine counts once; compare figures of one run only.
#
# On a machine shared with other jobs (Linux autogroup scheduling, as root), run it in a
# session of its own at a high autogroup priority, so that other sessions' builds slow every
# tool alike instead of whichever round they happen to land in:
#   setsid sh -c 'echo -20 > /proc/self/autogroup; RUNS=5 exec benches/logs.sh FILE'
# That is how the README's figures were taken (the README gives the run and its spread).
set -euo pipefail
cd "$(dirname "$0")/.."
ARG=${1:-1G}
RUNS=${RUNS:-3}
PFLOGSUMM_RUNS=${PFLOGSUMM_RUNS:-3}
if [ -n "${SKIP_PFLOGSUMM:-}" ]; then
  PFLOGSUMM_RUNS=0
fi
TOOLS=${TOOLS:-tests/tools}
if [ -f "$ARG" ]; then
  LOG=$ARG
else
  DATA=target/bench-data
  LOG=$DATA/genlog-$ARG-seed1.log
  mkdir -p "$DATA"
  if [ ! -s "$LOG" ]; then
    echo "generating $LOG (about 70 s per GiB)..." >&2
    python3 "$TOOLS/genlog.py" -o "$LOG.tmp" --bytes "$ARG" --seed 1 --ts classic >&2
    mv "$LOG.tmp" "$LOG"
  fi
fi
BYTES=$(stat -L -c %s "$LOG")
cargo build --release >&2
ENGINE=target/release/mailsleuth
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run NAME CMD... : one timed run; appends "wall rss_kib" to $TMP/NAME.
run() {
  local name=$1
  shift
  cat "$LOG" > /dev/null # same page-cache state for every tool
  # Exit status 1 is `mailsleuth logs` flagging accounts (and grep finding nothing): not an
  # error. Anything else is.
  local rc=0
  /usr/bin/time -o "$TMP/time" -f "%e %M" "$@" > "$TMP/out" 2> "$TMP/err" || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "$name failed ($rc):" >&2
    cat "$TMP/err" >&2
    exit 1
  fi
  tail -1 "$TMP/time" >> "$TMP/$name"
}

echo "file: $LOG ($BYTES bytes), rounds: $RUNS, cores: $(nproc)" >&2
for i in $(seq "$((RUNS > PFLOGSUMM_RUNS ? RUNS : PFLOGSUMM_RUNS))"); do
  if [ "$i" -le "$RUNS" ]; then
    # `exec`, so that time measures the engine itself and not a shell around it.
    run engine sh -c 'exec "$0" logs "$1" --json --progress never > /dev/null' "$ENGINE" "$LOG"
    run grep env LC_ALL=C grep -c sasl_username "$LOG"
    run mawk mawk -f "$TOOLS/sasl_rcpt.awk" "$LOG"
  fi
  if [ "$i" -le "$PFLOGSUMM_RUNS" ]; then
    run pflogsumm pflogsumm "$LOG"
  fi
done

# median FILE COLUMN
median() { cut -d' ' -f"$2" "$1" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
report() {
  local f=$TMP/$1 wall rss
  wall=$(median "$f" 1)
  rss=$(awk -v w="$wall" '$1 == w {print $2; exit}' "$f")
  printf '%-10s %8.2f s %9.1f MB/s %8.1f MB peak RSS   (walls: %s)\n' "$1" "$wall" \
    "$(awk -v b="$BYTES" -v s="$wall" 'BEGIN{print b/1e6/s}')" \
    "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$(cut -d' ' -f1 "$f" | tr '\n' ' ')"
}
# ratio OTHER: median over rounds of OTHER's wall / the engine's wall in the same round.
ratio() {
  paste -d' ' "$TMP/$1" "$TMP/engine" | awk '{print $1/$3}' | sort -g |
    awk '{v[NR]=$1} END {printf "%.2f", v[int((NR+1)/2)]}'
}
report engine
report grep
report mawk
if [ "$PFLOGSUMM_RUNS" -gt 0 ]; then
  report pflogsumm
  # pflogsumm runs in fewer rounds than the engine: the median of each against the other.
  P=$(median "$TMP/pflogsumm" 1)
  E=$(median "$TMP/engine" 1)
  echo "engine vs pflogsumm: $(awk -v p="$P" -v e="$E" 'BEGIN{printf "%.1f", p/e}')x (target >= 50)"
fi
echo "engine vs grep:      $(ratio grep)x (target >= 0.33)"
echo "engine vs mawk:      $(ratio mawk)x (target >= 2)"
RSS=$(sort -g -k2 "$TMP/engine" | tail -1 | cut -d' ' -f2)
echo "engine peak RSS:     $(awk -v k="$RSS" 'BEGIN{printf "%.1f", k/1024}') MB, highest of all rounds (target < 300)"
