/* Stage 07: limits, hardening, signals and `step exec`.  parse_size(),
 * parse_cpus(), parse_args(), cgroup_self_path() and exit_status() are
 * pure; the rest is tested through fakes, or with real child processes
 * where no root is needed:
 *
 *   open, write, close, mkdir, rmdir
 *                 a path under the test's fake cgroup root (fx.root) is
 *                 logged as "ROOT/...": open("ROOT/pids/step-9/pids.max"),
 *                 write(path, text), mkdir, rmdir.  mkdir gives the new
 *                 directory the interface files cgroupfs would (v1: those
 *                 of its controller; v2: all), rmdir takes them with it,
 *                 so cgroup_setup() runs against a plain temporary
 *                 directory.  open("/proc/self/cgroup") reads the text a
 *                 test gives (self_cgroup_says()), or the real file.  Any
 *                 other path is the real one, unlogged.
 *   fopen         "/proc/4242/status" is the text a test gives
 *                 (status_says()); anything else is real.
 *   kill          real, but kill(OTHER_USERS_PID, 0) is EPERM: a live
 *                 process of another user, whoever runs the tests.
 *   prctl         logged, and succeeds unless refused; PR_CAPBSET_DROP of
 *                 a number above fx.last_cap fails with EINVAL, as the
 *                 kernel's does.  No capability is ever dropped.
 *   syscall       SYS_capset is logged and its data kept in sh; other
 *                 numbers are made for real.
 *   seccomp_init, seccomp_attr_set, seccomp_rule_add, seccomp_load,
 *   seccomp_release
 *                 logged, and every rule (action, syscall number and the
 *                 variadic struct scmp_arg_cmp comparisons) is kept in sh;
 *                 nothing is loaded.  With fx.real they go to libseccomp,
 *                 and load either exports the filter as text (sh->pfc)
 *                 or, in a child process that ends at once, loads it.
 *
 * Signals are tested with real processes: a runtime in a child of the
 * test, and a container command that is its child.
 */
/* run.sh reads the wrap and solutions lines whole: */
/* clang-format off */
/* wrap: open write close mkdir rmdir fopen kill prctl syscall seccomp_init seccomp_attr_set seccomp_rule_add seccomp_load seccomp_release */
/* solutions: 07-full */
/* clang-format on */
#ifndef RUNTIME
#define RUNTIME "../../solutions/07-full/runtime.c"
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* usage(): main's */
#include RUNTIME
#pragma GCC diagnostic pop

#include <ftw.h>
#include <limits.h>
#include <time.h>

#define UNIT_PARSE
#include "unit.h"

/* A pid whose /proc/PID/status is fake, when a test says what it holds. */
#define FAKE_PID 4242

/* A pid that kill(PID, 0) says is alive and not ours. */
#define OTHER_USERS_PID 4194303

#define MAX_RULES 128

/* What a child run of the code under test leaves for the test to see. */
struct rule {
    uint32_t action;
    int nr;
    unsigned argc;
    struct scmp_arg_cmp arg[6];
    int at; /* the length of the call log when the rule was added */
};

struct shared {
    int nrules;
    struct rule rule[MAX_RULES];
    struct __user_cap_header_struct cap_hdr; /* the last capset */
    struct __user_cap_data_struct cap_data[2];
    pid_t pid;     /* the process that ran cgroup_setup(): step-<pid> */
    int ndirs, v2; /* owned, as that process left it */
    long ret;      /* what the function a child ran returned */
    struct clone3_args clone3; /* the last clone3, and its cgroup's path */
    char clone3_dir[sizeof owned.dirs[0]];
    char dirs[ARRAY_SIZE(cgroup_controllers)][sizeof owned.dirs[0]];
    char pfc[65536]; /* the filter, as seccomp_export_pfc() writes it */
};

/* MAP_SHARED, as unit.h's call log: a child's results reach the test. */
static struct shared *sh;

static struct {
    char tmp[256];          /* the temporary directory */
    char root[300];         /* tmp/cgroup: the ROOT cgroup_setup() gets */
    bool self_cgroup;       /* /proc/self/cgroup is tmp/self-cgroup */
    bool v1;                /* mkdir in ROOT makes v1 interface files */
    char status[256];       /* /proc/FAKE_PID/status; "" none */
    int last_cap;           /* the highest capability the "kernel" has */
    int rmdir_busy;         /* so many rmdirs in ROOT fail with EBUSY */
    int rule_rc;            /* what seccomp_rule_add returns; 0 */
    char leftover[64];      /* ROOT/leftover/step-<pid> exists already */
    bool leftover_young;    /* and was made just now, not a minute ago */
    bool real;              /* prctl, syscall, seccomp_* are real */
    bool load_for_real;     /* and seccomp_load loads the filter */
    int fake_fd[8];         /* descriptors open on files in ROOT */
    char fake_name[8][256]; /* their names, "ROOT/..." */
} fx;

/* cfg: unit.h (UNIT_PARSE), shared with parse(). */

/* ---- the fakes ---- */

/* "ROOT/pids/step-9" in BUF for a path in the fake cgroup tree; NULL for
 * any other path. */
static const char *in_tree(const char *path, char *buf, size_t len)
{
    size_t n = strlen(fx.root);

    if (!fx.root[0] || strncmp(path, fx.root, n) != 0 ||
        (path[n] != '/' && path[n] != '\0'))
        return NULL;
    snprintf(buf, len, "ROOT%s", path + n);
    return buf;
}

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
    char name[256], real[600];
    mode_t mode = 0;
    va_list ap;
    int fd;

    if (flags & O_CREAT) {
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (fx.self_cgroup && strcmp(path, "/proc/self/cgroup") == 0) {
        snprintf(real, sizeof real, "%s/self-cgroup", fx.tmp);
        return __real_open(real, flags, mode);
    }
    if (!in_tree(path, name, sizeof name))
        return __real_open(path, flags, mode);
    record("open", name, NULL, NULL, (unsigned)(flags & O_ACCMODE));
    if (refused("open", name))
        return -1;
    /* No O_CREAT: as in cgroupfs, only the files mkdir made are there.
     * O_APPEND: every write shows in the file. */
    fd = __real_open(path, (flags & ~O_CREAT) | O_APPEND);
    for (int i = 0; fd >= 0 && i < 8; i++) {
        if (fx.fake_fd[i] < 0) {
            fx.fake_fd[i] = fd;
            snprintf(fx.fake_name[i], sizeof fx.fake_name[i], "%s", name);
            break;
        }
    }
    return fd;
}

ssize_t __real_write(int fd, const void *buf, size_t len);

/* write("ROOT/pids/step-9/pids.max", "100", NULL, 3). */
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
    for (int i = 0; i < 8; i++)
        if (fd >= 0 && fx.fake_fd[i] == fd)
            fx.fake_fd[i] = -1;
    return __real_close(fd);
}

/* The interface files a new cgroup at PATH has. */
static void make_interface_files(const char *path)
{
    static const char *const v2[] = {"cgroup.procs",
                                     "cgroup.controllers",
                                     "cgroup.subtree_control",
                                     "memory.max",
                                     "memory.swap.max",
                                     "pids.max",
                                     "cpu.max",
                                     NULL};
    static const char *const memory[] = {"cgroup.procs",
                                         "memory.limit_in_bytes", NULL};
    static const char *const pids[] = {"cgroup.procs", "pids.max", NULL};
    static const char *const cpu[] = {"cgroup.procs", "cpu.cfs_period_us",
                                      "cpu.cfs_quota_us", NULL};
    static const struct {
        const char *dir;
        const char *const *files;
    } v1[] = {{"/memory/", memory}, {"/pids/", pids}, {"/cpu/", cpu}};
    const char *rel = path + strlen(fx.root);
    const char *const *files = fx.v1 ? NULL : v2;
    char file[700];

    for (size_t i = 0; fx.v1 && i < sizeof v1 / sizeof v1[0]; i++)
        if (strncmp(rel, v1[i].dir, strlen(v1[i].dir)) == 0)
            files = v1[i].files;
    for (int i = 0; files && files[i]; i++) {
        snprintf(file, sizeof file, "%s/%s", path, files[i]);
        __real_close(__real_open(file, O_WRONLY | O_CREAT, 0644));
    }
}

int __real_mkdir(const char *path, mode_t mode);

int __wrap_mkdir(const char *path, mode_t mode)
{
    char name[256];

    if (!in_tree(path, name, sizeof name))
        return __real_mkdir(path, mode);
    record("mkdir", name, NULL, NULL, mode);
    if (refused("mkdir", name) || __real_mkdir(path, mode) < 0)
        return -1;
    make_interface_files(path);
    return 0;
}

int __real_rmdir(const char *path);

/* cgroupfs: the interface files go with the directory, and a cgroup
 * with cgroups below it is busy. */
int __wrap_rmdir(const char *path)
{
    char name[256], file[700];
    struct dirent *e;
    struct stat st;
    DIR *d;

    if (!in_tree(path, name, sizeof name))
        return __real_rmdir(path);
    record("rmdir", name, NULL, NULL, 0);
    if (fx.rmdir_busy > 0) {
        fx.rmdir_busy--;
        errno = EBUSY;
        return -1;
    }
    if (refused("rmdir", name) || !(d = opendir(path)))
        return -1;
    while ((e = readdir(d))) {
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (e->d_name[0] != '.' && lstat(file, &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            closedir(d);
            errno = EBUSY;
            return -1;
        }
    }
    rewinddir(d);
    while ((e = readdir(d))) {
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (e->d_name[0] != '.')
            unlink(file);
    }
    closedir(d);
    return __real_rmdir(path);
}

FILE *__real_fopen(const char *path, const char *mode);

FILE *__wrap_fopen(const char *path, const char *mode)
{
    char fake[64];

    snprintf(fake, sizeof fake, "/proc/%d/status", FAKE_PID);
    if (fx.status[0] && strcmp(path, fake) == 0)
        return fmemopen(fx.status, strlen(fx.status), "r");
    return __real_fopen(path, mode);
}

int __real_kill(pid_t pid, int sig);

int __wrap_kill(pid_t pid, int sig)
{
    if (pid == OTHER_USERS_PID && sig == 0) {
        errno = EPERM;
        return -1;
    }
    return __real_kill(pid, sig);
}

int __real_prctl(int option, ...);

static const char *prctl_name(int option)
{
    switch (option) {
    case PR_CAPBSET_DROP:
        return "PR_CAPBSET_DROP";
    case PR_CAP_AMBIENT:
        return "PR_CAP_AMBIENT";
    case PR_SET_NO_NEW_PRIVS:
        return "PR_SET_NO_NEW_PRIVS";
    case PR_SET_DUMPABLE:
        return "PR_SET_DUMPABLE";
    case PR_SET_PDEATHSIG:
        return "PR_SET_PDEATHSIG";
    default:
        return "prctl";
    }
}

/* prctl("PR_CAPBSET_DROP", NULL, NULL, 21): the option, and arg2. */
int __wrap_prctl(int option, ...)
{
    unsigned long a[4];
    va_list ap;

    va_start(ap, option);
    for (int i = 0; i < 4; i++)
        a[i] = va_arg(ap, unsigned long);
    va_end(ap);
    if (fx.real)
        return __real_prctl(option, a[0], a[1], a[2], a[3]);
    record("prctl", prctl_name(option), NULL, NULL, a[0]);
    if (option == PR_CAPBSET_DROP && (int)a[0] > fx.last_cap) {
        errno = EINVAL;
        return -1;
    }
    return refused("prctl", prctl_name(option)) ? -1 : 0;
}

long __real_syscall(long number, ...);

long __wrap_syscall(long number, ...)
{
    long a[6];
    va_list ap;

    va_start(ap, number);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (!fx.real && number == SYS_clone3) {
        /* clone3(ARGS, SIZE): keep ARGS and where its cgroup fd points;
         * a pid, but no child */
        char link[64];
        ssize_t n;

        memcpy(&sh->clone3, (void *)a[0], sizeof sh->clone3);
        snprintf(link, sizeof link, "/proc/self/fd/%d", (int)sh->clone3.cgroup);
        n = readlink(link, sh->clone3_dir, sizeof sh->clone3_dir - 1);
        sh->clone3_dir[n > 0 ? n : 0] = '\0';
        record("clone3", NULL, NULL, NULL, (unsigned long)sh->clone3.flags);
        return refused("clone3", NULL) ? -1 : FAKE_PID;
    }
    if (fx.real || number != SYS_capset)
        return __real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    record("capset", NULL, NULL, NULL, 0);
    memcpy(&sh->cap_hdr, (void *)a[0], sizeof sh->cap_hdr);
    memcpy(sh->cap_data, (void *)a[1], sizeof sh->cap_data);
    return refused("capset", NULL) ? -1 : 0;
}

static int fake_ctx;

scmp_filter_ctx __real_seccomp_init(uint32_t def_action);

scmp_filter_ctx __wrap_seccomp_init(uint32_t def_action)
{
    record("seccomp_init", NULL, NULL, NULL, def_action);
    if (fx.real)
        return __real_seccomp_init(def_action);
    return refused("seccomp_init", NULL) ? NULL : &fake_ctx;
}

int __real_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr,
                            uint32_t value);

