/* SPDX-License-Identifier: MIT */
/* Text sinks, whole-file reads and atomic saves (see file-io-int.h).
 *
 * An atomic save writes a new file beside the destination (same directory,
 * so the same file system and rename() is atomic), flushes it to the disk
 * with fsync() and renames it over the destination. A crash or a failure
 * at any point leaves either the old file or the new one, never a
 * truncated mix; on failure the temporary file is removed. Systems without
 * POSIX I/O get the same sequence through stdio, without the fsync. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#define LEMICA_HAVE_POSIX_IO 1
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif
#ifdef _WIN32
#include <windows.h>
#endif

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

            if (grown_capacity < capacity) {
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

/* Failure injection for the tests: bytes the save path may still write. */
static long save_failure_budget = -1;

void
lemica_save_fail_after(long bytes)
{
    save_failure_budget = bytes;
}

/* How much of a write of @length bytes the injected failure lets through;
 * sets errno to ENOSPC when it cuts the write short. */
static size_t
allowed_bytes(size_t length)
{
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

#define TEMP_SUFFIX_SIZE 48

/* Everything a save needs from the heap, in one block allocated before
 * anything touches the disk: an allocation failure then returns
 * LEMICA_ERR_NO_MEMORY with the destination and its directory untouched,
 * and the steps after the rename cannot fail for want of memory. */
struct save_job {
    struct lemica_writer writer;
    const char *path;
    /* The temporary file's name, path_length + TEMP_SUFFIX_SIZE bytes. */
    char *temp;
    /* The directory of path, for the fsync that makes the rename
     * durable. */
    char *directory;
};

static struct save_job *
save_job_new(const char *path)
{
    size_t path_length = strlen(path);
    size_t names = 2 * path_length + TEMP_SUFFIX_SIZE + 2;
    const char *slash = strrchr(path, '/');
    struct save_job *job;

    if (names < path_length || sizeof(*job) + names < names)
        return NULL;
    job = lemica_alloc_array(sizeof(*job) + names, 1);
    if (!job)
        return NULL;
    job->path = path;
    job->temp = (char *)(job + 1);
    job->directory = job->temp + path_length + TEMP_SUFFIX_SIZE;
    if (!slash) {
        strcpy(job->directory, ".");
    } else {
        size_t length = slash == path ? 1 : (size_t)(slash - path);

        memcpy(job->directory, path, length);
        job->directory[length] = '\0';
    }
    return job;
}

/* The next temporary name to try; see save_counter. */
static void
save_job_next_temp(struct save_job *job, unsigned long attempt)
{
    unsigned long process = 0;

#ifdef LEMICA_HAVE_POSIX_IO
    process = (unsigned long)getpid();
#endif
    snprintf(job->temp, strlen(job->path) + TEMP_SUFFIX_SIZE, "%s.tmp-%lu-%lu",
             job->path, process, save_counter++ + attempt);
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

static lemica_status
save_job_run(struct save_job *job, lemica_produce_fn produce,
             const void *object)
{
    struct fd_sink sink = {-1};
    struct stat existing;
    const char *step = "cannot create a temporary file beside it";
    lemica_status status = LEMICA_ERR_IO;
    int error = 0;

    for (unsigned long attempt = 0; attempt < 100; attempt++) {
        save_job_next_temp(job, attempt);
        sink.fd = open(job->temp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (sink.fd >= 0 || errno != EEXIST)
            break;
    }
    if (sink.fd < 0) {
        error = errno;
        return lemica_fail(LEMICA_ERR_IO, "%s: %s: %s", job->path, step,
                           strerror(error));
    }
    /* A replaced file keeps its permissions. */
    if (stat(job->path, &existing) == 0 && S_ISREG(existing.st_mode))
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
    if (close(sink.fd) != 0) {
        sink.fd = -1;
        step = "cannot write";
        error = errno;
        goto fail_io;
    }
    sink.fd = -1;
    if (rename(job->temp, job->path) != 0) {
        step = "cannot replace it";
        error = errno;
        goto fail_io;
    }
    sync_directory(job->directory);
    return LEMICA_OK;

fail_io:
    status = lemica_fail(LEMICA_ERR_IO, "%s: %s: %s", job->path, step,
                         strerror(error));
fail:
    if (sink.fd >= 0)
        close(sink.fd);
    unlink(job->temp);
    return status;
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
    struct save_job *job = save_job_new(path);
    lemica_status status;

    if (!job)
        return lemica_fail_no_memory("a save's file names and buffer");
    status = save_job_run(job, produce, object);
    lemica_dealloc(job);
    return status;
}
