/* Stage 05, the user namespace: the id maps and the order that makes them
 * work.  parse_id_map() and format_id_map() are pure; write_id_maps(),
 * become_root(), child_main() and userns_hint() are tested through fakes:
 *
 *   open, write   "/proc/PID/FILE" lands in the test's temporary directory
 *                 as FILE, and both calls are logged; any other path is
 *                 the real one, unlogged.
 *   fopen         "/proc/sys/..." is read from the temporary directory,
 *                 so a test decides what each sysctl says.
 *   geteuid,      the real ids, unless a test pretends to be root or not:
 *   getegid       both branches are tested whoever runs the tests.
 *   setresgid, setgroups, setresuid, prctl, poll, sethostname,
 *   setdomainname, mount, chdir
 *                 logged, and succeed unless refused; nothing changes an
 *                 id or mounts anything, so no root is needed.
 *   read, close   logged only in the child running child_main(), from
 *                 the moment it is called: run_in_child() reads and closes
 *                 too.
 */
/* run.sh reads the wrap line whole: */
/* clang-format off */
/* wrap: open write close read fopen geteuid getegid setresgid setgroups setresuid prctl poll sethostname setdomainname mount chdir */
/* clang-format on */
#ifndef RUNTIME
#define RUNTIME "../../solutions/05-user/runtime.c"
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* usage(): main's */
#include RUNTIME
#pragma GCC diagnostic pop

#include <ftw.h>
#include <limits.h>

#define UNIT_FAKE_IDS
#define UNIT_FAKE_MOUNT
#define UNIT_FAKE_UTS
#define UNIT_PARSE
#include "unit.h"

/* The pid write_id_maps() is given: only its /proc path matters. */
#define PID 4242

static struct {
    char path[256];    /* temporary directory: fake /proc, and a rootfs */
    struct config cfg; /* what the code under test is given */
    bool log_io;       /* read and close are logged */
    long euid, egid;   /* what geteuid/getegid say; -1: the real ids */
    bool hang_up;      /* poll() reports POLLHUP: the parent is gone */
    int fake_fd[8];    /* descriptors open on fake /proc files */
    char fake_name[8][64];
} fx;

/* ---- the fakes ---- */

/* "/proc/4242/uid_map" -> "uid_map"; NULL for any other path. */
static const char *proc_pid_file(const char *path)
{
    const char *p = path + strlen("/proc/");

    if (strncmp(path, "/proc/", strlen("/proc/")) != 0 || *p < '0' || *p > '9')
        return NULL;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p == '/' ? p + 1 : NULL;
}

/* The /proc path a fake descriptor stands for; NULL if FD is real. */
static const char *fake_path(int fd)
{
    for (int i = 0; i < 8; i++)
        if (fd >= 0 && fx.fake_fd[i] == fd)
            return fx.fake_name[i];
    return NULL;
}

int __real_open(const char *path, int flags, ...);

int __wrap_open(const char *path, int flags, ...)
{
    const char *file = proc_pid_file(path);
    char real[512];
    mode_t mode = 0;
    va_list ap;
    int fd;

    if (flags & O_CREAT) {
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (!file)
        return __real_open(path, flags, mode);
    record("open", path, NULL, NULL, (unsigned)(flags & O_ACCMODE));
    if (refused("open", path))
        return -1;
    /* O_APPEND: a second write shows in the file, as it would not in the
     * kernel's, which refuses it. */
    snprintf(real, sizeof real, "%s/%s", fx.path, file);
    fd = __real_open(real, flags | O_CREAT | O_APPEND, 0600);
    for (int i = 0; fd >= 0 && i < 8; i++) {
        if (fx.fake_fd[i] < 0) {
            fx.fake_fd[i] = fd;
            snprintf(fx.fake_name[i], sizeof fx.fake_name[i], "%s", path);
            break;
        }
    }
    return fd;
}

ssize_t __real_write(int fd, const void *buf, size_t len);

/* write("/proc/4242/uid_map", "0 1000 1\n", NULL, 9): path, text, length. */
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
    const char *path = fake_path(fd);
    char text[256];

    if (!path)
        return __real_write(fd, buf, len);
    snprintf(text, sizeof text, "%.*s", (int)len, (const char *)buf);
    record("write", path, text, NULL, len);
    if (refused("write", path))
        return -1;
    return __real_write(fd, buf, len);
}

int __real_close(int fd);

int __wrap_close(int fd)
{
    for (int i = 0; i < 8; i++) {
        if (fd >= 0 && fx.fake_fd[i] == fd) {
            fx.fake_fd[i] = -1;
            return __real_close(fd);
        }
    }
    if (fx.log_io)
        record("close", NULL, NULL, NULL, (unsigned)fd);
    return __real_close(fd);
}

ssize_t __real_read(int fd, void *buf, size_t len);

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
    if (fx.log_io)
        record("read", NULL, NULL, NULL, (unsigned)fd);
    return __real_read(fd, buf, len);
}

FILE *__real_fopen(const char *path, const char *mode);

FILE *__wrap_fopen(const char *path, const char *mode)
{
    char real[512];

    if (strncmp(path, "/proc/sys/", strlen("/proc/sys/")) != 0)
        return __real_fopen(path, mode);
    record("fopen", path, mode, NULL, 0);
    snprintf(real, sizeof real, "%s%s", fx.path, path);
    return __real_fopen(real, mode);
}

