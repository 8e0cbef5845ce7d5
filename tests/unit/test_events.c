/* Unit tests for proc/events: datagrams of the kernel's process events connector, built byte by byte as
 * the kernel lays them out (netlink header, cn_msg, proc_event), parse into events; a gap in a CPU's
 * sequence numbers counts as lost events; truncated and foreign messages are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proc/events.h"

#include <string.h>

/* one netlink message holding one proc_event: what, cpu, timestamp, then the event's 4-byte fields */
static size_t put_event(unsigned char *at, uint32_t idx, uint32_t seq, uint32_t what, uint32_t cpu, uint64_t ns,
                        const int32_t *fields, size_t nfields, const char *comm)
{
    size_t data = 16 + nfields * 4 + (comm ? 16 : 0);
    size_t len = 16 + 20 + data;
    memset(at, 0, (len + 3) & ~3u);
    uint32_t len32 = (uint32_t)len, val = 1;
    uint16_t type = 3, dlen = (uint16_t)data;
    memcpy(at, &len32, 4);
    memcpy(at + 4, &type, 2);
    unsigned char *cn = at + 16;
    memcpy(cn, &idx, 4);
    memcpy(cn + 4, &val, 4);
    memcpy(cn + 8, &seq, 4);
    memcpy(cn + 16, &dlen, 2);
    unsigned char *ev = cn + 20;
    memcpy(ev, &what, 4);
    memcpy(ev + 4, &cpu, 4);
    memcpy(ev + 8, &ns, 8);
    memcpy(ev + 16, fields, nfields * 4);
    if (comm)
        memcpy(ev + 16 + nfields * 4, comm, strlen(comm));
    return (len + 3) & ~3u;
}

static void test_each_kind_parses(void **state)
{
    (void)state;
    static unsigned char dgram[4096] __attribute__((aligned(8)));
    size_t at = 0;
    const int32_t fork[] = {100, 100, 200, 200}, exec[] = {200, 200}, uid[] = {200, 200, 1000, 0},
                  sid[] = {200, 200}, ptrace[] = {200, 200, 300, 300}, comm[] = {200, 200},
                  dump[] = {200, 200, 100, 100}, exitv[] = {200, 200, 3 << 8, 17, 100, 100};
    at += put_event(dgram + at, 1, 0, 1, 0, 5000, fork, 4, NULL);
    at += put_event(dgram + at, 1, 1, 2, 0, 6000, exec, 2, NULL);
    at += put_event(dgram + at, 1, 2, 4, 0, 7000, uid, 4, NULL);
    at += put_event(dgram + at, 1, 3, 0x80, 0, 8000, sid, 2, NULL);
    at += put_event(dgram + at, 1, 4, 0x100, 0, 9000, ptrace, 4, NULL);
    at += put_event(dgram + at, 1, 5, 0x200, 0, 9500, comm, 2, "worker");
    at += put_event(dgram + at, 1, 6, 0x40000000, 0, 9800, dump, 4, NULL);
    at += put_event(dgram + at, 1, 7, 0x80000000u, 0, 9900, exitv, 6, NULL);
    struct proc_ev evs[16];
    uint32_t last[4] = {0};
    uint64_t lost = 0;
    size_t n = proc_events_parse(dgram, at, evs, 16, last, 4, &lost);
    assert_int_equal(n, 8);
    assert_int_equal(lost, 0);
    assert_int_equal(evs[0].kind, PEV_FORK);
    assert_int_equal(evs[0].ptgid, 100);
    assert_int_equal(evs[0].pid, 200);
    assert_int_equal(evs[0].mono_ns, 5000);
    assert_int_equal(evs[1].kind, PEV_EXEC);
    assert_int_equal(evs[1].tgid, 200);
    assert_int_equal(evs[2].kind, PEV_UID);
    assert_int_equal(evs[2].rid, 1000);
    assert_int_equal(evs[2].eid, 0);
    assert_int_equal(evs[3].kind, PEV_SID);
    assert_int_equal(evs[4].kind, PEV_PTRACE);
    assert_int_equal(evs[4].tracer, 300);
    assert_int_equal(evs[5].kind, PEV_COMM);
    assert_string_equal(evs[5].comm, "worker");
    assert_int_equal(evs[6].kind, PEV_COREDUMP);
    assert_int_equal(evs[6].ptgid, 100);
    assert_int_equal(evs[7].kind, PEV_EXIT);
    assert_int_equal(evs[7].exit_code, 3 << 8);
    assert_int_equal(evs[7].ptgid, 100);
    assert_int_equal(last[0], 8);
}

static void test_sequence_gaps_are_lost_events(void **state)
{
    (void)state;
    static unsigned char dgram[1024] __attribute__((aligned(8)));
    const int32_t exec[] = {1, 1};
    uint32_t last[2] = {0};
    uint64_t lost = 0;
    struct proc_ev evs[4];
    size_t at = put_event(dgram, 1, 41, 2, 1, 1, exec, 2, NULL); /* the first seen on CPU 1: no gap yet */
    at += put_event(dgram + at, 1, 45, 2, 1, 2, exec, 2, NULL);  /* 42, 43, 44 lost */
    at += put_event(dgram + at, 1, 7, 2, 0, 3, exec, 2, NULL);   /* CPU 0 counts apart */
    assert_int_equal(proc_events_parse(dgram, at, evs, 4, last, 2, &lost), 3);
    assert_int_equal(lost, 3);
    assert_int_equal(last[1], 46);
    assert_int_equal(last[0], 8);
}

static void test_foreign_and_truncated_messages_are_skipped(void **state)
{
    (void)state;
    static unsigned char dgram[1024] __attribute__((aligned(8)));
    const int32_t fork[] = {1, 1, 2, 2};
    uint32_t last[1] = {0};
    uint64_t lost = 0;
    struct proc_ev evs[4];
    size_t at = put_event(dgram, 9, 0, 1, 0, 1, fork, 4, NULL); /* another connector's message */
    size_t good = put_event(dgram + at, 1, 0, 1, 0, 1, fork, 4, NULL);
    assert_int_equal(proc_events_parse(dgram, at + good, evs, 4, last, 1, &lost), 1);
    /* cut anywhere inside the good one: nothing read past the end */
    for (size_t cut = at; cut < at + good; cut++)
        assert_int_equal(proc_events_parse(dgram, cut, evs, 4, last, 1, &lost), 0);
    /* a fork too short for its fields */
    at = put_event(dgram, 1, 0, 1, 0, 1, fork, 2, NULL);
    assert_int_equal(proc_events_parse(dgram, at, evs, 4, last, 1, &lost), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_kind_parses),
        cmocka_unit_test(test_sequence_gaps_are_lost_events),
        cmocka_unit_test(test_foreign_and_truncated_messages_are_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
