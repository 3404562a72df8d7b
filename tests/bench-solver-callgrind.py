#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Instruction counts of the solver benchmark's cases under callgrind.

Runs bench-solver --callgrind (with any further arguments, e.g. --n 200)
under valgrind's callgrind, which dumps the counts of each solve under a
label ("lexmax <case>", "max <case>"), and prints LEXMAX / MAX per case
and the worst ratio. Usage:
    bench-solver-callgrind.py BUILD/tests/bench-solver [bench arguments]

With --growth (issue 11, goal 3) it measures instead how the counts grow
with N, LEXMAX and MAX, at K = 20 (N = 250, 500, 1000, 2000) and at
K = N - 1 (N = 150, 200, 300, 400), one budget (B = N / 4) and every budget,
for a few families, and prints each exponent: the least-squares slope of
log(instructions) against log(N), and the slope between the last two N
(the cost that dominates at large N). It also times the same cases
without valgrind (medians of the benchmark's alternating runs) and prints
the wall exponents as a check. Options after --growth:
    --full            adds N = 4000 at K = 20 and N = 800 at K = N - 1 (long);
    --family NAME     only that family (repeatable);
    --series K=20|K=N-1  only that series (repeatable);
    --no-wall         instructions only.
"""
import glob
import math
import os
import re
import subprocess
import sys
import tempfile


def callgrind_counts(bench, args):
    """{label: instructions} of one callgrind run of the benchmark."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                        "--callgrind-out-file=" + out, bench, "--callgrind"]
                       + args, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        counts = {}
        for path in glob.glob(out + "*"):
            label = total = None
            with open(path, errors="replace") as f:
                for line in f:
                    if line.startswith("desc: Trigger: Client Request: "):
                        label = line.split(": ", 3)[3].strip()
                    m = re.match(r"(summary|totals): (\d+)", line)
                    if m:
                        total = int(m.group(2))
            if label and total is not None:
                counts[label] = total
        return counts


def natural_key(label):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", label)]


def ratio_table(bench, args):
    counts = callgrind_counts(bench, args)
    print("%-40s %14s %14s %7s" % ("case", "lexmax Ir", "max Ir", "ratio"))
    worst, worst_case = 0.0, ""
    for label in sorted(counts, key=natural_key):
        if not label.startswith("lexmax "):
            continue
        case = label[len("lexmax "):]
        lex, mx = counts[label], counts.get("max " + case)
        if not mx:
            continue
        ratio = lex / mx
        print("%-40s %14d %14d %6.2fx" % (case, lex, mx, ratio))
        if ratio > worst:
            worst, worst_case = ratio, case
    print("worst lexmax/max instruction ratio: %.2fx (%s; goal <= 1.3x)"
          % (worst, worst_case))


def slope(ns, values):
    """Least-squares slope of log(value) against log(n)."""
    xs = [math.log(n) for n in ns]
    ys = [math.log(v) for v in values]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def wall_times(bench, n, k, mode, family):
    """(lexmax ms, max ms) of one benchmark run of the case."""
    out = subprocess.run([bench, "--n", str(n), "--k", str(k), "--mode", mode,
                          "--family", family], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 7 and fields[0] == family and fields[1] == str(n):
            return float(fields[4]), float(fields[5])
    raise RuntimeError("no result line for %s N=%d" % (family, n))


GROWTH_FAMILIES = ["distinct", "levels-5", "levels-16", "levels-64",
                   "outliers-64", "quantised-8", "diffusion", "equal"]


def growth(bench, args):
    full = "--full" in args
    wall = "--no-wall" not in args
    families = [args[i + 1] for i, a in enumerate(args[:-1])
                if a == "--family"] or GROWTH_FAMILIES
    # K = N - 1 starts above 128 steps: smaller problems take the blocked
    # scan, another kernel, which would bend the fit.
    series = [("K=20", [250, 500, 1000, 2000] + ([4000] if full else [])),
              ("K=N-1", [150, 200, 300, 400] + ([800] if full else []))]
    only = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--series"]
    if only:
        series = [s for s in series if s[0] in only]
    print("growth in N: exponent = least-squares slope of log(cost) against "
          "log(N); 'last' = slope between the two largest N")
    print("%-12s %-6s %-5s %-22s %s" % (
        "family", "K", "B", "N", "instructions: lexmax (last)  max (last)"
        + ("  | wall: lexmax  max" if wall else "")))
    worst = None
    for kname, ns in series:
        for mode in ("one", "every"):
            for family in families:
                lex, mx, lw, mw = [], [], [], []
                for n in ns:
                    k = 20 if kname == "K=20" else n - 1
                    kk = "20" if kname == "K=20" else "0"
                    counts = callgrind_counts(bench, [
                        "--n", str(n), "--k", kk, "--mode", mode,
                        "--family", family])
                    case = "%s N=%d K=%d B=%s" % (family, n, k, mode)
                    lex.append(counts["lexmax " + case])
                    mx.append(counts["max " + case])
                    if wall:
                        a, b = wall_times(bench, n, int(kk), mode, family)
                        lw.append(a)
                        mw.append(b)
                el, em = slope(ns, lex), slope(ns, mx)
                ll, lm = slope(ns[-2:], lex[-2:]), slope(ns[-2:], mx[-2:])
                line = "%-12s %-6s %-5s %-22s %4.2f (%4.2f)  %4.2f (%4.2f)" % (
                    family, kname, mode, ",".join(map(str, ns)), el, ll, em,
                    lm)
                if wall:
                    line += "  | %4.2f  %4.2f" % (slope(ns, lw), slope(ns, mw))
                print(line, flush=True)
                excess = el - em
                if worst is None or excess > worst[0]:
                    worst = (excess, "%s %s %s budget" % (family, kname, mode))
    print("largest excess of the lexmax exponent over max's (instructions): "
          "%+.2f (%s; goal <= 0)" % worst)


def main():
    bench = sys.argv[1]
    args = sys.argv[2:]
    if args[:1] == ["--growth"]:
        growth(bench, args[1:])
    else:
        ratio_table(bench, args)


if __name__ == "__main__":
    main()
