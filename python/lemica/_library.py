# SPDX-License-Identifier: MIT
"""Finding, loading and describing the libLeMiCa shared library.

The binding is pure Python: it declares the C prototypes below for ctypes
and needs no compiler. :func:`library` loads the library once per process,
checks its run-time version and returns the configured ``ctypes.CDLL``.

Lookup order (the first that loads and has a supported version wins):

1. the ``LEMICA_LIBRARY`` environment variable: a library file, or a
   directory holding one. When it is set, it is the only candidate: an
   explicit choice that fails is reported, never replaced by another
   library;
2. next to the package: a library copied into ``lemica/`` or its parent
   directory (how the binding is vendored into another project);
3. a meson build directory of the source tree the package sits in
   (``<source>/<build dir>/lib/``), sanitizer builds excluded because their
   library cannot be loaded into an uninstrumented interpreter;
4. the system: ``ctypes.util.find_library("LeMiCa")`` and pkg-config's
   ``libdir`` for ``lemica``.

When every candidate fails, :class:`~lemica.errors.LibraryNotFoundError`
lists each one tried and why it was refused.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import operator
import os
import subprocess
import threading
from ctypes import (POINTER, c_char_p, c_double, c_int, c_size_t, c_uint,
                    c_uint64, c_void_p)
from typing import Dict, List, Optional, Sequence, Tuple

from .errors import LibraryNotFoundError

#: The oldest library version this binding works with, as (major, minor, patch).
MIN_VERSION: Tuple[int, int, int] = (0, 1, 0)
#: The only major version this binding knows: a new major may change the ABI.
SUPPORTED_MAJOR = 0

#: File names the library has on the platforms meson builds it for, most
#: specific first (the soname is what an installed runtime package ships).
LIBRARY_NAMES: Tuple[str, ...] = (
    f"libLeMiCa.so.{SUPPORTED_MAJOR}",
    "libLeMiCa.so",
    "libLeMiCa.dylib",
    f"libLeMiCa.{SUPPORTED_MAJOR}.dylib",
    "LeMiCa.dll",
    "libLeMiCa.dll",
)

# The C signature of a comparator callback, lemica_compare_fn.
COMPARE_FN = ctypes.CFUNCTYPE(c_int, POINTER(c_double), c_size_t,
                              POINTER(c_double), c_size_t, c_void_p)

_INT_MAX = 2 ** (8 * ctypes.sizeof(c_int) - 1) - 1
_SIZE_MAX = 2 ** (8 * ctypes.sizeof(c_size_t)) - 1


def _saturating(ctype, low: int, high: int, outside):
    """An argument type for ``ctype`` that never wraps a Python integer.

    ctypes keeps only the low bits of an integer too large for the C type,
    so ``Graph(2**32 + 50, 1)`` used to build a graph of 50 steps and
    ``graph[0, 2**32 + 2]`` to set edge (0, 2). Integers outside
    ``low .. high`` become ``outside(value)``, a value the library refuses
    with its own status (above every limit, or an index past every
    object), so the caller gets the exception the library gives for too
    large a value. Everything else converts as with ``ctype`` itself.
    """

    class Saturating:
        @classmethod
        def from_param(cls, value):
            try:
                number = operator.index(value)
            except TypeError:
                return ctype.from_param(value)
            if not low <= number <= high:
                number = outside(number)
            return ctype(number)

    Saturating.__name__ = f"saturating_{ctype.__name__}"
    return Saturating


# The argument types _declare() puts in place of the prototypes' own.
# int parameters (steps, sizes, budgets, enums, flags): beyond INT_MAX
# reads as INT_MAX, below INT_MIN as INT_MIN, so that a huge N is too
# large, a huge step out of range, a huge K clamped to N - 1, a huge enum
# unknown and a huge flag still true. size_t parameters (indices,
# lengths): negative or beyond SIZE_MAX reads as SIZE_MAX, past every
# index (ctypes made -1 SIZE_MAX but -2**64 zero).
_ARGUMENT_TYPES = {
    c_int: _saturating(c_int, -_INT_MAX - 1, _INT_MAX,
                       lambda number: _INT_MAX if number > 0 else -_INT_MAX - 1),
    c_size_t: _saturating(c_size_t, 0, _SIZE_MAX, lambda number: _SIZE_MAX),
}

class _CString:
    """The argument type of a NUL-terminated ``const char *`` (a path, a
    metadata key or value): refuses bytes holding a NUL, which C would
    silently cut there. The binding checks its strings itself with clearer
    messages (``_core.c_string``); this is the backstop for any it missed.
    A ``char *`` followed by a length is a buffer, not a C string, and
    keeps ``c_char_p``."""

    @classmethod
    def from_param(cls, value):
        if isinstance(value, (bytes, bytearray)) and b"\0" in value:
            raise ValueError(f"a C string cannot hold a NUL character: {bytes(value)!r}")
        return c_char_p.from_param(value)


def _argument_types(argtypes: Sequence[object]) -> List[object]:
    """The argument types _declare() installs for a prototype's own."""
    converted = []
    for index, ctype in enumerate(argtypes):
        if ctype is c_char_p and (index + 1 == len(argtypes)
                                  or argtypes[index + 1] is not c_size_t):
            converted.append(_CString)
        else:
            converted.append(_ARGUMENT_TYPES.get(ctype, ctype))
    return converted


