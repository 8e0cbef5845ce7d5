/* base/exit: the names systemd gives exit statuses (0 and 1, and 200 on: the step of a service's start
 * that failed, as exec/ reports it), and "code=exited, status=1/FAILURE" as systemctl writes it. Facts of
 * systemd's exit-status table; both the supervisor (its messages) and the CLI (status) use them. */
#include "base.h"

#include <stdio.h>
#include <sys/wait.h>

static const char *const names[] = {
    [0] = "SUCCESS", [1] = "FAILURE", [200] = "CHDIR", [201] = "NICE", [202] = "FDS", [203] = "EXEC",
    [204] = "MEMORY", [205] = "LIMITS", [206] = "OOM_ADJUST", [207] = "SIGNAL_MASK", [208] = "STDIN",
    [209] = "STDOUT", [210] = "CHROOT", [211] = "IOPRIO", [212] = "TIMERSLACK", [213] = "SECUREBITS",
    [214] = "SETSCHEDULER", [215] = "CPUAFFINITY", [216] = "GROUP", [217] = "USER", [218] = "CAPABILITIES",
    [219] = "CGROUP", [220] = "SETSID", [221] = "CONFIRM", [222] = "STDERR", [224] = "PAM", [225] = "NETWORK",
    [226] = "NAMESPACE", [227] = "NO_NEW_PRIVILEGES", [228] = "SECCOMP", [229] = "SELINUX_CONTEXT",
    [230] = "PERSONALITY", [231] = "APPARMOR_PROFILE", [232] = "ADDRESS_FAMILIES", [233] = "RUNTIME_DIRECTORY",
    [235] = "CHOWN", [236] = "SMACK_PROCESS_LABEL", [237] = "KEYRING", [238] = "STATE_DIRECTORY",
    [239] = "CACHE_DIRECTORY", [240] = "LOGS_DIRECTORY", [241] = "CONFIGURATION_DIRECTORY",
    [242] = "NUMA_POLICY", [243] = "CREDENTIALS", [245] = "BPF",
};

const char *exit_status_name(int code)
{
    return code >= 0 && (size_t)code < ARRAY_SIZE(names) ? names[code] : NULL;
}

void exit_text(char *out, size_t size, int code, int status)
{
    if (code == CLD_EXITED) {
        const char *name = exit_status_name(status);
        snprintf(out, size, "code=exited, status=%d%s%s", status, name ? "/" : "", name ? name : "");
    } else if (code == CLD_KILLED || code == CLD_DUMPED) {
        const char *name = signal_name(status);
        snprintf(out, size, "code=%s, signal=%s%s", code == CLD_DUMPED ? "dumped" : "killed", name ? "SIG" : "",
                 name ? name : "?");
    } else if (size) {
        out[0] = 0;
    }
}