uid_t __real_geteuid(void);
gid_t __real_getegid(void);

uid_t __wrap_geteuid(void)
{
    return fx.euid < 0 ? __real_geteuid() : (uid_t)fx.euid;
}

gid_t __wrap_getegid(void)
{
    return fx.egid < 0 ? __real_getegid() : (gid_t)fx.egid;
}

/* prctl("PR_SET_PDEATHSIG", NULL, NULL, 9): the option, and arg2. */
int __wrap_prctl(int option, ...)
{
    char name[32];
    unsigned long arg2;
    va_list ap;

    va_start(ap, option);
    arg2 = va_arg(ap, unsigned long);
    va_end(ap);
    if (option == PR_SET_PDEATHSIG)
        snprintf(name, sizeof name, "PR_SET_PDEATHSIG");
    else
        snprintf(name, sizeof name, "%d", option);
    record("prctl", name, NULL, NULL, arg2);
    return refused("prctl", name) ? -1 : 0;
}

/* Never waits: says whether the parent has hung up the go pipe. */
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    (void)timeout;
    record("poll", NULL, NULL, NULL, n ? (unsigned)fds[0].fd : 0);
    for (nfds_t i = 0; i < n; i++)
        fds[i].revents = fx.hang_up ? POLLHUP : 0;
    return fx.hang_up ? (int)n : 0;
}

int __real_chdir(const char *path);

/* Into the temporary directory for real (files made after it land
 * there); any other path only pretends. */
int __wrap_chdir(const char *path)
{
    record("chdir", path, NULL, NULL, 0);
    if (refused("chdir", path))
        return -1;
    if (strcmp(path, fx.path) == 0)
        return __real_chdir(path);
    return 0;
}

/* ---- the temporary directory ---- */

