# SPDX-License-Identifier: MIT
"""Shared by the binding's tests: find the package and the source tree.

meson test sets PYTHONPATH, LEMICA_LIBRARY and LEMICA_INCLUDE_DIR; run by
hand from python/tests, the package is found here and the library through
the binding's own lookup (a meson build directory of this tree).
"""

import importlib.util
import os
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(TESTS_DIR)
SOURCE_ROOT = os.path.dirname(PYTHON_DIR)
EXAMPLES_DIR = os.path.join(SOURCE_ROOT, "examples", "python")

if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)



def _importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


HAVE_TORCH = _importable("torch")
HAVE_DISTRIBUTED = _importable("distributed")
NO_TORCH = "torch is not installed (apt-get install python3-torch): torch tests skipped"
NO_DISTRIBUTED = ("dask distributed is not installed (apt-get install "
                  "python3-distributed): Dask tests skipped")


def child_env(**changes):
    """os.environ with changes (None removes a variable), for subprocesses."""
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", PYTHON_DIR)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env
