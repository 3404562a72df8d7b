# SPDX-License-Identifier: MIT
"""Solver: comparators (built-in and Python callbacks), constraints,
frontier; checked against brute force over every path."""

import itertools
import random
import unittest

import support  # noqa: F401
import lemica


def random_graph(num_steps, max_skip, seed, integer=False):
    rng = random.Random(seed)
    graph = lemica.Graph(num_steps, max_skip)
    for i in range(num_steps):
        for j in range(i + 2, min(i + max_skip, num_steps - 1) + 1):
            if rng.random() < 0.85:
                graph[i, j] = float(rng.randint(0, 9)) if integer else rng.random()
    return graph


def all_paths(graph, budget):
    """Every step list with `budget` steps that is a path of the graph."""
    last = graph.num_steps - 1
    for inner in itertools.combinations(range(1, last), budget - 2):
        steps = (0,) + inner + (last,)
        if all((a, b) in graph for a, b in zip(steps, steps[1:])):
            yield steps


def cost_vector(graph, steps):
    return sorted((graph[a, b] for a, b in zip(steps, steps[1:])), reverse=True)


class SolverTest(unittest.TestCase):
    def check_against_brute_force(self, comparator, key):
        for seed in range(6):
            with random_graph(9, 4, seed, integer=True) as graph, \
                    lemica.Solver(comparator) as solver:
                for budget in range(2, 10):
                    paths = list(all_paths(graph, budget))
                    if not paths:
                        with self.assertRaises(lemica.InfeasibleError):
                            solver.solve(graph, budget)
                        continue
                    best = min(key(cost_vector(graph, p)) for p in paths)
                    with solver.solve(graph, budget) as schedule:
                        self.assertEqual(schedule.budget, budget)
                        self.assertEqual(key(list(schedule.costs)), best)
                        self.assertEqual(list(schedule.costs),
                                         cost_vector(graph, schedule.steps))

    def test_lexmax_is_optimal(self):
        self.check_against_brute_force(lemica.Comparator.LEXMAX, lambda v: v)

    def test_sum_is_optimal(self):
        self.check_against_brute_force(lemica.Comparator.SUM, sum)

    def test_max_is_optimal(self):
        self.check_against_brute_force(lemica.Comparator.MAX, max)

    def test_python_comparator_matches_builtin(self):
        calls = []

        def by_sum(a, b):
            calls.append(1)
            return (sum(a) > sum(b)) - (sum(a) < sum(b))

        with random_graph(12, 5, 3, integer=True) as graph, \
                lemica.Solver(lemica.Comparator.SUM) as builtin, lemica.Solver() as user:
            user.set_user_comparator(by_sum)
            self.assertEqual(user.comparator, lemica.Comparator.USER)
            for budget in range(4, 12):
                with builtin.solve(graph, budget) as a, user.solve(graph, budget) as b:
                    self.assertEqual(a.steps, b.steps)
            self.assertTrue(calls)
            user.comparator = lemica.Comparator.LEXMAX
            self.assertEqual(user.comparator, lemica.Comparator.LEXMAX)

    def test_comparator_exception_propagates(self):
        def broken(a, b):
            raise ZeroDivisionError("from the comparator")

        with random_graph(10, 4, 1) as graph, lemica.Solver() as solver:
            solver.set_user_comparator(broken)
            with self.assertRaises(ZeroDivisionError):
                solver.solve(graph, 6)
            solver.set_user_comparator(lambda a, b: 0)
            solver.solve(graph, 6).close()  # the solver still works

    def test_comparator_nan_is_an_error(self):
        # Issue 16: NaN compares neither below nor above 0; it used to be
        # taken for "equal" and give a schedule silently.
        with random_graph(10, 4, 1) as graph, lemica.Solver() as solver:
            solver.set_user_comparator(lambda a, b: float("nan"))
            with self.assertRaisesRegex(ValueError, "nan"):
                solver.solve(graph, 6)
            with self.assertRaisesRegex(ValueError, "nan"):
                solver.frontier(graph)
            solver.set_user_comparator(lambda a, b: sum(a) - sum(b))
            solver.solve(graph, 6).close()  # floats that are numbers work

    def test_user_comparator_setter_refused(self):
        with lemica.Solver() as solver:
            with self.assertRaises(ValueError):
                solver.comparator = lemica.Comparator.USER

    def test_constraints(self):
        with random_graph(20, 6, 7) as graph, lemica.Solver(max_skip=3) as solver:
            self.assertEqual(solver.max_skip, 3)
            solver.require_first_steps(3)
            solver.require_step(10)
            self.assertTrue(solver.is_step_required(10))
            budget = solver.min_budget(graph)
            with solver.solve(graph, budget) as schedule:
                steps = schedule.steps
                self.assertTrue({0, 1, 2, 10} <= set(steps))
                self.assertLessEqual(max(b - a for a, b in zip(steps, steps[1:])), 3)
            solver.clear_required_steps()
            self.assertFalse(solver.is_step_required(10))
            solver.require_step(25)
            with self.assertRaises(lemica.OutOfRangeError):
                solver.solve(graph, 10)

    def test_solve_into_reuses_the_schedule(self):
        with random_graph(15, 5, 2) as graph, lemica.Solver() as solver, \
                lemica.Schedule(15, [0, 14]) as schedule:
            solver.solve_into(graph, 8, schedule)
            self.assertEqual(schedule.budget, 8)
            self.assertTrue(schedule.has_costs)

    def test_frontier_matches_single_solves(self):
        with random_graph(16, 5, 4) as graph, lemica.Solver() as solver:
            frontier = solver.frontier(graph)
            with frontier:
                budgets = frontier.budgets
                self.assertEqual(len(frontier), len(budgets))
                self.assertEqual(budgets[-1], 16)
                schedules = list(frontier)
                self.assertEqual(frontier[-1].budget, 16)
                with self.assertRaises(lemica.OutOfRangeError):
                    frontier[len(frontier)]
                with self.assertRaises(lemica.InfeasibleError):
                    frontier.find(1)
            # The schedules are copies: valid after the frontier is closed.
            for schedule in schedules:
                with solver.solve(graph, schedule.budget) as single:
                    self.assertEqual(single.steps, schedule.steps)
                    self.assertEqual(single.costs, schedule.costs)
                schedule.close()
        with self.assertRaises(TypeError):
            lemica.Frontier()


if __name__ == "__main__":
    unittest.main()