/* seccomp_attr_set("SCMP_FLTATR_CTL_NNP", NULL, NULL, 0). */
int __wrap_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr,
                            uint32_t value)
{
    char name[32];

    if (attr == SCMP_FLTATR_CTL_NNP)
        snprintf(name, sizeof name, "SCMP_FLTATR_CTL_NNP");
    else
        snprintf(name, sizeof name, "%d", (int)attr);
    record("seccomp_attr_set", name, NULL, NULL, value);
    if (fx.real)
        return __real_seccomp_attr_set(ctx, attr, value);
    return refused("seccomp_attr_set", name) ? -errno : 0;
}

int __wrap_seccomp_rule_add(scmp_filter_ctx ctx, uint32_t action, int nr,
                            unsigned int argc, ...)
{
    struct scmp_arg_cmp arg[6] = {{0}};
    va_list ap;

    va_start(ap, argc);
    for (unsigned i = 0; i < argc && i < 6; i++)
        arg[i] = va_arg(ap, struct scmp_arg_cmp);
    va_end(ap);
    if (sh->nrules < MAX_RULES) {
        struct rule *r = &sh->rule[sh->nrules++];

        *r = (struct rule){
            .action = action, .nr = nr, .argc = argc, .at = calls->n};
        memcpy(r->arg, arg, sizeof arg);
    }
    if (fx.real)
        return seccomp_rule_add_array(ctx, action, nr, argc, arg);
    return fx.rule_rc;
}

int __real_seccomp_load(const scmp_filter_ctx ctx);

int __wrap_seccomp_load(const scmp_filter_ctx ctx)
{
    int fd, rc;
    ssize_t n;

    record("seccomp_load", NULL, NULL, NULL, 0);
    if (!fx.real)
        return refused("seccomp_load", NULL) ? -errno : 0;
    if (fx.load_for_real)
        return __real_seccomp_load(ctx);
    /* The filter as text, instead of loaded. */
    if ((fd = memfd_create("pfc", 0)) < 0)
        return -errno;
    rc = seccomp_export_pfc(ctx, fd);
    lseek(fd, 0, SEEK_SET);
    n = read(fd, sh->pfc, sizeof sh->pfc - 1);
    sh->pfc[n > 0 ? n : 0] = '\0';
    __real_close(fd);
    return rc;
}

void __real_seccomp_release(scmp_filter_ctx ctx);

void __wrap_seccomp_release(scmp_filter_ctx ctx)
{
    record("seccomp_release", NULL, NULL, NULL, 0);
    if (fx.real)
        __real_seccomp_release(ctx);
}

/* ---- the temporary directory ---- */

static int make_fixture(void **state)
{
    const char *tmp = getenv("TMPDIR");

    if (calls_reset(state) < 0)
        return -1;
    if (!sh) {
        sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (sh == MAP_FAILED)
            return -1;
    }
    memset(sh, 0, sizeof *sh);
    memset(&fx, 0, sizeof fx);
    for (int i = 0; i < 8; i++)
        fx.fake_fd[i] = -1;
    fx.last_cap = 40; /* CAP_CHECKPOINT_RESTORE, Linux 5.9 */
    /* What the runtime owns is global: no test may see another's. */
    owned.child = -1;
    owned.ndirs = 0;
    owned.v2 = 0;
    memset(owned.dirs, 0, sizeof owned.dirs);
    cfg = (struct config){.hostname = "container", .stop_timeout = 10};
    snprintf(fx.tmp, sizeof fx.tmp, "%s/step-unit-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx.tmp))
        return -1;
    snprintf(fx.root, sizeof fx.root, "%s/cgroup", fx.tmp);
    return __real_mkdir(fx.root, 0755);
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
    fx.root[0] = '\0';
    return nftw(fx.tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ROOT/REL, the real path. */
static const char *at_root(const char *rel)
{
    static char path[4][700];
    static int next;
    char *p = path[next++ % 4];

    snprintf(p, sizeof path[0], "%s%s%s", fx.root, *rel == '/' ? "" : "/", rel);
    return p;
}

/* mkdir -p ROOT/REL, as the host's cgroup tree has it. */
static void tree_has_dir(const char *rel)
{
    char path[700];

    snprintf(path, sizeof path, "%s", at_root(rel));
    for (char *p = path + strlen(fx.root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            __real_mkdir(path, 0755);
            *p = '/';
        }
    }
    __real_mkdir(path, 0755);
}

/* ROOT/REL says TEXT (and exists). */
static void tree_has_file(const char *rel, const char *text)
{
    FILE *f = __real_fopen(at_root(rel), "w");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Date PATH a minute back: older than cgroup_young() keeps. */
static void make_old_path(const char *path)
{
    struct timespec t[2] = {{.tv_sec = time(NULL) - 60},
                            {.tv_sec = time(NULL) - 60}};

    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void make_old(const char *rel) { make_old_path(at_root(rel)); }

static bool tree_has(const char *rel)
{
    struct stat st;

    return lstat(at_root(rel), &st) == 0;
}

/* What ROOT/REL holds; "(none)" if there is no such file. */
static const char *tree_file(const char *rel)
{
    static char text[256];
    FILE *f = __real_fopen(at_root(rel), "r");
    size_t n;

    if (!f)
        return "(none)";
    n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* /proc/self/cgroup says TEXT from now on. */
static void self_cgroup_says(const char *text)
{
    char path[300];
    FILE *f;

    snprintf(path, sizeof path, "%s/self-cgroup", fx.tmp);
    f = __real_fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    fx.self_cgroup = true;
}

/* Seconds since T0, on the monotonic clock. */
static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- parse_size ---- */

static void test_07_parse_size_reads_k_m_g_as_powers_of_1024(void **state)
{
    static const struct {
        const char *text;
        unsigned long long bytes;
    } ok[] = {
        /* clang-format off */
        {"64m", 67108864ULL},  {"64M", 67108864ULL},
        {"1g", 1073741824ULL}, {"1G", 1073741824ULL},
        {"512k", 524288ULL},   {"512K", 524288ULL},
        {"4096", 4096ULL},     {"1", 1ULL},
        /* 2^62 is the most, however it is written */
        {"4611686018427387904", 1ULL << 62},
        {"4294967296g", 1ULL << 62},
        {"4398046511104m", 1ULL << 62},
        {"4503599627370496k", 1ULL << 62},
        /* clang-format on */
    };

    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        unsigned long long bytes = 0;

        if (parse_size(ok[i].text, &bytes) != 0)
            fail_msg("\"%s\" was refused", ok[i].text);
        if (bytes != ok[i].bytes)
            fail_msg("\"%s\" is %llu bytes, not %llu", ok[i].text, bytes,
                     ok[i].bytes);
    }
}

/* Zero, signs, blanks, other suffixes, no digits, and more than 2^62,
 * which cgroups would take as "no limit" or refuse. */
static void test_07_parse_size_refuses_zero_junk_and_overflow(void **state)
{
    static const char *const bad[] = {
        /* clang-format off */
        "0", "0k", "0m", "-1", "+1", " 64m", "64 m", "64m ", "64x", "64mb",
        "1gg", "1kk", "lots", "", "m", "k", "0x10", "1.5g",
        "4611686018427387905", "4294967297g", "4398046511105m",
        "4503599627370497k", "18446744073709551615",
        "18446744073709551616", "99999999999999999999999g",
        /* clang-format on */
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned long long bytes = 12345;

        if (parse_size(bad[i], &bytes) == 0)
            fail_msg("\"%s\" was accepted as %llu bytes", bad[i], bytes);
        if (bytes != 12345)
            fail_msg("refused \"%s\", but changed the result to %llu", bad[i],
                     bytes);
    }
}

/* ---- parse_cpus ---- */

/* A quota of microseconds per 100 ms period (CPU_PERIOD). */
static void test_07_parse_cpus_is_a_quota_per_100ms(void **state)
{
    static const struct {
        const char *text;
        long quota;
    } ok[] = {{"0.5", 50000},  {"2", 200000},  {"0.01", 1000},
              {"1", 100000},   {".5", 50000},  {"1.5", 150000},
              {"0.29", 29000}, {"0.07", 7000}, {"1024", 102400000}};

    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        long quota = 0;

        if (parse_cpus(ok[i].text, &quota) != 0)
            fail_msg("\"%s\" was refused", ok[i].text);
        if (quota != ok[i].quota)
            fail_msg("\"%s\" is a quota of %ld, not %ld", ok[i].text, quota,
                     ok[i].quota);
    }
}

/* cpu.max refuses a quota under 1 ms; more than 1024 CPUs is a typo. */
static void test_07_parse_cpus_refuses_under_0_01_and_over_1024(void **state)
{
    static const char *const bad[] = {"0",    "0.0", "-0.5",  "-1",    "abc",
                                      "",     ".",   "0.001", "0.009", "1025",
                                      "2048", "1e9", "0.5x",  "0.5 ",  " 0.5",
                                      "+1",   "nan", "inf",   "1,5"};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long quota = 12345;

        if (parse_cpus(bad[i], &quota) == 0)
            fail_msg("\"%s\" was accepted as a quota of %ld", bad[i], quota);
        if (quota != 12345)
            fail_msg("refused \"%s\", but changed the result to %ld", bad[i],
                     quota);
    }
}

/* ---- parse_args ---- */

/* parse(ARGV(...)), cfg and errmsg: unit.h (UNIT_PARSE). */

static void test_07_limits_default_to_none_and_stop_timeout_to_10(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV(NULL)), 0);
    assert_int_equal(cfg.memory, 0);
    assert_int_equal(cfg.pids, 0);
    assert_int_equal(cfg.cpu_quota, 0);
    assert_int_equal(cfg.init, 0);
    assert_int_equal(cfg.stop_timeout, 10);
    assert_int_equal(cfg.exec_pid, 0);
    assert_string_equal(cfg.argv[0], "/bin/sh");
}

static void test_07_memory_pids_cpus_init_stop_timeout_are_read(void **state)
{
    (void)state;
    assert_int_equal(
        parse(ARGV("-m", "64m", "-p", "100", "-c", "0.5", "--init",
                   "--stop-timeout", "3", "--", "sh", "-c", "true", NULL)),
        0);
    assert_int_equal(cfg.memory, 67108864ULL);
    assert_int_equal(cfg.pids, 100);
    assert_int_equal(cfg.cpu_quota, 50000);
    assert_int_equal(cfg.init, 1);
    assert_int_equal(cfg.stop_timeout, 3);
    assert_int_equal(cfg.exec_pid, 0);
    assert_string_equal(cfg.argv[0], "sh");
    assert_string_equal(cfg.argv[1], "-c");
    assert_int_equal(parse(ARGV("--memory=1g", "--pids=4194304", "--cpus=2",
                                "--stop-timeout=1", NULL)),
                     0);
    assert_int_equal(cfg.memory, 1073741824ULL);
    assert_int_equal(cfg.pids, 4194304);
    assert_int_equal(cfg.cpu_quota, 200000);
    assert_int_equal(cfg.stop_timeout, 1);
    assert_int_equal(cfg.init, 0);
    assert_int_equal(parse(ARGV("--memory", "512k", "--pids", "1", "--cpus",
                                "0.01", "true", NULL)),
                     0);
    assert_int_equal(cfg.memory, 524288);
    assert_int_equal(cfg.pids, 1);
    assert_int_equal(cfg.cpu_quota, 1000);
    assert_string_equal(cfg.argv[0], "true");
}

/* Fail unless ARGV is refused with a message containing each of the
 * words that follow it. */
#define assert_refused(argv, ...)                                              \
    assert_refused_at(__LINE__, (argv), __VA_ARGS__, NULL)
static void assert_refused_at(int line, char **argv, ...)
{
    const char *want;
    char words[256] = "";
    va_list ap;
    int rc = parse(argv);

    for (int i = 1; argv[i]; i++)
        snprintf(words + strlen(words), sizeof words - strlen(words), " %s",
                 argv[i]);
    if (rc != -1) {
        print_error("step%s: parse_args returned %d, not -1\n", words, rc);
        _fail(__FILE__, line);
    }
    va_start(ap, argv);
    while ((want = va_arg(ap, const char *))) {
        if (!strstr(errmsg, want)) {
            print_error("step%s: expected \"%s\" in the error:\n%s\n", words,
                        want, errmsg);
            _fail(__FILE__, line);
        }
    }
    va_end(ap);
}

static void test_07_bad_limits_are_refused_naming_the_option(void **state)
{
    (void)state;
    assert_refused(ARGV("-m", "0", NULL), "--memory", "0");
    assert_refused(ARGV("--memory", "lots", NULL), "--memory", "lots");
    assert_refused(ARGV("--memory=64x", NULL), "--memory", "64x");
    assert_refused(ARGV("-m", "-1", NULL), "--memory");
    assert_refused(ARGV("-m", "1gg", NULL), "--memory", "1gg");
    assert_refused(ARGV("-p", "0", NULL), "--pids", "0");
    assert_refused(ARGV("--pids", "-1", NULL), "--pids", "-1");
    assert_refused(ARGV("--pids", "ten", NULL), "--pids", "ten");
    assert_refused(ARGV("--pids", "10x", NULL), "--pids", "10x");
    assert_refused(ARGV("--pids", "", NULL), "--pids");
    assert_refused(ARGV("--pids", "4194305", NULL), "--pids");
    assert_refused(ARGV("--pids", " 5", NULL), "--pids");
    assert_refused(ARGV("-c", "0", NULL), "--cpus", "0");
    assert_refused(ARGV("--cpus", "abc", NULL), "--cpus", "abc");
    assert_refused(ARGV("--cpus=0.001", NULL), "--cpus", "0.001");
    assert_refused(ARGV("--cpus", "1025", NULL), "--cpus", "1025");
    assert_refused(ARGV("--cpus", "-0.5", NULL), "--cpus");
    assert_refused(ARGV("--stop-timeout", "0", NULL), "--stop-timeout", "0");
    assert_refused(ARGV("--stop-timeout", "soon", NULL), "--stop-timeout");
    assert_refused(ARGV("--stop-timeout", "-1", NULL), "--stop-timeout");
    assert_refused(ARGV("--stop-timeout=", NULL), "--stop-timeout");
}

static void test_07_limit_without_argument_is_refused_naming_it(void **state)
{
    (void)state;
    assert_refused(ARGV("-m", NULL), "-m", "needs an argument");
    assert_refused(ARGV("-p", NULL), "-p", "needs an argument");
    assert_refused(ARGV("-c", NULL), "-c", "needs an argument");
    assert_refused(ARGV("--memory", NULL), "--memory", "needs an argument");
    assert_refused(ARGV("--cpus", NULL), "--cpus", "needs an argument");
    assert_refused(ARGV("--stop-timeout", NULL), "--stop-timeout",
                   "needs an argument");
}

/* step exec PID [--] COMMAND: the PID, and the command after it. */
static void test_07_exec_reads_the_pid_and_the_command(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("exec", "4242", "--", "ls", "-l", NULL)), 0);
    assert_int_equal(cfg.exec_pid, 4242);
    assert_string_equal(cfg.argv[0], "ls");
    assert_string_equal(cfg.argv[1], "-l");
    assert_null(cfg.argv[2]);
    assert_int_equal(parse(ARGV("exec", "1", "sh", NULL)), 0);
    assert_int_equal(cfg.exec_pid, 1);
    assert_string_equal(cfg.argv[0], "sh");
    assert_null(cfg.argv[1]);
    assert_int_equal(parse(ARGV("-v", "exec", "4194304", "--", "--", NULL)), 0);
    assert_int_equal(cfg.verbose, 1);
    assert_int_equal(cfg.exec_pid, 4194304);
    assert_string_equal(cfg.argv[0], "--");
    /* "--" ends the options, not the command's own */
    assert_int_equal(parse(ARGV("exec", "7", "ps", "-ef", NULL)), 0);
    assert_string_equal(cfg.argv[1], "-ef");
}