_HANDLE_OUT = POINTER(c_void_p)
_STATUS = c_int

# name -> (result type, argument types). Handles are passed as void
# pointers: the library's handles are opaque, and the Python classes keep
# the kinds apart. Enums have the size of int (pinned by the ABI policy).
PROTOTYPES: Dict[str, Tuple[object, Sequence[object]]] = {
    # lemica-version.h, lemica-status.h
    "lemica_version_number": (c_uint, ()),
    "lemica_version_string": (c_char_p, ()),
    "lemica_strerror": (c_char_p, (c_int,)),
    "lemica_status_name": (c_char_p, (c_int,)),
    "lemica_last_error_message": (c_char_p, ()),
    # lemica-graph.h
    "lemica_graph_new": (_STATUS, (c_int, c_int, _HANDLE_OUT)),
    "lemica_graph_free": (None, (c_void_p,)),
    "lemica_graph_copy": (_STATUS, (c_void_p, _HANDLE_OUT)),
    "lemica_graph_num_steps": (c_int, (c_void_p,)),
    "lemica_graph_max_skip": (c_int, (c_void_p,)),
    "lemica_graph_set_weight": (_STATUS, (c_void_p, c_int, c_int, c_double)),
    "lemica_graph_get_weight": (_STATUS, (c_void_p, c_int, c_int, POINTER(c_double))),
    "lemica_graph_remove_edge": (_STATUS, (c_void_p, c_int, c_int)),
    "lemica_graph_has_edge": (c_int, (c_void_p, c_int, c_int)),
    "lemica_graph_num_edges": (c_size_t, (c_void_p,)),
    # lemica-csv.h
    "lemica_graph_parse_csv": (_STATUS, (c_char_p, c_size_t, c_int, c_int, _HANDLE_OUT)),
    "lemica_graph_load_csv": (_STATUS, (c_char_p, c_int, c_int, _HANDLE_OUT)),
    # lemica-schedule.h
    "lemica_schedule_new_from_steps": (_STATUS, (c_int, POINTER(c_int), c_size_t, _HANDLE_OUT)),
    "lemica_schedule_parse_steps": (_STATUS, (c_int, c_char_p, c_size_t, _HANDLE_OUT)),
    "lemica_schedule_parse_mask": (_STATUS, (c_char_p, c_size_t, _HANDLE_OUT)),
    "lemica_schedule_format_steps": (_STATUS, (c_void_p, c_char_p, c_size_t, POINTER(c_size_t))),
    "lemica_schedule_format_mask": (_STATUS, (c_void_p, c_char_p, c_size_t, POINTER(c_size_t))),
    "lemica_schedule_free": (None, (c_void_p,)),
    "lemica_schedule_copy": (_STATUS, (c_void_p, _HANDLE_OUT)),
    "lemica_schedule_num_steps": (c_int, (c_void_p,)),
    "lemica_schedule_budget": (c_int, (c_void_p,)),
    "lemica_schedule_steps": (_STATUS, (c_void_p, POINTER(c_int), c_size_t, POINTER(c_size_t))),
    "lemica_schedule_should_compute": (c_int, (c_void_p, c_int)),
    "lemica_schedule_has_costs": (c_int, (c_void_p,)),
    "lemica_schedule_costs": (_STATUS, (c_void_p, POINTER(c_double), c_size_t, POINTER(c_size_t))),
    "lemica_schedule_max_cost": (_STATUS, (c_void_p, POINTER(c_double))),
    "lemica_schedule_sum_cost": (_STATUS, (c_void_p, POINTER(c_double))),
    "lemica_schedule_evaluate": (_STATUS, (c_void_p, c_void_p)),
    # lemica-solver.h
    "lemica_solver_new": (_STATUS, (_HANDLE_OUT,)),
    "lemica_solver_free": (None, (c_void_p,)),
    "lemica_solver_set_comparator": (_STATUS, (c_void_p, c_int)),
    "lemica_solver_set_user_comparator": (_STATUS, (c_void_p, COMPARE_FN, c_void_p)),
    "lemica_solver_comparator": (c_int, (c_void_p,)),
    "lemica_solver_set_max_skip": (_STATUS, (c_void_p, c_int)),
    "lemica_solver_max_skip": (c_int, (c_void_p,)),
    "lemica_solver_require_step": (_STATUS, (c_void_p, c_int)),
    "lemica_solver_require_first_steps": (_STATUS, (c_void_p, c_int)),
    "lemica_solver_clear_required_steps": (None, (c_void_p,)),
    "lemica_solver_is_step_required": (c_int, (c_void_p, c_int)),
    "lemica_solver_min_budget": (_STATUS, (c_void_p, c_void_p, POINTER(c_int))),
    "lemica_solver_solve": (_STATUS, (c_void_p, c_void_p, c_int, _HANDLE_OUT)),
    "lemica_solver_solve_into": (_STATUS, (c_void_p, c_void_p, c_int, c_void_p)),
    "lemica_solver_solve_frontier": (_STATUS, (c_void_p, c_void_p, _HANDLE_OUT)),
    "lemica_frontier_free": (None, (c_void_p,)),
    "lemica_frontier_count": (c_size_t, (c_void_p,)),
    "lemica_frontier_get": (_STATUS, (c_void_p, c_size_t, _HANDLE_OUT)),
    "lemica_frontier_find": (_STATUS, (c_void_p, c_int, _HANDLE_OUT)),
    # lemica-profiler.h
    "lemica_metric_compute": (_STATUS, (c_int, c_void_p, c_void_p, c_size_t, c_int,
                                        POINTER(c_double))),
    "lemica_profiler_new": (_STATUS, (c_int, c_int, c_int, _HANDLE_OUT)),
    "lemica_profiler_free": (None, (c_void_p,)),
    "lemica_profiler_copy": (_STATUS, (c_void_p, _HANDLE_OUT)),
    "lemica_profiler_num_steps": (c_int, (c_void_p,)),
    "lemica_profiler_max_skip": (c_int, (c_void_p,)),
    "lemica_profiler_metric": (c_int, (c_void_p,)),
    "lemica_profiler_add_buffers": (_STATUS, (c_void_p, c_int, c_int, c_void_p, c_void_p,
                                              c_size_t, c_int)),
    "lemica_profiler_add_error": (_STATUS, (c_void_p, c_int, c_int, c_double)),
    "lemica_profiler_add_stats": (_STATUS, (c_void_p, c_int, c_int, c_uint64, c_double,
                                            c_double, c_double, c_double)),
    "lemica_profiler_edge_stats": (_STATUS, (c_void_p, c_int, c_int, POINTER(c_uint64),
                                             POINTER(c_double), POINTER(c_double),
                                             POINTER(c_double), POINTER(c_double))),
    "lemica_profiler_num_measured": (c_size_t, (c_void_p,)),
    "lemica_profiler_merge": (_STATUS, (c_void_p, c_void_p)),
    "lemica_profiler_to_graph": (_STATUS, (c_void_p, c_int, c_double, c_int, _HANDLE_OUT)),
    # lemica-plan.h
    "lemica_plan_new": (_STATUS, (c_int, c_int, _HANDLE_OUT)),
    "lemica_plan_free": (None, (c_void_p,)),
    "lemica_plan_num_steps": (c_int, (c_void_p,)),
    "lemica_plan_max_skip": (c_int, (c_void_p,)),
    "lemica_plan_select_segment": (_STATUS, (c_void_p, c_int, c_int, c_int)),
    "lemica_plan_select_start": (_STATUS, (c_void_p, c_int, c_int)),
    "lemica_plan_select_all": (_STATUS, (c_void_p, c_int)),
    "lemica_plan_is_selected": (c_int, (c_void_p, c_int, c_int)),
    "lemica_plan_num_replays": (c_size_t, (c_void_p,)),
    "lemica_plan_replay": (_STATUS, (c_void_p, c_size_t, POINTER(c_int), POINTER(c_int))),
    "lemica_plan_step_action": (c_int, (c_void_p, c_size_t, c_int)),
    "lemica_plan_num_groups": (c_size_t, (c_void_p,)),
    "lemica_plan_group": (_STATUS, (c_void_p, c_size_t, POINTER(c_int), POINTER(c_size_t),
                                    POINTER(c_size_t))),
    "lemica_plan_model_calls": (c_uint64, (c_void_p,)),
}

