/* sup/journal: each service's log. Every line a service writes (stdout as "out", stderr as "err") and
 * every line oya says about it ("oya") becomes a record (logs/store.h): kept in the service's ring and,
 * when there is a log directory, appended to DIR/NAME.log (rotated by size). A directory that cannot be
 * written (read-only root, ENOSPC, removed) leaves the service memory-only, said once; the records that
 * miss the disk are counted (status shows them), and the file is tried again at a record 10 s later, or
 * at the service's next start: back to disk when it can. No timer: an idle service costs nothing. */
#include "sup_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void file_failed(struct sup *s, struct service *svc, int err)
{
    bool first = !svc->log_file_failed;
    log_file_close(&svc->log_file);
    svc->log_file_failed = true;
    svc->log_file_errno = -err;
    svc->log_failed_at = clock_mono_usec();
    if (first) { /* in its log too (memory): the story says where the file stops */
        char text[PATH_MAX + 128];
        int n = snprintf(text, sizeof(text), "cannot write the log file in %s (%s); keeping the log in memory only",
                         s->log_dir, strerror(-err));
        sup_journal_add(s, svc, LOG_OYA, 4, text, n < (int)sizeof(text) ? (size_t)n : sizeof(text) - 1);
    }
    if (!s->log_dir_warned)
        fprintf(stderr, "oya: %s: cannot write its log in %s (%s); keeping it in memory only\n", svc->unit->name,
                s->log_dir, strerror(-err));
    s->log_dir_warned = true;
}

static void write_pending(struct sup *s, struct service *svc)
{
    if (svc->log_pending.len && svc->log_file.fd >= 0) {
        /* a file removed under oya (its directory deleted) takes no more lines: make it again */
        struct stat st;
        if (fstat(svc->log_file.fd, &st) == 0 && st.st_nlink == 0) {
            log_file_close(&svc->log_file);
            sup_journal_open(s, svc);
        }
    }
    if (svc->log_pending.len && svc->log_file.fd >= 0) {
        int e = log_file_write(&svc->log_file, svc->log_pending.p, svc->log_pending.len, &s->log_file_opts);
        if (e < 0) {
            svc->log_not_on_disk += 1; /* at least: the batch held one record or more */
            file_failed(s, svc, e);
        }
    }
    svc->log_pending.len = 0;
}

void sup_journal_flush(struct sup *s)
{
    for (size_t i = 0; i < s->njournal_dirty; i++) {
        write_pending(s, s->journal_dirty[i]);
        s->journal_dirty[i]->log_dirty = false;
    }
    s->njournal_dirty = 0;
}

void sup_journal_open(struct sup *s, struct service *svc)
{
    if (!s->log_dir[0] || svc->log_file.fd >= 0)
        return;
    int r = log_file_open(&svc->log_file, s->log_dir, svc->unit->name);
    if (r < 0) {
        file_failed(s, svc, r);
        return;
    }
    bool resumed = svc->log_file_failed && svc->log_not_on_disk;
    uint64_t missed = svc->log_not_on_disk;
    svc->log_file_failed = false;
    svc->log_not_on_disk = 0;
    s->log_dir_warned = false;
    if (resumed) { /* said on stderr, and in the file itself, where the gap is */
        char text[160];
        snprintf(text, sizeof(text), "log file written again; %llu records before this one are in memory only",
                 (unsigned long long)missed);
        fprintf(stderr, "oya: %s: %s\n", svc->unit->name, text);
        sup_journal_add(s, svc, LOG_OYA, 4, text, strlen(text));
    }
}

void sup_journal_add(struct sup *s, struct service *svc, enum log_stream_kind stream, int prio, const char *text,
                     size_t n)
{
    if (stream == LOG_OUT || stream == LOG_ERR) {
        int p = svc->unit->syslog_level_prefix ? log_prio_prefix(&text, &n) : -1;
        prio = p >= 0 ? p : svc->unit->syslog_level;
    }
    sup_journal_add_as(s, svc, stream, prio,
                       stream == LOG_OYA                 ? s->self_pid
                       : svc->st.main_pid                ? svc->st.main_pid
                       : svc->st.control_pid             ? svc->st.control_pid
                                                         : svc->st.last_pid, /* read after it exited */
                       text, n);
}

