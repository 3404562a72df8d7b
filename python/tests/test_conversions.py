# SPDX-License-Identifier: MIT
"""What crosses into C arrives as the caller wrote it, or is refused
(issue 16, point 6): a string holding NUL would be cut there by C, an
integer past the C type would keep only its low bits. Both must raise,
never silently become another path, key, value or step."""

import ctypes
import os
import tempfile
import unittest

import numpy

import support  # noqa: F401
import lemica
from lemica import _library

NUL_PATHS = ("x.graph\x00.bak", b"x.graph\x00.bak", "\x00")


class NulStringTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)
        self.objects = []
        graph = lemica.Graph(6, 3)
        graph[0, 2] = 0.5
        profiler = lemica.Profiler(6, 3)
        profiler.add_error(0, 2, 0.5)
        schedule = lemica.Schedule(6, [0, 2, 5])
        self.objects = [graph, profiler, schedule]
        for handle in self.objects:
            self.addCleanup(handle.close)

    def in_dir(self, name):
        return os.path.join(self.directory.name, name) if isinstance(name, str) \
            else os.path.join(self.directory.name.encode(), name)

    def assert_nothing_written(self):
        self.assertEqual(os.listdir(self.directory.name), [])

    def test_save_refuses_a_path_with_nul(self):
        for handle in self.objects:
            for name in NUL_PATHS:
                with self.subTest(kind=type(handle).__name__, path=name):
                    with self.assertRaisesRegex(ValueError, "NUL"):
                        handle.save(self.in_dir(name))
                    self.assert_nothing_written()

    def test_load_refuses_a_path_with_nul(self):
        # A file at the truncated name must not be read instead.
        truncated = self.in_dir("x.graph")
        self.objects[0].save(truncated)
        loaders = (lemica.Graph.load, lemica.Graph.load_with_metadata,
                   lemica.Graph.load_csv, lemica.Profiler.load,
                   lemica.Profiler.load_with_metadata, lemica.Schedule.load,
                   lemica.Schedule.load_with_metadata)
        for loader in loaders:
            for name in NUL_PATHS[:2]:
                with self.subTest(loader=loader.__qualname__, path=name):
                    with self.assertRaisesRegex(ValueError, "NUL"):
                        loader(self.in_dir(name))

    def test_metadata_refuses_nul_in_keys_and_values(self):
        for metadata in ({"model\x00x": "flux"}, {"model": "flux\x00dev"},
                         {"model": b"flux\x00dev"}):
            for handle in self.objects:
                with self.subTest(kind=type(handle).__name__, metadata=metadata):
                    with self.assertRaisesRegex(ValueError, "NUL"):
                        handle.dumps(metadata)
                    with self.assertRaisesRegex(ValueError, "NUL"):
                        handle.save(self.in_dir("out"), metadata)
                    self.assert_nothing_written()
        self.assertEqual(lemica.live_handles().get("metadata", 0), 0)

    def test_clean_strings_still_work(self):
        path = self.in_dir("g.graph")
        self.objects[0].save(path, {"model": "flux-dev", "note": "é"})
        graph, metadata = lemica.Graph.load_with_metadata(path)
        with graph:
            self.assertEqual(metadata, {"model": "flux-dev", "note": "é"})

    def test_the_argument_types_refuse_nul_too(self):
        # The backstop under the binding's own checks: every C-string
        # parameter refuses a NUL; buffers with a length keep it.
        out = ctypes.c_void_p()
        with self.assertRaises(ctypes.ArgumentError):
            _library.library().lemica_graph_load(b"x.graph\x00.bak", None,
                                                 ctypes.byref(out))
        self.assertIsNone(out.value)
        data = b"i,j,weight\n0,2,0.5\n\x00"
        with self.assertRaises(lemica.ParseError):
            lemica.Graph.parse_csv(data)


class IntegerSequenceTest(unittest.TestCase):
    def test_steps_past_int_are_refused(self):
        # (0, 2**32 + 3, 49) used to become the valid schedule (0, 3, 49).
        for steps in ([0, 2**32 + 3, 49], [0, -2**32 + 3, 49], [0, 2**31, 49],
                      [0, 2**64 + 3, 49], numpy.array([0, 2**32 + 3, 49], numpy.int64)):
            with self.subTest(steps=steps):
                with self.assertRaises(lemica.OutOfRangeError) as caught:
                    lemica.Schedule(50, steps)
                self.assertIn("steps[1]", str(caught.exception))

    def test_steps_must_be_integers(self):
        for steps in ([0, 3.7, 49], [0, "3", 49], [0, None, 49]):
            with self.subTest(steps=steps):
                with self.assertRaises(TypeError):
                    lemica.Schedule(50, steps)

    def test_integer_types_still_work(self):
        with lemica.Schedule(50, numpy.array([0, 3, 49], numpy.int64)) as schedule:
            self.assertEqual(schedule.steps, (0, 3, 49))
        with lemica.Schedule(50, [0, True, 49]) as schedule:
            self.assertEqual(schedule.steps, (0, 1, 49))
        self.assertEqual(lemica.live_handles().get("schedule", 0), 0)


if __name__ == "__main__":
    unittest.main()
