/* What services write and send: output framed into lines, syslog datagrams (RFC 3164 and 5424), the log
 * store's records read back from files, <N> priority prefixes, journalctl-style times */
#include "fuzz.h"

#include "logs/logs.h"
#include "logs/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 5) {
    case 0: {
        struct log_framer f = {0};
        struct log_prefix p;
        struct buf out = {0};
        log_prefix_make(&p, "web", 5, 0, '|');
        size_t half = n / 2;
        log_frame(&f, &p, in, half, &out);
        log_frame(&f, &p, in + half, n - half, &out);
        log_flush(&f, &p, &out);
        log_framer_free(&f);
        buf_free(&out);
        break;
    }
    case 1: {
        int prio, pid;
        char tag[64];
        const char *text;
        size_t len;
        log_syslog_parse(in, n, &prio, tag, sizeof(tag), &pid, &text, &len);
        break;
    }
    case 2: {
        struct log_rec r;
        log_rec_parse(in, n, &r);
        break;
    }
    case 3: {
        const char *text = in;
        size_t len = n;
        log_prio_prefix(&text, &len);
        break;
    }
    default: {
        char *s = fuzz_text(data + 1, n);
        uint64_t t;
        log_time_parse(s, 1800000000000000ull, &t);
        log_prio_from_name(s);
        free(s);
        break;
    }
    }
    return 0;
}
