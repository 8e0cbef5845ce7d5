/* base: small shared pieces every module uses: allocation (failing softly in the supervisor, loudly in
 * commands), growable buffers and string vectors, EINTR-safe fd I/O, clocks and time formatting, JSON string quoting. */
#ifndef OYA_BASE_H
#define OYA_BASE_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY (24ULL * USEC_PER_HOUR)
#define USEC_PER_WEEK (7ULL * USEC_PER_DAY)
#define USEC_PER_MONTH (2629800ULL * USEC_PER_SEC)
#define USEC_PER_YEAR (31557600ULL * USEC_PER_SEC)
#define USEC_INFINITY UINT64_MAX

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation. The mem_* calls return NULL when memory is short: the supervisor uses them and fails the one
 * request, start or record that needed the memory, never the loop. The x* calls never return NULL: they
 * end the process with "oya: out of memory" and are for commands (and for the supervisor's own set-up
 * before its loop runs). */
void *mem_alloc(size_t n);
void *mem_zalloc(size_t n, size_t size);   /* calloc */
void *mem_realloc(void *p, size_t n);      /* NULL on failure, p left as it was */
void *mem_grow(void *p, size_t n, size_t size); /* realloc of n elements, the multiplication checked */
/* Room for want elements of size in the array whose pointer is at array (capacity *cap, doubled as
 * needed): 0, or -ENOMEM with the array as it was */
int mem_reserve(void *array, size_t *cap, size_t want, size_t size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);
char *mem_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A process that can survive a failed allocation (the supervisor) says so once: from then on a buffer or
 * string vector whose growth fails keeps what it had and remembers the failure in its `failed` flag (the
 * caller checks it where the text is used) instead of ending the process, which stays the rule for
 * commands. */
void mem_soft_failures(void);
/* How many allocations have failed in this process so far. A computation whose results all land in one
 * object (a unit parsed, a reply built) compares the count before and after: a parser need not carry an
 * out-of-memory flag through every function, only never use the NULL it got. */
unsigned long mem_failures(void);
/* Fault injection for tests (built in only with -DOYA_ALLOC_FAULTS, as the sanitizer build is):
 * OYA_ALLOC_FAIL=N or N,K makes the Nth allocation after this call fail (K in a row), and the process says
 * at exit how many allocations it counted. Without that build or variable it does nothing. */
void mem_faults_start(void);
#ifdef OYA_ALLOC_FAULTS
void mem_faults_arm(unsigned long at, unsigned long len); /* from now: the at-th allocation fails (0: none) */
unsigned long mem_faults_counted(void);                  /* allocations since the last arm */
#endif

/* A growable byte buffer, always NUL-terminated after its contents (p is NULL until something is added).
 * failed: an addition did not fit in memory (only after mem_soft_failures; contents stay as they were). */
struct buf {
    char *p;
    size_t len, cap;
    bool failed;
};
int buf_reserve(struct buf *b, size_t extra); /* 0, or -ENOMEM (b->failed set) */
void buf_add(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_consume(struct buf *b, size_t n); /* drop n bytes from the front */
void buf_free(struct buf *b);
char *buf_steal(struct buf *b); /* returns the string (never NULL), leaves b empty */
char *buf_take(struct buf *b);  /* the same, but NULL (b freed) when b failed or "" cannot be made */
const char *buf_str(const struct buf *b); /* the contents as a string, "" while empty */

/* A NULL-terminated vector of owned strings. */
struct strv {
    char **v;
    size_t n, cap;
    bool failed; /* a string was not added for want of memory (only after mem_soft_failures) */
};
void strv_push(struct strv *s, char *owned); /* owned NULL (a failed copy) marks s failed */
void strv_add(struct strv *s, const char *str);
void strv_clear(struct strv *s);
void strv_copy(struct strv *dst, const struct strv *src);
bool strv_contains(const struct strv *s, const char *str);
char **strv_array(struct strv *s); /* the NULL-terminated array (never NULL) */

/* String helpers. */
bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);
char *str_strip(char *s); /* trims ASCII whitespace in place, returns the start */
bool str_to_u64(const char *s, uint64_t *out); /* whole string, decimal */
bool str_to_int(const char *s, int *out);

