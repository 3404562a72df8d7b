# SPDX-License-Identifier: MIT
"""Loading libLeMiCa with cffi in ABI mode, straight from the public headers.

The public headers promise to be FFI-friendly: scalars, enums, opaque
handles, pointer + length pairs, one callback type. This module turns them
into a cffi ``cdef`` without a C compiler or preprocessor: it follows the
``#include`` lines of ``lemica.h``, drops comments, preprocessor lines and
the ``LEMICA_API`` marker, skips the ``extern "C"`` wrappers, keeps integer
``#define`` constants (cffi accepts ``#define NAME 42``), and expands the
status X-macro into enum items. The result declares every public
function, so

>>> ffi, lib = load_cffi()                       # doctest: +SKIP
>>> lib.lemica_version_number()                  # doctest: +SKIP
100

needs only ``cffi`` at run time (``apt-get install python3-cffi``).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from typing import Any, Dict, List, Optional, Tuple

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
_DEFINE_INT = re.compile(r"^\s*#\s*define\s+([A-Z][A-Z0-9_]*)\s+(.+?)\s*$")
_STATUS_ITEM = re.compile(r'X\(\s*([A-Z0-9_]+)\s*,\s*(-?\d+)\s*,')


def find_include_dir() -> str:
    """The directory holding ``lemica/lemica.h``.

    Tried in order: ``LEMICA_INCLUDE_DIR``; the ``include/`` of the source
    tree the package sits in; pkg-config's include path for ``lemica``.
    """
    tried: List[str] = []
    candidates: List[str] = []
    env = os.environ.get("LEMICA_INCLUDE_DIR")
    if env:
        candidates.append(env)
    package_dir = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(package_dir)), "include"))
    try:
        flags = subprocess.run(["pkg-config", "--cflags-only-I", "lemica"],
                               capture_output=True, text=True, timeout=10,
                               check=True).stdout.split()
        candidates.extend(flag[2:] for flag in flags if flag.startswith("-I"))
    except (OSError, subprocess.SubprocessError):
        tried.append("pkg-config lemica: not available")
    for candidate in candidates:
        if os.path.isfile(os.path.join(candidate, "lemica", "lemica.h")):
            return candidate
        tried.append(f"{candidate}: no lemica/lemica.h")
    raise FileNotFoundError("libLeMiCa headers not found; set LEMICA_INCLUDE_DIR. Tried: "
                            + "; ".join(tried))


def _strip_comments(text: str) -> str:
    text = text.replace("\\\n", " ")  # join continued macro lines first
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _evaluate(expression: str, constants: Dict[str, int]) -> Optional[int]:
    """An integer constant expression over known macros, or None."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return None

    def value(node: ast.AST) -> int:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name) and node.id in constants:
            return constants[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            return left * right
        raise ValueError("not an integer constant expression")

    try:
        return value(tree)
    except ValueError:
        return None


_FUNCTION_NAME = re.compile(r"\b(lemica_[a-z0-9_]+)\s*\(")


def public_cdef(include_dir: Optional[str] = None) -> str:
    """The cffi ``cdef`` text of the public API, from the headers."""
    return _read_headers(include_dir)[0]


def declared_functions(include_dir: Optional[str] = None) -> Dict[str, str]:
    """Every public function name -> the header that declares it."""
    return _read_headers(include_dir)[1]


def _read_headers(include_dir: Optional[str]) -> Tuple[str, Dict[str, str]]:
    include_dir = include_dir or find_include_dir()
    seen: List[str] = []
    declarations: List[str] = []
    functions: Dict[str, str] = {}
    constants: Dict[str, int] = {}
    status_items: List[Tuple[str, int]] = []

    def process(name: str) -> None:
        if name in seen:
            return
        seen.append(name)
        path = os.path.join(include_dir, "lemica", name)
        with open(path, encoding="utf-8") as stream:
            text = _strip_comments(stream.read())
        skipping_cplusplus = 0
        own_text: List[str] = []
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped.startswith("#"):
                directive = stripped[1:].strip()
                if skipping_cplusplus:
                    if directive.startswith("if"):
                        skipping_cplusplus += 1
                    elif directive.startswith("endif"):
                        skipping_cplusplus -= 1
                    continue
                if directive.startswith("ifdef __cplusplus"):
                    skipping_cplusplus = 1
                    continue
                included = _INCLUDE.match(stripped)
                if included:
                    process(included.group(1))
                    continue
                if directive.startswith("define LEMICA_STATUS_LIST"):
                    status_items.extend((item, int(number)) for item, number
                                        in _STATUS_ITEM.findall(directive))
                    continue
                defined = _DEFINE_INT.match(stripped)
                if defined and "(" not in defined.group(1):
                    number = _evaluate(defined.group(2), constants)
                    if number is not None:
                        constants[defined.group(1)] = number
                        declarations.append(f"#define {defined.group(1)} {number}")
                continue
            if skipping_cplusplus:
                continue
            own_text.append(line)
            declarations.append(line.replace("LEMICA_API", ""))
        # A declaration may span lines ("LEMICA_API lemica_status\n
        # lemica_x(...)"), so look for names statement by statement.
        for statement in " ".join(own_text).split(";"):
            if "LEMICA_API" in statement:
                found = _FUNCTION_NAME.search(statement)
                if found:
                    functions.setdefault(found.group(1), name)

    process("lemica.h")
    if not status_items:
        raise ValueError("LEMICA_STATUS_LIST not found in the headers")
    cdef = "\n".join(declarations)
    enum_items = ", ".join(f"{item} = {number}" for item, number in status_items)
    cdef = cdef.replace("LEMICA_STATUS_LIST(LEMICA_STATUS_ENUM_ITEM_)", enum_items)
    return re.sub(r"\n\s*\n+", "\n", cdef), functions


def load_cffi(library_path: Optional[str] = None,
              include_dir: Optional[str] = None) -> Tuple[Any, Any]:
    """``(ffi, lib)`` for libLeMiCa in cffi ABI mode.

    ``library_path`` defaults to the library the ctypes binding finds (see
    :mod:`lemica._library` for the lookup order).
    """
    import cffi

    if library_path is None:
        from ._library import library_path as found_library_path
        library_path = found_library_path()
    ffi = cffi.FFI()
    ffi.cdef(public_cdef(include_dir))
    return ffi, ffi.dlopen(library_path)
