#!/usr/bin/env python3
"""The measurements behind docs/suspects.md and the cost line in docs/benchmarks.md.

For each noise setting and seed: `dspt suspects` (5 folds, DSPT) with the synthetic noise's
truth, then what a user gains: `dspt train --loss ce` on the data corrected by accepting every
suggestion (a corrections CSV relabelling each drawn item to its suggested class and removing
the undrawn ones, so the corrected run trains on exactly the suspects run's items), against CE
and DSPT on the uncorrected draw. Prints markdown tables; raw outputs stay under --work.

    python3 tools/suspects_study.py --work /tmp/suspects-study
"""
import argparse, csv, json, os, statistics, subprocess, sys, time

p = argparse.ArgumentParser()
p.add_argument("--dspt", default="src/Dspt.Cli/bin/Release/net10.0/dspt.dll")
p.add_argument("--model", default="builtin")
p.add_argument("--dataset", default="builtin:shape")
p.add_argument("--noises", default="sym:0.25,sym:0.5,asym:0.5")
p.add_argument("--seeds", default="1,2,3")
p.add_argument("--shots", default="16")
p.add_argument("--folds", default="5")
p.add_argument("--work", required=True)
p.add_argument("--extra", default="", help="more options for every suspects/train call, e.g. '--epochs 5 --vocab V'")
a = p.parse_args()
extra = a.extra.split()
os.makedirs(a.work, exist_ok=True)
cache = os.path.join(a.work, "cache")


def dspt(*args, timed=False):
    cmd = ["nice", "-n", "10", "dotnet", a.dspt, *args]
    start = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-3000:]}")
    return (r.stdout, time.time() - start) if timed else r.stdout


def mean_std(xs):
    return (statistics.mean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0)


common = ["--model", a.model, "--dataset", a.dataset, "--cache-dir", cache, *extra]
inspect = json.loads(dspt("data", "inspect", a.dataset, "--shots", "0", "--json"))
all_train = [t["path"] for t in inspect["train"]]

detection = {}   # (noise, score) -> list of rows
accuracy = {}    # (noise, method) -> list of accuracies
costs = []
for noise in a.noises.split(","):
    for seed in a.seeds.split(","):
        tag = f"{noise.replace(':', '')}-s{seed}"
        out = os.path.join(a.work, f"suspects-{tag}")
        # dspt train first: it fills the feature cache, so both timings read cached features.
        runs = {}
        for loss in ["dspt", "ce"]:
            run = os.path.join(a.work, f"train-{loss}-{tag}")
            if not os.path.exists(os.path.join(run, "final.json")):
                _, secs = dspt("train", *common, "--shots", a.shots, "--noise", noise, "--seed", seed, "--loss", loss, "--out", run, timed=True)
                runs[loss] = secs
            accuracy.setdefault((noise, loss.upper() + " (noisy labels)"), []).append(json.load(open(os.path.join(run, "final.json")))["accuracy"])
        if not os.path.exists(os.path.join(out, "manifest.json")):
            _, secs = dspt("suspects", *common, "--shots", a.shots, "--noise", noise, "--seed", seed, "--folds", a.folds, "--out", out, timed=True)
            if "dspt" in runs:
                costs.append((tag, secs, runs["dspt"], json.load(open(os.path.join(out, "manifest.json")))["settings"]["seconds"]["cross_fit"]))
        with open(os.path.join(out, "detection.csv")) as f:
            for row in csv.DictReader(f):
                detection.setdefault((noise, row["score"]), []).append(row)
        # Accept every suggestion: relabel each drawn item to its suggested class, drop the rest.
        corr = os.path.join(a.work, f"corrections-{tag}.csv")
        with open(os.path.join(out, "suspects.csv")) as f:
            rows = list(csv.DictReader(f))
        drawn = {r["path"] for r in rows}
        changed = sum(r["suggested"] != r["given"] for r in rows)
        fixed_right = sum(r["suggested"] != r["given"] and r["suggested"] == r["true_label"] for r in rows)
        broke = sum(r["suggested"] != r["given"] and r["given"] == r["true_label"] for r in rows)
        wrong_after = sum(r["suggested"] != r["true_label"] for r in rows)
        with open(corr, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["path", "action", "new_label"])
            for r in rows:
                w.writerow([r["path"], "relabel", r["suggested"]])
            for path in all_train:
                if path not in drawn:
                    w.writerow([path, "remove", ""])
        accuracy.setdefault((noise, "labels changed / fixed / broken / wrong after"), []).append((changed, fixed_right, broke, wrong_after, len(rows)))
        run = os.path.join(a.work, f"train-ce-corrected-{tag}")
        if not os.path.exists(os.path.join(run, "final.json")):
            dspt("train", *common, "--shots", "100000", "--noise", "none", "--seed", seed, "--loss", "ce", "--corrections", corr, "--out", run)
        accuracy.setdefault((noise, "CE (all suggestions accepted)"), []).append(json.load(open(os.path.join(run, "final.json")))["accuracy"])

noises = a.noises.split(",")
print("## Detection quality (mean ± std over seeds " + a.seeds + ")\n")
for noise in noises:
    print(f"### {noise}\n")
    print("| score | flagged | precision | recall | F1 | precision@k | AUROC | AUPRC |")
    print("|---|---|---|---|---|---|---|---|")
    for (n, score), rows in detection.items():
        if n != noise: continue
        cells = []
        for key in ["flagged", "precision", "recall", "f1", "precision_at_k", "auroc", "auprc"]:
            m, s = mean_std([float(r[key]) for r in rows])
            cells.append(f"{m:.0f}" if key == "flagged" else f"{m:.3f} ± {s:.3f}")
        print(f"| {score} | " + " | ".join(cells) + " |")
    print()
print("## Test accuracy (%) of training on the labels (mean ± std)\n")
print("| method | " + " | ".join(noises) + " |")
print("|---|" + "---|" * len(noises))
for method in ["CE (noisy labels)", "DSPT (noisy labels)", "CE (all suggestions accepted)"]:
    cells = []
    for noise in noises:
        m, s = mean_std(accuracy[(noise, method)])
        cells.append(f"{m:.1f} ± {s:.1f}")
    print(f"| {method} | " + " | ".join(cells) + " |")
print()
print("| labels after accepting every suggestion | " + " | ".join(noises) + " |")
print("|---|" + "---|" * len(noises))
for i, name in enumerate(["changed", "fixed (to the true class)", "broken (a right label changed)", "still wrong"]):
    cells = []
    for noise in noises:
        vals = [t[i] for t in accuracy[(noise, "labels changed / fixed / broken / wrong after")]]
        m, s = mean_std(vals)
        cells.append(f"{m:.1f} ± {s:.1f}")
    print(f"| {name} | " + " | ".join(cells) + " |")
print()
if costs:
    print("## Cost\n")
    print("| run | dspt suspects s | cross-fitting s | one dspt train s | ratio |")
    print("|---|---|---|---|---|")
    for tag, s, t, fit in costs:
        print(f"| {tag} | {s:.1f} | {fit:.1f} | {t:.1f} | {s / t:.2f} |")
