/* container-lab: a container runtime in one file.
 *
 * A container is an ordinary process that the kernel shows a different
 * world: its own hostname, IPC objects, process tree, mounts, users and
 * network (namespaces), within limits (cgroups).  This file grows one
 * namespace per stage; read it top to bottom beside steps/NN-x/README.md.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -o step runtime.c
 *   sudo ./step -n box -- /bin/sh
 */
#define _GNU_SOURCE
/* Skeleton: a given helper your code does not call yet is a
 * warning that names it, not an error. */
#pragma GCC diagnostic warning "-Wunused-function"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The number of elements of an array (not of a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct config {
    /* 01: the base runtime and the UTS namespace */
    char **argv;          /* the command, argv[0] looked up in PATH */
    const char *hostname; /* -n */
    int verbose;          /* -v */
};

/* The namespaces this stage creates, one row per stage: clone(2). */
static const struct {
    int flag;
    const char *name;
} namespaces[] = {
    /* TODO(01.1) The clone flag.  Add the row for CLONE_NEWUTS, as
     * {CLONE_NEWUTS, "CLONE_NEWUTS"}: run_container() ORs every row's flag
     * into clone(2)'s flags, so the child starts in a UTS namespace of its
     * own, a copy of the host's hostname and NIS domain name that it may
     * change (uts_namespaces(7)). */
    {0, NULL},
};

/* ---- errors and narration ---- */

/* What the child sends up the report pipe when it fails before exec, so
 * that the parent prints the error once and exits with its status. */
struct report {
    int status;
    char msg[500];
};

/* -1 in the parent; the report pipe's write end in the child. */
static int report_fd = -1;

/* The one way to fail: "step: <what>: <why> (<hint>)", exit STATUS.
 * ERR is an errno value, or 0 when there is no system error to name. */
__attribute__((format(printf, 4, 5))) static noreturn void
fail(int status, int err, const char *hint, const char *fmt, ...)
{
    struct report r = {.status = status};
    va_list ap;
    int n = snprintf(r.msg, sizeof r.msg, "step: ");

    va_start(ap, fmt);
    n += vsnprintf(r.msg + n, sizeof r.msg - n, fmt, ap);
    va_end(ap);
    if (err && n < (int)sizeof r.msg)
        n += snprintf(r.msg + n, sizeof r.msg - n, ": %s", strerror(err));
    if (hint && n < (int)sizeof r.msg)
        snprintf(r.msg + n, sizeof r.msg - n, " (%s)", hint);

    if (report_fd >= 0) {
        if (write(report_fd, &r, sizeof r) < 0)
            fprintf(stderr, "%s\n", r.msg);
        _exit(status);
    }
    fprintf(stderr, "%s\n", r.msg);
    exit(status);
}

/* A system call failed: name it and its arguments, exit 125. */
#define die(...)            fail(125, errno, NULL, __VA_ARGS__)
#define die_hint(hint, ...) fail(125, errno, (hint), __VA_ARGS__)

