/* Stage 04, the mount namespace: the order and arguments of the calls
 * setup_mounts() makes.  Order is most of this lesson: a mount made before
 * / is private leaks to the host, pivot_root refuses a rootfs that is not
 * a mount point, and right after pivot_root(".", ".") the path "." leads
 * to the old root stacked on top, not to the rootfs.
 *
 * mount, umount2, chdir and syscall (for SYS_pivot_root) are wrapped:
 * nothing is mounted, nothing needs root.  Each test lays out a temporary
 * directory as a rootfs (proc dev sys tmp) and runs setup_mounts() on it
 * in a child process; the fake chdir() really enters that directory, so
 * the files mount_dev() creates land there, and only pretends for every
 * other path.
 */
/* wrap: mount umount2 chdir syscall */
#ifndef RUNTIME
#define RUNTIME "../../solutions/04-mount/runtime.c"
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* usage(): main's */
#include RUNTIME
#pragma GCC diagnostic pop

#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>

#define UNIT_FAKE_MOUNT
#include "unit.h"

/* The temporary rootfs of the running test. */
static struct {
    char path[256];
    struct config cfg;
} fx;

/* ---- the fakes ---- */

int __wrap_umount2(const char *target, int flags)
{
    record("umount2", target, NULL, NULL, (unsigned)flags);
    return refused("umount2", target) ? -1 : 0;
}

/* glibc has no pivot_root() wrapper: the runtime calls syscall(2). */
long __wrap_syscall(long number, ...)
{
    const char *new_root, *put_old;
    va_list ap;

    if (number != SYS_pivot_root) {
        record("syscall", NULL, NULL, NULL, (unsigned long)number);
        errno = ENOSYS;
        return -1;
    }
    va_start(ap, number);
    new_root = va_arg(ap, const char *);
    put_old = va_arg(ap, const char *);
    va_end(ap);
    record("pivot_root", new_root, put_old, NULL, 0);
    return refused("pivot_root", new_root) ? -1 : 0;
}

int __real_chdir(const char *path);

/* Into the temporary rootfs for real.  Anything else only pretends: after
 * the fake pivot_root, "/" would be the rootfs, where we already are. */
int __wrap_chdir(const char *path)
{
    record("chdir", path, NULL, NULL, 0);
    if (refused("chdir", path))
        return -1;
    if (strcmp(path, fx.path) == 0)
        return __real_chdir(path);
    return 0;
}

/* ---- the temporary rootfs ---- */

