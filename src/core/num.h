/**
 * num.h - reading numbers written in decimal.
 *
 * strtod also reads hexadecimal ("0x1p5"), "inf", "nan" and leading
 * whitespace of any kind; input data and options must not be read that way
 * (a latitude "0x29.e" is a mistake, not 41.875).
 */
#ifndef CSCC_CORE_NUM_H
#define CSCC_CORE_NUM_H

/**
 * Reads s, a whole NUL-terminated decimal number: leading spaces, an
 * optional sign, digits with an optional decimal point (at least one digit),
 * an optional exponent (e or E, optional sign, digits). Returns 0 with *out
 * set, or -1 (and *out untouched) when s is anything else or its value is not
 * a finite double (1e999, 1e-999).
 */
int cscc_parse_double(const char *s, double *out);

#endif
