/* unit/condition: the Condition*= and Assert*= checks of systemd 252, run before each start: '!' negates,
 * '|' makes a condition triggering (one triggering condition that holds is enough, every other one must
 * hold). An assert that fails refuses the start; a condition skips it. What can be told from files and
 * the kernel is checked here; facts about the machine (virtualization, power, firmware...) are in
 * machine.c. A value that cannot be evaluated counts as not met, as in systemd. */
#include "unit_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

/* the names after "Condition" and "Assert", in enum unit_cond_kind order */
static const char *const cond_names[COND_N + 1] = {
    "PathExists", "PathExistsGlob", "PathIsDirectory", "PathIsSymbolicLink", "PathIsMountPoint",
    "PathIsReadWrite", "PathIsEncrypted", "DirectoryNotEmpty", "FileNotEmpty", "FileIsExecutable", "NeedsUpdate",
    "FirstBoot", "KernelCommandLine", "KernelVersion", "Credential", "Architecture", "Firmware", "Virtualization",
    "Host", "ACPower", "Security", "Capability", "ControlGroupController", "Memory", "CPUs", "CPUFeature",
    "OSRelease", "User", "Group", "Environment", "MemoryPressure", "CPUPressure", "IOPressure",
    "RequiresMountsFor",
};
_Static_assert(sizeof(cond_names) / sizeof(cond_names[0]) == COND_N + 1, "a condition kind without a name");

const char *unit_cond_name(enum unit_cond_kind k)
{
    return cond_names[k];
}

int unit_cond_kind_from_name(const char *name)
{
    for (int k = 0; k < COND_N; k++)
        if (strcmp(cond_names[k], name) == 0)
            return k;
    return -1;
}

/* --- comparisons: "<=" ">=" "<" ">" "==" "=" "!=", and the glob ones "$=" "!$=" where allowed --- */

enum cmp_op { OP_NONE, OP_LE, OP_GE, OP_LT, OP_GT, OP_EQ, OP_NE, OP_GLOB, OP_NOT_GLOB };

static enum cmp_op take_op(const char **p, bool globs)
{
    static const struct {
        const char *text;
        enum cmp_op op;
    } ops[] = {{"!$=", OP_NOT_GLOB}, {"$=", OP_GLOB}, {"<=", OP_LE}, {">=", OP_GE}, {"==", OP_EQ},
               {"!=", OP_NE},        {"<", OP_LT},    {">", OP_GT},  {"=", OP_EQ}};
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        size_t n = strlen(ops[i].text);
        if (strncmp(*p, ops[i].text, n) == 0) {
            if (!globs && (ops[i].op == OP_GLOB || ops[i].op == OP_NOT_GLOB))
                return OP_NONE;
            *p += n;
            return ops[i].op;
        }
    }
    return OP_NONE;
}

static bool op_holds(enum cmp_op op, int cmp)
{
    switch (op) {
    case OP_LE: return cmp <= 0;
    case OP_GE: return cmp >= 0;
    case OP_LT: return cmp < 0;
    case OP_GT: return cmp > 0;
    case OP_EQ: return cmp == 0;
    case OP_NE: return cmp != 0;
    default: return false;
    }
}

static bool version_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '~' || c == '-' ||
           c == '^' || c == '.';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One separator both strings may hold next: the string that has it where the other does not sorts
 * first ('~' pre-release, '-' release, '^' patch, '.' point release, in that order of checking). 0 when both or neither
 * have it; then both step past it. */
static int separator(const char **a, const char **b, char sep)
{
    if (**a != sep && **b != sep)
        return 0;
    if (**a != sep)
        return 1;
    if (**b != sep)
        return -1;
    (*a)++, (*b)++;
    return 0;
}

/* Versions compared as the UAPI version format specification says (systemd's rule for
 * ConditionKernelVersion= and ConditionOSRelease=): segments of digits compare as numbers, of letters
 * as text; '~' sorts before the end of the string, which sorts before anything else. */
