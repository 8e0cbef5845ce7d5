/* base: allocation, buffers, string vectors, fd I/O, clocks and formatting shared by every module. */
#include "base.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef OYA_ALLOC_FAULTS
#include <sanitizer/common_interface_defs.h> /* the sanitizer build: say where an abort on failure was */
#endif

static void die_oom(void)
{
    static const char msg[] = "oya: out of memory\n";
    (void)!write(2, msg, sizeof(msg) - 1);
#ifdef OYA_ALLOC_FAULTS
    __sanitizer_print_stack_trace();
#endif
    abort();
}

static bool soft_failures;
static unsigned long failures;

void mem_soft_failures(void)
{
    soft_failures = true;
}

unsigned long mem_failures(void)
{
    return failures;
}

/* p, counted as a failure when NULL */
static void *counted(void *p)
{
    if (!p) {
        failures++;
        errno = ENOMEM;
    }
    return p;
}

#ifdef OYA_ALLOC_FAULTS
static unsigned long fault_count, fault_at, fault_len;
static bool fault_counting;

static void faults_report(void)
{
    fprintf(stderr, "oya: %lu allocations counted\n", fault_count);
}

void mem_faults_arm(unsigned long at, unsigned long len)
{
    fault_count = 0;
    fault_at = at;
    fault_len = len;
    fault_counting = true;
}

unsigned long mem_faults_counted(void)
{
    return fault_count;
}

void mem_faults_start(void)
{
    const char *e = getenv("OYA_ALLOC_FAIL");
    if (!e || fault_counting)
        return;
    char *end;
    unsigned long at = strtoul(e, &end, 10);
    mem_faults_arm(at, *end == ',' ? strtoul(end + 1, NULL, 10) : 1);
    atexit(faults_report);
}

/* true: this allocation is the one the test asked to fail */
static bool fault_now(void)
{
    if (!fault_counting)
        return false;
    unsigned long k = ++fault_count;
    return fault_at && k >= fault_at && k - fault_at < fault_len;
}
#else
void mem_faults_start(void)
{
}

static inline bool fault_now(void)
{
    return false;
}
#endif

void *mem_alloc(size_t n)
{
    return counted(fault_now() ? NULL : malloc(n ? n : 1));
}

void *mem_zalloc(size_t n, size_t size)
{
    return counted(fault_now() ? NULL : calloc(n ? n : 1, size ? size : 1));
}

void *mem_realloc(void *p, size_t n)
{
    return counted(fault_now() ? NULL : realloc(p, n ? n : 1));
}

void *mem_grow(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return counted(NULL);
    return mem_realloc(p, n * size);
}

int mem_reserve(void *array, size_t *cap, size_t want, size_t size)
{
    if (want <= *cap)
        return 0;
    size_t n = *cap ? *cap : 4;
    while (n < want && n <= SIZE_MAX / 2)
        n *= 2;
    void *old;
    memcpy(&old, array, sizeof(old)); /* array is the address of some T *: copied, not type-punned */
    void *p = n >= want ? mem_grow(old, n, size) : counted(NULL);
    if (!p)
        return -ENOMEM;
    memcpy(array, &p, sizeof(p));
    *cap = n;
    return 0;
}

char *mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}

char *mem_strndup(const char *s, size_t n)
{
    char *p = mem_alloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* The formatted text in memory of its own, or NULL when that ran out. */
static char *vformat(const char *fmt, va_list ap)
{
    struct buf b = {0};
    buf_vprintf(&b, fmt, ap);
    return buf_take(&b);
}

char *mem_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = vformat(fmt, ap);
    va_end(ap);
    return p;
}

void *xmalloc(size_t n)
{
    void *p = mem_alloc(n);
    if (!p)
        die_oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = mem_zalloc(n, size);
    if (!p)
        die_oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = mem_realloc(p, n);
    if (!p)
        die_oom();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = mem_strndup(s, n);
    if (!p)
        die_oom();
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = vformat(fmt, ap);
    va_end(ap);
    if (!p)
        die_oom();
    return p;
}

int buf_reserve(struct buf *b, size_t extra)
{
    if (b->failed)
        return -ENOMEM;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1 && cap <= SIZE_MAX / 2)
        cap *= 2;
    char *p = cap >= b->len + extra + 1 ? mem_realloc(b->p, cap) : counted(NULL);
    if (!p) {
        if (!soft_failures)
            die_oom();
        b->failed = true; /* keeps what it has; the one who uses the text checks */
        return -ENOMEM;
    }
    b->p = p;
    b->cap = cap;
    b->p[b->len] = 0;
    return 0;
}

