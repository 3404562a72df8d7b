#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build and run a program the way each kind of consumer of libLeMiCa would,
# in a temporary directory:
#   cxx               install this build into a temporary destdir (as
#                     tests/check-install.sh does) and compile cxx/main.cpp
#                     with a C++ compiler and nothing but
#                     `pkg-config --cflags --libs lemica`;
#   cmake             install into a temporary destdir and build cmake/
#                     with CMAKE_PREFIX_PATH at it: find_package(lemica
#                     CONFIG REQUIRED) and the imported targets;
#   meson-subproject  copy meson-subproject/ with the libLeMiCa sources as
#                     subprojects/libLeMiCa and configure it with the
#                     fallback forced, so dependency('lemica') must come from
#                     the subproject, never from an installed copy.
# Each program must print the schedule of examples/hello.c.
#
# usage: check-consumer.sh KIND KEY=VALUE...
#   builddir=  sourcedir=  prefix=  libdir=  includedir=
#   default_library=both|shared|static  cc=  cxx=  sanitize=none|...
# MESON, CMAKE and READELF name the programs to run (default: meson, cmake,
# readelf).
set -euo pipefail

kind=${1:-}
shift || true
case $kind in
cxx | cmake | meson-subproject) ;;
*)
    echo "usage: $0 cxx|cmake|meson-subproject KEY=VALUE..." >&2
    exit 2
    ;;
esac

builddir='' sourcedir='' prefix='' libdir='' includedir=''
default_library=both cc=cc cxx=c++ sanitize=none
for arg in "$@"; do
    case $arg in
    builddir=* | sourcedir=* | prefix=* | libdir=* | includedir=* | \
        default_library=* | cc=* | cxx=* | sanitize=*)
        declare "${arg%%=*}=${arg#*=}"
        ;;
    *)
        echo "$0: unknown argument '$arg'" >&2
        exit 2
        ;;
    esac
done
for required in builddir sourcedir prefix libdir includedir; do
    if [ -z "${!required}" ]; then
        echo "$0: missing $required=" >&2
        exit 2
    fi
done
meson=${MESON:-meson}
cmake=${CMAKE:-cmake}
readelf=${READELF:-readelf}
consumers=$sourcedir/tests/consumers
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/lemica-consumer-$kind.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A library built with sanitizers needs the same runtime in the program.
sanitize_flags=()
if [ "$sanitize" != none ] && [ -n "$sanitize" ]; then
    sanitize_flags+=("-fsanitize=$sanitize")
fi

# The programs print the schedule of examples/hello.c: 5 model calls.
check_output() {
    if grep -qx 'steps: 0,2,4,7,9' "$1"; then
        echo "ok: $2"
        return 0
    fi
    cat "$1" >&2
    echo "FAIL: $2 printed no 'steps: 0,2,4,7,9'" >&2
    return 1
}

# $1 must (needs=yes) or must not (needs=no) load the shared libLeMiCa:
# the imported targets and pkg-config must link the kind they promise.
check_needed() {
    local program=$1 needs=$2 found=no
    if "$readelf" -d "$program" | grep -q 'NEEDED.*\[libLeMiCa\.so'; then
        found=yes
    fi
    if [ "$found" != "$needs" ]; then
        echo "FAIL: $(basename "$program") needs the shared libLeMiCa: $found, expected $needs" >&2
        return 1
    fi
}

# Quiet on success; the whole log when a step fails.
run_logged() {
    local log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "FAIL: $*" >&2
        return 1
    fi
}

# The destdir approach of tests/check-install.sh: meson test builds only
# what tests use, so build everything first, then install exactly that.
install_build() {
    destdir=$work/destdir
    run_logged "$work/compile.log" "$meson" compile -C "$builddir"
    run_logged "$work/install.log" \
        "$meson" install -C "$builddir" --no-rebuild --destdir "$destdir"
    echo "ok: installed $builddir into $destdir"
}

check_cxx() {
    install_build
    local pc_dir=$destdir$libdir/pkgconfig
    local cflags libs
    # The sysroot maps the .pc file's $prefix paths into the destdir.
    cflags=$(PKG_CONFIG_PATH=$pc_dir PKG_CONFIG_LIBDIR=$pc_dir \
        PKG_CONFIG_SYSROOT_DIR=$destdir pkg-config --cflags lemica)
    local -a libs_query=(--libs)
    # A static-only installation needs the archive's dependencies (libm).
    [ "$default_library" != static ] || libs_query+=(--static)
    libs=$(PKG_CONFIG_PATH=$pc_dir PKG_CONFIG_LIBDIR=$pc_dir \
        PKG_CONFIG_SYSROOT_DIR=$destdir pkg-config "${libs_query[@]}" lemica)
    local -a cxx_command cflag_words lib_words
    read -r -a cxx_command <<<"$cxx"
    read -r -a cflag_words <<<"$cflags"
    read -r -a lib_words <<<"$libs"
    # Only the archive is installed in a static-only build; name it so the
    # linker cannot pick a libLeMiCa from the system instead.
    if [ "$default_library" = static ]; then
        local i
        for i in "${!lib_words[@]}"; do
            if [ "${lib_words[$i]}" = -lLeMiCa ]; then
                lib_words[i]=-l:libLeMiCa.a
            fi
        done
    fi
    run_logged "$work/cxx.log" "${cxx_command[@]}" -std=c++11 -pedantic \
        -Wall -Wextra -Werror "${sanitize_flags[@]}" "${cflag_words[@]}" \
        "$consumers/cxx/main.cpp" -o "$work/cxx-consumer" "${lib_words[@]}"
    echo "ok: compiled cxx/main.cpp with pkg-config --cflags --libs lemica"
    if [ "$default_library" = static ]; then
        check_needed "$work/cxx-consumer" no
    else
        check_needed "$work/cxx-consumer" yes
    fi
    LD_LIBRARY_PATH=$destdir$libdir "$work/cxx-consumer" >"$work/cxx.out"
    check_output "$work/cxx.out" "the C++ program runs against the installed library"
}