# lemica-metadata.h and lemica-file.h
PROTOTYPES.update({
    "lemica_metadata_new": (_STATUS, (_HANDLE_OUT,)),
    "lemica_metadata_free": (None, (c_void_p,)),
    "lemica_metadata_copy": (_STATUS, (c_void_p, _HANDLE_OUT)),
    "lemica_metadata_set": (_STATUS, (c_void_p, c_char_p, c_char_p)),
    "lemica_metadata_get": (c_char_p, (c_void_p, c_char_p)),
    "lemica_metadata_remove": (_STATUS, (c_void_p, c_char_p)),
    "lemica_metadata_clear": (None, (c_void_p,)),
    "lemica_metadata_count": (c_size_t, (c_void_p,)),
    "lemica_metadata_key": (c_char_p, (c_void_p, c_size_t)),
    "lemica_metadata_value": (c_char_p, (c_void_p, c_size_t)),
    "lemica_graph_parse": (_STATUS, (c_char_p, c_size_t, c_void_p, _HANDLE_OUT)),
    "lemica_graph_load": (_STATUS, (c_char_p, c_void_p, _HANDLE_OUT)),
    "lemica_graph_format": (_STATUS, (c_void_p, c_void_p, c_char_p, c_size_t, POINTER(c_size_t))),
    "lemica_graph_save": (_STATUS, (c_void_p, c_void_p, c_char_p)),
    "lemica_schedule_parse": (_STATUS, (c_char_p, c_size_t, c_int, c_void_p, _HANDLE_OUT)),
    "lemica_schedule_load": (_STATUS, (c_char_p, c_int, c_void_p, _HANDLE_OUT)),
    "lemica_schedule_format": (_STATUS, (c_void_p, c_void_p, c_char_p, c_size_t,
                                         POINTER(c_size_t))),
    "lemica_schedule_save": (_STATUS, (c_void_p, c_void_p, c_char_p)),
    "lemica_profiler_parse": (_STATUS, (c_char_p, c_size_t, c_void_p, _HANDLE_OUT)),
    "lemica_profiler_load": (_STATUS, (c_char_p, c_void_p, _HANDLE_OUT)),
    "lemica_profiler_format": (_STATUS, (c_void_p, c_void_p, c_char_p, c_size_t,
                                         POINTER(c_size_t))),
    "lemica_profiler_save": (_STATUS, (c_void_p, c_void_p, c_char_p)),
    "lemica_save_text": (_STATUS, (c_char_p, c_char_p, c_size_t)),
})

