/* unit/words: systemd's command-line quoting, $VAR expansion, EnvironmentFile reading and the
 * environment list helpers used when a service starts. */
#include "unit.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xc0 | (cp >> 6)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xe0 | (cp >> 12)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(b, (char)(0xf0 | (cp >> 18)));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* One C-style escape after a backslash at *pp; advances *pp past it. */
static int unescape_one(const char **pp, struct buf *b, const char **why)
{
    const char *p = *pp;
    char c = *p++;
    switch (c) {
    case 'a': buf_putc(b, '\a'); break;
    case 'b': buf_putc(b, '\b'); break;
    case 'f': buf_putc(b, '\f'); break;
    case 'n': buf_putc(b, '\n'); break;
    case 'r': buf_putc(b, '\r'); break;
    case 't': buf_putc(b, '\t'); break;
    case 'v': buf_putc(b, '\v'); break;
    case 's': buf_putc(b, ' '); break;
    case '\\': case '"': case '\'': case ' ': case ';': case '$':
        buf_putc(b, c);
        break;
    case 'x': {
        int h = hexval(p[0]), l = h >= 0 ? hexval(p[1]) : -1;
        if (h < 0 || l < 0) {
            *why = "\\x needs two hex digits";
            return -EINVAL;
        }
        if (h == 0 && l == 0) {
            *why = "a NUL byte (\\x00) cannot be passed";
            return -EINVAL;
        }
        buf_putc(b, (char)(h * 16 + l));
        p += 2;
        break;
    }
    case 'u': case 'U': {
        int n = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int i = 0; i < n; i++) {
            int v = hexval(p[i]);
            if (v < 0) {
                *why = c == 'u' ? "\\u needs four hex digits" : "\\U needs eight hex digits";
                return -EINVAL;
            }
            cp = cp * 16 + (uint32_t)v;
        }
        if (cp == 0 || cp > 0x10ffff) {
            *why = "the \\u or \\U escape is not a valid character";
            return -EINVAL;
        }
        put_utf8(b, cp);
        p += n;
        break;
    }
    default:
        if (c >= '0' && c <= '7' && p[0] >= '0' && p[0] <= '7' && p[1] >= '0' && p[1] <= '7') {
            int v = (c - '0') * 64 + (p[0] - '0') * 8 + (p[1] - '0');
            if (v == 0 || v > 255) {
                *why = "the octal escape is NUL or above \\377";
                return -EINVAL;
            }
            buf_putc(b, (char)v);
            p += 2;
            break;
        }
        *why = c ? "unknown escape after a backslash; write \\\\ for a backslash" : "the line ends with a lone backslash";
        return -EINVAL;
    }
    *pp = p;
    return 0;
}

int unit_c_unescape(const char *s, struct buf *out, const char **why)
{
    for (const char *p = s; *p;) {
        if (*p != '\\') {
            buf_putc(out, *p++);
            continue;
        }
        p++;
        if (unescape_one(&p, out, why) < 0)
            return -EINVAL;
    }
    return 0;
}

int unit_split_words(const char *s, struct strv *out, const char **why)
{
    const char *p = s;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            return 0;
        struct buf w = {0};
        char quote = 0;
        buf_reserve(&w, 16);
        while (*p) {
            char c = *p;
            if (!quote && isspace((unsigned char)c))
                break;
            p++;
            if (c == '\\') {
                if (unescape_one(&p, &w, why) < 0) {
                    buf_free(&w);
                    return -EINVAL;
                }
            } else if (quote && c == quote) {
                quote = 0;
            } else if (!quote && (c == '"' || c == '\'')) {
                quote = c;
            } else {
                buf_putc(&w, c);
            }
        }
        if (quote) {
            buf_free(&w);
            *why = quote == '"' ? "a double quote is not closed" : "a single quote is not closed";
            return -EINVAL;
        }
        strv_push(out, buf_take(&w)); /* NULL: out of memory, out->failed */
    }
}

