/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-version.h
 * @brief Export macro, compile-time version macros and the runtime version
 *        query.
 */
#ifndef LEMICA_VERSION_H
#define LEMICA_VERSION_H

/**
 * @defgroup version Version and export
 * @brief Which libLeMiCa the program was compiled against and which one it
 *        runs with.
 *
 * The macros describe the header the program was compiled with; the
 * functions describe the library loaded at run time. A program (or a
 * binding loaded through ctypes/cffi) compares the two to refuse a library
 * that is too old:
 *
 * @code
 * if (lemica_version_number() < LEMICA_VERSION_NUMBER)
 *     fprintf(stderr, "libLeMiCa %s is older than %s\n",
 *             lemica_version_string(), LEMICA_VERSION_STRING);
 * @endcode
 * @{
 */

/**
 * @brief Marks a declaration as part of the exported ABI.
 *
 * The library is built with hidden visibility by default; only
 * declarations carrying this macro (and listed in the linker version
 * script) are exported.
 */
#if defined(_WIN32) && defined(LEMICA_BUILDING_DLL)
#define LEMICA_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define LEMICA_API __attribute__((visibility("default")))
#else
#define LEMICA_API
#endif

/* These three lines are read by meson.build: keep the form
 * "#define LEMICA_VERSION_<PART> <number>". */
/** @brief Major version: incremented on an incompatible API or ABI change. */
#define LEMICA_VERSION_MAJOR 0
/** @brief Minor version: incremented when functionality is added. */
#define LEMICA_VERSION_MINOR 2
/** @brief Patch version: incremented for fixes that change no interface. */
#define LEMICA_VERSION_PATCH 0

/** @brief The version as one comparable number: MAJOR*10000 + MINOR*100 + PATCH. */
#define LEMICA_VERSION_NUMBER \
    (LEMICA_VERSION_MAJOR * 10000 + LEMICA_VERSION_MINOR * 100 + LEMICA_VERSION_PATCH)

/** @cond LEMICA_INTERNAL */
#define LEMICA_STRINGIFY_(x) #x
#define LEMICA_STRINGIFY(x) LEMICA_STRINGIFY_(x)
/** @endcond */

/** @brief The version as a string, "MAJOR.MINOR.PATCH". */
#define LEMICA_VERSION_STRING                                                 \
    LEMICA_STRINGIFY(LEMICA_VERSION_MAJOR)                                    \
    "." LEMICA_STRINGIFY(LEMICA_VERSION_MINOR) "." LEMICA_STRINGIFY(          \
        LEMICA_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The version of the library loaded at run time.
 * @return MAJOR*10000 + MINOR*100 + PATCH of the running library.
 * @since 0.1
 */
LEMICA_API unsigned lemica_version_number(void);

/**
 * @brief The version of the library loaded at run time, as text.
 * @return A static string "MAJOR.MINOR.PATCH"; never NULL.
 * @since 0.1
 */
LEMICA_API const char *lemica_version_string(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_VERSION_H */