void buf_add(struct buf *b, const void *data, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

void buf_puts(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0)
        return;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_consume(struct buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->p, b->p + n, b->len - n);
        b->len -= n;
    }
    if (b->p)
        b->p[b->len] = 0;
}

void buf_free(struct buf *b)
{
    free(b->p);
    *b = (struct buf){0};
}

char *buf_steal(struct buf *b)
{
    char *p = buf_take(b);
    if (!p)
        die_oom();
    return p;
}

char *buf_take(struct buf *b)
{
    if (b->failed) {
        buf_free(b);
        return NULL;
    }
    if (!b->p)
        return mem_strdup("");
    char *p = b->p;
    *b = (struct buf){0};
    return p;
}

const char *buf_str(const struct buf *b)
{
    return b->p ? b->p : "";
}

void strv_push(struct strv *s, char *owned)
{
    if (owned && !s->failed && s->n + 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        char **v = mem_grow(s->v, cap, sizeof(char *));
        if (v) {
            s->v = v;
            s->cap = cap;
        } else {
            free(owned);
            owned = NULL;
        }
    }
    if (!owned || s->failed) {
        if (!soft_failures)
            die_oom();
        free(owned);
        s->failed = true;
        return;
    }
    s->v[s->n++] = owned;
    s->v[s->n] = NULL;
}

void strv_add(struct strv *s, const char *str)
{
    strv_push(s, mem_strdup(str));
}

void strv_clear(struct strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    *s = (struct strv){0};
}

bool strv_contains(const struct strv *s, const char *str)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], str) == 0)
            return true;
    return false;
}

void strv_copy(struct strv *dst, const struct strv *src)
{
    for (size_t i = 0; i < src->n; i++)
        strv_add(dst, src->v[i]);
}

char **strv_array(struct strv *s)
{
    static char *empty[1];
    if (!s->v) {
        char **v = mem_zalloc(4, sizeof(char *));
        if (!v) {
            if (!soft_failures)
                die_oom();
            s->failed = true;
            return empty; /* nothing in it, and never written or freed: strv_clear frees s->v */
        }
        s->v = v;
        s->cap = 4;
    }
    return s->v;
}

