/* cli/top_screen: `oya top` on a terminal: raw mode with plain VT100/ANSI sequences (no terminfo), a frame
 * drawn as one write, the keys (sort, filter, expand, signal, restart/stop/start through a child process so
 * the screen never waits for a service, logs and help shown over the list), and the loop that waits on the
 * keyboard, the delay and the window size. */
#include "top.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static void term_restore(struct top *t)
{
    if (!t->raw)
        return;
    static const char leave[] = "\x1b[?25h\x1b[?1049l";
    fd_write_all(1, leave, sizeof(leave) - 1);
    tcsetattr(0, TCSAFLUSH, &t->saved);
    t->raw = false;
}

static bool term_raw(struct top *t)
{
    if (tcgetattr(0, &t->saved) < 0)
        return false;
    struct termios raw = t->saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSAFLUSH, &raw) < 0)
        return false;
    t->raw = true;
    static const char enter[] = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J";
    fd_write_all(1, enter, sizeof(enter) - 1);
    return true;
}

static void term_size(struct top *t)
{
    struct winsize ws;
    t->lines = 24, t->cols = 80;
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        t->lines = ws.ws_row, t->cols = ws.ws_col;
}

/* one screen line: cut to the width (whole UTF-8 characters), the rest of the line cleared */
static void screen_line(struct top *t, struct buf *o, const char *text, size_t n, bool inverse)
{
    size_t cells = 0, k = 0;
    while (k < n && text[k] != '\n') {
        size_t len = 1;
        unsigned char ch = (unsigned char)text[k];
        if (ch >= 0xc0)
            while (k + len < n && ((unsigned char)text[k + len] & 0xc0) == 0x80)
                len++;
        if (cells + 1 > (size_t)t->cols)
            break;
        cells++;
        k += len;
    }
    if (inverse)
        buf_puts(o, "\x1b[7m");
    buf_add(o, text, k);
    if (inverse)
        for (; cells < (size_t)t->cols; cells++)
            buf_putc(o, ' ');
    buf_puts(o, inverse ? "\x1b[0m\x1b[K\r\n" : "\x1b[K\r\n");
}

static const char *const help_text[] = {
    "oya top: keys",
    "",
    "  Up/Down, j/k     move the selection        PgUp/PgDn  a screen at a time",
    "  Enter, Space     expand or fold a service (its processes), or the processes of no service",
    "  < >              sort by the column to the left or right (the column marked *)",
    "  P M N T          sort by %CPU, MEMORY, name, TASKS",
    "  /                filter: services and processes whose name, PID or command holds the text",
    "  r  s  t          restart, stop, start the selected service (through the running oya)",
    "  K                send a signal to every process of the selected service (asks first)",
    "  l                the selected service's last log lines",
    "  h ?              this help                 q  quit",
    "",
    "Rows: + folded, - expanded. Rates are per second over the last interval.",
    "(any key closes this)",
};

void top_overlay_free(struct top *t)
{
    for (size_t i = 0; i < t->noverlay; i++)
        free(t->overlay[i]);
    free(t->overlay);
    t->overlay = NULL;
    t->noverlay = 0;
}

static void draw(struct top *t)
{
    struct buf frame = {0}, head = {0};
    buf_puts(&frame, "\x1b[H");
    top_write_header(t, &head);
    int used = 0;
    for (const char *p = head.p; p && *p && used < t->lines - 1; used++) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        screen_line(t, &frame, p, n, false);
        p = nl ? nl + 1 : p + n;
    }
    buf_free(&head);
    if (t->overlay) {
        for (size_t i = 0; i < t->noverlay && used < t->lines - 1; i++, used++)
            screen_line(t, &frame, t->overlay[i], strlen(t->overlay[i]), false);
    } else {
        int nw = top_name_width(t);
        struct buf line = {0};
        top_write_columns(t, &line, nw);
        screen_line(t, &frame, line.p, line.len, true);
        used++;
        int room = t->lines - 1 - used;
        if (room < 1)
            room = 1;
        if (t->sel >= t->nrows)
            t->sel = t->nrows ? t->nrows - 1 : 0;
        if (t->sel < t->scroll)
            t->scroll = t->sel;
        if (t->sel >= t->scroll + (size_t)room)
            t->scroll = t->sel - (size_t)room + 1;
        for (size_t k = t->scroll; k < t->nrows && used < t->lines - 1; k++, used++) {
            line.len = 0;
            top_write_row(t, &t->rows[k], &line, nw);
            screen_line(t, &frame, line.p, line.len, k == t->sel);
        }
        buf_free(&line);
    }
    for (; used < t->lines - 1; used++)
        buf_puts(&frame, "\x1b[K\r\n");
    /* the last line: what is being typed, or the last message, or the hint */
    char last[700];
    if (t->input == IN_FILTER)
        snprintf(last, sizeof(last), "filter: %s", t->entry);
    else if (t->input == IN_SIGNAL)
        snprintf(last, sizeof(last), "signal for every process of %s [TERM]: %s", t->pending_svc, t->entry);
    else if (t->input == IN_CONFIRM)
        snprintf(last, sizeof(last), "send SIG%s to every process of %s? (y/n)", signal_name(t->pending_sig),
                 t->pending_svc);
    else if (t->msg[0])
        snprintf(last, sizeof(last), "%s", t->msg);
    else
        snprintf(last, sizeof(last), "h help  q quit  Enter expand  </> sort  / filter  r s t restart/stop/start  K signal  l logs");
    size_t cut = strlen(last) < (size_t)t->cols ? strlen(last) : (size_t)t->cols;
    buf_add(&frame, last, cut);
    buf_puts(&frame, "\x1b[K");
    fd_write_all(1, frame.p, frame.len);
    buf_free(&frame);
}