static int make_fixture(void **state)
{
    static const char *const dirs[] = {"proc", "dev", "sys", "tmp"};
    const char *tmp = getenv("TMPDIR");
    char path[512];

    if (calls_reset(state) < 0)
        return -1;
    fx.log_io = false;
    fx.euid = fx.egid = -1;
    fx.hang_up = false;
    for (int i = 0; i < 8; i++)
        fx.fake_fd[i] = -1;
    snprintf(fx.path, sizeof fx.path, "%s/step-unit-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx.path))
        return -1;
    /* A rootfs, for child_main()'s check of it. */
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fx.path, dirs[i]);
        if (mkdir(path, 0755) < 0)
            return -1;
    }
    fx.cfg = (struct config){
        .hostname = "container",
        .rootfs = fx.path,
        .uid_map = {0, 1000, 1},
        .gid_map = {0, 2000, 1},
    };
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static int remove_fixture(void **state)
{
    (void)state;
    return nftw(fx.path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* What the runtime wrote into the fake /proc's FILE; "(none)" if it made
 * no such file. */
static const char *written(const char *file)
{
    static char text[256];
    char path[512];
    size_t n;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", fx.path, file);
    f = fopen(path, "r");
    if (!f)
        return "(none)";
    n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* Make the fake /proc/sys/NAME say TEXT. */
static void sysctl_says(const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/proc/sys", fx.path);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/proc/sys/%.*s", fx.path,
             (int)strcspn(name, "/"), name);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/proc/sys/%s", fx.path, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* ---- parse_id_map ---- */

static void test_05_id_map_parses_inside_outside_count(void **state)
{
    struct id_map m = {9, 9, 9};

    (void)state;
    assert_int_equal(parse_id_map("0:100000:65536", &m), 0);
    assert_int_equal(m.inside, 0);
    assert_int_equal(m.outside, 100000);
    assert_int_equal(m.count, 65536);
    assert_int_equal(parse_id_map("1000:2000:3", &m), 0);
    assert_int_equal(m.inside, 1000);
    assert_int_equal(m.outside, 2000);
    assert_int_equal(m.count, 3);
}

/* Fail, naming it, if any of WORDS is accepted as a map. */
#define assert_refused(...) assert_refused_at(__LINE__, __VA_ARGS__, NULL)
static void assert_refused_at(int line, ...)
{
    struct id_map m;
    const char *s;
    va_list ap;

    va_start(ap, line);
    while ((s = va_arg(ap, const char *))) {
        if (parse_id_map(s, &m) == 0) {
            print_error("\"%s\" was accepted as %lu:%lu:%lu\n", s, m.inside,
                        m.outside, m.count);
            _fail(__FILE__, line);
        }
    }
    va_end(ap);
}

#define assert_accepted(...) assert_accepted_at(__LINE__, __VA_ARGS__, NULL)
static void assert_accepted_at(int line, ...)
{
    struct id_map m;
    const char *s;
    va_list ap;

    va_start(ap, line);
    while ((s = va_arg(ap, const char *))) {
        if (parse_id_map(s, &m) != 0) {
            print_error("\"%s\" was refused\n", s);
            _fail(__FILE__, line);
        }
    }
    va_end(ap);
}

/* Three decimal numbers and two colons, nothing else: strtoul(3) alone
 * would take leading blanks, a sign, and "-1" as ULONG_MAX. */
static void test_05_id_map_refuses_malformed_text(void **state)
{
    (void)state;
    assert_refused("", "abc", "0:1", "0:1:2:3", "0:1:1x", " 0:1:1", "-1:0:1",
                   "0:-1:1", "0:1:-1", "+0:1:1", "0: 1:1", "0::1",
                   "0:1:", "::", "0:1:1\n", "0:1:1 ", "0x10:0:1", "0,1,1",
                   "99999999999999999999:0:1");
}

static void test_05_id_map_refuses_count_0(void **state)
{
    (void)state;
    assert_refused("0:1000:0", "0:0:0");
}

/* user_namespaces(7): ids are 32-bit and 4294967295 is none. */
static void test_05_id_map_refuses_ranges_past_4294967295(void **state)
{
    (void)state;
    /* IN+COUNT */
    assert_refused("4294967295:0:1", "4294967000:0:296", "1:0:4294967295",
                   "4294967296:0:1");
    /* OUT+COUNT */
    assert_refused("0:4294967295:1", "0:4294967000:296", "0:1:4294967295",
                   "0:4294967296:1");
    /* COUNT, and sums that would wrap around 2^64 */
    assert_refused("0:0:4294967296", "1:1:18446744073709551615",
                   "2:2:18446744073709551614");
}

static void test_05_id_map_accepts_ranges_ending_at_4294967295(void **state)
{
    struct id_map m;

    (void)state;
    assert_accepted("4294967294:0:1", "0:4294967294:1", "1:1:4294967294",
                    "4294967000:4294967000:295");
    assert_int_equal(parse_id_map("0:0:4294967295", &m), 0);
    assert_int_equal(m.count, 4294967295UL);
}

/* ---- parse_args: --uid-map, --gid-map and their defaults ---- */

/* parse(ARGV(...)), cfg and errmsg: unit.h (UNIT_PARSE). */

#define assert_map(map, in, out, n)                                            \
    do {                                                                       \
        assert_int_equal((map).inside, (in));                                  \
        assert_int_equal((map).outside, (out));                                \
        assert_int_equal((map).count, (n));                                    \
    } while (0)

/* Host root may map any ids: the container's root becomes an unused
 * range, as podman and docker's userns-remap do. */
static void test_05_default_maps_as_root_are_0_100000_65536(void **state)
{
    (void)state;
    fx.euid = 0;
    fx.egid = 0;
    assert_int_equal(parse(ARGV(NULL)), 0);
    assert_map(cfg.uid_map, 0, 100000, 65536);
    assert_map(cfg.gid_map, 0, 100000, 65536);
}

/* Anyone else may map only their own ids (user_namespaces(7)). */
static void test_05_default_maps_as_a_user_map_root_to_their_ids(void **state)
{
    (void)state;
    fx.euid = 1000;
    fx.egid = 2000;
    assert_int_equal(parse(ARGV(NULL)), 0);
    assert_map(cfg.uid_map, 0, 1000, 1);
    assert_map(cfg.gid_map, 0, 2000, 1);
}

/* The same, with whatever ids run the tests. */
static void test_05_default_maps_follow_the_real_euid(void **state)
{
    uid_t uid = __real_geteuid();
    gid_t gid = __real_getegid();

    (void)state;
    assert_int_equal(parse(ARGV(NULL)), 0);
    if (uid == 0) {
        assert_map(cfg.uid_map, 0, 100000, 65536);
        assert_map(cfg.gid_map, 0, 100000, 65536);
    } else {
        assert_map(cfg.uid_map, 0, uid, 1);
        assert_map(cfg.gid_map, 0, gid, 1);
    }
}

static void test_05_uid_map_and_gid_map_options_set_each_map(void **state)
{
    (void)state;
    fx.euid = fx.egid = 0;
    assert_int_equal(parse(ARGV("--uid-map", "0:1000:1", NULL)), 0);
    assert_map(cfg.uid_map, 0, 1000, 1);
    assert_map(cfg.gid_map, 0, 100000, 65536);
    assert_int_equal(parse(ARGV("--gid-map=0:2000:10", NULL)), 0);
    assert_map(cfg.uid_map, 0, 100000, 65536);
    assert_map(cfg.gid_map, 0, 2000, 10);
    assert_int_equal(
        parse(ARGV("--uid-map=5:6:7", "--gid-map", "8:9:10", "true", NULL)), 0);
    assert_map(cfg.uid_map, 5, 6, 7);
    assert_map(cfg.gid_map, 8, 9, 10);
    assert_string_equal(cfg.argv[0], "true");
}

static void test_05_bad_uid_map_or_gid_map_is_refused_naming_it(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("--uid-map", "abc", NULL)), -1);
    assert_contains(errmsg, "--uid-map");
    assert_contains(errmsg, "abc");
    assert_int_equal(parse(ARGV("--gid-map", "0:1000:0", NULL)), -1);
    assert_contains(errmsg, "--gid-map");
    assert_contains(errmsg, "0:1000:0");
    assert_int_equal(parse(ARGV("--gid-map=0:4294967295:1", NULL)), -1);
    assert_contains(errmsg, "--gid-map");
    assert_int_equal(
        parse(ARGV("--uid-map", "0:1:1", "--uid-map", "1:2", NULL)), -1);
    assert_contains(errmsg, "--uid-map");
    assert_contains(errmsg, "1:2");
}

static void test_05_uid_map_without_argument_is_refused_naming_it(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("--uid-map", NULL)), -1);
    assert_contains(errmsg, "--uid-map");
    assert_contains(errmsg, "needs an argument");
    assert_int_equal(parse(ARGV("--gid-map", NULL)), -1);
    assert_contains(errmsg, "--gid-map");
}

