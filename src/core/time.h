/**
 * time.h - civil dates and times.
 *
 * cscc keeps event times as "civil seconds": seconds since 1970-01-01 00:00:00
 * of the wall clock in the data's time zone (for Chicago, America/Chicago),
 * the way the City's exports write them. Day numbers count days since
 * 1970-01-01. The zone itself is recorded beside the data (colstore metadata).
 * All functions are pure and thread-safe.
 */
#ifndef CSCC_CORE_TIME_H
#define CSCC_CORE_TIME_H

#include <stddef.h>
#include <stdint.h>

#define CSCC_SECS_PER_DAY 86400

/** Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1-12, d 1-31). */
int64_t cscc_days_from_civil(int64_t y, unsigned m, unsigned d);
/** The date of day number z. */
void cscc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/** 0 = Sunday ... 6 = Saturday. */
int cscc_weekday(int64_t days);
/** ISO 8601 week: the ISO year and week number (1-53) of day number z. */
void cscc_iso_week(int64_t days, int *iso_year, int *week);
/** Floor division of civil seconds into a day number. */
static inline int64_t cscc_day_of(int64_t t)
{
    return t >= 0 ? t / CSCC_SECS_PER_DAY : -((-t + CSCC_SECS_PER_DAY - 1) / CSCC_SECS_PER_DAY);
}
/** 1 if y-m-d is a real calendar date. */
int cscc_valid_date(int64_t y, unsigned m, unsigned d);

/** Result of parsing a timestamp. */
struct cscc_tparse {
    int64_t t;      /* civil seconds as written */
    int has_offset; /* 1 if the text carried "Z" or "+hh:mm"/"-hh:mm" */
    int offset_min; /* that offset in minutes east of UTC */
    int has_time;   /* 0 for a bare date */
};

/**
 * Parses the date forms found in City exports, detected by shape:
 *   MM/DD/YYYY hh:mm[:ss] AM|PM      (portal export; 12-hour clock)
 *   MM/DD/YYYY HH:MM[:SS]            (24-hour clock; M and D may be 1 digit)
 *   MM/DD/YYYY
 *   YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|(+|-)hh[:mm]]
 * Returns 0, or CSCC_EDATA when s is not one of these or not a real date/time.
 */
int cscc_parse_datetime(const char *s, size_t len, struct cscc_tparse *out);

/**
 * Parses s against a strftime-style format: %Y %m %d %H %I %M %S %p %y %b
 * %j(not supported) and literal characters; "%%" is a percent sign. %d and %m
 * accept one or two digits. Returns 0 or CSCC_EDATA (s does not match) or
 * CSCC_EINVAL (fmt has an unsupported directive).
 */
int cscc_parse_datetime_fmt(const char *s, size_t len, const char *fmt, struct cscc_tparse *out);

/** Checks that fmt only uses directives cscc_parse_datetime_fmt supports. */
int cscc_check_date_format(const char *fmt);

/** Parses a YYYY-MM-DD command-line date into a day number. 0 or CSCC_EINVAL. */
int cscc_parse_day(const char *s, int64_t *day);

/** Writes "YYYY-MM-DDTHH:MM:SS" (19 chars + NUL) into buf (>= 20 bytes). */
void cscc_format_civil(int64_t t, char *buf);
/** Writes "YYYY-MM-DD" (10 chars + NUL) into buf (>= 11 bytes). */
void cscc_format_day(int64_t day, char *buf);

#endif