/* svc has records to write at the end of the loop's turn; false: no memory to note it */
static bool journal_mark_dirty(struct sup *s, struct service *svc)
{
    if (mem_reserve(&s->journal_dirty, &s->journal_dirty_cap, s->njournal_dirty + 1, sizeof(*s->journal_dirty)) < 0)
        return false;
    s->journal_dirty[s->njournal_dirty++] = svc;
    svc->log_dirty = true;
    return true;
}

void sup_journal_add_as(struct sup *s, struct service *svc, enum log_stream_kind stream, int prio, int pid,
                        const char *text, size_t n)
{
    if (s->init)
        return; /* oya init keeps no log: the command's output goes where oya's does */
    /* first, a failed file tried again (which may add a record of its own: before this one) */
    if (svc->log_file_failed && clock_mono_usec() - svc->log_failed_at > 10 * USEC_PER_SEC)
        sup_journal_open(s, svc);
    struct log_rec r = {.usec = clock_real_usec(), .stream = stream, .prio = prio, .pid = pid, .text = text,
                        .text_len = n};
    s->journal_line.len = 0;
    log_rec_format(&s->journal_line, &r);
    if (s->journal_line.failed) { /* no memory for the record: dropped, and counted as the ring's are */
        buf_free(&s->journal_line);
        svc->log_ring.dropped++;
        svc->log_not_on_disk += svc->log_file.fd >= 0 || svc->log_file_failed;
        return;
    }
    log_ring_add(&svc->log_ring, s->journal_line.p, s->journal_line.len, s->opts->log_memory);
    if (s->nfollowers)
        sup_followers_push(s, svc, s->journal_line.p, s->journal_line.len - 1);
    if (svc->log_file.fd >= 0) {
        buf_add(&svc->log_pending, s->journal_line.p, s->journal_line.len);
        if (svc->log_pending.failed) { /* no memory to queue it: what is queued goes out now, then it */
            svc->log_pending.failed = false;
            write_pending(s, svc);
            buf_add(&svc->log_pending, s->journal_line.p, s->journal_line.len);
            if (svc->log_pending.failed) {
                svc->log_pending.failed = false;
                svc->log_not_on_disk++;
            }
        }
        if (!svc->log_dirty && svc->log_pending.len && !journal_mark_dirty(s, svc))
            write_pending(s, svc); /* no room in the list of files to write at the turn's end: now */
        if (svc->log_pending.len >= 65536)
            write_pending(s, svc);
    }
    if (svc->log_file_failed)
        svc->log_not_on_disk++;
}

void sup_journal_own(struct sup *s, enum log_stream_kind stream, int prio, int pid, const char *text, size_t n)
{
    struct log_rec r = {.usec = clock_real_usec(), .stream = stream, .prio = prio, .pid = pid, .text = text,
                        .text_len = n};
    s->journal_line.len = 0;
    log_rec_format(&s->journal_line, &r);
    if (s->journal_line.failed) {
        buf_free(&s->journal_line);
        s->own_ring.dropped++;
        return;
    }
    log_ring_add(&s->own_ring, s->journal_line.p, s->journal_line.len, s->opts->log_memory);
    if (s->log_dir[0] && s->own_file.fd < 0 && !s->own_file.path)
        log_file_open(&s->own_file, s->log_dir, SUP_OWN_LOG); /* once; on failure, memory only */
    if (s->own_file.fd >= 0 && log_file_write(&s->own_file, s->journal_line.p, s->journal_line.len,
                                              &s->log_file_opts) < 0)
        fd_close(&s->own_file.fd);
}

static void ring_tail(const struct log_ring *ring, size_t n, struct buf *out)
{
    struct buf all = {0};
    log_ring_copy(ring, &all);
    size_t start = all.len;
    for (size_t lines = 0; start > 0 && (n == 0 || lines < n); lines++) {
        start--; /* the newline that ends this line */
        while (start > 0 && all.p[start - 1] != '\n')
            start--;
    }
    if (all.failed)
        out->failed = true; /* the one who sends it says so */
    else
        buf_add(out, all.p + start, all.len - start);
    buf_free(&all);
}

void sup_journal_tail(const struct service *svc, size_t n, struct buf *out)
{
    ring_tail(&svc->log_ring, n, out);
}

void sup_journal_own_tail(const struct sup *s, size_t n, struct buf *out)
{
    ring_tail(&s->own_ring, n, out);
}

void sup_journal_close(struct service *svc)
{
    buf_free(&svc->log_pending);
    log_file_close(&svc->log_file);
    log_ring_free(&svc->log_ring);
}
