/* unit/machine: facts about the machine for ConditionVirtualization=, ConditionArchitecture=,
 * ConditionFirmware=, ConditionACPower=, ConditionSecurity=, ConditionControlGroupController=,
 * ConditionCPUFeature=, Condition*Pressure=, ConditionKernelCommandLine=, ConditionPathIsMountPoint= and
 * ConditionPathIsEncrypted=. Each is found where systemd 252 looks for it (files under /proc and /sys,
 * CPUID), so a unit's condition gives the same answer under oya as under systemd on that machine. */
#include "unit_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#ifndef NETLINK_AUDIT
#define NETLINK_AUDIT 9
#endif
#define CGROUP2_MAGIC 0x63677270

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* The first line of a small file, without its newline; "" if unreadable */
static const char *first_line(const char *path, char *buf, size_t size)
{
    if (file_read_at(AT_FDCWD, path, buf, size) <= 0)
        buf[0] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return buf;
}

/* --- virtualization: a container first (what the services see), else a virtual machine --- */

static const char *container_from_name(const char *name)
{
    static const char *const known[] = {"lxc", "lxc-libvirt", "systemd-nspawn", "docker", "podman",
                                        "rkt", "wsl", "proot", "pouch"};
    for (size_t i = 0; i < ARRAY_SIZE(known); i++)
        if (strcmp(name, known[i]) == 0)
            return known[i];
    return *name ? "container-other" : "";
}

/* $container of PID 1: oya's own when it is PID 1, else read from /proc/1/environ (root only) */
static const char *container_of_pid1(void)
{
    static char env[16384];
    if (getpid() == 1) {
        const char *c = getenv("container");
        return c ? container_from_name(c) : "";
    }
    ssize_t n = file_read_at(AT_FDCWD, "/proc/1/environ", env, sizeof(env));
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(env + i) + 1)
        if (strncmp(env + i, "container=", 10) == 0)
            return container_from_name(env + i + 10);
    return "";
}

static const char *container_id(void)
{
    char buf[256];
    if (exists("/proc/vz") && !exists("/proc/bc"))
        return "openvz";
    first_line("/proc/sys/kernel/osrelease", buf, sizeof(buf));
    if (strstr(buf, "Microsoft") || strstr(buf, "WSL"))
        return "wsl";
    if (*first_line("/run/host/container-manager", buf, sizeof(buf)))
        return container_from_name(buf);
    const char *c = container_of_pid1();
    if (!*c && getpid() != 1 && *first_line("/run/systemd/container", buf, sizeof(buf)))
        c = container_from_name(buf);
    if (*c)
        return c;
    if (exists("/run/.containerenv"))
        return "podman";
    if (exists("/.dockerenv"))
        return "docker";
    return "";
}

/* A hypervisor by its CPUID signature (leaf 0x40000000); "vm-other" for the hypervisor bit alone */
static const char *vm_by_cpuid(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
        return "";
    __cpuid(0x40000000, a, b, c, d);
    char sig[13];
    memcpy(sig, &b, 4), memcpy(sig + 4, &c, 4), memcpy(sig + 8, &d, 4);
    sig[12] = 0;
    static const struct {
        const char *sig, *id;
    } known[] = {{"XenVMMXenVMM", "xen"},      {"KVMKVMKVM", "kvm"},         {"Linux KVM Hv", "kvm"},
                 {"TCGTCGTCGTCG", "qemu"},     {"VMwareVMware", "vmware"},   {"Microsoft Hv", "microsoft"},
                 {"bhyve bhyve ", "bhyve"},    {"QNXQVMBSQG", "qnx"},        {"ACRNACRNACRN", "acrn"},
                 {"SRESRESRESRE", "sre"},      {"Apple VZ", "apple"}};
    for (size_t i = 0; i < ARRAY_SIZE(known); i++)
        if (strcmp(sig, known[i].sig) == 0)
            return known[i].id;
    return "vm-other";
#else
    return "";
#endif
}