static int make_rootfs(void **state)
{
    static const char *const dirs[] = {"proc", "dev", "sys", "tmp"};
    const char *tmp = getenv("TMPDIR");
    char path[512];

    if (calls_reset(state) < 0)
        return -1;
    snprintf(fx.path, sizeof fx.path, "%s/step-unit-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx.path))
        return -1;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fx.path, dirs[i]);
        if (mkdir(path, 0755) < 0)
            return -1;
    }
    fx.cfg = (struct config){.hostname = "container", .rootfs = fx.path};
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static int remove_rootfs(void **state)
{
    (void)state;
    return nftw(fx.path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Replace the rootfs's DIR with a symlink to TO. */
static void make_symlink(const char *dir, const char *to)
{
    char path[512];

    snprintf(path, sizeof path, "%s/%s", fx.path, dir);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(symlink(to, path), 0);
}

/* ---- running setup_mounts ---- */

static void mounts_in_child(void *arg)
{
    enter_rootfs(arg);
    setup_mounts(arg);
}

/* setup_mounts() on the fixture, in a child; its exit status. */
static int run_setup(char *err, size_t errlen)
{
    return run_in_child(mounts_in_child, &fx.cfg, err, errlen);
}

/* setup_mounts() on the fixture, which must succeed. */
static void setup_ok(void)
{
    char err[4096];
    int status = run_setup(err, sizeof err);

    if (status != 0) {
        flunk(__FILE__, __LINE__, true, "setup_mounts() exited %d:\n%s", status,
              err);
    }
}

/* Is TARGET the rootfs's DIR: "dir" (relative to the rootfs we are in),
 * "./dir" or "/tmp/step-unit-.../dir"? */
static bool in_rootfs(const struct call *c, int arg, const char *dir)
{
    const char *t = c->arg[arg];
    size_t n = strlen(fx.path);

    if (c->null[arg])
        return false;
    if (strncmp(t, "./", 2) == 0)
        t += 2;
    else if (strncmp(t, fx.path, n) == 0 && t[n] == '/')
        t += n + 1;
    return strcmp(t, dir) == 0;
}

/* The first mount of FSTYPE on the rootfs's DIR; -1 if none. */
static int find_mount(const char *fstype, const char *dir)
{
    for (int i = 0; i < calls->n; i++) {
        const struct call *c = &calls->call[i];

        if (strcmp(c->fn, "mount") == 0 && !c->null[2] &&
            strcmp(c->arg[2], fstype) == 0 && in_rootfs(c, 1, dir))
            return i;
    }
    return -1;
}

static int chdir_into_rootfs(void)
{
    return require(find_call(0, "chdir", fx.path, NULL), "chdir(rootfs)");
}

static int pivot_root_call(void)
{
    return require(find_call(0, "pivot_root", NULL, NULL),
                   "pivot_root(\".\", \".\")");
}

/* Fail, showing the log, if any bind mount was made. */
static void expect_no_bind_mount(void)
{
    for (int i = 0; i < calls->n; i++) {
        if (strcmp(calls->call[i].fn, "mount") == 0 &&
            (calls->call[i].num & MS_BIND)) {
            flunk(__FILE__, __LINE__, true,
                  "call %d is a bind mount; the rootfs should have been "
                  "refused before it",
                  i);
        }
    }
}

/* ---- the order of the mounts ---- */

/* A new mount namespace starts with copies of the host's mounts, and
 * where / is shared (systemd makes it so) every mount we make would
 * propagate back to the host.  Cutting that must come first. */
static void test_04_first_call_makes_every_mount_private(void **state)
{
    (void)state;
    setup_ok();
    expect_call(0, "mount", NULL, "/", NULL, MS_REC | MS_PRIVATE);
}

/* pivot_root(2): the new root must be a mount point.  A directory is made
 * one by binding it onto itself. */
static void
test_04_rootfs_is_bind_mounted_onto_itself_before_chdir_into_it(void **state)
{
    int bind, cd;

    (void)state;
    setup_ok();
    bind = require(find_call(0, "mount", fx.path, fx.path),
                   "mount(rootfs, rootfs, NULL, MS_BIND)");
    expect_flags(bind, MS_BIND);
    cd = chdir_into_rootfs();
    assert_before(0, bind, "a mount made before / is private reaches the host");
    assert_before(bind, cd,
                  "chdir into the directory, and \".\" is the "
                  "directory under the bind mount, not the mount");
}

/* A proc of the container's own PID namespace, not the host's. */
static void test_04_proc_is_mounted_in_the_rootfs(void **state)
{
    int proc;

    (void)state;
    setup_ok();
    proc = require(find_mount("proc", "proc"), "mount(\"proc\", \"proc\", "
                                               "\"proc\", ...)");
    assert_before(
        chdir_into_rootfs(), proc,
        "a relative \"proc\" means the rootfs's only once we are in it");
    assert_before(proc, pivot_root_call(),
                  "mounted in the rootfs, before the old root goes");
}

/* A tmpfs, not the host's /dev: the container sees a handful of harmless
 * devices, bound from the host onto empty files (stage 05's user
 * namespace may not mknod(2)). */
static void
test_04_dev_is_a_tmpfs_with_host_devices_bound_onto_empty_files(void **state)
{
    static const char *const nodes[] = {"null",   "zero",    "full",
                                        "random", "urandom", "tty"};
    char host[64], here[64], path[512];
    struct stat st;
    int dev;

    (void)state;
    setup_ok();
    dev = require(find_mount("tmpfs", "dev"), "mount(\"tmpfs\", \"dev\", "
                                              "\"tmpfs\", ...)");
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        snprintf(host, sizeof host, "/dev/%s", nodes[i]);
        snprintf(here, sizeof here, "dev/%s", nodes[i]);
        int bind = require(find_call(0, "mount", host, NULL), host);
        expect_flags(bind, MS_BIND);
        if (!in_rootfs(&calls->call[bind], 1, here)) {
            flunk(__FILE__, __LINE__, true,
                  "call %d should bind %s onto the rootfs's %s", bind, host,
                  here);
        }
        assert_before(dev, bind, "bound into the tmpfs, not under it");
        snprintf(path, sizeof path, "%s/%s", fx.path, here);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_size, 0);
    }
}

