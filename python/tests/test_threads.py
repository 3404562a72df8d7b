# SPDX-License-Identifier: MIT
"""Threads and re-entrancy (issue 16, point 3).

ctypes releases the GIL during every foreign call, so the binding itself
must keep the C library's one-thread-per-object rule: threads sharing a
Solver get the schedules a lone thread gets, threads sharing a Profiler
lose no sample, closing waits for a running call, and a user comparator
that closes or re-enters the objects of its own solve gets
ReentrantUseError instead of crashing the interpreter. Bounded: each test
runs a few hundred calls and joins its threads with a timeout.
"""

import contextlib
import random
import threading
import time
import unittest

import support  # noqa: F401
import lemica
from lemica import _library

THREADS = 8
JOIN_TIMEOUT = 60.0


def random_graph(num_steps, max_skip, seed):
    rng = random.Random(seed)
    graph = lemica.Graph(num_steps, max_skip)
    for i in range(num_steps):
        for j in range(i + 2, min(i + max_skip, num_steps - 1) + 1):
            graph[i, j] = rng.random()
    return graph


def run_threads(target, count=THREADS):
    """Run target(index) on `count` threads started together; re-raise the
    first exception any of them raised."""
    errors = []
    barrier = threading.Barrier(count)

    def body(index):
        try:
            barrier.wait()
            target(index)
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=body, args=(index,), daemon=True)
               for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        if thread.is_alive():
            raise AssertionError("a thread did not finish: deadlock?")
    if errors:
        raise errors[0]


@contextlib.contextmanager
def watched(name):
    """Replace the library function `name` by one that stays "inside the
    library" a little longer, with the GIL released (as ctypes releases it
    for every foreign call), and records how many threads were inside it
    on the same object at once. A binding that keeps one thread per
    object never lets that exceed 1, however the threads are scheduled;
    without a lock, the long stay makes an overlap all but certain. Yields
    a dict: object address -> the most threads seen inside at once."""
    cdll = _library.library()
    real = getattr(cdll, name)
    guard = threading.Lock()
    inside, most = {}, {}

    def wrapper(address, *args):
        with guard:
            inside[address] = inside.get(address, 0) + 1
            most[address] = max(most.get(address, 0), inside[address])
        try:
            time.sleep(0.0002)
            return real(address, *args)
        finally:
            with guard:
                inside[address] -= 1

    setattr(cdll, name, wrapper)
    try:
        yield most
    finally:
        setattr(cdll, name, real)


def lexmax_compare(a, b):
    for x, y in zip(a, b):
        if x != y:
            return -1 if x < y else 1
    return len(a) - len(b)