/* ---- format_id_map ---- */

/* user_namespaces(7): one line per range, "INSIDE OUTSIDE COUNT". */
static void test_05_id_map_formats_as_one_proc_line(void **state)
{
    struct id_map m = {0, 100000, 65536};
    char buf[64];

    (void)state;
    assert_int_equal(format_id_map(&m, buf, sizeof buf), 15);
    assert_string_equal(buf, "0 100000 65536\n");
    m = (struct id_map){4294967294, 4294967294, 1};
    assert_int_equal(format_id_map(&m, buf, sizeof buf), 24);
    assert_string_equal(buf, "4294967294 4294967294 1\n");
}

/* Returns -1 rather than a line cut short: the kernel would take "0 1000"
 * for a malformed map, or worse, a shorter count. */
static void test_05_id_map_format_refuses_a_buffer_too_small(void **state)
{
    struct id_map m = {0, 100000, 65536};
    char buf[16];

    (void)state;
    /* 15 characters and the '\0' fit in 16, not in 15. */
    assert_int_equal(format_id_map(&m, buf, 16), 15);
    assert_string_equal(buf, "0 100000 65536\n");
    assert_int_equal(format_id_map(&m, buf, 15), -1);
    assert_int_equal(format_id_map(&m, buf, 10), -1);
    assert_int_equal(format_id_map(&m, buf, 1), -1);
    assert_int_equal(format_id_map(&m, buf, 0), -1);
}

/* ---- write_id_maps ---- */

static void write_maps_in_child(void *arg)
{
    write_id_maps(arg, PID);
}

/* write_id_maps() for PID in a child; its exit status. */
static int run_write_maps(char *err, size_t errlen)
{
    return run_in_child(write_maps_in_child, &fx.cfg, err, errlen);
}

static void write_maps_ok(void)
{
    char err[4096];
    int status = run_write_maps(err, sizeof err);

    if (status != 0)
        flunk(__FILE__, __LINE__, true, "write_id_maps() exited %d:\n%s",
              status, err);
    assert_string_equal(err, "");
}

/* The calls root makes: no setgroups, which only an unprivileged writer of
 * gid_map must deny. */
static void expect_maps_written_as_root(void)
{
    expect_call(0, "open", "/proc/4242/uid_map", NULL, NULL, O_WRONLY);
    expect_call(1, "write", "/proc/4242/uid_map", "0 1000 1\n", NULL, 9);
    expect_call(2, "open", "/proc/4242/gid_map", NULL, NULL, O_WRONLY);
    expect_call(3, "write", "/proc/4242/gid_map", "0 2000 1\n", NULL, 9);
    assert_int_equal(calls->n, 4);
    assert_string_equal(written("uid_map"), "0 1000 1\n");
    assert_string_equal(written("gid_map"), "0 2000 1\n");
    assert_string_equal(written("setgroups"), "(none)");
}

/* user_namespaces(7): since Linux 3.19 an unprivileged process may write
 * gid_map only once setgroups says "deny". */
static void expect_maps_written_as_a_user(void)
{
    expect_call(0, "open", "/proc/4242/uid_map", NULL, NULL, O_WRONLY);
    expect_call(1, "write", "/proc/4242/uid_map", "0 1000 1\n", NULL, 9);
    expect_call(2, "open", "/proc/4242/setgroups", NULL, NULL, O_WRONLY);
    expect_call(3, "write", "/proc/4242/setgroups", "deny", NULL, 4);
    expect_call(4, "open", "/proc/4242/gid_map", NULL, NULL, O_WRONLY);
    expect_call(5, "write", "/proc/4242/gid_map", "0 2000 1\n", NULL, 9);
    assert_int_equal(calls->n, 6);
    assert_string_equal(written("uid_map"), "0 1000 1\n");
    assert_string_equal(written("setgroups"), "deny");
    assert_string_equal(written("gid_map"), "0 2000 1\n");
}

/* Each map in one write(2), whole: the kernel takes no second one. */
static void test_05_write_id_maps_as_root_writes_uid_then_gid_map(void **state)
{
    (void)state;
    fx.euid = 0;
    write_maps_ok();
    expect_maps_written_as_root();
}

static void
test_05_write_id_maps_as_a_user_denies_setgroups_before_gid_map(void **state)
{
    (void)state;
    fx.euid = 1000;
    write_maps_ok();
    expect_maps_written_as_a_user();
}

/* The same, with whatever ids run the tests. */
static void test_05_write_id_maps_follows_the_real_euid(void **state)
{
    (void)state;
    write_maps_ok();
    if (__real_geteuid() == 0)
        expect_maps_written_as_root();
    else
        expect_maps_written_as_a_user();
}

/* The default map of a user who is not root, end to end: their own uid
 * is the container's root. */
static void test_05_id_map_maps_root_to_host_uid(void **state)
{
    (void)state;
    fx.euid = 1000;
    fx.egid = 2000;
    assert_int_equal(parse(ARGV(NULL)), 0);
    fx.cfg = cfg;
    write_maps_ok();
    assert_string_equal(written("uid_map"), "0 1000 1\n");
    assert_string_equal(written("gid_map"), "0 2000 1\n");
}