/* After "--", or as an option's argument, "exec" is a command's name. */
static void test_07_exec_after_dashdash_is_a_command_named_exec(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("--", "exec", "4242", "ls", NULL)), 0);
    assert_int_equal(cfg.exec_pid, 0);
    assert_string_equal(cfg.argv[0], "exec");
    assert_string_equal(cfg.argv[1], "4242");
    assert_int_equal(parse(ARGV("-n", "exec", NULL)), 0);
    assert_int_equal(cfg.exec_pid, 0);
    assert_string_equal(cfg.hostname, "exec");
    assert_string_equal(cfg.argv[0], "/bin/sh");
    assert_int_equal(parse(ARGV("true", "exec", "1", "ls", NULL)), 0);
    assert_int_equal(cfg.exec_pid, 0);
    assert_string_equal(cfg.argv[0], "true");
}

static void test_07_exec_without_a_command_is_refused(void **state)
{
    (void)state;
    assert_refused(ARGV("exec", "4242", NULL), "exec 4242", "which command");
    assert_refused(ARGV("exec", "4242", "--", NULL), "exec 4242",
                   "which command");
    assert_refused(ARGV("-v", "exec", "9", NULL), "exec 9");
}

static void test_07_exec_with_a_bad_pid_is_refused(void **state)
{
    (void)state;
    assert_refused(ARGV("exec", NULL), "exec", "PID 1");
    assert_refused(ARGV("exec", "0", "ls", NULL), "exec", "PID 1");
    assert_refused(ARGV("exec", "-1", "ls", NULL), "exec", "PID 1");
    assert_refused(ARGV("exec", "abc", "ls", NULL), "exec", "PID 1");
    assert_refused(ARGV("exec", "12x", "ls", NULL), "exec", "PID 1");
    assert_refused(ARGV("exec", "", "ls", NULL), "exec", "PID 1");
    assert_refused(ARGV("exec", "4194305", "ls", NULL), "exec", "PID 1");
    assert_refused(ARGV("exec", "99999999999999999999", "ls", NULL), "exec");
    assert_refused(ARGV("exec", "--", "ls", NULL), "exec", "PID 1");
}

/* ---- cgroup_self_path ---- */

static const char hybrid[] = "4:memory:/a/b\n"
                             "3:cpuset:/d\n"
                             "1:cpu,cpuacct:/c\n"
                             "0::/\n";

/* cgroup_self_path(TEXT, CONTROLLER) into a roomy buffer: the path, or
 * "-1" if it says there is none. */
static const char *self_path(const char *text, const char *controller)
{
    static char out[512];

    strcpy(out, "(untouched)");
    if (cgroup_self_path(text, controller, out, sizeof out) < 0)
        return "-1";
    return out;
}

/* cgroups(7): "hierarchy-ID:controller-list:cgroup-path". */
static void test_07_cgroup_self_path_reads_v1_and_v2_lines(void **state)
{
    (void)state;
    assert_string_equal(self_path(hybrid, "memory"), "/a/b");
    assert_string_equal(self_path(hybrid, "cpu"), "/c");
    assert_string_equal(self_path(hybrid, "cpuacct"), "/c");
    assert_string_equal(self_path(hybrid, "cpuset"), "/d");
    assert_string_equal(self_path(hybrid, NULL), "/");
    assert_string_equal(self_path("0::/user.slice/x.scope\n", NULL),
                        "/user.slice/x.scope");
    /* the last line need not end in a newline */
    assert_string_equal(self_path("4:memory:/m\n0::/x", NULL), "/x");
    assert_string_equal(self_path("0::/x\n4:memory:/m", "memory"), "/m");
    /* a path may hold a colon: only the first two separate */
    assert_string_equal(self_path("0::/a:b\n", NULL), "/a:b");
    assert_string_equal(self_path("2:cpuacct,cpu:/e\n", "cpu"), "/e");
    assert_string_equal(self_path("5:pids:/p\n2:cpu,cpuacct:/c\n", "pids"),
                        "/p");
}

/* "cpuset" is not "cpu", nor "cpuacct", nor "name=systemd" v2's "". */
static void test_07_cgroup_self_path_matches_whole_words_only(void **state)
{
    (void)state;
    assert_string_equal(self_path("3:cpuset:/d\n2:cpu,cpuacct:/c\n", "cpu"),
                        "/c");
    assert_string_equal(self_path("3:cpuset:/d\n", "cpu"), "-1");
    assert_string_equal(self_path("2:cpuacct:/x\n", "cpu"), "-1");
    assert_string_equal(self_path("2:cpuacct,cpuset:/x\n", "cpu"), "-1");
    assert_string_equal(self_path("4:memory:/a\n", "mem"), "-1");
    assert_string_equal(self_path("4:memory:/a\n", "memoryx"), "-1");
    assert_string_equal(self_path("9:name=systemd:/s\n", NULL), "-1");
    assert_string_equal(self_path("9:name=systemd:/s\n", "systemd"), "-1");
}

static void test_07_cgroup_self_path_missing_controller_is_minus_1(void **state)
{
    (void)state;
    assert_string_equal(self_path(hybrid, "pids"), "-1");
    assert_string_equal(self_path("0::/user.slice/x.scope\n", "memory"), "-1");
    assert_string_equal(self_path("4:memory:/a\n", NULL), "-1");
    assert_string_equal(self_path("", NULL), "-1");
    assert_string_equal(self_path("", "memory"), "-1");
    assert_string_equal(self_path("garbage\n", NULL), "-1");
}

/* -1 rather than a path cut short: the runtime would make its cgroup in
 * another one. */
static void test_07_cgroup_self_path_too_small_buffer_is_minus_1(void **state)
{
    char out[8];

    (void)state;
    assert_int_equal(cgroup_self_path("0::/a/b\n", NULL, out, 5), 0);
    assert_string_equal(out, "/a/b");
    assert_int_equal(cgroup_self_path("0::/a/b\n", NULL, out, 4), -1);
    assert_int_equal(cgroup_self_path("0::/a/b\n", NULL, out, 1), -1);
    assert_int_equal(cgroup_self_path(hybrid, "memory", out, 4), -1);
    assert_int_equal(cgroup_self_path(hybrid, "memory", out, 5), 0);
    assert_string_equal(out, "/a/b");
}

/* ---- cgroup_v2_root ---- */

/* cgroup_v2_root(ROOT): "ROOT..." for where it found v2, or "-1". */
static const char *v2_root(void)
{
    static char out[700], rel[700];

    if (cgroup_v2_root(fx.root, out, sizeof out) < 0)
        return "-1";
    in_tree(out, rel, sizeof rel);
    return rel;
}

/* The kernel's cgroup.controllers is one line, names separated by
 * spaces, ending in a newline. */