static const char *vm_by_dmi(void)
{
    static const char *const files[] = {"product_name", "sys_vendor", "board_vendor", "bios_vendor",
                                        "product_version"};
    static const struct {
        const char *prefix, *id;
    } known[] = {{"KVM", "kvm"},       {"OpenStack", "kvm"},      {"KubeVirt", "kvm"},     {"Amazon EC2", "amazon"},
                 {"QEMU", "qemu"},     {"VMware", "vmware"},      {"VMW", "vmware"},       {"innotek GmbH", "oracle"},
                 {"VirtualBox", "oracle"}, {"Oracle Corporation", "oracle"}, {"Xen", "xen"}, {"Bochs", "bochs"},
                 {"Parallels", "parallels"}, {"BHYVE", "bhyve"}, {"Hyper-V", "microsoft"},
                 {"Apple Virtualization", "apple"}, {"Google Compute Engine", "google"}};
    for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
        char path[128], buf[256];
        snprintf(path, sizeof(path), "/sys/class/dmi/id/%s", files[f]);
        first_line(path, buf, sizeof(buf));
        for (size_t i = 0; i < ARRAY_SIZE(known); i++)
            if (str_startswith(buf, known[i].prefix))
                return known[i].id;
    }
    return "";
}

static const char *vm_id(void)
{
    const char *dmi = vm_by_dmi(), *cpu = vm_by_cpuid();
    char buf[256];
    if (!strcmp(dmi, "oracle") || !strcmp(dmi, "xen") || !strcmp(dmi, "amazon"))
        return dmi;
    if (*cpu && strcmp(cpu, "vm-other") != 0)
        return cpu;
    if (*dmi)
        return dmi;
    if (!strcmp(first_line("/sys/hypervisor/type", buf, sizeof(buf)), "xen"))
        return "xen";
    first_line("/proc/device-tree/hypervisor/compatible", buf, sizeof(buf));
    if (!strcmp(buf, "linux,kvm"))
        return "kvm";
    if (strstr(buf, "xen"))
        return "xen";
    if (strstr(buf, "vmware"))
        return "vmware";
    return cpu;
}

static bool in_user_namespace(void)
{
    char buf[256];
    if (file_read_at(AT_FDCWD, "/proc/self/uid_map", buf, sizeof(buf)) <= 0)
        return false;
    /* outside any user namespace the map is the identity over all 2^32 IDs: "0 0 4294967295" */
    char *p = buf, *end;
    unsigned long f[3];
    for (int i = 0; i < 3; i++, p = end) {
        f[i] = strtoul(p, &end, 10);
        if (end == p)
            return true;
    }
    return f[0] != 0 || f[1] != 0 || f[2] != 4294967295UL;
}

int machine_virtualization_is(const char *v)
{
    if (strcmp(v, "private-users") == 0)
        return in_user_namespace();
    const char *container = container_id(), *vm = *container ? "" : vm_id();
    bool any = *container || *vm, b;
    if (unit_parse_bool(v, &b) == 0)
        return any == b;
    if (strcmp(v, "container") == 0)
        return *container != 0;
    if (strcmp(v, "vm") == 0)
        return *vm != 0;
    return any && (strcmp(v, container) == 0 || strcmp(v, vm) == 0);
}

/* --- architecture, firmware --- */

static const char *uname_architecture(const char *m)
{
    static const struct {
        const char *machine, *arch;
    } names[] = {{"x86_64", "x86-64"},  {"i386", "x86"},       {"i486", "x86"},        {"i586", "x86"},
                 {"i686", "x86"},       {"aarch64_be", "arm64-be"}, {"aarch64", "arm64"}, {"armv8b", "arm-be"},
                 {"armv7b", "arm-be"},  {"arm", "arm"},        {"ppc64le", "ppc64-le"}, {"ppc64", "ppc64"},
                 {"ppcle", "ppc-le"},   {"ppc", "ppc"},        {"s390x", "s390x"},      {"s390", "s390"},
                 {"riscv64", "riscv64"}, {"riscv32", "riscv32"}, {"loongarch64", "loongarch64"},
                 {"sparc64", "sparc64"}, {"sparc", "sparc"},   {"mips64", "mips64-le"}, {"mips", "mips-le"},
                 {"parisc64", "parisc64"}, {"parisc", "parisc"}, {"ia64", "ia64"},      {"alpha", "alpha"},
                 {"m68k", "m68k"},      {"sh64", "sh64"},      {"sh", "sh"},            {"arc", "arc"}};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (str_startswith(m, names[i].machine))
            return names[i].arch;
    return m;
}

int machine_architecture_is(const char *v)
{
    struct utsname u;
    if (uname(&u) < 0)
        return -errno;
    if (strcmp(v, "native") == 0)
        return 1;
    return strcmp(uname_architecture(u.machine), v) == 0; /* a name systemd does not know is not ours */
}

