# SPDX-License-Identifier: MIT
"""The examples under examples/python run and report what they promise."""

import os
import re
import subprocess
import sys
import unittest

import support


def run_example(name, *args):
    return subprocess.run([sys.executable, os.path.join(support.EXAMPLES_DIR, name), *args],
                          env=support.child_env(), capture_output=True, text=True,
                          timeout=300)


class ExamplesTest(unittest.TestCase):
    def test_numpy_sampling(self):
        result = run_example("numpy_sampling.py", "--steps", "30", "--max-skip", "6",
                             "--budget", "12", "--profile-samples", "2",
                             "--eval-samples", "3", "--dim", "64", "--hidden", "128")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"lemica  : 72 of 180 model calls \(108 saved, 60%\)")
        # The verification step: candidates run on the 2 profiling samples,
        # B = 12 calls each, and the verified schedule evaluated like the rest.
        self.assertRegex(result.stdout, r"verified schedule \(B=12\): .*, (\d+) extra model "
                                        r"calls")
        calls = int(re.search(r"(\d+) extra model calls", result.stdout).group(1))
        self.assertEqual(calls % (12 * 2), 0)
        self.assertRegex(result.stdout, r"verified: 72 of 180 model calls")
        errors = dict(re.findall(r"(lemica|uniform) *: .*mean L1 error vs full sampling "
                                 r"([0-9.]+)", result.stdout))
        self.assertLess(float(errors["lemica"]), float(errors["uniform"]))

    def test_adaptive_sampling(self):
        result = run_example("adaptive_sampling.py", "--steps", "24", "--max-skip", "23",
                             "--budgets", "8,12", "--profile-samples", "2",
                             "--dim", "32", "--hidden", "64", "--check-full")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("identical to full profiling: yes", result.stdout)
        self.assertRegex(result.stdout, r"adaptive: \d+ rounds")

    @unittest.skipUnless(support.HAVE_DISTRIBUTED, support.NO_DISTRIBUTED)
    def test_dask_profiling(self):
        result = run_example("dask_profiling.py", "--samples", "4", "--steps", "16",
                             "--max-skip", "4", "--budget", "8", "--dim", "32",
                             "--hidden", "64")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("schedule (B=8 of 16)", result.stdout)


class AdaptiveDaskTest(unittest.TestCase):
    @unittest.skipUnless(support.HAVE_DISTRIBUTED, support.NO_DISTRIBUTED)
    def test_dask_adaptive(self):
        result = run_example("dask_profiling.py", "--adaptive", "--samples", "4",
                             "--steps", "16", "--max-skip", "15", "--budget", "8",
                             "--dim", "32", "--hidden", "64")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"adaptive: \d+ rounds, \d+ of 2304 model calls")
        self.assertIn("schedule (B=8 of 16)", result.stdout)


if __name__ == "__main__":
    unittest.main()