static void test_07_cgroup_v2_root_pure_v2_with_every_controller(void **state)
{
    (void)state;
    tree_has_file("cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
    assert_string_equal(v2_root(), "ROOT");
    tree_has_file("cgroup.controllers", "cpu memory pids\n");
    assert_string_equal(v2_root(), "ROOT");
    tree_has_file("cgroup.controllers", "pids memory cpu\n");
    assert_string_equal(v2_root(), "ROOT");
}

/* systemd's hybrid layout: v1 trees in ROOT, v2 in ROOT/unified with
 * whatever controllers v1 did not take. */
static void
test_07_cgroup_v2_root_hybrid_without_controllers_is_v1(void **state)
{
    (void)state;
    tree_has_dir("unified");
    tree_has_file("unified/cgroup.controllers", "hugetlb\n");
    assert_string_equal(v2_root(), "-1");
    tree_has_file("unified/cgroup.controllers", "\n");
    assert_string_equal(v2_root(), "-1");
    tree_has_file("unified/cgroup.controllers", "");
    assert_string_equal(v2_root(), "-1");
    /* with every controller, the unified tree will do */
    tree_has_file("unified/cgroup.controllers", "cpu io memory pids\n");
    assert_string_equal(v2_root(), "ROOT/unified");
}

static void test_07_cgroup_v2_root_lacking_a_controller_is_v1(void **state)
{
    (void)state;
    assert_string_equal(v2_root(), "-1"); /* no v2 at all */
    tree_has_file("cgroup.controllers", "memory pids\n");
    assert_string_equal(v2_root(), "-1");
    tree_has_file("cgroup.controllers", "cpuset io memory pids\n");
    assert_string_equal(v2_root(), "-1");
    tree_has_file("cgroup.controllers", "cpu memory\n");
    assert_string_equal(v2_root(), "-1");
    tree_has_file("cgroup.controllers", "cpu memory_x pids\n");
    assert_string_equal(v2_root(), "-1");
    tree_has_file("cgroup.controllers", "cpu xmemory pids\n");
    assert_string_equal(v2_root(), "-1");
}

/* ---- cgroup_setup ---- */

static void setup_in_child(void *arg)
{
    char path[700];

    sh->pid = getpid();
    if (fx.leftover[0]) {
        /* a cgroup of a dead runtime that had this pid */
        snprintf(path, sizeof path, "%s/step-%d", at_root(fx.leftover),
                 (int)getpid());
        __wrap_mkdir(path, 0755);
        if (!fx.leftover_young)
            make_old_path(path);
        calls->n = 0;
    }
    cgroup_setup(arg, fx.root);
    sh->ndirs = owned.ndirs;
    sh->v2 = owned.v2;
    memcpy(sh->dirs, owned.dirs, sizeof sh->dirs);
}

/* cgroup_setup(&cfg, ROOT) in a child; its exit status.  "step-<pid>" of
 * it is in STEP afterwards. */
static int run_setup(char *err, size_t errlen, char *step, size_t steplen)
{
    int status = run_in_child(setup_in_child, &cfg, err, errlen);

    snprintf(step, steplen, "step-%d", (int)sh->pid);
    return status;
}

/* Take over what the child made, as if this process had: cleanup() and
 * cgroup_enter() then act on it. */
static void adopt_owned(void)
{
    owned.ndirs = sh->ndirs;
    memcpy(owned.dirs, sh->dirs, sizeof owned.dirs);
}

/* Fail unless there was a write of TEXT to ROOT/REL. */
#define expect_write(rel, text)                                                \
    expect_write_at(__FILE__, __LINE__, (rel), (text))
static int expect_write_at(const char *file, int line, const char *rel,
                           const char *text)
{
    char name[700];
    int i;

    snprintf(name, sizeof name, "ROOT/%s", rel);
    i = find_call(0, "write", name, NULL);
    if (i < 0)
        flunk(file, line, true, "expected a write to %s", name);
    if (strcmp(calls->call[i].arg[1], text) != 0)
        flunk(file, line, true, "call %d: expected \"%s\" written to %s", i,
              text, name);
    return i;
}

#define expect_mkdir(rel) expect_mkdir_at(__FILE__, __LINE__, (rel))
static int expect_mkdir_at(const char *file, int line, const char *rel)
{
    char name[700];
    int i;

    snprintf(name, sizeof name, "ROOT/%s", rel);
    i = find_call(0, "mkdir", name, NULL);
    if (i < 0)
        flunk(file, line, true, "expected mkdir(\"%s\")", name);
    if (!tree_has(rel))
        flunk(file, line, false, "%s is not there", name);
    return i;
}

#define setup_ok(step) setup_ok_at(__FILE__, __LINE__, (step))
static void setup_ok_at(const char *file, int line, char *step)
{
    char err[4096];
    int status = run_setup(err, sizeof err, step, 32);

    if (status != 0)
        flunk(file, line, true, "cgroup_setup() exited %d:\n%s", status, err);
}

static void limits_64m_100_pids_half_a_cpu(void)
{
    cfg.memory = 64ULL << 20;
    cfg.pids = 100;
    cfg.cpu_quota = 50000;
}

/* The hybrid host of hybrid[]: v1 trees, and a unified one that only
 * has hugetlb. */
static void host_is_hybrid_v1(void)
{
    fx.v1 = true;
    self_cgroup_says("5:pids:/\n" /* the runtime is in the root here */
                     "4:memory:/a/b\n"
                     "3:cpuset:/d\n"
                     "1:cpu,cpuacct:/c\n"
                     "0::/\n");
    tree_has_dir("memory/a/b");
    tree_has_dir("pids");
    tree_has_dir("cpu/c");
    tree_has_dir("cpuset/d");
    tree_has_dir("unified");
    tree_has_file("unified/cgroup.controllers", "hugetlb\n");
}

/* cgroups(7) v1: one hierarchy per controller, each with the limit's own
 * files; the container's cgroup goes beside the runtime in each. */
static void test_07_cgroup_v1_makes_step_pid_in_memory_pids_cpu(void **state)
{
    char step[32], path[700];

    (void)state;
    host_is_hybrid_v1();
    limits_64m_100_pids_half_a_cpu();
    setup_ok(step);
    snprintf(path, sizeof path, "memory/a/b/%s", step);
    expect_mkdir(path);
    snprintf(path, sizeof path, "pids/%s", step);
    expect_mkdir(path);
    snprintf(path, sizeof path, "cpu/c/%s", step);
    expect_mkdir(path);
    assert_int_equal(count_calls("mkdir"), 3);
    /* what cleanup() will remove */
    assert_int_equal(sh->ndirs, 3);
    snprintf(path, sizeof path, "memory/a/b/%s", step);
    assert_string_equal(sh->dirs[0], at_root(path));
    snprintf(path, sizeof path, "pids/%s", step);
    assert_string_equal(sh->dirs[1], at_root(path));
    snprintf(path, sizeof path, "cpu/c/%s", step);
    assert_string_equal(sh->dirs[2], at_root(path));
    /* v1: run_container() clones, then moves the child in */
    assert_int_equal(sh->v2, 0);
}

static void test_07_cgroup_v1_writes_the_limits(void **state)
{
    char step[32], path[700];

    (void)state;
    host_is_hybrid_v1();
    limits_64m_100_pids_half_a_cpu();
    setup_ok(step);
    snprintf(path, sizeof path, "memory/a/b/%s/memory.limit_in_bytes", step);
    expect_write(path, "67108864");
    assert_string_equal(tree_file(path), "67108864");
    snprintf(path, sizeof path, "pids/%s/pids.max", step);
    expect_write(path, "100");
    assert_string_equal(tree_file(path), "100");
    snprintf(path, sizeof path, "cpu/c/%s/cpu.cfs_period_us", step);
    expect_write(path, "100000");
    assert_string_equal(tree_file(path), "100000");
    snprintf(path, sizeof path, "cpu/c/%s/cpu.cfs_quota_us", step);
    expect_write(path, "50000");
    assert_string_equal(tree_file(path), "50000");
    assert_int_equal(count_calls("write"), 4);
}

/* No limit asked: the cgroups are made, nothing is written. */
static void test_07_cgroup_v1_without_limits_writes_nothing(void **state)
{
    char step[32], path[700];

    (void)state;
    host_is_hybrid_v1();
    setup_ok(step);
    snprintf(path, sizeof path, "pids/%s", step);
    expect_mkdir(path);
    assert_int_equal(count_calls("mkdir"), 3);
    assert_int_equal(count_calls("write"), 0);
}

static void test_07_cgroup_v1_without_a_controller_exits_125(void **state)
{
    char err[4096], step[32];

    (void)state;
    host_is_hybrid_v1();
    self_cgroup_says("4:memory:/a/b\n1:cpu,cpuacct:/c\n0::/\n");
    assert_int_equal(run_setup(err, sizeof err, step, sizeof step), 125);
    assert_contains(err, "step: no pids cgroup in /proc/self/cgroup");
    assert_contains(err, "make doctor");
}

/* A limit the kernel refuses is the option's error. */
static void
test_07_cgroup_refused_limit_exits_125_naming_the_option(void **state)
{
    char err[4096], step[32], name[700];

    (void)state;
    host_is_hybrid_v1();
    limits_64m_100_pids_half_a_cpu();
    /* the pid is not known before: refuse every write's first one */
    refuse("write", NULL, EINVAL);
    assert_int_equal(run_setup(err, sizeof err, step, sizeof step), 125);
    snprintf(name, sizeof name, "--memory: write(\"%s/memory/a/b/%s", fx.root,
             step);
    assert_contains(err, name);
    assert_contains(err, "memory.limit_in_bytes\", \"67108864\"): Invalid "
                         "argument");
    assert_int_equal(count_lines(err, "step: "), 1);
}

/* A pure v2 host: one tree, the runtime in a systemd scope. */
static void host_is_v2(void)
{
    self_cgroup_says("0::/user.slice/x.scope\n");
    tree_has_file("cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
    tree_has_file("cgroup.subtree_control", "");
    tree_has_dir("user.slice/x.scope");
    tree_has_file("user.slice/x.scope/cgroup.subtree_control", "");
}

/* cgroups(7) v2: a parent hands controllers to its children through
 * cgroup.subtree_control, before they have the limit's files. */
static void test_07_cgroup_v2_writes_memory_max(void **state)
{
    char step[32], path[700];
    int enable, limit;

    (void)state;
    host_is_v2();
    limits_64m_100_pids_half_a_cpu();
    setup_ok(step);
    enable = expect_write("user.slice/x.scope/cgroup.subtree_control",
                          "+memory +pids +cpu");
    snprintf(path, sizeof path, "user.slice/x.scope/%s", step);
    expect_mkdir(path);
    assert_int_equal(count_calls("mkdir"), 1);
    snprintf(path, sizeof path, "user.slice/x.scope/%s/memory.max", step);
    limit = expect_write(path, "67108864");
    assert_string_equal(tree_file(path), "67108864");
    assert_before(enable, limit,
                  "memory.max exists only once the parent enabled memory");
    snprintf(path, sizeof path, "user.slice/x.scope/%s/pids.max", step);
    expect_write(path, "100");
    snprintf(path, sizeof path, "user.slice/x.scope/%s/cpu.max", step);
    expect_write(path, "50000 100000");
    assert_string_equal(tree_file(path), "50000 100000");
    assert_int_equal(sh->ndirs, 1);
    /* v2: run_container() may start the child in dirs[0] with clone3 */
    assert_int_equal(sh->v2, 1);
    assert_false(tree_has("container-lab"));
}

static void test_07_cgroup_v2_cpu_max_is_quota_then_period(void **state)
{
    char step[32], path[700];

    (void)state;
    host_is_v2();
    cfg.cpu_quota = 200000; /* 2 CPUs */
    setup_ok(step);
    snprintf(path, sizeof path, "user.slice/x.scope/%s/cpu.max", step);
    expect_write(path, "200000 100000");
    snprintf(path, sizeof path, "user.slice/x.scope/%s/memory.max", step);
    assert_string_equal(tree_file(path), "");
    snprintf(path, sizeof path, "user.slice/x.scope/%s/pids.max", step);
    assert_string_equal(tree_file(path), "");
}

/* The "no internal processes" rule: a cgroup with processes of its own
 * cannot enable controllers for children (EBUSY).  Then the container
 * goes under ROOT/container-lab, as docker's go under ROOT/docker. */
static void
test_07_cgroup_v2_busy_parent_falls_back_to_container_lab(void **state)
{
    char step[32], path[700];
    int lab, root_enable, lab_enable, mk;

    (void)state;
    host_is_v2();
    limits_64m_100_pids_half_a_cpu();
    cfg.verbose = 1;
    refuse("write", "ROOT/user.slice/x.scope/cgroup.subtree_control", EBUSY);
    setup_ok(step);
    lab = expect_mkdir("container-lab");
    root_enable = expect_write("cgroup.subtree_control", "+memory +pids +cpu");
    lab_enable = expect_write("container-lab/cgroup.subtree_control",
                              "+memory +pids +cpu");
    snprintf(path, sizeof path, "container-lab/%s", step);
    mk = expect_mkdir(path);
    assert_before(lab, lab_enable, "container-lab must be there first");
    assert_before(root_enable, lab_enable,
                  "a cgroup may enable only what its parent enabled");
    assert_before(lab_enable, mk, "the container's cgroup needs controllers");
    snprintf(path, sizeof path, "container-lab/%s/memory.max", step);
    expect_write(path, "67108864");
    snprintf(path, sizeof path, "container-lab/%s/cpu.max", step);
    expect_write(path, "50000 100000");
    snprintf(path, sizeof path, "user.slice/x.scope/%s", step);
    assert_false(tree_has(path));
    assert_int_equal(sh->ndirs, 1);
}

/* A container-lab left by an earlier run is used again. */
static void test_07_cgroup_v2_container_lab_may_already_exist(void **state)
{
    char step[32], path[700];

    (void)state;
    host_is_v2();
    tree_has_dir("container-lab");
    tree_has_file("container-lab/cgroup.subtree_control", "");
    refuse("write", "ROOT/user.slice/x.scope/cgroup.subtree_control", EBUSY);
    setup_ok(step);
    snprintf(path, sizeof path, "container-lab/%s", step);
    expect_mkdir(path);
}

/* Pids are reused: a runtime killed with SIGKILL may have left the
 * cgroup this one would make.  Empty, it goes, and a new one is made. */
static void
test_07_cgroup_setup_replaces_a_leftover_of_its_own_pid(void **state)
{
    char step[32], path[700];
    int rm;

    (void)state;
    host_is_v2();
    cfg.pids = 5;
    snprintf(fx.leftover, sizeof fx.leftover, "user.slice/x.scope");
    setup_ok(step);
    snprintf(path, sizeof path, "ROOT/user.slice/x.scope/%s", step);
    rm = require(find_call(0, "rmdir", path, NULL), "rmdir of the leftover");
    assert_before(find_call(0, "mkdir", path, NULL), rm, "mkdir fails first");
    assert_before(rm, last_call("mkdir"), "then it is made anew");
    assert_int_equal(count_calls("mkdir"), 2);
    snprintf(path, sizeof path, "user.slice/x.scope/%s/pids.max", step);
    expect_write(path, "5");
}

/* A cgroup of its own name made just now is not a dead runtime's: it is
 * not taken over, and the run stops with an error naming the mkdir. */
static void
test_07_cgroup_setup_leaves_a_young_cgroup_of_its_name(void **state)
{
    char err[4096], step[32], path[700];

    (void)state;
    host_is_v2();
    cfg.pids = 5;
    snprintf(fx.leftover, sizeof fx.leftover, "user.slice/x.scope");
    fx.leftover_young = true;
    assert_int_equal(run_setup(err, sizeof err, step, sizeof step), 125);
    assert_int_equal(count_calls("rmdir"), 0);
    snprintf(path, sizeof path, "user.slice/x.scope/%s", step);
    assert_true(tree_has(path));
    if (!strstr(err, "File exists"))
        fail_msg("the error should say why: %s", err);
}

/* Any other refusal is an error, not a reason to move elsewhere. */
static void test_07_cgroup_v2_other_subtree_errors_exit_125(void **state)
{
    char err[4096], step[32], name[700];

    (void)state;
    host_is_v2();
    refuse("write", "ROOT/user.slice/x.scope/cgroup.subtree_control", EACCES);
    assert_int_equal(run_setup(err, sizeof err, step, sizeof step), 125);
    snprintf(name, sizeof name,
             "step: write(\"%s/user.slice/x.scope/cgroup.subtree_control\")",
             fx.root);
    assert_contains(err, name);
    assert_contains(err, "Permission denied");
    assert_int_equal(count_calls("mkdir"), 0);
}

/* systemd's hybrid layout with every controller in ROOT/unified. */
static void test_07_cgroup_v2_under_unified_on_a_hybrid_host(void **state)
{
    char step[32], path[700];

    (void)state;
    host_is_hybrid_v1();
    fx.v1 = false;
    tree_has_file("unified/cgroup.controllers", "cpu io memory pids\n");
    tree_has_file("unified/cgroup.subtree_control", "");
    cfg.pids = 7;
    setup_ok(step);
    expect_write("unified/cgroup.subtree_control", "+memory +pids +cpu");
    snprintf(path, sizeof path, "unified/%s/pids.max", step);
    expect_write(path, "7");
    assert_int_equal(count_calls("mkdir"), 1);
}

/* "DIR/FILE", or FILE when DIR is the root ("" or "/"); no leading '/'. */
static const char *join(const char *dir, const char *file)
{
    static char path[2][700];
    static int next;
    char *p = path[next++ % 2];

    dir += *dir == '/';
    snprintf(p, sizeof path[0], "%s%s%s", dir, *dir ? "/" : "", file);
    return p;
}

/* The same, at the paths this machine's own /proc/self/cgroup names: v2
 * if it has a v2 line, v1 too if it has memory, pids and cpu lines. */
static void test_07_cgroup_setup_follows_your_proc_self_cgroup(void **state)
{
    char text[4096] = "", line[700], list[256], self[512], words[260];
    char v1[3][512] = {"", "", ""}, v2[512] = "", step[32], want[16];
    int tested = 0;
    FILE *f;

    (void)state;
    f = __real_fopen("/proc/self/cgroup", "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        strncat(text, line, sizeof text - strlen(text) - 1);
        if (sscanf(line, "%*[^:]::%511s", self) == 1) {
            snprintf(v2, sizeof v2, "%s", self);
            continue;
        }
        if (sscanf(line, "%*[^:]:%255[^:]:%511s", list, self) != 2)
            continue;
        snprintf(words, sizeof words, ",%s,", list);
        for (int c = 0; c < 3; c++) {
            snprintf(want, sizeof want, ",%s,", cgroup_controllers[c]);
            if (strstr(words, want))
                snprintf(v1[c], sizeof v1[c], "%s", self);
        }
    }
    fclose(f);
    cfg.pids = 42;
    if (v2[0]) {
        /* a pure v2 tree at ROOT */
        tree_has_file("cgroup.controllers", "cpu io memory pids\n");
        tree_has_dir(join(v2, ""));
        tree_has_file(join(v2, "cgroup.subtree_control"), "");
        setup_ok(step);
        expect_write(join(v2, "cgroup.subtree_control"), "+memory +pids +cpu");
        snprintf(line, sizeof line, "%s/pids.max", step);
        expect_write(join(v2, line), "42");
        assert_int_equal(count_calls("mkdir"), 1);
        tested++;
    }
    if (v1[0][0] && v1[1][0] && v1[2][0]) {
        /* v1 trees in another ROOT */
        calls_reset(NULL);
        snprintf(fx.root, sizeof fx.root, "%s/v1", fx.tmp);
        assert_int_equal(__real_mkdir(fx.root, 0755), 0);
        fx.v1 = true;
        for (int c = 0; c < 3; c++) {
            snprintf(line, sizeof line, "%s%s", cgroup_controllers[c], v1[c]);
            tree_has_dir(line);
        }
        setup_ok(step);
        snprintf(line, sizeof line, "pids%s", strcmp(v1[1], "/") ? v1[1] : "");
        snprintf(self, sizeof self, "%s/pids.max", step);
        expect_write(join(line, self), "42");
        assert_int_equal(count_calls("mkdir"), 3);
        tested++;
    }
    if (!tested)
        fail_msg("/proc/self/cgroup has neither a v2 line nor memory, pids "
                 "and cpu lines:\n%s",
                 text);
}

/* ---- clone_into_cgroup ---- */

static void clone3_in_child(void *arg)
{
    struct child_args args = {.cfg = arg};

    sh->ret = clone_into_cgroup(arg, CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD,
                                "CLONE_NEWUSER|CLONE_NEWNET|", &args);
}

/* clone(2), clone3: CLONE_INTO_CGROUP with a descriptor of the v2 cgroup
 * starts the child there; the exit signal has a field of its own. */
static void test_07_clone_into_cgroup_passes_the_cgroup_fd(void **state)
{
    char step[32], err[4096], want[PATH_MAX];

    (void)state;
    host_is_v2();
    setup_ok(step);
    adopt_owned();
    calls_reset(NULL);
    assert_int_equal(run_in_child(clone3_in_child, &cfg, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(sh->ret, FAKE_PID);
    assert_int_equal(count_calls("clone3"), 1);
    assert_true(sh->clone3.flags ==
                (CLONE_NEWUSER | CLONE_NEWNET | CLONE_INTO_CGROUP));
    assert_int_equal(sh->clone3.exit_signal, SIGCHLD);
    assert_non_null(realpath(owned.dirs[0], want));
    assert_string_equal(sh->clone3_dir, want);
    cleanup();
}

/* No clone3 (ENOSYS: before 5.3, or a seccomp filter) or no
 * CLONE_INTO_CGROUP (E2BIG: before 5.7): -1, for clone() and a move. */
static void test_07_clone_into_cgroup_falls_back_where_it_cannot(void **state)
{
    static const int errs[] = {ENOSYS, E2BIG};
    char step[32], err[4096];

    (void)state;
    host_is_v2();
    setup_ok(step);
    adopt_owned();
    for (int i = 0; i < 2; i++) {
        calls_reset(NULL);
        refuse("clone3", NULL, errs[i]);
        assert_int_equal(run_in_child(clone3_in_child, &cfg, err, sizeof err),
                         0);
        assert_string_equal(err, "");
        assert_int_equal(sh->ret, -1);
    }
    cleanup();
}

/* Any other error is clone's own (EPERM: no user namespaces...): exit
 * 125 naming the call, as clone() would. */
static void test_07_clone_into_cgroup_other_errors_exit_125(void **state)
{
    char step[32], err[4096];

    (void)state;
    host_is_v2();
    setup_ok(step);
    adopt_owned();
    calls_reset(NULL);
    refuse("clone3", NULL, EPERM);
    assert_int_equal(run_in_child(clone3_in_child, &cfg, err, sizeof err), 125);
    assert_contains(err, "step: clone3(CLONE_NEWUSER|CLONE_NEWNET|"
                         "CLONE_INTO_CGROUP): Operation not permitted");
    cleanup();
}

/* ---- cgroup_enter, cgroup_reap_stale, cleanup ---- */

static void enter_in_child(void *arg)
{
    cgroup_enter(arg, FAKE_PID);
}

/* cgroups(7): writing a pid to cgroup.procs moves that process. */
static void
test_07_cgroup_enter_writes_the_pid_to_each_cgroup_procs(void **state)
{
    char step[32], path[700], err[4096];

    (void)state;
    host_is_hybrid_v1();
    setup_ok(step);
    adopt_owned();
    calls_reset(NULL);
    assert_int_equal(run_in_child(enter_in_child, &cfg, err, sizeof err), 0);
    assert_string_equal(err, "");
    snprintf(path, sizeof path, "memory/a/b/%s/cgroup.procs", step);
    expect_write(path, "4242");
    snprintf(path, sizeof path, "pids/%s/cgroup.procs", step);
    expect_write(path, "4242");
    snprintf(path, sizeof path, "cpu/c/%s/cgroup.procs", step);
    expect_write(path, "4242");
    assert_int_equal(count_calls("write"), 3);
    cleanup();
}

/* A pid that is surely dead: a child, reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return pid;
}

/* A run killed with SIGKILL cannot remove its cgroup: the next removes
 * it.  One whose runtime lives, even as another user, stays. */
static void test_07_cgroup_reap_stale_removes_only_dead_runtimes(void **state)
{
    char dead[32], live[32], path[700];

    (void)state;
    snprintf(dead, sizeof dead, "p/step-%d", (int)dead_pid());
    snprintf(live, sizeof live, "p/step-%d", (int)getpid());
    tree_has_dir(dead);
    tree_has_dir(live);
    tree_has_dir("p/step-1"); /* init: alive, and maybe not ours */
    snprintf(path, sizeof path, "p/step-%d", OTHER_USERS_PID);
    tree_has_dir(path);
    tree_has_dir("p/step-x");
    tree_has_dir("p/other");
    make_old(dead);
    make_old(live);
    make_old("p/step-1");
    make_old(path);
    make_old("p/step-x");
    make_old("p/other");
    cgroup_reap_stale(at_root("p"));
    assert_false(tree_has(dead));
    assert_true(tree_has(live));
    assert_true(tree_has("p/step-1"));
    if (!tree_has(path))
        fail_msg("removed %s: kill(2) said EPERM, alive but not ours", path);
    assert_true(tree_has("p/step-x"));
    assert_true(tree_has("p/other"));
    snprintf(path, sizeof path, "ROOT/%s", dead);
    expect_call(0, "rmdir", path, NULL, NULL, 0);
    assert_int_equal(calls->n, 1);
}

/* A runtime in another PID namespace names its cgroup with a pid kill(2)
 * cannot see from here, and the cgroup is empty until its child joins:
 * one made less than ten seconds ago stays, whatever kill(2) says. */
static void
test_07_cgroup_reap_stale_keeps_a_young_empty_cgroup(void **state)
{
    char young[32], old[32];

    (void)state;
    snprintf(young, sizeof young, "p/step-%d", (int)dead_pid());
    snprintf(old, sizeof old, "p/step-%d", (int)dead_pid());
    tree_has_dir(young);
    tree_has_dir(old);
    make_old(old);
    cgroup_reap_stale(at_root("p"));
    if (!tree_has(young))
        fail_msg("removed %s, made just now: it may be a live runtime's", young);
    assert_false(tree_has(old));
    assert_int_equal(count_calls("rmdir"), 1);
}

/* cgroup_setup() clears stale siblings before making its own. */
static void test_07_cgroup_setup_reaps_stale_siblings_first(void **state)
{
    char dead[64], step[32];

    (void)state;
    host_is_v2();
    snprintf(dead, sizeof dead, "user.slice/x.scope/step-%d", (int)dead_pid());
    tree_has_dir(dead);
    make_old(dead);
    setup_ok(step);
    assert_false(tree_has(dead));
    assert_int_equal(count_calls("rmdir"), 1);
    assert_before(find_call(0, "rmdir", NULL, NULL),
                  find_call(0, "mkdir", NULL, NULL),
                  "the stale cgroup goes before the new one is made");
}

/* cleanup() removes every cgroup cgroup_setup() made, and nothing else. */
static void test_07_cleanup_removes_the_cgroups_it_made(void **state)
{
    char step[32], path[700];

    (void)state;
    host_is_hybrid_v1();
    limits_64m_100_pids_half_a_cpu();
    setup_ok(step);
    adopt_owned();
    cleanup();
    snprintf(path, sizeof path, "memory/a/b/%s", step);
    assert_false(tree_has(path));
    snprintf(path, sizeof path, "pids/%s", step);
    assert_false(tree_has(path));
    snprintf(path, sizeof path, "cpu/c/%s", step);
    assert_false(tree_has(path));
    assert_int_equal(count_calls("rmdir"), 3);
    assert_true(tree_has("memory/a/b"));
    assert_true(tree_has("pids"));
    assert_true(tree_has("cpu/c"));
}

static void test_07_cleanup_removes_a_v2_cgroup_in_container_lab(void **state)
{
    char step[32], path[700];

    (void)state;
    host_is_v2();
    refuse("write", "ROOT/user.slice/x.scope/cgroup.subtree_control", EBUSY);
    setup_ok(step);
    adopt_owned();
    cleanup();
    snprintf(path, sizeof path, "container-lab/%s", step);
    assert_false(tree_has(path));
    assert_true(tree_has("container-lab"));
    assert_true(tree_has("user.slice/x.scope"));
}

/* The kernel frees a cgroup only when its last process is gone: cleanup
 * kills the child first, and waits out EBUSY. */
static void test_07_cleanup_kills_the_child_and_waits_out_ebusy(void **state)
{
    struct timespec t0;
    pid_t kid;
    int status;

    (void)state;
    fx.v1 = false;
    tree_has_dir("a");
    __wrap_mkdir(at_root("a/step-1"), 0755);
    __wrap_mkdir(at_root("b"), 0755);
    kid = fork();
    if (kid == 0) {
        alarm(10);
        for (;;)
            pause();
    }
    assert_true(kid > 0);
    owned.child = kid;
    owned.ndirs = 2;
    snprintf(owned.dirs[0], sizeof owned.dirs[0], "%s", at_root("a/step-1"));
    snprintf(owned.dirs[1], sizeof owned.dirs[1], "%s", at_root("b"));
    fx.rmdir_busy = 3;
    calls_reset(NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cleanup();
    if (seconds_since(&t0) > 5)
        fail_msg("cleanup() took %.1f s: it waited for the child to die "
                 "instead of killing it",
                 seconds_since(&t0));
    /* reaped already: no such child */
    if (waitpid(kid, &status, WNOHANG) != -1 || errno != ECHILD) {
        kill(kid, SIGKILL);
        waitpid(kid, NULL, 0);
        fail_msg("cleanup() left the child %d unreaped", (int)kid);
    }
    assert_false(tree_has("a/step-1"));
    assert_false(tree_has("b"));
    assert_true(tree_has("a"));
    /* three refusals, then one rmdir each */
    assert_int_equal(count_calls("rmdir"), 5);
}

/* ---- drop_caps ---- */

/* What root inside keeps: the OCI runtime spec's default set. */
static const int oci_caps[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
    CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,    CAP_AUDIT_WRITE};

static bool oci_kept(int cap)
{
    for (size_t i = 0; i < sizeof oci_caps / sizeof oci_caps[0]; i++)
        if (oci_caps[i] == cap)
            return true;
    return false;
}

static void drop_caps_in_child(void *arg)
{
    drop_caps(arg);
}

static int run_drop_caps(char *err, size_t errlen)
{
    return run_in_child(drop_caps_in_child, &cfg, err, errlen);
}

/* prctl(2): PR_CAPBSET_DROP of every capability not kept, up to the
 * first the kernel does not know (EINVAL), and no further. */
static void check_bounding_set_drops(int last_cap)
{
    int i = 0;

    for (int cap = 0; cap <= last_cap + 1; cap++) {
        if (oci_kept(cap))
            continue;
        while (i < calls->n &&
               strcmp(calls->call[i].arg[0], "PR_CAPBSET_DROP") != 0)
            i++;
        if (i == calls->n || calls->call[i].num != (unsigned long)cap)
            flunk(__FILE__, __LINE__, true,
                  "expected prctl(PR_CAPBSET_DROP, %d) %s", cap,
                  i == calls->n ? "" : "at this place");
        i++;
    }
    for (; i < calls->n; i++)
        if (strcmp(calls->call[i].arg[0], "PR_CAPBSET_DROP") == 0)
            flunk(__FILE__, __LINE__, true,
                  "call %d: nothing past %d, the kernel's EINVAL, may be "
                  "dropped",
                  i, last_cap + 1);
}

static void test_07_drop_caps_drops_every_cap_but_the_oci_set(void **state)
{
    char err[4096];

    (void)state;
    assert_int_equal(run_drop_caps(err, sizeof err), 0);
    assert_string_equal(err, "");
    check_bounding_set_drops(40);
}

/* An older kernel knows fewer: the loop ends at its EINVAL. */
static void test_07_drop_caps_stops_at_the_kernels_einval(void **state)
{
    char err[4096];

    (void)state;
    fx.last_cap = 37; /* CAP_AUDIT_READ, Linux 3.16 */
    assert_int_equal(run_drop_caps(err, sizeof err), 0);
    assert_string_equal(err, "");
    check_bounding_set_drops(37);
}

/* capset(2): the kept set is effective and permitted; inheritable is
 * empty, as docker's since CVE-2022-24769, so that no file capability
 * passes one on through exec; the ambient set is cleared after. */
static void
test_07_drop_caps_capset_keeps_the_set_inheritable_none(void **state)
{
    uint64_t want = 0;
    char err[4096];
    int ambient;

    (void)state;
    for (size_t i = 0; i < sizeof oci_caps / sizeof oci_caps[0]; i++)
        want |= 1ULL << oci_caps[i];
    assert_int_equal(run_drop_caps(err, sizeof err), 0);
    require(find_call(0, "capset", NULL, NULL), "capset");
    assert_int_equal(sh->cap_hdr.version, _LINUX_CAPABILITY_VERSION_3);
    assert_int_equal(sh->cap_hdr.pid, 0);
#define SET(field)                                                             \
    ((uint64_t)sh->cap_data[1].field << 32 | sh->cap_data[0].field)
    assert_int_equal(SET(effective), want);
    assert_int_equal(SET(permitted), want);
    assert_int_equal(SET(inheritable), 0);
#undef SET
    ambient = require(find_call(0, "prctl", "PR_CAP_AMBIENT", NULL),
                      "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
    assert_int_equal(calls->call[ambient].num, PR_CAP_AMBIENT_CLEAR_ALL);
    assert_int_equal(count_calls("capset"), 1);
}

/* A kernel before 4.3 has no ambient set: EINVAL there is no error. */
static void test_07_drop_caps_tolerates_no_ambient_set(void **state)
{
    char err[4096];

    (void)state;
    refuse("prctl", "PR_CAP_AMBIENT", EINVAL);
    assert_int_equal(run_drop_caps(err, sizeof err), 0);
    assert_string_equal(err, "");
}

static void test_07_drop_caps_refusals_exit_125_naming_the_call(void **state)
{
    char err[4096];

    (void)state;
    refuse("prctl", "PR_CAPBSET_DROP", EPERM);
    assert_int_equal(run_drop_caps(err, sizeof err), 125);
    assert_string_equal(
        err, "step: prctl(PR_CAPBSET_DROP, 2): Operation not permitted\n");
    assert_int_equal(count_calls("capset"), 0);
    calls_reset(NULL);
    refuse("capset", NULL, EPERM);
    assert_int_equal(run_drop_caps(err, sizeof err), 125);
    assert_string_equal(err, "step: capset: Operation not permitted\n");
    calls_reset(NULL);
    refuse("prctl", "PR_CAP_AMBIENT", EPERM);
    assert_int_equal(run_drop_caps(err, sizeof err), 125);
    assert_contains(err, "PR_CAP_AMBIENT_CLEAR_ALL");
}

/* ---- harden ---- */

static void harden_in_child(void *arg)
{
    harden(arg);
}

/* Capabilities, then no_new_privs, then the filter: seccomp(2) lets an
 * unprivileged process load a filter only with no_new_privs. */
static void
test_07_harden_drops_caps_then_no_new_privs_then_seccomp(void **state)
{
    char err[4096];
    int capset, ambient, nnp, load;

    (void)state;
    assert_int_equal(run_in_child(harden_in_child, &cfg, err, sizeof err), 0);
    assert_string_equal(err, "");
    capset = require(find_call(0, "capset", NULL, NULL), "capset");
    ambient = require(find_call(0, "prctl", "PR_CAP_AMBIENT", NULL),
                      "prctl(PR_CAP_AMBIENT)");
    nnp = require(find_call(0, "prctl", "PR_SET_NO_NEW_PRIVS", NULL),
                  "prctl(PR_SET_NO_NEW_PRIVS, 1)");
    load = require(find_call(0, "seccomp_load", NULL, NULL), "seccomp_load");
    assert_int_equal(calls->call[nnp].num, 1);
    assert_before(capset, nnp, "capabilities first");
    assert_before(ambient, nnp, "capabilities first");
    assert_before(nnp, load, "no_new_privs before the filter");
    assert_int_equal(count_calls("seccomp_load"), 1);
    assert_int_equal(count_calls("capset"), 1);
    assert_int_equal(last_call("prctl"), nnp);
}

static void test_07_harden_stops_if_no_new_privs_is_refused(void **state)
{
    char err[4096];

    (void)state;
    refuse("prctl", "PR_SET_NO_NEW_PRIVS", EINVAL);
    assert_int_equal(run_in_child(harden_in_child, &cfg, err, sizeof err), 125);
    assert_string_equal(err,
                        "step: prctl(PR_SET_NO_NEW_PRIVS): Invalid argument\n");
    assert_int_equal(count_calls("seccomp_load"), 0);
    assert_int_equal(count_calls("seccomp_init"), 0);
}

/* ---- setup_seccomp: the rules ---- */

static void seccomp_in_child(void *arg)
{
    setup_seccomp(arg);
}

static int run_seccomp(char *err, size_t errlen)
{
    return run_in_child(seccomp_in_child, &cfg, err, errlen);
}

static void print_rules(void)
{
    print_error("the runtime added %d rule(s):\n", sh->nrules);
    for (int i = 0; i < sh->nrules; i++) {
        const struct rule *r = &sh->rule[i];
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->nr);

        print_error("  %2d  %s (%d) action %#x", i, name ? name : "?", r->nr,
                    r->action);
        for (unsigned a = 0; a < r->argc && a < 6; a++)
            print_error(" [arg %u op %d %#llx %#llx]", r->arg[a].arg,
                        (int)r->arg[a].op,
                        (unsigned long long)r->arg[a].datum_a,
                        (unsigned long long)r->arg[a].datum_b);
        print_error("\n");
        free(name);
    }
}

/* How many rules are ACTION for syscall NR with exactly the comparisons
 * ARGC, ARG. */
static int count_rules(uint32_t action, int nr, unsigned argc,
                       const struct scmp_arg_cmp *arg)
{
    int n = 0;

    for (int i = 0; i < sh->nrules; i++) {
        const struct rule *r = &sh->rule[i];
        bool same = r->action == action && r->nr == nr && r->argc == argc;

        for (unsigned a = 0; same && a < argc; a++)
            same = r->arg[a].arg == arg[a].arg && r->arg[a].op == arg[a].op &&
                   r->arg[a].datum_a == arg[a].datum_a &&
                   r->arg[a].datum_b == arg[a].datum_b;
        n += same;
    }
    return n;
}

/* Fail unless there is exactly one such rule. */
#define expect_rule(what, action, nr, ...)                                     \
    expect_rule_at(__LINE__, (what), (action), (nr),                           \
                   (const struct scmp_arg_cmp[]){__VA_ARGS__},                 \
                   sizeof((const struct scmp_arg_cmp[]){__VA_ARGS__}) /        \
                       sizeof(struct scmp_arg_cmp))
#define NO_ARGS                                                                \
    {                                                                          \
        .arg = 99                                                              \
    }
static void expect_rule_at(int line, const char *what, uint32_t action, int nr,
                           const struct scmp_arg_cmp *arg, size_t argc)
{
    int n;

    if (argc == 1 && arg[0].arg == 99)
        argc = 0;
    n = count_rules(action, nr, argc, arg);
    if (n != 1) {
        print_error("expected one rule %s, found %d\n", what, n);
        print_rules();
        _fail(__FILE__, line);
    }
}

/* Docker's profile denies these too; each has its reason in the runtime. */
static const char *const must_deny[] = {"keyctl",
                                        "add_key",
                                        "request_key",
                                        "ptrace",
                                        "process_vm_readv",
                                        "process_vm_writev",
                                        "kcmp",
                                        "perf_event_open",
                                        "bpf",
                                        "userfaultfd",
                                        "lookup_dcookie",
                                        "mount",
                                        "umount2",
                                        "pivot_root",
                                        "fsopen",
                                        "fsconfig",
                                        "fsmount",
                                        "fspick",
                                        "move_mount",
                                        "open_tree",
                                        "mount_setattr",
                                        "setns",
                                        "kexec_load",
                                        "kexec_file_load",
                                        "init_module",
                                        "finit_module",
                                        "delete_module",
                                        "clock_settime",
                                        "clock_adjtime",
                                        "adjtimex",
                                        "settimeofday",
                                        "swapon",
                                        "swapoff",
                                        "reboot",
                                        "acct",
                                        "quotactl",
                                        "syslog",
                                        "iopl",
                                        "ioperm",
                                        "open_by_handle_at",
                                        "name_to_handle_at"};

static void test_07_seccomp_denies_keyctl_bpf_ptrace_mount_setns(void **state)
{
    char err[4096];
    int n = 0;

    (void)state;
    assert_int_equal(run_seccomp(err, sizeof err), 0);
    assert_string_equal(err, "");
    for (size_t i = 0; i < sizeof must_deny / sizeof must_deny[0]; i++) {
        int nr = seccomp_syscall_resolve_name(must_deny[i]);

        if (nr == __NR_SCMP_ERROR)
            continue; /* not on this architecture */
        expect_rule(must_deny[i], SCMP_ACT_ERRNO(EPERM), nr, NO_ARGS);
        n++;
    }
    /* keyctl, bpf, ptrace, mount and setns are on every architecture */
    assert_true(n >= 5);
}

/* clone3(2) passes its flags in memory, where a filter cannot look:
 * ENOSYS makes glibc fall back to clone(2), whose flags it can. */
static void test_07_seccomp_clone3_is_enosys(void **state)
{
    char err[4096];

    (void)state;
    assert_int_equal(run_seccomp(err, sizeof err), 0);
    expect_rule("clone3 ENOSYS", SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
                NO_ARGS);
    assert_int_equal(
        count_rules(SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone3), 0, NULL), 0);
}

/* A new user namespace would give back every capability dropped. */
static void
test_07_seccomp_masks_clone_newuser_in_unshare_and_clone(void **state)
{
    char err[4096];

    (void)state;
    assert_int_equal(run_seccomp(err, sizeof err), 0);
    expect_rule("unshare(CLONE_NEWUSER)", SCMP_ACT_ERRNO(EPERM),
                SCMP_SYS(unshare),
                SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
    expect_rule("clone(CLONE_NEWUSER)", SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone),
                SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
    /* and no unconditional rule for them: threads and fork need clone */
    assert_int_equal(
        count_rules(SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 0, NULL), 0);
    assert_int_equal(
        count_rules(SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0, NULL), 0);
}

/* ioctl(2)'s request is 32 bits, the filter's argument 64: compare the
 * low 32 only, so that high bits set do not slip TIOCSTI past. */
static void test_07_seccomp_denies_tiocsti_on_32_bits_of_arg_1(void **state)
{
    char err[4096];

    (void)state;
    assert_int_equal(run_seccomp(err, sizeof err), 0);
    expect_rule("ioctl(TIOCSTI)", SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl),
                SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCSTI));
    assert_int_equal(
        count_rules(SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 0, NULL), 0);
}

/* The mode is chmod's and fchmod's arg 1, fchmodat's and fchmodat2's
 * arg 2; setuid and setgid bits each have their rule. */
static void test_07_seccomp_denies_setuid_and_setgid_chmod(void **state)
{
    static const struct {
        const char *name;
        int nr;
        unsigned arg;
    } calls_[] = {
        {"chmod", SCMP_SYS(chmod), 1},
        {"fchmod", SCMP_SYS(fchmod), 1},
        {"fchmodat", SCMP_SYS(fchmodat), 2},
        {"fchmodat2", 452, 2},
    };
    char err[4096], what[64];

    (void)state;
    assert_int_equal(run_seccomp(err, sizeof err), 0);
    for (size_t i = 0; i < sizeof calls_ / sizeof calls_[0]; i++) {
        for (unsigned long bit = S_ISUID; bit >= S_ISGID; bit >>= 1) {
            struct scmp_arg_cmp cmp = {calls_[i].arg, SCMP_CMP_MASKED_EQ, bit,
                                       bit};

            snprintf(what, sizeof what, "%s(%s) on arg %u", calls_[i].name,
                     bit == S_ISUID ? "S_ISUID" : "S_ISGID", calls_[i].arg);
            if (count_rules(SCMP_ACT_ERRNO(EPERM), calls_[i].nr, 1, &cmp) !=
                1) {
                print_error("expected one rule %s\n", what);
                print_rules();
                fail();
            }
        }
    }
}

/* Nothing else: every rule is one of those above, and the default is to
 * allow. */
static void test_07_seccomp_has_no_other_rules(void **state)
{
    char err[4096];
    int n = 0, init, load, release;

    (void)state;
    assert_int_equal(run_seccomp(err, sizeof err), 0);
    for (size_t i = 0; i < sizeof must_deny / sizeof must_deny[0]; i++)
        n += seccomp_syscall_resolve_name(must_deny[i]) != __NR_SCMP_ERROR;
    n += 1 /* clone3 */ + 2 /* unshare, clone */ + 1 /* ioctl */ +
         8 /* chmod and co, two bits each */;
    if (sh->nrules != n) {
        print_error("expected %d rules\n", n);
        print_rules();
        fail();
    }
    for (int i = 0; i < sh->nrules; i++) {
        if ((sh->rule[i].action & ~0xffffU) != SCMP_ACT_ERRNO(0)) {
            print_rules();
            fail_msg("rule %d is not SCMP_ACT_ERRNO", i);
        }
    }
    init = require(find_call(0, "seccomp_init", NULL, NULL), "seccomp_init");
    assert_int_equal(calls->call[init].num, SCMP_ACT_ALLOW);
    load = require(find_call(0, "seccomp_load", NULL, NULL), "seccomp_load");
    release =
        require(find_call(0, "seccomp_release", NULL, NULL), "seccomp_release");
    assert_true(sh->rule[0].at > init);
    assert_true(sh->rule[sh->nrules - 1].at <= load);
    assert_before(load, release, "the filter is loaded, then freed");
    assert_int_equal(count_calls("seccomp_load"), 1);
}

/* libseccomp's error is the runtime's: nothing half-built is loaded. */
static void test_07_seccomp_refused_rule_exits_125_loading_nothing(void **state)
{
    char err[4096];

    (void)state;
    fx.rule_rc = -EINVAL;
    assert_int_equal(run_seccomp(err, sizeof err), 125);
    assert_string_equal(err, "step: seccomp: Invalid argument\n");
    assert_int_equal(count_calls("seccomp_load"), 0);
    assert_int_equal(sh->nrules, 1);
    calls_reset(NULL);
    fx.rule_rc = 0;
    refuse("seccomp_load", NULL, EFAULT);
    assert_int_equal(run_seccomp(err, sizeof err), 125);
    assert_string_equal(err, "step: seccomp: Bad address\n");
    calls_reset(NULL);
    refuse("seccomp_init", NULL, ENOMEM);
    assert_int_equal(run_seccomp(err, sizeof err), 125);
    assert_string_equal(err, "step: seccomp: Cannot allocate memory\n");
}

/* ---- setup_seccomp: the filter libseccomp builds ---- */

static void seccomp_export_in_child(void *arg)
{
    fx.real = true;
    setup_seccomp(arg);
}

/* libseccomp takes every rule (a comparison it cannot express would be
 * an error), and the filter says what the rules do. */
static void test_07_seccomp_filter_builds_with_libseccomp(void **state)
{
    char err[4096], want[64];

    (void)state;
    assert_int_equal(
        run_in_child(seccomp_export_in_child, &cfg, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_contains(sh->pfc, "# filter for syscall \"keyctl\"");
    assert_contains(sh->pfc, "# filter for syscall \"setns\"");
    assert_contains(sh->pfc, "action ERRNO(38);"); /* clone3: ENOSYS */
    assert_contains(sh->pfc, "if ($syscall == 452)");
    snprintf(want, sizeof want, "$a1.lo32 & 0xffffffff == %d", TIOCSTI);
    assert_contains(sh->pfc, want);
    snprintf(want, sizeof want, "$a0.lo32 & 0x%08x == %d", CLONE_NEWUSER,
             CLONE_NEWUSER);
    assert_contains(sh->pfc, want);
    assert_contains(sh->pfc, "$a2.lo32 & 0x00000800 == 2048");
    assert_contains(sh->pfc, "$a2.lo32 & 0x00000400 == 1024");
    assert_contains(sh->pfc, "# default action\n  action ALLOW;");
}

/* One check of a call made under the filter: RC, errno E, wanted W. */
static int check(const char *what, long rc, int e, int want)
{
    if (rc == -1 && e == want)
        return 0;
    fprintf(stderr, "%s: expected %s, got %ld (%s)\n", what, strerror(want), rc,
            rc == -1 ? strerror(e) : "no error");
    return 1;
}

#define CHECK(call, want)                                                      \
    do {                                                                       \
        errno = 0;                                                             \
        long rc_ = (call);                                                     \
        bad += check(#call, rc_, errno, (want));                               \
    } while (0)

/* In a child that ends at once: load the filter for real, and try what
 * it denies, each call one that would fail differently without it. */
static void seccomp_for_real_in_child(void *arg)
{
    char file[300], c = 'x';
    int fd, bad = 0;
    long rc;

    snprintf(file, sizeof file, "%s/f", fx.tmp);
    fd = __real_open(file, O_RDWR | O_CREAT, 0644);
    if (fd < 0 || __real_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        fprintf(stderr, "open or PR_SET_NO_NEW_PRIVS: %s\n", strerror(errno));
        _exit(2);
    }
    fx.real = fx.load_for_real = true;
    setup_seccomp(arg);
    CHECK(unshare(CLONE_NEWUSER), EPERM);
    CHECK(unshare(CLONE_NEWUSER | CLONE_NEWNS), EPERM);
    errno = 0;
    rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (rc == 0)
        _exit(0); /* the filter let it through: this is the new child */
    if (rc > 0)
        waitpid(rc, NULL, 0);
    bad += check("clone(CLONE_NEWUSER)", rc, errno, EPERM);
    CHECK(syscall(435 /* clone3 */, NULL, 0), ENOSYS);
    CHECK(ioctl(fd, TIOCSTI, &c), EPERM);
    CHECK(syscall(SYS_ioctl, fd, 0x100000000UL | TIOCSTI, &c), EPERM);
    CHECK(chmod(file, 04755), EPERM);
    CHECK(chmod(file, 02755), EPERM);
    CHECK(fchmod(fd, 06700), EPERM);
    CHECK(fchmodat(AT_FDCWD, file, 04700, 0), EPERM);
    CHECK(syscall(452, AT_FDCWD, file, 02700, 0), EPERM);
    CHECK(setns(-1, 0), EPERM);
    CHECK(syscall(SYS_keyctl, -1, 0, 0, 0, 0), EPERM);
    CHECK(syscall(SYS_kcmp, getpid(), getpid(), 99, 0, 0), EPERM);
    /* what is not denied works: fork is clone(2) without CLONE_NEWUSER */
    rc = fork();
    if (rc == 0)
        _exit(0);
    if (rc < 0 || waitpid(rc, NULL, 0) != rc) {
        fprintf(stderr, "fork: %s\n", strerror(errno));
        bad++;
    }
    if (chmod(file, 0755) < 0 || fchmod(fd, 0700) < 0 || unshare(0) < 0) {
        fprintf(stderr, "chmod 0755, fchmod 0700 or unshare(0): %s\n",
                strerror(errno));
        bad++;
    }
    errno = 0;
    rc = ioctl(fd, FIONREAD, &fd);
    if (rc < 0 && errno == EPERM) {
        fprintf(stderr, "ioctl(FIONREAD): denied\n");
        bad++;
    }
    fflush(stderr);
    _exit(bad ? 1 : 0);
}

static void test_07_seccomp_filter_loaded_in_a_child_denies(void **state)
{
    char err[4096];
    int status;

    (void)state;
    status = run_in_child(seccomp_for_real_in_child, &cfg, err, sizeof err);
    if (status != 0)
        fail_msg("the child under the filter exited %d:\n%s", status, err);
}

/* ---- exit_status ---- */

static int status_of_child(int how)
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        if (how < 0)
            raise(-how);
        _exit(how);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* The shell's convention: the exit code, or 128+N for signal N. */
static void test_07_exit_status_is_the_code_or_128_plus_signal(void **state)
{
    (void)state;
    assert_int_equal(exit_status(status_of_child(0)), 0);
    assert_int_equal(exit_status(status_of_child(3)), 3);
    assert_int_equal(exit_status(status_of_child(255)), 255);
    assert_int_equal(exit_status(status_of_child(-SIGKILL)), 137);
    assert_int_equal(exit_status(status_of_child(-SIGTERM)), 143);
    assert_int_equal(exit_status(status_of_child(-SIGINT)), 130);
    /* a core dump does not change it: SIGSEGV with the core bit */
    assert_int_equal(exit_status(0x80 | SIGSEGV), 139);
}

/* ---- wait_forwarding ---- */

enum command { IGNORES_TERM, DIES_OF_TERM, SURVIVES_USR1 };

struct forward_run {
    enum command command; /* what the container's command does */
    int sig;              /* the signal the runtime gets */
    int stop_timeout;
};

static void exit_42(int sig)
{
    (void)sig;
    _exit(42);
}

static volatile sig_atomic_t got_usr1;

static void note_usr1(int sig)
{
    (void)sig;
    got_usr1 = 1;
}

/* The runtime, in a child of the test: its command is a real child of
 * its own, and SIG arrives once it waits. */
static void forward_in_child(void *arg)
{
    const struct forward_run *run = arg;
    struct config c = {.verbose = 1, .stop_timeout = run->stop_timeout};
    sigset_t set;
    pid_t pid;

    /* as run_container() does before clone */
    forwarded_set(&set);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid = fork();
    if (pid == 0) {
        if (run->command == IGNORES_TERM) {
            signal(SIGTERM, SIG_IGN);
            signal(SIGINT, SIG_IGN);
        }
        if (run->command == SURVIVES_USR1)
            signal(SIGUSR1, note_usr1);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        alarm(10); /* dies of SIGALRM, 142, if nothing else ends it */
        if (run->command == SURVIVES_USR1) {
            /* longer than --stop-timeout, then 42 if SIGUSR1 came */
            for (int i = 0; i < 150; i++)
                usleep(10000);
            _exit(got_usr1 ? 42 : 41);
        }
        for (;;)
            pause();
    }
    if (pid < 0)
        _exit(99);
    kill(getpid(), run->sig);
    int status = wait_forwarding(&c, pid);
    fflush(NULL);
    _exit(status);
}

/* A PID 1 without a handler ignores SIGTERM (pid_namespaces(7)): after
 * --stop-timeout it gets SIGKILL, as `docker stop` does. */
static void test_07_wait_sigkills_a_command_ignoring_sigterm(void **state)
{
    struct forward_run run = {IGNORES_TERM, SIGTERM, 1};
    struct timespec t0;
    char err[4096];
    double secs;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(run_in_child(forward_in_child, &run, err, sizeof err),
                     137);
    secs = seconds_since(&t0);
    if (secs < 0.9 || secs > 5)
        fail_msg("SIGKILL came after %.2f s, not --stop-timeout's 1 s", secs);
    assert_contains(err, "step: kill(");
    assert_contains(err, ", Terminated)\n");
    assert_contains(err, "step: --stop-timeout passed: kill(");
    assert_int_equal(count_lines(err, "step: "), 2);
}

static void test_07_wait_sigint_also_starts_the_stop_timeout(void **state)
{
    struct forward_run run = {IGNORES_TERM, SIGINT, 1};
    char err[4096];

    (void)state;
    assert_int_equal(run_in_child(forward_in_child, &run, err, sizeof err),
                     137);
    assert_contains(err, ", Interrupt)\n");
    assert_contains(err, "--stop-timeout passed");
}

/* A command that dies of SIGTERM is not waited for. */
static void test_07_wait_forwards_sigterm_and_returns_143(void **state)
{
    struct forward_run run = {DIES_OF_TERM, SIGTERM, 5};
    struct timespec t0;
    char err[4096];
    double secs;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(run_in_child(forward_in_child, &run, err, sizeof err),
                     143);
    secs = seconds_since(&t0);
    if (secs > 3)
        fail_msg("took %.2f s: the runtime waited out --stop-timeout", secs);
    assert_int_equal(count_lines(err, "step: "), 1);
}

/* Other signals are passed on, and start no timeout: the command
 * outlives --stop-timeout 1 and exits 42, having had SIGUSR1. */
static void test_07_wait_forwards_sigusr1(void **state)
{
    struct forward_run run = {SURVIVES_USR1, SIGUSR1, 1};
    char err[4096];

    (void)state;
    assert_int_equal(run_in_child(forward_in_child, &run, err, sizeof err), 42);
    assert_contains(err, ", User defined signal 1)\n");
    assert_int_equal(count_lines(err, "step: "), 1);
}

/* ---- run_init ---- */

enum init_command { INIT_USR1, INIT_ORPHAN };

/* --init in a child of the test, made a subreaper, as PID 1 of a
 * namespace is one: the kernel gives it the orphans below. */
static void init_in_child(void *arg)
{
    const enum init_command *what = arg;
    struct config c = {0};
    pid_t init = getpid(), grandchild, orphan;
    sigset_t set;
    int pipefd[2];

    __real_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    forwarded_set(&set);
    sigprocmask(SIG_BLOCK, &set, NULL);
    run_init(&c);
    if (getpid() == init)
        _exit(99); /* run_init() came back in the init */
    /* the command */
    alarm(10);
    if (*what == INIT_USR1) {
        signal(SIGUSR1, exit_42);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getppid(), SIGUSR1);
        for (;;)
            pause();
    }
    /* an orphan: its parent exits first, and the init must reap it */
    if (pipe(pipefd) < 0 || (grandchild = fork()) < 0)
        _exit(98);
    if (grandchild == 0) {
        orphan = fork();
        if (orphan == 0) {
            usleep(100000);
            _exit(0);
        }
        __real_write(pipefd[1], &orphan, sizeof orphan);
        _exit(0);
    }
    if (read(pipefd[0], &orphan, sizeof orphan) != sizeof orphan)
        _exit(97);
    waitpid(grandchild, NULL, 0);
    for (int i = 0; i < 500; i++) {
        char path[64];
        struct stat st;

        snprintf(path, sizeof path, "/proc/%d", (int)orphan);
        if (stat(path, &st) < 0)
            _exit(0); /* reaped */
        usleep(10000);
    }
    _exit(3); /* still a zombie */
}

/* The init takes the signals it forwards with sigwaitinfo(), and exits
 * with its command's status. */
static void
test_07_init_forwards_sigusr1_and_exits_with_the_status(void **state)
{
    enum init_command what = INIT_USR1;
    char err[4096];
    int dumpable;

    (void)state;
    assert_int_equal(run_in_child(init_in_child, &what, err, sizeof err), 42);
    /* /proc/1/exe is the runtime on the host (runc's CVE-2019-5736) */
    dumpable = require(find_call(0, "prctl", "PR_SET_DUMPABLE", NULL),
                       "prctl(PR_SET_DUMPABLE, 0)");
    assert_int_equal(calls->call[dumpable].num, 0);
}

static void test_07_init_reaps_orphans(void **state)
{
    enum init_command what = INIT_ORPHAN;
    char err[4096];

    (void)state;
    assert_int_equal(run_in_child(init_in_child, &what, err, sizeof err), 0);
}

/* ---- container_pid1 ---- */

static void status_says(const char *nspid)
{
    snprintf(fx.status, sizeof fx.status,
             "Name:\tsh\nState:\tS (sleeping)\nTgid:\t%d\n%s\nPPid:\t1\n",
             FAKE_PID, nspid);
}

static void test_07_container_pid1_of_this_process_is_0(void **state)
{
    (void)state;
    assert_int_equal(container_pid1(getpid()), 0);
}

static void test_07_container_pid1_of_no_process_is_minus_1(void **state)
{
    (void)state;
    assert_int_equal(container_pid1(dead_pid()), -1);
    assert_int_equal(container_pid1(INT_MAX), -1);
}

/* proc(5): NSpid lists the pid in each PID namespace, ours first. */
static void test_07_container_pid1_reads_the_last_nspid(void **state)
{
    (void)state;
    status_says("NSpid:\t4242\t1");
    assert_int_equal(container_pid1(FAKE_PID), 1);
    status_says("NSpid:\t4242\t17\t1");
    assert_int_equal(container_pid1(FAKE_PID), 1);
    status_says("NSpid:\t4242\t7");
    assert_int_equal(container_pid1(FAKE_PID), 0);
    status_says("NSpid:\t4242\t1\t7");
    assert_int_equal(container_pid1(FAKE_PID), 0);
    status_says("NSpid:\t4242\t11");
    assert_int_equal(container_pid1(FAKE_PID), 0);
    /* PID 1 of our own namespace is no container */
    status_says("NSpid:\t1");
    assert_int_equal(container_pid1(FAKE_PID), 0);
    status_says("");
    assert_int_equal(container_pid1(FAKE_PID), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(t) cmocka_unit_test_setup_teardown(t, make_fixture, remove_fixture)
        TEST(test_07_parse_size_reads_k_m_g_as_powers_of_1024),
        TEST(test_07_parse_size_refuses_zero_junk_and_overflow),
        TEST(test_07_parse_cpus_is_a_quota_per_100ms),
        TEST(test_07_parse_cpus_refuses_under_0_01_and_over_1024),
        TEST(test_07_limits_default_to_none_and_stop_timeout_to_10),
        TEST(test_07_memory_pids_cpus_init_stop_timeout_are_read),
        TEST(test_07_bad_limits_are_refused_naming_the_option),
        TEST(test_07_limit_without_argument_is_refused_naming_it),
        TEST(test_07_exec_reads_the_pid_and_the_command),
        TEST(test_07_exec_after_dashdash_is_a_command_named_exec),
        TEST(test_07_exec_without_a_command_is_refused),
        TEST(test_07_exec_with_a_bad_pid_is_refused),
        TEST(test_07_cgroup_self_path_reads_v1_and_v2_lines),
        TEST(test_07_cgroup_self_path_matches_whole_words_only),
        TEST(test_07_cgroup_self_path_missing_controller_is_minus_1),
        TEST(test_07_cgroup_self_path_too_small_buffer_is_minus_1),
        TEST(test_07_cgroup_v2_root_pure_v2_with_every_controller),
        TEST(test_07_cgroup_v2_root_hybrid_without_controllers_is_v1),
        TEST(test_07_cgroup_v2_root_lacking_a_controller_is_v1),
        TEST(test_07_cgroup_v1_makes_step_pid_in_memory_pids_cpu),
        TEST(test_07_cgroup_v1_writes_the_limits),
        TEST(test_07_cgroup_v1_without_limits_writes_nothing),
        TEST(test_07_cgroup_v1_without_a_controller_exits_125),
        TEST(test_07_cgroup_refused_limit_exits_125_naming_the_option),
        TEST(test_07_cgroup_v2_writes_memory_max),
        TEST(test_07_cgroup_v2_cpu_max_is_quota_then_period),
        TEST(test_07_cgroup_v2_busy_parent_falls_back_to_container_lab),
        TEST(test_07_cgroup_v2_container_lab_may_already_exist),
        TEST(test_07_cgroup_setup_replaces_a_leftover_of_its_own_pid),
        TEST(test_07_cgroup_setup_leaves_a_young_cgroup_of_its_name),
        TEST(test_07_cgroup_v2_other_subtree_errors_exit_125),
        TEST(test_07_cgroup_v2_under_unified_on_a_hybrid_host),
        TEST(test_07_cgroup_setup_follows_your_proc_self_cgroup),
        TEST(test_07_clone_into_cgroup_passes_the_cgroup_fd),
        TEST(test_07_clone_into_cgroup_falls_back_where_it_cannot),
        TEST(test_07_clone_into_cgroup_other_errors_exit_125),
        TEST(test_07_cgroup_enter_writes_the_pid_to_each_cgroup_procs),
        TEST(test_07_cgroup_reap_stale_removes_only_dead_runtimes),
        TEST(test_07_cgroup_reap_stale_keeps_a_young_empty_cgroup),
        TEST(test_07_cgroup_setup_reaps_stale_siblings_first),
        TEST(test_07_cleanup_removes_the_cgroups_it_made),
        TEST(test_07_cleanup_removes_a_v2_cgroup_in_container_lab),
        TEST(test_07_cleanup_kills_the_child_and_waits_out_ebusy),
        TEST(test_07_drop_caps_drops_every_cap_but_the_oci_set),
        TEST(test_07_drop_caps_stops_at_the_kernels_einval),
        TEST(test_07_drop_caps_capset_keeps_the_set_inheritable_none),
        TEST(test_07_drop_caps_tolerates_no_ambient_set),
        TEST(test_07_drop_caps_refusals_exit_125_naming_the_call),
        TEST(test_07_harden_drops_caps_then_no_new_privs_then_seccomp),
        TEST(test_07_harden_stops_if_no_new_privs_is_refused),
        TEST(test_07_seccomp_denies_keyctl_bpf_ptrace_mount_setns),
        TEST(test_07_seccomp_clone3_is_enosys),
        TEST(test_07_seccomp_masks_clone_newuser_in_unshare_and_clone),
        TEST(test_07_seccomp_denies_tiocsti_on_32_bits_of_arg_1),
        TEST(test_07_seccomp_denies_setuid_and_setgid_chmod),
        TEST(test_07_seccomp_has_no_other_rules),
        TEST(test_07_seccomp_refused_rule_exits_125_loading_nothing),
        TEST(test_07_seccomp_filter_builds_with_libseccomp),
        TEST(test_07_seccomp_filter_loaded_in_a_child_denies),
        TEST(test_07_exit_status_is_the_code_or_128_plus_signal),
        TEST(test_07_wait_sigkills_a_command_ignoring_sigterm),
        TEST(test_07_wait_sigint_also_starts_the_stop_timeout),
        TEST(test_07_wait_forwards_sigterm_and_returns_143),
        TEST(test_07_wait_forwards_sigusr1),
        TEST(test_07_init_forwards_sigusr1_and_exits_with_the_status),
        TEST(test_07_init_reaps_orphans),
        TEST(test_07_container_pid1_of_this_process_is_0),
        TEST(test_07_container_pid1_of_no_process_is_minus_1),
        TEST(test_07_container_pid1_reads_the_last_nspid),
    };

    return cmocka_run_group_tests_name("test_07_full", tests, NULL, NULL);
}