/* "NAME(ARG)": ARG into arg, false if v is not of that form */
static bool call_form(const char *v, const char *name, char *arg, size_t size)
{
    size_t n = strlen(name), len = strlen(v);
    if (strncmp(v, name, n) != 0 || v[n] != '(' || len < n + 2 || v[len - 1] != ')')
        return false;
    snprintf(arg, size, "%.*s", (int)(len - n - 2), v + n + 1);
    return true;
}

/* smbios-field(NAME OP VALUE): the DMI field /sys/class/dmi/id/NAME compared */
static int smbios_field(const char *arg)
{
    char name[64], path[128], actual[256];
    size_t n = strcspn(arg, " !<=>$");
    if (n == 0 || n >= sizeof(name))
        return -EINVAL;
    snprintf(name, sizeof(name), "%.*s", (int)n, arg);
    if (strchr(name, '/'))
        return -EINVAL;
    snprintf(path, sizeof(path), "/sys/class/dmi/id/%s", name);
    if (file_read_at(AT_FDCWD, path, actual, sizeof(actual)) <= 0)
        return 0;
    bool ok;
    bool r = unit_compare_text(str_strip(actual), arg + n, &ok);
    return ok ? r : -EINVAL;
}

int machine_firmware_is(const char *v)
{
    char arg[256];
    if (strcmp(v, "uefi") == 0)
        return exists("/sys/firmware/efi/");
    if (strcmp(v, "device-tree") == 0)
        return exists("/sys/firmware/devicetree/");
    if (call_form(v, "device-tree-compatible", arg, sizeof(arg))) {
        char list[4096];
        ssize_t n = file_read_at(AT_FDCWD, "/proc/device-tree/compatible", list, sizeof(list));
        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
            if (strcmp(list + i, arg) == 0)
                return 1;
        return 0;
    }
    if (call_form(v, "smbios-field", arg, sizeof(arg)))
        return smbios_field(arg);
    return 0;
}

/* --- power: on AC if a mains supply is online, or if nothing says otherwise --- */

int machine_on_ac_power(void)
{
    DIR *d = opendir("/sys/class/power_supply");
    if (!d)
        return 1;
    bool online = false, offline = false, discharging = false;
    struct dirent *e;
    while (!online && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX], type[64], val[64];
        snprintf(path, sizeof(path), "/sys/class/power_supply/%s/type", e->d_name);
        first_line(path, type, sizeof(type));
        if (strcmp(type, "Battery") == 0) {
            snprintf(path, sizeof(path), "/sys/class/power_supply/%s/status", e->d_name);
            discharging = discharging || strcmp(first_line(path, val, sizeof(val)), "Discharging") == 0;
            continue;
        }
        if (strcmp(type, "Mains") != 0)
            continue;
        snprintf(path, sizeof(path), "/sys/class/power_supply/%s/online", e->d_name);
        first_line(path, val, sizeof(val));
        online = strcmp(val, "1") == 0;
        offline = offline || strcmp(val, "0") == 0;
    }
    closedir(d);
    return online || (!offline && !discharging);
}

/* --- security modules and features --- */

static int audit_usable(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    return errno != EAFNOSUPPORT && errno != EPROTONOSUPPORT && errno != EPERM;
}

static int secure_boot(void)
{
    unsigned char v[8];
    int fd = open("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
                  O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, v, sizeof(v));
    close(fd);
    return n == 5 && v[4] == 1; /* 4 bytes of attributes, then the value */
}

static bool dir_has_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool any = false;
    while (!any && (e = readdir(d)))
        any = e->d_name[0] != '.';
    closedir(d);
    return any;
}

int machine_security_has(const char *v)
{
    char buf[16];
    if (strcmp(v, "selinux") == 0)
        return exists("/sys/fs/selinux/enforce") || exists("/selinux/enforce");
    if (strcmp(v, "apparmor") == 0)
        return first_line("/sys/module/apparmor/parameters/enabled", buf, sizeof(buf))[0] == 'Y';
    if (strcmp(v, "smack") == 0)
        return exists("/sys/fs/smackfs/");
    if (strcmp(v, "ima") == 0)
        return exists("/sys/kernel/security/ima/");
    if (strcmp(v, "tomoyo") == 0)
        return exists("/sys/kernel/security/tomoyo/version");
    if (strcmp(v, "audit") == 0)
        return audit_usable();
    if (strcmp(v, "uefi-secureboot") == 0)
        return secure_boot();
    if (strcmp(v, "tpm2") == 0) /* a TPM 2.0 driver and the firmware's TPM2 table */
        return dir_has_entries("/sys/class/tpmrm") && exists("/sys/firmware/acpi/tables/TPM2");
    return 0;
}