static void test_04_dev_links_fd_stdin_stdout_stderr_to_proc(void **state)
{
    static const char *const links[][2] = {
        {"dev/fd", "/proc/self/fd"},
        {"dev/stdin", "/proc/self/fd/0"},
        {"dev/stdout", "/proc/self/fd/1"},
        {"dev/stderr", "/proc/self/fd/2"},
    };
    char path[512], to[256];
    ssize_t n;

    (void)state;
    setup_ok();
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fx.path, links[i][0]);
        n = readlink(path, to, sizeof to - 1);
        assert_true(n > 0);
        to[n] = '\0';
        assert_string_equal(to, links[i][1]);
    }
}

/* The container may read /sys, never tune the host through it. */
static void test_04_sys_is_sysfs_mounted_read_only(void **state)
{
    int sys;

    (void)state;
    setup_ok();
    sys = require(find_mount("sysfs", "sys"), "mount(\"sysfs\", \"sys\", "
                                              "\"sysfs\", MS_RDONLY)");
    expect_flags(sys, MS_RDONLY);
    assert_before(sys, pivot_root_call(),
                  "mounted in the rootfs, before the old root goes");
}

/* The rootfs is shared and read-only: scratch space is a tmpfs. */
static void test_04_tmp_is_a_tmpfs(void **state)
{
    int tmp;

    (void)state;
    setup_ok();
    tmp = require(find_mount("tmpfs", "tmp"), "mount(\"tmpfs\", \"tmp\", "
                                              "\"tmpfs\", ...)");
    assert_before(tmp, pivot_root_call(),
                  "mounted in the rootfs, before the old root goes");
}

/* Every mount after the first lands in the rootfs: an absolute path in
 * it, or a relative one once we are in it.  Anything else would cover
 * part of the host (of our copy of it, if / is private). */
static void test_04_every_mount_lands_inside_the_rootfs(void **state)
{
    size_t n = strlen(fx.path);
    int cd;

    (void)state;
    setup_ok();
    cd = chdir_into_rootfs();
    for (int i = 1; i < calls->n; i++) {
        const struct call *c = &calls->call[i];
        const char *t = c->arg[1];

        if (strcmp(c->fn, "mount") != 0)
            continue;
        if (!c->null[1] && strncmp(t, fx.path, n) == 0 &&
            (t[n] == '\0' || t[n] == '/'))
            continue;
        if (!c->null[1] && t[0] != '/' && i > cd)
            continue;
        flunk(__FILE__, __LINE__, true,
              "call %d mounts on \"%s\", outside the rootfs %s", i, t, fx.path);
    }
}

/* mount(2): a bind mount takes MS_RDONLY only on a remount.  Done before
 * pivot_root while "." is still the bind mount, it makes the shared
 * rootfs read-only for the container. */