/* fd I/O with EINTR handled. read_all reads until EOF or size-1 bytes, NUL-terminates. */
ssize_t fd_read_all(int fd, char *buf, size_t size);
int fd_write_all(int fd, const void *data, size_t n);
ssize_t file_read_at(int dirfd, const char *path, char *buf, size_t size);
int fd_read_to_buf(int fd, struct buf *b); /* append everything up to EOF; 0 or -errno (-ENOMEM: b failed) */
int file_read_to_buf(const char *path, struct buf *b); /* open, read all, close; 0 or -errno */
int fd_set_nonblock(int fd);
void fd_close(int *fd); /* closes and sets -1; no-op on -1 */
void fds_ensure_std(void); /* open /dev/null on any of 0,1,2 that is closed */

/* Paths someone else may control (fs.c). fs_chase resolves path one component at a time (O_PATH,
 * symlinks followed by hand, the last one only with follow_last) and sets *unsafe if a directory or link
 * on the way is not root's; returns an O_PATH fd or -errno. fs_open_regular reopens such an fd for
 * reading, non-blocking, and only if it is a regular file. fs_read_small and fs_read_regular read a
 * file that way. */
struct stat;
int fs_chase(const char *path, bool follow_last, bool *unsafe);
int fs_open_regular(int path_fd, struct stat *st);
ssize_t fs_read_small(const char *path, char *buf, size_t size, bool *unsafe, uid_t *owner);
int fs_read_regular(const char *path, struct buf *b, size_t max); /* whole file; -EFBIG past max */

/* Time arithmetic saturates at USEC_INFINITY, as systemd's usec_add: "infinity" plus anything stays
 * infinity, and no deadline wraps around to the past. */
static inline uint64_t usec_add(uint64_t a, uint64_t b)
{
    return a > USEC_INFINITY - b ? USEC_INFINITY : a + b;
}

/* A rate limit for messages: at most burst within interval; what it holds back is counted, so the next
 * message that passes can say how many were not shown. */
struct ratelimit {
    uint64_t begin;
    unsigned count, suppressed;
};
/* true: say it (then *suppressed holds how many were held back before it, and is reset) */
bool ratelimit_pass(struct ratelimit *rl, uint64_t now, uint64_t interval, unsigned burst, unsigned *suppressed);

/* "Did you mean": of the candidates tried, the one closest to word (edit distance with swaps, letters in
 * either case), if close enough to be a likely typo; NULL otherwise. */
struct suggest {
    const char *word, *best;
    size_t dist;
};
void suggest_init(struct suggest *sg, const char *word);
void suggest_try(struct suggest *sg, const char *candidate);
const char *suggest_result(const struct suggest *sg);

/* Clocks, in microseconds. */
uint64_t clock_mono_usec(void);
uint64_t clock_real_usec(void);

/* Formatting as systemd does: "1min 30.500s" (accuracy in usec), "3min 2s ago", "Wed 2026-11-25 ...". */
void fmt_timespan(char *out, size_t size, uint64_t usec, uint64_t accuracy);
void fmt_relative(char *out, size_t size, uint64_t then_real, uint64_t now_real);
void fmt_timestamp(char *out, size_t size, uint64_t real_usec);
void fmt_bytes(char *out, size_t size, uint64_t bytes);

/* JSON: append s as a quoted JSON string. */
void json_quote(struct buf *b, const char *s);

/* Signal sets by the kernel's layout (bit sig-1), for every signal 1..64: libc's sigfillset and
 * sigaddset leave out the signals libc keeps for itself (glibc 32-33, musl 32-34), which a PID 1 must
 * still catch and forward. */
void sigset_fill_all(sigset_t *set);
void sigset_add_any(sigset_t *set, int sig);
bool sigset_has_any(const sigset_t *set, int sig);
/* Is sig ignored; set it to default or ignored. Also for the real-time signals libc keeps for itself (32
 * and 33 in glibc, 32 to 34 in musl), whose sigaction() it refuses: through the system call itself. An
 * ignored signal is inherited across exec, so what a child starts with depends on these. */
bool signal_is_ignored(int sig);
void signal_set_ignored(int sig, bool ignore);

/* Signal names: "TERM", "SIGTERM" or a number; returns -1 if unknown. */
int signal_from_name(const char *s);
const char *signal_name(int sig); /* "TERM" (no SIG prefix), or NULL */
size_t str_count_words(const char *s); /* the space-separated words of s (NULL: none) */
uint64_t hash_fnv1a(const void *p, size_t n); /* 64-bit FNV-1a: not for what an attacker chooses to collide */
/* exit.c: systemd's name of an exit status ("FAILURE", "EXEC"; NULL for one it does not name), and
 * "code=exited, status=1/FAILURE" or "code=killed, signal=SIGTERM" for how a process ended ("" for no
 * code: it has not) */
const char *exit_status_name(int code);
void exit_text(char *out, size_t size, int code, int status);

#endif