/* --- cgroups --- */

static bool cgroup_unified(void)
{
    struct statfs fs;
    return statfs("/sys/fs/cgroup/", &fs) == 0 && fs.f_type == CGROUP2_MAGIC;
}

/* Is the controller available: in the cgroup v2 root's cgroup.controllers, or mounted as a v1 hierarchy */
static bool controller_available(const char *name, bool unified)
{
    static const char *const known[] = {"cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids"};
    bool ok = false;
    for (size_t i = 0; i < ARRAY_SIZE(known); i++)
        ok = ok || strcmp(name, known[i]) == 0;
    if (!ok) /* systemd skips a controller it does not know; the BPF ones are not files to look at */
        return !str_startswith(name, "bpf-");
    if (!unified) {
        char path[64];
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", name);
        return strcmp(name, "io") != 0 && exists(path);
    }
    char list[1024];
    if (file_read_at(AT_FDCWD, "/sys/fs/cgroup/cgroup.controllers", list, sizeof(list)) <= 0)
        return false;
    size_t n = strlen(name);
    for (char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
            return true;
    return false;
}

int machine_cgroup_has(const char *v)
{
    bool unified = cgroup_unified();
    if (strcmp(v, "v2") == 0)
        return unified;
    if (strcmp(v, "v1") == 0)
        return !unified;
    struct strv words = {0};
    const char *why;
    if (unit_split_words(v, &words, &why) < 0 || words.n == 0) {
        strv_clear(&words);
        return -EINVAL;
    }
    int r = 1;
    for (size_t i = 0; r && i < words.n; i++)
        r = controller_available(words.v[i], unified);
    strv_clear(&words);
    return r;
}

/* --- CPU features: the CPUID bits systemd knows by name (x86 only; elsewhere none holds) --- */

int machine_cpu_has(const char *v)
{
#if defined(__x86_64__) || defined(__i386__)
    enum { EDX1, ECX1, EBX7, EDX81, ECX81, EDX87 };
    static const struct {
        const char *name;
        unsigned char where, bit;
    } features[] = {
        {"fpu", EDX1, 0},      {"vme", EDX1, 1},      {"de", EDX1, 2},        {"pse", EDX1, 3},
        {"tsc", EDX1, 4},      {"msr", EDX1, 5},      {"pae", EDX1, 6},       {"mce", EDX1, 7},
        {"cx8", EDX1, 8},      {"apic", EDX1, 9},     {"sep", EDX1, 11},      {"mtrr", EDX1, 12},
        {"pge", EDX1, 13},     {"mca", EDX1, 14},     {"cmov", EDX1, 15},     {"pat", EDX1, 16},
        {"pse36", EDX1, 17},   {"clflush", EDX1, 19}, {"mmx", EDX1, 23},      {"fxsr", EDX1, 24},
        {"sse", EDX1, 25},     {"sse2", EDX1, 26},    {"ht", EDX1, 28},       {"pni", ECX1, 0},
        {"ssse3", ECX1, 9},    {"cx16", ECX1, 13},    {"sse4_1", ECX1, 19},   {"sse4_2", ECX1, 20},
        {"movbe", ECX1, 22},   {"popcnt", ECX1, 23},  {"aes", ECX1, 25},      {"xsave", ECX1, 26},
        {"osxsave", ECX1, 27}, {"avx", ECX1, 28},     {"f16c", ECX1, 29},     {"rdrand", ECX1, 30},
        {"bmi1", EBX7, 3},     {"avx2", EBX7, 5},     {"bmi2", EBX7, 8},      {"rdseed", EBX7, 18},
        {"adx", EBX7, 19},     {"sha_ni", EBX7, 29},  {"syscall", EDX81, 11}, {"rdtscp", EDX81, 27},
        {"lm", EDX81, 29},     {"lahf_lm", ECX81, 0}, {"abm", ECX81, 5},      {"constant_tsc", EDX87, 8},
    };
    for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
        if (strcmp(v, features[i].name) != 0)
            continue;
        unsigned a = 0, b = 0, c = 0, d = 0, reg;
        switch (features[i].where) {
        case EDX1: case ECX1: __get_cpuid(1, &a, &b, &c, &d); break;
        case EBX7: __get_cpuid_count(7, 0, &a, &b, &c, &d); break;
        case EDX81: case ECX81: __get_cpuid(0x80000001, &a, &b, &c, &d); break;
        default: __get_cpuid(0x80000007, &a, &b, &c, &d); break;
        }
        reg = features[i].where == EBX7 ? b : (features[i].where == ECX1 || features[i].where == ECX81) ? c : d;
        return (reg >> features[i].bit) & 1;
    }
    return 0;
#else
    (void)v;
    return 0;
#endif
}

