/* SPDX-License-Identifier: MIT */
/* Text sinks, whole-file reads and saves (see file-io-int.h).
 *
 * A save looks first at what is at its path (the rule is stated in
 * lemica-file.h). A regular file, or nothing, is replaced atomically: a
 * new file is written beside the destination (same directory, so the same
 * file system and rename() is atomic), flushed to the disk with fsync()
 * and renamed over the destination, so a crash or a failure at any point
 * leaves either the old file or the new one, never a truncated mix; a
 * symbolic link is followed to the file it finally names, which is the one
 * replaced. On Linux the new file is unnamed (O_TMPFILE) until it is
 * complete, so a killed save leaves nothing; elsewhere it has a short
 * recognisable name that the next save of the same destination removes
 * once its process is gone. FIFOs and character devices are written
 * straight, never replaced by a regular file. Systems without POSIX I/O
 * get the replacing sequence through stdio, without the fsync. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
/* O_TMPFILE. */
#define _GNU_SOURCE
#endif
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#define LEMICA_HAVE_POSIX_IO 1
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#endif
#ifdef _WIN32
#include <windows.h>
#endif

#include "lemica/lemica-file.h"

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "file-io-int.h"
#include "../common/numtext-int.h"

void
lemica_writer_init(struct lemica_writer *writer, lemica_sink_fn sink,
                   void *context)
{
    writer->sink = sink;
    writer->context = context;
    writer->used = 0;
    writer->status = LEMICA_OK;
}

lemica_status
lemica_writer_flush(struct lemica_writer *writer)
{
    if (writer->status == LEMICA_OK && writer->used > 0)
        writer->status =
            writer->sink(writer->context, writer->staging, writer->used);
    writer->used = 0;
    return writer->status;
}

void
lemica_writer_put(struct lemica_writer *writer, const char *data, size_t length)
{
    while (length > 0 && writer->status == LEMICA_OK) {
        size_t room = sizeof(writer->staging) - writer->used;
        size_t chunk = length < room ? length : room;

        memcpy(writer->staging + writer->used, data, chunk);
        writer->used += chunk;
        data += chunk;
        length -= chunk;
        if (writer->used == sizeof(writer->staging))
            lemica_writer_flush(writer);
    }
}

void
lemica_writer_puts(struct lemica_writer *writer, const char *text)
{
    lemica_writer_put(writer, text, strlen(text));
}

void
lemica_writer_int(struct lemica_writer *writer, long value)
{
    char text[24];
    int length = snprintf(text, sizeof(text), "%ld", value);

    lemica_writer_put(writer, text, (size_t)length);
}

void
lemica_writer_double(struct lemica_writer *writer, double value)
{
    char text[LEMICA_DOUBLE_TEXT_SIZE];
    lemica_status status;

    if (writer->status != LEMICA_OK)
        return;
    status = lemica_format_double(value, text, sizeof(text));
    if (status != LEMICA_OK) {
        writer->status = status;
        return;
    }
    lemica_writer_puts(writer, text);
}

struct buffer_sink {
    char *buffer;
    size_t size;
    size_t length;
};

/* Copies what fits before the final NUL and counts everything. */
static lemica_status
buffer_sink_write(void *context, const char *data, size_t length)
{
    struct buffer_sink *sink = context;

    if (sink->buffer && sink->length < sink->size) {
        size_t room = sink->size - 1 - sink->length;
        size_t chunk = length < room ? length : room;

        if (chunk > 0)
            memcpy(sink->buffer + sink->length, data, chunk);
    }
    if (length > (size_t)-1 - sink->length)
        return lemica_fail(LEMICA_ERR_TOO_LARGE, "text longer than SIZE_MAX");
    sink->length += length;
    return LEMICA_OK;
}

