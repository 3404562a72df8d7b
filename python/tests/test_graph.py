# SPDX-License-Identifier: MIT
"""Graph and CSV import."""

import os
import tempfile
import unittest

import support
import lemica


class GraphTest(unittest.TestCase):
    def test_new_graph_has_span_one_edges(self):
        with lemica.Graph(10, 4) as graph:
            self.assertEqual((graph.num_steps, graph.max_skip, graph.num_edges), (10, 4, 9))
            self.assertEqual(graph[3, 4], 0.0)
            self.assertNotIn((3, 5), graph)
            self.assertNotIn((0, 9), graph)  # out of range is simply absent
            self.assertNotIn("x", graph)

    def test_max_skip_is_clamped(self):
        with lemica.Graph(5, 100) as graph:
            self.assertEqual(graph.max_skip, 4)

    def test_set_get_remove(self):
        with lemica.Graph(10, 4) as graph:
            graph[2, 6] = 0.25
            graph.set_weight(0, 3, 1e-300)
            self.assertEqual(graph.get_weight(2, 6), 0.25)
            self.assertEqual(graph[0, 3], 1e-300)
            self.assertIn((2, 6), graph)
            del graph[2, 6]
            self.assertFalse(graph.has_edge(2, 6))
            self.assertEqual(list(graph.edges())[:3], [(0, 1, 0.0), (0, 3, 1e-300), (1, 2, 0.0)])

    def test_failed_set_leaves_graph_unchanged(self):
        with lemica.Graph(10, 4) as graph:
            graph[2, 5] = 0.5
            with self.assertRaises(lemica.InvalidValueError):
                graph[2, 5] = float("inf")
            self.assertEqual(graph[2, 5], 0.5)

    def test_copy_is_independent(self):
        with lemica.Graph(6, 3) as graph:
            graph[0, 3] = 0.1
            with graph.copy() as copy:
                copy[0, 3] = 0.2
                self.assertEqual(graph[0, 3], 0.1)
                self.assertEqual(copy[0, 3], 0.2)

    def test_csv_from_memory_and_file(self):
        text = "i,j,weight\n0,2,0.5\n# comment\n1,3,1e-3\n"
        with lemica.Graph.parse_csv(text) as graph:
            self.assertEqual((graph.num_steps, graph.max_skip), (4, 2))
            self.assertEqual(graph[1, 3], 1e-3)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "edges.csv")
            with open(path, "w") as stream:
                stream.write(text)
            with lemica.Graph.load_csv(path, num_steps=10, max_skip=5) as graph:
                self.assertEqual((graph.num_steps, graph.max_skip), (10, 5))
                self.assertEqual(graph[0, 2], 0.5)

    def test_csv_errors_name_the_line(self):
        with self.assertRaises(lemica.ParseError) as caught:
            lemica.Graph.parse_csv("i,j,weight\n0,2,0.5\n1,x,2\n")
        self.assertIn("line 3", caught.exception.message)

    def test_repository_example_graph(self):
        path = os.path.join(support.SOURCE_ROOT, "examples", "graph-50.csv")
        if not os.path.exists(path):
            self.skipTest("examples/graph-50.csv not in this tree")
        with lemica.Graph.load_csv(path) as graph:
            self.assertEqual(graph.num_steps, 50)
            self.assertGreater(graph.num_edges, 49)


if __name__ == "__main__":
    unittest.main()