bool str_startswith(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_endswith(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

char *str_strip(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

bool str_to_u64(const char *s, uint64_t *out)
{
    if (!*s || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool str_to_int(const char *s, int *out)
{
    const char *p = s[0] == '-' ? s + 1 : s;
    uint64_t v;
    if (!str_to_u64(p, &v) || v > INT_MAX)
        return false;
    *out = s[0] == '-' ? -(int)v : (int)v;
    return true;
}

ssize_t fd_read_all(int fd, char *buf, size_t size)
{
    size_t got = 0;
    while (got + 1 < size) {
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = 0;
    return (ssize_t)got;
}

int fd_write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One read is enough when it does not fill the buffer: /proc's files hand over their whole text in
 * one read, and the second read that would only say "EOF" is a syscall per file saved. */
ssize_t file_read_at(int dirfd, const char *path, char *buf, size_t size)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    ssize_t n;
    do {
        n = read(fd, buf, size - 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        n = -errno;
    } else if ((size_t)n == size - 1) {
        ssize_t more = fd_read_all(fd, buf + n, size - (size_t)n);
        n = more < 0 ? more : n + more;
    }
    close(fd);
    if (n >= 0)
        buf[n] = 0;
    return n;
}

int fd_read_to_buf(int fd, struct buf *b)
{
    char chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        buf_add(b, chunk, (size_t)n);
        if (b->failed)
            return -ENOMEM;
    }
}

int file_read_to_buf(const char *path, struct buf *b)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    int r = fd_read_to_buf(fd, b);
    close(fd);
    return r;
}

int fd_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    return 0;
}

void fd_close(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

void fds_ensure_std(void)
{
    for (int i = 0; i < 3; i++) {
        if (fcntl(i, F_GETFD) >= 0 || errno != EBADF)
            continue;
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0 && fd != i) {
            dup2(fd, i);
            close(fd);
        }
    }
}

static uint64_t clock_usec(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t clock_mono_usec(void)
{
    return clock_usec(CLOCK_MONOTONIC);
}

uint64_t clock_real_usec(void)
{
    return clock_usec(CLOCK_REALTIME);
}

/* systemd's time span rendering: the largest units first, seconds with a fraction when under a
 * minute is left, everything below the accuracy dropped. */
void fmt_timespan(char *out, size_t size, uint64_t t, uint64_t accuracy)
{
    static const struct {
        const char *suffix;
        uint64_t usec;
    } table[] = {
        {"y", USEC_PER_YEAR}, {"month", USEC_PER_MONTH}, {"w", USEC_PER_WEEK}, {"d", USEC_PER_DAY},
        {"h", USEC_PER_HOUR}, {"min", USEC_PER_MINUTE}, {"s", USEC_PER_SEC},   {"ms", USEC_PER_MSEC},
        {"us", 1},
    };
    if (t == USEC_INFINITY) {
        snprintf(out, size, "infinity");
        return;
    }
    if (accuracy == 0)
        accuracy = 1;
    if (t <= 0 || t < accuracy) {
        snprintf(out, size, "0");
        return;
    }
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < ARRAY_SIZE(table) && t > 0 && t >= accuracy; i++) {
        if (t < table[i].usec)
            continue;
        uint64_t n = t / table[i].usec, rest = t % table[i].usec;
        int w;
        if (t < USEC_PER_MINUTE && rest > 0) {
            /* dot notation: the digits the unit has, less those below the accuracy */
            int digits = 0;
            for (uint64_t cc = table[i].usec; cc > 1; cc /= 10)
                digits++;
            for (uint64_t cc = accuracy; cc > 1; cc /= 10) {
                rest /= 10;
                digits--;
            }
            if (digits > 0) {
                char frac[24], padded[24];
                int fl = snprintf(frac, sizeof(frac), "%llu", (unsigned long long)rest);
                int pad = digits > fl ? digits - fl : 0;
                if (pad > 20)
                    pad = 20;
                memset(padded, '0', (size_t)pad);
                snprintf(padded + pad, sizeof(padded) - (size_t)pad, "%s", frac);
                snprintf(out + used, size - used, "%s%llu.%s%s", used ? " " : "", (unsigned long long)n, padded,
                         table[i].suffix);
                return;
            }
        }
        w = snprintf(out + used, size - used, "%s%llu%s", used ? " " : "", (unsigned long long)n,
                     table[i].suffix);
        used += (size_t)(w > 0 ? w : 0);
        if (used >= size)
            return;
        t = rest;
    }
}

void fmt_relative(char *out, size_t size, uint64_t then, uint64_t now)
{
    unsigned long long d = now > then ? now - then : 0;
    const char *s = "ago";
    if (d >= USEC_PER_YEAR)
        snprintf(out, size, "%llu years %llu months %s", d / USEC_PER_YEAR,
                 (d % USEC_PER_YEAR) / USEC_PER_MONTH, s);
    else if (d >= USEC_PER_MONTH)
        snprintf(out, size, "%llu months %llu days %s", d / USEC_PER_MONTH,
                 (d % USEC_PER_MONTH) / USEC_PER_DAY, s);
    else if (d >= USEC_PER_WEEK)
        snprintf(out, size, "%llu weeks %llu days %s", d / USEC_PER_WEEK,
                 (d % USEC_PER_WEEK) / USEC_PER_DAY, s);
    else if (d >= 2 * USEC_PER_DAY)
        snprintf(out, size, "%llu days %s", d / USEC_PER_DAY, s);
    else if (d >= 25 * USEC_PER_HOUR)
        snprintf(out, size, "1 day %lluh %s", (d - USEC_PER_DAY) / USEC_PER_HOUR, s);
    else if (d >= 6 * USEC_PER_HOUR)
        snprintf(out, size, "%lluh %s", d / USEC_PER_HOUR, s);
    else if (d >= USEC_PER_HOUR)
        snprintf(out, size, "%lluh %llumin %s", d / USEC_PER_HOUR,
                 (d % USEC_PER_HOUR) / USEC_PER_MINUTE, s);
    else if (d >= 5 * USEC_PER_MINUTE)
        snprintf(out, size, "%llumin %s", d / USEC_PER_MINUTE, s);
    else if (d >= USEC_PER_MINUTE)
        snprintf(out, size, "%llumin %llus %s", d / USEC_PER_MINUTE,
                 (d % USEC_PER_MINUTE) / USEC_PER_SEC, s);
    else if (d >= USEC_PER_SEC)
        snprintf(out, size, "%llus %s", d / USEC_PER_SEC, s);
    else if (d >= USEC_PER_MSEC)
        snprintf(out, size, "%llums %s", d / USEC_PER_MSEC, s);
    else if (d > 0)
        snprintf(out, size, "%lluus %s", d, s);
    else
        snprintf(out, size, "now");
}

void fmt_timestamp(char *out, size_t size, uint64_t real_usec)
{
    time_t t = (time_t)(real_usec / USEC_PER_SEC);
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(out, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm))
        snprintf(out, size, "n/a");
}

void fmt_bytes(char *out, size_t size, uint64_t t)
{
    static const struct {
        const char *suffix;
        uint64_t factor;
    } table[] = {
        {"E", 1ULL << 60}, {"P", 1ULL << 50}, {"T", 1ULL << 40},
        {"G", 1ULL << 30}, {"M", 1ULL << 20}, {"K", 1ULL << 10},
    };
    for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
        if (t >= table[i].factor) {
            /* one decimal, truncated, on the 1024 base */
            snprintf(out, size, "%llu.%llu%s", (unsigned long long)(t / table[i].factor),
                     (unsigned long long)((t / (table[i].factor >> 10)) * 10 / 1024 % 10), table[i].suffix);
            return;
        }
    }
    snprintf(out, size, "%lluB", (unsigned long long)t);
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
        (p[0] == 0xf4 && p[1] > 0x8f))
        return 0;
    return n;
}