class SharedSolverTest(unittest.TestCase):
    """Eight threads, one solver, graphs of different sizes (so the
    solver's workspace is resized under the other threads on an unlocked
    binding)."""

    def check_shared_solver(self, solver, rounds):
        graphs = [random_graph(12 + 7 * k, 3 + k % 4, seed=k) for k in range(THREADS)]
        try:
            budgets = [max(graph.num_steps // 3, (graph.num_steps - 1) // graph.max_skip + 2)
                       for graph in graphs]
            expected = [solver.solve(graph, budget).steps
                        for graph, budget in zip(graphs, budgets)]
            wrong = []

            def work(index):
                graph, budget = graphs[index], budgets[index]
                for _ in range(rounds):
                    with solver.solve(graph, budget) as schedule:
                        if schedule.steps != expected[index]:
                            wrong.append((index, schedule.steps))

            run_threads(work)
            self.assertEqual(wrong, [])
        finally:
            for graph in graphs:
                graph.close()

    def test_builtin_comparator(self):
        with lemica.Solver() as solver:
            self.check_shared_solver(solver, rounds=40)

    def test_user_comparator(self):
        with lemica.Solver() as solver:
            solver.set_user_comparator(lexmax_compare)
            self.check_shared_solver(solver, rounds=3)

    def test_one_thread_at_a_time_inside_the_solver(self):
        with lemica.Solver() as solver, random_graph(20, 4, seed=2) as graph, \
                watched("lemica_solver_solve") as most:
            def work(index):
                for _ in range(10):
                    solver.solve(graph, 8).close()

            run_threads(work)
        self.assertEqual(set(most.values()), {1})

    def test_reconfiguring_while_others_solve(self):
        # Changing the comparator waits for a running solve instead of
        # swapping the callback under it.
        with lemica.Solver() as solver, random_graph(30, 5, seed=1) as graph:
            expected = solver.solve(graph, 10).steps

            def work(index):
                for _ in range(10):
                    if index == 0:
                        solver.set_user_comparator(lexmax_compare)
                        solver.comparator = lemica.Comparator.LEXMAX
                    else:
                        with solver.solve(graph, 10) as schedule:
                            self.assertEqual(schedule.steps, expected)

            run_threads(work, 4)


class SharedProfilerTest(unittest.TestCase):
    def test_no_sample_is_lost(self):
        per_thread = 2500
        with lemica.Profiler(20, 6) as profiler:
            segments = profiler.segments()

            def work(index):
                for k in range(per_thread):
                    i, j = segments[(index + k) % len(segments)]
                    profiler.add_error(i, j, 0.25)

            run_threads(work)
            total = sum(profiler.edge_stats(i, j).count for i, j in segments)
            self.assertEqual(total, THREADS * per_thread)

    def test_one_thread_at_a_time_inside_the_library(self):
        with lemica.Profiler(10, 4) as profiler, watched("lemica_profiler_add_error") as most:
            def work(index):
                for _ in range(25):
                    profiler.add_error(0, 2, 0.5)

            run_threads(work)
            self.assertEqual(profiler.edge_stats(0, 2).count, THREADS * 25)
        self.assertEqual(set(most.values()), {1})

    def test_opposite_merges_do_not_deadlock(self):
        with lemica.Profiler(10, 4) as a, lemica.Profiler(10, 4) as b:
            a.add_error(0, 2, 1.0)
            b.add_error(0, 2, 1.0)

            def work(index):
                for _ in range(200):
                    if index % 2:
                        a.merge(b)
                    else:
                        b.merge(a)

            run_threads(work, 4)
            self.assertGreater(a.edge_stats(0, 2).count, 1)

    def test_merge_into_itself(self):
        with lemica.Profiler(10, 4) as profiler:
            profiler.add_error(0, 2, 1.0)
            profiler.merge(profiler)
            self.assertEqual(profiler.edge_stats(0, 2).count, 2)


class CloseWhileInUseTest(unittest.TestCase):
    def test_close_waits_for_a_running_solve(self):
        inside, release = threading.Event(), threading.Event()
        solver = lemica.Solver()
        graph = random_graph(12, 4, seed=3)

        def slow_compare(a, b):
            inside.set()
            release.wait(5.0)
            return lexmax_compare(a, b)

        solver.set_user_comparator(slow_compare)
        results = []
        solving = threading.Thread(
            target=lambda: results.append(solver.solve(graph, 5).steps), daemon=True)
        solving.start()
        self.assertTrue(inside.wait(10.0))
        closers = [threading.Thread(target=handle.close, daemon=True)
                   for handle in (graph, solver)]
        for closer in closers:
            closer.start()
        time.sleep(0.1)
        # Neither close may free the objects under the running solve.
        self.assertFalse(graph.closed)
        self.assertFalse(solver.closed)
        release.set()
        solving.join(JOIN_TIMEOUT)
        for closer in closers:
            closer.join(JOIN_TIMEOUT)
        self.assertFalse(solving.is_alive())
        self.assertEqual(len(results), 1)
        self.assertEqual(len(results[0]), 5)
        self.assertTrue(graph.closed)
        self.assertTrue(solver.closed)
        with self.assertRaises(lemica.ClosedHandleError):
            graph.num_steps


class ReentrantComparatorTest(unittest.TestCase):
    """A comparator runs inside the C solve, on the solving thread."""

    def solve_with(self, action):
        graph = random_graph(10, 4, seed=5)
        solver = lemica.Solver()
        calls = []

        def compare(a, b):
            calls.append(1)
            action(solver, graph)
            return lexmax_compare(a, b)

        solver.set_user_comparator(compare)
        try:
            with self.assertRaises(lemica.ReentrantUseError) as caught:
                solver.solve(graph, 5)
            # The comparator stopped at its first call, and both objects
            # are intact and usable.
            self.assertEqual(len(calls), 1)
            self.assertFalse(graph.closed)
            self.assertFalse(solver.closed)
            solver.comparator = lemica.Comparator.LEXMAX
            self.assertEqual(solver.solve(graph, 5).budget, 5)
            return str(caught.exception)
        finally:
            solver.close()
            graph.close()

    def test_closing_its_own_solver(self):
        message = self.solve_with(lambda solver, graph: solver.close())
        self.assertIn("solver", message)

    def test_closing_the_graph_being_solved(self):
        message = self.solve_with(lambda solver, graph: graph.close())
        self.assertIn("graph", message)

    def test_changing_the_graph_being_solved(self):
        self.solve_with(lambda solver, graph: graph.set_weight(0, 2, 1.0))

    def test_solving_again_on_the_same_solver(self):
        self.solve_with(lambda solver, graph: solver.solve(graph, 4))

    def test_reconfiguring_the_solver(self):
        self.solve_with(lambda solver, graph: solver.set_user_comparator(lexmax_compare))

    def test_reading_the_graph_is_allowed(self):
        with random_graph(10, 4, seed=5) as graph, lemica.Solver() as solver:
            seen = []

            def compare(a, b):
                seen.append(graph.num_steps)
                return lexmax_compare(a, b)

            solver.set_user_comparator(compare)
            self.assertEqual(solver.solve(graph, 5).budget, 5)
            self.assertTrue(seen)
            self.assertEqual(set(seen), {10})

    def test_another_solver_on_the_same_graph_is_allowed(self):
        with random_graph(10, 4, seed=5) as graph, lemica.Solver() as solver, \
                lemica.Solver() as inner:
            expected = inner.solve(graph, 4).steps
            inner_results = []

            def compare(a, b):
                if not inner_results:
                    inner_results.append(inner.solve(graph, 4).steps)
                return lexmax_compare(a, b)

            solver.set_user_comparator(compare)
            self.assertEqual(solver.solve(graph, 5).budget, 5)
            self.assertEqual(inner_results, [expected])


if __name__ == "__main__":
    unittest.main()