/* EPERM is the kernel saying "not your ids": the hint says where to read
 * why.  Nothing is written after the refused map. */
static void test_05_refused_uid_map_exits_125_with_a_hint(void **state)
{
    char err[4096];

    (void)state;
    fx.euid = 1000;
    refuse("write", "/proc/4242/uid_map", EPERM);
    assert_int_equal(run_write_maps(err, sizeof err), 125);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_contains(err, "step: write(\"/proc/4242/uid_map\", \"0 1000 1\")");
    assert_contains(err, "Operation not permitted");
    assert_contains(err, "user_namespaces(7)");
    assert_int_equal(find_call(0, "open", "/proc/4242/setgroups", NULL), -1);
    assert_int_equal(find_call(0, "open", "/proc/4242/gid_map", NULL), -1);
}

static void test_05_refused_open_of_gid_map_exits_125_naming_it(void **state)
{
    char err[4096];

    (void)state;
    fx.euid = 0;
    refuse("open", "/proc/4242/gid_map", ENOENT);
    assert_int_equal(run_write_maps(err, sizeof err), 125);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_contains(err, "step: open(\"/proc/4242/gid_map\")");
    assert_contains(err, "No such file or directory");
    assert_int_equal(count_calls("write"), 1);
}

static void test_05_verbose_narrates_each_map_written(void **state)
{
    char err[4096];

    (void)state;
    fx.euid = 1000;
    fx.cfg.verbose = 1;
    assert_int_equal(run_write_maps(err, sizeof err), 0);
    assert_string_equal(err,
                        "step: write(\"/proc/4242/uid_map\", \"0 1000 1\")\n"
                        "step: write(\"/proc/4242/setgroups\", \"deny\")\n"
                        "step: write(\"/proc/4242/gid_map\", \"0 2000 1\")\n");
}

/* ---- become_root ---- */

static void become_root_in_child(void *arg)
{
    become_root(arg);
}

static int run_become_root(char *err, size_t errlen)
{
    return run_in_child(become_root_in_child, &fx.cfg, err, errlen);
}

/* Groups before the uid, the order that is always safe: a process that
 * gives up root first loses CAP_SETGID with it (capabilities(7)). */
static void test_05_become_root_sets_gids_then_groups_then_uids(void **state)
{
    char err[4096];

    (void)state;
    assert_int_equal(run_become_root(err, sizeof err), 0);
    assert_string_equal(err, "");
    expect_call(0, "setresgid", "0", "0", "0", 0);
    expect_call(1, "setgroups", "0", NULL, NULL, 0);
    expect_call(2, "setresuid", "0", "0", "0", 0);
    assert_int_equal(calls->n, 3);
}

/* After setgroups "deny" (a run without root) setgroups(2) fails with
 * EPERM: the groups stay, and that is no reason to stop. */
