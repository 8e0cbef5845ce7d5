/* svc/notify: the sd_notify protocol's datagrams (READY=1, STATUS=..., MAINPID=..., WATCHDOG=1, ...) read
 * into a message for the machine. Pure: bytes in, fields out; what is not understood is ignored, as
 * systemd does. */
#include "svc.h"

#include <string.h>

/* A decimal number, whole string (the value of a notify assignment); false otherwise. */
static bool notify_number(const char *v, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

void svc_notify_parse(const char *text, size_t n, struct svc_notify_msg *m)
{
    memset(m, 0, sizeof(*m));
    for (size_t i = 0; i < n;) {
        const char *line = text + i;
        const char *nl = memchr(line, '\n', n - i);
        size_t len = nl ? (size_t)(nl - line) : n - i;
        i += len + 1;
        const char *eq = memchr(line, '=', len);
        if (!eq)
            continue; /* not an assignment: ignored, as systemd does */
        size_t klen = (size_t)(eq - line), vlen = len - klen - 1;
        const char *v = eq + 1;
        uint64_t x;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(line, k, klen) == 0)
#define VAL(val) (vlen == sizeof(val) - 1 && memcmp(v, val, vlen) == 0)
        if (KEY("READY") && VAL("1"))
            m->ready = true;
        else if (KEY("RELOADING") && VAL("1"))
            m->reloading = true;
        else if (KEY("STOPPING") && VAL("1"))
            m->stopping = true;
        else if (KEY("WATCHDOG") && VAL("1"))
            m->watchdog = true;
        else if (KEY("WATCHDOG") && VAL("trigger"))
            m->watchdog_trigger = true;
        else if (KEY("STATUS")) {
            size_t c = vlen < sizeof(m->status) - 1 ? vlen : sizeof(m->status) - 1;
            memcpy(m->status, v, c);
            m->status[c] = 0;
            m->has_status = true;
        } else if (KEY("ERRNO") && notify_number(v, vlen, &x) && x < 4096) {
            m->errno_value = (int)x;
            m->has_errno = true;
        } else if (KEY("MAINPID") && notify_number(v, vlen, &x) && x > 1 && x < (1u << 22))
            m->main_pid = (int)x;
        else if (KEY("EXTEND_TIMEOUT_USEC") && notify_number(v, vlen, &x))
            m->extend_timeout_usec = x;
        else if (KEY("WATCHDOG_USEC") && notify_number(v, vlen, &x) && x > 0)
            m->watchdog_usec = x;
        else if (KEY("MONOTONIC_USEC") && notify_number(v, vlen, &x)) {
            m->monotonic_usec = x;
            m->has_monotonic = true;
        }
#undef KEY
#undef VAL
    }
}
