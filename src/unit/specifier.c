/* unit/specifier: systemd's % specifiers (%n %N %p %P %i %I %f %j %J %H %l %m %b %v %u %U %h %s %g %G
 * %t %S %C %L %E %T %V %%) and unit name unescaping ("-" is "/", "\xNN" a byte), for template units:
 * postgresql@15-main.service has the prefix "postgresql" and the instance "15-main". */
#include "unit_int.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "a-b\x2dc" -> "a/b-c" (systemd-escape --unescape). "\x" takes exactly two hex digits (no sign, no
 * space); one that does not, and "\x00" (a NUL would cut the name), stays as written. */
char *unit_unescape(const char *s)
{
    struct buf b = {0};
    for (const char *p = s; *p; p++) {
        int hi = p[0] == '\\' && p[1] == 'x' ? hex_digit(p[2]) : -1, lo = hi >= 0 ? hex_digit(p[3]) : -1;
        if (*p == '-') {
            buf_putc(&b, '/');
        } else if (lo >= 0 && (hi || lo)) {
            buf_putc(&b, (char)(hi * 16 + lo));
            p += 3;
        } else {
            buf_putc(&b, *p);
        }
    }
    buf_putc(&b, 0);
    return buf_take(&b); /* NULL: out of memory */
}

/* The first line of a file, or "" */
static void first_line(const char *path, char *out, size_t size)
{
    out[0] = 0;
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(out, (int)size, f))
        out[strcspn(out, "\n")] = 0;
    fclose(f);
}

static void put_id(struct buf *b, unsigned long id)
{
    buf_printf(b, "%lu", id);
}

static struct unit_self self;
static bool self_ready;

void unit_prepare(void)
{
    if (self_ready)
        return;
    self_ready = true;
    struct passwd *pw = getpwuid(geteuid());
    if (pw) {
        snprintf(self.user, sizeof(self.user), "%s", pw->pw_name);
        snprintf(self.shell, sizeof(self.shell), "%s", pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
    } else {
        snprintf(self.shell, sizeof(self.shell), "/bin/sh");
    }
    /* the home as systemd's get_home_dir finds it: $HOME when absolute, then /root for root, then NSS */
    const char *h = getenv("HOME");
    snprintf(self.home, sizeof(self.home), "%s",
             h && h[0] == '/' ? h : geteuid() == 0 ? "/root" : pw && pw->pw_dir ? pw->pw_dir : "/");
    struct group *gr = getgrgid(getegid());
    if (gr)
        snprintf(self.group, sizeof(self.group), "%s", gr->gr_name);
    gid_t gids[63];
    int n = getgroups(63, gids);
    self.gids[0] = (unsigned)getgid();
    self.ngroups = 1;
    for (int i = 0; i < n; i++)
        self.gids[self.ngroups++] = (unsigned)gids[i];
    for (size_t i = 0; i < self.ngroups; i++) {
        gr = getgrgid((gid_t)self.gids[i]);
        if (gr)
            snprintf(self.group_names[i], sizeof(self.group_names[i]), "%s", gr->gr_name);
    }
}

const struct unit_self *unit_self(void)
{
    unit_prepare();
    return &self;
}

/* $TMPDIR when set to an absolute path, else def (systemd's %T and %V) */
static const char *tmp_dir(const char *def)
{
    const char *t = getenv("TMPDIR");
    return t && t[0] == '/' ? t : def;
}

/* One specifier into b; false when c is not one. */
static bool specifier(struct buf *b, char c, const char *name)
{
    const char *at = strchr(name, '@');
    char *prefix = at ? mem_strndup(name, (size_t)(at - name)) : mem_strdup(name);
    if (!prefix) {
        b->failed = true;
        return true; /* a known specifier or not, the caller reports the memory */
    }
    const char *instance = at ? at + 1 : "";
    const struct unit_self *me = unit_self();
    char tmp[256];
    bool ok = true;
    switch (c) {
    case 'n': buf_printf(b, "%s.service", name); break;
    case 'N': buf_puts(b, name); break;
    case 'p': buf_puts(b, prefix); break;
    case 'i': buf_puts(b, instance); break;
    case 'P':
    case 'I':
    case 'f': {
        const char *src = c == 'P' ? prefix : c == 'I' ? instance : (*instance ? instance : prefix);
        char *u = unit_unescape(src);
        if (u)
            buf_printf(b, "%s%s", c == 'f' && u[0] != '/' ? "/" : "", u);
        else
            b->failed = true;
        free(u);
        break;
    }
    case 'j':
    case 'J': {
        const char *dash = strrchr(prefix, '-');
        const char *last = dash ? dash + 1 : prefix;
        char *u = c == 'J' ? unit_unescape(last) : mem_strdup(last);
        if (u)
            buf_puts(b, u);
        else
            b->failed = true;
        free(u);
        break;
    }
    case 'H':
    case 'l':
        if (gethostname(tmp, sizeof(tmp)) < 0)
            tmp[0] = 0;
        tmp[sizeof(tmp) - 1] = 0;
        if (c == 'l')
            tmp[strcspn(tmp, ".")] = 0;
        buf_puts(b, tmp);
        break;
    case 'm': first_line("/etc/machine-id", tmp, sizeof(tmp)); buf_puts(b, tmp); break;
    case 'b': {
        first_line("/proc/sys/kernel/random/boot_id", tmp, sizeof(tmp));
        for (char *p = tmp; *p; p++)
            if (*p != '-')
                buf_putc(b, *p);
        break;
    }
    case 'v': {
        struct utsname u;
        buf_puts(b, uname(&u) == 0 ? u.release : "");
        break;
    }
    /* the user running the service manager, as in systemd (not User=) */
    case 'u': buf_puts(b, me->user); break;
    case 'U': put_id(b, (unsigned long)geteuid()); break;
    case 'h': buf_puts(b, me->home); break;
    case 's': buf_puts(b, me->shell); break;
    case 'g': buf_puts(b, me->group); break;
    case 'G': put_id(b, (unsigned long)getegid()); break;
    /* the system manager's directories, or the user manager's when oya is not root (unit_dir_base) */
    case 't': buf_puts(b, unit_dir_base(UDIR_RUNTIME)); break;
    case 'S': buf_puts(b, unit_dir_base(UDIR_STATE)); break;
    case 'C': buf_puts(b, unit_dir_base(UDIR_CACHE)); break;
    case 'L': buf_puts(b, unit_dir_base(UDIR_LOGS)); break;
    case 'E': buf_puts(b, unit_dir_base(UDIR_CONFIGURATION)); break;
    case 'T': buf_puts(b, tmp_dir("/tmp")); break;
    case 'V': buf_puts(b, tmp_dir("/var/tmp")); break;
    case '%': buf_putc(b, '%'); break;
    default: ok = false;
    }
    free(prefix);
    return ok;
}

int unit_expand_specifiers(const char *name, const char *in, char **out, char *bad)
{
    *bad = 0;
    if (!strchr(in, '%')) {
        *out = mem_strdup(in);
        return *out ? 0 : -ENOMEM;
    }
    struct buf b = {0};
    for (const char *p = in; *p; p++) {
        if (*p != '%') {
            buf_putc(&b, *p);
            continue;
        }
        if (!p[1] || !specifier(&b, p[1], name)) {
            *bad = p[1];
            buf_free(&b);
            return -EINVAL;
        }
        p++;
    }
    buf_putc(&b, 0);
    *out = buf_take(&b);
    return *out ? 0 : -ENOMEM;
}
