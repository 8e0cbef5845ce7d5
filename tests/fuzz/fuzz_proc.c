/* /proc/PID/stat as the kernel writes it (a comm may hold spaces and parentheses), and the process
 * events connector's netlink datagrams */
#include "fuzz.h"

#include "proc/events.h"
#include "proc/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        char *text = fuzz_text(data + 1, size - 1);
        struct proc_stat st;
        proc_parse_stat(text, &st);
        free(text);
    } else {
        struct proc_ev evs[16];
        uint32_t seq[4] = {0};
        uint64_t lost = 0;
        proc_events_parse(data + 1, size - 1, evs, 16, seq, 4, &lost);
    }
    return 0;
}