check_cmake() {
    install_build
    local config_dir=$destdir$libdir/cmake/lemica
    if [ ! -f "$config_dir/lemicaConfig.cmake" ] ||
        [ ! -f "$config_dir/lemicaConfigVersion.cmake" ]; then
        echo "FAIL: no lemicaConfig.cmake and lemicaConfigVersion.cmake in $config_dir" >&2
        return 1
    fi
    echo "ok: $config_dir/lemicaConfig.cmake"
    local -a cc_command
    read -r -a cc_command <<<"$cc"
    local launcher=()
    # "ccache gcc": CMake takes the launcher separately.
    if [ "${#cc_command[@]}" -gt 1 ]; then
        launcher=("-DCMAKE_C_COMPILER_LAUNCHER=${cc_command[*]:0:${#cc_command[@]}-1}")
    fi
    run_logged "$work/cmake-configure.log" "$cmake" \
        -S "$consumers/cmake" -B "$work/cmake-build" \
        -DCMAKE_PREFIX_PATH="$destdir$prefix" \
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
        -DCMAKE_C_COMPILER="${cc_command[-1]}" "${launcher[@]}" \
        -DCMAKE_C_FLAGS="-Wall -Wextra -Werror ${sanitize_flags[*]}" \
        -DCMAKE_EXE_LINKER_FLAGS="${sanitize_flags[*]}"
    # The package must come from the temporary installation.
    if ! grep -q "lemica .* from $config_dir\$" "$work/cmake-configure.log"; then
        cat "$work/cmake-configure.log" >&2
        echo "FAIL: find_package(lemica) did not use $config_dir" >&2
        return 1
    fi
    echo "ok: find_package(lemica CONFIG REQUIRED) found $config_dir"
    run_logged "$work/cmake-build.log" "$cmake" --build "$work/cmake-build"
    echo "ok: built cmake/ against lemica::lemica"
    # No LD_LIBRARY_PATH: CMake links the imported library by its full path
    # and puts its directory in the build RPATH.
    if [ "$default_library" = static ]; then
        check_needed "$work/cmake-build/consumer" no
    else
        check_needed "$work/cmake-build/consumer" yes
    fi
    "$work/cmake-build/consumer" >"$work/cmake.out"
    check_output "$work/cmake.out" "lemica::lemica program runs"
    if [ "$default_library" != shared ]; then
        if [ ! -x "$work/cmake-build/consumer-static" ]; then
            echo "FAIL: no lemica::lemica_static target for $default_library" >&2
            return 1
        fi
        check_needed "$work/cmake-build/consumer-static" no
        "$work/cmake-build/consumer-static" >"$work/cmake-static.out"
        check_output "$work/cmake-static.out" "lemica::lemica_static program runs"
    fi
}

# Every top-level entry of the source tree but version control, meson
# build directories (they hold meson-private/) and subprojects.
copy_sources() {
    local target=$1 entry name
    mkdir -p "$target"
    for entry in "$sourcedir"/* "$sourcedir"/.[!.]*; do
        [ -e "$entry" ] || continue
        name=$(basename "$entry")
        case $name in .git | subprojects) continue ;; esac
        [ -d "$entry/meson-private" ] && continue
        cp -R "$entry" "$target/"
    done
}

check_meson_subproject() {
    local project=$work/project
    mkdir -p "$project/subprojects"
    cp "$consumers/meson-subproject/meson.build" "$consumers/consumer.c" "$project/"
    copy_sources "$project/subprojects/libLeMiCa"
    local -a options=(-Dwerror=true --force-fallback-for=lemica)
    if [ "${#sanitize_flags[@]}" -ne 0 ]; then
        # The consumer is checked the way this build is.
        options+=("-Db_sanitize=$sanitize" -Db_lundef=false)
    fi
    CC=$cc run_logged "$work/setup.log" \
        "$meson" setup "${options[@]}" "$work/build" "$project"
    if ! grep -q 'Executing subproject libLeMiCa' "$work/setup.log"; then
        cat "$work/setup.log" >&2
        echo "FAIL: dependency('lemica') did not use the subproject" >&2
        return 1
    fi
    echo "ok: dependency('lemica') from subprojects/libLeMiCa"
    run_logged "$work/compile.log" "$meson" compile -C "$work/build"
    echo "ok: built the consumer and the subproject"
    "$work/build/consumer" >"$work/meson.out"
    check_output "$work/meson.out" "the consumer runs"
}

case $kind in
cxx) check_cxx ;;
cmake) check_cmake ;;
meson-subproject) check_meson_subproject ;;
esac
