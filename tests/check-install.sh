#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install the build into a temporary destdir and use it the way a packager
# and an application would: headers under the versioned include directory,
# the shared library with its soname and symlinks, the static library, the
# pkg-config file; then compile examples/hello.c with nothing but
# `pkg-config --cflags --libs lemica` and run it, linked dynamically and
# statically.
#
# usage: check-install.sh KEY=VALUE...
#   builddir=  sourcedir=  prefix=  libdir=  includedir=  version=
#   soversion=  default_library=both|shared|static  cc=  sanitize=none|...
# MESON names the meson to run (default: meson).
set -euo pipefail

builddir= sourcedir= prefix= libdir= includedir= version= soversion=
default_library=both cc=cc sanitize=none
for arg in "$@"; do
    case $arg in
    builddir=* | sourcedir=* | prefix=* | libdir=* | includedir=* | \
        version=* | soversion=* | default_library=* | cc=* | sanitize=*)
        declare "${arg%%=*}=${arg#*=}"
        ;;
    *)
        echo "$0: unknown argument '$arg'" >&2
        exit 2
        ;;
    esac
done
for required in builddir sourcedir prefix libdir includedir version soversion; do
    if [ -z "${!required}" ]; then
        echo "$0: missing $required=" >&2
        exit 2
    fi
done
meson=${MESON:-meson}
readelf=${READELF:-readelf}
# The compiler may be a command with arguments ("ccache gcc").
read -r -a cc_command <<<"$cc"

# libdir and includedir may be relative to the prefix or absolute.
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac

destdir=$(mktemp -d "${TMPDIR:-/tmp}/lemica-install.XXXXXX")
trap 'rm -rf "$destdir"' EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
pass() {
    echo "ok: $*"
}

# meson test builds only what tests use; the static library, the tool and
# the docs may not exist yet. Build them as a step of its own, so that a
# build failure is reported as one, then install exactly what was built.
echo "building $builddir"
"$meson" compile -C "$builddir" >"$destdir/compile.log" 2>&1 || {
    cat "$destdir/compile.log" >&2
    echo "FAIL: meson compile -C $builddir" >&2
    exit 1
}
echo "installing $builddir into $destdir"
"$meson" install -C "$builddir" --no-rebuild --quiet --destdir "$destdir"