static int version_cmp(const char *a, const char *b)
{
    for (;;) {
        while (*a && !version_char(*a))
            a++;
        while (*b && !version_char(*b))
            b++;
        int r = separator(&a, &b, '~');
        if (r)
            return r;
        if (!*a || !*b)
            return *a ? 1 : *b ? -1 : 0;
        if ((r = separator(&a, &b, '-')) || (r = separator(&a, &b, '^')))
            return r;
        if ((r = separator(&a, &b, '.')))
            return r;
        const char *ea = a, *eb = b;
        if (is_digit(*a) || is_digit(*b)) {
            while (is_digit(*ea))
                ea++;
            while (is_digit(*eb))
                eb++;
            if ((ea == a) != (eb == b))
                return ea == a ? -1 : 1; /* a number is newer than letters */
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            if (ea - a != eb - b)
                return ea - a < eb - b ? -1 : 1;
            r = memcmp(a, b, (size_t)(ea - a));
        } else {
            while (is_alpha(*ea))
                ea++;
            while (is_alpha(*eb))
                eb++;
            size_t na = (size_t)(ea - a), nb = (size_t)(eb - b);
            r = memcmp(a, b, na < nb ? na : nb);
            if (!r && na != nb)
                r = na < nb ? -1 : 1;
        }
        if (r)
            return r < 0 ? -1 : 1;
        a = ea, b = eb;
    }
}

/* actual OP wanted, for ConditionKernelVersion=, ConditionOSRelease= and ConditionFirmware='s smbios-field:
 * = and != compare text (systemd's rule: "6.18.044" is not "6.18.44"), the others versions */
static bool compare_text(enum cmp_op op, const char *actual, const char *wanted)
{
    if (op == OP_GLOB || op == OP_NOT_GLOB)
        return unit_glob_match(wanted, actual, false) == (op == OP_GLOB);
    if (op == OP_EQ || op == OP_NE)
        return (strcmp(actual, wanted) == 0) == (op == OP_EQ);
    return op_holds(op, version_cmp(actual, wanted));
}

bool unit_compare_text(const char *actual, const char *expr, bool *ok)
{
    const char *p = expr;
    while (*p == ' ')
        p++;
    enum cmp_op op = take_op(&p, true);
    *ok = op != OP_NONE && *p;
    return *ok && compare_text(op, actual, p);
}

/* The value's space-separated words, each unquoted */
static int open_dir_root(void)
{
    return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static bool words_of(const char *v, struct strv *out)
{
    const char *why;
    return unit_split_words(v, out, &why) == 0;
}

/* --- paths --- */

static int dir_not_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    bool any = false;
    struct dirent *e;
    while (!any && (e = readdir(d)))
        any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return any;
}

/* One "[...]" class at p (after the '['): does c match; *end after the ']'. A class with no ']' is
 * taken as a plain '['. */
static bool class_matches(const char *p, char c, bool fold, const char **end)
{
    bool neg = *p == '!' || *p == '^', hit = false;
    const char *q = neg ? p + 1 : p;
    for (bool first = true; *q && (*q != ']' || first); first = false) {
        char lo = *q == '\\' && q[1] ? *++q : *q, hi = lo;
        q++;
        if (q[0] == '-' && q[1] && q[1] != ']') {
            hi = q[1] == '\\' && q[2] ? q[2] : q[1];
            q += q[1] == '\\' && q[2] ? 3 : 2;
        }
        char f = fold && c >= 'A' && c <= 'Z' ? (char)(c + 32) : c, g = fold && c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
        hit = hit || (c >= lo && c <= hi) || (f >= lo && f <= hi) || (g >= lo && g <= hi);
    }
    if (*q != ']') {
        *end = NULL;
        return false;
    }
    *end = q + 1;
    return hit != neg;
}

/* Shell-style match of all of text by pattern (* ? [...] and \ escapes), as fnmatch(3) without flags
 * (fold: letters in either case, FNM_CASEFOLD). Written here, not taken from libc, so that the static
 * binary does not carry libc's locale tables for it. */
bool unit_glob_match(const char *pat, const char *text, bool fold)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        const char *next = NULL;
        bool ok = false;
        if (*pat == '*') {
            star = ++pat;
            resume = text;
            continue;
        }
        if (*pat == '?') {
            ok = true, next = pat + 1;
        } else if (*pat == '[' && (ok = class_matches(pat + 1, *text, fold, &next), next)) {
            /* a class; next is past it */
        } else if (*pat) {
            const char *lit = *pat == '\\' && pat[1] ? pat + 1 : pat;
            char a = *lit, b = *text;
            if (fold)
                a = (char)(a >= 'A' && a <= 'Z' ? a + 32 : a), b = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            ok = a == b, next = lit + 1;
        }
        if (ok) {
            pat = next, text++;
        } else if (star) {
            pat = star, text = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return !*pat;
}