# lemica-adaptive.h (0.2): adaptive profiling.
PROTOTYPES.update({
    "lemica_adaptive_new": (_STATUS, (c_int, c_int, c_int, _HANDLE_OUT)),
    "lemica_adaptive_free": (None, (c_void_p,)),
    "lemica_adaptive_request_budget": (_STATUS, (c_void_p, c_int)),
    "lemica_adaptive_request_all_budgets": (_STATUS, (c_void_p,)),
    "lemica_adaptive_clear_budgets": (None, (c_void_p,)),
    "lemica_adaptive_is_budget_requested": (c_int, (c_void_p, c_int)),
    "lemica_adaptive_set_comparator": (_STATUS, (c_void_p, c_int)),
    "lemica_adaptive_use_solver": (_STATUS, (c_void_p, c_void_p)),
    "lemica_adaptive_set_aggregate": (_STATUS, (c_void_p, c_int, c_double)),
    "lemica_adaptive_set_min_batch": (_STATUS, (c_void_p, c_size_t)),
    "lemica_adaptive_set_num_samples": (_STATUS, (c_void_p, c_uint64)),
    "lemica_adaptive_next": (_STATUS, (c_void_p, c_void_p, _HANDLE_OUT)),
    "lemica_adaptive_is_done": (c_int, (c_void_p,)),
    "lemica_adaptive_schedule": (_STATUS, (c_void_p, c_int, _HANDLE_OUT)),
    "lemica_adaptive_num_rounds": (c_size_t, (c_void_p,)),
    "lemica_adaptive_num_measured": (c_size_t, (c_void_p,)),
    "lemica_adaptive_model_calls": (c_uint64, (c_void_p,)),
    "lemica_adaptive_full_model_calls": (c_uint64, (c_void_p,)),
    "lemica_adaptive_num_stable": (c_size_t, (c_void_p,)),
    "lemica_adaptive_set_stable_tolerance": (_STATUS, (c_void_p, c_double)),
    "lemica_adaptive_num_violations": (c_size_t, (c_void_p,)),
    "lemica_adaptive_worst_violation": (_STATUS, (c_void_p, POINTER(c_int), POINTER(c_int),
                                                  POINTER(c_int), POINTER(c_int),
                                                  POINTER(c_double))),
    "lemica_assumption_check": (_STATUS, (c_void_p, c_int, c_int, c_double,
                                          POINTER(c_size_t), POINTER(c_int), POINTER(c_int),
                                          POINTER(c_int), POINTER(c_int),
                                          POINTER(c_double))),
})