lemica_status
lemica_produce_to_buffer(lemica_produce_fn produce, const void *object,
                         char *buffer, size_t size, size_t *length)
{
    struct buffer_sink sink = {buffer, size, 0};
    struct lemica_writer *writer;
    lemica_status status;

    if (!buffer && size > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "buffer is NULL but its size is %zu", size);
    /* The staging area is too large for a small stack. */
    writer = lemica_alloc_array(1, sizeof(*writer));
    if (!writer)
        return lemica_fail_no_memory("a text writer");
    lemica_writer_init(writer, buffer_sink_write, &sink);
    status = produce(object, writer);
    if (status == LEMICA_OK)
        status = lemica_writer_flush(writer);
    lemica_dealloc(writer);
    if (status != LEMICA_OK)
        return status;
    if (length)
        *length = sink.length;
    if (!buffer || sink.length >= size) {
        if (!buffer)
            return LEMICA_OK;
        return lemica_fail(LEMICA_ERR_BUFFER_TOO_SMALL,
                           "%zu bytes needed for the text and its NUL, %zu "
                           "given",
                           sink.length + 1, size);
    }
    buffer[sink.length] = '\0';
    return LEMICA_OK;
}

lemica_status
lemica_fail_with_path(lemica_status status, const char *path)
{
    char message[512];

    /* The message is about to be rewritten from itself: copy it first. */
    snprintf(message, sizeof(message), "%s", lemica_last_error_message());
    return lemica_fail(status, "%s: %s", path, message);
}

lemica_status
lemica_text_begin(const char **text, size_t *length)
{
    const char *nul;

    if (*length >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
        *text += 3;
        *length -= 3;
    }
    nul = *length > 0 ? memchr(*text, '\0', *length) : NULL;
    if (nul) {
        size_t line = 1;

        for (const char *at = *text; at < nul; at++)
            line += *at == '\n';
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: NUL byte: this is not a text file", line);
    }
    return LEMICA_OK;
}

/* The read limit; the tests lower it to reach it without 8 GiB. */
static unsigned long long read_limit = LEMICA_MAX_FILE_BYTES;

void
lemica_read_limit_set(unsigned long long bytes)
{
    read_limit = bytes ? bytes : LEMICA_MAX_FILE_BYTES;
}

lemica_status
lemica_load_text_file(const char *path, lemica_parse_text_fn parse,
                      void *context)
{
    char *text = NULL;
    size_t length = 0;
    lemica_status status;

    if (!path)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "path is NULL");
    status = lemica_read_whole_file(path, &text, &length);
    if (status != LEMICA_OK)
        return status;
    status = parse(text, length, context);
    lemica_dealloc(text);
    if (status != LEMICA_OK)
        return lemica_fail_with_path(status, path);
    return LEMICA_OK;
}

lemica_status
lemica_read_whole_file(const char *path, char **text, size_t *length)
{
    FILE *file;
    char *buffer = NULL;
    size_t capacity = 0;
    size_t used = 0;
    lemica_status status = LEMICA_OK;

    file = fopen(path, "rb");
    if (!file)
        return lemica_fail(LEMICA_ERR_IO, "%s: %s", path, strerror(errno));
    /* Sizes are not trusted (pipes and /proc files report none): the
     * buffer grows until the end of the file. */
    for (;;) {
        size_t got;

        if (used == capacity) {
            size_t grown_capacity = capacity ? capacity * 2 : 65536;
            char *grown;

            if (grown_capacity > read_limit)
                grown_capacity = (size_t)read_limit + 1;
            if (grown_capacity <= capacity) {
                status = lemica_fail_no_memory("a file's contents");
                break;
            }
            grown = lemica_realloc_array(buffer, grown_capacity, 1);
            if (!grown) {
                status = lemica_fail_no_memory("a file's contents");
                break;
            }
            buffer = grown;
            capacity = grown_capacity;
        }
        errno = 0;
        got = fread(buffer + used, 1, capacity - used, file);
        used += got;
        if (used > read_limit) {
            status = lemica_fail(LEMICA_ERR_TOO_LARGE,
                                 "%s: longer than %llu bytes, the most a file "
                                 "may have (LEMICA_MAX_FILE_BYTES)",
                                 path, read_limit);
            break;
        }
        /* No text format has a NUL: the parser names its line, and a
         * device like /dev/zero is not read to the end of memory. */
        if (got > 0 && memchr(buffer + used - got, '\0', got))
            break;
        if (got > 0)
            continue;
        if (ferror(file))
            /* A directory opens on some systems and fails here (EISDIR). */
            status = lemica_fail(LEMICA_ERR_IO, "%s: %s", path,
                                 strerror(errno ? errno : EIO));
        break;
    }
    fclose(file);
    if (status != LEMICA_OK) {
        lemica_dealloc(buffer);
        return status;
    }
    *text = buffer;
    *length = used;
    return LEMICA_OK;
}

