/* unit/resource: the resource-control keys of [Service] (systemd.resource-control(5)), read into the cgroup
 * v2 files and values they become: MemoryMin/Low/High/Max/SwapMax=, CPUWeight=, CPUQuota= with
 * CPUQuotaPeriodSec=, AllowedCPUs=, AllowedMemoryNodes=, TasksMax= (kept in tasks_max, keys.c), IOWeight=,
 * IODeviceWeight=, IO{Read,Write}{Bandwidth,IOPS}Max=. What depends on the machine when the service
 * starts (a device's numbers) is worked out by the supervisor (sup/cgroup.c), which writes them. */
#include "unit_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "1024", "512M", "2G" (1024-based), "infinity"; with percent_of, "N%" of it too. Into out as cgroup
 * files write it ("max" for infinity). */
static bool bytes_value(const char *v, uint64_t percent_of, char *out, size_t size)
{
    if (strcmp(v, "infinity") == 0) {
        snprintf(out, size, "max");
        return true;
    }
    size_t len = strlen(v);
    char num[64];
    if (len == 0 || len >= sizeof(num))
        return false;
    memcpy(num, v, len + 1);
    uint64_t n, mult = 1;
    if (num[len - 1] == '%') {
        num[--len] = 0;
        /* a percentage: of physical memory (systemd allows two decimals; whole ones here) */
        if (!percent_of || !str_to_u64(num, &n) || n > 100)
            return false;
        snprintf(out, size, "%llu", (unsigned long long)(percent_of / 100 * n));
        return true;
    }
    static const char units[] = "KMGTPE";
    const char *u = num[len - 1] ? strchr(units, num[len - 1]) : NULL;
    if (u) {
        mult = 1ULL << (10 * (u - units + 1));
        num[--len] = 0;
    }
    if (!str_to_u64(num, &n) || (mult > 1 && n > UINT64_MAX / mult))
        return false;
    snprintf(out, size, "%llu", (unsigned long long)(n * mult));
    return true;
}

/* A CPU or NUMA node list: "0-3 5,7" (spaces or commas) into cpuset's "0-3,5,7" */
static bool cpu_list(const char *v, char *out, size_t size)
{
    size_t at = 0;
    out[0] = 0;
    for (const char *p = v; *p;) {
        p += strspn(p, " ,");
        if (!*p)
            break;
        size_t n = strcspn(p, " ,");
        for (size_t i = 0; i < n; i++)
            if (!((p[i] >= '0' && p[i] <= '9') || (p[i] == '-' && i > 0 && i + 1 < n)))
                return false;
        int w = snprintf(out + at, size - at, "%s%.*s", at ? "," : "", (int)n, p);
        if (w < 0 || (size_t)w >= size - at)
            return false;
        at += (size_t)w;
        p += n;
    }
    return true;
}

static void set(struct unit *u, const char *key, const char *controller, const char *file, const char *value)
{
    /* a later assignment of the same key wins (an empty one: reset to the kernel's default) */
    for (size_t i = 0; i < u->ncgroup_sets; i++) {
        struct unit_cgroup_set *s = &u->cgroup_sets[i];
        bool per_device = strchr(value, '\t') != NULL; /* IO keys: one line per device, all kept */
        if (!strcmp(s->key, key) && !strcmp(s->file, file) && !per_device) {
            char *copy = mem_strdup(value);
            if (copy) { /* else out of memory: unit_parse sees it */
                free(s->value);
                s->value = copy;
            }
            return;
        }
    }
    struct unit_cgroup_set *more = mem_grow(u->cgroup_sets, u->ncgroup_sets + 1, sizeof(*more));
    char *copy = more ? mem_strdup(value) : NULL;
    if (more)
        u->cgroup_sets = more;
    if (copy)
        u->cgroup_sets[u->ncgroup_sets++] = (struct unit_cgroup_set){key, controller, file, copy};
}

static uint64_t physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

