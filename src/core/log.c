/* log.c - human-readable messages on standard error. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static _Atomic int log_level = CSCC_LOG_INFO;
static _Atomic int progress_shown;

void cscc_log_set_level(enum cscc_log_level level)
{
    log_level = (int)level;
}

enum cscc_log_level cscc_log_get_level(void)
{
    return (enum cscc_log_level)log_level;
}

int cscc_log_is_tty(void)
{
    static int tty = -1;

    if (tty < 0)
        tty = isatty(STDERR_FILENO) && !getenv("CSCC_NO_PROGRESS");
    return tty;
}

static void emit(const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(STDERR_FILENO, buf, len);

        if (w <= 0)
            return;
        buf += w;
        len -= (size_t)w;
    }
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
    char buf[2048];
    int n = 0;
    int m;

    if (progress_shown) {
        n = snprintf(buf, sizeof(buf), "\r\033[K");
        progress_shown = 0;
    }
    m = snprintf(buf + n, sizeof(buf) - (size_t)n, "cscc: %s", prefix);
    if (m > 0)
        n += m;
    m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
    if (m > 0)
        n = n + m >= (int)sizeof(buf) - 1 ? (int)sizeof(buf) - 2 : n + m;
    buf[n++] = '\n';
    emit(buf, (size_t)n);
}

void cscc_log(enum cscc_log_level level, const char *fmt, ...)
{
    static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};
    char dbg[48];
    va_list ap;

    if ((int)level > log_level)
        return;
    if (level == CSCC_LOG_DEBUG) {
        /* debug lines carry the process's CPU time and the wall time since start */
        struct timespec cpu;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
        snprintf(dbg, sizeof(dbg), "debug: [cpu %.4f s] ",
                 (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9);
    }
    va_start(ap, fmt);
    vlog(level == CSCC_LOG_DEBUG ? dbg : prefix[level], fmt, ap);
    va_end(ap);
}

void cscc_log_progress(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    if (!cscc_log_is_tty() || log_level < CSCC_LOG_INFO)
        return;
    buf[0] = '\r';
    va_start(ap, fmt);
    n = vsnprintf(buf + 1, sizeof(buf) - 8, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    n = n + 1 > (int)sizeof(buf) - 8 ? (int)sizeof(buf) - 8 : n + 1;
    n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\033[K");
    emit(buf, (size_t)n);
    progress_shown = 1;
}

void cscc_log_progress_done(void)
{
    if (progress_shown) {
        emit("\r\033[K", 4);
        progress_shown = 0;
    }
}

void cscc_die(int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog("fatal: ", fmt, ap);
    va_end(ap);
    exit(status);
}
