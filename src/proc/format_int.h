/* proc/format_int: what format.c (lists, layout) and fields.c (the specifiers) share; private to them. */
#ifndef OYA_PROC_FORMAT_INT_H
#define OYA_PROC_FORMAT_INT_H

#include "format.h"

#define PS_OUTBUF 131072 /* procps's OUTBUF_SIZE: the widest a value may get */

struct pr_args {
    char *out;
    size_t size;
    int max_cells; /* what the layout allows this value (procps's max_rightward) */
    const struct ps_proc *p;
    struct ps_ctx *c;
};
typedef int (*pr_fn)(struct pr_args *a);

struct ps_field {
    const char *spec, *head;
    pr_fn pr;
    int item; /* the sort key */
    int width;
    enum ps_just just;
    enum ps_print print;
    unsigned flags;
    const unsigned char *reg; /* the values procps's printer asks for (I_END ends it) */
};
#define PF_PIDMAX 1u /* as wide as the largest PID */
#define PF_NOP 2u    /* prints "-" always: left out of `ps L` */

const struct ps_field *ps_field_find(const char *spec);
unsigned ps_field_needs(const struct ps_field *f);

/* Copy src into out, escaping as procps does, at most *cells screen cells; returns bytes written,
 * takes the cells used */
int ps_escape_cells(const struct ps_ctx *c, char *out, size_t outsize, const char *src, int *cells);

#endif