static int selected_service(const struct top *t)
{
    if (t->sel >= t->nrows)
        return -1;
    return t->rows[t->sel].svc;
}

/* A request that may wait (start, stop, restart) or not (kill), in a child: the screen goes on */
static void run_action(struct top *t, const char *verb, const char *arg, const char *name)
{
    if (t->action_pid > 0) {
        snprintf(t->msg, sizeof(t->msg), "still waiting for: %s", t->action_what);
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(t->msg, sizeof(t->msg), "cannot fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        char *fields[3] = {(char *)verb, (char *)(arg ? arg : name), (char *)name};
        struct ctl_reply rep;
        struct buf err = {0};
        int r = ctl_call_default(t->c->socket, t->c->socket_private, fields, arg ? 3 : 2, &rep, &err);
        _exit(r < 0 ? 3 : !rep.ok ? 2 : 0);
    }
    t->action_pid = pid;
    snprintf(t->action_what, sizeof(t->action_what), "%s %s%s%s", verb, arg ? arg : "", arg ? " " : "", name);
    snprintf(t->msg, sizeof(t->msg), "%s: waiting for oya", t->action_what);
}

static void action_done(struct top *t)
{
    int status;
    if (t->action_pid <= 0 || waitpid(t->action_pid, &status, WNOHANG) != t->action_pid)
        return;
    t->action_pid = 0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 3;
    snprintf(t->msg, sizeof(t->msg), "%s: %s", t->action_what,
             code == 0 ? "done" : code == 2 ? "refused or failed (oya status tells more)" : "no running oya");
}

static void show_logs(struct top *t, const char *name)
{
    char count[16];
    snprintf(count, sizeof(count), "%d", t->lines > 12 ? t->lines - 8 : 5);
    char *fields[] = {"logs", count, (char *)name};
    struct ctl_reply rep;
    struct buf err = {0};
    int r = ctl_call_default(t->c->socket, t->c->socket_private, fields, 3, &rep, &err);
    top_overlay_free(t);
    struct strv lines = {0};
    strv_push(&lines, xasprintf("the last lines of %s (any key closes this)", name));
    strv_add(&lines, "");
    if (r < 0 || !rep.ok) {
        strv_push(&lines, xasprintf("cannot read them: %s", r < 0 ? (err.p ? err.p : strerror(-r)) : rep.error));
    } else {
        for (size_t i = 0; i < rep.n; i++) {
            const struct ctl_record *rec = &rep.recs[i];
            if (strcmp(rec->type, "log") != 0)
                continue;
            for (size_t k = 0; k < rec->keys.n; k++) {
                if (strcmp(rec->keys.v[k], "line") != 0)
                    continue;
                /* a record: "TIME STREAM PRIO PID TEXT": time and text are what a person reads */
                const char *l = rec->values.v[k];
                const char *text = l;
                for (int f = 0; f < 4 && text; f++) {
                    text = strchr(text, ' ');
                    if (text)
                        text++;
                }
                strv_push(&lines, xasprintf("%.19s %s", l, text ? text : l));
            }
        }
    }
    if (r == 0)
        ctl_reply_free(&rep);
    buf_free(&err);
    t->noverlay = lines.n;
    t->overlay = strv_array(&lines);
}

static void toggle(struct top *t)
{
    if (t->sel >= t->nrows)
        return;
    int svc = t->rows[t->sel].svc;
    const char *key = svc >= 0 ? t->svcs[svc].name : OTHER;
    if (strv_contains(&t->expanded, key)) {
        struct strv keep = {0};
        for (size_t i = 0; i < t->expanded.n; i++)
            if (strcmp(t->expanded.v[i], key) != 0)
                strv_add(&keep, t->expanded.v[i]);
        strv_clear(&t->expanded);
        t->expanded = keep;
    } else {
        strv_add(&t->expanded, key);
    }
    /* the selection stays on the group's own row */
    top_build_rows(t);
    for (size_t k = 0; k < t->nrows; k++)
        if (t->rows[k].kind != ROW_PROC && t->rows[k].svc == svc) {
            t->sel = k;
            break;
        }
}

/* One key (or an escape sequence); false to quit */
static bool on_key(struct top *t, const char *k, size_t n)
{
    if (t->overlay) {
        top_overlay_free(t);
        return true;
    }
    if (t->input == IN_FILTER || t->input == IN_SIGNAL) {
        size_t len = strlen(t->entry);
        if (k[0] == '\x1b') {
            t->input = IN_NONE;
        } else if (k[0] == '\r' || k[0] == '\n') {
            if (t->input == IN_FILTER) {
                snprintf(t->filter, sizeof(t->filter), "%s", t->entry);
                t->input = IN_NONE;
                t->sel = t->scroll = 0;
            } else {
                int sig = t->entry[0] ? signal_from_name(t->entry) : SIGTERM;
                if (sig <= 0) {
                    snprintf(t->msg, sizeof(t->msg), "no signal '%s'", t->entry);
                    t->input = IN_NONE;
                } else {
                    t->pending_sig = sig;
                    t->input = IN_CONFIRM;
                }
            }
        } else if (k[0] == 0x7f || k[0] == 0x08) {
            if (len)
                t->entry[len - 1] = 0;
        } else if ((unsigned char)k[0] >= 0x20 && len + n < sizeof(t->entry)) {
            memcpy(t->entry + len, k, n);
            t->entry[len + n] = 0;
        }
        return true;
    }
    if (t->input == IN_CONFIRM) {
        t->input = IN_NONE;
        if (k[0] == 'y' || k[0] == 'Y') {
            char sig[16];
            snprintf(sig, sizeof(sig), "%s", signal_name(t->pending_sig) ? signal_name(t->pending_sig) : "TERM");
            run_action(t, "kill", sig, t->pending_svc);
        } else {
            snprintf(t->msg, sizeof(t->msg), "no signal sent");
        }
        return true;
    }
    t->msg[0] = 0;
    int page = t->lines > 10 ? t->lines - 8 : 1;
    if (!strcmp(k, "q"))
        return false;
    if (!strcmp(k, "j") || !strcmp(k, "\x1b[B") || !strcmp(k, "\x1bOB")) {
        if (t->sel + 1 < t->nrows)
            t->sel++;
    } else if (!strcmp(k, "k") || !strcmp(k, "\x1b[A") || !strcmp(k, "\x1bOA")) {
        if (t->sel)
            t->sel--;
    } else if (!strcmp(k, "\x1b[6~")) {
        t->sel = t->sel + (size_t)page < t->nrows ? t->sel + (size_t)page : (t->nrows ? t->nrows - 1 : 0);
    } else if (!strcmp(k, "\x1b[5~")) {
        t->sel = t->sel > (size_t)page ? t->sel - (size_t)page : 0;
    } else if (!strcmp(k, "\r") || !strcmp(k, "\n") || !strcmp(k, " ")) {
        toggle(t);
    } else if (!strcmp(k, "<")) {
        t->sort = t->sort ? t->sort - 1 : COL_N - 1;
    } else if (!strcmp(k, ">")) {
        t->sort = (t->sort + 1) % COL_N;
    } else if (!strcmp(k, "P")) {
        t->sort = COL_CPU;
    } else if (!strcmp(k, "M")) {
        t->sort = COL_MEM;
    } else if (!strcmp(k, "N")) {
        t->sort = COL_NAME;
    } else if (!strcmp(k, "T")) {
        t->sort = COL_TASKS;
    } else if (!strcmp(k, "/")) {
        t->input = IN_FILTER;
        snprintf(t->entry, sizeof(t->entry), "%s", t->filter);
    } else if (!strcmp(k, "h") || !strcmp(k, "?")) {
        top_overlay_free(t);
        t->noverlay = sizeof(help_text) / sizeof(help_text[0]);
        t->overlay = xcalloc(t->noverlay, sizeof(char *));
        for (size_t i = 0; i < t->noverlay; i++)
            t->overlay[i] = xstrdup(help_text[i]);
    } else if (k[0] && !k[1] && strchr("rstKl", k[0])) {
        int svc = selected_service(t);
        if (svc < 0 || !t->oya) {
            snprintf(t->msg, sizeof(t->msg), "%s", !t->oya ? "no running oya" : "select a service first");
        } else if (k[0] == 'l') {
            show_logs(t, t->svcs[svc].name);
        } else if (k[0] == 'K') {
            snprintf(t->pending_svc, sizeof(t->pending_svc), "%s", t->svcs[svc].name);
            t->entry[0] = 0;
            t->input = IN_SIGNAL;
        } else {
            run_action(t, k[0] == 'r' ? "restart" : k[0] == 's' ? "stop" : "start", NULL, t->svcs[svc].name);
        }
    }
    return true;
}

/* Split what the terminal sent into keys: an escape sequence, a UTF-8 character or a byte each */
static bool on_input(struct top *t, const char *in, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = 1;
        if (in[i] == '\x1b' && i + 1 < n && (in[i + 1] == '[' || in[i + 1] == 'O')) {
            len = 2;
            while (i + len < n && !((in[i + len] >= 0x40 && in[i + len] <= 0x7e)))
                len++;
            if (i + len < n)
                len++;
        } else if ((unsigned char)in[i] >= 0xc0) {
            while (i + len < n && ((unsigned char)in[i + len] & 0xc0) == 0x80)
                len++;
        }
        char key[32];
        size_t kl = len < sizeof(key) - 1 ? len : sizeof(key) - 1;
        memcpy(key, in + i, kl);
        key[kl] = 0;
        if (!on_key(t, key, kl))
            return false;
        i += len;
    }
    return true;
}