#: Groups of functions a library may lack (added in a later release). The
#: binding declares them when present; the Python methods that need them
#: raise NotImplementedError naming the missing symbol otherwise.
OPTIONAL_PROTOTYPES: Dict[str, Tuple[object, Sequence[object]]] = {}

# lemica-transfer.h (0.2)
OPTIONAL_PROTOTYPES.update({
    "lemica_time_grid_shifted": (_STATUS, (c_int, c_double, POINTER(c_double),
                                           c_size_t)),
    "lemica_time_grid_set": (_STATUS, (c_void_p, POINTER(c_double), c_size_t)),
    "lemica_time_grid_get": (_STATUS, (c_void_p, POINTER(c_double), c_size_t,
                                       POINTER(c_size_t))),
    "lemica_time_grid_check": (_STATUS, (c_void_p, POINTER(c_double), c_size_t)),
    "lemica_time_grid_distance": (_STATUS, (POINTER(c_double), c_size_t,
                                            POINTER(c_double), c_size_t,
                                            POINTER(c_double))),
    "lemica_graph_transfer": (_STATUS, (c_void_p, POINTER(c_double), c_size_t,
                                        POINTER(c_double), c_size_t,
                                        _HANDLE_OUT)),
})


# lemica-adaptive.h (0.2): the sample stopping rule.
OPTIONAL_PROTOTYPES.update({
    "lemica_sample_stop_new": (_STATUS, (c_size_t, c_double, _HANDLE_OUT)),
    "lemica_sample_stop_free": (None, (c_void_p,)),
    "lemica_sample_stop_update": (_STATUS, (c_void_p, c_void_p, c_void_p,
                                            POINTER(c_int))),
    "lemica_sample_stop_should_stop": (c_int, (c_void_p,)),
    "lemica_sample_stop_excess": (c_double, (c_void_p,)),
    "lemica_sample_stop_reset": (None, (c_void_p,)),
    "lemica_sample_stop_set_limits": (_STATUS, (c_void_p, c_double, c_uint64)),
})