/* Failure injection for the tests: bytes the save path may still write,
 * and a hook run once a save has written a number of bytes (the tests
 * kill the process there, as a crash would). */
static long save_failure_budget = -1;
static long save_hook_budget = -1;
static void (*save_hook)(void);
static int save_tmpfile_enabled = 1;

void
lemica_save_fail_after(long bytes)
{
    save_failure_budget = bytes;
}

void
lemica_save_hook_after(long bytes, void (*hook)(void))
{
    save_hook_budget = bytes;
    save_hook = hook;
}

void
lemica_save_use_tmpfile(int enabled)
{
    save_tmpfile_enabled = enabled;
}

/* How much of a write of @length bytes the injected failure lets through;
 * sets errno to ENOSPC when it cuts the write short. */
static size_t
allowed_bytes(size_t length)
{
    if (save_hook_budget >= 0) {
        if ((size_t)save_hook_budget <= length) {
            save_hook_budget = -1;
            save_hook();
        } else {
            save_hook_budget -= (long)length;
        }
    }
    if (save_failure_budget < 0)
        return length;
    if ((size_t)save_failure_budget >= length) {
        save_failure_budget -= (long)length;
        return length;
    }
    length = (size_t)save_failure_budget;
    save_failure_budget = 0;
    errno = ENOSPC;
    return length;
}

/* Temporary names differ between processes and between calls, and a name
 * in use is skipped (O_EXCL / "wbx"), so concurrent saves to one
 * destination never share a temporary file. The counter is atomic where
 * C11 atomics exist, so that saves on several threads do not race on it;
 * elsewhere a collision only costs a retry. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L &&                \
    !defined(__STDC_NO_ATOMICS__)
static _Atomic unsigned long save_counter;
#else
static unsigned long save_counter;
#endif

/* A temporary file is named ".lemica-HASH-PID-N.tmp" in the destination's
 * directory: HASH (16 hex digits) is a hash of the destination's own name,
 * so the name stays short whatever the destination's length (a name of
 * NAME_MAX bytes can be saved) and says which destination a leftover was
 * for; PID is the writing process, so that the next save of the same
 * destination can tell a leftover of a killed save (owner gone) from a
 * save in progress. */
#define TEMP_PREFIX ".lemica-"
#define TEMP_HASH_DIGITS 16
/* The name and the directory's '/': prefix, hash, two numbers, ".tmp". */
#define TEMP_NAME_SIZE 72

/* Room for what a symbolic link says (readlink) beside the given path. */
#define LINK_TEXT_SIZE 4096

/* FNV-1a, 64 bits: the hash only tells destinations apart, it guards
 * nothing. */
static unsigned long long
name_hash(const char *name)
{
    unsigned long long hash = 14695981039346656037ull;

    for (; *name; name++) {
        hash ^= (unsigned char)*name;
        hash *= 1099511628211ull;
    }
    return hash;
}

/* The start of the temporary names of destination @target:
 * ".lemica-HASH-". */
void
lemica_save_temp_prefix(const char *target, char *prefix, size_t size)
{
    const char *slash = strrchr(target, '/');

    snprintf(prefix, size, TEMP_PREFIX "%016llx-",
             name_hash(slash ? slash + 1 : target));
}

/* Everything a save needs from the heap, in one block allocated before
 * anything touches the disk: an allocation failure then returns
 * LEMICA_ERR_NO_MEMORY with the destination and its directory untouched,
 * and the steps after the rename cannot fail for want of memory. */
struct save_job {
    struct lemica_writer writer;
    const char *path;
    /* Each name buffer holds name_size bytes. */
    size_t name_size;
    /* The file the save replaces: @path with its symbolic links followed. */
    char *target;
    /* What a link says, then the directory of target (for the fsync that
     * makes the rename durable). */
    char *scratch;
    /* The temporary file's name, in the directory of target. */
    char *temp;
};

static struct save_job *
save_job_new(const char *path)
{
    size_t path_length = strlen(path);
    size_t name_size = path_length + LINK_TEXT_SIZE + TEMP_NAME_SIZE;
    struct save_job *job;

    if (name_size < path_length ||
        name_size > ((size_t)-1 - sizeof(*job)) / 3)
        return NULL;
    job = lemica_alloc_array(sizeof(*job) + 3 * name_size, 1);
    if (!job)
        return NULL;
    job->path = path;
    job->name_size = name_size;
    job->target = (char *)(job + 1);
    job->scratch = job->target + name_size;
    job->temp = job->scratch + name_size;
    memcpy(job->target, path, path_length + 1);
    return job;
}