/* --- pressure (PSI): "[SLICE:]N%[/10sec|/1min|/5min]", met while the average is at most N% --- */

/* "12.34" into hundredths; digits past two decimals are dropped */
static bool hundredths(const char *p, const char **end, uint64_t *out)
{
    uint64_t v = 0;
    int frac = -1;
    const char *s = p;
    for (; (*p >= '0' && *p <= '9') || (*p == '.' && frac < 0); p++) {
        if (*p == '.') {
            frac = 0;
            continue;
        }
        if (frac >= 2)
            continue;
        v = v * 10 + (uint64_t)(*p - '0');
        if (frac >= 0)
            frac++;
    }
    for (frac = frac < 0 ? 0 : frac; frac < 2; frac++)
        v *= 10;
    *end = p;
    *out = v;
    return p > s && p[-1] != '.';
}

int machine_pressure_below(const char *resource, const char *v)
{
    char path[PATH_MAX] = "";
    const char *colon = strchr(v, ':');
    if (colon) {
        /* a slice's own pressure, in its cgroup: a-b.slice is /sys/fs/cgroup/a.slice/a-b.slice */
        char slice[256], dir[1024] = "/sys/fs/cgroup";
        snprintf(slice, sizeof(slice), "%.*s", (int)(colon - v), v);
        if (!str_endswith(slice, ".slice") || strchr(slice, '/'))
            return -EINVAL;
        for (char *dash = slice; strcmp(slice, "-.slice") != 0 && (dash = strchr(dash, '-')); dash++) {
            size_t n = strlen(dir);
            snprintf(dir + n, sizeof(dir) - n, "/%.*s.slice", (int)(dash - slice), slice);
        }
        if (strcmp(slice, "-.slice") != 0) {
            size_t n = strlen(dir);
            snprintf(dir + n, sizeof(dir) - n, "/%s", slice);
        }
        snprintf(path, sizeof(path), "%s/%s.pressure", dir, resource);
        v = colon + 1;
    } else {
        snprintf(path, sizeof(path), "/proc/pressure/%s", resource);
    }
    uint64_t limit, span = 300 * USEC_PER_SEC;
    const char *p;
    if (!hundredths(v, &p, &limit) || *p != '%' || limit > 10000)
        return -EINVAL;
    if (p[1] == '/' && unit_parse_timespan(p + 2, &span) < 0)
        return -EINVAL;
    if (p[1] && p[1] != '/')
        return -EINVAL;
    const char *field = span == 10 * USEC_PER_SEC ? "avg10=" : span == 60 * USEC_PER_SEC ? "avg60="
                      : span == 300 * USEC_PER_SEC ? "avg300=" : NULL;
    if (!field)
        return -EINVAL;
    char text[512];
    if (file_read_at(AT_FDCWD, path, text, sizeof(text)) <= 0)
        return 1; /* no pressure information: nothing says the machine is under pressure */
    /* memory and io: the time all tasks stalled ("full"); cpu: some of them ("some") */
    const char *line = strstr(text, strcmp(resource, "cpu") == 0 ? "some " : "full ");
    const char *avg = line ? strstr(line, field) : NULL;
    uint64_t now;
    if (!avg || !hundredths(avg + strlen(field), &p, &now))
        return -EIO;
    return now <= limit;
}

/* --- the kernel command line, the mount table, block devices --- */

