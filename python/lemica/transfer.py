# SPDX-License-Identifier: MIT
"""Time grids and graphs for another step grid (lemica-transfer.h).

A plan is tied to the sampler grid it was profiled on. These functions
record that grid in file metadata (key ``time_grid``), tell whether a
schedule was planned for the grid about to run, and derive a graph for
another grid by interpolating the measured segment errors over (start
time, end time). **The transfer is an approximation**: validated for
other step counts on the same grid shape, weaker for changed shifts (see
the Transfer section of the C reference).

>>> source = lemica.time_grid_shifted(50, 3.0)
>>> target = lemica.time_grid_shifted(30, 3.0)
>>> graph30 = lemica.transfer_graph(graph50, source, target)  # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import math
from typing import List, Mapping, Sequence

from ._core import check, lib, new_handle
from ._library import optional
from .files import _MetadataHandle
from .graph import Graph

#: The metadata key of a time grid.
TIME_GRID_KEY = "time_grid"


def _doubles(values: Sequence[float], what: str) -> "ctypes.Array[ctypes.c_double]":
    try:
        converted = [float(value) for value in values]
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must be a sequence of numbers") from error
    return (ctypes.c_double * len(converted))(*converted)


def time_grid_shifted(num_steps: int, shift: float) -> List[float]:
    """The shifted flow-matching grid of SD3, Flux and Wan: N + 1 values
    t_i = s u / (1 + (s - 1) u), u = 1 - i / N, from 1 down to 0."""
    if not isinstance(num_steps, int) or isinstance(num_steps, bool):
        raise TypeError("num_steps must be an int")
    if num_steps < 1 or num_steps > 65536:
        raise ValueError(f"num_steps {num_steps} is outside 1 .. 65536")
    grid = (ctypes.c_double * (num_steps + 1))()
    check(optional("lemica_time_grid_shifted")(num_steps, float(shift), grid,
                                               num_steps + 1))
    return list(grid)


def time_grid_value(grid: Sequence[float]) -> str:
    """The metadata value that records ``grid`` (exact doubles), to put
    under :data:`TIME_GRID_KEY` in the metadata of a graph or schedule."""
    values = _doubles(grid, "grid")
    with _MetadataHandle() as handle:
        with handle._exclusive() as address:
            check(optional("lemica_time_grid_set")(address, values, len(values)))
        return handle.to_dict()[TIME_GRID_KEY]


def time_grid_from_metadata(metadata: Mapping[str, str]) -> List[float]:
    """The grid a file's metadata records; NotFoundError when it has none,
    ParseError when the value is malformed."""
    with _MetadataHandle(metadata) as handle, handle._shared() as address:
        count = ctypes.c_size_t(0)
        function = optional("lemica_time_grid_get")
        # A size query: too small a buffer still reports the count.
        status = function(address, None, 0, ctypes.byref(count))
        if count.value == 0:
            check(status)
        grid = (ctypes.c_double * count.value)()
        check(function(address, grid, count.value, ctypes.byref(count)))
        return list(grid)


def check_time_grid(metadata: Mapping[str, str], grid: Sequence[float]) -> None:
    """Raise MismatchError unless ``metadata`` (of a loaded schedule, say)
    records ``grid`` (values equal within 1e-9 relative); NotFoundError when
    it records none."""
    values = _doubles(grid, "grid")
    with _MetadataHandle(metadata) as handle, handle._shared() as address:
        check(optional("lemica_time_grid_check")(address, values, len(values)))


def time_grid_distance(source_grid: Sequence[float],
                       target_grid: Sequence[float]) -> float:
    """How different the target grid's shape is from the source's, 0 .. 1
    (0: the same grid, or the same shape at another step count)."""
    source = _doubles(source_grid, "source_grid")
    target = _doubles(target_grid, "target_grid")
    distance = ctypes.c_double(math.nan)
    check(optional("lemica_time_grid_distance")(source, len(source), target,
                                                len(target),
                                                ctypes.byref(distance)))
    return distance.value


def transfer_graph(graph: Graph, source_grid: Sequence[float],
                   target_grid: Sequence[float]) -> Graph:
    """A graph for ``target_grid`` (N' + 1 values) derived from ``graph``,
    measured on ``source_grid`` (N + 1 values). An approximation."""
    if not isinstance(graph, Graph):
        raise TypeError("graph must be a lemica.Graph")
    source = _doubles(source_grid, "source_grid")
    target = _doubles(target_grid, "target_grid")
    # The graph is read under its lock (shared), like a solve's.
    with graph._shared() as address:
        return Graph._adopt(new_handle(optional("lemica_graph_transfer"),
                                       address, source, len(source), target,
                                       len(target)))
