/* unit internals shared by the file reader (unit.c) and the key table (keys.c). Nothing outside unit/
 * includes this. */
#ifndef OYA_UNIT_INT_H
#define OYA_UNIT_INT_H

#include "unit.h"

struct parse_ctx {
    const char *path;
    unsigned line;
    const char *key, *value;
    struct unit_diag *diag;
    unsigned exec_start_line;
    bool notify_access_set;
};

/* "oya: TEXT" as a diagnostic line; error counts towards the unit not loading */
void unit_diag_add(struct unit_diag *d, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Apply KEY=VALUE of [section] to u, or say why not */
void unit_key_set(struct unit *u, const char *section, const char *key, const char *value, struct parse_ctx *c);
void unit_exec_list_clear(struct exec_list *l);
/* Whether systemd expands specifiers in KEY= of [section] (known keys but the raw ones) */
bool unit_key_expands(const char *section, const char *key);

#endif
