# SPDX-License-Identifier: MIT
"""Metrics, the profiler-accumulator, merging and plain-data transport."""

import json
import math
import pickle
import random
import statistics
import unittest

import numpy as np

import support  # noqa: F401
import lemica


class MetricTest(unittest.TestCase):
    def test_metrics_against_numpy(self):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((3, 64, 65))
        b = rng.standard_normal((3, 64, 65))
        for dtype in (np.float64, np.float32, np.float16):
            x, y = a.astype(dtype), b.astype(dtype)
            xd, yd = x.astype(np.float64), y.astype(np.float64)
            with self.subTest(dtype=dtype):
                self.assertAlmostEqual(lemica.metric_compute(x, y),
                                       np.mean(np.abs(xd - yd)), delta=1e-12)
                self.assertAlmostEqual(lemica.metric_compute(x, y, lemica.Metric.MSE),
                                       np.mean((xd - yd) ** 2), delta=1e-12)
                self.assertAlmostEqual(
                    lemica.metric_compute(x, y, lemica.Metric.RELATIVE_L1),
                    np.sum(np.abs(xd - yd)) / np.sum(np.abs(yd)), delta=1e-12)

    def test_invalid_values(self):
        a = np.ones(10, np.float32)
        b = np.ones(10, np.float32)
        b[7] = np.nan
        with self.assertRaises(lemica.InvalidValueError) as caught:
            lemica.metric_compute(a, b)
        self.assertIn("7", caught.exception.message)
        with self.assertRaises(lemica.InvalidValueError):
            lemica.metric_compute(a, np.zeros(10, np.float32), lemica.Metric.RELATIVE_L1)