static bool env_name_char(char c, bool first)
{
    return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* Length of a valid variable name at p (0 if none). */
static size_t env_name_len(const char *p)
{
    size_t n = 0;
    while (p[n] && env_name_char(p[n], n == 0))
        n++;
    return n;
}

static const char *env_lookup_n(char *const *env, const char *name, size_t n)
{
    const char *found = NULL;
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
            found = env[i] + n + 1; /* the last assignment wins */
    return found;
}

const char *unit_env_get(char *const *env, const char *name)
{
    return env_lookup_n(env, name, strlen(name));
}

void unit_expand_argv(char *const *words, char *const *env, struct strv *out)
{
    for (size_t i = 0; words && words[i]; i++) {
        const char *w = words[i];
        size_t n = w[0] == '$' ? env_name_len(w + 1) : 0;
        if (n > 0 && w[1 + n] == 0) {
            /* "$NAME" as a word of its own: split at whitespace into zero or more words */
            const char *v = env_lookup_n(env, w + 1, n);
            struct strv parts = {0};
            if (v) {
                const char *q = v;
                while (*q) {
                    while (*q && isspace((unsigned char)*q))
                        q++;
                    size_t len = 0;
                    while (q[len] && !isspace((unsigned char)q[len]))
                        len++;
                    if (len)
                        strv_push(&parts, mem_strndup(q, len));
                    q += len;
                }
            }
            for (size_t k = 0; k < parts.n; k++)
                strv_add(out, parts.v[k]);
            out->failed |= parts.failed;
            strv_clear(&parts);
            continue;
        }
        struct buf b = {0};
        buf_reserve(&b, strlen(w));
        for (const char *p = w; *p;) {
            if (p[0] == '$' && p[1] == '$') {
                buf_putc(&b, '$');
                p += 2;
            } else if (p[0] == '$' && p[1] == '{') {
                size_t len = env_name_len(p + 2);
                if (len && p[2 + len] == '}') {
                    const char *v = env_lookup_n(env, p + 2, len);
                    if (v)
                        buf_puts(&b, v);
                    p += 3 + len;
                } else {
                    buf_putc(&b, *p++);
                }
            } else if (p[0] == '$' && (n = env_name_len(p + 1)) > 0) {
                const char *v = env_lookup_n(env, p + 1, n);
                if (v)
                    buf_puts(&b, v);
                p += 1 + n;
            } else {
                buf_putc(&b, *p++);
            }
        }
        strv_push(out, buf_take(&b));
    }
}

/* the length of the NAME part of NAME=VALUE */
static size_t env_key_len(const char *a)
{
    const char *eq = strchr(a, '=');
    return eq ? (size_t)(eq - a) : strlen(a);
}

struct env_slot {
    const char *name;
    size_t len, index;
};

static int cmp_env_slot(const void *a, const void *b)
{
    const struct env_slot *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

void unit_env_dedupe(struct strv *env)
{
    if (env->n < 2)
        return;
    struct env_slot *slots = mem_zalloc(env->n, sizeof(*slots));
    bool *drop = mem_zalloc(env->n, sizeof(bool));
    if (!slots || !drop) {
        free(slots);
        free(drop);
        env->failed = true; /* duplicates stay: the caller must not use it */
        return;
    }
    for (size_t i = 0; i < env->n; i++)
        slots[i] = (struct env_slot){env->v[i], env_key_len(env->v[i]), i};
    qsort(slots, env->n, sizeof(*slots), cmp_env_slot);
    /* each name: its first place keeps the last value; the later places go */
    for (size_t i = 0; i < env->n;) {
        size_t j = i + 1;
        while (j < env->n && slots[j].len == slots[i].len && !memcmp(slots[j].name, slots[i].name, slots[i].len))
            j++;
        if (j - i > 1) {
            char *last = env->v[slots[j - 1].index];
            env->v[slots[j - 1].index] = NULL;
            free(env->v[slots[i].index]);
            env->v[slots[i].index] = last;
            for (size_t k = i + 1; k < j; k++)
                drop[slots[k].index] = true;
        }
        i = j;
    }
    size_t out = 0;
    for (size_t i = 0; i < env->n; i++) {
        if (drop[i])
            free(env->v[i]);
        else
            env->v[out++] = env->v[i];
    }
    env->n = out;
    env->v[out] = NULL;
    free(drop);
    free(slots);
}

void unit_env_set(struct strv *env, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    size_t n = eq ? (size_t)(eq - assignment) : strlen(assignment);
    for (size_t i = 0; i < env->n; i++) {
        if (strncmp(env->v[i], assignment, n) == 0 && env->v[i][n] == '=') {
            char *copy = mem_strdup(assignment);
            if (!copy) {
                env->failed = true;
                return;
            }
            free(env->v[i]);
            env->v[i] = copy;
            return;
        }
    }
    strv_add(env, assignment);
}

/* Parse one value of an environment file starting at p (after '='); returns the end position. */
static const char *env_file_value(const char *p, struct buf *v)
{
    while (*p == ' ' || *p == '\t')
        p++;
    for (;;) {
        char c = *p;
        if (!c || c == '\n')
            break;
        if (c == '\'') {
            p++;
            while (*p && *p != '\'')
                buf_putc(v, *p++);
            if (*p)
                p++;
        } else if (c == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1] && strchr("\"\\`$\n", p[1])) {
                    if (p[1] != '\n')
                        buf_putc(v, p[1]);
                    p += 2;
                } else {
                    buf_putc(v, *p++);
                }
            }
            if (*p)
                p++;
        } else if (c == '\\' && p[1]) {
            if (p[1] != '\n')
                buf_putc(v, p[1]); /* backslash-newline continues the value */
            p += 2;
        } else if (c == '#' && (v->len == 0 || isspace((unsigned char)p[-1]))) {
            /* an unquoted # after whitespace starts a comment */
            while (*p && *p != '\n')
                p++;
        } else {
            buf_putc(v, c);
            p++;
        }
    }
    /* unquoted trailing whitespace does not belong to the value */
    while (v->len && (v->p[v->len - 1] == ' ' || v->p[v->len - 1] == '\t'))
        v->p[--v->len] = 0;
    return p;
}

int unit_read_env_file(const char *path, struct strv *out)
{
    struct buf text = {0};
    /* read at each start, as root, from a path the service may own: a FIFO there must not block oya */
    int r = fs_read_regular(path, &text, UNIT_ENV_FILE_MAX);
    if (r < 0) {
        buf_free(&text);
        return r;
    }
    const char *p = text.p ? text.p : "";
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (*p == '#' || *p == ';') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (str_startswith(p, "export ") || str_startswith(p, "export\t"))
            p += 7;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = env_name_len(p);
        const char *q = p + n;
        while (*q == ' ' || *q == '\t')
            q++;
        if (n == 0 || *q != '=') {
            /* not an assignment: skipped, as systemd does */
            while (*p && *p != '\n')
                p++;
            continue;
        }
        struct buf v = {0};
        buf_add(&v, p, n);
        buf_putc(&v, '=');
        p = env_file_value(q + 1, &v);
        strv_push(out, buf_take(&v));
    }
    buf_free(&text);
    unit_env_dedupe(out); /* later lines win, at the place of the first: one pass, not one per line */
    return 0;
}
