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
    unsigned suggestions; /* did-you-mean searches made for this file's unknown keys (a few suffice) */
    unsigned long failures_before; /* mem_failures() when the file began: more at its end, not loaded */
};

/* "oya: TEXT" as a diagnostic line; error counts towards the unit not loading */
void unit_diag_add(struct unit_diag *d, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Apply KEY=VALUE of [section] to u, or say why not */
void unit_key_set(struct unit *u, const char *section, const char *key, const char *value, struct parse_ctx *c);
void unit_exec_list_clear(struct exec_list *l);
/* Whether systemd expands specifiers in KEY= of [section] (known keys but the raw ones) */
bool unit_key_expands(const char *section, const char *key);

/* The service manager's own user, as specifiers (%u %h %s %g) and ConditionUser=/ConditionGroup= see it:
 * looked up once (unit_prepare), so that later use in the supervisor's loop calls no NSS */
struct unit_self {
    char user[64], group[64];
    char home[4096], shell[4096];
    size_t ngroups;
    unsigned gids[64];
    char group_names[64][64];
};
const struct unit_self *unit_self(void);

/* yes/no, true/false, on/off, 1/0 (any case): 0, or -EINVAL */
int unit_parse_bool(const char *v, bool *out);
/* actual against "OP VALUE" (= != < <= > >= as versions but = and != as text; $= !$= as globs); *ok
 * false when expr has no operator or no value */
bool unit_compare_text(const char *actual, const char *expr, bool *ok);

/* Shell-style match of all of text (* ? [...] \\), letters in either case with fold: fnmatch(3) */
bool unit_glob_match(const char *pattern, const char *text, bool fold);

/* machine.c: facts about the machine oya runs on, as systemd tells them. Each returns 1 (yes), 0 (no) or
 * -errno (cannot tell; -EINVAL for a value systemd does not accept). */
int machine_virtualization_is(const char *v);    /* yes/no, vm, container, private-users, or an id */
int machine_architecture_is(const char *v);      /* x86-64, arm64, ..., native */
int machine_firmware_is(const char *v);          /* uefi, device-tree, device-tree-compatible(X), smbios-field(...) */
int machine_on_ac_power(void);                   /* 1 also when the machine has no power supply information */
int machine_security_has(const char *v);         /* selinux, apparmor, smack, ima, tomoyo, audit, ... */
int machine_cgroup_has(const char *v);           /* v1, v2, or controller names */
int machine_cpu_has(const char *v);              /* a CPU feature flag (x86) */
int machine_pressure_below(const char *resource, const char *v); /* "20%", "20%/1min" */
int machine_kernel_cmdline_has(const char *v);   /* WORD or WORD=VALUE */
int machine_is_mount_point(const char *path);
int machine_mounts_for(const char *path, const char *fstab, char *unmounted, size_t size);
int machine_path_encrypted(const char *path);    /* on a dm-crypt device */

#endif
