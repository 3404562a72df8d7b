# SPDX-License-Identifier: MIT
"""libLeMiCa for Python: cache schedules for diffusion models.

A pure-Python ctypes binding of the C library (no compile step). The
library is found through ``LEMICA_LIBRARY``, next to this package, in a
meson build directory of the source tree, or on the system; see
:mod:`lemica._library`. Importing the package loads it and checks its
version.

>>> import lemica
>>> with lemica.Graph(8, 4) as graph, lemica.Solver() as solver:
...     graph[1, 4] = 0.1
...     schedule = solver.solve(graph, budget=5)
>>> schedule.format_steps()
'0,1,4,5,6,7'  # doctest: +SKIP

Offline: :class:`Plan` says which replays to run, :class:`Profiler`
accumulates the measured errors (numpy arrays and torch tensors are read in
place), :meth:`Profiler.to_graph` makes the graph, :class:`Solver` the
schedule. At run time: :class:`StepCache` (any engine) or
``lemica.torch_cache.ResidualCache`` (torch modules) apply it.
"""

from __future__ import annotations

from . import _library
from ._core import live_handles
from ._library import LIBRARY_NAMES, MIN_VERSION, library_path, version_tuple
from .adaptive import (AdaptivePlan, Assumption, AssumptionReport, AssumptionWarning,
                       SampleStop, Violation, check_assumption)
from .bagging import bagged_candidates
from .buffers import Buffer, Dtype, as_buffer
from .errors import (BufferTooSmallError, ClosedHandleError, InfeasibleError,
                     InvalidArgumentError, InvalidValueError, IOFailureError,
                     LemicaError, LibraryNotFoundError, MismatchError,
                     NoMemoryError, NotFoundError, OutOfRangeError, ParseError,
                     ReentrantUseError, ScheduleMismatchError, StateError, TooLargeError,
                     UnsupportedBufferError, VersionError)
from .graph import MAX_EDGE_SLOTS, MAX_STEPS, Graph
from .plan import Plan, PlanGroup, StepAction
from .profiler import (Aggregate, EdgeStats, Metric, ProfileStats, Profiler,
                       metric_compute)
from .sampling import StepCache
from .schedule import Schedule, uniform_schedule
from .solver import Comparator, Frontier, Solver
from .transfer import (TIME_GRID_KEY, check_time_grid, time_grid_distance,
                       time_grid_from_metadata, time_grid_shifted,
                       time_grid_value, transfer_graph)
from .verify import (VerificationResult, Verifier, candidate_schedules,
                     verify_schedules)

# Load the library now, so that a missing or unsupported library is
# reported at import time with the list of places tried.
_library.library()


def version() -> str:
    """The run-time library version, "MAJOR.MINOR.PATCH"."""
    return _library.decode(_library.library().lemica_version_string())


def version_number() -> int:
    """The run-time library version as MAJOR*10000 + MINOR*100 + PATCH."""
    return int(_library.library().lemica_version_number())


def status_name(status: int) -> str:
    """The identifier of a status code, such as "LEMICA_ERR_PARSE"."""
    return _library.decode(_library.library().lemica_status_name(status))


def strerror(status: int) -> str:
    """A short description of a status code."""
    return _library.decode(_library.library().lemica_strerror(status))


__all__ = [
    "AdaptivePlan", "SampleStop", "Aggregate", "Assumption", "AssumptionReport", "AssumptionWarning",
    "Buffer", "BufferTooSmallError", "ClosedHandleError", "Comparator", "Dtype",
    "EdgeStats", "Frontier", "Graph", "IOFailureError", "InfeasibleError",
    "InvalidArgumentError", "InvalidValueError", "LIBRARY_NAMES", "LemicaError",
    "LibraryNotFoundError", "MAX_EDGE_SLOTS", "MAX_STEPS", "MIN_VERSION", "Metric",
    "MismatchError", "NoMemoryError", "NotFoundError", "OutOfRangeError", "ParseError",
    "Plan", "PlanGroup", "ProfileStats", "Profiler", "ReentrantUseError", "Schedule",
    "ScheduleMismatchError", "Solver", "StateError", "StepAction", "StepCache",
    "TIME_GRID_KEY", "TooLargeError", "UnsupportedBufferError", "VerificationResult",
    "Verifier", "VersionError", "Violation", "as_buffer", "bagged_candidates",
    "candidate_schedules",
    "check_assumption", "check_time_grid", "library_path", "live_handles",
    "metric_compute", "status_name", "strerror", "time_grid_distance",
    "time_grid_from_metadata", "time_grid_shifted", "time_grid_value", "transfer_graph",
    "uniform_schedule", "verify_schedules", "version", "version_number",
    "version_tuple",
]
