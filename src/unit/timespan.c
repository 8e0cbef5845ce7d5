/* unit/timespan: systemd time spans ("100ms", "1min 30s", "1.5h", a bare number = seconds). */
#include "unit.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static const struct {
    const char *suffix;
    uint64_t usec;
} span_units[] = {
    {"seconds", USEC_PER_SEC}, {"second", USEC_PER_SEC}, {"sec", USEC_PER_SEC},
    {"s", USEC_PER_SEC},       {"minutes", USEC_PER_MINUTE}, {"minute", USEC_PER_MINUTE},
    {"min", USEC_PER_MINUTE},  {"months", USEC_PER_MONTH}, {"month", USEC_PER_MONTH},
    {"M", USEC_PER_MONTH},     {"msec", USEC_PER_MSEC},  {"ms", USEC_PER_MSEC},
    {"m", USEC_PER_MINUTE},    {"hours", USEC_PER_HOUR}, {"hour", USEC_PER_HOUR},
    {"hr", USEC_PER_HOUR},     {"h", USEC_PER_HOUR},     {"days", USEC_PER_DAY},
    {"day", USEC_PER_DAY},     {"d", USEC_PER_DAY},      {"weeks", USEC_PER_WEEK},
    {"week", USEC_PER_WEEK},   {"w", USEC_PER_WEEK},     {"years", USEC_PER_YEAR},
    {"year", USEC_PER_YEAR},   {"y", USEC_PER_YEAR},     {"usec", 1},
    {"us", 1},                 {"\xc2\xb5s", 1},
};

/* Longest-match on the unit suffix: "ms" must not be read as "m" followed by garbage. */
static size_t span_unit_at(const char *p, uint64_t *mult)
{
    size_t best = 0;
    for (size_t i = 0; i < ARRAY_SIZE(span_units); i++) {
        size_t n = strlen(span_units[i].suffix);
        if (n > best && strncmp(p, span_units[i].suffix, n) == 0 && !isalpha((unsigned char)p[n])) {
            best = n;
            *mult = span_units[i].usec;
        }
    }
    return best;
}

int unit_parse_timespan(const char *s, uint64_t *usec)
{
    while (isspace((unsigned char)*s))
        s++;
    if (strcmp(s, "infinity") == 0) {
        *usec = USEC_INFINITY;
        return 0;
    }
    if (!*s)
        return -EINVAL;
    uint64_t total = 0;
    bool any = false;
    const char *p = s;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (!isdigit((unsigned char)*p) && *p != '.')
            return -EINVAL;
        uint64_t whole = 0, frac = 0, frac_div = 1;
        bool digits = false;
        while (isdigit((unsigned char)*p)) {
            if (whole > UINT64_MAX / 10 - 10)
                return -ERANGE;
            whole = whole * 10 + (uint64_t)(*p++ - '0');
            digits = true;
        }
        if (*p == '.') {
            p++;
            while (isdigit((unsigned char)*p)) {
                if (frac_div < 1000000000000ULL) {
                    frac = frac * 10 + (uint64_t)(*p - '0');
                    frac_div *= 10;
                }
                p++;
                digits = true;
            }
        }
        if (!digits)
            return -EINVAL;
        while (isspace((unsigned char)*p))
            p++;
        uint64_t mult = USEC_PER_SEC;
        size_t n = span_unit_at(p, &mult);
        if (n == 0 && *p && !isdigit((unsigned char)*p))
            return -EINVAL;
        p += n;
        if (whole > (UINT64_MAX - 1) / mult)
            return -ERANGE;
        uint64_t v = whole * mult + (uint64_t)((long double)frac * (long double)mult / (long double)frac_div);
        if (total > UINT64_MAX - 1 - v)
            return -ERANGE;
        total += v;
        any = true;
    }
    if (!any)
        return -EINVAL;
    *usec = total;
    return 0;
}
