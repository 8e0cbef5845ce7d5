/* cli/ps_help: the text of `ps --help [section]`, as procps-ng 4.0.2 prints it (a user diffs it). */
#include "ps.h"

#include <stdio.h>
#include <string.h>

static const char *const sections[] = {
    "\n"
    "Basic options:\n"
    " -A, -e               all processes\n"
    " -a                   all with tty, except session leaders\n"
    "  a                   all with tty, including other users\n"
    " -d                   all except session leaders\n"
    " -N, --deselect       negate selection\n"
    "  r                   only running processes\n"
    "  T                   all processes on this terminal\n"
    "  x                   processes without controlling ttys\n",
    "\n"
    "Selection by list:\n"
    " -C <command>         command name\n"
    " -G, --Group <GID>    real group id or name\n"
    " -g, --group <group>  session or effective group name\n"
    " -p, p, --pid <PID>   process id\n"
    "        --ppid <PID>  parent process id\n"
    " -q, q, --quick-pid <PID>\n"
    "                      process id (quick mode)\n"
    " -s, --sid <session>  session id\n"
    " -t, t, --tty <tty>   terminal\n"
    " -u, U, --user <UID>  effective user id or name\n"
    " -U, --User <UID>     real user id or name\n"
    "\n"
    "  The selection options take as their argument either:\n"
    "    a comma-separated list e.g. '-u root,nobody' or\n"
    "    a blank-separated list e.g. '-p 123 4567'\n",
    "\n"
    "Output formats:\n"
    " -F                   extra full\n"
    " -f                   full-format, including command lines\n"
    "  f, --forest         ascii art process tree\n"
    " -H                   show process hierarchy\n"
    " -j                   jobs format\n"
    "  j                   BSD job control format\n"
    " -l                   long format\n"
    "  l                   BSD long format\n"
    " -M, Z                add security data (for SELinux)\n"
    " -O <format>          preloaded with default columns\n"
    "  O <format>          as -O, with BSD personality\n"
    " -o, o, --format <format>\n"
    "                      user-defined format\n"
    "  -P                  add psr column\n"
    "  s                   signal format\n"
    "  u                   user-oriented format\n"
    "  v                   virtual memory format\n"
    "  X                   register format\n"
    " -y                   do not show flags, show rss vs. addr (used with -l)\n"
    "     --context        display security context (for SELinux)\n"
    "     --headers        repeat header lines, one per page\n"
    "     --no-headers     do not print header at all\n"
    "     --cols, --columns, --width <num>\n"
    "                      set screen width\n"
    "     --rows, --lines <num>\n"
    "                      set screen height\n",
    "\n"
    "Show threads:\n"
    "  H                   as if they were processes\n"
    " -L                   possibly with LWP and NLWP columns\n"
    " -m, m                after processes\n"
    " -T                   possibly with SPID column\n",
    "\n"
    "Miscellaneous options:\n"
    " -c                   show scheduling class with -l option\n"
    "  c                   show true command name\n"
    "  e                   show the environment after command\n"
    "  k,    --sort        specify sort order as: [+|-]key[,[+|-]key[,...]]\n"
    "  L                   show format specifiers\n"
    "  n                   display numeric uid and wchan\n"
    "  S,    --cumulative  include some dead child process data\n"
    " -y                   do not show flags, show rss (only with -l)\n"
    " -V, V, --version     display version information and exit\n"
    " -w, w                unlimited output width\n"
    "\n"
    "        --help <simple|list|output|threads|misc|all>\n"
    "                      display help and exit\n",
};

static const char default_text[] =
    "\n"
    " Try 'ps --help <simple|list|output|threads|misc|all>'\n"
    "  or 'ps --help <s|l|o|t|m|a>'\n"
    " for additional help text.\n";

void ps_help(const char *section, FILE *out)
{
    static const char *const words[] = {"simple", "list", "output", "threads", "misc", "all"};
    static const char *const abbrevs[] = {"s", "l", "o", "t", "m", "a"};
    int which = -1;
    for (int i = 0; section && i < 6; i++)
        if (!strcmp(section, words[i]) || !strcmp(section, abbrevs[i]))
            which = i;
    fputs("\nUsage:\n ps [options]\n", out);
    for (int i = 0; i < 5; i++)
        if (which == i || which == 5)
            fputs(sections[i], out);
    if (which < 0)
        fputs(default_text, out);
    fputs("\nFor more details see ps(1).\n", out);
}
