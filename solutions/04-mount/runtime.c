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
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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
          "  -r, --rootfs DIR     root filesystem (default: " STEP_ROOTFS ")\n"
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
        {"rootfs", required_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    *cfg = (struct config){.hostname = "container", .rootfs = STEP_ROOTFS};
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
        die("%s", call);
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
        die_hint("build the default one with: make rootfs", "rootfs \"%s\"",
                 cfg->rootfs);
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
    xmount(cfg, "sysfs", "sys", "sysfs",
           MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
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
     * its flags only on a remount (mount(2)): remount "." with MS_REMOUNT
     * | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV.  nodev makes a device
     * node planted in an image an ordinary file; nosuid makes a setuid
     * file in it run with the caller's ids. */
    xmount(cfg, NULL, ".", NULL,
           MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
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
        fail(127, errno, "is it in the rootfs?", "execvp(\"%s\")",
             cfg->argv[0]);
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
    enter_rootfs(cfg);
    setup_mounts(cfg);
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