int unit_resource_parse(struct unit *u, const char *key, const char *v, char *err, size_t errsize)
{
    static const struct {
        const char *key, *file;
    } memory[] = {{"MemoryMin", "memory.min"}, {"MemoryLow", "memory.low"}, {"MemoryHigh", "memory.high"},
                  {"MemoryMax", "memory.max"}, {"MemorySwapMax", "memory.swap.max"}};
    char value[512];
    for (size_t i = 0; i < ARRAY_SIZE(memory); i++) {
        if (strcmp(key, memory[i].key) != 0)
            continue;
        if (!*v) {
            snprintf(value, sizeof(value), "%s", i < 2 ? "0" : "max"); /* empty: the default again */
        } else if (!bytes_value(v, i == 4 ? 0 : physical_memory(), value, sizeof(value))) {
            snprintf(err, errsize, "write bytes (1024, 512M, 2G), %sor infinity", i == 4 ? "" : "a percentage of memory like 50%, ");
            return -1;
        }
        set(u, memory[i].key, "memory", memory[i].file, value);
        return 1;
    }
    if (!strcmp(key, "CPUWeight") || !strcmp(key, "IOWeight")) {
        bool cpu = key[0] == 'C';
        uint64_t n = 100;
        if (*v && !(cpu && !strcmp(v, "idle")) && (!str_to_u64(v, &n) || n < 1 || n > 10000)) {
            snprintf(err, errsize, "a weight is 1 to 10000 (100 is the default)%s", cpu ? ", or idle" : "");
            return -1;
        }
        if (cpu && !strcmp(v, "idle")) {
            set(u, "CPUWeight", "cpu", "cpu.idle", "1");
        } else if (cpu) {
            snprintf(value, sizeof(value), "%llu", (unsigned long long)n);
            set(u, "CPUWeight", "cpu", "cpu.weight", value);
        } else {
            snprintf(value, sizeof(value), "default %llu", (unsigned long long)n);
            set(u, "IOWeight", "io", "io.weight", value);
        }
        return 1;
    }
    if (!strcmp(key, "CPUQuota")) {
        size_t len = strlen(v);
        uint64_t n = 0;
        char num[32];
        if (*v && (len < 2 || len >= sizeof(num) || v[len - 1] != '%' ||
                   (snprintf(num, sizeof(num), "%.*s", (int)(len - 1), v), !str_to_u64(num, &n)) || n == 0)) {
            snprintf(err, errsize, "write a percentage of one CPU, like 20%% or 150%%");
            return -1;
        }
        u->cpu_quota_percent = *v ? n : 0;
        return 1;
    }
    if (!strcmp(key, "CPUQuotaPeriodSec")) {
        uint64_t usec = 0;
        if (*v && (unit_parse_timespan(v, &usec) < 0 || usec < 1000 || usec > USEC_PER_SEC)) {
            snprintf(err, errsize, "a period is 1ms to 1s (100ms is the default)");
            return -1;
        }
        u->cpu_quota_period_usec = usec;
        return 1;
    }
    if (!strcmp(key, "AllowedCPUs") || !strcmp(key, "AllowedMemoryNodes")) {
        if (!cpu_list(v, value, sizeof(value))) {
            snprintf(err, errsize, "write a list like 0-3 5 (ranges, spaces or commas)");
            return -1;
        }
        bool cpus = key[7] == 'C';
        set(u, cpus ? "AllowedCPUs" : "AllowedMemoryNodes", "cpuset", cpus ? "cpuset.cpus" : "cpuset.mems", value);
        return 1;
    }
    static const struct {
        const char *key, *what;
    } io[] = {{"IODeviceWeight", "weight"}, {"IOReadBandwidthMax", "rbps"}, {"IOWriteBandwidthMax", "wbps"},
              {"IOReadIOPSMax", "riops"}, {"IOWriteIOPSMax", "wiops"}};
    for (size_t i = 0; i < ARRAY_SIZE(io); i++) {
        if (strcmp(key, io[i].key) != 0)
            continue;
        if (!*v) { /* empty: forget this key's devices */
            size_t k = 0;
            for (size_t j = 0; j < u->ncgroup_sets; j++) {
                if (!strcmp(u->cgroup_sets[j].key, io[i].key))
                    free(u->cgroup_sets[j].value);
                else
                    u->cgroup_sets[k++] = u->cgroup_sets[j];
            }
            u->ncgroup_sets = k;
            return 1;
        }
        /* "DEVICE VALUE": the device's numbers are found at each start (it may come later); kept as
         * "DEVICE\tWHAT=VALUE" for the supervisor */
        const char *sp = strchr(v, ' ');
        char amount[64];
        if (!sp || v[0] != '/' || !sp[1] ||
            (i == 0 ? (!str_to_u64(sp + 1, &(uint64_t){0})) : !bytes_value(sp + 1, 0, amount, sizeof(amount)))) {
            snprintf(err, errsize, "write a device path and %s, like /dev/sda %s", i == 0 ? "a weight" : "a value",
                     i == 0 ? "200" : i < 3 ? "10M" : "1000");
            return -1;
        }
        snprintf(value, sizeof(value), "%.*s\t%s=%s", (int)(sp - v), v, io[i].what, i == 0 ? sp + 1 : amount);
        set(u, io[i].key, "io", i == 0 ? "io.weight" : "io.max", value);
        return 1;
    }
    return 0;
}

void unit_resource_free(struct unit *u)
{
    for (size_t i = 0; i < u->ncgroup_sets; i++)
        free(u->cgroup_sets[i].value);
    free(u->cgroup_sets);
    u->cgroup_sets = NULL;
    u->ncgroup_sets = 0;
}
