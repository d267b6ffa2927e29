#!/usr/bin/env bash
# The fault battery of docs/reliability.md: replays every class of fault against the release binary and
# counts the outcomes. Classes: SIGKILL/SIGTERM/SIGINT at random points of `train` and of `study run`
# (then resume: the bytes must equal an uninterrupted run's), a full disk (a small tmpfs; root only),
# read-only output, concurrent commands on one folder, corrupted checkpoints and corrupted metrics files.
#
# A case is "ok" when the command either did its work with the reference bytes or refused with an error
# in the project's style and nothing finished was lost; "bad" otherwise (crash, hang, wrong bytes, a
# finished result changed). Exit status 1 when any case is bad.
#
#   scripts/fault-battery.sh [--seed N] [--kills N]      (build first: swift build -c release)
set -uo pipefail
cd "$(dirname "$0")/.."
B="$PWD/.build/release/bridge"
[ -x "$B" ] || { echo "error: $B not found; build it first: swift build -c release" >&2; exit 2; }
SEED=1; KILLS=8
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED="$2"; shift 2 ;;
    --kills) KILLS="$2"; shift 2 ;;
    *) echo "usage: $0 [--seed N] [--kills N]" >&2; exit 2 ;;
  esac
done
RANDOM=$SEED
export OPENBLAS_NUM_THREADS=1
W=$(mktemp -d /tmp/bridge-fault-battery.XXXXXX)
MOUNTS=()
cleanup() {
  for m in "${MOUNTS[@]:-}"; do [ -n "$m" ] && umount "$m" 2>/dev/null; done
  rm -rf "$W"
}
trap cleanup EXIT
cd "$W"

declare -A COUNT
TOTAL=0; OK=0; BAD=0; SKIPPED=0
record() { # class outcome(ok|bad|skipped) detail
  TOTAL=$((TOTAL + 1)); COUNT["$1 $2"]=$(( ${COUNT["$1 $2"]:-0} + 1 ))
  case "$2" in ok) OK=$((OK + 1)) ;; bad) BAD=$((BAD + 1)); echo "BAD  [$1] $3" ;; skipped) SKIPPED=$((SKIPPED + 1)); echo "skip [$1] $3" ;; esac
}
# A clean error: non-zero exit, "Error: ... Fix:" style, no crash text, not killed by a signal.
clean_error() { # status stderr-file
  [ "$1" -ne 0 ] && [ "$1" -lt 128 ] && grep -q "Error: .*Fix: " "$2" && ! grep -q -E "Fatal error|NSCocoaErrorDomain|Code=[0-9]|error 256|Stack dump|Backtrace" "$2"
}
same() { cmp -s "$1" "$2"; }
# metrics.csv of two run folders, without the run_id column (a single run's id is its folder name).
same_metrics() { cmp -s <(cut -d, -f2- "$1") <(cut -d, -f2- "$2"); }
# Resume a killed run: it continues, or (killed between metrics.csv and its first checkpoint) it is
# refused with the fix, and --force then recomputes it. Either way the bytes must be the reference's.
resume_or_force() { # method out
  train --method $1 --out $2 run.steps=40 --resume >/dev/null 2>err.txt; st=$?
  if [ $st -ne 0 ] && clean_error $st err.txt && grep -q -- "--force" err.txt; then
    train --method $1 --out $2 run.steps=40 --force >/dev/null 2>>err.txt; st=$?
  fi
  return $st
}

TINY=(run.base=random model.preset=tiny run.eval_every=20 run.checkpoint_every=5 eval.heldout_size=8 eval.probe_size=8
      eval.suite.benchmarks.size=8 rl.prompts_per_step=2 rl.group_size=4 rl.max_new_tokens=8 sft.batch_size=8)
train() { "$B" train --quiet "$@" "${TINY[@]}"; }

cat > toy.yaml <<'EOF'
name: battery
question: fault battery
kind: toy_quadratic
base: {steps: 30, noise: 0.05, sleep_ms: 10}
axes:
  grid:
    method: [sgd, heavy_ball]
    learning_rate: [0.05, 0.2]
seeds: 2
metrics:
  - {name: train/loss, how: [final, auc]}
EOF
study_same() { for f in runs.csv metrics.csv summary.csv; do same "ref-study/$f" "$1/$f" || return 1; done; }

