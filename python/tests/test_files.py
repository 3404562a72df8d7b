# SPDX-License-Identifier: MIT
"""Graph, schedule and profile files, in memory and on disk, with metadata."""

import os
import pickle
import tempfile
import unittest

import support  # noqa: F401
import lemica


def sample_graph():
    graph = lemica.Graph(10, 4)
    for i in range(10):
        for j in range(i + 2, min(i + 4, 9) + 1):
            graph[i, j] = (i + 1) * 0.1 / j  # values with long decimal forms
    return graph


class FileTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)

    def path(self, name):
        return os.path.join(self.directory.name, name)

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as stream:
            return stream.read()

    def test_graph_round_trip_is_exact(self):
        metadata = {"model": "toy dit", "sampler": "euler", "x.y-z": "é"}
        with sample_graph() as graph:
            text = graph.dumps(metadata)
            self.assertTrue(text.startswith("lemica-graph 1.0\n"))
            with lemica.Graph.loads(text) as again:
                self.assertEqual(list(again.edges()), list(graph.edges()))
                self.assertEqual(again.dumps(metadata), text)
            graph.save(self.path("g.lemica-graph"), metadata)
            loaded, read_back = lemica.Graph.load_with_metadata(self.path("g.lemica-graph"))
            with loaded:
                self.assertEqual(read_back, metadata)
                self.assertEqual(list(read_back), list(metadata))  # order kept
                self.assertEqual(list(loaded.edges()), list(graph.edges()))

    def test_schedule_round_trip_and_step_count_check(self):
        with sample_graph() as graph, lemica.Solver() as solver, \
                solver.solve(graph, 5) as schedule:
            schedule.save(self.path("s"), {"model": "toy"})
            with lemica.Schedule.load(self.path("s"), expected_num_steps=10) as loaded:
                self.assertEqual(loaded.steps, schedule.steps)
                self.assertEqual(loaded.costs, schedule.costs)
            with self.assertRaises(lemica.MismatchError) as caught:
                lemica.Schedule.load(self.path("s"), expected_num_steps=28)
            self.assertIn("28", caught.exception.message)
            with lemica.Schedule.loads(schedule.dumps()) as again:
                self.assertEqual(again, schedule)

    def test_profile_round_trip_and_pickle_are_exact(self):
        with lemica.Profiler(10, 4, lemica.Metric.MSE) as profiler:
            for k in range(50):
                profiler.add_error(k % 6, k % 6 + 2 + k % 3, 1.0 / (k + 3))
            text = profiler.dumps({"model": "toy"})
            with lemica.Profiler.loads(text) as again:
                self.assertEqual(again.dumps({"model": "toy"}), text)
                self.assertEqual(again.metric, lemica.Metric.MSE)
            with pickle.loads(pickle.dumps(profiler)) as copy:
                for segment in profiler.segments():
                    a, b = profiler.edge_stats(*segment), copy.edge_stats(*segment)
                    self.assertEqual(repr(a), repr(b))
            profiler.save(self.path("p"))
            with lemica.Profiler.load(self.path("p")) as loaded:
                self.assertEqual(loaded.dumps(), profiler.dumps())

    def test_loaded_shards_merge_exactly_as_the_profilers(self):
        shards = [lemica.Profiler(12, 5) for _ in range(3)]
        for k in range(300):
            shards[k % 3].add_error(k % 7, k % 7 + 2 + k % 4, (k * 0.37) % 1.3)
        with lemica.Profiler(12, 5) as direct, lemica.Profiler(12, 5) as through_text:
            for shard in shards:
                direct.merge(shard)
                with lemica.Profiler.loads(shard.dumps()) as loaded:
                    through_text.merge(loaded)
                shard.close()
            self.assertEqual(through_text.dumps(), direct.dumps())  # bit for bit

    def test_errors_name_the_line_and_the_path(self):
        with self.assertRaises(lemica.ParseError) as caught:
            lemica.Graph.loads("lemica-graph 1.0\nnum_steps 4\nmax_skip 2\nedges 1\n0 1\nend\n")
        self.assertIn("line 5", caught.exception.message)
        with sample_graph() as graph:
            with self.assertRaises(lemica.MismatchError):
                lemica.Schedule.loads(graph.dumps())
            with self.assertRaises(lemica.InvalidArgumentError):
                graph.dumps({"edges": "3"})  # reserved key
        with self.assertRaises(lemica.IOFailureError) as caught:
            lemica.Graph.load(self.path("missing"))
        self.assertIn("missing", caught.exception.message)

    def test_failed_save_leaves_the_old_file(self):
        with sample_graph() as graph:
            graph.save(self.path("keep"))
            before = self.read("keep")
            with self.assertRaises(lemica.LemicaError):
                graph.save(self.path("keep"), {"bad key": "x"})
            self.assertEqual(self.read("keep"), before)

    def test_no_handles_left(self):
        before = lemica.live_handles()
        with sample_graph() as graph:
            for _ in range(200):
                lemica.Graph.loads_with_metadata(graph.dumps({"a": "b"}))[0].close()
        self.assertEqual(lemica.live_handles(), before)


if __name__ == "__main__":
    unittest.main()
