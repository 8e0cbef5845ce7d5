/* bus: the few D-Bus messages oya exchanges with the system bus to tell when a Type=dbus service has
 * taken its BusName=: the SASL EXTERNAL greeting, method calls to org.freedesktop.DBus with one string
 * argument (Hello, AddMatch, GetNameOwner), and reading back replies and NameOwnerChanged signals. Only
 * the wire format (D-Bus specification, "Message Protocol"); no I/O, no state: sup/ owns the socket. */
#ifndef OYA_BUS_H
#define OYA_BUS_H

#include "../base/base.h"

#define BUS_MAX_MESSAGE (1u << 20) /* larger messages end the connection (the bus's own limit is 128 MiB) */

enum bus_type { BUS_METHOD_CALL = 1, BUS_METHOD_RETURN = 2, BUS_ERROR = 3, BUS_SIGNAL = 4 };

/* What oya reads of a message: its kind, what it answers, and its first three string arguments */
struct bus_msg {
    enum bus_type type;
    uint32_t serial, reply_serial;
    char member[64];
    char interface[64];
    size_t nargs;      /* leading string arguments found in the body (at most 3) */
    char args[3][256]; /* bus names are at most 255 bytes */
};

/* The bytes a client sends first: a NUL, "AUTH EXTERNAL <uid in hex>", and BEGIN (pipelined, as sd-bus
 * does: the bus answers "OK <guid>" before it reads what follows) */
void bus_auth(struct buf *out, unsigned uid);
/* From in: the bus's answer to the greeting. 1 and *used when "OK ..." arrived, 0 when the line is not
 * complete yet, -EACCES when it refused (REJECTED or anything else). */
int bus_auth_reply(const char *in, size_t n, size_t *used);
/* A method call to org.freedesktop.DBus (path /org/freedesktop/DBus): member(arg), arg NULL for none */
void bus_call(struct buf *out, uint32_t serial, const char *member, const char *arg);
/* One message from in: its length when whole (and m filled), 0 when more bytes are needed, -EBADMSG
 * when it is not a D-Bus message or is larger than BUS_MAX_MESSAGE */
long bus_parse(const char *in, size_t n, struct bus_msg *m);
/* A well-known bus name as the specification allows it: "org.example.Name" */
bool bus_name_valid(const char *name);

#endif