echo "fault battery: $B (seed $SEED, $KILLS kills per command), work folder $W"
# References: uninterrupted runs.
for m in sft rl_zero; do train --method $m --out ref-$m run.steps=40 >/dev/null 2>&1 || { echo "reference $m run failed" >&2; exit 2; }; done
"$B" study run toy.yaml --workers 2 --out ref-study >/dev/null 2>&1 || { echo "reference study failed" >&2; exit 2; }

# 1. Kill `train` at random points (SIGKILL, SIGTERM, SIGINT), then --resume: same bytes as uninterrupted.
SIGNALS=(KILL KILL TERM INT)
for i in $(seq 1 "$KILLS"); do
  m=$([ $((i % 2)) -eq 0 ] && echo rl_zero || echo sft)
  sig=${SIGNALS[$((i % 4))]}
  out=kill-train-$i; delay_ms=$((50 + RANDOM % 1500))
  "$B" train --quiet --method $m --out $out run.steps=40 "${TINY[@]}" >/dev/null 2>&1 &  # the binary itself, so the signal reaches it
  pid=$!
  sleep "$(printf '0.%03d' $((delay_ms % 1000)))"; [ $delay_ms -ge 1000 ] && sleep 1
  kill -s $sig $pid 2>/dev/null; wait $pid 2>/dev/null
  resume_or_force $m $out; st=$?
  if [ $st -eq 0 ] && same_metrics ref-$m/metrics.csv $out/metrics.csv; then record "kill train" ok ""
  else record "kill train" bad "$m SIG$sig after ${delay_ms} ms: resume exit $st, metrics differ or error: $(head -c 300 err.txt)"; fi
done

# 2. Kill `study run` at random points (the whole process group, or the study process alone), then resume.
for i in $(seq 1 "$KILLS"); do
  out=kill-study-$i; delay_ms=$((100 + RANDOM % 1800))
  setsid "$B" study run toy.yaml --workers 2 --out $out >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' $((delay_ms % 1000)))"; [ $delay_ms -ge 1000 ] && sleep 1
  if [ $((i % 2)) -eq 0 ]; then kill -KILL -- -$pid 2>/dev/null; how="group"; else kill -KILL $pid 2>/dev/null; how="study process"; fi
  wait $pid 2>/dev/null; sleep 0.5
  "$B" study run toy.yaml --workers 2 --out $out >/dev/null 2>err.txt; st=$?
  if [ $st -eq 0 ] && study_same $out; then record "kill study" ok ""
  else record "kill study" bad "SIGKILL ($how) after ${delay_ms} ms: resume exit $st, CSVs differ: $(head -c 300 err.txt)"; fi
done

# 3. Concurrent commands on one folder: exactly one works, the other is refused; the result is the reference.
for i in 1 2 3; do
  out=conc-train-$i
  train --method sft --out $out run.steps=40 >/dev/null 2>err1.txt & p1=$!
  train --method sft --out $out run.steps=40 >/dev/null 2>err2.txt & p2=$!
  wait $p1; s1=$?; wait $p2; s2=$?
  refused=$(cat err1.txt err2.txt | grep -c -E "is writing this folder|holds this run already")
  if [ $(( (s1 == 0) + (s2 == 0) )) -ge 1 ] && [ $(( (s1 == 0) + (s2 == 0) + refused )) -eq 2 ] && same_metrics ref-sft/metrics.csv $out/metrics.csv; then
    record "concurrent train" ok ""
  else record "concurrent train" bad "exits $s1/$s2, refusals $refused: $(cat err1.txt err2.txt | head -c 300)"; fi
done
for i in 1 2; do
  out=conc-study-$i
  "$B" study run toy.yaml --workers 1 --out $out >/dev/null 2>err1.txt & p1=$!
  "$B" study run toy.yaml --workers 1 --out $out >/dev/null 2>err2.txt & p2=$!
  wait $p1; s1=$?; wait $p2; s2=$?
  [ $s1 -ne 0 ] || [ $s2 -ne 0 ] && "$B" study run toy.yaml --workers 1 --out $out >/dev/null 2>&1
  if { [ $s1 -eq 0 ] || [ $s2 -eq 0 ]; } && study_same $out; then record "concurrent study" ok ""
  else record "concurrent study" bad "exits $s1/$s2: $(cat err1.txt err2.txt | head -c 300)"; fi
done

