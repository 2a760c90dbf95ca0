/* err.c - error records and their mapping to exit statuses. */
#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

void cscc_err_clear(struct cscc_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

static void vset(struct cscc_err *err, int code, const char *fmt, va_list ap)
{
    err->code = code;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int cscc_err_set(struct cscc_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int cscc_err_errno(struct cscc_err *err, int code, int errnum, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    if (!err)
        return code;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    n = strlen(err->msg);
    snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
    return code;
}

void cscc_err_at(struct cscc_err *err, const char *file, uint64_t row, int column,
                 const char *field)
{
    if (!err)
        return;
    if (file)
        snprintf(err->file, sizeof(err->file), "%s", file);
    if (row)
        err->row = row;
    if (column)
        err->column = column;
    if (field)
        snprintf(err->field, sizeof(err->field), "%s", field);
}

void cscc_err_format(const struct cscc_err *err, char *buf, size_t size)
{
    size_t n = 0;

#define PUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(buf + n, size - n, __VA_ARGS__);                                         \
        if (w_ > 0)                                                                                \
            n = (size_t)w_ >= size - n ? size - 1 : n + (size_t)w_;                                \
    } while (0)

    if (!size)
        return;
    buf[0] = '\0';
    if (err->file[0])
        PUT("%s:", err->file);
    if (err->row)
        PUT("%s%llu:", err->file[0] ? "" : "row ", (unsigned long long)err->row);
    if (n)
        PUT(" ");
    if (err->field[0])
        PUT("column '%s': ", err->field);
    else if (err->column)
        PUT("column %d: ", err->column);
    PUT("%s", err->msg[0] ? err->msg : cscc_strerror(err->code));
#undef PUT
}

const char *cscc_strerror(int code)
{
    switch (code) {
    case CSCC_OK: return "success";
    case CSCC_EINVAL: return "invalid argument";
    case CSCC_ENOMEM: return "out of memory";
    case CSCC_EIO: return "input/output error";
    case CSCC_ENOENT: return "not found";
    case CSCC_EDATA: return "bad data";
    case CSCC_ELIMIT: return "limit exceeded";
    case CSCC_EEXIST: return "already exists";
    case CSCC_EBUSY: return "busy";
    case CSCC_ESTORE: return "database error";
    case CSCC_EINTERNAL: return "internal error";
    case CSCC_EPERM: return "not permitted";
    case CSCC_ECANCELED: return "canceled";
    case CSCC_EROFS: return "read-only";
    }
    return "unknown error";
}

int cscc_exit_status(int code)
{
    switch (code) {
    case CSCC_OK: return 0;
    case CSCC_EINVAL: return EX_USAGE;
    case CSCC_EDATA:
    case CSCC_ELIMIT: return EX_DATAERR;
    case CSCC_ENOENT: return EX_NOINPUT;
    case CSCC_EIO:
    case CSCC_ESTORE: return EX_IOERR;
    case CSCC_EBUSY: return EX_TEMPFAIL;
    case CSCC_EEXIST: return EX_CANTCREAT; /* a name or a file already there */
    case CSCC_EPERM:
    case CSCC_EROFS: return EX_NOPERM;
    case CSCC_ENOMEM: return EX_OSERR;
    default: return EX_SOFTWARE;
    }
}
