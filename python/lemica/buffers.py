# SPDX-License-Identifier: MIT
"""Handing tensors to the C metric kernels without copying them.

The kernels read ``count`` elements of one dtype at an address, native
byte order, any alignment. :func:`as_buffer` turns an array into that
address without copying it when the memory already has that form:

* numpy arrays of float32, float64 and float16 (any shape) that are
  C-contiguous and in native byte order: the kernels read the array's own
  memory (``arr.ctypes.data``);
* bfloat16 data as a raw ``uint16`` (or ``int16``) numpy array holding the
  bits, with ``dtype=Dtype.BF16`` given explicitly (numpy has no bfloat16;
  a numpy dtype named ``bfloat16``, as ml_dtypes registers, is recognised
  too);
* torch CPU tensors of float32, float64, float16 and bfloat16 that are
  contiguous: the kernels read ``tensor.data_ptr()``. GPU tensors are
  refused: compute the error on the GPU and pass the number to
  ``Profiler.add_error``.

**Non-contiguous input** (a transposed or strided view, Fortran order) is
*refused* by default with :class:`~lemica.errors.UnsupportedBufferError`,
because a silent copy of a large latent costs memory and time the caller
did not ask for. Pass ``allow_copy=True`` to have the binding make one
C-contiguous copy instead; the copy lives until the call returns.
Non-native byte order is handled the same way.

Two buffers compared by a metric must have the same shape: the kernels
pair elements by position, and equal counts with different shapes would
pair unrelated elements.
"""

from __future__ import annotations

import enum
from typing import Any, NamedTuple, Optional, Tuple


class Dtype(enum.IntEnum):
    """Element types of buffers (lemica_dtype)."""

    F32 = 0  #: IEEE binary32
    F64 = 1  #: IEEE binary64
    F16 = 2  #: IEEE binary16 (numpy float16, torch.float16)
    BF16 = 3  #: bfloat16 (torch.bfloat16; raw uint16 bits in numpy)


_NUMPY_FLOAT_KINDS = {"float32": Dtype.F32, "float64": Dtype.F64, "float16": Dtype.F16,
                      "bfloat16": Dtype.BF16}
_RAW_BF16_KINDS = ("uint16", "int16")


class Buffer(NamedTuple):
    """Memory the C kernels can read.

    Attributes:
        address: the first element's address.
        count: the number of elements.
        dtype: their type.
        shape: the array's shape (for pairing checks).
        owner: the object that owns the memory; keep it alive while the
            address is in use (a copy when one was made).
        copied: whether the binding had to copy the input.
    """

    address: int
    count: int
    dtype: Dtype
    shape: Tuple[int, ...]
    owner: Any
    copied: bool


def _is_torch_tensor(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    return module.startswith("torch") and hasattr(obj, "data_ptr") and hasattr(obj, "dtype")


def _torch_buffer(tensor: Any, dtype: Optional[Dtype], allow_copy: bool) -> Buffer:
    import torch  # only reached with a torch tensor in hand

    kinds = {torch.float32: Dtype.F32, torch.float64: Dtype.F64,
             torch.float16: Dtype.F16, torch.bfloat16: Dtype.BF16}
    if tensor.device.type != "cpu":
        raise _unsupported(f"a torch tensor on {tensor.device} cannot be read by the "
                           "CPU kernels; compute the error on the device and pass it "
                           "to Profiler.add_error(), or move the tensor with .cpu()")
    found = kinds.get(tensor.dtype)
    if found is None:
        raise _unsupported(f"torch dtype {tensor.dtype} is not supported; use float32, "
                           "float64, float16 or bfloat16")
    if dtype is not None and Dtype(dtype) != found:
        raise _unsupported(f"dtype {Dtype(dtype).name} given for a {tensor.dtype} tensor")
    copied = False
    if not tensor.is_contiguous():
        if not allow_copy:
            raise _unsupported("the torch tensor is not contiguous; call .contiguous() "
                               "or pass allow_copy=True")
        tensor = tensor.contiguous()
        copied = True
    count = tensor.numel()
    if count == 0:
        raise _unsupported("the tensor is empty")
    return Buffer(tensor.data_ptr(), count, found, tuple(tensor.shape), tensor, copied)


def _numpy_buffer(obj: Any, dtype: Optional[Dtype], allow_copy: bool) -> Buffer:
    import numpy

    array = obj if isinstance(obj, numpy.ndarray) else numpy.asarray(obj)
    name = array.dtype.name
    if name in _RAW_BF16_KINDS:
        if dtype is None or Dtype(dtype) != Dtype.BF16:
            raise _unsupported(f"a {name} array is only accepted as raw bfloat16 bits: "
                               "pass dtype=Dtype.BF16")
        found = Dtype.BF16
    elif name in _NUMPY_FLOAT_KINDS:
        found = _NUMPY_FLOAT_KINDS[name]
        if dtype is not None and Dtype(dtype) != found:
            raise _unsupported(f"dtype {Dtype(dtype).name} given for a {name} array")
    else:
        raise _unsupported(f"numpy dtype {array.dtype} is not supported; use float32, "
                           "float64, float16, or uint16 bits with dtype=Dtype.BF16")
    copied = False
    if not array.dtype.isnative:
        if not allow_copy:
            raise _unsupported("the array is not in native byte order; pass "
                               "allow_copy=True to convert it")
        array = array.astype(array.dtype.newbyteorder("="))
        copied = True
    if not array.flags.c_contiguous:
        if not allow_copy:
            raise _unsupported("the array is not C-contiguous (a strided or transposed "
                               "view); pass allow_copy=True to copy it, or use "
                               "numpy.ascontiguousarray()")
        array = numpy.ascontiguousarray(array)
        copied = True
    if array.size == 0:
        raise _unsupported("the array is empty")
    return Buffer(array.ctypes.data, int(array.size), found, tuple(array.shape), array, copied)


def _unsupported(message: str) -> Exception:
    from .errors import UnsupportedBufferError
    return UnsupportedBufferError(message)


def as_buffer(obj: Any, dtype: Optional[Dtype] = None, allow_copy: bool = False) -> Buffer:
    """Describe ``obj``'s memory for the C kernels, copying only if allowed.

    Args:
        obj: a numpy array, a torch CPU tensor, or anything
            ``numpy.asarray`` accepts (which may copy: lists, for example).
        dtype: the element type; required for raw bfloat16 bits, checked
            against the array's own type otherwise.
        allow_copy: copy non-contiguous or byte-swapped input instead of
            refusing it.

    Raises:
        UnsupportedBufferError: unsupported dtype, device or layout.
    """
    if _is_torch_tensor(obj):
        return _torch_buffer(obj, dtype, allow_copy)
    return _numpy_buffer(obj, dtype, allow_copy)


def buffer_pair(a: Any, b: Any, dtype: Optional[Dtype], allow_copy: bool) -> Tuple[Buffer, Buffer]:
    """Two buffers of the same dtype and shape, as the metric needs."""
    first = as_buffer(a, dtype, allow_copy)
    second = as_buffer(b, dtype, allow_copy)
    if first.dtype != second.dtype:
        raise _unsupported(f"the buffers differ in dtype: {first.dtype.name} and "
                           f"{second.dtype.name}")
    if first.shape != second.shape:
        raise _unsupported(f"the buffers differ in shape: {first.shape} and {second.shape}")
    return first, second


__all__ = ["Buffer", "Dtype", "as_buffer", "buffer_pair"]