# 4. Read-only output (a read-only mount as root; a folder without write permission otherwise).
if [ "$(id -u)" -eq 0 ]; then
  RO=ro-mnt; mkdir -p $RO && mount -t tmpfs -o size=4m tmpfs $RO && MOUNTS+=("$W/$RO")
  mkdir -p $RO/old && cp -r ref-sft/. $RO/old/ && mount -o remount,ro $RO
else
  RO=ro-dir; mkdir -p $RO/old && cp -r ref-sft/. $RO/old/ && chmod -R a-w $RO
fi
train --method sft --out $RO/new run.steps=40 >/dev/null 2>err.txt; st=$?
if clean_error $st err.txt; then record "read-only" ok ""; else record "read-only" bad "train into $RO/new: exit $st $(head -c 300 err.txt)"; fi
train --method sft --out $RO/old run.steps=40 --resume >out.txt 2>err.txt; st=$?
if { [ $st -eq 0 ] || clean_error $st err.txt; } && same ref-sft/result.json $RO/old/result.json; then record "read-only" ok ""
else record "read-only" bad "resume of a finished run on a read-only disk: exit $st $(head -c 300 err.txt)"; fi
"$B" data generate --out $RO/data sft_size=8 >/dev/null 2>err.txt; st=$?
if clean_error $st err.txt; then record "read-only" ok ""; else record "read-only" bad "data generate: exit $st $(head -c 300 err.txt)"; fi
"$B" study run toy.yaml --out $RO/study >/dev/null 2>err.txt; st=$?
if clean_error $st err.txt; then record "read-only" ok ""; else record "read-only" bad "study run: exit $st $(head -c 300 err.txt)"; fi
[ "$RO" = ro-dir ] && chmod -R u+w ro-dir

# 5. Full disk (a small tmpfs; root only).
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p full && mount -t tmpfs -o size=2m tmpfs full && MOUNTS+=("$W/full")
  mkdir -p full/done && cp ref-sft/config.json ref-sft/metrics.csv ref-sft/result.json full/done/
  dd if=/dev/zero of=full/filler bs=4k 2>/dev/null  # until the disk is full
  train --method sft --out full/new run.steps=40 >/dev/null 2>err.txt; st=$?
  if clean_error $st err.txt && grep -q "no space left" err.txt && ! ls full/new/.*.tmp >/dev/null 2>&1; then record "full disk" ok ""
  else record "full disk" bad "train on a full disk: exit $st $(head -c 300 err.txt)"; fi
  "$B" study run toy.yaml --workers 2 --out full/study >/dev/null 2>err.txt; st=$?
  if [ $st -ne 0 ] && [ $st -lt 128 ] && ! grep -q -E "Fatal error|Code=[0-9]" err.txt; then record "full disk" ok ""
  else record "full disk" bad "study on a full disk: exit $st $(head -c 300 err.txt)"; fi
  if same ref-sft/result.json full/done/result.json && same ref-sft/metrics.csv full/done/metrics.csv; then record "full disk" ok ""
  else record "full disk" bad "a finished run on the full disk changed"; fi
  rm -f full/filler  # space again: the study resumes to the reference bytes
  "$B" study run toy.yaml --workers 2 --out full/study >/dev/null 2>err.txt; st=$?
  if [ $st -eq 0 ] && study_same full/study; then record "full disk" ok ""
  else record "full disk" bad "study resumed after freeing space: exit $st $(head -c 300 err.txt)"; fi
else
  record "full disk" skipped "needs root to mount a small tmpfs (run as root for this class)"
fi