def optional(name: str):
    """The declared function @name of a later release, or
    NotImplementedError naming it when the loaded library lacks it."""
    function = getattr(library(), name, None)
    if function is None or name not in OPTIONAL_PROTOTYPES:
        raise NotImplementedError(
            f"{name} is missing from the loaded libLeMiCa {library_path()}: "
            "it needs a newer library")
    return function

# 0.2: the k best schedules and the verifier (lemica-kbest.h,
# lemica-verifier.h; used by kbest.py and verify.py).
OPTIONAL_PROTOTYPES.update({
    "lemica_solver_solve_k_best": (_STATUS, (c_void_p, c_void_p, c_int, c_int, _HANDLE_OUT)),
    "lemica_solver_solve_k_best_frontier": (_STATUS, (c_void_p, c_void_p, c_int, _HANDLE_OUT)),
    "lemica_schedule_list_free": (None, (c_void_p,)),
    "lemica_schedule_list_count": (c_size_t, (c_void_p,)),
    "lemica_schedule_list_get": (_STATUS, (c_void_p, c_size_t, _HANDLE_OUT)),
    "lemica_schedule_list_rank": (c_int, (c_void_p, c_size_t)),
    "lemica_schedule_list_find": (_STATUS, (c_void_p, c_int, POINTER(c_size_t),
                                            POINTER(c_size_t))),
    "lemica_verifier_new": (_STATUS, (c_size_t, _HANDLE_OUT)),
    "lemica_verifier_free": (None, (c_void_p,)),
    "lemica_verifier_set_metric": (_STATUS, (c_void_p, c_int)),
    "lemica_verifier_set_aggregate": (_STATUS, (c_void_p, c_int, c_double)),
    "lemica_verifier_add_candidate": (_STATUS, (c_void_p, c_void_p, POINTER(c_size_t))),
    "lemica_verifier_num_candidates": (c_size_t, (c_void_p,)),
    "lemica_verifier_num_samples": (c_size_t, (c_void_p,)),
    "lemica_verifier_candidate": (_STATUS, (c_void_p, c_size_t, _HANDLE_OUT)),
    "lemica_verifier_num_runs": (c_size_t, (c_void_p,)),
    "lemica_verifier_run": (_STATUS, (c_void_p, c_size_t, POINTER(c_size_t),
                                      POINTER(c_size_t))),
    "lemica_verifier_report_error": (_STATUS, (c_void_p, c_size_t, c_size_t, c_double)),
    "lemica_verifier_report_buffers": (_STATUS, (c_void_p, c_size_t, c_size_t, c_void_p,
                                                 c_void_p, c_size_t, c_int)),
    "lemica_verifier_num_missing": (c_size_t, (c_void_p,)),
    "lemica_verifier_score": (_STATUS, (c_void_p, c_size_t, POINTER(c_double))),
    "lemica_verifier_best": (_STATUS, (c_void_p, POINTER(c_size_t))),
    "lemica_verifier_set_significance": (_STATUS, (c_void_p, c_double)),
    "lemica_verifier_error": (_STATUS, (c_void_p, c_size_t, c_size_t, POINTER(c_double))),
    "lemica_verifier_model_calls": (c_size_t, (c_void_p,)),
    "lemica_verifier_best_of_budget": (_STATUS, (c_void_p, c_int, POINTER(c_size_t))),
    "lemica_verifier_prefix_run": (_STATUS, (c_void_p, c_size_t, POINTER(c_size_t),
                                             POINTER(c_int), POINTER(c_size_t))),
    "lemica_verifier_prefix_model_calls": (c_size_t, (c_void_p,)),
})