/* -v: one line per setup action, naming the system call. */
__attribute__((format(printf, 2, 3))) static void say(const struct config *cfg,
                                                      const char *fmt, ...)
{
    va_list ap;

    if (!cfg->verbose)
        return;
    va_start(ap, fmt);
    fputs("step: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- the command line ---- */

static void usage(FILE *out)
{
    fputs("Usage: step [OPTION]... [--] [COMMAND [ARG]...]\n"
          "Run COMMAND (default /bin/sh) in a new container.\n"
          "\n"
          "  -n, --hostname NAME  container hostname (default: container)\n"
          "  -v, --verbose        narrate each setup step on stderr\n"
          "  -h, --help           show this help and exit\n"
          "\n"
          "Exit status: the command's; 128+N if it died of signal N; 125 if\n"
          "the runtime failed; 126 if COMMAND cannot run; 127 if not found.\n",
          out);
}

/* Fill CFG from the command line.  Returns 0 to run, 1 for --help, and -1
 * with a message in ERR for bad input. */
static int parse_args(int argc, char **argv, struct config *cfg, char *err,
                      size_t errlen)
{
    static char *default_argv[] = {"/bin/sh", NULL};
    static const struct option longopts[] = {
        {"hostname", required_argument, NULL, 'n'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    *cfg = (struct config){.hostname = "container"};
    optind = 0; /* glibc: start afresh, so tests can call us repeatedly */
    opterr = 0;
    /* '+': stop at the first non-option, so `step ls -l` keeps its -l. */
    while ((opt = getopt_long(argc, argv, "+:n:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            cfg->hostname = optarg;
            break;
        case 'v':
            cfg->verbose = 1;
            break;
        case 'h':
            return 1;
        case ':': /* a missing argument is always the last word read */
            if (strncmp(argv[optind - 1], "--", 2) == 0)
                snprintf(err, errlen, "%s: needs an argument",
                         argv[optind - 1]);
            else
                snprintf(err, errlen, "-%c: needs an argument", optopt);
            return -1;
        default:
            /* optopt is 0 for an unknown long option, and the option's
             * value for a long one given an argument it does not take. */
            if (!optopt)
                snprintf(err, errlen, "%s: unknown option", argv[optind - 1]);
            else if (strncmp(argv[optind - 1], "--", 2) == 0)
                snprintf(err, errlen, "%.*s: takes no argument",
                         (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
            else
                snprintf(err, errlen, "-%c: unknown option", optopt);
            return -1;
        }
    }
    /* sethostname(2): at most HOST_NAME_MAX (64) bytes. */
    if (cfg->hostname[0] == '\0' || strlen(cfg->hostname) > HOST_NAME_MAX) {
        snprintf(err, errlen, "--hostname: must be 1 to 64 characters");
        return -1;
    }
    cfg->argv = optind < argc ? argv + optind : default_argv;
    return 0;
}

/* ---- guard rails ---- */

/* GIVEN(01) Guard rails.  Before clone(2) the parent notes the namespaces
 * it runs in; before the child changes something that a namespace should
 * hold (the hostname, a mount, an address), it checks that its namespace
 * is a new one.  A clone flag left out is then one error line, and the
 * host keeps its name, its mounts and its addresses.  Kept in the deep
 * version too. */

/* The namespaces the runtime itself is in, by their /proc/self/ns/ inode,
 * 0 until note_host_namespaces() has run (so unit tests, which clone
 * nothing, are not refused). */
static struct {
    const char *ns;     /* the entry in /proc/self/ns/ */
    const char *flag;   /* the clone flag that gives a new one */
    const char *lesson; /* where the flag is taught */
    dev_t dev;
    ino_t ino;
} host_ns[] = {
    {"uts", "CLONE_NEWUTS", "steps/01-uts/README.md", 0, 0},
};

/* In the parent, before clone(2). */
static void note_host_namespaces(void)
{
    char path[64];
    struct stat st;

    for (size_t i = 0; i < ARRAY_SIZE(host_ns); i++) {
        snprintf(path, sizeof path, "/proc/self/ns/%s", host_ns[i].ns);
        if (stat(path, &st) == 0) {
            host_ns[i].dev = st.st_dev;
            host_ns[i].ino = st.st_ino;
        }
    }
}

/* In the child: refuse CALL, which would do WHAT to the host, while the
 * child is still in the runtime's NS namespace.  Exits 125. */
static void guard_ns(const char *ns, const char *call, const char *what)
{
    char path[64];
    struct stat st;

    for (size_t i = 0; i < ARRAY_SIZE(host_ns); i++) {
        if (strcmp(host_ns[i].ns, ns) != 0 || host_ns[i].ino == 0)
            continue;
        snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
        if (stat(path, &st) == 0 && st.st_dev == host_ns[i].dev &&
            st.st_ino == host_ns[i].ino)
            fail(125, 0, host_ns[i].lesson,
                 "%s would %s: %s is not in the clone flags", call, what,
                 host_ns[i].flag);
    }
}
/* END GIVEN(01) */

/* ---- 01 UTS namespace: uts_namespaces(7) ---- */

/* GIVEN(01) sethostname(2) and setdomainname(2), each narrated for -v,
 * checked, and refused while the child is still in the host's UTS
 * namespace.  Kept in the deep version too. */
static void xsethostname(const struct config *cfg, const char *name)
{
    guard_ns("uts", "sethostname", "rename the host");
    say(cfg, "sethostname(\"%s\")", name);
    if (sethostname(name, strlen(name)) < 0)
        die("sethostname(\"%s\")", name);
}

static void xsetdomainname(const struct config *cfg, const char *name)
{
    guard_ns("uts", "setdomainname", "change the host's domain name");
    say(cfg, "setdomainname(\"%s\")", name);
    if (setdomainname(name, strlen(name)) < 0)
        die("setdomainname(\"%s\")", name);
}
/* END GIVEN(01) */

static void setup_uts(const struct config *cfg)
{
    /* TODO(01.2) The names.  In the new namespace, set the hostname to
     * cfg->hostname with xsethostname(cfg, NAME), then clear the NIS domain
     * name with xsetdomainname(cfg, ""): the namespace began as a copy of
     * the host's, and the host's domain name must not show through.  Each
     * x-helper above makes the call, says it for -v and names it in the
     * error if it fails. */
    /* A stub, there only so that the file builds: your code replaces it. */
    (void)cfg;
}

/* ---- the child: becomes the container ---- */

struct child_args {
    const struct config *cfg;
    int report[2]; /* child -> parent: errors before exec */
};

static noreturn void exec_command(const struct config *cfg)
{
    /* No descriptor of ours may reach the container (runc's
     * CVE-2024-21626 leaked one): mark all but 0-2 close-on-exec. */
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        die_hint("needs Linux 5.11",
                 "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)");
    say(cfg, "execvp(\"%s\")", cfg->argv[0]);
    execvp(cfg->argv[0], cfg->argv);
    /* The shell's convention, which docker follows: 127 not found, 126
     * found but not runnable. */
    if (errno == ENOENT || errno == ENOTDIR)
        fail(127, errno, NULL, "execvp(\"%s\")", cfg->argv[0]);
    fail(126, errno, NULL, "execvp(\"%s\")", cfg->argv[0]);
}

static int child_main(void *arg)
{
    const struct child_args *args = arg;
    const struct config *cfg = args->cfg;

    close(args->report[0]);
    report_fd = args->report[1];
    /* If the runtime dies, so does the container. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        die("prctl(PR_SET_PDEATHSIG)");

    setup_uts(cfg);
    exec_command(cfg);
}

/* ---- the parent: the runtime ---- */

/* The hint for a failed clone(2). */
static const char *clone_hint(int err)
{
    if (err == EPERM)
        return "run as root: sudo ./step";
    if (err == ENOSPC)
        return "namespace limit reached: see /proc/sys/user/max_*_namespaces";
    return NULL;
}

/* The command's exit status as a shell reports it: 128+N for signal N. */
static int wait_child(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid(%d)", (int)pid);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

static int run_container(const struct config *cfg)
{
    static char stack[1024 * 1024]; /* the child's, until it execs */
    struct child_args args = {.cfg = cfg};
    struct report r;
    char names[256] = "";
    int flags = SIGCHLD;
    ssize_t n;
    pid_t pid;

    for (int i = 0; namespaces[i].name; i++) {
        flags |= namespaces[i].flag;
        strcat(strcat(names, namespaces[i].name), "|");
    }
    if (pipe2(args.report, O_CLOEXEC) < 0)
        die("pipe2");
    note_host_namespaces();
    fflush(NULL);
    say(cfg, "clone(%sSIGCHLD)", names);
    pid = clone(child_main, stack + sizeof stack, flags, &args);
    if (pid < 0)
        die_hint(clone_hint(errno), "clone(%sSIGCHLD)", names);
    close(args.report[1]);

    /* EOF: the command was exec'd (the pipe is close-on-exec). */
    while ((n = read(args.report[0], &r, sizeof r)) < 0 && errno == EINTR)
        ;
    close(args.report[0]);
    int status = wait_child(pid);
    if (n == (ssize_t)sizeof r) {
        r.msg[sizeof r.msg - 1] = '\0';
        fprintf(stderr, "%s\n", r.msg);
        return r.status;
    }
    return status;
}

#ifndef UNIT_TEST
int main(int argc, char **argv)
{
    struct config cfg;
    char err[256];

    switch (parse_args(argc, argv, &cfg, err, sizeof err)) {
    case 1:
        usage(stdout);
        return 0;
    case -1:
        fprintf(stderr, "step: %s (see: step --help)\n", err);
        return 125;
    }
    return run_container(&cfg);
}
#endif