/* The directory of job->target into job->scratch ("." for a bare name). */
static void
save_job_directory(struct save_job *job)
{
    const char *slash = strrchr(job->target, '/');

    if (!slash) {
        strcpy(job->scratch, ".");
    } else {
        size_t length = slash == job->target ? 1 : (size_t)(slash - job->target);

        memcpy(job->scratch, job->target, length);
        job->scratch[length] = '\0';
    }
}

/* The next temporary name to try beside job->target; see save_counter. */
static void
save_job_next_temp(struct save_job *job, unsigned long attempt)
{
    const char *slash = strrchr(job->target, '/');
    size_t directory = slash ? (size_t)(slash - job->target) + 1 : 0;
    unsigned long process = 0;
    char prefix[TEMP_NAME_SIZE];

#ifdef LEMICA_HAVE_POSIX_IO
    process = (unsigned long)getpid();
#endif
    lemica_save_temp_prefix(job->target, prefix, sizeof(prefix));
    memcpy(job->temp, job->target, directory);
    snprintf(job->temp + directory, job->name_size - directory, "%s%lu-%lu.tmp",
             prefix, process, save_counter++ + attempt);
}

#ifdef LEMICA_HAVE_POSIX_IO

struct fd_sink {
    int fd;
};

static lemica_status
fd_sink_write(void *context, const char *data, size_t length)
{
    struct fd_sink *sink = context;

    while (length > 0) {
        size_t allowed = allowed_bytes(length);
        ssize_t written;

        if (allowed == 0)
            return LEMICA_ERR_IO;
        written = write(sink->fd, data, allowed);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return LEMICA_ERR_IO;
        }
        /* After an injected short write the next round finds no bytes
         * allowed and fails with ENOSPC, as a full disk would. */
        data += written;
        length -= (size_t)written;
    }
    return LEMICA_OK;
}

/* Best effort: the data is already safe, and some file systems refuse
 * fsync on directories. */
