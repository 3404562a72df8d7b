# SPDX-License-Identifier: MIT
"""cffi ABI mode loads the same library from the public headers, with no
compiler, and plans a schedule; the headers also check the ctypes
prototypes of the binding, function by function."""

import ctypes
import unittest

import support  # noqa: F401
import lemica
from lemica import _library
from lemica.cffi_support import declared_functions, load_cffi, public_cdef



class CffiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ffi, cls.lib = load_cffi()

    def test_cdef_is_clean(self):
        cdef = public_cdef()
        self.assertNotIn("#include", cdef)
        self.assertNotIn("LEMICA_API", cdef)
        self.assertNotIn('extern "C"', cdef)
        self.assertIn("LEMICA_ERR_PARSE = -7", cdef)

    def test_constants_and_version(self):
        self.assertEqual(self.lib.lemica_version_number(), lemica.version_number())
        self.assertEqual(self.lib.LEMICA_VERSION_NUMBER, lemica.version_number())
        self.assertEqual(self.lib.LEMICA_MAX_STEPS, lemica.MAX_STEPS)
        self.assertEqual(self.lib.LEMICA_ERR_TOO_LARGE, -13)
        self.assertEqual(self.ffi.string(self.lib.lemica_status_name(-7)), b"LEMICA_ERR_PARSE")

    def test_plan_a_schedule_through_cffi(self):
        ffi, lib = self.ffi, self.lib
        graph_out = ffi.new("lemica_graph **")
        self.assertEqual(lib.lemica_graph_new(20, 5, graph_out), lib.LEMICA_OK)
        graph = ffi.gc(graph_out[0], lib.lemica_graph_free)
        for i in range(20):
            for j in range(i + 2, min(i + 5, 19) + 1):
                self.assertEqual(lib.lemica_graph_set_weight(graph, i, j, (j - i) * 0.01
                                                             + (0.5 if i < 4 else 0.0)), 0)
        solver_out = ffi.new("lemica_solver **")
        self.assertEqual(lib.lemica_solver_new(solver_out), 0)
        solver = ffi.gc(solver_out[0], lib.lemica_solver_free)
        schedule_out = ffi.new("lemica_schedule **")
        self.assertEqual(lib.lemica_solver_solve(solver, graph, 8, schedule_out), 0)
        schedule = ffi.gc(schedule_out[0], lib.lemica_schedule_free)
        steps = ffi.new("int[]", 8)
        count = ffi.new("size_t *")
        self.assertEqual(lib.lemica_schedule_steps(schedule, steps, 8, count), 0)
        # The same problem through the ctypes binding gives the same answer.
        with lemica.Graph(20, 5) as twin, lemica.Solver() as twin_solver:
            for i in range(20):
                for j in range(i + 2, min(i + 5, 19) + 1):
                    twin[i, j] = (j - i) * 0.01 + (0.5 if i < 4 else 0.0)
            with twin_solver.solve(twin, 8) as expected:
                self.assertEqual(tuple(steps[0:count[0]]), expected.steps)
        # Errors come back as status codes with the thread's message.
        status = lib.lemica_graph_set_weight(graph, 0, 19, 1.0)
        self.assertEqual(status, lib.LEMICA_ERR_OUT_OF_RANGE)
        self.assertIn(b"(0, 19)", ffi.string(lib.lemica_last_error_message()))

    def test_user_comparator_callback(self):
        ffi, lib = self.ffi, self.lib

        @ffi.callback("int(const double *, size_t, const double *, size_t, void *)")
        def by_sum(a, a_length, b, b_length, _user):
            left = sum(a[k] for k in range(a_length))
            right = sum(b[k] for k in range(b_length))
            return (left > right) - (left < right)

        graph_out = ffi.new("lemica_graph **")
        lib.lemica_graph_new(10, 4, graph_out)
        graph = ffi.gc(graph_out[0], lib.lemica_graph_free)
        for i in range(10):
            for j in range(i + 2, min(i + 4, 9) + 1):
                lib.lemica_graph_set_weight(graph, i, j, float((i * 7 + j * 3) % 5))
        solver_out = ffi.new("lemica_solver **")
        lib.lemica_solver_new(solver_out)
        solver = ffi.gc(solver_out[0], lib.lemica_solver_free)
        self.assertEqual(lib.lemica_solver_set_user_comparator(solver, by_sum, ffi.NULL), 0)
        self.assertEqual(lib.lemica_solver_comparator(solver), lib.LEMICA_COMPARATOR_USER)
        out = ffi.new("lemica_schedule **")
        self.assertEqual(lib.lemica_solver_solve(solver, graph, 5, out), 0)
        total = ffi.new("double *")
        lib.lemica_schedule_sum_cost(out[0], total)
        lib.lemica_schedule_free(out[0])
        sum_solver = ffi.new("lemica_solver **")
        lib.lemica_solver_new(sum_solver)
        lib.lemica_solver_set_comparator(sum_solver[0], lib.LEMICA_COMPARATOR_SUM)
        lib.lemica_solver_solve(sum_solver[0], graph, 5, out)
        best = ffi.new("double *")
        lib.lemica_schedule_sum_cost(out[0], best)
        lib.lemica_schedule_free(out[0])
        lib.lemica_solver_free(sum_solver[0])
        self.assertEqual(total[0], best[0])

    def test_every_header_function_is_bound(self):
        declared = declared_functions()
        bound = set(_library.PROTOTYPES) | set(_library.OPTIONAL_PROTOTYPES)
        self.assertFalse(bound - set(declared), "bound but not in the headers")
        self.assertFalse(sorted(set(declared) - bound), "declared in the headers but not bound")

    def test_ctypes_prototypes_match_the_headers(self):
        ffi = self.ffi
        checked = 0
        for name, (restype, argtypes) in _library.PROTOTYPES.items():
            with self.subTest(function=name):
                declared = ffi.typeof(getattr(self.lib, name))
                self.assertEqual(len(declared.args), len(argtypes))
                self.assert_same_type(declared.result, restype)
                for c_type, py_type in zip(declared.args, argtypes):
                    self.assert_same_type(c_type, py_type)
                checked += 1
        self.assertGreater(checked, 70)

    def assert_same_type(self, c_type, py_type):
        ffi = self.ffi
        if c_type.kind == "void":
            self.assertIsNone(py_type)
        elif c_type.kind == "enum":
            self.assertIs(py_type, ctypes.c_int)  # enums have the size of int
        elif c_type.kind == "primitive":
            self.assertEqual(ffi.sizeof(c_type), ctypes.sizeof(py_type), c_type.cname)
            floating = c_type.cname in ("double", "float")
            self.assertEqual(floating, py_type in (ctypes.c_double, ctypes.c_float),
                             c_type.cname)
            if not floating:
                signed = py_type(-1).value < 0
                self.assertEqual(signed, not c_type.cname.startswith(("unsigned", "size_t",
                                                                      "uint")), c_type.cname)
        elif c_type.kind == "function":
            self.assertTrue(issubclass(py_type, ctypes._CFuncPtr), c_type.cname)
        elif c_type.kind == "pointer":
            item = c_type.item
            if item.kind == "function":
                self.assertTrue(issubclass(py_type, ctypes._CFuncPtr), c_type.cname)
            elif item.kind in ("struct", "void"):
                self.assertIs(py_type, ctypes.c_void_p, c_type.cname)  # opaque handle
            elif item.kind == "pointer":
                self.assertIs(py_type, ctypes.POINTER(ctypes.c_void_p), c_type.cname)
            elif item.cname == "char":
                self.assertIs(py_type, ctypes.c_char_p, c_type.cname)
            else:
                self.assertTrue(issubclass(py_type, ctypes._Pointer), c_type.cname)
                self.assert_same_type(item, py_type._type_)
        else:
            self.fail(f"unexpected C type {c_type.cname}")


if __name__ == "__main__":
    unittest.main()