static void
test_04_rootfs_is_remounted_read_only_before_pivot_root(void **state)
{
    unsigned long ro = MS_REMOUNT | MS_BIND | MS_RDONLY;
    int remount = -1;

    (void)state;
    setup_ok();
    for (int i = 0; i < calls->n && remount < 0; i++) {
        const struct call *c = &calls->call[i];

        if (strcmp(c->fn, "mount") == 0 && (c->num & ro) == ro && !c->null[1] &&
            (strcmp(c->arg[1], ".") == 0 || strcmp(c->arg[1], fx.path) == 0))
            remount = i;
    }
    require(remount, "mount(NULL, \".\", NULL, MS_REMOUNT|MS_BIND|MS_RDONLY)");
    assert_before(remount, pivot_root_call(),
                  "after pivot_root, \".\" is the old root on top of it");
}

/* pivot_root(".", "."): the old root is stacked on the new one, so a
 * read-only rootfs needs no put_old directory (pivot_root(2), NOTES). */
static void test_04_pivot_root_after_binding_rootfs(void **state)
{
    int pivot;

    (void)state;
    setup_ok();
    pivot = pivot_root_call();
    expect_call(pivot, "pivot_root", ".", ".", NULL, 0);
    assert_before(find_call(0, "mount", fx.path, fx.path), pivot,
                  "pivot_root needs the new root to be a mount point");
    assert_before(chdir_into_rootfs(), pivot, "\".\" must be the rootfs");
    assert_int_equal(count_calls("pivot_root"), 1);
}

/* The old root is still there, under "."; detaching it leaves nothing
 * of the host reachable.  MNT_DETACH: busy mounts in it are fine. */
static void test_04_old_root_is_detached_after_pivot_root(void **state)
{
    int pivot, umount;

    (void)state;
    setup_ok();
    pivot = pivot_root_call();
    umount = require(find_call(0, "umount2", NULL, NULL),
                     "umount2(\".\", MNT_DETACH)");
    expect_call(umount, "umount2", ".", NULL, NULL, MNT_DETACH);
    assert_before(
        pivot, umount,
        "before pivot_root \".\" is the rootfs, not the old root on top of it");
}

/* The working directory was the old root's view of the rootfs; "/" is
 * the container's.  Whatever the caller's cwd, the command starts in /. */
static void test_04_last_chdir_is_to_the_new_root(void **state)
{
    int cd;

    (void)state;
    setup_ok();
    cd = require(last_call("chdir"), "chdir(\"/\")");
    expect_call(cd, "chdir", "/", NULL, NULL, 0);
    assert_before(require(find_call(0, "umount2", NULL, NULL), "umount2"), cd,
                  "chdir(\"/\") comes last, in the new root");
}

/* ---- what is refused, and how it fails ---- */

/* runc's CVE-2023-27561: mount("proc", "proc") follows a symlink, so a
 * rootfs whose proc points at /etc would have proc cover the host's. */
static void test_04_rootfs_whose_proc_is_a_symlink_is_refused(void **state)
{
    char err[4096];

    (void)state;
    /* Pointed at the rootfs's own tmp, not at /etc: a broken runtime
     * under test that follows it must not touch the host. */
    make_symlink("proc", "tmp");
    assert_int_equal(run_setup(err, sizeof err), 125);
    assert_contains(err, "symlink");
    assert_contains(err, "proc");
    expect_no_bind_mount();
    assert_int_equal(find_call(0, "chdir", fx.path, NULL), -1);
}

static void
test_04_rootfs_whose_dev_or_sys_is_a_symlink_is_refused(void **state)
{
    static const char *const dirs[] = {"dev", "sys"};
    char err[4096];

    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        remove_rootfs(state);
        assert_int_equal(make_rootfs(state), 0);
        make_symlink(dirs[i], "tmp"); /* never "/": see above */
        assert_int_equal(run_setup(err, sizeof err), 125);
        assert_contains(err, "symlink");
        assert_contains(err, dirs[i]);
        expect_no_bind_mount();
    }
}