_lock = threading.Lock()
_loaded: Optional[ctypes.CDLL] = None
_loaded_path: Optional[str] = None


def _package_dir() -> str:
    return os.path.dirname(os.path.abspath(__file__))


def _files_in(directory: str) -> List[str]:
    return [os.path.join(directory, name) for name in LIBRARY_NAMES]


def _is_sanitizer_build(build_dir: str) -> bool:
    """Whether a meson build directory was configured with -Db_sanitize.

    Such a library needs the sanitizer runtime loaded before anything else,
    and loading it into a plain interpreter aborts the whole process, so
    the lookup must not even try it.
    """
    options_file = os.path.join(build_dir, "meson-info", "intro-buildoptions.json")
    try:
        with open(options_file, encoding="utf-8") as stream:
            options = json.load(stream)
    except (OSError, ValueError):
        return False
    for option in options:
        if option.get("name") == "b_sanitize":
            return option.get("value") not in (None, "", "none")
    return False


def _meson_build_candidates(tried: List[str]) -> List[str]:
    """Libraries in the meson build directories of the enclosing source tree.

    The package lives in ``<source>/python/lemica``. Build directories are
    the subdirectories of ``<source>`` that meson configured; ``build`` is
    preferred, then the most recently built library.
    """
    source_root = os.path.dirname(os.path.dirname(_package_dir()))
    if not os.path.isfile(os.path.join(source_root, "meson.build")):
        return []
    found: List[Tuple[int, float, str]] = []
    try:
        entries = sorted(os.listdir(source_root))
    except OSError:
        return []
    for entry in entries:
        build_dir = os.path.join(source_root, entry)
        if not os.path.isfile(os.path.join(build_dir, "meson-private", "coredata.dat")):
            continue
        for path in _files_in(os.path.join(build_dir, "lib")):
            if not os.path.exists(path):
                continue
            if _is_sanitizer_build(build_dir):
                tried.append(f"{path}: skipped, a sanitizer build (cannot be "
                             "loaded without its runtime preloaded)")
                break
            preference = 0 if entry == "build" else 1
            found.append((preference, -os.path.getmtime(path), path))
            break
    return [path for _, _, path in sorted(found)]


def _system_candidates(tried: List[str]) -> List[str]:
    candidates: List[str] = []
    found = ctypes.util.find_library("LeMiCa")
    if found:
        candidates.append(found)
    else:
        tried.append("system: ctypes.util.find_library('LeMiCa') found nothing")
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "lemica"],
                                capture_output=True, text=True, timeout=10,
                                check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        libdir = ""
    if libdir:
        candidates.extend(_files_in(libdir))
    else:
        tried.append("system: pkg-config knows no 'lemica' package")
    # Last, the bare soname: the dynamic loader's own search
    # (LD_LIBRARY_PATH, ld.so.cache) may know a library the others missed.
    candidates.append(LIBRARY_NAMES[0])
    return candidates