static bool has_magic(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    return false;
}

/* Does any path match pattern, from dir (an open directory) on: one component at a time, reading a
 * directory only where the component has wildcards */
static bool glob_walk(int dirfd, const char *pattern, int depth)
{
    while (*pattern == '/')
        pattern++;
    if (!*pattern)
        return true;
    size_t n = strcspn(pattern, "/");
    char comp[256];
    if (n >= sizeof(comp) || depth > 64)
        return false;
    snprintf(comp, sizeof(comp), "%.*s", (int)n, pattern);
    bool last = !pattern[n] || !pattern[n + strspn(pattern + n, "/")];
    if (!has_magic(comp, n)) {
        /* unescape the literal name */
        char name[256];
        size_t k = 0;
        for (size_t i = 0; comp[i]; i++)
            name[k++] = comp[i] == '\\' && comp[i + 1] ? comp[++i] : comp[i];
        name[k] = 0;
        if (last)
            return faccessat(dirfd, name, F_OK, 0) == 0;
        int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub < 0)
            return false;
        bool r = glob_walk(sub, pattern + n, depth + 1);
        close(sub);
        return r;
    }
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.' && comp[0] != '.')
            continue; /* as glob(3): a leading dot is matched only by a leading dot */
        if (!unit_glob_match(comp, e->d_name, false))
            continue;
        if (last) {
            found = true;
        } else {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            found = sub >= 0 && glob_walk(sub, pattern + n, depth + 1);
            if (sub >= 0)
                close(sub);
        }
    }
    closedir(d);
    return found;
}

/* ConditionPathExistsGlob=: {a,b} alternatives first (as GLOB_BRACE), then the walk from / */
static int glob_matches(const char *pattern, int depth)
{
    const char *open = strchr(pattern, '{');
    const char *close_ = NULL;
    if (open && depth < 8) {
        int level = 0;
        for (const char *q = open; *q && !close_; q++)
            level += *q == '{' ? 1 : *q == '}' ? -1 : 0, close_ = level == 0 ? q : NULL;
    }
    if (!close_) {
        int root = open_dir_root();
        bool r = root >= 0 && glob_walk(root, pattern, 0);
        if (root >= 0)
            close(root);
        return r;
    }
    /* each alternative between the braces, at level 1, in turn */
    for (const char *alt = open + 1; alt <= close_;) {
        const char *q = alt;
        for (int level = 0; q < close_ && (level > 0 || *q != ','); q++)
            level += *q == '{' ? 1 : *q == '}' ? -1 : 0;
        char *one = mem_asprintf("%.*s%.*s%s", (int)(open - pattern), pattern, (int)(q - alt), alt, close_ + 1);
        if (!one)
            return -ENOMEM; /* not tested: not "no match" */
        int r = glob_matches(one, depth + 1);
        free(one);
        if (r)
            return 1;
        alt = q + 1;
    }
    return 0;
}

/* /usr newer than DIR/.updated: the update tools (ConditionNeedsUpdate=) have something to do */
static int needs_update(const char *dir)
{
    struct statvfs vfs;
    if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
        return 0;
    if (dir[0] != '/')
        return 1;
    char path[4096];
    struct stat usr, other;
    snprintf(path, sizeof(path), "%s/.updated", dir);
    if (lstat(path, &other) < 0 || lstat("/usr/", &usr) < 0)
        return 1;
    if (usr.st_mtim.tv_sec != other.st_mtim.tv_sec)
        return usr.st_mtim.tv_sec > other.st_mtim.tv_sec;
    return usr.st_mtim.tv_nsec > other.st_mtim.tv_nsec;
}

/* --- the service manager: its user, groups and environment --- */

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!is_digit(*s))
            return false;
    return true;
}

static int test_user(const char *v)
{
    uid_t uid = getuid(), euid = geteuid();
    if (all_digits(v))
        return strtoul(v, NULL, 10) == uid || strtoul(v, NULL, 10) == euid;
    if (strcmp(v, "@system") == 0)
        return uid <= 999 || euid <= 999; /* SYS_UID_MAX of Debian's login.defs */
    return strcmp(v, unit_self()->user) == 0 || (uid == 0 && strcmp(v, "root") == 0);
}

