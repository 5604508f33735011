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
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <grp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <linux/magic.h>
#include <sys/wait.h>
#include <unistd.h>

/* The busybox tree built by `make rootfs`; the Makefile compiles in its
 * absolute path. */
#ifndef STEP_ROOTFS
#define STEP_ROOTFS "rootfs/tree"
#endif

/* The bridge made on first use, and its address: 10.77.0.1/24. */
#define LAB_BRIDGE  "lab0"
#define LAB_GATEWAY 0x0a4d0001U
#define LAB_PREFIX  24

/* The number of elements of an array (not of a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct config {
    /* 01: the base runtime and the UTS namespace */
    char **argv;          /* the command, argv[0] looked up in PATH */
    const char *hostname; /* -n */
    int verbose;          /* -v */
    /* 04: mount namespace */
    const char *rootfs; /* -r */
    /* 05: user namespace */
    struct id_map {
        unsigned long inside, outside, count;
    } uid_map, gid_map; /* --uid-map, --gid-map: one range each */
    /* 06: network namespace */
    const char *bridge; /* --bridge */
    int net_none;       /* --net none, or not root: loopback only */
    uint32_t ip;        /* --ip, host byte order */
    int ip_prefix;
    int ip_set;
};

/* The namespaces this stage creates, one row per stage: clone(2). */
static const struct {
    int flag;
    const char *name;
} namespaces[] = {
    /* YOURS(01.1) The clone flag.  Add the row for CLONE_NEWUTS, as
     * {CLONE_NEWUTS, "CLONE_NEWUTS"}: run_container() ORs every row's flag
     * into clone(2)'s flags, so the child starts in a UTS namespace of its
     * own, a copy of the host's hostname and NIS domain name that it may
     * change (uts_namespaces(7)). */
    {CLONE_NEWUTS, "CLONE_NEWUTS"}, /* 01: hostname */
    /* END YOURS(01.1) */
    /* YOURS(02.1) The clone flag.  Add the row for CLONE_NEWIPC: the
     * container gets System V message queues, semaphores and shared memory
     * of its own, and POSIX message queues (ipc_namespaces(7)).  Nothing
     * else to set up: a new IPC namespace starts empty. */
    {CLONE_NEWIPC, "CLONE_NEWIPC"}, /* 02: SysV IPC, POSIX queues */
    /* END YOURS(02.1) */
    /* YOURS(03.1) The clone flag.  Add the row for CLONE_NEWPID: the
     * child is PID 1 of a process tree of its own (pid_namespaces(7)), and
     * the command it execs keeps that PID. */
    {CLONE_NEWPID, "CLONE_NEWPID"}, /* 03: process ids */
    /* END YOURS(03.1) */
    /* YOURS(04.1) The clone flag.  Add the row for CLONE_NEWNS: the child
     * gets a copy of the host's mount table, which setup_mounts() changes
     * (mount_namespaces(7)). */
    {CLONE_NEWNS, "CLONE_NEWNS"}, /* 04: mounts */
    /* END YOURS(04.1) */
    /* YOURS(05.1) The clone flag.  Add the row for CLONE_NEWUSER: the
     * child gets user and group ids of its own, which the parent maps onto
     * the host's (user_namespaces(7)). */
    {CLONE_NEWUSER, "CLONE_NEWUSER"}, /* 05: user and group ids */
    /* END YOURS(05.1) */
    /* YOURS(06.1) The clone flag.  Add the row for CLONE_NEWNET: the child
     * gets network devices, addresses and routes of its own, with only a
     * loopback device to start with (network_namespaces(7)). */
    {CLONE_NEWNET, "CLONE_NEWNET"}, /* 06: network devices, addresses */
    /* END YOURS(06.1) */
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

/* GIVEN(05) The parent's end of the report pipe, while the child may
 * still report: -1 otherwise.  When the parent fails (the go pipe broke,
 * a map could not be written) because the child failed first, the
 * child's error is the one that explains it, and fail() prints that one,
 * with the child's status.  Kept in the deep version too. */
static int child_report_fd = -1;

static void fail_with_childs_report(void)
{
    struct report r;

    /* A child that failed wrote its report before it died: it is there
     * now, or there is none, and the read must not wait for one. */
    if (child_report_fd < 0 ||
        fcntl(child_report_fd, F_SETFL, O_NONBLOCK) < 0 ||
        read(child_report_fd, &r, sizeof r) != (ssize_t)sizeof r)
        return;
    r.msg[sizeof r.msg - 1] = '\0';
    fprintf(stderr, "%s\n", r.msg);
    exit(r.status);
}
/* END GIVEN(05) */

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
    fail_with_childs_report();
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
    fputs(
        "Usage: step [OPTION]... [--] [COMMAND [ARG]...]\n"
        "Run COMMAND (default /bin/sh) in a new container.\n"
        "\n"
        "  -n, --hostname NAME  container hostname (default: container)\n"
        "  -r, --rootfs DIR     root filesystem (default: " STEP_ROOTFS ")\n"
        "      --uid-map IN:OUT:COUNT  user ids IN.. inside are OUT.. on the\n"
        "      --gid-map IN:OUT:COUNT  host (and group ids); default as root\n"
        "                       0:100000:65536, else 0:<your id>:1\n"
        "      --ip ADDR/PREFIX container address (default: the first free\n"
        "                       one of the bridge's subnet)\n"
        "      --bridge NAME    host bridge (default: lab0, 10.77.0.1/24, "
        "made\n"
        "                       on first use)\n"
        "      --net none       loopback only (also when not run as root)\n"
        "  -v, --verbose        narrate each setup step on stderr\n"
        "  -h, --help           show this help and exit\n"
        "\n"
        "Exit status: the command's; 128+N if it died of signal N; 125 if\n"
        "the runtime failed; 126 if COMMAND cannot run; 127 if not found.\n",
        out);
}

/* GIVEN(05) parse_id_map(): "IN:OUT:COUNT" into MAP, for --uid-map and
 * --gid-map.  user_namespaces(7): ids are 32-bit and 4294967295 (-1) is
 * not an id, so IN+COUNT and OUT+COUNT must stay at most UINT32_MAX. */
static int parse_id_map(const char *s, struct id_map *map)
{
    unsigned long v[3];
    char *end;

    for (int i = 0; i < 3; i++) {
        if (*s < '0' || *s > '9')
            return -1;
        errno = 0;
        v[i] = strtoul(s, &end, 10);
        if (errno || *end != (i < 2 ? ':' : '\0'))
            return -1;
        s = end + 1;
    }
    /* Subtract rather than add: strtoul takes numbers up to 2^64-1. */
    if (v[0] > UINT32_MAX || v[1] > UINT32_MAX || v[2] == 0 ||
        v[2] > UINT32_MAX - v[0] || v[2] > UINT32_MAX - v[1])
        return -1;
    *map = (struct id_map){v[0], v[1], v[2]};
    return 0;
}
/* END GIVEN(05); deep stub: static int parse_id_map(const char *s,
 * struct id_map *map) { (void)s; (void)map; return -1; } */

/* "10.77.0.5/24" into ADDR and PREFIX (host byte order). */
static int parse_cidr(const char *s, uint32_t *addr, int *prefix)
{
    char ip[16];
    const char *slash = strchr(s, '/');
    struct in_addr in;
    char *end;
    long p;

    if (!slash || slash == s || (size_t)(slash - s) >= sizeof ip)
        return -1;
    memcpy(ip, s, slash - s);
    ip[slash - s] = '\0';
    if (inet_pton(AF_INET, ip, &in) != 1 || slash[1] < '0' || slash[1] > '9')
        return -1;
    p = strtol(slash + 1, &end, 10);
    if (*end || p < 1 || p > 30)
        return -1;
    *addr = ntohl(in.s_addr);
    *prefix = p;
    return 0;
}

/* Fill CFG from the command line.  Returns 0 to run, 1 for --help, and -1
 * with a message in ERR for bad input. */
