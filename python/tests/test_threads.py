# SPDX-License-Identifier: MIT
"""Threads and re-entrancy (issue 16, point 3; AdaptivePlan and Verifier too).

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


@contextlib.contextmanager
def watched_rw(writers, readers):
    """Like watched(), over several functions of one kind of object: calls
    of `writers` must have the object to themselves, calls of `readers`
    may only share it with other readers. Yields a list of the overlaps
    seen (empty when the binding keeps the rule)."""
    cdll = _library.library()
    reals = {name: getattr(cdll, name) for name in writers + readers}
    guard = threading.Lock()
    inside = {}  # address -> [writers inside, readers inside]
    overlaps = []

    def wrap(name, writer):
        real = reals[name]

        def wrapper(address, *args):
            with guard:
                state = inside.setdefault(address, [0, 0])
                if state[0] or (writer and state[1]):
                    overlaps.append(name)
                state[0 if writer else 1] += 1
            try:
                time.sleep(0.0002)
                return real(address, *args)
            finally:
                with guard:
                    inside[address][0 if writer else 1] -= 1
        return wrapper

    for name in writers:
        setattr(cdll, name, wrap(name, True))
    for name in readers:
        setattr(cdll, name, wrap(name, False))
    try:
        yield overlaps
    finally:
        for name, real in reals.items():
            setattr(cdll, name, real)


def nested_errors(num_steps, seed):
    """Errors satisfying NESTED, so the loop's schedules are exact."""
    rng = random.Random(seed)
    w = {}
    for span in range(2, num_steps):
        for i in range(0, num_steps - span):
            j = i + span
            w[(i, j)] = max(w.get((i + 1, j), 0.0), w.get((i, j - 1), 0.0)) + rng.randrange(3)
    return w


class SharedAdaptivePlanTest(unittest.TestCase):
    """One AdaptivePlan and one Profiler: a driver thread runs the loop,
    worker threads replay each plan's segments into the profiler, and the
    rest query the loop all along."""

    N, BUDGETS = 14, (4, 7)

    def run_loop(self, adaptive, profiler, errors, workers):
        for plan in adaptive.rounds(profiler):
            replays = plan.replays()
            if workers == 1:
                for i, j in replays:
                    profiler.add_error(i, j, errors[(i, j)])
                continue
            run_threads(lambda index: [profiler.add_error(i, j, errors[(i, j)])
                                       for i, j in replays[index::workers]], workers)

    def test_shared_loop(self):
        errors = nested_errors(self.N, seed=7)
        with lemica.AdaptivePlan(self.N, self.N - 1, budgets=self.BUDGETS) as alone, \
                lemica.Profiler(self.N, self.N - 1) as profiler:
            self.run_loop(alone, profiler, errors, 1)
            expected = [alone.schedule(b).steps for b in self.BUDGETS]
            expected_calls = alone.model_calls

        with lemica.AdaptivePlan(self.N, self.N - 1, budgets=self.BUDGETS) as adaptive, \
                lemica.Profiler(self.N, self.N - 1) as profiler, \
                watched_rw(["lemica_adaptive_next", "lemica_adaptive_schedule"],
                           ["lemica_adaptive_num_rounds", "lemica_adaptive_is_done",
                            "lemica_adaptive_model_calls"]) as overlaps:
            finished = threading.Event()
            seen = []

            def work(index):
                if index == 0:
                    try:
                        self.run_loop(adaptive, profiler, errors, 3)
                    finally:
                        finished.set()
                    return
                while not finished.is_set():
                    rounds, done = adaptive.num_rounds, adaptive.done
                    seen.append((rounds, adaptive.model_calls))
                    self.assertTrue(repr(adaptive).startswith("<lemica.AdaptivePlan"))
                    if done:
                        adaptive.schedule(self.BUDGETS[0]).close()
                    # Readers never wait for a waiting writer (HandleLock):
                    # pause so the driver's next() gets its turn.
                    time.sleep(0.002)

            run_threads(work, 4)
            self.assertTrue(adaptive.done)
            # No replay lost: the same schedules and cost as one thread.
            self.assertEqual([adaptive.schedule(b).steps for b in self.BUDGETS], expected)
            self.assertEqual(adaptive.model_calls, expected_calls)
            self.assertTrue(seen)
        self.assertEqual(overlaps, [])

    def test_borrowed_solver_is_locked_and_checked(self):
        errors = nested_errors(10, seed=3)
        adaptive = lemica.AdaptivePlan(10, 9, budgets=[4])
        solver = lemica.Solver()
        profiler = lemica.Profiler(10, 9)
        adaptive.use_solver(solver)

        # A comparator running inside next() may not touch the loop that
        # is calling it: ReentrantUseError, re-raised by next().
        solver.set_user_comparator(lambda a, b: (adaptive.num_rounds, lexmax_compare(a, b))[1])
        with self.assertRaises(lemica.ReentrantUseError):
            adaptive.next(profiler)
        # (The C round may have run on the comparator's forced answers; its
        # plan was freed, and the next round asks for those segments again.)
        # Nor close the solver being used.
        solver.set_user_comparator(lambda a, b: (solver.close(), 0)[1])
        with self.assertRaises(lemica.ReentrantUseError):
            adaptive.next(profiler)
        self.assertFalse(solver.closed)

        # A closed borrowed solver: ClosedHandleError, never a freed pointer.
        solver.close()
        with self.assertRaises(lemica.ClosedHandleError):
            adaptive.next(profiler)
        self.assertFalse(adaptive.closed)
        adaptive.use_solver(None)
        while True:
            plan = adaptive.next(profiler)
            if plan is None:
                break
            with plan:
                for i, j in plan.replays():
                    profiler.add_error(i, j, errors[(i, j)])
        self.assertEqual(adaptive.schedule(4).budget, 4)
        with self.assertRaises(lemica.ClosedHandleError):
            adaptive.use_solver(solver)

        adaptive.close()
        self.assertEqual(repr(adaptive), "<lemica.AdaptivePlan closed>")
        for call in (lambda: adaptive.next(profiler), lambda: adaptive.num_rounds,
                     lambda: adaptive.schedule(4), lambda: adaptive.worst_violation,
                     lambda: adaptive.request_budget(5)):
            with self.assertRaises(lemica.ClosedHandleError):
                call()
        profiler.close()
        with self.assertRaises(lemica.ClosedHandleError):
            lemica.check_assumption(profiler)