static int test_group(const char *v)
{
    const struct unit_self *self = unit_self();
    bool number = all_digits(v);
    for (size_t i = 0; i < self->ngroups; i++) {
        if (number ? strtoul(v, NULL, 10) == self->gids[i] : strcmp(v, self->group_names[i]) == 0)
            return 1;
    }
    return number && strtoul(v, NULL, 10) == getegid();
}

static int test_environment(const char *v)
{
    bool whole = strchr(v, '=') != NULL;
    size_t n = strlen(v);
    for (char **e = environ; e && *e; e++)
        if (whole ? strcmp(*e, v) == 0 : strncmp(*e, v, n) == 0 && (*e)[n] == '=')
            return 1;
    return 0;
}

/* The bounding set oya itself has: what a service may still be given */
static int test_capability(const char *v)
{
    int cap = unit_cap_from_name(v);
    if (cap < 0)
        return -EINVAL;
    char text[4096];
    uint64_t bounding = UINT64_MAX;
    if (file_read_at(AT_FDCWD, "/proc/self/status", text, sizeof(text)) > 0) {
        const char *p = strstr(text, "\nCapBnd:");
        if (p)
            bounding = strtoull(p + 8, NULL, 16);
    }
    return (bounding >> cap) & 1;
}

/* --- sizes and counts: "[OP]N", >= when no operator --- */

/* "1.5G": a size with an optional fraction and a base-1024 suffix (K M G T P E), without floating point */
static int parse_size_value(const char *s, uint64_t *out)
{
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    const char *p = s;
    if (!is_digit(*p))
        return -EINVAL;
    for (; is_digit(*p); p++) {
        if (whole > UINT64_MAX / 10 - 9)
            return -ERANGE;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.')
        for (p++; is_digit(*p); p++)
            if (frac_scale < 1000000000)
                frac = frac * 10 + (uint64_t)(*p - '0'), frac_scale *= 10;
    static const char units[] = "KMGTPE";
    uint64_t scale = 1;
    if (*p) {
        const char *u = strchr(units, *p);
        if (!u || p[1])
            return -EINVAL;
        for (const char *q = units; q <= u; q++)
            scale *= 1024;
    }
    if (whole > UINT64_MAX / scale)
        return -ERANGE;
    *out = whole * scale + (uint64_t)((unsigned __int128)frac * scale / frac_scale);
    return 0;
}

static int test_count(const char *v, uint64_t actual, bool size)
{
    const char *p = v;
    enum cmp_op op = take_op(&p, false);
    if (op == OP_NONE) {
        if (*p == '$' || *p == '!')
            return -EINVAL;
        op = OP_GE;
    }
    while (*p == ' ')
        p++;
    uint64_t want;
    if (size) {
        if (parse_size_value(p, &want) < 0)
            return -EINVAL;
    } else {
        char *end;
        errno = 0;
        want = strtoull(p, &end, 10);
        if (errno || end == p || *end || *p == '-')
            return -EINVAL;
    }
    return op_holds(op, actual < want ? -1 : actual > want);
}

static uint64_t physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

static uint64_t cpus_usable(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) < 0)
        return (uint64_t)sysconf(_SC_NPROCESSORS_ONLN);
    return (uint64_t)CPU_COUNT(&set);
}

/* --- the kernel and the OS --- */

/* Every space-separated word of v must hold by one(word): 1, or the first 0 or -errno; -EINVAL if none */
static int all_words(const char *v, int (*one)(const char *word, const void *ctx), const void *ctx)
{
    struct strv words = {0};
    int r = words_of(v, &words) && words.n ? 1 : -EINVAL;
    for (size_t i = 0; r == 1 && i < words.n; i++)
        r = one(words.v[i], ctx);
    strv_clear(&words);
    return r;
}

/* "[OP]VERSION" against the release; with no operator a glob on it */
static int kernel_version_word(const char *w, const void *ctx)
{
    const char *release = ctx, *p = w;
    enum cmp_op op = take_op(&p, true);
    if (op == OP_NONE)
        return unit_glob_match(p, release, false);
    return *p ? compare_text(op, release, p) : -EINVAL;
}

