#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The C DiT (lemica-dit-bench) against torch on the same CPU, batch and
thread count (one: the C pass is single-threaded), in one run: rounds
alternate between the two so load from other processes hits both alike.
Prints each side's best and median time per guided call, their ratio, and
which BLAS torch runs on. Exits 77 without torch."""

import argparse
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import time

# One BLAS thread, before torch loads it.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

try:
    import torch
except ImportError as error:
    print(f"dit-bench.py: skipped, {error}", file=sys.stderr)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))


def load_training_module():
    spec = importlib.util.spec_from_file_location(
        "train_dit", os.path.join(HERE, "train-dit.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def blas_libraries():
    """The BLAS / LAPACK shared objects mapped into this process."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            name = os.path.basename(path)
            if re.search(r"blas|lapack|mkl", name) and "python" not in path:
                found.add(os.path.realpath(path))
    return sorted(found)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--c-bench", required=True)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--guidance", type=float, default=3.0)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    train = load_training_module()
    model = train.read_dit(args.weights).eval()
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(args.batch, 1, 16, 16, generator=generator) * 2 - 1
    t = torch.full((args.batch,), 0.5)
    y = torch.arange(args.batch) % 10

    def torch_round():
        times = []
        with torch.no_grad():
            train.guided(model, x, t, y, args.guidance)
            for _ in range(args.calls):
                start = time.perf_counter()
                train.guided(model, x, t, y, args.guidance)
                times.append(time.perf_counter() - start)
        return min(times), statistics.median(times)

    # The GEMMs of one guided call alone (torch.nn.functional.linear on the
    # same shapes): the floor torch's BLAS sets, without its eager overhead.
    rows = args.batch * (1 if args.guidance == 1 else 2)
    n = rows * 16
    shapes = [(n, 16, 64), (rows, 64, 64), (rows, 64, 64)]
    shapes += [(rows, 64, 384), (n, 64, 192), (n, 64, 64), (n, 64, 256),
               (n, 256, 64)] * 4
    shapes += [(rows, 64, 128), (n, 64, 16)]
    operands = [(torch.rand(m, k, generator=generator),
                 torch.rand(o, k, generator=generator),
                 torch.rand(o, generator=generator)) for m, k, o in shapes]

    def gemm_round():
        times = []
        with torch.no_grad():
            for _ in range(args.calls):
                start = time.perf_counter()
                for a, w, b in operands:
                    torch.nn.functional.linear(a, w, b)
                times.append(time.perf_counter() - start)
        return min(times), statistics.median(times)

    def c_round():
        out = subprocess.run(
            [args.c_bench, args.weights, str(args.batch), str(args.guidance),
             str(args.calls)], check=True, capture_output=True, text=True)
        values = dict(line.split() for line in out.stdout.splitlines())
        reuse.append(float(values["reuse_best"]))
        return float(values["best"]), float(values["median"])

    c_best, c_median, t_best, t_median, reuse = [], [], [], [], []
    g_best, g_median = [], []
    for _ in range(args.rounds):
        best, median = gemm_round()
        g_best.append(best)
        g_median.append(median)
        best, median = c_round()
        c_best.append(best)
        c_median.append(median)
        best, median = torch_round()
        t_best.append(best)
        t_median.append(median)
    config = torch.__config__.show()
    blas = re.search(r"BLAS_INFO=([^,]*)", config)
    capability = re.search(r"CPU capability usage: (\S+)", config)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, "
          f"BLAS_INFO={blas.group(1) if blas else '?'}, CPU capability "
          f"{capability.group(1) if capability else '?'}")
    print("BLAS libraries mapped: " + (", ".join(blas_libraries()) or "none"))
    print(f"guided call, batch {args.batch} ({rows} rows), "
          f"{args.rounds} rounds of {args.calls} calls:")
    print(f"  C     best {1e3 * min(c_best):8.2f} ms   median "
          f"{1e3 * statistics.median(c_median):8.2f} ms")
    print(f"  torch best {1e3 * min(t_best):8.2f} ms   median "
          f"{1e3 * statistics.median(t_median):8.2f} ms")
    print(f"  C, reusing a cached block residual: best "
          f"{1e3 * min(reuse):8.2f} ms ({min(reuse) / min(c_best):.3f} of "
          f"a full call)")
    print(f"  torch GEMMs alone best {1e3 * min(g_best):8.2f} ms   median "
          f"{1e3 * statistics.median(g_median):8.2f} ms")
    print(f"  C / torch: best {min(c_best) / min(t_best):.2f}, median "
          f"{statistics.median(c_median) / statistics.median(t_median):.2f}")
    print(f"  C / torch GEMMs alone: best {min(c_best) / min(g_best):.2f}, "
          f"median "
          f"{statistics.median(c_median) / statistics.median(g_median):.2f}")


if __name__ == "__main__":
    main()