class SharedVerifierTest(unittest.TestCase):
    """One Verifier, one thread per profiling sample reporting its runs."""

    def test_no_report_is_lost(self):
        with random_graph(16, 4, seed=4) as graph:
            candidates = lemica.candidate_schedules(graph, 7, count=3)
        with lemica.Verifier(THREADS) as verifier, \
                watched_rw(["lemica_verifier_report_error"],
                           ["lemica_verifier_num_missing",
                            "lemica_verifier_num_candidates"]) as overlaps:
            for schedule in candidates:
                verifier.add(schedule)
            runs = list(verifier.runs())
            rng = random.Random(1)
            expected = {run: rng.random() for run in runs}

            def work(index):
                for candidate, sample in runs:
                    if sample == index:
                        verifier.report_error(candidate, sample, expected[candidate, sample])
                        self.assertGreaterEqual(verifier.missing, 0)
                        self.assertEqual(len(verifier), len(candidates))

            run_threads(work)
            self.assertEqual(verifier.missing, 0)
            for (candidate, sample), error in expected.items():
                self.assertEqual(verifier.error(candidate, sample), error)
            means = [sum(expected[c, s] for s in range(THREADS)) / THREADS
                     for c in range(len(candidates))]
            self.assertEqual(verifier.best(), means.index(min(means)))
        self.assertEqual(overlaps, [])
        for schedule in candidates:
            schedule.close()

    def test_closed_and_changed_during_iteration(self):
        with random_graph(12, 4, seed=6) as graph:
            candidates = lemica.candidate_schedules(graph, 5, count=2)
        verifier = lemica.Verifier(2)
        verifier.add(candidates[0])
        runs = verifier.runs()
        next(runs)
        verifier.add(candidates[1])
        with self.assertRaises(RuntimeError):
            next(runs)
        closed = candidates[1]
        closed.close()
        with self.assertRaises(lemica.ClosedHandleError):
            verifier.add(closed)
        self.assertEqual(len(verifier), 2)
        verifier.close()
        for call in (lambda: len(verifier), lambda: verifier.add(candidates[0]),
                     lambda: verifier.report_error(0, 0, 1.0), lambda: verifier.best(),
                     lambda: verifier.candidate(0), lambda: list(verifier.runs())):
            with self.assertRaises(lemica.ClosedHandleError):
                call()
        for schedule in candidates:
            schedule.close()


if __name__ == "__main__":
    unittest.main()
