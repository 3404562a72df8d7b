# SPDX-License-Identifier: MIT
"""Graph, schedule and profile files with their metadata (lemica-file.h,
lemica-metadata.h).

The file formats are versioned UTF-8 text that round-trips every double
bit for bit; saving is atomic. Metadata (model, sampler, anything the user
adds) is an ordered ``dict`` of str to str on the Python side; keys the
library does not know survive a load and a save unchanged.

The classes expose these as methods: ``Graph.load``, ``Graph.loads``,
``graph.save``, ``graph.dumps`` (and the same for Schedule and Profiler);
``*_with_metadata`` variants also return the file's metadata.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from typing import Callable, Dict, Iterator, Mapping, Optional, Tuple, Union

from ._core import Handle, c_string, check, lib, new_handle, using
from ._library import decode

Metadata = Mapping[str, str]
PathLike = Union[str, "os.PathLike[str]"]


class _MetadataHandle(Handle):
    """A lemica_metadata list, alive only for the duration of one call."""

    _free_name = "lemica_metadata_free"
    _kind = "metadata"
    __slots__ = ()

    def __init__(self, entries: Optional[Metadata] = None) -> None:
        super().__init__(new_handle(lib().lemica_metadata_new))
        try:
            with self._exclusive() as address:
                for key, value in (entries or {}).items():
                    check(lib().lemica_metadata_set(
                        address, c_string(key, "metadata key"),
                        c_string(value, f"metadata value of {key!r}")))
        except BaseException:
            self.close()
            raise

    def to_dict(self) -> Dict[str, str]:
        cdll = lib()
        with self._shared() as address:
            return {decode(cdll.lemica_metadata_key(address, index)):
                    decode(cdll.lemica_metadata_value(address, index))
                    for index in range(cdll.lemica_metadata_count(address))}


@contextlib.contextmanager
def _metadata_in(entries: Optional[Metadata]) -> Iterator[Optional[_MetadataHandle]]:
    if not entries:
        yield None
        return
    with _MetadataHandle(entries) as handle:
        yield handle


def dumps(formatter_name: str, owner: Handle, metadata: Optional[Metadata]) -> str:
    """Run a ``lemica_X_format`` function with the size-query protocol."""
    formatter: Callable[..., int] = getattr(lib(), formatter_name)
    with _metadata_in(metadata) as handle, \
            using((owner, False), (handle, False)) as (address, meta):
        length = ctypes.c_size_t()
        check(formatter(address, meta, None, 0, ctypes.byref(length)))
        buffer = ctypes.create_string_buffer(length.value + 1)
        check(formatter(address, meta, buffer, len(buffer), ctypes.byref(length)))
    return buffer.raw[:length.value].decode("utf-8")


def save(saver_name: str, owner: Handle, path: PathLike,
         metadata: Optional[Metadata]) -> None:
    """Run a ``lemica_X_save`` function (atomic in the library)."""
    encoded = c_string(path, "path", path=True)
    with _metadata_in(metadata) as handle, \
            using((owner, False), (handle, False)) as (address, meta):
        check(getattr(lib(), saver_name)(address, meta, encoded))


def load(loader_name: str, leading: tuple, with_metadata: bool) -> Tuple[int, Dict[str, str]]:
    """Run a ``lemica_X_load``/``_parse`` function; returns the new handle's
    address (the caller adopts it) and the metadata if asked for."""
    with _MetadataHandle() as handle:
        with handle._exclusive() as meta:
            address = new_handle(getattr(lib(), loader_name), *leading,
                                 meta if with_metadata else None)
        return address, (handle.to_dict() if with_metadata else {})


def path_argument(path: PathLike) -> bytes:
    """A path for the C library: encoded as the OS does, NUL refused."""
    return c_string(path, "path", path=True)


def text_arguments(text: Union[str, bytes]) -> tuple:
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    return (data, len(data))