static int test_kernel_version(const char *v)
{
    struct utsname u;
    if (uname(&u) < 0)
        return -errno;
    return all_words(v, kernel_version_word, u.release);
}

/* KEY of os-release (/etc/os-release, else /usr/lib/os-release) into out, unquoted; "" when absent */
static void os_release_value(const char *key, char *out, size_t size)
{
    static char text[8192];
    out[0] = 0;
    if (file_read_at(AT_FDCWD, "/etc/os-release", text, sizeof(text)) <= 0 &&
        file_read_at(AT_FDCWD, "/usr/lib/os-release", text, sizeof(text)) <= 0)
        return;
    size_t n = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, n) != 0 || line[n] != '=')
            continue;
        const char *p = line + n + 1, *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len >= 2 && (p[0] == '"' || p[0] == '\'') && p[len - 1] == p[0])
            p++, len -= 2;
        snprintf(out, size, "%.*s", (int)len, p);
        return;
    }
}

/* "KEY OP VALUE" against os-release: = and != compare text, the others versions, $= globs */
static int os_release_word(const char *w, const void *ctx)
{
    (void)ctx;
    size_t klen = strcspn(w, "!<=>$");
    const char *p = w + klen;
    enum cmp_op op = take_op(&p, true);
    if (klen == 0 || op == OP_NONE || !*p)
        return -EINVAL;
    char key[128], actual[512];
    snprintf(key, sizeof(key), "%.*s", (int)klen, w);
    os_release_value(key, actual, sizeof(actual));
    return compare_text(op, actual, p);
}

static int test_os_release(const char *v)
{
    return all_words(v, os_release_word, NULL);
}

