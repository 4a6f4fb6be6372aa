#!/usr/bin/env bash
# Training stress run (docs/reliability.md, "Training stress run"): many `dspt train` processes
# of a few hundred epochs each on a small synthetic image folder, some interrupted with SIGINT or
# SIGKILL and resumed, counting native crashes (exit 134/139, "terminate called", "Unknown scalar
# type", any exit code other than the expected ones).
#
#   tools/stress-train.sh [RUNS] [EPOCHS] [FIRST]   (defaults 100, 300, 1; WORK=/tmp/dspt-stress)
#
# Runs FIRST .. FIRST+RUNS-1 (the run number is the seed and picks the loss and the interruption),
# so two halves can run side by side in separate WORK folders.
#
# It copies the built CLI (dotnet build -c Release src/Dspt.Cli) to $WORK/bin first, so a rebuild
# during the run does not change what runs. Needs the vit-tiny fixture model from ../shared.
set -u
RUNS=${1:-100}
EPOCHS=${2:-300}
FIRST=${3:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/dspt-stress}
FIX="$ROOT/../shared/fixtures"
MODEL="$FIX/clip-models/vit-tiny/weights.openai.safetensors"
VOCAB="$FIX/clip-tokenizer/bpe_simple_vocab_16e6.txt.gz"
LOSSES=(dspt ce gce mae nlprompt)

rm -rf "$WORK"; mkdir -p "$WORK/runs" "$WORK/logs"
cp -r "$ROOT/src/Dspt.Cli/bin/Release/net10.0" "$WORK/bin"
DSPT=(dotnet "$WORK/bin/dspt.dll")

# 4 classes x (8 train + 3 test) flat-coloured 32x32 PNGs with noise, written once.
python3 - "$WORK/data" <<'PY'
import os, random, struct, sys, zlib
root = sys.argv[1]
colours = {"red": (200, 40, 40), "green": (40, 180, 60), "blue": (40, 60, 200), "yellow": (220, 210, 40)}
def png(path, rgb, rng):
    w = h = 32
    rows = b"".join(b"\0" + bytes(max(0, min(255, c + rng.randint(-40, 40))) for _ in range(w) for c in rgb) for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").write(data)
rng = random.Random(1)
for name, rgb in colours.items():
    for split, n in (("train", 8), ("test", 3)):
        for i in range(n):
            png(os.path.join(root, split, name, f"{i:03}.png"), rgb, rng)
PY

epochs_done() { [ -f "$1/metrics.jsonl" ] && wc -l < "$1/metrics.jsonl" || echo 0; }

crashes=0; unexpected=0; ints=0; kills=0; resumes=0; done_ok=0
check() {   # check LOG CODE EXPECTED...
    local log=$1 code=$2; shift 2
    [ $# -eq 0 ] && set -- 0
    if grep -qE "Unknown scalar type|terminate called|Fatal error|SIGSEGV|core dumped" "$log" || [ "$code" -eq 134 ] || [ "$code" -eq 139 ]; then
        crashes=$((crashes + 1)); echo "NATIVE CRASH: $log (exit $code)"; return
    fi
    for e in "$@"; do [ "$code" -eq "$e" ] && return; done
    unexpected=$((unexpected + 1)); echo "UNEXPECTED exit $code: $log"
}

start=$(date +%s)
for i in $(seq "$FIRST" $((FIRST + RUNS - 1))); do
    run="$WORK/runs/r$i"; log="$WORK/logs/r$i"
    loss=${LOSSES[$(( (i - 1) % ${#LOSSES[@]} ))]}
    args=(train --model "$MODEL" --vocab "$VOCAB" --dataset "$WORK/data" --out "$run" --cache-dir "$WORK/cache"
          --shots 8 --noise sym:0.25 --loss "$loss" --seed "$i" --epochs "$EPOCHS" --batch-size 4 --views 2 --n-ctx 4 --lr 0.01 --threads 1)
    case $((i % 4)) in
        1|3) # straight through
            "${DSPT[@]}" "${args[@]}" > "$log.out" 2>&1; check "$log.out" $?; ;;
        2|0) # interrupted (SIGINT on even quarters, SIGKILL otherwise) at a seed-dependent epoch, then resumed
            signal=INT; expect=130; [ $((i % 8)) -eq 0 ] && { signal=KILL; expect=137; }
            at=$(( 5 + (i * 37) % (EPOCHS / 2) ))
            "${DSPT[@]}" "${args[@]}" > "$log.out" 2>&1 & pid=$!
            while kill -0 $pid 2>/dev/null && [ "$(epochs_done "$run")" -lt "$at" ]; do sleep 0.2; done
            kill -$signal $pid 2>/dev/null; wait $pid; code=$?
            [ $signal = INT ] && ints=$((ints + 1)) || kills=$((kills + 1))
            check "$log.out" $code $expect 0
            "${DSPT[@]}" train --resume "$run" --threads 1 > "$log.resume" 2>&1; check "$log.resume" $?; resumes=$((resumes + 1)) ;;
    esac
    [ -f "$run/final.json" ] && done_ok=$((done_ok + 1))
    echo "run $i ($loss) done; complete $done_ok, crashes $crashes, unexpected $unexpected, $(( $(date +%s) - start )) s"
done
elapsed=$(( $(date +%s) - start ))
echo "SUMMARY: runs $FIRST-$((FIRST + RUNS - 1)) ($RUNS) x $EPOCHS epochs, $ints SIGINT + $kills SIGKILL interruptions resumed ($resumes resumes), $done_ok complete, $crashes native crashes, $unexpected unexpected exits, $elapsed s"
[ "$crashes" -eq 0 ] && [ "$unexpected" -eq 0 ] && [ "$done_ok" -eq "$RUNS" ]