int machine_kernel_cmdline_has(const char *v)
{
    /* in a container, systemd reads PID 1's command line in place of the kernel's */
    static char line[8192];
    bool container = *container_id() != 0;
    ssize_t n = file_read_at(AT_FDCWD, container ? "/proc/1/cmdline" : "/proc/cmdline", line, sizeof(line));
    if (n < 0)
        return (int)n;
    for (ssize_t i = 0; i < n; i++)
        if (line[i] == 0 || line[i] == '\n')
            line[i] = ' ';
    struct strv words = {0};
    const char *why;
    if (unit_split_words(line, &words, &why) < 0) {
        strv_clear(&words);
        return -EINVAL;
    }
    bool whole = strchr(v, '=') != NULL;
    size_t len = strlen(v);
    int r = 0;
    for (size_t i = 0; !r && i < words.n; i++) {
        const char *w = words.v[i];
        r = whole ? strcmp(w, v) == 0 : strncmp(w, v, len) == 0 && (w[len] == '=' || !w[len]);
    }
    strv_clear(&words);
    return r;
}

/* One field of an fstab or mountinfo line into out, its octal escapes (\040 for a space) decoded; returns
 * the rest of the line */
static const char *mount_field(const char *p, char *out, size_t size)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t k = 0;
    for (; *p && *p != ' ' && *p != '\t'; p++) {
        char ch = *p;
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
            ch = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        }
        if (k + 1 < size)
            out[k++] = ch;
    }
    out[k] = 0;
    return p;
}

/* A mount point is a line's fifth field in /proc/self/mountinfo */
int machine_is_mount_point(const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return 0;
    struct buf b = {0};
    if (file_read_to_buf("/proc/self/mountinfo", &b) < 0) {
        buf_free(&b);
        return -EIO;
    }
    int r = 0;
    for (char *line = b.p; !r && line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char mp[PATH_MAX];
        const char *f = line;
        for (int i = 0; i < 5; i++)
            f = mount_field(f, mp, sizeof(mp));
        r = strcmp(mp, real) == 0;
        line = next;
    }
    buf_free(&b);
    return r;
}

/* RequiresMountsFor=path: systemd requires (and orders after) the mount units of the path's prefixes that
 * exist, the ones of fstab among them; a path no mount unit covers needs nothing (lldpd names /run/lldpd,
 * which it makes itself). oya mounts nothing, so each fstab mount point on the path must be mounted
 * already: 1 if so, 0 with the first that is not in unmounted, -errno if fstab could not be read. */
int machine_mounts_for(const char *path, const char *fstab, char *unmounted, size_t size)
{
    struct buf b = {0};
    int r = file_read_to_buf(fstab, &b);
    if (r < 0) {
        buf_free(&b);
        return r == -ENOENT ? 1 : r; /* no fstab: no mount units from it */
    }
    r = 1;
    for (char *line = b.p; r == 1 && line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char spec[PATH_MAX], mp[PATH_MAX], type[64];
        const char *rest = mount_field(line, spec, sizeof(spec));
        rest = mount_field(rest, mp, sizeof(mp));
        mount_field(rest, type, sizeof(type));
        size_t n = strlen(mp);
        while (n > 1 && mp[n - 1] == '/')
            mp[--n] = 0;
        bool on_path = spec[0] != '#' && mp[0] == '/' && n > 1 && strcmp(type, "swap") != 0 &&
                       strncmp(path, mp, n) == 0 && (path[n] == 0 || path[n] == '/');
        if (on_path && machine_is_mount_point(mp) != 1) {
            snprintf(unmounted, size, "%s", mp);
            r = 0;
        }
        line = next;
    }
    buf_free(&b);
    return r;
}

/* Is block device dir (under /sys) a dm-crypt device, or built on one */
static bool block_encrypted(const char *dir, int depth)
{
    char path[PATH_MAX], uuid[128];
    snprintf(path, sizeof(path), "%s/dm/uuid", dir);
    if (str_startswith(first_line(path, uuid, sizeof(uuid)), "CRYPT-"))
        return true;
    if (depth > 8)
        return false;
    snprintf(path, sizeof(path), "%s/slaves", dir);
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[PATH_MAX];
        snprintf(sub, sizeof(sub), "/sys/class/block/%s", e->d_name);
        found = block_encrypted(sub, depth + 1);
    }
    closedir(d);
    return found;
}

int machine_path_encrypted(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || major(st.st_dev) == 0)
        return 0; /* missing, or not on a block device (tmpfs, overlay, ...) */
    char dir[64];
    snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
    return block_encrypted(dir, 0);
}
