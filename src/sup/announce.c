/* sup/announce: where oya says what became of each service: one line for every state change worth
 * knowing about, on stderr and in the service's log (the words come from svc_transition_text). */
#include "sup_int.h"

#include <stdarg.h>

/* A line on oya's stderr, and the same words in the service's log (priority: err for failures, else
 * info), so the log tells the service's whole story in order, as systemd's messages in the journal do */
static void say(struct sup *s, struct service *svc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct sup *s, struct service *svc, const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_printf(&b, "oya: %s: ", svc->unit->name);
    size_t text = b.len;
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    bool bad = svc->st.state == SVC_FAILED || svc->st.result != RESULT_SUCCESS;
    sup_journal_add(s, svc, LOG_OYA, bad ? 3 : 6, b.p + text, b.len - text);
    if (!s->quiet) {
        buf_putc(&b, '\n');
        fd_write_all(2, b.p, b.len);
    }
    buf_free(&b);
}

/* One line on stderr and in the log for every state change worth knowing about (svc/ words it). */
void sup_announce(struct sup *s, struct service *svc, enum svc_state before)
{
    const struct svc *st = &svc->st;
    if (st->state == before)
        return;
    if (s->ntracers)
        sup_trace(s, "state", st->main_pid, svc, svc_active_state(st), svc_sub_state(st), (const char *)NULL);
    char line[1024];
    if (svc_transition_text(st, before, svc->unit, svc->exec_error, line, sizeof(line)))
        say(s, svc, "%s", line);
}
