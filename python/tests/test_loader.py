# SPDX-License-Identifier: MIT
"""Library lookup, version check and the error that lists what was tried."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import support  # noqa: F401  (sys.path)
import lemica
from lemica import _library


def run_python(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)


class LoaderTest(unittest.TestCase):
    def test_loaded_library_is_the_one_requested(self):
        wanted = os.environ.get("LEMICA_LIBRARY")
        if not wanted:
            self.skipTest("LEMICA_LIBRARY not set (run by hand)")
        self.assertEqual(os.path.realpath(lemica.library_path()), os.path.realpath(wanted))

    def test_version(self):
        number = lemica.version_number()
        self.assertEqual(lemica.version(), "%d.%d.%d" % lemica.version_tuple(number))
        self.assertGreaterEqual(lemica.version_tuple(number), lemica.MIN_VERSION)

    def copy_package(self, root):
        package = os.path.join(root, "lemica")
        shutil.copytree(os.path.join(support.PYTHON_DIR, "lemica"), package,
                        ignore=shutil.ignore_patterns("__pycache__"))
        return package

    def test_bad_environment_variable_is_final_and_reported(self):
        bogus = os.path.join(tempfile.gettempdir(), "no-such-dir", "libLeMiCa.so")
        result = run_python("import lemica", support.child_env(LEMICA_LIBRARY=bogus))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("LibraryNotFoundError", result.stderr)
        self.assertIn(bogus, result.stderr)

    def test_missing_library_lists_every_place_tried(self):
        with tempfile.TemporaryDirectory() as root:
            self.copy_package(root)
            result = run_python("import lemica", support.child_env(
                LEMICA_LIBRARY=None, LD_LIBRARY_PATH=None, PYTHONPATH=root))
            if result.returncode == 0:
                self.skipTest("libLeMiCa is installed on this system")
            self.assertIn("LibraryNotFoundError", result.stderr)
            self.assertIn("LEMICA_LIBRARY: not set", result.stderr)
            self.assertIn("system: ", result.stderr)
            self.assertIn("Set LEMICA_LIBRARY", result.stderr)

    def test_directory_in_environment_variable(self):
        directory = os.path.dirname(lemica.library_path())
        result = run_python("import lemica; print(lemica.library_path())",
                            support.child_env(LEMICA_LIBRARY=directory))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(os.path.dirname(result.stdout.strip()), directory)

    def test_library_next_to_the_package(self):
        with tempfile.TemporaryDirectory() as root:
            package = self.copy_package(root)
            shutil.copy(lemica.library_path(), os.path.join(package, "libLeMiCa.so.0"))
            result = run_python("import lemica; print(lemica.library_path())",
                                support.child_env(LEMICA_LIBRARY=None, PYTHONPATH=root))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.strip(), os.path.join(package, "libLeMiCa.so.0"))

    def test_meson_build_directory_of_the_source_tree(self):
        # Without LD_LIBRARY_PATH (meson test sets it), so that only the
        # source tree's build directories can provide the library.
        result = run_python("import lemica; print(lemica.library_path())",
                            support.child_env(LEMICA_LIBRARY=None,
                                              LD_LIBRARY_PATH=None))
        if result.returncode != 0:
            self.skipTest("no usable meson build directory in the source tree")
        path = result.stdout.strip()
        build_dir = os.path.dirname(os.path.dirname(path))
        self.assertTrue(os.path.isfile(os.path.join(build_dir, "meson-private",
                                                    "coredata.dat")), path)
        self.assertFalse(_library._is_sanitizer_build(build_dir))

    def test_version_check_refuses_other_majors_and_older_minors(self):
        class FakeFunction:
            def __init__(self, value):
                self.value = value

            def __call__(self):
                return self.value

        class FakeLibrary:
            def __init__(self, value):
                self.lemica_version_number = FakeFunction(value)

        self.assertIsNone(_library._check_version(FakeLibrary(100)))
        self.assertIsNone(_library._check_version(FakeLibrary(105)))
        self.assertIn("major version", _library._check_version(FakeLibrary(10100)))
        self.assertIn("older", _library._check_version(FakeLibrary(9)))
        self.assertIn("not libLeMiCa", _library._check_version(object()))

    def test_not_a_lemica_library(self):
        libc = "libc.so.6"
        with self.assertRaises(lemica.LibraryNotFoundError) as caught:
            _library.load(libc)
        self.assertIn("not libLeMiCa", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
