/**
 * log.h - messages for people, on standard error.
 *
 * Lines look like "cscc: error: could not open ...". cscc_log_progress()
 * rewrites one status line in place, and only when stderr is a terminal.
 * Thread-safe: each call writes its line with one write(2).
 */
#ifndef CSCC_CORE_LOG_H
#define CSCC_CORE_LOG_H

enum cscc_log_level { CSCC_LOG_ERROR, CSCC_LOG_WARN, CSCC_LOG_INFO, CSCC_LOG_DEBUG };

/** Messages above this level are dropped (default CSCC_LOG_INFO). */
void cscc_log_set_level(enum cscc_log_level level);
enum cscc_log_level cscc_log_get_level(void);

void cscc_log(enum cscc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define cscc_error(...) cscc_log(CSCC_LOG_ERROR, __VA_ARGS__)
#define cscc_warn(...)  cscc_log(CSCC_LOG_WARN, __VA_ARGS__)
#define cscc_info(...)  cscc_log(CSCC_LOG_INFO, __VA_ARGS__)
#define cscc_debug(...) cscc_log(CSCC_LOG_DEBUG, __VA_ARGS__)

/** 1 when standard error is a terminal (progress lines are shown). */
int cscc_log_is_tty(void);
/** Rewrites the progress line ("\r...\033[K"); no-op when not a terminal. */
void cscc_log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Clears the progress line if one is shown. */
void cscc_log_progress_done(void);

/** Prints "cscc: fatal: ..." and exits with status. Startup errors only. */
void cscc_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

#endif
