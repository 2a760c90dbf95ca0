/* num.c - reading numbers written in decimal (num.h). */
#include "core/num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when s (from its first non-space) is a decimal number and nothing more. */
static int decimal(const char *s)
{
    int nd = 0;

    while (*s == ' ')
        s++;
    if (*s == '+' || *s == '-')
        s++;
    for (; digit(*s); s++)
        nd++;
    if (*s == '.')
        for (s++; digit(*s); s++)
            nd++;
    if (!nd)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!digit(*s))
            return 0;
        while (digit(*s))
            s++;
    }
    return *s == '\0';
}

int cscc_parse_double(const char *s, double *out)
{
    double v;

    if (!s || !decimal(s))
        return -1;
    errno = 0;
    v = strtod(s, NULL);
    if (errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
