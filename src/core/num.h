/**
 * num.h - reading and writing numbers in decimal.
 *
 * strtod also reads hexadecimal ("0x1p5"), "inf", "nan" and leading
 * whitespace of any kind; input data and options must not be read that way
 * (a latitude "0x29.e" is a mistake, not 41.875).
 */
#ifndef CSCC_CORE_NUM_H
#define CSCC_CORE_NUM_H

#include <stddef.h>

/**
 * Reads s, a whole NUL-terminated decimal number: leading spaces, an
 * optional sign, digits with an optional decimal point (at least one digit),
 * an optional exponent (e or E, optional sign, digits). Returns 0 with *out
 * set, or -1 (and *out untouched) when s is anything else or its value is not
 * a finite double (1e999, 1e-999).
 */
int cscc_parse_double(const char *s, double *out);

/** Room enough for any cscc_fmt_double() output and its NUL. */
#define CSCC_FMT_DOUBLE_MAX 32

/**
 * Writes v in the shortest of the forms "%.15g", "%.16g", "%.17g" that
 * reads back (strtod) as v exactly: 0.1 as "0.1", 0.1 + 0.2 as
 * "0.30000000000000004". A whole number below 2^53 in magnitude is written
 * in full, without exponent ("1000000000000000"); -0 as "0". Infinities and
 * NaN as printf writes them. buf holds at least CSCC_FMT_DOUBLE_MAX bytes.
 * Returns the length. About twice as fast as trying the three widths with
 * snprintf and strtod: one snprintf, then the shorter forms are rounded from
 * its digits and tried with strtod.
 */
size_t cscc_fmt_double(double v, char *buf);

#endif
