/* An sd_notify datagram, as a service sends it (the bytes as they are, NULs included) */
#include "fuzz.h"

#include "svc/svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct svc_notify_msg m;
    svc_notify_parse((const char *)data, size, &m);
    return 0;
}