static void test_05_become_root_tolerates_setgroups_eperm(void **state)
{
    char err[4096];

    (void)state;
    refuse("setgroups", NULL, EPERM);
    assert_int_equal(run_become_root(err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_before(require(find_call(0, "setgroups", NULL, NULL), "setgroups"),
                  require(find_call(0, "setresuid", NULL, NULL), "setresuid"),
                  "a refused setgroups must not stop become_root");
}

static void test_05_become_root_dies_on_other_setgroups_errors(void **state)
{
    char err[4096];

    (void)state;
    refuse("setgroups", NULL, EINVAL);
    assert_int_equal(run_become_root(err, sizeof err), 125);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_string_equal(err, "step: setgroups(0, NULL): Invalid argument\n");
    assert_int_equal(count_calls("setresuid"), 0);
}

static void test_05_become_root_refused_setresgid_exits_125(void **state)
{
    char err[4096];

    (void)state;
    refuse("setresgid", NULL, EPERM);
    assert_int_equal(run_become_root(err, sizeof err), 125);
    assert_string_equal(err,
                        "step: setresgid(0, 0, 0): Operation not permitted\n");
    assert_int_equal(count_calls("setresuid"), 0);
}

static void test_05_become_root_refused_setresuid_exits_125(void **state)
{
    char err[4096];

    (void)state;
    refuse("setresuid", NULL, EINVAL);
    assert_int_equal(run_become_root(err, sizeof err), 125);
    assert_string_equal(err, "step: setresuid(0, 0, 0): Invalid argument\n");
}

/* ---- child_main ---- */

struct child_run {
    struct child_args args;
    int status;
    char err[4096];   /* the child's stderr */
    char report[500]; /* what it sent up the report pipe; "" if nothing */
};

static void child_main_in_child(void *arg)
{
    fx.log_io = true;
    child_main(arg);
}

/* child_main() in a child, with the parent's ends of both pipes held by
 * the test.  GO: the parent's byte is waiting in the pipe; without it the
 * parent's end is closed, as if the runtime had died.  The child is
 * stopped at the first mount of setup_mounts(), refused, or by poll(). */
static void run_child_main(struct child_run *run, bool go)
{
    struct report r;
    ssize_t n;

    assert_int_equal(pipe2(run->args.report, O_CLOEXEC), 0);
    assert_int_equal(pipe2(run->args.go, O_CLOEXEC), 0);
    run->args.cfg = &fx.cfg;
    if (go) {
        assert_int_equal(write(run->args.go[1], "g", 1), 1);
    } else {
        /* Already closed: the child's close() of it fails, harmlessly. */
        close(run->args.go[1]);
        run->args.go[1] = -1;
    }
    if (!refuse_fn)
        refuse("mount", "proc", EPERM);
    run->status = run_in_child(child_main_in_child, &run->args, run->err,
                               sizeof run->err);
    close(run->args.report[1]);
    n = read(run->args.report[0], &r, sizeof r);
    run->report[0] = '\0';
    if (n == (ssize_t)sizeof r)
        snprintf(run->report, sizeof run->report, "%.*s", (int)sizeof r.msg,
                 r.msg);
    else if (n > 0)
        snprintf(run->report, sizeof run->report, "(%zd bytes)", n);
    close(run->args.report[0]);
    close(run->args.go[0]);
    if (go)
        close(run->args.go[1]);
}

/* The first mount of proc, setup_mounts()'s first call; -1 if none. */
static int find_mount_proc(void)
{
    return find_call(0, "mount", "proc", "proc");
}

/* The first call that is not a close(). */
static int first_call_but_close(void)
{
    for (int i = 0; i < calls->n; i++)
        if (strcmp(calls->call[i].fn, "close") != 0)
            return i;
    return -1;
}

/* Until the parent has written the maps the child's ids are unmapped:
 * whatever it did before reading "go" it would do as nobody. */
static void test_05_child_reads_the_go_byte_before_anything_else(void **state)
{
    struct child_run run = {0};
    int first;

    (void)state;
    run_child_main(&run, true);
    assert_int_equal(run.status, 125);
    assert_string_equal(run.err, "");
    assert_contains(run.report, "mount(\"proc\"");
    first = require(first_call_but_close(), "read(go pipe)");
    if (strcmp(calls->call[first].fn, "read") != 0 ||
        calls->call[first].num != (unsigned)run.args.go[0])
        flunk(__FILE__, __LINE__, true,
              "call %d: expected read(%d), the go pipe, before anything else",
              first, run.args.go[0]);
    require(find_call(first, "sethostname", NULL, NULL), "sethostname");
}

/* Each side closes the ends it does not use at once: a child holding the
 * go pipe's write end would never see EOF when the parent dies. */
static void test_05_child_closes_the_parents_pipe_ends_first(void **state)
{
    struct child_run run = {0};
    int rd, n = 0;

    (void)state;
    run_child_main(&run, true);
    rd = require(find_call(0, "read", NULL, NULL), "read(go pipe)");
    for (int i = 0; i < rd; i++) {
        unsigned long fd = calls->call[i].num;

        if (strcmp(calls->call[i].fn, "close") == 0 &&
            (fd == (unsigned)run.args.go[1] ||
             fd == (unsigned)run.args.report[0]))
            n++;
    }
    if (n != 2)
        flunk(__FILE__, __LINE__, true,
              "expected close(%d) and close(%d), the parent's ends of the go "
              "and report pipes, before the read",
              run.args.go[1], run.args.report[0]);
}

/* crun's sync: silence is failure, never consent.  The parent already
 * said why, or died: the child says nothing and does nothing. */
static void test_05_child_exits_125_quietly_on_eof_instead_of_go(void **state)
{
    struct child_run run = {0};

    (void)state;
    run_child_main(&run, false);
    assert_int_equal(run.status, 125);
    assert_string_equal(run.err, "");
    assert_string_equal(run.report, "");
    require(find_call(0, "read", NULL, NULL), "read(go pipe)");
    for (int i = 0; i < calls->n; i++) {
        if (strcmp(calls->call[i].fn, "close") != 0 &&
            strcmp(calls->call[i].fn, "read") != 0)
            flunk(__FILE__, __LINE__, true,
                  "call %d: after EOF on the go pipe the child should stop", i);
    }
}

/* prctl(2): changing ids clears the parent-death signal.  Set before
 * setresuid, it would be gone by the time it mattered. */
static void test_05_child_sets_pdeathsig_only_after_setresuid(void **state)
{
    struct child_run run = {0};
    int pdeath, uid;

    (void)state;
    run_child_main(&run, true);
    assert_int_equal(run.status, 125);
    pdeath = require(find_call(0, "prctl", "PR_SET_PDEATHSIG", NULL),
                     "prctl(PR_SET_PDEATHSIG, SIGKILL)");
    assert_int_equal(calls->call[pdeath].num, SIGKILL);
    assert_int_equal(count_calls("prctl"), 1);
    uid = require(find_call(0, "setresuid", NULL, NULL), "setresuid(0, 0, 0)");
    assert_before(require(find_call(0, "setresgid", NULL, NULL), "setresgid"),
                  pdeath, "setresgid clears the parent-death signal too");
    assert_before(uid, pdeath, "setresuid clears the parent-death signal");
    assert_before(pdeath, require(find_mount_proc(), "mount of proc"),
                  "the container must die with the runtime from here on");
}

/* The parent may have died before the signal was set: it holds the go
 * pipe open until the exec, so a hang-up on it means it is gone. */
static void test_05_child_stops_quietly_if_the_parent_died_before(void **state)
{
    struct child_run run = {0};
    int pdeath, poll_call;

    (void)state;
    fx.hang_up = true;
    run_child_main(&run, true);
    assert_int_equal(run.status, 125);
    assert_string_equal(run.err, "");
    assert_string_equal(run.report, "");
    pdeath = require(find_call(0, "prctl", "PR_SET_PDEATHSIG", NULL),
                     "prctl(PR_SET_PDEATHSIG, SIGKILL)");
    poll_call = require(find_call(0, "poll", NULL, NULL), "poll(go pipe)");
    assert_int_equal(calls->call[poll_call].num, run.args.go[0]);
    assert_before(pdeath, poll_call,
                  "a death after the check and before the prctl would go "
                  "unnoticed");
    assert_int_equal(find_call(0, "mount", "proc", NULL), -1);
}

/* enter_rootfs() walks the host's path to the rootfs as the host user
 * that started us, before become_root(); setup_mounts() after it. */
static void test_05_child_enters_rootfs_before_setresuid(void **state)
{
    struct child_run run = {0};
    int cd, gid, uid;

    (void)state;
    run_child_main(&run, true);
    assert_int_equal(run.status, 125);
    cd = require(find_call(0, "chdir", fx.path, NULL), "chdir(rootfs)");
    gid = require(find_call(0, "setresgid", NULL, NULL), "setresgid");
    uid = require(find_call(0, "setresuid", NULL, NULL), "setresuid");
    assert_before(
        require(find_call(0, "sethostname", NULL, NULL), "sethostname"), gid,
        "setup_uts comes first, as in every stage");
    assert_before(cd, gid,
                  "the container's root may not be allowed through the "
                  "host's directories above the rootfs");
    assert_before(uid, require(find_mount_proc(), "mount of proc"),
                  "proc and the rest are mounted as the container's root");
}

/* ---- userns_hint ---- */

/* Every sysctl as a kernel that allows user namespaces has it. */
static void sysctls_allow(void)
{
    sysctl_says("kernel/unprivileged_userns_clone", "1\n");
    sysctl_says("user/max_user_namespaces", "15000\n");
    sysctl_says("kernel/apparmor_restrict_unprivileged_userns", "0\n");
}

/* Debian's and Ubuntu's older kernels could switch them off. */
static void
test_05_userns_hint_names_kernel_unprivileged_userns_clone(void **state)
{
    const char *hint;

    (void)state;
    fx.euid = 1000;
    sysctls_allow();
    sysctl_says("kernel/unprivileged_userns_clone", "0\n");
    hint = userns_hint();
    assert_non_null(hint);
    assert_contains(hint, "kernel.unprivileged_userns_clone");
}

static void test_05_userns_hint_names_user_max_user_namespaces(void **state)
{
    const char *hint;

    (void)state;
    fx.euid = 1000;
    sysctls_allow();
    sysctl_says("user/max_user_namespaces", "0\n");
    hint = userns_hint();
    assert_non_null(hint);
    assert_contains(hint, "user.max_user_namespaces");
}

/* Ubuntu 24.04 restricts them through AppArmor. */
static void test_05_userns_hint_names_apparmor_restriction(void **state)
{
    const char *hint;

    (void)state;
    fx.euid = 1000;
    sysctls_allow();
    sysctl_says("kernel/apparmor_restrict_unprivileged_userns", "1\n");
    hint = userns_hint();
    assert_non_null(hint);
    assert_contains(hint, "kernel.apparmor_restrict_unprivileged_userns");
}

/* The hint is asked for while errno still holds the caller's error, for
 * its message: knobs missing (most kernels lack one or two) or present,
 * errno stays. */
static void test_05_userns_hint_keeps_errno(void **state)
{
    (void)state;
    fx.euid = 1000;
    errno = EPERM;
    assert_null(userns_hint()); /* no sysctl file at all */
    assert_int_equal(errno, EPERM);
    sysctl_says("user/max_user_namespaces", "0\n");
    errno = ENOSPC;
    assert_non_null(userns_hint());
    assert_int_equal(errno, ENOSPC);
}

/* Sysctls that allow them, or that this kernel lacks: the hint is only
 * that a user is not root. */
static void test_05_userns_hint_when_no_sysctl_refuses(void **state)
{
    (void)state;
    fx.euid = 1000;
    assert_null(userns_hint()); /* no such files */
    sysctls_allow();
    assert_null(userns_hint());
    assert_int_equal(count_calls("fopen"), 6);
}

/* With no sysctl to blame: a user is told to run as root, and a limit
 * reached (ENOSPC, EUSERS) is named as such, for root and users alike. */
static void test_05_clone_hint_without_a_sysctl_to_blame(void **state)
{
    (void)state;
    sysctls_allow();
    fx.euid = 1000;
    assert_contains(clone_hint(EPERM), "run as root");
    assert_contains(clone_hint(ENOSPC), "namespace limit");
    fx.euid = 0;
    assert_null(clone_hint(EPERM));
    assert_contains(clone_hint(EUSERS), "namespace limit");
}

/* clone(2) refused for a user namespace: EPERM, EACCES (AppArmor),
 * ENOSPC or EUSERS (the limit) all ask the sysctls why. */
static void test_05_refused_clone_hint_asks_the_sysctls(void **state)
{
    static const int errs[] = {EPERM, EACCES, ENOSPC, EUSERS};

    (void)state;
    fx.euid = 1000;
    sysctls_allow();
    sysctl_says("user/max_user_namespaces", "0\n");
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        const char *hint = clone_hint(errs[i]);

        if (!hint || !strstr(hint, "user.max_user_namespaces"))
            fail_msg("clone_hint(%s): %s", strerror(errs[i]),
                     hint ? hint : "NULL");
    }
    assert_null(clone_hint(EINVAL));
}

/* ---- fail() in the parent: the child's error first ---- */

struct parent_fails {
    int report[2];    /* the report pipe, as run_container() makes it */
    bool child_said;  /* the child wrote its report before dying */
};

/* The parent's fail() after the child is gone: the go pipe broke. */
static void parent_fails_on_the_go_pipe(void *arg)
{
    struct parent_fails *pf = arg;
    struct report r = {.status = 126};

    if (pf->child_said) {
        snprintf(r.msg, sizeof r.msg, "step: setresgid(0, 0, 0): Invalid argument");
        assert_int_equal(write(pf->report[1], &r, sizeof r), (ssize_t)sizeof r);
    }
    close(pf->report[1]);
    child_report_fd = pf->report[0];
    /* die("write(go pipe)"), past cmocka's fail() macro */
    (fail)(125, EPIPE, NULL, "write(go pipe)");
}

/* A child that failed before the parent wrote "g" broke the go pipe; its
 * error, waiting in the report pipe, is the one that says why, and its
 * status is the run's. */
static void test_05_parent_failure_shows_the_childs_error_first(void **state)
{
    struct parent_fails pf = {.child_said = true};
    char err[1024];

    (void)state;
    assert_int_equal(pipe(pf.report), 0);
    assert_int_equal(run_in_child(parent_fails_on_the_go_pipe, &pf, err, sizeof err), 126);
    close(pf.report[0]);
    close(pf.report[1]);
    assert_string_equal(err, "step: setresgid(0, 0, 0): Invalid argument\n");
}

/* With nothing from the child, the parent's own error stands. */
static void test_05_parent_failure_without_a_report_is_its_own(void **state)
{
    struct parent_fails pf = {.child_said = false};
    char err[1024];

    (void)state;
    assert_int_equal(pipe(pf.report), 0);
    assert_int_equal(run_in_child(parent_fails_on_the_go_pipe, &pf, err, sizeof err), 125);
    close(pf.report[0]);
    close(pf.report[1]);
    assert_string_equal(err, "step: write(go pipe): Broken pipe\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(t) cmocka_unit_test_setup_teardown(t, make_fixture, remove_fixture)
        TEST(test_05_id_map_parses_inside_outside_count),
        TEST(test_05_parent_failure_shows_the_childs_error_first),
        TEST(test_05_parent_failure_without_a_report_is_its_own),
        TEST(test_05_id_map_refuses_malformed_text),
        TEST(test_05_id_map_refuses_count_0),
        TEST(test_05_id_map_refuses_ranges_past_4294967295),
        TEST(test_05_id_map_accepts_ranges_ending_at_4294967295),
        TEST(test_05_default_maps_as_root_are_0_100000_65536),
        TEST(test_05_default_maps_as_a_user_map_root_to_their_ids),
        TEST(test_05_default_maps_follow_the_real_euid),
        TEST(test_05_uid_map_and_gid_map_options_set_each_map),
        TEST(test_05_bad_uid_map_or_gid_map_is_refused_naming_it),
        TEST(test_05_uid_map_without_argument_is_refused_naming_it),
        TEST(test_05_id_map_formats_as_one_proc_line),
        TEST(test_05_id_map_format_refuses_a_buffer_too_small),
        TEST(test_05_write_id_maps_as_root_writes_uid_then_gid_map),
        TEST(test_05_write_id_maps_as_a_user_denies_setgroups_before_gid_map),
        TEST(test_05_write_id_maps_follows_the_real_euid),
        TEST(test_05_id_map_maps_root_to_host_uid),
        TEST(test_05_refused_uid_map_exits_125_with_a_hint),
        TEST(test_05_refused_open_of_gid_map_exits_125_naming_it),
        TEST(test_05_verbose_narrates_each_map_written),
        TEST(test_05_become_root_sets_gids_then_groups_then_uids),
        TEST(test_05_become_root_tolerates_setgroups_eperm),
        TEST(test_05_become_root_dies_on_other_setgroups_errors),
        TEST(test_05_become_root_refused_setresgid_exits_125),
        TEST(test_05_become_root_refused_setresuid_exits_125),
        TEST(test_05_child_reads_the_go_byte_before_anything_else),
        TEST(test_05_child_closes_the_parents_pipe_ends_first),
        TEST(test_05_child_exits_125_quietly_on_eof_instead_of_go),
        TEST(test_05_child_sets_pdeathsig_only_after_setresuid),
        TEST(test_05_child_stops_quietly_if_the_parent_died_before),
        TEST(test_05_child_enters_rootfs_before_setresuid),
        TEST(test_05_userns_hint_names_kernel_unprivileged_userns_clone),
        TEST(test_05_userns_hint_names_user_max_user_namespaces),
        TEST(test_05_userns_hint_names_apparmor_restriction),
        TEST(test_05_userns_hint_when_no_sysctl_refuses),
        TEST(test_05_userns_hint_keeps_errno),
        TEST(test_05_clone_hint_without_a_sysctl_to_blame),
        TEST(test_05_refused_clone_hint_asks_the_sysctls),
    };

    return cmocka_run_group_tests_name("test_05_user", tests, NULL, NULL);
}
