# SPDX-License-Identifier: MIT
"""Status codes become exceptions carrying the status name and message."""

import pickle
import unittest

import support  # noqa: F401
import lemica
from lemica import errors


class ErrorTest(unittest.TestCase):
    def test_every_status_has_a_class_named_by_the_library(self):
        for status, cls in errors.STATUS_EXCEPTIONS.items():
            name = lemica.status_name(status)
            self.assertTrue(name.startswith("LEMICA_ERR_"), name)
            self.assertNotEqual(name, "LEMICA_ERR_UNKNOWN")
            self.assertTrue(issubclass(cls, lemica.LemicaError))
        self.assertEqual(lemica.status_name(0), "LEMICA_OK")
        self.assertEqual(lemica.status_name(-14), "LEMICA_ERR_UNKNOWN")

    def test_exception_carries_status_name_and_detailed_message(self):
        with self.assertRaises(lemica.ParseError) as caught:
            lemica.Schedule.parse_steps(10, "0,3,03,9")
        error = caught.exception
        self.assertEqual(error.status, -7)
        self.assertEqual(error.name, "LEMICA_ERR_PARSE")
        self.assertIn("entry 2", error.message)
        self.assertTrue(str(error).startswith("LEMICA_ERR_PARSE: "))
        self.assertIsInstance(error, ValueError)

    def test_builtin_bases(self):
        with lemica.Graph(10, 3) as graph:
            with self.assertRaises(IndexError):
                graph.set_weight(0, 9, 1.0)
            with self.assertRaises(ValueError):
                graph.set_weight(0, 2, float("nan"))
            with self.assertRaises(LookupError):
                graph.get_weight(0, 2)
        with self.assertRaises(OSError):
            lemica.Graph.load_csv("/nonexistent/dir/edges.csv")

    def test_each_status_reached_through_the_api(self):
        cases = {
            lemica.InvalidArgumentError: lambda: lemica.Graph(1, 1),
            lemica.OutOfRangeError: lambda: lemica.Schedule(5, [0, 7]),
            lemica.InvalidValueError: lambda: lemica.Graph(5, 2).set_weight(0, 2, -1.0),
            lemica.InfeasibleError: lambda: lemica.Solver().solve(lemica.Graph(10, 2), 3),
            lemica.NotFoundError: lambda: lemica.Graph(5, 2).get_weight(0, 2),
            lemica.ParseError: lambda: lemica.Schedule.parse_mask("1,2,1"),
            lemica.StateError: lambda: lemica.Schedule(5, [0, 4]).costs,
            lemica.MismatchError: lambda: lemica.Profiler(5, 2).merge(lemica.Profiler(6, 2)),
            lemica.IOFailureError: lambda: lemica.Graph.load_csv("/nonexistent"),
            lemica.TooLargeError: lambda: lemica.Graph(lemica.MAX_STEPS + 1, 1),
        }
        for cls, call in cases.items():
            with self.subTest(cls=cls.__name__):
                with self.assertRaises(cls) as caught:
                    call()
                self.assertTrue(caught.exception.message)
                self.assertEqual(caught.exception.name, lemica.status_name(
                    caught.exception.status))

    def test_pickles_with_its_fields(self):
        with self.assertRaises(lemica.LemicaError) as caught:
            lemica.Graph(0, 0)
        error = caught.exception
        copy = pickle.loads(pickle.dumps(error))
        self.assertIs(type(copy), lemica.InvalidArgumentError)
        self.assertEqual((copy.status, copy.name, copy.message),
                         (error.status, error.name, error.message))

    def test_closed_handle(self):
        graph = lemica.Graph(5, 2)
        graph.close()
        graph.close()  # twice is harmless
        self.assertTrue(graph.closed)
        with self.assertRaises(lemica.ClosedHandleError):
            graph.num_steps
        self.assertIn("closed", repr(graph))


if __name__ == "__main__":
    unittest.main()