/* JSON text is UTF-8: a byte that does not start a well-formed sequence (a process title or a unit
 * description can hold anything) becomes U+FFFD, so every JSON parser reads the output. */
void json_quote(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        size_t n = utf8_len(p);
        if (n == 0) {
            buf_puts(b, "\\ufffd");
            continue;
        }
        if (n > 1) {
            buf_add(b, p, n);
            p += n - 1;
            continue;
        }
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\r': buf_puts(b, "\\r"); break;
        default:
            if (*p < 0x20)
                buf_printf(b, "\\u%04x", *p);
            else
                buf_putc(b, (char)*p);
        }
    }
    buf_putc(b, '"');
}

static const struct {
    int sig;
    const char *name;
} signal_table[] = {
    {SIGHUP, "HUP"},       {SIGINT, "INT"},       {SIGQUIT, "QUIT"},     {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"},     {SIGABRT, "ABRT"},     {SIGBUS, "BUS"},       {SIGFPE, "FPE"},
    {SIGKILL, "KILL"},     {SIGUSR1, "USR1"},     {SIGSEGV, "SEGV"},     {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"},     {SIGALRM, "ALRM"},     {SIGTERM, "TERM"},     {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"},     {SIGCONT, "CONT"},     {SIGSTOP, "STOP"},     {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"},     {SIGTTOU, "TTOU"},     {SIGURG, "URG"},       {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"},     {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"},     {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},         {SIGPWR, "PWR"},       {SIGSYS, "SYS"},
};

int signal_from_name(const char *s)
{
    int n;
    if (str_to_int(s, &n))
        return n > 0 && n < NSIG ? n : -1;
    if (str_startswith(s, "SIG"))
        s += 3;
    for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
        if (strcmp(s, signal_table[i].name) == 0)
            return signal_table[i].sig;
    if (str_startswith(s, "RTMIN")) {
        if (!s[5])
            return SIGRTMIN;
        if (s[5] == '+' && str_to_int(s + 6, &n) && SIGRTMIN + n <= SIGRTMAX)
            return SIGRTMIN + n;
    }
    return -1;
}

const char *signal_name(int sig)
{
    for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
        if (signal_table[i].sig == sig)
            return signal_table[i].name;
    return NULL;
}

void suggest_init(struct suggest *sg, const char *word)
{
    sg->word = word;
    sg->best = NULL;
    sg->dist = SIZE_MAX;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Optimal string alignment distance (insert, delete, change, swap of neighbours, letters in either case)
 * when it is at most max, else SIZE_MAX. Only the cells within max of the diagonal can hold such a
 * distance, so three rows of that band are kept (a few bytes, not a 64x64 table), and the walk stops once
 * two rows in a row hold nothing within max: every later cell comes from them, or from the swap of the
 * row before, plus one. Words longer than 63 bytes are not compared. */
static size_t edit_distance(const char *a, const char *b, size_t max)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 63 || nb > 63 || (na > nb ? na - nb : nb - na) > max)
        return SIZE_MAX;
    enum { FAR = 200 }; /* out of reach: more than any max (at most 63) */
    unsigned char rows[3][65];
    unsigned char *r2 = rows[0], *r1 = rows[1], *r = rows[2]; /* rows i-2, i-1, i */
    for (size_t j = 0; j <= nb; j++)
        r1[j] = j <= max ? (unsigned char)j : FAR;
    size_t min1 = 0; /* the least of row i-1 */
    for (size_t i = 1; i <= na; i++) {
        size_t lo = i > max ? i - max : 0, hi = i + max < nb ? i + max : nb;
        if (hi == i + max)
            r1[hi] = FAR; /* right of row i-1's band */
        size_t min = FAR;
        if (lo == 0) {
            r[0] = (unsigned char)i; /* i <= max here */
            min = i;
            lo = 1;
        } else {
            r[lo - 1] = FAR; /* left of the band */
        }
        for (size_t j = lo; j <= hi; j++) {
            unsigned v = r1[j - 1] + (lower(a[i - 1]) != lower(b[j - 1]));
            if (r1[j] + 1u < v)
                v = r1[j] + 1u;
            if (r[j - 1] + 1u < v)
                v = r[j - 1] + 1u;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]) &&
                r2[j - 2] + 1u < v)
                v = r2[j - 2] + 1u;
            r[j] = (unsigned char)(v < FAR ? v : FAR);
            if (r[j] < min)
                min = r[j];
        }
        if (min > max && min1 > max)
            return SIZE_MAX;
        min1 = min;
        unsigned char *t = r2;
        r2 = r1, r1 = r, r = t;
    }
    return r1[nb] <= max ? r1[nb] : SIZE_MAX;
}