def _candidates(tried: List[str]) -> List[Tuple[str, str]]:
    """(origin, path) pairs in lookup order."""
    pairs: List[Tuple[str, str]] = []
    env = os.environ.get("LEMICA_LIBRARY", "")
    if env:
        # An explicit choice is final: silently loading another library
        # when the one asked for is broken would hide the problem.
        if os.path.isdir(env):
            existing = [path for path in _files_in(env) if os.path.exists(path)]
            if not existing:
                tried.append(f"LEMICA_LIBRARY={env}: a directory without "
                             f"any of {', '.join(LIBRARY_NAMES)}")
            return [("LEMICA_LIBRARY", path) for path in existing]
        return [("LEMICA_LIBRARY", env)]
    tried.append("LEMICA_LIBRARY: not set")
    for directory in (_package_dir(), os.path.dirname(_package_dir())):
        beside = [path for path in _files_in(directory) if os.path.exists(path)]
        if not beside:
            tried.append(f"next to the package: no libLeMiCa in {directory}")
        pairs.extend(("next to the package", path) for path in beside)
    builds = _meson_build_candidates(tried)
    if not builds:
        tried.append("meson build directory: none with a usable library in "
                     f"{os.path.dirname(os.path.dirname(_package_dir()))}")
    pairs.extend(("meson build directory", path) for path in builds)
    pairs.extend(("system", path) for path in _system_candidates(tried))
    return pairs


def version_tuple(number: int) -> Tuple[int, int, int]:
    """Split ``lemica_version_number()`` (MAJOR*10000 + MINOR*100 + PATCH)."""
    return number // 10000, number // 100 % 100, number % 100


def _check_version(cdll: ctypes.CDLL) -> Optional[str]:
    """None if the library's run-time version is supported, else why not."""
    try:
        query = cdll.lemica_version_number
    except AttributeError:
        return "no lemica_version_number: not libLeMiCa"
    query.restype = c_uint
    query.argtypes = ()
    version = version_tuple(query())
    shown = ".".join(map(str, version))
    if version[0] != SUPPORTED_MAJOR:
        return f"version {shown}: this binding supports major version {SUPPORTED_MAJOR} only"
    if version < MIN_VERSION:
        return f"version {shown} is older than {'.'.join(map(str, MIN_VERSION))}"
    return None


def _declare(cdll: ctypes.CDLL) -> Optional[str]:
    """Set restype/argtypes for every prototype; None or what is missing."""
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            function = getattr(cdll, name)
        except AttributeError:
            return f"symbol {name} missing: library too old or not libLeMiCa"
        function.restype = restype
        function.argtypes = _argument_types(argtypes)
    for name, (restype, argtypes) in OPTIONAL_PROTOTYPES.items():
        function = getattr(cdll, name, None)
        if function is not None:
            function.restype = restype
            function.argtypes = _argument_types(argtypes)
    return None


def load(path: str) -> ctypes.CDLL:
    """Load and configure the library at ``path`` (no lookup).

    Raises:
        OSError: the dynamic loader refused the file.
        LibraryNotFoundError: it is not a supported libLeMiCa.
    """
    cdll = ctypes.CDLL(path)
    problem = _check_version(cdll) or _declare(cdll)
    if problem:
        raise LibraryNotFoundError(f"{path}: {problem}")
    return cdll


def library() -> ctypes.CDLL:
    """The process's libLeMiCa, found and loaded on first use."""
    global _loaded, _loaded_path
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        tried: List[str] = []
        for origin, path in _candidates(tried):
            try:
                cdll = load(path)
            except (OSError, LibraryNotFoundError) as error:
                tried.append(f"{origin}: {error}")
                continue
            _loaded, _loaded_path = cdll, path
            return cdll
        raise LibraryNotFoundError(
            "libLeMiCa shared library not found or not usable. Tried, in order:\n  "
            + "\n  ".join(tried)
            + "\nSet LEMICA_LIBRARY to the path of libLeMiCa.so (for a meson "
            "build: <build dir>/lib/libLeMiCa.so), or install the library.")


def library_path() -> str:
    """The path the library was loaded from (loading it if needed)."""
    library()
    assert _loaded_path is not None
    return _loaded_path


def has_symbol(name: str) -> bool:
    """Whether the loaded library exports ``name`` (for optional groups)."""
    return getattr(library(), name, None) is not None


def decode(text: Optional[bytes]) -> str:
    """Library strings are ASCII or UTF-8 (paths in messages)."""
    return "" if text is None else text.decode("utf-8", errors="replace")