void top_next_frame(struct top *t)
{
    if (t->have_prev || t->cur.snap.procs) {
        top_sample_free(&t->prev);
        t->prev = t->cur;
        t->have_prev = true;
    }
    if (!top_read_sample(t, &t->cur))
        memset(&t->cur, 0, sizeof(t->cur));
    struct other_sum other;
    top_sum_services(t, &other);
    top_build_rows(t);
}

int top_interactive(struct top *t)
{
    if (!isatty(0) || !isatty(1)) {
        fprintf(stderr, "oya top: not a terminal (use -b for text frames, --json for JSON)\n");
        return 2;
    }
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGWINCH);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTSTP);
    sigaddset(&mask, SIGCONT);
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0 || !term_raw(t)) {
        fprintf(stderr, "oya top: cannot set up the terminal: %s\n", strerror(errno));
        if (sigfd >= 0)
            close(sigfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return 1;
    }
    term_size(t);
    top_next_frame(t);
    draw(t);
    uint64_t next = clock_mono_usec() + t->delay;
    long shown = 1;
    for (bool going = true; going;) {
        if (t->frames && shown >= t->frames)
            break;
        uint64_t now = clock_mono_usec();
        int timeout = next > now ? (int)((next - now + 999) / 1000) : 0;
        struct pollfd pf[2] = {{.fd = 0, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
        int r = poll(pf, 2, timeout);
        if (r < 0 && errno != EINTR)
            break;
        bool redraw = false;
        if (r > 0 && pf[1].revents) {
            struct signalfd_siginfo si;
            while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
                int sig = (int)si.ssi_signo;
                if (sig == SIGWINCH) {
                    term_size(t);
                    redraw = true;
                } else if (sig == SIGCHLD) {
                    action_done(t);
                    redraw = true;
                } else if (sig == SIGTSTP) {
                    /* Ctrl-Z: give the terminal back as it was, stop, and take it again on SIGCONT */
                    term_restore(t);
                    kill(getpid(), SIGSTOP);
                } else if (sig == SIGCONT) {
                    term_raw(t);
                    term_size(t);
                    redraw = true;
                } else {
                    going = false;
                }
            }
        }
        if (r > 0 && pf[0].revents) {
            char in[256];
            ssize_t n = read(0, in, sizeof(in));
            if (n <= 0 && errno != EINTR && errno != EAGAIN)
                break;
            if (n > 0 && !on_input(t, in, (size_t)n))
                break;
            top_build_rows(t);
            redraw = true;
        }
        if (clock_mono_usec() >= next) {
            top_next_frame(t);
            next = clock_mono_usec() + t->delay;
            shown++;
            redraw = true;
        }
        if (redraw && going)
            draw(t);
    }
    term_restore(t);
    close(sigfd);
    if (t->action_pid > 0)
        waitpid(t->action_pid, NULL, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return 0;
}
