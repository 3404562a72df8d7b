# SPDX-License-Identifier: MIT
"""pip wheel . gives a working lemica with the library inside (issue 13,
point 1).

Builds the wheel offline from a copy of the source tree
(``pip wheel --no-build-isolation --no-deps --no-index``, the meson-python
backend of pyproject.toml), installs it into a fresh venv that sees the
system's numpy (``--system-site-packages``), deletes the copy, and from an
empty directory, with no LEMICA_LIBRARY and no PYTHONPATH, imports lemica,
solves a graph and checks that the library it loaded is the one inside the
installed package. Also checks that the wheel holds every module of
python/lemica and nothing of a normal install (headers, pkg-config,
static library).

Exit status 77 (meson's "skipped") when python3-mesonpy, python3-pip or
python3-venv is missing.
"""

import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = 77

CHECK_INSTALLED = textwrap.dedent('''
    import os, sys, threading
    assert "LEMICA_LIBRARY" not in os.environ
    import lemica
    package = os.path.dirname(os.path.realpath(lemica.__file__))
    library = os.path.realpath(lemica.library_path())
    assert os.path.realpath(sys.prefix) in package, (package, sys.prefix)
    assert os.path.dirname(library) == package, (library, package)
    with lemica.Graph(8, 4) as graph, lemica.Solver() as solver:
        graph[1, 4] = 0.1
        graph[4, 7] = 0.2
        with solver.solve(graph, budget=4) as schedule:
            steps = schedule.format_steps()
    assert steps == "0,1,4,7", steps
    print("version", lemica.version())
    print("library", library)
    print("steps", steps)
''')


def run(command, **kwargs):
    print("$", " ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        sys.stdout.write(result.stderr)
        raise SystemExit(f"failed with status {result.returncode}: {' '.join(command)}")
    return result.stdout


def header_version():
    with open(os.path.join(SOURCE_ROOT, "include", "lemica", "lemica-version.h"),
              encoding="utf-8") as stream:
        text = stream.read()
    return ".".join(re.search(rf"#define LEMICA_VERSION_{part} (\d+)", text).group(1)
                    for part in ("MAJOR", "MINOR", "PATCH"))


def main():
    missing = [module for module in ("mesonpy", "pip", "venv", "ensurepip")
               if importlib.util.find_spec(module) is None]
    if missing:
        print("skipped: no " + ", ".join(missing) + " for " + sys.executable +
              " (apt-get install python3-mesonpy python3-pip python3-venv)")
        return SKIP
    env = {key: value for key, value in os.environ.items()
           if key not in ("LEMICA_LIBRARY", "LEMICA_INCLUDE_DIR", "PYTHONPATH",
                          "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_NO_INDEX"] = "1"  # offline: nothing may come from a package index
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    with tempfile.TemporaryDirectory(prefix="lemica-wheel-") as work:
        # A copy, so the build leaves nothing in the source tree
        # (meson-python writes .mesonpy-* next to pyproject.toml).
        source = os.path.join(work, "source")
        shutil.copytree(SOURCE_ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
            ".git", "build*", ".mesonpy*", "__pycache__", "*.pyc", "lemica-demo-out"))
        wheels = os.path.join(work, "wheels")
        run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
             "--no-index", "-w", wheels, source], env=env, cwd=work)
        found = glob.glob(os.path.join(wheels, "lemica-*.whl"))
        assert len(found) == 1, found
        wheel = found[0]

        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
        modules = sorted(name for name in names if name.endswith(".py"))
        expected = sorted("lemica/" + os.path.basename(path) for path in
                          glob.glob(os.path.join(SOURCE_ROOT, "python", "lemica", "*.py")))
        assert modules == expected, ("python/meson.build's list of modules differs from "
                                     f"python/lemica/*.py: {modules} != {expected}")
        assert "lemica/libLeMiCa.so" in names, names
        strays = [name for name in names if not name.startswith(("lemica/", "lemica-"))
                  or name.endswith((".a", ".h", ".pc", ".cmake"))]
        assert not strays, f"the wheel holds more than the package: {strays}"
        version = header_version()
        assert os.path.basename(wheel).startswith(f"lemica-{version}-"), \
            f"pyproject.toml's version is not the header's {version}: {wheel}"

        venv = os.path.join(work, "venv")
        run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv],
            env=env)
        python = os.path.join(venv, "bin", "python")
        # The system's pip, run by the venv's interpreter, installs into the venv.
        run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], env=env,
            cwd=work)
        shutil.rmtree(source)  # no build tree left to find

        empty = os.path.join(work, "empty")
        os.mkdir(empty)
        output = run([python, "-c", CHECK_INSTALLED], env=env, cwd=empty)
        print(output, end="")
        assert f"version {version}" in output, output
        assert os.path.realpath(venv) in output, output
    print("ok: the wheel installs and works on its own")
    return 0


if __name__ == "__main__":
    sys.exit(main())