static int parse_args(int argc, char **argv, struct config *cfg, char *err,
                      size_t errlen)
{
    static char *default_argv[] = {"/bin/sh", NULL};
    static const struct option longopts[] = {
        {"hostname", required_argument, NULL, 'n'},
        {"rootfs", required_argument, NULL, 'r'},
        {"uid-map", required_argument, NULL, 'U'},
        {"gid-map", required_argument, NULL, 'G'},
        {"ip", required_argument, NULL, 'I'},
        {"bridge", required_argument, NULL, 'B'},
        {"net", required_argument, NULL, 'N'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    *cfg = (struct config){
        .hostname = "container", .rootfs = STEP_ROOTFS, .bridge = LAB_BRIDGE};
    /* GIVEN(05) The default maps.  Root maps the container's root to an
     * unused range, as podman and docker's userns-remap do; anyone else
     * can only map their own ids. */
    if (geteuid() == 0) {
        cfg->uid_map = cfg->gid_map = (struct id_map){0, 100000, 65536};
    } else {
        cfg->uid_map = (struct id_map){0, geteuid(), 1};
        cfg->gid_map = (struct id_map){0, getegid(), 1};
    }
    /* END GIVEN(05) */
    optind = 0; /* glibc: start afresh, so tests can call us repeatedly */
    opterr = 0;
    /* '+': stop at the first non-option, so `step ls -l` keeps its -l. */
    while ((opt = getopt_long(argc, argv, "+:n:r:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            cfg->hostname = optarg;
            break;
        case 'r':
            cfg->rootfs = optarg;
            break;
        case 'U':
        case 'G':
            if (parse_id_map(optarg,
                             opt == 'U' ? &cfg->uid_map : &cfg->gid_map) < 0) {
                snprintf(err, errlen,
                         "--%s-map %s: want INSIDE:OUTSIDE:COUNT, "
                         "COUNT > 0, every id below 4294967295",
                         opt == 'U' ? "uid" : "gid", optarg);
                return -1;
            }
            break;
        case 'I':
            if (parse_cidr(optarg, &cfg->ip, &cfg->ip_prefix) < 0) {
                snprintf(err, errlen,
                         "--ip %s: want ADDR/PREFIX, e.g. "
                         "10.77.0.5/24, prefix 1 to 30",
                         optarg);
                return -1;
            }
            cfg->ip_set = 1;
            break;
        case 'B':
            /* netdevice(7): names are at most IFNAMSIZ - 1 bytes. */
            if (!*optarg || strlen(optarg) >= IFNAMSIZ || strchr(optarg, '/')) {
                snprintf(err, errlen, "--bridge %s: not an interface name",
                         optarg);
                return -1;
            }
            cfg->bridge = optarg;
            break;
        case 'N':
            if (strcmp(optarg, "none") != 0) {
                snprintf(err, errlen, "--net %s: the only choice is none",
                         optarg);
                return -1;
            }
            cfg->net_none = 1;
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
    if (cfg->net_none && cfg->ip_set) {
        snprintf(err, errlen, "--ip: not with --net none");
        return -1;
    }
    if (cfg->rootfs[0] == '\0') {
        snprintf(err, errlen, "--rootfs: must not be empty");
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
    {"mnt", "CLONE_NEWNS", "steps/04-mount/README.md", 0, 0},
    {"user", "CLONE_NEWUSER", "steps/05-user/README.md", 0, 0},
    /* GIVEN(06) Addresses, routes and links up wait for CLONE_NEWNET.
     * Kept in the deep version too. */
    {"net", "CLONE_NEWNET", "steps/06-net/README.md", 0, 0},
    /* END GIVEN(06) */
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

/* GIVEN(06) in_host_ns(): is process PID (0 for ourselves) still in the
 * runtime's NS namespace?  The parent asks before it gives the child a
 * veth, mount_sys() before it mounts a sysfs.  0 when the runtime's were
 * not noted (unit tests clone nothing). */
static int in_host_ns(pid_t pid, const char *ns)
{
    char path[64];
    struct stat st;

    for (size_t i = 0; i < ARRAY_SIZE(host_ns); i++) {
        if (strcmp(host_ns[i].ns, ns) != 0 || host_ns[i].ino == 0)
            continue;
        if (pid)
            snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, ns);
        else
            snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
        return stat(path, &st) == 0 && st.st_dev == host_ns[i].dev &&
               st.st_ino == host_ns[i].ino;
    }
    return 0;
}
/* END GIVEN(06); deep stub: static int in_host_ns(pid_t pid, const char *ns)
 * { (void)pid; (void)ns; return 0; } */

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
    /* YOURS(01.2) The names.  In the new namespace, set the hostname to
     * cfg->hostname with xsethostname(cfg, NAME), then clear the NIS domain
     * name with xsetdomainname(cfg, ""): the namespace began as a copy of
     * the host's, and the host's domain name must not show through.  Each
     * x-helper above makes the call, says it for -v and names it in the
     * error if it fails. */
    xsethostname(cfg, cfg->hostname);
    xsetdomainname(cfg, "");
    /* END YOURS(01.2); stub: (void)cfg; */
}

/* ---- 02 IPC namespace: ipc_namespaces(7) ----
 * CLONE_NEWIPC needs no setup: the new namespace starts with no message
 * queues, semaphores or shared memory, and the kernel destroys what the
 * container made when the namespace's last process exits. */

/* ---- 03 PID namespace: pid_namespaces(7) ----
 * No setup either: the first process in a new PID namespace is its PID 1,
 * so the command we exec is PID 1.  It is also the namespace's init: when
 * it exits the kernel kills every other process in it (SIGKILL). */

/* ---- 04 mount namespace: mount_namespaces(7), pivot_root(2) ---- */

/* GIVEN(04) The mount helpers: mount(2), umount2(2), pivot_root(2) and
 * chdir(2), each narrated for -v as written, checked, and refused while
 * the child would change the host's mounts.  Notice the second guard in
 * xmount(): where / is shared (systemd makes it so), a mount made in a
 * new namespace still propagates to the host, so until / is private the
 * only mount allowed is the one that changes propagation.  Kept in the
 * deep version too. */

/* GIVEN(05) In a user namespace even host root is held to the permission
 * bits of directories it does not own (it has capabilities only inside):
 * the hint for an EACCES on the way to the rootfs.  Kept in the deep
 * version too. */
#define ROOTFS_EACCES                                                          \
    "in a user namespace every directory above the rootfs must let others "    \
    "search it (chmod o+x), or run without sudo"
/* END GIVEN(05) */

/* Has the parent noted its NS namespace?  (Not in unit tests, which
 * clone nothing: the guards stand aside there.) */
static int ns_noted(const char *ns)
{
    for (size_t i = 0; i < ARRAY_SIZE(host_ns); i++)
        if (strcmp(host_ns[i].ns, ns) == 0)
            return host_ns[i].ino != 0;
    return 0;
}

/* Is / a shared mount in this namespace?  Its line in mountinfo carries
 * "shared:N" among the optional fields (proc(5)). */
static int root_is_shared(void)
{
    char line[4096];
    int shared = 0;
    FILE *f = fopen("/proc/self/mountinfo", "re");

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        char *fields = strstr(line, " / / ");
        char *end = strstr(line, " - ");
        if (fields && end && fields < end) {
            *end = '\0';
            shared = strstr(fields, " shared:") != NULL;
        }
    }
    fclose(f);
    return shared;
}

/* "\"proc\"", or "NULL": an argument as -v and errors show it. */
static const char *quoted(char *buf, size_t len, const char *s)
{
    if (!s)
        return "NULL";
    snprintf(buf, len, "\"%s\"", s);
    return buf;
}

/* The flags as written in the call, without the spaces around '|'. */
static const char *without_spaces(char *buf, size_t len, const char *written)
{
    size_t n = 0;

    for (; *written && n + 1 < len; written++)
        if (*written != ' ')
            buf[n++] = *written;
    buf[n] = '\0';
    return buf;
}

#define xmount(cfg, src, target, type, flags, data)                            \
    mount_or_die(cfg, src, target, type, flags, #flags, data)

static void mount_or_die(const struct config *cfg, const char *src,
                         const char *target, const char *type,
                         unsigned long flags, const char *written,
                         const char *data)
{
    const unsigned long propagation =
        MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE;
    char a[PATH_MAX + 2], b[PATH_MAX + 2], c[64], d[128], f[256], call[512];

    int n = snprintf(call, sizeof call, "mount(%s, %s, %s, %s, %s)",
                     quoted(a, sizeof a, src), quoted(b, sizeof b, target),
                     quoted(c, sizeof c, type),
                     without_spaces(f, sizeof f, written),
                     quoted(d, sizeof d, data));
    if (n < 0 || (size_t)n >= sizeof call) /* long paths: cut, marked */
        strcpy(call + sizeof call - 4, "...");
    guard_ns("mnt", "mount", "change the host's mounts");
    if (!(flags & propagation) && ns_noted("mnt") && root_is_shared())
        fail(125, 0, "steps/04-mount/README.md",
             "%s would propagate to the host: / is still shared; make "
             "it MS_REC|MS_PRIVATE first",
             call);
    say(cfg, "%s", call);
    if (mount(src, target, type, flags, data) < 0)
        die_hint(errno == EACCES ? ROOTFS_EACCES : NULL, "%s", call);
}

static void xumount2(const struct config *cfg, const char *target, int flags)
{
    guard_ns("mnt", "umount2", "unmount the host's mounts");
    say(cfg, "umount2(\"%s\", %s)", target,
        flags == MNT_DETACH ? "MNT_DETACH" : "0");
    if (umount2(target, flags) < 0)
        die("umount2(\"%s\")", target);
}

/* pivot_root(2) lists six causes of EINVAL; name the likely one. */
static const char *pivot_root_hint(void)
{
    struct statfs fs;

    if (statfs("/", &fs) == 0 && fs.f_type == RAMFS_MAGIC)
        return "the host's / is the initramfs, which pivot_root cannot move";
    return "is / shared? it must be made MS_PRIVATE first; in a chroot, / "
           "is not a mount point";
}

/* pivot_root has no glibc wrapper: syscall(2). */
static void xpivot_root(const struct config *cfg, const char *new_root,
                        const char *put_old)
{
    guard_ns("mnt", "pivot_root", "change the host's root");
    say(cfg, "pivot_root(\"%s\", \"%s\")", new_root, put_old);
    if (syscall(SYS_pivot_root, new_root, put_old) < 0)
        die_hint(errno == EINVAL ? pivot_root_hint() : NULL,
                 "pivot_root(\"%s\", \"%s\")", new_root, put_old);
}

static void xchdir(const struct config *cfg, const char *dir)
{
    say(cfg, "chdir(\"%s\")", dir);
    if (chdir(dir) < 0)
        die("chdir(\"%s\")", dir);
}
/* END GIVEN(04) */

/* GIVEN(05) remount_ro(): read-only, nosuid and nodev, keeping the flags
 * the host put on the mount.  In a user namespace those flags are locked:
 * a remount that dropped nosuid, nodev, noexec or an atime flag fails with
 * EPERM (mount(2)).  Read them back and keep them.  Kept in the deep
 * version too. */
static void remount_ro(const struct config *cfg, const char *path)
{
    static const struct {
        unsigned long st, ms;
        const char *name;
    } keep[] = {
        {ST_NOEXEC, MS_NOEXEC, "MS_NOEXEC"},
        {ST_NOATIME, MS_NOATIME, "MS_NOATIME"},
        {ST_NODIRATIME, MS_NODIRATIME, "MS_NODIRATIME"},
        {ST_RELATIME, MS_RELATIME, "MS_RELATIME"},
    };
    unsigned long flags =
        MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV;
    char names[160] = "MS_REMOUNT|MS_BIND|MS_RDONLY|MS_NOSUID|MS_NODEV";
    struct statvfs sv;

    if (statvfs(path, &sv) < 0)
        die("statvfs(\"%s\")", path);
    for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
        if (sv.f_flag & keep[i].st) {
            flags |= keep[i].ms;
            strcat(strcat(names, "|"), keep[i].name);
        }
    }
    mount_or_die(cfg, NULL, path, NULL, flags, names, NULL);
}
/* END GIVEN(05) */

/* GIVEN(04) check_rootfs(): the rootfs must exist, and its mount points
 * must be real directories.  runc's CVE-2023-27561: were the rootfs's
 * proc a symlink to, say, /etc, mount("proc", "proc") would follow it and
 * cover a directory the image chose instead of its own proc. */
static void check_rootfs(const struct config *cfg)
{
    static const char *const points[] = {"proc", "dev", "sys", "tmp"};
    char path[PATH_MAX];
    struct stat st;

    if (stat(cfg->rootfs, &st) < 0)
        die_hint(errno == EACCES ? ROOTFS_EACCES
                                 : "build the default one with: make rootfs",
                 "rootfs \"%s\"", cfg->rootfs);
    if (!S_ISDIR(st.st_mode))
        fail(125, ENOTDIR, NULL, "rootfs \"%s\"", cfg->rootfs);
    for (size_t i = 0; i < ARRAY_SIZE(points); i++) {
        snprintf(path, sizeof path, "%s/%s", cfg->rootfs, points[i]);
        if (lstat(path, &st) < 0)
            die_hint(
                "make rootfs builds one in rootfs/tree, with every mount point",
                "rootfs: lstat(\"%s\")", path);
        if (!S_ISDIR(st.st_mode))
            fail(125, 0, "a mount point must be a real directory",
                 "rootfs: %s is %s, refused", path,
                 S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
    }
}
/* END GIVEN(04); deep stub: static void check_rootfs(const struct config *cfg)
 * { (void)cfg; } */

/* GIVEN(04) mount_dev(): a minimal /dev, a tmpfs with the host's harmless
 * character devices bound onto empty files.  Binding, not mknod(2), so
 * that it also works inside a user namespace (stage 05), where mknod is
 * refused.  nosuid: nothing on it may gain privileges; no noexec, as
 * docker. */
static void mount_dev(const struct config *cfg)
{
    static const char *const nodes[] = {"null",   "zero",    "full",
                                        "random", "urandom", "tty"};
    static const char *const links[][2] = {
        {"/proc/self/fd", "dev/fd"},
        {"/proc/self/fd/0", "dev/stdin"},
        {"/proc/self/fd/1", "dev/stdout"},
        {"/proc/self/fd/2", "dev/stderr"},
    };
    char host[64], here[64];

    xmount(cfg, "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
           "mode=755,size=64k");
    for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
        snprintf(host, sizeof host, "/dev/%s", nodes[i]);
        snprintf(here, sizeof here, "dev/%s", nodes[i]);
        int fd = open(here, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
        if (fd < 0)
            die("open(\"%s\", O_CREAT)", here);
        close(fd);
        xmount(cfg, host, here, NULL, MS_BIND, NULL);
    }
    for (size_t i = 0; i < ARRAY_SIZE(links); i++)
        if (symlink(links[i][0], links[i][1]) < 0)
            die("symlink(\"%s\", \"%s\")", links[i][0], links[i][1]);
}
/* END GIVEN(04); deep stub: static void mount_dev(const struct config *cfg) {
 * (void)cfg; } */

/* GIVEN(04) mount_sys(): /sys, read-only: the container may look, never
 * tune the host.  (From stage 06, with a network namespace of its own,
 * the container may mount a fresh sysfs again, which lists its own
 * devices, lo and eth0.) */
static void mount_sys(const struct config *cfg)
{
    /* GIVEN(06) Only the owner of a network namespace may mount a sysfs,
     * and it lists that namespace's devices: with a namespace of our own,
     * a fresh one shows lo and eth0.  Until CLONE_NEWNET is in the clone
     * flags, the host's is bound as in stage 05. */
    if (!in_host_ns(0, "net")) {
        xmount(cfg, "sysfs", "sys", "sysfs",
               MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        return;
    }
    /* END GIVEN(06) */
    /* GIVEN(05) The kernel lets only the owner of the network namespace
     * mount a sysfs (it lists that namespace's devices), and ours is still
     * the host's until stage 06: bind the host's /sys instead, with
     * everything under it, read-only.  Kept in the deep version too. */
    xmount(cfg, "/sys", "sys", NULL, MS_BIND | MS_REC, NULL);
    remount_ro(cfg, "sys");
    /* END GIVEN(05) */
}
/* END GIVEN(04); deep stub: static void mount_sys(const struct config *cfg) {
 * (void)cfg; } */

/* The first half: into the rootfs.  (From stage 05 on it runs before
 * the child takes its new ids, while it may still walk the host's path to
 * the rootfs.) */
static void enter_rootfs(const struct config *cfg)
{
    /* YOURS(04.2) Private first.  The new namespace began with copies of
     * the host's mounts, and where / is shared a mount made here would
     * show on the host too.  Make / and everything under it private,
     * recursively: xmount(cfg, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL).
     * While / is shared (systemd leaves it so), xmount() refuses every
     * other mount until you do. */
    xmount(cfg, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    /* END YOURS(04.2) */

    check_rootfs(cfg);

    /* YOURS(04.3) The new root.  pivot_root(2) needs the new root to be a
     * mount point: bind cfg->rootfs onto itself, recursively (MS_BIND |
     * MS_REC, as runc: a user namespace may not split a tree of mounts it
     * does not own).  Then xchdir() into it: the mounts that follow use
     * paths relative to it ("proc", "tmp", "."). */
    xmount(cfg, cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL);
    xchdir(cfg, cfg->rootfs);
    /* END YOURS(04.3) */
}

/* The second half: the filesystems inside, and the pivot. */
static void setup_mounts(const struct config *cfg)
{
    /* YOURS(04.4) The filesystems inside.  Mount a proc on "proc" that
     * shows the new PID namespace (MS_NOSUID | MS_NODEV | MS_NOEXEC), call
     * the given mount_dev(cfg) and mount_sys(cfg), and mount a tmpfs on
     * "tmp" for scratch space (MS_NOSUID | MS_NODEV, data
     * "mode=1777,size=64m"): the rootfs is shared by every container and
     * written by none. */
    xmount(cfg, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mount_dev(cfg);
    mount_sys(cfg);
    xmount(cfg, "tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           "mode=1777,size=64m");
    /* END YOURS(04.4); stub: (void)cfg; */

    /* YOURS(04.5) Read-only, and no devices or setuid.  A bind mount takes
     * its flags only on a remount (mount(2)).  From 05 on, remount_ro()
     * makes that remount (MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID |
     * MS_NODEV) and keeps the flags a user namespace locks.  nodev makes a
     * device node planted in an image an ordinary file; nosuid makes a
     * setuid file in it run with the caller's ids. */
    remount_ro(cfg, ".");
    /* END YOURS(04.5) */

    /* YOURS(04.6) Pivot.  xpivot_root(cfg, ".", ".") stacks the old root
     * on top of the new one, so no put_old directory is needed in a
     * read-only rootfs; xumount2(cfg, ".", MNT_DETACH) then takes the old
     * root away (pivot_root(2), NOTES), and xchdir(cfg, "/") leaves the
     * command at the new root.  Unlike chroot(2), nothing of the host
     * stays reachable through "..". */
    xpivot_root(cfg, ".", ".");
    xumount2(cfg, ".", MNT_DETACH);
    xchdir(cfg, "/");
    /* END YOURS(04.6); stub: (void)cfg; */

    /* The caller's PATH names the host's directories, not these. */
    if (setenv("PATH",
               "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
               "/sbin:/bin",
               1) < 0)
        die("setenv(\"PATH\")");
}

/* ---- 05 user namespace: user_namespaces(7) ---- */

/* GIVEN(05) userns_hint(): which sysctl makes the kernel refuse a user
 * namespace, as the hint for a failed clone(2); NULL when none does. */
static const char *userns_hint(void)
{
    static const struct {
        const char *file, *refuses, *hint;
    } knobs[] = {
        {"/proc/sys/kernel/unprivileged_userns_clone", "0",
         "unprivileged user namespaces are off: sysctl "
         "kernel.unprivileged_userns_clone=1"},
        {"/proc/sys/user/max_user_namespaces", "0",
         "user namespaces are off: sysctl user.max_user_namespaces=15000"},
        {"/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1",
         "AppArmor restricts unprivileged user namespaces: sysctl "
         "kernel.apparmor_restrict_unprivileged_userns=0, or run with sudo"},
    };
    const char *hint = NULL;
    int saved = errno; /* the caller's error: a missing knob is no news */
    char buf[16];

    for (size_t i = 0; i < ARRAY_SIZE(knobs) && !hint; i++) {
        FILE *f = fopen(knobs[i].file, "re");
        if (!f)
            continue;
        if (fgets(buf, sizeof buf, f) &&
            strncmp(buf, knobs[i].refuses, 1) == 0 && buf[1] == '\n')
            hint = knobs[i].hint;
        fclose(f);
    }
    errno = saved;
    return hint;
}
/* END GIVEN(05); deep stub: static const char *userns_hint(void) { return
 * NULL; } */

/* GIVEN(05) The parent's helpers for the maps.  write_proc_file() writes
 * TEXT to /proc/PID/FILE in one write(2) (the kernel takes no second one),
 * narrated for -v, named in the error, with a hint when the kernel says
 * EPERM: "these are not your ids".  write_map() formats one map line,
 * "INSIDE OUTSIDE COUNT\n", and writes it the same way.  Notice the guard
 * rail: if the child is still in our own user namespace (CLONE_NEWUSER left
 * out), its map was written at boot and the write would only fail with a
 * puzzling EPERM, so it is refused first with the flag named. */

/* One line of /proc/PID/uid_map: "INSIDE OUTSIDE COUNT\n".  Returns its
 * length, or -1 if it does not fit. */
static int format_id_map(const struct id_map *map, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%lu %lu %lu\n", map->inside, map->outside,
                     map->count);
    return n < 0 || (size_t)n >= len ? -1 : n;
}

/* Refuse to write PID's FILE while PID shares our user namespace. */
static void guard_child_userns(pid_t pid, const char *file)
{
    char path[64];
    struct stat st;

    for (size_t i = 0; i < ARRAY_SIZE(host_ns); i++) {
        if (strcmp(host_ns[i].ns, "user") != 0 || host_ns[i].ino == 0)
            continue;
        snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
        if (stat(path, &st) == 0 && st.st_dev == host_ns[i].dev &&
            st.st_ino == host_ns[i].ino)
            fail(125, 0, host_ns[i].lesson,
                 "writing %s would map the host's own ids: %s is not in the "
                 "clone flags",
                 file, host_ns[i].flag);
    }
}

static void write_proc_file(const struct config *cfg, pid_t pid,
                            const char *file, const char *text)
{
    char path[64];
    int fd;

    guard_child_userns(pid, file);
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    say(cfg, "write(\"%s\", \"%.*s\")", path, (int)strcspn(text, "\n"), text);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        die("open(\"%s\")", path);
    if (write(fd, text, strlen(text)) < 0)
        die_hint(errno == EPERM ? "may this user map these ids? see "
                                  "user_namespaces(7), \"Defining user and "
                                  "group ID mappings\""
                                : NULL,
                 "write(\"%s\", \"%.*s\")", path, (int)strcspn(text, "\n"),
                 text);
    close(fd);
}

static void write_map(const struct config *cfg, pid_t pid, const char *file,
                      const struct id_map *map)
{
    char line[64];

    if (format_id_map(map, line, sizeof line) < 0)
        fail(125, EOVERFLOW, NULL, "%s", file);
    write_proc_file(cfg, pid, file, line);
}
/* END GIVEN(05) */

/* In the parent, while the child waits: a process cannot map itself into
 * more than its own id, and the child must have its maps before it acts. */
static void write_id_maps(const struct config *cfg, pid_t pid)
{
    /* YOURS(05.2) The maps.  Write the child's maps into /proc/PID/, in
     * this order: write_map(cfg, pid, "uid_map", &cfg->uid_map); then,
     * unless we are root (geteuid() != 0), write_proc_file(cfg, pid,
     * "setgroups", "deny"); then write_map(cfg, pid, "gid_map",
     * &cfg->gid_map).  Since Linux 3.19 an unprivileged process may write
     * gid_map only after setgroups is "deny", so that no one can drop a
     * group that was keeping them out of a file (user_namespaces(7)).  Each
     * file takes one write, once: a second write fails. */
    write_map(cfg, pid, "uid_map", &cfg->uid_map);
    if (geteuid() != 0)
        write_proc_file(cfg, pid, "setgroups", "deny");
    write_map(cfg, pid, "gid_map", &cfg->gid_map);
    /* END YOURS(05.2); stub: (void)cfg; (void)pid; */
}

/* GIVEN(05) The child's id calls: setresgid(2), setgroups(2) and
 * setresuid(2), each narrated for -v and named in the error.  Notice that
 * xsetgroups_none() lets EPERM pass: after setgroups "deny" (an
 * unprivileged run) the kernel refuses it, and the caller's supplementary
 * groups stay, unmapped; they show as nogroup inside. */
static void xsetresgid(const struct config *cfg, gid_t gid)
{
    say(cfg, "setresgid(%u, %u, %u)", gid, gid, gid);
    if (setresgid(gid, gid, gid) < 0)
        die("setresgid(%u, %u, %u)", gid, gid, gid);
}

static void xsetgroups_none(const struct config *cfg)
{
    say(cfg, "setgroups(0, NULL)");
    if (setgroups(0, NULL) < 0 && errno != EPERM)
        die("setgroups(0, NULL)");
}

static void xsetresuid(const struct config *cfg, uid_t uid)
{
    say(cfg, "setresuid(%u, %u, %u)", uid, uid, uid);
    if (setresuid(uid, uid, uid) < 0)
        die("setresuid(%u, %u, %u)", uid, uid, uid);
}
/* END GIVEN(05) */

/* The child: become the mapped root.  Until it does, it still runs as
 * the host uid it was cloned with, merely without capabilities there;
 * from now on the host sees the mapped id in everything it does. */
static void become_root(const struct config *cfg)
{
    /* YOURS(05.3) Become root inside.  With the maps written, take id 0:
     * xsetresgid(cfg, 0), then xsetgroups_none(cfg) to drop the
     * supplementary groups of whoever ran us, then xsetresuid(cfg, 0).
     * Groups first: once the uid is changed, the process may have lost
     * the right to change its groups.  Each sets the real, effective and
     * saved id at once, so no old id is left to return to. */
    xsetresgid(cfg, 0);
    xsetgroups_none(cfg);
    xsetresuid(cfg, 0);
    /* END YOURS(05.3); stub: (void)cfg; */
}

/* ---- 06 network namespace: network_namespaces(7), rtnetlink(7) ----
 *
 * The host side: a bridge (lab0, 10.77.0.1/24) and, per container, a
 * veth pair whose host end is on the bridge and whose other end is born
 * as eth0 inside the container's namespace.  Moving an interface between
 * namespaces, or deleting one, waits on the kernel for tens of
 * milliseconds; creating the peer in place costs nothing, and it dies
 * with the namespace, taking its host end along.  We speak rtnetlink
 * ourselves rather than run ip(8), which would cost an exec per step. */

/* What the parent sends down the go pipe: whether the container has an
 * eth0, and its address, prefix and gateway (host byte order). */
struct go {
    uint32_t addr, gateway;
    uint8_t prefix, net;
};

/* GIVEN(06) ip4(): an address (host byte order) as a dotted quad, for -v
 * and the errors. */
static const char *ip4(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
    struct in_addr in = {htonl(addr)};

    return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}
/* END GIVEN(06); deep stub: static const char *ip4(uint32_t addr, char
 * buf[INET_ADDRSTRLEN]) { (void)addr; return strcpy(buf, "?"); } */

/* One rtnetlink request: a header, a family header and attributes,
 * appended in place (rtnetlink(7), netlink(7)). */
struct nlreq {
    struct nlmsghdr *h;
    size_t cap;
};

/* GIVEN(06) The message builders' tools.  A netlink message is a
 * struct nlmsghdr, a family header (ifinfomsg for links, ifaddrmsg for
 * addresses, rtmsg for routes) and then attributes: each a struct
 * rtattr (length, type) and its data, padded to 4 bytes.  A nested
 * attribute is one whose data is more attributes; its length is known
 * only once they are all in, hence nl_nest_end(). */

/* Append attribute TYPE with LEN bytes of DATA, padded to 4 bytes.
 * Returns the attribute (to nest in), or NULL if the buffer is full. */
static struct rtattr *nl_attr(struct nlreq *r, unsigned short type,
                              const void *data, size_t len)
{
    size_t at = NLMSG_ALIGN(r->h->nlmsg_len);
    struct rtattr *a = (struct rtattr *)((char *)r->h + at);

    if (at + RTA_SPACE(len) > r->cap)
        return NULL;
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(len);
    if (len)
        memcpy(RTA_DATA(a), data, len);
    r->h->nlmsg_len = at + RTA_SPACE(len);
    return a;
}

/* A nested attribute's length covers everything appended since. */
static void nl_nest_end(struct nlreq *r, struct rtattr *nest)
{
    nest->rta_len = (char *)r->h + r->h->nlmsg_len - (char *)nest;
}

/* Start a request of TYPE with a family header of HDRLEN bytes; NULL if
 * even that does not fit in CAP. */
static void *nl_start(struct nlreq *r, void *buf, size_t cap,
                      unsigned short type, unsigned short flags, size_t hdrlen)
{
    if (cap < NLMSG_LENGTH(hdrlen))
        return NULL;
    memset(buf, 0, cap);
    r->h = buf;
    r->cap = cap;
    r->h->nlmsg_type = type;
    r->h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    r->h->nlmsg_len = NLMSG_LENGTH(hdrlen);
    return NLMSG_DATA(r->h);
}
/* END GIVEN(06); deep stub: static struct rtattr *nl_attr(struct nlreq *r,
 * unsigned short type, const void *data, size_t len) { (void)r; (void)type;
 * (void)data; (void)len; return NULL; } static void nl_nest_end(struct nlreq
 * *r, struct rtattr *nest) { (void)r; (void)nest; } static void
 * *nl_start(struct nlreq *r, void *buf, size_t cap, unsigned short type,
 * unsigned short flags, size_t hdrlen) { (void)r; (void)buf; (void)cap;
 * (void)type; (void)flags; (void)hdrlen; return NULL; } */

/* GIVEN(06) build_veth(): RTM_NEWLINK for a veth pair, HOST_END on the
 * bridge MASTER and up, its peer named eth0.  The peer's attributes
 * nest three deep: IFLA_LINKINFO > IFLA_INFO_DATA > VETH_INFO_PEER,
 * which holds a struct ifinfomsg and the peer's own attributes.  Returns
 * the message length, or -1 if BUF is too small. */
static int build_veth(void *buf, size_t cap, const char *host_end, int master,
                      pid_t pid)
{
    struct nlreq r;
    struct ifinfomsg *ifi, peer = {.ifi_family = AF_UNSPEC};
    struct rtattr *info, *data, *peer_attr;
    unsigned int up = IFF_UP;
    uint32_t ns_pid = pid;

    ifi = nl_start(&r, buf, cap, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                   sizeof *ifi);
    if (!ifi)
        return -1;
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_flags = ifi->ifi_change = up;
    if (!nl_attr(&r, IFLA_IFNAME, host_end, strlen(host_end) + 1) ||
        !nl_attr(&r, IFLA_MASTER, &master, sizeof master) ||
        !(info = nl_attr(&r, IFLA_LINKINFO, NULL, 0)) ||
        !nl_attr(&r, IFLA_INFO_KIND, "veth", 4) ||
        !(data = nl_attr(&r, IFLA_INFO_DATA, NULL, 0)) ||
        !(peer_attr = nl_attr(&r, VETH_INFO_PEER, &peer, sizeof peer)) ||
        !nl_attr(&r, IFLA_IFNAME, "eth0", 5))
        return -1;
    /* YOURS(06.2) Born inside.  Append the peer's one attribute that
     * matters: IFLA_NET_NS_PID with ns_pid (a u32), the pid of a process
     * in the namespace the peer is to be created in, with
     * nl_attr(&r, TYPE, &DATA, sizeof DATA), returning -1 if it fails as
     * the calls above do.  Without it the kernel makes eth0 in our own
     * namespace, the host's, and moving it afterwards (ip link set eth0
     * netns PID) costs about 20 ms of kernel waiting. */
    if (!nl_attr(&r, IFLA_NET_NS_PID, &ns_pid, sizeof ns_pid))
        return -1;
    /* END YOURS(06.2); stub: (void)ns_pid; */
    nl_nest_end(&r, peer_attr);
    nl_nest_end(&r, data);
    nl_nest_end(&r, info);
    return r.h->nlmsg_len;
}
/* END GIVEN(06); deep stub: static int build_veth(void *buf, size_t cap,
 * const char *host_end, int master, pid_t pid) { (void)buf; (void)cap;
 * (void)host_end; (void)master; (void)pid; return -1; } */

/* GIVEN(06) The other builders: a bridge, a link up, an address, the
 * default route.  Each fills BUF and returns the message's length, or
 * -1 if BUF is too small; the unit tests read them byte by byte. */

/* RTM_NEWLINK for a bridge NAME, up, with a fixed address.  Without one
 * a bridge takes the lowest address of its ports, which changes as
 * containers come and go, and the containers' ARP caches go stale: their
 * pings to the bridge get lost. */
static int build_bridge(void *buf, size_t cap, const char *name)
{
    /* Locally administered (bit 1 of the first byte), "lab" in ASCII. */
    static const unsigned char mac[6] = {0x02, 'l', 'a', 'b', 0x00, 0x01};
    struct nlreq r;
    struct ifinfomsg *ifi;
    struct rtattr *info;

    ifi = nl_start(&r, buf, cap, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                   sizeof *ifi);
    if (!ifi)
        return -1;
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_flags = ifi->ifi_change = IFF_UP;
    if (!nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1) ||
        !nl_attr(&r, IFLA_ADDRESS, mac, sizeof mac) ||
        !(info = nl_attr(&r, IFLA_LINKINFO, NULL, 0)) ||
        !nl_attr(&r, IFLA_INFO_KIND, "bridge", 6))
        return -1;
    nl_nest_end(&r, info);
    return r.h->nlmsg_len;
}

/* RTM_NEWLINK that brings interface INDEX up. */
static int build_link_up(void *buf, size_t cap, int index)
{
    struct nlreq r;
    struct ifinfomsg *ifi;

    ifi = nl_start(&r, buf, cap, RTM_NEWLINK, 0, sizeof *ifi);
    if (!ifi)
        return -1;
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = index;
    ifi->ifi_flags = ifi->ifi_change = IFF_UP;
    return r.h->nlmsg_len;
}

/* RTM_NEWADDR: ADDR/PREFIX on interface INDEX (host byte order). */
static int build_addr(void *buf, size_t cap, int index, uint32_t addr,
                      int prefix)
{
    struct nlreq r;
    struct ifaddrmsg *ifa;
    uint32_t a = htonl(addr);
    uint32_t brd = htonl(addr | (prefix ? UINT32_MAX >> prefix : 0));

    ifa = nl_start(&r, buf, cap, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                   sizeof *ifa);
    if (!ifa)
        return -1;
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = prefix;
    ifa->ifa_index = index;
    if (!nl_attr(&r, IFA_LOCAL, &a, 4) || !nl_attr(&r, IFA_ADDRESS, &a, 4) ||
        !nl_attr(&r, IFA_BROADCAST, &brd, 4))
        return -1;
    return r.h->nlmsg_len;
}

/* RTM_NEWROUTE: the default route via GATEWAY out of interface INDEX. */
static int build_default_route(void *buf, size_t cap, int index,
                               uint32_t gateway)
{
    struct nlreq r;
    struct rtmsg *rt;
    uint32_t gw = htonl(gateway), oif = index;

    rt = nl_start(&r, buf, cap, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
                  sizeof *rt);
    if (!rt)
        return -1;
    rt->rtm_family = AF_INET;
    rt->rtm_table = RT_TABLE_MAIN;
    rt->rtm_protocol = RTPROT_BOOT;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNICAST;
    if (!nl_attr(&r, RTA_GATEWAY, &gw, 4) || !nl_attr(&r, RTA_OIF, &oif, 4))
        return -1;
    return r.h->nlmsg_len;
}
/* END GIVEN(06); deep stub: static int build_bridge(void *buf, size_t cap,
 * const char *name) { (void)buf; (void)cap; (void)name; return -1; } static
 * int build_link_up(void *buf, size_t cap, int index) { (void)buf;
 * (void)cap; (void)index; return -1; } static int build_addr(void *buf,
 * size_t cap, int index, uint32_t addr, int prefix) { (void)buf; (void)cap;
 * (void)index; (void)addr; (void)prefix; return -1; } static int
 * build_default_route(void *buf, size_t cap, int index, uint32_t gateway) {
 * (void)buf; (void)cap; (void)index; (void)gateway; return -1; } */

/* GIVEN(06) The request/ack plumbing: a NETLINK_ROUTE socket, and one
 * request sent with NLM_F_ACK, so the kernel answers every request with
 * an NLMSG_ERROR whose error field is 0 or minus an errno. */

/* Send one request and read its acknowledgement: 0, or -1 with errno
 * set to what the kernel answered. */
static int nl_talk(int fd, void *msg, int len)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    char buf[1024];
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    ssize_t n;

    if (len < 0) {
        errno = EMSGSIZE;
        return -1;
    }
    if (sendto(fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
        return -1;
    while ((n = recv(fd, buf, sizeof buf, 0)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        return -1;
    if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR ||
        h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
        errno = EPROTO;
        return -1;
    }
    errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
    return errno ? -1 : 0;
}

static int nl_open(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        die("socket(AF_NETLINK, NETLINK_ROUTE)");
    return fd;
}
/* END GIVEN(06); deep stub: static int nl_talk(int fd, void *msg, int len) {
 * (void)fd; (void)msg; (void)len; errno = ENOSYS; return -1; } static int
 * nl_open(void) { return -1; } */

/* GIVEN(06) The host side, complete: the bridge found or made, an
 * address chosen, the veth named after it, and the guard rails around
 * the one request that reaches into the container.  Notice how the
 * address is taken: the host end's name comes from it, so the kernel's
 * own "that name exists" (EEXIST) is the lock between two runtimes that
 * start at the same moment. */

/* Is ADDR a host address of GATEWAY/PREFIX, other than the gateway? */
static int host_in_subnet(uint32_t addr, uint32_t gateway, int prefix)
{
    uint32_t mask = UINT32_MAX << (32 - prefix);

    return (addr & mask) == (gateway & mask) && addr != gateway &&
           (addr & ~mask) != 0 && (addr & ~mask) != ~mask;
}

/* The host end's name comes from the address, so the kernel itself
 * refuses a second container on the same address: RTM_NEWLINK fails with
 * EEXIST, atomically, however many runtimes start at once. */
static void veth_name(char *buf, size_t len, uint32_t addr)
{
    snprintf(buf, len, "vl%08x", addr);
}

/* The bridge's first IPv4 address and prefix (netdevice(7)), or -1. */
static int bridge_address(const char *bridge, uint32_t *addr, int *prefix)
{
    struct ifreq ifr = {0};
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", bridge);
    ok = sock >= 0 && ioctl(sock, SIOCGIFADDR, &ifr) == 0;
    if (ok)
        *addr = ntohl(((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr);
    ok = ok && ioctl(sock, SIOCGIFNETMASK, &ifr) == 0;
    if (ok)
        *prefix = __builtin_popcount(
            ((struct sockaddr_in *)&ifr.ifr_netmask)->sin_addr.s_addr);
    if (sock >= 0)
        close(sock);
    return ok ? 0 : -1;
}

/* The bridge's index, address and prefix; lab0 is made on first use.
 * Other runtimes may be making it at the same moment: EEXIST is fine,
 * and so is finding it without its address yet. */
static int bridge_ensure(const struct config *cfg, int nl, uint32_t *gateway,
                         int *prefix)
{
    char msg[512];
    int index = if_nametoindex(cfg->bridge);
    int lab = strcmp(cfg->bridge, LAB_BRIDGE) == 0;

    if (!index && !lab)
        fail(125, ENODEV, "only " LAB_BRIDGE " is made on first use",
             "--bridge %s", cfg->bridge);
    if (!index) {
        say(cfg, "rtnetlink: RTM_NEWLINK bridge %s up", cfg->bridge);
        if (nl_talk(nl, msg, build_bridge(msg, sizeof msg, cfg->bridge)) < 0 &&
            errno != EEXIST)
            die("rtnetlink: RTM_NEWLINK bridge %s", cfg->bridge);
        if (!(index = if_nametoindex(cfg->bridge)))
            die("if_nametoindex(\"%s\")", cfg->bridge);
    }
    if (bridge_address(cfg->bridge, gateway, prefix) < 0) {
        if (!lab)
            die_hint("give it an IPv4 address", "bridge %s has no address",
                     cfg->bridge);
        say(cfg, "rtnetlink: RTM_NEWADDR 10.77.0.1/%d on %s", LAB_PREFIX,
            cfg->bridge);
        if (nl_talk(nl, msg,
                    build_addr(msg, sizeof msg, index, LAB_GATEWAY,
                               LAB_PREFIX)) < 0 &&
            errno != EEXIST)
            die("rtnetlink: RTM_NEWADDR 10.77.0.1/%d on %s", LAB_PREFIX,
                cfg->bridge);
        if (bridge_address(cfg->bridge, gateway, prefix) < 0)
            die("ioctl(SIOCGIFADDR, \"%s\")", cfg->bridge);
    }
    /* Room for the bridge and at least one container, and no shift by
     * 32 below. */
    if (*prefix < 1 || *prefix > 30)
        fail(125, 0, NULL,
             "bridge %s: its prefix /%d leaves no address for "
             "a container",
             cfg->bridge, *prefix);
    return index;
}

/* Among LEN bytes of attributes at A, the first of TYPE, or NULL. */
static struct rtattr *rta_find(struct rtattr *a, int len, unsigned short type)
{
    for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == type)
            return a;
    return NULL;
}

/* Does the veth request H say where its peer is born?  Without
 * IFLA_NET_NS_PID (or _FD) among the peer's attributes the kernel makes
 * the peer in our namespace: an eth0 on the host. */
static int peer_has_netns(struct nlmsghdr *h)
{
    struct rtattr *a =
        rta_find(IFLA_RTA(NLMSG_DATA(h)), IFLA_PAYLOAD(h), IFLA_LINKINFO);

    if (a)
        a = rta_find(RTA_DATA(a), RTA_PAYLOAD(a), IFLA_INFO_DATA);
    if (a)
        a = rta_find(RTA_DATA(a), RTA_PAYLOAD(a), VETH_INFO_PEER);
    if (!a || RTA_PAYLOAD(a) < sizeof(struct ifinfomsg))
        return 0;
    return rta_find(IFLA_RTA(RTA_DATA(a)),
                    RTA_PAYLOAD(a) - sizeof(struct ifinfomsg),
                    IFLA_NET_NS_PID) ||
           rta_find(IFLA_RTA(RTA_DATA(a)),
                    RTA_PAYLOAD(a) - sizeof(struct ifinfomsg), IFLA_NET_NS_FD);
}

/* Make the veth of ADDR for the child PID: 0, or -1 with errno, EEXIST
 * when a container already has that address. */
static int veth_try(const struct config *cfg, int nl, uint32_t addr, int master,
                    pid_t pid)
{
    char msg[512], name[IFNAMSIZ];
    int len;

    veth_name(name, sizeof name, addr);
    len = build_veth(msg, sizeof msg, name, master, pid);
    if (len > 0 && !peer_has_netns((struct nlmsghdr *)msg))
        fail(125, 0, "TODO(06.2) in build_veth()",
             "RTM_NEWLINK veth %s would make eth0 on the host: its peer "
             "has no IFLA_NET_NS_PID",
             name);
    say(cfg,
        "rtnetlink: RTM_NEWLINK veth %s master %s up, peer eth0 in "
        "the network namespace of pid %d",
        name, cfg->bridge, (int)pid);
    if (nl_talk(nl, msg, len) == 0)
        return 0;
    if (errno != EEXIST)
        die_hint(errno == ESRCH ? "the container exited during its setup"
                                : NULL,
                 "rtnetlink: RTM_NEWLINK veth %s", name);
    return -1;
}

/* Make the veth pair for the child PID: with --ip at that address, or
 * at the first free one of the bridge's subnet.  Fills GO with what the
 * child needs to configure eth0.  Refuses while the child is still in
 * our network namespace: its "eth0" would be the host's. */
static void veth_create(const struct config *cfg, pid_t pid, struct go *go)
{
    char ip[INET_ADDRSTRLEN];
    uint32_t gateway, addr, first, last;
    int prefix, nl, master;

    if (in_host_ns(pid, "net"))
        fail(125, 0, "steps/06-net/README.md",
             "RTM_NEWLINK veth would add eth0 to the host: CLONE_NEWNET "
             "is not in the clone flags");
    nl = nl_open();
    master = bridge_ensure(cfg, nl, &gateway, &prefix);
    if (cfg->ip_set &&
        (cfg->ip_prefix != prefix || !host_in_subnet(cfg->ip, gateway, prefix)))
        fail(125, 0, NULL, "--ip: not a host address of %s's subnet %s/%d",
             cfg->bridge, ip4(gateway & (UINT32_MAX << (32 - prefix)), ip),
             prefix);
    if (cfg->ip_set) {
        /* The veth of a container that has just ended is removed in the
         * background: give it a second before calling the address taken. */
        addr = cfg->ip;
        for (int tries = 0; veth_try(cfg, nl, addr, master, pid) < 0; tries++)
            if (tries == 100)
                fail(125, EADDRINUSE, NULL, "--ip %s", ip4(addr, ip));
            else
                usleep(10000);
    } else {
        first = (gateway & (UINT32_MAX << (32 - prefix))) + 1;
        last = (gateway | (UINT32_MAX >> prefix)) - 1;
        for (addr = first; addr <= last; addr++)
            if (addr != gateway && veth_try(cfg, nl, addr, master, pid) == 0)
                break;
        if (addr > last)
            fail(125, EADDRINUSE, "every address of the subnet is taken",
                 "bridge %s", cfg->bridge);
    }
    close(nl);
    /* YOURS(06.3) What the child is told.  Fill *go, the struct that
     * goes down the go pipe: net = 1 (there is an eth0), and eth0's addr,
     * the bridge's prefix and the gateway (the bridge's own address, in
     * gateway).  The child has no other way to learn them: it cannot see
     * the bridge, which is in the host's namespace. */
    *go = (struct go){
        .net = 1, .addr = addr, .gateway = gateway, .prefix = prefix};
    /* END YOURS(06.3); stub: (void)go; */
}
/* END GIVEN(06); deep stub: static void veth_create(const struct config
 * *cfg, pid_t pid, struct go *go) { (void)cfg; (void)pid; (void)go; } */

/* GIVEN(06) The child's x-helpers: one rtnetlink request each, narrated
 * for -v, checked, named in the error, and refused while the child is
 * still in the host's network namespace (it would change the host's
 * interfaces).  NAME is only for the narration. */
static void link_up(const struct config *cfg, int nl, int index,
                    const char *name)
{
    char msg[512], call[IFNAMSIZ + 32];

    snprintf(call, sizeof call, "RTM_NEWLINK %s up", name);
    guard_ns("net", call, "bring up the host's interfaces");
    say(cfg, "rtnetlink: RTM_NEWLINK %s up", name);
    if (nl_talk(nl, msg, build_link_up(msg, sizeof msg, index)) < 0)
        die("rtnetlink: RTM_NEWLINK %s up", name);
}

static void addr_add(const struct config *cfg, int nl, int index,
                     const char *name, uint32_t addr, int prefix)
{
    char msg[512], ip[INET_ADDRSTRLEN];

    guard_ns("net", "RTM_NEWADDR", "address the host's interfaces");
    say(cfg, "rtnetlink: RTM_NEWADDR %s/%d on %s", ip4(addr, ip), prefix, name);
    if (nl_talk(nl, msg, build_addr(msg, sizeof msg, index, addr, prefix)) < 0)
        die("rtnetlink: RTM_NEWADDR on %s", name);
}

static void route_add(const struct config *cfg, int nl, int index,
                      uint32_t gateway)
{
    char msg[512], ip[INET_ADDRSTRLEN];

    guard_ns("net", "RTM_NEWROUTE", "change the host's routes");
    say(cfg, "rtnetlink: RTM_NEWROUTE default via %s", ip4(gateway, ip));
    if (nl_talk(nl, msg, build_default_route(msg, sizeof msg, index, gateway)) <
        0)
        die("rtnetlink: RTM_NEWROUTE default");
}

/* The index of interface NAME in our namespace (netdevice(7)). */
static int link_index(const char *name)
{
    int index = if_nametoindex(name);

    if (!index)
        die("if_nametoindex(\"%s\")", name);
    return index;
}
/* END GIVEN(06); deep stub: static void link_up(const struct config *cfg,
 * int nl, int index, const char *name) { (void)cfg; (void)nl; (void)index;
 * (void)name; } static void addr_add(const struct config *cfg, int nl, int
 * index, const char *name, uint32_t addr, int prefix) { (void)cfg;
 * (void)nl; (void)index; (void)name; (void)addr; (void)prefix; } static
 * void route_add(const struct config *cfg, int nl, int index, uint32_t
 * gateway) { (void)cfg; (void)nl; (void)index; (void)gateway; } static int
 * link_index(const char *name) { (void)name; return 0; } */

/* The child: lo up always; with a veth, eth0's address, eth0 up, and
 * the default route via the bridge. */
static void setup_net(const struct config *cfg, const struct go *go)
{
    int nl = nl_open(), eth0;

    /* YOURS(06.4) The container's side.  A new network namespace has
     * only lo, and it is down: bring it up first, link_up(cfg, nl, 1,
     * "lo") (lo is always index 1).  Then, if go->net says the parent
     * made a veth, find eth0 with link_index("eth0") and, in this order:
     * give it go->addr/go->prefix with addr_add(), bring it up with
     * link_up(), and add the default route via go->gateway with
     * route_add().  The route comes last: the kernel accepts a gateway
     * only on a link that is up and whose subnet holds it. */
    link_up(cfg, nl, 1, "lo");
    if (go->net) {
        eth0 = link_index("eth0");
        addr_add(cfg, nl, eth0, "eth0", go->addr, go->prefix);
        link_up(cfg, nl, eth0, "eth0");
        route_add(cfg, nl, eth0, go->gateway);
    }
    /* END YOURS(06.4); stub: (void)cfg; (void)go; (void)eth0; */
    close(nl);
}

/* ---- the child: becomes the container ---- */

struct child_args {
    const struct config *cfg;
    int report[2]; /* child -> parent: errors before exec */
    int go[2];     /* parent -> child: struct go, once the maps are written */
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
        fail(127, errno, "is it in the rootfs?", "execvp(\"%s\")",
             cfg->argv[0]);
    fail(126, errno, NULL, "execvp(\"%s\")", cfg->argv[0]);
}

/* GIVEN(05) How long the child waits for the parent's go byte, and what
 * it says when that runs out (child_main()).  Kept in the deep version
 * too. */
#define GO_WAIT_S 30

static void go_wait_expired(int sig)
{
    (void)sig;
    fail(125, 0, "the parent stopped before its write to it",
         "nothing came on the go pipe in %d s", GO_WAIT_S);
}
/* END GIVEN(05) */

static int child_main(void *arg)
{
    const struct child_args *args = arg;
    const struct config *cfg = args->cfg;
    struct pollfd parent = {.fd = args->go[0]};
    struct go go;

    close(args->report[0]);
    close(args->go[1]);
    report_fd = args->report[1];
    /* GIVEN(05) A parent that never writes to the go pipe (its side of the
     * handshake not written yet) would leave both waiting for ever: the
     * parent for our report, we for its byte.  An alarm ends the wait after
     * GO_WAIT_S with an error; alarm(0) below stops it, since an alarm
     * would outlive exec.  Kept in the deep version too. */
    signal(SIGALRM, go_wait_expired);
    alarm(GO_WAIT_S);
    /* END GIVEN(05) */
    /* Wait for the maps.  EOF instead of "go" means the parent failed,
     * and said why, or died: stop here, quietly (crun's sync: silence is
     * failure, never consent). */
    if (read(args->go[0], &go, sizeof go) != sizeof go)
        _exit(125);
    alarm(0); /* given: the wait is over */
    signal(SIGALRM, SIG_DFL);
    setup_uts(cfg);
    enter_rootfs(cfg);
    /* Maps first, then setresuid: the ids must exist before we take them. */
    become_root(cfg);
    /* If the runtime dies, so does the container.  Set after the id
     * change, which clears it (prctl(2)); then make sure the parent did
     * not die before it was set: it keeps the go pipe open until we
     * exec, so a hang-up means it is gone. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        die("prctl(PR_SET_PDEATHSIG)");
    if (poll(&parent, 1, 0) > 0 && (parent.revents & POLLHUP))
        _exit(125);
    /* YOURS(06.5) Configure the network.  Call setup_net(cfg, &go) here:
     * after the go pipe, which says whether there is an eth0 and with
     * which address (the parent makes the veth while we wait), and after
     * become_root(), so that we hold our capabilities in the user
     * namespace that owns our network namespace. */
    setup_net(cfg, &go);
    /* END YOURS(06.5) */
    setup_mounts(cfg);
    exec_command(cfg);
}

/* ---- the parent: the runtime ---- */

/* The hint for a failed clone(2). */
static const char *clone_hint(int err)
{
    const char *hint = NULL;

    if (err == EPERM || err == EACCES || err == ENOSPC || err == EUSERS)
        hint = userns_hint();
    if (!hint && (err == ENOSPC || err == EUSERS))
        hint = "a namespace limit is reached: see /proc/sys/user/max_*";
    if (!hint && (err == EPERM || err == EACCES) && geteuid() != 0)
        hint = "run as root: sudo ./step";
    return hint;
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
    struct go go = {0};
    int net = !cfg->net_none;
    struct report r;
    char names[256] = "";
    int flags = SIGCHLD;
    ssize_t n;
    pid_t pid;

    for (int i = 0; namespaces[i].name; i++) {
        flags |= namespaces[i].flag;
        strcat(strcat(names, namespaces[i].name), "|");
    }
    /* Only root may add interfaces to the host's network namespace. */
    if (net && geteuid() != 0) {
        if (cfg->ip_set)
            fail(125, EPERM, "run as root: sudo ./step", "--ip");
        net = 0;
    }
    if (pipe2(args.report, O_CLOEXEC) < 0 || pipe2(args.go, O_CLOEXEC) < 0)
        die("pipe2");
    note_host_namespaces();
    fflush(NULL);
    say(cfg, "clone(%sSIGCHLD)", names);
    pid = clone(child_main, stack + sizeof stack, flags, &args);
    if (pid < 0)
        die_hint(clone_hint(errno), "clone(%sSIGCHLD)", names);
    close(args.report[1]);
    child_report_fd = args.report[0];
    close(args.go[0]);
    /* A child that died before reading "go" must not kill us with
     * SIGPIPE: let write() fail, so we say so. */
    signal(SIGPIPE, SIG_IGN);
    /* The child waits on the go pipe while we write its maps.  If we die
     * here, it reads EOF and stops. */
    write_id_maps(cfg, pid);
    /* YOURS(06.6) The veth.  Unless net is 0 (--net none, or not root),
     * call veth_create(cfg, pid, &go): it needs the child's pid, to name
     * the namespace the peer is born in, so it comes after clone(2); and
     * it must come before the go write below, which hands the child the
     * struct go that veth_create() filled in (TODO(06.3)).  The child cannot
     * configure an eth0 that does not exist yet, so it waits on the pipe until
     * then. */
    if (net)
        veth_create(cfg, pid, &go);
    /* END YOURS(06.6) */
    /* The notice of a run without root, and the go write: the whole
     * struct go now, not one byte. */
    if (!net && !cfg->net_none)
        fprintf(stderr, "step: not root, so no veth on the host: the "
                        "container gets loopback only\n");
    say(cfg, "write(go pipe, struct go)");
    if (write(args.go[1], &go, sizeof go) != sizeof go)
        die("write(go pipe)");

    /* EOF: the command was exec'd (the pipe is close-on-exec). */
    while ((n = read(args.report[0], &r, sizeof r)) < 0 && errno == EINTR)
        ;
    child_report_fd = -1;
    close(args.report[0]);
    close(args.go[1]);
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