# Headers: every public header, byte for byte, under lemica-MAJOR/lemica/.
header_dir=$destdir$includedir/lemica-$soversion/lemica
for header in "$sourcedir"/include/lemica/*.h; do
    name=$(basename "$header")
    if cmp -s "$header" "$header_dir/$name"; then
        pass "header $name"
    else
        fail "header $header_dir/$name missing or different"
    fi
done
for installed in "$header_dir"/*.h; do
    [ -e "$sourcedir/include/lemica/$(basename "$installed")" ] ||
        fail "unexpected installed header $installed"
done

lib_dir=$destdir$libdir
shared_real=libLeMiCa.so.$version
shared_soname=libLeMiCa.so.$soversion

if [ "$default_library" != static ]; then
    if [ -f "$lib_dir/$shared_real" ] && [ ! -L "$lib_dir/$shared_real" ]; then
        pass "$shared_real"
    else
        fail "$lib_dir/$shared_real is missing or not a regular file"
    fi
    soname=$("$readelf" -d "$lib_dir/$shared_real" 2>/dev/null |
        sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
    if [ "$soname" = "$shared_soname" ]; then
        pass "SONAME $soname"
    else
        fail "SONAME of $shared_real is '$soname', expected '$shared_soname'"
    fi
    # The run-time link (soname) and the development link (.so) must be
    # symlinks that end at the real file, so an upgrade replaces one file.
    for link in "$shared_soname" libLeMiCa.so; do
        if [ -L "$lib_dir/$link" ] &&
            [ "$(readlink -f "$lib_dir/$link")" = \
                "$(readlink -f "$lib_dir/$shared_real")" ]; then
            pass "symlink $link -> $(readlink "$lib_dir/$link")"
        else
            fail "$lib_dir/$link is not a symlink to $shared_real"
        fi
    done
fi
if [ "$default_library" != shared ]; then
    if [ -f "$lib_dir/libLeMiCa.a" ]; then
        pass "libLeMiCa.a"
    else
        fail "$lib_dir/libLeMiCa.a is missing"
    fi
fi

pc_dir=$lib_dir/pkgconfig
if [ -f "$pc_dir/lemica.pc" ]; then
    pass "lemica.pc"
else
    fail "$pc_dir/lemica.pc is missing"
fi

# pkg-config as an application sees the installed tree: the sysroot prefix
# maps the .pc file's /usr/local/... paths into the destdir.
run_pkg_config() {
    PKG_CONFIG_PATH=$pc_dir PKG_CONFIG_LIBDIR=$pc_dir \
        PKG_CONFIG_SYSROOT_DIR=$destdir pkg-config "$@"
}
pc_version=$(run_pkg_config --modversion lemica || true)
if [ "$pc_version" = "$version" ]; then
    pass "pkg-config --modversion lemica = $pc_version"
else
    fail "pkg-config --modversion lemica gave '$pc_version', expected '$version'"
fi

# A library built with sanitizers needs the same runtime in the program.
extra_flags=()
if [ "$sanitize" != none ] && [ -n "$sanitize" ]; then
    extra_flags+=("-fsanitize=$sanitize")
fi
read -r -a cflags <<<"$(run_pkg_config --cflags lemica)"
read -r -a libs <<<"$(run_pkg_config --libs lemica)"
read -r -a static_libs <<<"$(run_pkg_config --static --libs lemica)"
work=$destdir/work
mkdir -p "$work"
strict=(-std=c99 -Wall -Wextra -Werror)

check_output() {
    if grep -q '^steps: 0,.*,9 ' "$1" && grep -q '^step 9: compute$' "$1"; then
        return 0
    fi
    cat "$1" >&2
    return 1
}

if [ "$default_library" != static ]; then
    if "${cc_command[@]}" "${strict[@]}" "${extra_flags[@]}" "${cflags[@]}" \
        "$sourcedir/examples/hello.c" -o "$work/hello-shared" "${libs[@]}"; then
        pass "compiled hello.c with pkg-config --cflags --libs lemica"
        if ! "$readelf" -d "$work/hello-shared" | grep -q "NEEDED.*\[$shared_soname\]"; then
            fail "hello-shared does not link $shared_soname"
        elif LD_LIBRARY_PATH=$lib_dir "$work/hello-shared" >"$work/shared.out" &&
            check_output "$work/shared.out"; then
            pass "hello (shared) runs against the installed library"
        else
            fail "hello (shared) failed"
        fi
    else
        fail "hello.c does not compile against the installed tree"
    fi
fi

if [ "$default_library" != shared ]; then
    # pkg-config --static adds the private dependencies (libm); naming the
    # archive itself makes the linker take it even when the .so is beside it.
    static_link=()
    for word in "${static_libs[@]}"; do
        if [ "$word" = -lLeMiCa ]; then
            static_link+=(-l:libLeMiCa.a)
        else
            static_link+=("$word")
        fi
    done
    if "${cc_command[@]}" "${strict[@]}" "${extra_flags[@]}" "${cflags[@]}" \
        "$sourcedir/examples/hello.c" -o "$work/hello-static" \
        "${static_link[@]}"; then
        pass "compiled hello.c with pkg-config --static (${static_link[*]})"
        if "$readelf" -d "$work/hello-static" | grep -q 'NEEDED.*libLeMiCa'; then
            fail "hello-static still needs the shared libLeMiCa"
        elif "$work/hello-static" >"$work/static.out" &&
            check_output "$work/static.out"; then
            pass "hello (static) runs"
        else
            fail "hello (static) failed"
        fi
    else
        fail "hello.c does not link statically against the installed tree"
    fi
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures install check(s) failed" >&2
    exit 1
fi
echo "install checks passed"
