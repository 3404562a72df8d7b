# SPDX-License-Identifier: MIT
"""100,000 create/free cycles leak nothing.

Three independent measurements, before and after the cycles:
- the binding's own count of unfreed library objects (every handle it
  creates, whoever frees it);
- the bytes the C heap has in use (glibc's mallinfo2(): uordblks +
  hblkhd), which sees every malloc the library makes; a leak of the
  smallest block per cycle would show as 3 MB;
- the process's resident set size, as a coarse cross-check.
A warm-up round first lets the allocator and Python's caches settle.
"""

import ctypes
import ctypes.util
import gc
import os
import unittest

import support  # noqa: F401
import lemica

CYCLES = 100_000
WARM_UP = 2_000
# Allowed growth of the C heap after 100,000 cycles: far below one block
# per cycle (32 bytes * 100,000 = 3.2 MB), above allocator noise.
HEAP_SLACK = 256 * 1024
RSS_SLACK = 16 * 1024 * 1024


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]


def _heap_probe():
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    libc = ctypes.CDLL(libc_name)
    function = getattr(libc, "mallinfo2", None)
    if function is None:
        return None
    function.restype = _MallInfo2
    function.argtypes = []

    def heap_in_use():
        info = function()
        return info.uordblks + info.hblkhd
    return heap_in_use


heap_in_use = _heap_probe()


def rss_bytes():
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


GRAPH_FILE = ("lemica-graph 1.0\nnum_steps 3\nmax_skip 2\nmodel toy\nedges 3\n"
              "0 1 0\n0 2 0.5\n1 2 0\nend\n")


class LeakTest(unittest.TestCase):
    def measure(self, cycle):
        for _ in range(WARM_UP):
            cycle()
        gc.collect()
        handles_before = lemica.live_handles()
        heap_before = heap_in_use() if heap_in_use else None
        rss_before = rss_bytes()
        for _ in range(CYCLES):
            cycle()
        gc.collect()
        self.assertEqual(lemica.live_handles(), handles_before)
        if heap_in_use:
            growth = heap_in_use() - heap_before
            self.assertLess(growth, HEAP_SLACK, f"C heap grew by {growth} bytes")
        self.assertLess(rss_bytes() - rss_before, RSS_SLACK)

    def test_context_managers(self):
        def cycle():
            with lemica.Graph(12, 4) as graph, lemica.Solver() as solver:
                graph[2, 5] = 0.5
                with solver.solve(graph, 10) as schedule:
                    schedule.should_compute(3)
        self.measure(cycle)

    def test_finalizers_without_close(self):
        def cycle():
            profiler = lemica.Profiler(10, 3)
            profiler.add_error(0, 2, 0.25)
            profiler.to_graph()
            lemica.Plan(10, 3)
            lemica.Schedule.parse_steps(10, "0,4,9").copy()
            lemica.Graph.loads_with_metadata(GRAPH_FILE)  # metadata handle too
        self.measure(cycle)

    def test_failing_calls(self):
        graph = lemica.Graph(10, 3)

        def cycle():
            try:
                lemica.Schedule.parse_steps(10, "0,4,4,9")
            except lemica.ParseError:
                pass
            try:
                graph.set_weight(0, 9, 1.0)
            except lemica.OutOfRangeError:
                pass
        self.measure(cycle)
        graph.close()

    def test_solver_with_python_comparator_needs_no_cycle_collector(self):
        gc.disable()
        try:
            before = lemica.live_handles()
            for _ in range(100):
                solver = lemica.Solver()
                solver.set_user_comparator(lambda a, b: 0)
                del solver
            self.assertEqual(lemica.live_handles(), before)
        finally:
            gc.enable()

    def test_reference_cycles_are_collected(self):
        gc.collect()
        before = lemica.live_handles()

        class Holder:
            pass

        for _ in range(1000):
            holder = Holder()
            holder.self = holder
            holder.graph = lemica.Graph(8, 3)
        del holder
        gc.collect()
        self.assertEqual(lemica.live_handles(), before)


if __name__ == "__main__":
    unittest.main()
