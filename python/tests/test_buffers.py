# SPDX-License-Identifier: MIT
"""numpy arrays and torch tensors reach the C kernels without copies."""

import unittest

import numpy as np

import support
import lemica
from lemica import Dtype

if support.HAVE_TORCH:
    import torch


def data_address(array):
    return array.__array_interface__["data"][0]


def to_bf16_bits(values):
    """bfloat16 bits of float32 values, rounded to nearest even."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def from_bf16_bits(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


class NumpyBufferTest(unittest.TestCase):
    def test_contiguous_arrays_are_not_copied(self):
        for dtype, expected in ((np.float32, Dtype.F32), (np.float64, Dtype.F64),
                                (np.float16, Dtype.F16)):
            array = np.arange(24, dtype=dtype).reshape(2, 3, 4)
            with self.subTest(dtype=dtype):
                buffer = lemica.as_buffer(array)
                self.assertEqual(buffer.address, data_address(array))
                self.assertEqual(buffer.address, array.ctypes.data)
                self.assertIs(buffer.owner, array)
                self.assertFalse(buffer.copied)
                self.assertEqual((buffer.count, buffer.dtype), (24, expected))

    def test_the_c_call_receives_the_array_address(self):
        # Intercept the ctypes function object the binding calls, to see
        # the very pointers that cross into C.
        cdll = lemica._core.lib()
        original = cdll.lemica_metric_compute
        seen = []

        def spy(metric, a, b, count, dtype, out):
            seen.append((a, b, count, dtype))
            return original(metric, a, b, count, dtype, out)

        a = np.linspace(0, 1, 1000, dtype=np.float32)
        b = np.zeros(1000, np.float32)
        cdll.lemica_metric_compute = spy
        try:
            lemica.metric_compute(a, b)
        finally:
            cdll.lemica_metric_compute = original
        self.assertEqual(seen, [(a.ctypes.data, b.ctypes.data, 1000, int(Dtype.F32))])

    def test_contiguous_view_keeps_its_offset(self):
        base = np.zeros((10, 16), np.float32)
        row = base[3]
        buffer = lemica.as_buffer(row)
        self.assertEqual(buffer.address, base.ctypes.data + 3 * 16 * 4)
        self.assertFalse(buffer.copied)

    def test_non_contiguous_is_refused_unless_copy_allowed(self):
        base = np.arange(64, dtype=np.float32).reshape(8, 8)
        for view in (base.T, base[:, ::2], np.asfortranarray(base)):
            with self.subTest(strides=view.strides):
                with self.assertRaises(lemica.UnsupportedBufferError) as caught:
                    lemica.as_buffer(view)
                self.assertIn("allow_copy", str(caught.exception))
                buffer = lemica.as_buffer(view, allow_copy=True)
                self.assertTrue(buffer.copied)
                self.assertNotEqual(buffer.address, data_address(base))
                np.testing.assert_array_equal(buffer.owner, view)

    def test_strided_metric_equals_contiguous_metric(self):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((32, 32)).astype(np.float32)
        b = rng.standard_normal((32, 32)).astype(np.float32)
        self.assertEqual(lemica.metric_compute(a.T, b.T, allow_copy=True),
                         lemica.metric_compute(np.ascontiguousarray(a.T),
                                               np.ascontiguousarray(b.T)))

    def test_byte_swapped_is_refused_unless_copy_allowed(self):
        swapped = np.arange(8, dtype=np.float32).astype(">f4" if np.little_endian else "<f4")
        with self.assertRaises(lemica.UnsupportedBufferError):
            lemica.as_buffer(swapped)
        buffer = lemica.as_buffer(swapped, allow_copy=True)
        self.assertTrue(buffer.copied)
        self.assertEqual(lemica.metric_compute(swapped, np.zeros(8, np.float32).astype(
            swapped.dtype), allow_copy=True), np.mean(np.arange(8)))

    def test_bfloat16_as_raw_uint16(self):
        rng = np.random.default_rng(2)
        a = to_bf16_bits(rng.standard_normal(1000))
        b = to_bf16_bits(rng.standard_normal(1000))
        buffer = lemica.as_buffer(a, dtype=Dtype.BF16)
        self.assertEqual(buffer.address, data_address(a))
        self.assertEqual(buffer.dtype, Dtype.BF16)
        expected = np.mean(np.abs(from_bf16_bits(a).astype(np.float64)
                                  - from_bf16_bits(b).astype(np.float64)))
        self.assertAlmostEqual(lemica.metric_compute(a, b, dtype=Dtype.BF16), expected,
                               delta=1e-12)
        with self.assertRaises(lemica.UnsupportedBufferError):
            lemica.as_buffer(a)  # uint16 needs the explicit dtype

    def test_unsupported_inputs(self):
        with self.assertRaises(lemica.UnsupportedBufferError):
            lemica.as_buffer(np.arange(4))  # int64
        with self.assertRaises(lemica.UnsupportedBufferError):
            lemica.as_buffer(np.zeros(0, np.float32))
        with self.assertRaises(lemica.UnsupportedBufferError):
            lemica.as_buffer(np.zeros(4, np.float32), dtype=Dtype.F64)
        with self.assertRaises(lemica.UnsupportedBufferError) as caught:
            lemica.metric_compute(np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32))
        self.assertIn("shape", str(caught.exception))
        with self.assertRaises(lemica.UnsupportedBufferError):
            lemica.metric_compute(np.zeros(3, np.float32), np.zeros(3, np.float64))

    def test_profiler_reads_float16_in_place(self):
        a = np.full(256, 0.5, np.float16)
        b = np.zeros(256, np.float16)
        with lemica.Profiler(6, 3) as profiler:
            profiler.add_buffers(0, 3, a, b)
            self.assertEqual(profiler.edge_stats(0, 3).mean, 0.5)


@unittest.skipUnless(support.HAVE_TORCH, support.NO_TORCH)
class TorchBufferTest(unittest.TestCase):
    def test_tensors_are_read_through_data_ptr(self):
        for dtype, expected in ((torch.float32, Dtype.F32), (torch.float64, Dtype.F64),
                                (torch.float16, Dtype.F16), (torch.bfloat16, Dtype.BF16)):
            tensor = torch.linspace(-1, 1, 60).reshape(3, 20).to(dtype)
            with self.subTest(dtype=dtype):
                buffer = lemica.as_buffer(tensor)
                self.assertEqual(buffer.address, tensor.data_ptr())
                self.assertIs(buffer.owner, tensor)
                self.assertEqual((buffer.count, buffer.dtype, buffer.copied),
                                 (60, expected, False))

    def test_bfloat16_tensor_metric_matches_float64(self):
        torch.manual_seed(0)
        a = torch.randn(4, 64, 64).to(torch.bfloat16)
        b = torch.randn(4, 64, 64).to(torch.bfloat16)
        expected = (a.double() - b.double()).abs().mean().item()
        self.assertAlmostEqual(lemica.metric_compute(a, b), expected, delta=1e-12)
        # The same bits as a raw uint16 numpy array give the same result.
        bits_a = a.view(torch.int16).numpy().view(np.uint16)
        bits_b = b.view(torch.int16).numpy().view(np.uint16)
        self.assertEqual(lemica.metric_compute(bits_a, bits_b, dtype=Dtype.BF16),
                         lemica.metric_compute(a, b))

    def test_non_contiguous_tensor(self):
        tensor = torch.randn(16, 16)
        with self.assertRaises(lemica.UnsupportedBufferError):
            lemica.as_buffer(tensor.t())
        buffer = lemica.as_buffer(tensor.t(), allow_copy=True)
        self.assertTrue(buffer.copied)
        self.assertNotEqual(buffer.address, tensor.data_ptr())

    def test_unsupported_tensor_dtype(self):
        with self.assertRaises(lemica.UnsupportedBufferError):
            lemica.as_buffer(torch.arange(4))

    def test_profiler_with_tensors(self):
        a = torch.full((128,), 0.25, dtype=torch.float16)
        b = torch.zeros(128, dtype=torch.float16)
        with lemica.Profiler(6, 3) as profiler:
            profiler.add_buffers(1, 4, a, b)
            self.assertEqual(profiler.edge_stats(1, 4).mean, 0.25)


if __name__ == "__main__":
    unittest.main()
