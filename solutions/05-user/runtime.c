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
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
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
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    *cfg = (struct config){.hostname = "container", .rootfs = STEP_ROOTFS};
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
 * tune the host. */
static void mount_sys(const struct config *cfg)
{
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

/* ---- the child: becomes the container ---- */

struct child_args {
    const struct config *cfg;
    int report[2]; /* child -> parent: errors before exec */
    int go[2];     /* parent -> child: one byte once the maps are written */
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
    fail(125, 0, "the parent writes it after the maps: TODO(05.4)",
         "nothing came on the go pipe in %d s", GO_WAIT_S);
}
/* END GIVEN(05) */

static int child_main(void *arg)
{
    const struct child_args *args = arg;
    const struct config *cfg = args->cfg;
    struct pollfd parent = {.fd = args->go[0]};
    char go;

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
    /* YOURS(05.5) Wait for the maps.  Read one byte from the go pipe,
     * args->go[0], into go; on anything but that byte, _exit(125) at once,
     * without a word.  EOF instead of "go" means the parent failed, and
     * said why, or died: silence is failure, never consent (crun's sync).
     * Until the byte comes, this process has no ids in its namespace: it
     * is nobody, and setresuid(0) would fail. */
    if (read(args->go[0], &go, 1) != 1)
        _exit(125);
    /* END YOURS(05.5); stub: (void)go; */
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
    struct report r;
    char names[256] = "";
    int flags = SIGCHLD;
    ssize_t n;
    pid_t pid;

    for (int i = 0; namespaces[i].name; i++) {
        flags |= namespaces[i].flag;
        strcat(strcat(names, namespaces[i].name), "|");
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
    /* YOURS(05.4) The handshake, our side.  The child waits on the go
     * pipe while we write its maps: call write_id_maps(cfg, pid), then
     * tell the child to go on by writing one byte, "g", to args.go[1]
     * (narrate it with say(cfg, "write(go pipe, \"g\")"), and die() if
     * the write fails: the child is gone).  If we die before that, the
     * child reads EOF and stops. */
    write_id_maps(cfg, pid);
    say(cfg, "write(go pipe, \"g\")");
    if (write(args.go[1], "g", 1) != 1)
        die("write(go pipe)");
    /* END YOURS(05.4) */

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