static void test_04_missing_rootfs_exits_125_saying_make_rootfs(void **state)
{
    char err[4096];

    (void)state;
    fx.cfg.rootfs = "/nonexistent/step-unit-rootfs";
    assert_int_equal(run_setup(err, sizeof err), 125);
    assert_contains(err, "/nonexistent/step-unit-rootfs");
    assert_contains(err, "make rootfs");
    expect_no_bind_mount();
}

/* Every call is checked on the next line: a refused mount ends setup
 * there, with one line naming it. */
static void test_04_refused_mount_stops_setup_with_exit_125(void **state)
{
    char err[4096];
    int proc;

    (void)state;
    refuse("mount", "proc", EPERM);
    assert_int_equal(run_setup(err, sizeof err), 125);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_contains(err, "mount(\"proc\"");
    assert_contains(err, "Operation not permitted");
    proc = require(find_mount("proc", "proc"), "mount of proc");
    assert_int_equal(calls->n, proc + 1);
}

/* pivot_root(2) lists six causes of EINVAL; the error says which one is
 * likely here. */
static void test_04_pivot_root_einval_names_the_likely_cause(void **state)
{
    char err[4096];

    (void)state;
    refuse("pivot_root", NULL, EINVAL);
    assert_int_equal(run_setup(err, sizeof err), 125);
    assert_contains(err, "pivot_root(");
    assert_contains(err, "Invalid argument");
    if (!strstr(err, "MS_PRIVATE") && !strstr(err, "initramfs"))
        fail_msg("expected a hint on the cause of EINVAL in:\n%s", err);
    assert_int_equal(count_calls("umount2"), 0);
}

/* -v is the learner's strace: one "step: " line per call, naming it. */
static void test_04_verbose_narrates_every_call(void **state)
{
    char err[8192];

    (void)state;
    fx.cfg.verbose = 1;
    assert_int_equal(run_setup(err, sizeof err), 0);
    assert_int_equal(count_lines(err, "step: mount("), count_calls("mount"));
    assert_int_equal(count_lines(err, "step: chdir("), count_calls("chdir"));
    assert_int_equal(count_lines(err, "step: pivot_root("), 1);
    assert_int_equal(count_lines(err, "step: umount2("), 1);
    assert_contains(err, "MS_REC|MS_PRIVATE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(t) cmocka_unit_test_setup_teardown(t, make_rootfs, remove_rootfs)
        TEST(test_04_first_call_makes_every_mount_private),
        TEST(test_04_rootfs_is_bind_mounted_onto_itself_before_chdir_into_it),
        TEST(test_04_proc_is_mounted_in_the_rootfs),
        TEST(test_04_dev_is_a_tmpfs_with_host_devices_bound_onto_empty_files),
        TEST(test_04_dev_links_fd_stdin_stdout_stderr_to_proc),
        TEST(test_04_sys_is_sysfs_mounted_read_only),
        TEST(test_04_tmp_is_a_tmpfs),
        TEST(test_04_every_mount_lands_inside_the_rootfs),
        TEST(test_04_rootfs_is_remounted_read_only_before_pivot_root),
        TEST(test_04_pivot_root_after_binding_rootfs),
        TEST(test_04_old_root_is_detached_after_pivot_root),
        TEST(test_04_last_chdir_is_to_the_new_root),
        TEST(test_04_rootfs_whose_proc_is_a_symlink_is_refused),
        TEST(test_04_rootfs_whose_dev_or_sys_is_a_symlink_is_refused),
        TEST(test_04_missing_rootfs_exits_125_saying_make_rootfs),
        TEST(test_04_refused_mount_stops_setup_with_exit_125),
        TEST(test_04_pivot_root_einval_names_the_likely_cause),
        TEST(test_04_verbose_narrates_every_call),
    };

    return cmocka_run_group_tests_name("test_04_mount", tests, NULL, NULL);
}