static int test_host(const char *v)
{
    char host[256] = "";
    char id[64] = "", want[40];
    size_t n = 0;
    for (const char *p = v; *p && n < 32; p++) /* a machine ID, with or without the UUID dashes */
        if (*p != '-')
            want[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
    want[n] = 0;
    bool is_id = n == 32 && strspn(want, "0123456789abcdef") == 32 && (strlen(v) == 32 || strlen(v) == 36);
    if (is_id) {
        if (file_read_at(AT_FDCWD, "/etc/machine-id", id, sizeof(id)) <= 0)
            return -ENOENT;
        return strncmp(id, want, 32) == 0;
    }
    gethostname(host, sizeof(host) - 1);
    return unit_glob_match(v, host, true);
}

/* A credential passed to oya itself (by systemd or a container runtime): $CREDENTIALS_DIRECTORY/NAME */
static int test_credential(const char *v)
{
    if (!*v || strchr(v, '/') || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
        return 0;
    const char *dirs[] = {getenv("CREDENTIALS_DIRECTORY"), "/run/credentials/@system"};
    for (size_t i = 0; i < 2; i++) {
        char path[4096];
        struct stat st;
        if (!dirs[i] || dirs[i][0] != '/')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dirs[i], v);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return 1;
    }
    return 0;
}

static int test_bool(const char *v, int actual)
{
    bool b;
    if (unit_parse_bool(v, &b) < 0)
        return -EINVAL;
    return actual < 0 ? actual : (actual != 0) == b;
}

#define FSTAB "/etc/fstab" /* where the mount units RequiresMountsFor= needs would come from */

int unit_cond_test(enum unit_cond_kind kind, const char *v)
{
    struct stat st;
    struct statvfs vfs;
    switch (kind) {
    case COND_PATH_EXISTS: return access(v, F_OK) == 0;
    case COND_PATH_EXISTS_GLOB: return glob_matches(v, 0);
    case COND_PATH_IS_DIRECTORY: return stat(v, &st) == 0 && S_ISDIR(st.st_mode);
    case COND_PATH_IS_SYMBOLIC_LINK: return lstat(v, &st) == 0 && S_ISLNK(st.st_mode);
    case COND_PATH_IS_MOUNT_POINT: return machine_is_mount_point(v);
    case COND_PATH_IS_READ_WRITE: return statvfs(v, &vfs) == 0 && !(vfs.f_flag & ST_RDONLY);
    case COND_PATH_IS_ENCRYPTED: return machine_path_encrypted(v);
    case COND_DIRECTORY_NOT_EMPTY: return dir_not_empty(v);
    case COND_FILE_NOT_EMPTY: return stat(v, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
    case COND_FILE_IS_EXECUTABLE: return stat(v, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
    case COND_NEEDS_UPDATE: return needs_update(v);
    case COND_FIRST_BOOT: return test_bool(v, access("/run/systemd/first-boot", F_OK) == 0);
    case COND_KERNEL_COMMAND_LINE: return machine_kernel_cmdline_has(v);
    case COND_KERNEL_VERSION: return test_kernel_version(v);
    case COND_CREDENTIAL: return test_credential(v);
    case COND_ARCHITECTURE: return machine_architecture_is(v);
    case COND_FIRMWARE: return machine_firmware_is(v);
    case COND_VIRTUALIZATION: return machine_virtualization_is(v);
    case COND_HOST: return test_host(v);
    case COND_AC_POWER: return test_bool(v, machine_on_ac_power());
    case COND_SECURITY: return machine_security_has(v);
    case COND_CAPABILITY: return test_capability(v);
    case COND_CONTROL_GROUP_CONTROLLER: return machine_cgroup_has(v);
    case COND_MEMORY: return test_count(v, physical_memory(), true);
    case COND_CPUS: return test_count(v, cpus_usable(), false);
    case COND_CPU_FEATURE: return machine_cpu_has(v);
    case COND_OS_RELEASE: return test_os_release(v);
    case COND_USER: return test_user(v);
    case COND_GROUP: return test_group(v);
    case COND_ENVIRONMENT: return test_environment(v);
    case COND_MEMORY_PRESSURE: return machine_pressure_below("memory", v);
    case COND_CPU_PRESSURE: return machine_pressure_below("cpu", v);
    case COND_IO_PRESSURE: return machine_pressure_below("io", v);
    case COND_MOUNTS_FOR: {
        char unmounted[PATH_MAX];
        return machine_mounts_for(v, FSTAB, unmounted, sizeof(unmounted));
    }
    }
    return -EINVAL;
}

static void say_unmet(const struct unit_condition *c, int r, char *why, size_t size, const char *fmt)
{
    char key[64];
    if (c->kind == COND_MOUNTS_FOR)
        snprintf(key, sizeof(key), "RequiresMountsFor");
    else
        snprintf(key, sizeof(key), "%s%s", c->assert ? "Assert" : "Condition", cond_names[c->kind]);
    char what[64] = "";
    if (r < 0)
        snprintf(what, sizeof(what), " (could not be checked: %s)", strerror(-r));
    snprintf(why, size, fmt, key, c->trigger ? "|" : "", c->negate ? "!" : "", c->value, what);
}

bool unit_conditions_met(const struct unit *u, bool asserts, char *why, size_t size)
{
    bool any_trigger = false, trigger_met = false;
    const struct unit_condition *first_trigger = NULL;
    int first_r = 0;
    for (size_t i = 0; i < u->n_conds; i++) {
        const struct unit_condition *c = &u->conds[i];
        if (c->assert != asserts)
            continue;
        char unmounted[PATH_MAX] = ""; /* RequiresMountsFor=: which mount point is missing */
        int r = c->kind == COND_MOUNTS_FOR ? machine_mounts_for(c->value, FSTAB, unmounted, sizeof(unmounted))
                                           : unit_cond_test(c->kind, c->value);
        bool ok = r >= 0 && (r > 0) != c->negate; /* what cannot be checked fails, negated or not */
        if (c->trigger) {
            any_trigger = true;
            trigger_met = trigger_met || ok;
            if (!first_trigger)
                first_trigger = c, first_r = r;
            continue;
        }
        if (!ok && c->kind == COND_MOUNTS_FOR && r == 0) {
            snprintf(why, size, "RequiresMountsFor=%s: %s (in " FSTAB ") is not mounted, and oya mounts nothing",
                     c->value, unmounted);
            return false;
        }
        if (!ok) {
            say_unmet(c, r, why, size, "%s=%s%s%s was not met%s");
            return false;
        }
    }
    if (any_trigger && !trigger_met) {
        say_unmet(first_trigger, first_r, why, size, "none of the triggering conditions (%s=%s%s%s%s, ...) was met");
        return false;
    }
    return true;
}