class ProfilerTest(unittest.TestCase):
    def test_shape_and_segments(self):
        with lemica.Profiler(10, 3, lemica.Metric.MSE) as profiler:
            self.assertEqual((profiler.num_steps, profiler.max_skip), (10, 3))
            self.assertEqual(profiler.metric, lemica.Metric.MSE)
            self.assertEqual(len(profiler.segments()), 8 + 7)
            self.assertEqual(profiler.num_measured, 0)
            empty = profiler.edge_stats(0, 2)
            self.assertEqual(empty.count, 0)
            self.assertTrue(math.isnan(empty.min))
            with self.assertRaises(lemica.OutOfRangeError):
                profiler.add_error(0, 1, 0.5)  # span 1 takes no samples

    def test_statistics(self):
        samples = [0.5, 0.25, 1.0, 0.125]
        with lemica.Profiler(10, 4) as profiler:
            for value in samples:
                profiler.add_error(2, 5, value)
            stats = profiler.edge_stats(2, 5)
            self.assertEqual(stats.count, 4)
            self.assertAlmostEqual(stats.mean, statistics.mean(samples), delta=1e-15)
            self.assertAlmostEqual(stats.variance, statistics.variance(samples), delta=1e-15)
            self.assertEqual((stats.min, stats.max), (0.125, 1.0))

    def test_add_buffers_matches_metric(self):
        rng = np.random.default_rng(1)
        cached = rng.standard_normal(1000).astype(np.float32)
        reference = rng.standard_normal(1000).astype(np.float32)
        with lemica.Profiler(8, 4) as profiler:
            profiler.add_buffers(1, 4, cached, reference)
            self.assertEqual(profiler.edge_stats(1, 4).mean,
                             lemica.metric_compute(cached, reference))
            bad = reference.copy()
            bad[3] = np.inf
            with self.assertRaises(lemica.InvalidValueError):
                profiler.add_buffers(1, 4, cached, bad)
            self.assertEqual(profiler.edge_stats(1, 4).count, 1)  # unchanged

    def test_to_graph(self):
        with lemica.Profiler(6, 3) as profiler:
            profiler.add_error(0, 2, 1.0)
            profiler.add_error(0, 2, 3.0)
            with profiler.to_graph() as graph:
                self.assertEqual(graph[0, 2], 2.0)
                self.assertNotIn((1, 3), graph)
                self.assertEqual(graph[1, 2], 0.0)
            with profiler.to_graph(lemica.Aggregate.MAX) as graph:
                self.assertEqual(graph[0, 2], 3.0)
            with profiler.to_graph(lemica.Aggregate.MEAN_PLUS_Z_STD, z=1.0) as graph:
                self.assertAlmostEqual(graph[0, 2], 2.0 + math.sqrt(2.0))
            with self.assertRaises(lemica.StateError):
                profiler.to_graph(require_all=True)

    def test_merge_equals_single_pass(self):
        rng = random.Random(5)
        values = [(i, j, rng.random()) for _ in range(40) for i in range(10)
                  for j in range(i + 2, min(i + 4, 9) + 1)]
        with lemica.Profiler(10, 4) as single, lemica.Profiler(10, 4) as left, \
                lemica.Profiler(10, 4) as right:
            for index, (i, j, value) in enumerate(values):
                single.add_error(i, j, value)
                (left if index % 3 else right).add_error(i, j, value)
            left.merge(right)
            self.assert_same_profile(single, left)

    def assert_same_profile(self, expected, actual):
        self.assertEqual(expected.num_measured, actual.num_measured)
        for segment in expected.segments():
            a, b = expected.edge_stats(*segment), actual.edge_stats(*segment)
            self.assertEqual(a.count, b.count)
            if not a.count:
                continue
            self.assertEqual((a.min, a.max), (b.min, b.max))
            self.assertLessEqual(abs(a.mean - b.mean), 1e-12 * abs(a.mean))
            self.assertLessEqual(abs(a.variance - b.variance), 1e-12 * abs(a.variance) + 1e-300)

    def test_plain_data_round_trip(self):
        with lemica.Profiler(12, 5, lemica.Metric.RELATIVE_L1) as profiler:
            rng = random.Random(9)
            for _ in range(200):
                i = rng.randrange(0, 9)
                j = rng.randrange(i + 2, min(i + 5, 11) + 1)
                profiler.add_error(i, j, rng.random())
            stats = profiler.to_stats()
            self.assertEqual(len(stats.segments), profiler.num_measured)
            # Through JSON (exact for doubles) and through pickle.
            decoded = lemica.ProfileStats.from_dict(json.loads(json.dumps(stats.to_dict())))
            with lemica.Profiler.from_stats(decoded) as copy:
                self.assertEqual(copy.metric, lemica.Metric.RELATIVE_L1)
                self.assert_same_profile(profiler, copy)
            with pickle.loads(pickle.dumps(profiler)) as copy:
                self.assert_same_profile(profiler, copy)

    def test_add_profile_stats_checks_shape(self):
        with lemica.Profiler(12, 5) as a, lemica.Profiler(12, 4) as b:
            with self.assertRaises(ValueError):
                a.add_profile_stats(b.to_stats())

    def test_add_profile_stats_is_all_or_nothing(self):
        with lemica.Profiler(8, 3) as profiler:
            profiler.add_error(0, 2, 0.5)
            stats = profiler.to_stats()
            stats.segments.append((1, 3, 1, float("nan"), 0.0, 0.1, 0.1))
            with self.assertRaises(lemica.InvalidValueError):
                profiler.add_profile_stats(stats)
            self.assertEqual(profiler.num_measured, 1)
            self.assertEqual(profiler.edge_stats(0, 2).count, 1)

    def test_copy_and_stats_transfer(self):
        with lemica.Profiler(8, 3) as profiler:
            profiler.add_error(0, 2, 0.5)
            with profiler.copy() as copy:
                copy.add_stats(0, 2, lemica.EdgeStats(2, 1.0, 0.5, 0.5, 1.5))
                self.assertEqual(copy.edge_stats(0, 2).count, 3)
            self.assertEqual(profiler.edge_stats(0, 2).count, 1)



class OneSampleTest(unittest.TestCase):
    def test_mean_plus_z_std_of_one_sample_is_the_sample(self):
        # What docs/python.md says: the library takes the variance of a
        # one-sample segment as 0, so mean + z * std is the sample itself.
        with lemica.Profiler(6, 3) as profiler:
            profiler.add_error(0, 2, 0.3)
            profiler.add_error(1, 3, 0.2)
            profiler.add_error(1, 3, 0.4)
            self.assertEqual(profiler.edge_stats(0, 2).variance, 0.0)
            with profiler.to_graph(lemica.Aggregate.MEAN_PLUS_Z_STD, z=3.0) as graph:
                self.assertEqual(graph[0, 2], 0.3)
                self.assertGreater(graph[1, 3], 0.4)


if __name__ == "__main__":
    unittest.main()
