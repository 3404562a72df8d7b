# SPDX-License-Identifier: MIT
"""Time grids and transfer to another step grid (lemica.transfer)."""

import math
import os
import tempfile
import unittest

import support  # noqa: F401  (sets up the import path and the library)
import lemica


def full_graph(num_steps, max_skip):
    graph = lemica.Graph(num_steps, max_skip)
    for start in range(num_steps):
        for end in range(start + 2, min(num_steps, start + max_skip + 1)):
            graph[start, end] = 0.01 * (end - start) + 0.001 * start
    return graph


class TimeGridTest(unittest.TestCase):
    def test_shifted_grid(self):
        self.assertEqual(lemica.time_grid_shifted(4, 1.0), [1.0, 0.75, 0.5, 0.25, 0.0])
        grid = lemica.time_grid_shifted(4, 3.0)
        self.assertAlmostEqual(grid[2], 0.75, places=15)
        with self.assertRaises(lemica.InvalidArgumentError):
            lemica.time_grid_shifted(4, 0.0)
        with self.assertRaises(ValueError):
            lemica.time_grid_shifted(0, 3.0)
        with self.assertRaises(TypeError):
            lemica.time_grid_shifted(4.0, 3.0)

    def test_metadata_round_trip_is_exact(self):
        grid = lemica.time_grid_shifted(50, 3.0)
        value = lemica.time_grid_value(grid)
        metadata = {"model": "x", lemica.TIME_GRID_KEY: value}
        self.assertEqual(lemica.time_grid_from_metadata(metadata), grid)
        lemica.check_time_grid(metadata, grid)
        with self.assertRaises(lemica.MismatchError):
            lemica.check_time_grid(metadata, lemica.time_grid_shifted(50, 6.0))
        with self.assertRaises(lemica.MismatchError):
            lemica.check_time_grid(metadata, lemica.time_grid_shifted(30, 3.0))
        with self.assertRaises(lemica.NotFoundError):
            lemica.time_grid_from_metadata({"model": "x"})
        with self.assertRaises(lemica.ParseError):
            lemica.time_grid_from_metadata({lemica.TIME_GRID_KEY: "1,0.5,0.7,0"})
        with self.assertRaises(lemica.InvalidValueError):
            lemica.time_grid_value([1.0, math.nan, 0.0])
        with self.assertRaises(TypeError):
            lemica.time_grid_value(["a", "b", "c"])

    def test_schedule_file_records_the_grid(self):
        grid = lemica.time_grid_shifted(12, 3.0)
        with full_graph(12, 11) as graph, lemica.Solver() as solver:
            schedule = solver.solve(graph, budget=5)
            with tempfile.TemporaryDirectory() as directory:
                path = os.path.join(directory, "s.lemica-schedule")
                schedule.save(path, metadata={lemica.TIME_GRID_KEY: lemica.time_grid_value(grid)})
                _, metadata = lemica.Schedule.load_with_metadata(path, 12)
            lemica.check_time_grid(metadata, grid)
            schedule.close()

    def test_distance(self):
        source = lemica.time_grid_shifted(50, 3.0)
        self.assertEqual(lemica.time_grid_distance(source, source), 0.0)
        self.assertLess(lemica.time_grid_distance(source, lemica.time_grid_shifted(30, 3.0)), 0.01)
        self.assertGreater(lemica.time_grid_distance(source, lemica.time_grid_shifted(50, 1.5)), 0.1)


class TransferTest(unittest.TestCase):
    def test_same_grid_is_the_same_graph(self):
        grid = lemica.time_grid_shifted(20, 3.0)
        with full_graph(20, 7) as graph:
            with lemica.transfer_graph(graph, grid, grid) as same:
                self.assertEqual((same.num_steps, same.max_skip), (20, 7))
                self.assertEqual(list(same.edges()), list(graph.edges()))

    def test_fewer_steps(self):
        source = lemica.time_grid_shifted(50, 3.0)
        target = lemica.time_grid_shifted(30, 3.0)
        with full_graph(50, 49) as graph:
            with lemica.transfer_graph(graph, source, target) as coarse, \
                    lemica.Solver() as solver:
                self.assertEqual(coarse.num_steps, 30)
                schedule = solver.solve(coarse, budget=10)
                self.assertEqual(schedule.budget, 10)
                schedule.close()

    def test_bad_grids(self):
        grid = lemica.time_grid_shifted(10, 3.0)
        with full_graph(10, 9) as graph:
            with self.assertRaises(lemica.InvalidArgumentError):
                lemica.transfer_graph(graph, grid[:-1], grid)
            with self.assertRaises(lemica.InvalidValueError):
                lemica.transfer_graph(graph, grid, list(reversed(grid)))
            with self.assertRaises(TypeError):
                lemica.transfer_graph("graph", grid, grid)


if __name__ == "__main__":
    unittest.main()
