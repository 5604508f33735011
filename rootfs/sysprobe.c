/* sysprobe NAME [PATH]: make one system call and exit with its errno (0
 * when it succeeded), so a test can tell what a container may do without
 * tools that the busybox fixture lacks.  Linked statically into the
 * fixture by rootfs/build.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

struct probe {
    const char *name;
    long (*call)(const char *arg);
};

static long p_keyctl(const char *a)
{
    (void)a;
    return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
}
static long p_add_key(const char *a)
{
    (void)a;
    return syscall(SYS_add_key, "user", "probe", "x", 1, -3);
}
static long p_request_key(const char *a)
{
    (void)a;
    return syscall(SYS_request_key, "user", "probe", NULL, 0);
}
static long p_ptrace(const char *a)
{
    (void)a;
    return ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}
static long p_bpf(const char *a)
{
    (void)a;
    char attr[128] = {0};
    return syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr);
}
static long p_perf(const char *a)
{
    (void)a;
    char attr[128] = {0};
    return syscall(SYS_perf_event_open, attr, 0, -1, -1, 0);
}
static long p_userfaultfd(const char *a)
{
    (void)a;
    return syscall(SYS_userfaultfd, 0);
}
static long p_clone3(const char *a)
{
    (void)a;
    char args[88] = {0};
    long r = syscall(435 /* clone3 */, args, sizeof args);
    if (r == 0)
        _exit(0);
    return r;
}
static long p_unshare_user(const char *a)
{
    (void)a;
    return unshare(CLONE_NEWUSER);
}
static long p_setns(const char *a)
{
    (void)a;
    int fd = open("/proc/self/ns/uts", O_RDONLY);
    return setns(fd, 0);
}
static long p_mount(const char *a)
{
    (void)a;
    return mount("none", "/tmp", "tmpfs", 0, NULL);
}
static long p_open_by_handle(const char *a)
{
    (void)a;
    char h[128] = {0};
    return syscall(SYS_open_by_handle_at, AT_FDCWD, h, O_RDONLY);
}
static long p_tiocsti(const char *a)
{
    (void)a;
    char c = 'x';
    return ioctl(0, TIOCSTI, &c);
}
/* The same request with bits above 32 set: the kernel compares only the
 * low 32, so a filter must too. */
static long p_tiocsti_high(const char *a)
{
    (void)a;
    char c = 'x';
    return syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, &c);
}
static long p_tiocgwinsz(const char *a)
{
    (void)a;
    struct winsize w;
    return ioctl(0, TIOCGWINSZ, &w);
}
static long p_chmod_suid(const char *a)
{
    return chmod(a, 04755);
}
static long p_chmod_sgid(const char *a)
{
    return chmod(a, 02755);
}
static long p_chmod_plain(const char *a)
{
    return chmod(a, 0755);
}
static long p_fchmodat2_suid(const char *a)
{
    return syscall(452 /* fchmodat2 */, AT_FDCWD, a, 04755, 0);
}
static long p_mknod_disk(const char *a)
{
    return mknod(a, S_IFBLK | 0600, makedev(8, 0));
}

static const struct probe probes[] = {
    {"keyctl", p_keyctl},
    {"add_key", p_add_key},
    {"request_key", p_request_key},
    {"ptrace", p_ptrace},
    {"bpf", p_bpf},
    {"perf_event_open", p_perf},
    {"userfaultfd", p_userfaultfd},
    {"clone3", p_clone3},
    {"unshare-user", p_unshare_user},
    {"setns", p_setns},
    {"mount", p_mount},
    {"open_by_handle_at", p_open_by_handle},
    {"tiocsti", p_tiocsti},
    {"tiocsti-high", p_tiocsti_high},
    {"tiocgwinsz", p_tiocgwinsz},
    {"chmod-suid", p_chmod_suid},
    {"chmod-sgid", p_chmod_sgid},
    {"chmod-plain", p_chmod_plain},
    {"fchmodat2-suid", p_fchmodat2_suid},
    {"mknod-disk", p_mknod_disk},
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc > 1 && i < sizeof probes / sizeof probes[0]; i++)
        if (strcmp(argv[1], probes[i].name) == 0) {
            errno = 0;
            long r = probes[i].call(argc > 2 ? argv[2] : "/tmp/probe");
            return r < 0 ? (errno ? errno : 255) : 0;
        }
    fprintf(stderr,
            "usage: sysprobe NAME [PATH]; exits with the call's errno\n");
    return 254;
}