void suggest_try(struct suggest *sg, const char *candidate)
{
    /* at most 3 edits are ever suggested (suggest_result): a length that differs more, or a word too long
     * to be a typo of a name, needs no distance */
    size_t wl = strlen(sg->word), cl = strlen(candidate);
    if ((wl > cl ? wl - cl : cl - wl) > 3 || wl > 64)
        return;
    /* only a closer one than the best so far, and never more than 3 edits, can change the answer */
    size_t d = edit_distance(sg->word, candidate, sg->dist <= 3 ? sg->dist - (sg->dist > 0) : 3);
    if (d < sg->dist) {
        sg->dist = d;
        sg->best = candidate;
    }
}

const char *suggest_result(const struct suggest *sg)
{
    /* a third of the word may be wrong (one letter in a short one, at most three): more is a guess */
    size_t n = strlen(sg->word), limit = n / 3 < 1 ? 1 : n / 3 > 3 ? 3 : n / 3;
    return sg->best && sg->dist <= limit && strcmp(sg->best, sg->word) != 0 ? sg->best : NULL;
}

bool ratelimit_pass(struct ratelimit *rl, uint64_t now, uint64_t interval, unsigned burst, unsigned *suppressed)
{
    if (rl->begin == 0 || now >= usec_add(rl->begin, interval)) {
        rl->begin = now;
        rl->count = 0;
    }
    if (rl->count >= burst) {
        rl->suppressed++;
        return false;
    }
    rl->count++;
    *suppressed = rl->suppressed;
    rl->suppressed = 0;
    return true;
}

/* the kernel's sigset: one bit per signal, 64 of them, in unsigned longs from the start of sigset_t */
void sigset_fill_all(sigset_t *set)
{
    sigemptyset(set);
    memset(set, 0xff, 8);
}

void sigset_add_any(sigset_t *set, int sig)
{
    unsigned long *w = (unsigned long *)(void *)set;
    if (sig >= 1 && sig <= 64)
        w[(unsigned)(sig - 1) / (8 * sizeof(long))] |= 1UL << ((unsigned)(sig - 1) % (8 * sizeof(long)));
}

/* the kernel's struct sigaction (x86_64 and most others), for the signals libc refuses */
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

bool signal_is_ignored(int sig)
{
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) == 0)
        return sa.sa_handler == SIG_IGN;
    struct kernel_sigaction k = {0};
    return errno == EINVAL && syscall(SYS_rt_sigaction, sig, NULL, &k, sizeof(k.mask)) == 0 && k.handler == SIG_IGN;
}

void signal_set_ignored(int sig, bool ignore)
{
    if (signal(sig, ignore ? SIG_IGN : SIG_DFL) != SIG_ERR || errno != EINVAL)
        return;
    struct kernel_sigaction k = {.handler = ignore ? SIG_IGN : SIG_DFL};
    syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
}

size_t str_count_words(const char *s)
{
    size_t n = 0;
    for (const char *p = s ? s : ""; *p; p++)
        n += *p != ' ' && (p == s || p[-1] == ' ');
    return n;
}

uint64_t hash_fnv1a(const void *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ULL;
    return h;
}

bool sigset_has_any(const sigset_t *set, int sig)
{
    const unsigned long *w = (const unsigned long *)(const void *)set;
    return sig >= 1 && sig <= 64 &&
           (w[(unsigned)(sig - 1) / (8 * sizeof(long))] >> ((unsigned)(sig - 1) % (8 * sizeof(long)))) & 1;
}
