#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Instruction counts of the solver benchmark's cases under callgrind.

Runs bench-solver --callgrind (with any further arguments, e.g. --n 200)
under valgrind's callgrind, which dumps the counts of each solve under a
label ("lexmax <case>", "max <case>"), and prints LEXMAX / MAX per case
and the worst ratio. Usage:
    bench-solver-callgrind.py BUILD/tests/bench-solver [bench arguments]
"""
import glob
import os
import re
import subprocess
import sys
import tempfile


def main():
    bench = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                        "--callgrind-out-file=" + out, bench, "--callgrind"]
                       + sys.argv[2:], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        counts = {}
        order = []
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
                order.append((os.path.getmtime(path), path, label))
    print("%-40s %14s %14s %7s" % ("case", "lexmax Ir", "max Ir", "ratio"))
    worst, worst_case = 0.0, ""
    for label in sorted(counts, key=lambda l: [int(x) if x.isdigit() else x
                                              for x in re.split(r"(\d+)", l)]):
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


if __name__ == "__main__":
    main()