static void
sync_directory(const char *directory)
{
    int fd = open(directory, O_RDONLY);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* How a save writes to what is at its path (see lemica-file.h). */
enum save_kind {
    /* Absent or a regular file: a new file renamed over job->target. */
    SAVE_REPLACE,
    /* A FIFO or a character device: written straight, opened without
     * creating or truncating anything. */
    SAVE_STREAM,
    /* A regular file reached through a /proc link (another process's open
     * file): rewritten in place, truncated first, as a shell's ">"
     * would. */
    SAVE_REWRITE,
    /* /dev/stdout, /dev/fd/N, /proc/self/fd/N: the process's own
     * descriptor N, written at its current offset as shells do. */
    SAVE_DESCRIPTOR
};

/* Whether @path names descriptor N of this process ("/dev/fd/N",
 * "/proc/self/fd/N"); sets *@number. */
static int
is_descriptor_path(const char *path, int *number)
{
    static const char *const prefixes[] = {"/dev/fd/", "/proc/self/fd/"};

    for (size_t index = 0; index < 2; index++) {
        size_t length = strlen(prefixes[index]);
        const char *digits = path + length;
        long value = 0;

        if (strncmp(path, prefixes[index], length) != 0 || !*digits)
            continue;
        for (; *digits >= '0' && *digits <= '9' && value < 1000000; digits++)
            value = value * 10 + (*digits - '0');
        if (*digits)
            continue;
        *number = (int)value;
        return 1;
    }
    return 0;
}

/* Replace job->target by where its symbolic link points. */
static lemica_status
follow_link(struct save_job *job)
{
    ssize_t got = readlink(job->target, job->scratch, job->name_size - 1);
    size_t directory = 0;
    const char *slash;

    if (got < 0)
        return lemica_fail(LEMICA_ERR_IO, "%s: cannot read the link %s: %s",
                           job->path, job->target, strerror(errno));
    if ((size_t)got >= LINK_TEXT_SIZE)
        return lemica_fail(LEMICA_ERR_IO, "%s: the link %s is too long",
                           job->path, job->target);
    job->scratch[got] = '\0';
    slash = strrchr(job->target, '/');
    /* A relative link is relative to the link's own directory. */
    if (job->scratch[0] != '/' && slash)
        directory = (size_t)(slash - job->target) + 1;
    if (directory + (size_t)got + TEMP_NAME_SIZE >= job->name_size)
        return lemica_fail(LEMICA_ERR_IO, "%s: the link %s is too long",
                           job->path, job->target);
    memcpy(job->target + directory, job->scratch, (size_t)got + 1);
    return LEMICA_OK;
}

/* Decide how to save to job->path: follow its symbolic links to the file
 * they finally name (job->target) and look at what is there. */
static lemica_status
save_job_resolve(struct save_job *job, enum save_kind *kind, int *descriptor)
{
    for (int hops = 0;; hops++) {
        struct stat info;
        lemica_status status;

        if (is_descriptor_path(job->target, descriptor)) {
            *kind = SAVE_DESCRIPTOR;
            return LEMICA_OK;
        }
        if (lstat(job->target, &info) != 0) {
            if (errno != ENOENT)
                return lemica_fail(LEMICA_ERR_IO, "%s: cannot look at %s: %s",
                                   job->path, job->target, strerror(errno));
            /* Absent (a dangling link's target too): created, as a
             * shell's ">" would. */
            *kind = SAVE_REPLACE;
            return LEMICA_OK;
        }
        if (S_ISLNK(info.st_mode)) {
            /* /proc's links name open files (pipes, sockets, deleted
             * files) rather than places: write through them. */
            if (strncmp(job->target, "/proc/", 6) == 0) {
                if (stat(job->target, &info) != 0)
                    return lemica_fail(LEMICA_ERR_IO, "%s: %s", job->path,
                                       strerror(errno));
                if (S_ISREG(info.st_mode)) {
                    *kind = SAVE_REWRITE;
                    return LEMICA_OK;
                }
            } else {
                if (hops >= 40)
                    return lemica_fail(LEMICA_ERR_IO, "%s: %s", job->path,
                                       strerror(ELOOP));
                status = follow_link(job);
                if (status != LEMICA_OK)
                    return status;
                continue;
            }
        }
        if (S_ISREG(info.st_mode)) {
            *kind = SAVE_REPLACE;
            return LEMICA_OK;
        }
        if (S_ISFIFO(info.st_mode) || S_ISCHR(info.st_mode)) {
            *kind = SAVE_STREAM;
            return LEMICA_OK;
        }
        if (S_ISDIR(info.st_mode))
            return lemica_fail(LEMICA_ERR_IO, "%s: is a directory", job->path);
        if (S_ISBLK(info.st_mode))
            return lemica_fail(LEMICA_ERR_IO,
                               "%s: is a block device; a save never writes "
                               "over a device or a disk",
                               job->path);
        return lemica_fail(LEMICA_ERR_IO,
                           "%s: is a socket or another special file that a "
                           "save cannot write to",
                           job->path);
    }
}

/* Write the file straight to an open descriptor: no temporary file, no
 * rename, no fsync (pipes and devices refuse it). Closes @fd. */
static lemica_status
save_job_stream(struct save_job *job, int fd, lemica_produce_fn produce,
                const void *object)
{
    struct fd_sink sink = {fd};
    lemica_status status;
    int error;

    lemica_writer_init(&job->writer, fd_sink_write, &sink);
    errno = 0;
    status = produce(object, &job->writer);
    if (status == LEMICA_OK)
        status = lemica_writer_flush(&job->writer);
    error = errno ? errno : EIO;
    if (close(fd) != 0 && status == LEMICA_OK) {
        status = LEMICA_ERR_IO;
        error = errno;
    }
    if (status == LEMICA_ERR_IO)
        return lemica_fail(LEMICA_ERR_IO, "%s: cannot write: %s", job->path,
                           strerror(error));
    return status;
}

/* Remove the temporary files that earlier saves of job->target left when
 * their process died (killed, or the machine crashed) before renaming
 * them; a file whose process still runs may be a save in progress and is
 * kept. Best effort: a leftover that cannot be removed costs disk space,
 * not correctness. */
static void
remove_leftovers(struct save_job *job)
{
    char prefix[TEMP_NAME_SIZE];
    size_t prefix_length;
    struct dirent *entry;
    DIR *directory;

    save_job_directory(job);
    lemica_save_temp_prefix(job->target, prefix, sizeof(prefix));
    prefix_length = strlen(prefix);
    directory = opendir(job->scratch);
    if (!directory)
        return;
    while ((entry = readdir(directory)) != NULL) {
        const char *rest = entry->d_name + prefix_length;
        unsigned long process = 0;
        int digits = 0;

        if (strncmp(entry->d_name, prefix, prefix_length) != 0)
            continue;
        for (; *rest >= '0' && *rest <= '9' && digits < 12; rest++, digits++)
            process = process * 10 + (unsigned long)(*rest - '0');
        if (digits == 0 || digits == 12 || *rest != '-' ||
            process == (unsigned long)getpid() || process > 0x7fffffffUL)
            continue;
        if (kill((pid_t)process, 0) == 0 || errno != ESRCH)
            continue;
        unlinkat(dirfd(directory), entry->d_name, 0);
    }
    closedir(directory);
}

/* Open an unnamed file in job->target's directory (Linux O_TMPFILE): a
 * save killed before its rename leaves nothing behind. Returns -1 where
 * the system or the file system has none, or /proc is missing (it names
 * the file for linkat). */
static int
open_unnamed(struct save_job *job)
{
#if defined(__linux__) && defined(O_TMPFILE)
    if (!save_tmpfile_enabled || access("/proc/self/fd", F_OK) != 0)
        return -1;
    save_job_directory(job);
    return open(job->scratch, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#else
    (void)job;
    return -1;
#endif
}

/* Give the unnamed file @fd a temporary name beside job->target. */
static int
link_unnamed(struct save_job *job, int fd)
{
#if defined(__linux__) && defined(O_TMPFILE)
    char self[64];

    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    for (unsigned long attempt = 0; attempt < 100; attempt++) {
        save_job_next_temp(job, attempt);
        if (linkat(AT_FDCWD, self, AT_FDCWD, job->temp, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
#else
    (void)job;
    (void)fd;
    errno = ENOSYS;
    return -1;
#endif
}

static lemica_status
save_job_replace(struct save_job *job, lemica_produce_fn produce,
                 const void *object)
{
    struct fd_sink sink = {-1};
    struct stat existing;
    const char *step = "cannot create a temporary file beside it";
    lemica_status status = LEMICA_ERR_IO;
    int named = 0;
    int error = 0;

    remove_leftovers(job);
    sink.fd = open_unnamed(job);
    if (sink.fd < 0) {
        named = 1;
        for (unsigned long attempt = 0; attempt < 100; attempt++) {
            save_job_next_temp(job, attempt);
            sink.fd = open(job->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                           0666);
            if (sink.fd >= 0 || errno != EEXIST)
                break;
        }
    }
    if (sink.fd < 0) {
        error = errno;
        return lemica_fail(LEMICA_ERR_IO, "%s: %s: %s", job->path, step,
                           strerror(error));
    }
    /* A replaced file keeps its permissions. */
    if (stat(job->target, &existing) == 0 && S_ISREG(existing.st_mode))
        fchmod(sink.fd, existing.st_mode & 07777);

    lemica_writer_init(&job->writer, fd_sink_write, &sink);
    errno = 0;
    status = produce(object, &job->writer);
    if (status == LEMICA_OK)
        status = lemica_writer_flush(&job->writer);
    if (status == LEMICA_ERR_IO) {
        step = "cannot write";
        error = errno ? errno : EIO;
        goto fail_io;
    }
    if (status != LEMICA_OK)
        goto fail;
    if (fsync(sink.fd) != 0) {
        step = "cannot flush to disk";
        error = errno;
        goto fail_io;
    }
    if (!named) {
        if (link_unnamed(job, sink.fd) != 0) {
            step = "cannot name the new file";
            error = errno;
            goto fail_io;
        }
        named = 1;
    }
    if (close(sink.fd) != 0) {
        sink.fd = -1;
        step = "cannot write";
        error = errno;
        goto fail_io;
    }
    sink.fd = -1;
    if (rename(job->temp, job->target) != 0) {
        step = "cannot replace it";
        error = errno;
        goto fail_io;
    }
    save_job_directory(job);
    sync_directory(job->scratch);
    return LEMICA_OK;

fail_io:
    status = lemica_fail(LEMICA_ERR_IO, "%s: %s: %s", job->path, step,
                         strerror(error));
fail:
    if (sink.fd >= 0)
        close(sink.fd);
    if (named)
        unlink(job->temp);
    return status;
}

static lemica_status
save_job_run(struct save_job *job, lemica_produce_fn produce,
             const void *object)
{
    enum save_kind kind = SAVE_REPLACE;
    int descriptor = -1;
    lemica_status status = save_job_resolve(job, &kind, &descriptor);
    int fd;

    if (status != LEMICA_OK)
        return status;
    if (kind == SAVE_REPLACE)
        return save_job_replace(job, produce, object);
    if (kind == SAVE_DESCRIPTOR)
        fd = dup(descriptor);
    else
        /* Exists already: nothing is created. A FIFO waits for its reader,
         * as a shell's ">" does. */
        fd = open(job->target, O_WRONLY | O_NOCTTY | O_CLOEXEC |
                                   (kind == SAVE_REWRITE ? O_TRUNC : 0));
    if (fd < 0)
        return lemica_fail(LEMICA_ERR_IO, "%s: cannot open: %s", job->path,
                           strerror(errno));
    return save_job_stream(job, fd, produce, object);
}

#else /* !LEMICA_HAVE_POSIX_IO */

/* Rename @from over @to in one step. C's rename() may refuse to replace
 * an existing file (Windows' does), and removing the old file first would
 * lose it if the rename then failed; Windows has the replacing rename
 * under another name. */
static int
replace_file(const char *from, const char *to)
{
#ifdef _WIN32
    return MoveFileExA(from, to,
                       MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)
               ? 0
               : -1;
#else
    return rename(from, to);
#endif
}

static lemica_status
file_sink_write(void *context, const char *data, size_t length)
{
    FILE *file = context;
    size_t allowed = allowed_bytes(length);

    if (fwrite(data, 1, allowed, file) != allowed || allowed < length)
        return LEMICA_ERR_IO;
    return LEMICA_OK;
}

static lemica_status
save_job_run(struct save_job *job, lemica_produce_fn produce,
             const void *object)
{
    FILE *file = NULL;
    lemica_status status;

    for (unsigned long attempt = 0; attempt < 100 && !file; attempt++) {
        save_job_next_temp(job, attempt);
        /* C11 "x": fail if the name exists. */
        file = fopen(job->temp, "wbx");
    }
    if (!file)
        return lemica_fail(LEMICA_ERR_IO,
                           "%s: cannot create a temporary file beside it: %s",
                           job->path, strerror(errno));
    lemica_writer_init(&job->writer, file_sink_write, file);
    status = produce(object, &job->writer);
    if (status == LEMICA_OK)
        status = lemica_writer_flush(&job->writer);
    if (status == LEMICA_OK && fflush(file) != 0)
        status = LEMICA_ERR_IO;
    if (fclose(file) != 0 && status == LEMICA_OK)
        status = LEMICA_ERR_IO;
    if (status == LEMICA_ERR_IO) {
        status = lemica_fail(LEMICA_ERR_IO, "%s: cannot write: %s", job->path,
                             strerror(errno ? errno : EIO));
        goto fail;
    }
    if (status != LEMICA_OK)
        goto fail;
    if (replace_file(job->temp, job->path) == 0)
        return LEMICA_OK;
    status = lemica_fail(LEMICA_ERR_IO, "%s: cannot replace it", job->path);
fail:
    remove(job->temp);
    return status;
}

#endif /* LEMICA_HAVE_POSIX_IO */

lemica_status
lemica_save_atomic(const char *path, lemica_produce_fn produce,
                   const void *object)
{
    struct save_job *job;
    lemica_status status;

    if (!path)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "path is NULL");
    if (!*path)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the path is empty: there is no file to save to");
    job = save_job_new(path);
    if (!job)
        return lemica_fail_no_memory("a save's file names and buffer");
    status = save_job_run(job, produce, object);
    lemica_dealloc(job);
    return status;
}

struct text_file {
    const char *text;
    size_t length;
};

static lemica_status
produce_text(const void *object, struct lemica_writer *writer)
{
    const struct text_file *file = object;

    lemica_writer_put(writer, file->text, file->length);
    return writer->status;
}

lemica_status
lemica_save_text(const char *path, const char *text, size_t length)
{
    struct text_file file = {text, length};

    if (!text && length > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "text is NULL but its length is %zu", length);
    return lemica_save_atomic(path, produce_text, &file);
}