# 6. Corrupted checkpoints: every command that loads one refuses it with the file named; none crashes.
cp ref-sft/checkpoint.safetensors good.safetensors
size=$(stat -c %s good.safetensors)
hdr=$(( $(od -An -t u8 -N 8 good.safetensors | tr -d ' ') + 8 ))
corrupt() { # name: writes bad-<name>.safetensors
  cp good.safetensors bad-$1.safetensors
  case $1 in
    empty) : > bad-$1.safetensors ;;
    short-header) head -c 5 good.safetensors > bad-$1.safetensors ;;
    cut-header) head -c $((hdr - 20)) good.safetensors > bad-$1.safetensors ;;
    cut-data) head -c $((size - 1000)) good.safetensors > bad-$1.safetensors ;;
    header-length) printf '\xff\xff\xff\xff\x00\x00\x00\x00' | dd of=bad-$1.safetensors conv=notrunc 2>/dev/null ;;
    header-garbage) printf 'garbage!' | dd of=bad-$1.safetensors bs=1 seek=20 conv=notrunc 2>/dev/null ;;
    nan) printf '\x00\x00\xc0\x7f' | dd of=bad-$1.safetensors bs=1 seek=$((hdr + 4 * (RANDOM % 1000))) conv=notrunc 2>/dev/null ;;
    inf) printf '\x00\x00\x80\x7f' | dd of=bad-$1.safetensors bs=1 seek=$((size - 4 - 4 * (RANDOM % 1000))) conv=notrunc 2>/dev/null ;;
    random) head -c $size /dev/urandom > bad-$1.safetensors ;;
  esac
}
for c in empty short-header cut-header cut-data header-length header-garbage nan inf random; do
  corrupt $c
  for cmd in score eval export-hf resume; do
    case $cmd in
      score) "$B" score --checkpoint bad-$c.safetensors --tokens 1,2,3 >out.txt 2>err.txt ;;
      eval) "$B" eval --checkpoint bad-$c.safetensors --size 2 >out.txt 2>err.txt ;;
      export-hf) "$B" export-hf --checkpoint bad-$c.safetensors --out hf-$c >out.txt 2>err.txt ;;
      resume) rm -rf res-$c; cp -r ref-sft res-$c; rm res-$c/result.json; cp bad-$c.safetensors res-$c/checkpoint.safetensors
              train --method sft --out res-$c run.steps=40 --resume >out.txt 2>err.txt ;;
    esac
    st=$?
    if [ $st -ne 0 ] && [ $st -lt 128 ] && grep -q "bad-$c.safetensors\|res-$c/checkpoint.safetensors" err.txt && ! grep -q "Fatal error" err.txt && ! grep -q nan out.txt; then
      record "corrupt checkpoint" ok ""
    else record "corrupt checkpoint" bad "$cmd on $c: exit $st $(head -c 300 err.txt)"; fi
  done
done

# 7. Corrupted metrics files: train --resume refuses (or recomputes) and never leaves a hole; a study re-runs.
for c in cut empty garbage header drop-row; do
  out=met-$c; rm -rf $out; cp -r ref-sft $out
  f=$out/metrics.csv; n=$(wc -l < $f)
  case $c in
    cut) head -n $((n / 3)) ref-sft/metrics.csv > $f ;;
    empty) : > $f ;;
    garbage) echo "not,a,metrics,row,at,all" >> $f ;;
    header) sed -i '1s/.*/a,b,c,d/' $f ;;
    drop-row) sed -i '5d' $f ;;
  esac
  train --method sft --out $out run.steps=40 --resume >out.txt 2>err.txt; st=$?
  if { [ $st -eq 0 ] && same_metrics ref-sft/metrics.csv $f; } || clean_error $st err.txt || { [ $st -ne 0 ] && [ $st -lt 128 ] && grep -q "Error: " err.txt && ! grep -q "Fatal error" err.txt; }; then
    record "corrupt metrics" ok ""
  else record "corrupt metrics" bad "train --resume with metrics.csv $c: exit $st $(head -c 300 err.txt)"; fi
done
for c in cut garbage drop-row; do
  out=met-study-$c; rm -rf $out; cp -r ref-study $out
  run=$(ls $out/runs | sort | sed -n $((1 + RANDOM % 8))p); f=$out/runs/$run/metrics.csv; n=$(wc -l < $f)
  case $c in
    cut) head -n $((n / 2)) ref-study/runs/$run/metrics.csv > $f ;;
    garbage) echo "x,y" >> $f ;;
    drop-row) sed -i '3d' $f ;;
  esac
  "$B" study run toy.yaml --workers 2 --out $out >/dev/null 2>err.txt; st=$?
  if [ $st -eq 0 ] && study_same $out; then record "corrupt metrics" ok ""
  else record "corrupt metrics" bad "study with a run's metrics.csv $c: exit $st $(head -c 300 err.txt)"; fi
done

echo
echo "fault battery: $TOTAL cases, $OK ok, $BAD bad, $SKIPPED skipped"
while read -r k; do
  printf '  %-20s ok %3d  bad %3d  skipped %3d\n' "$k" "${COUNT["$k ok"]:-0}" "${COUNT["$k bad"]:-0}" "${COUNT["$k skipped"]:-0}"
done < <(printf '%s\n' "${!COUNT[@]}" | sed -E 's/ (ok|bad|skipped)$//' | sort -u)
[ $BAD -eq 0 ]
