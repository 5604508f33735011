/* unit.h: what every cmocka test of the runtime shares.
 *
 * A test #includes the runtime it tests first (its first line defines
 * _GNU_SOURCE, which must come before any system header), then this file.
 *
 * Tests of syscall order link with -Wl,--wrap=SYMBOL (ld(1)): the
 * runtime's call to mount() reaches the test's __wrap_mount() instead of
 * libc, so nothing is mounted for real and no root is needed.  The
 * wrappers write what they were asked into a call log, and the tests read
 * the log: expect_call(), find_call(), assert_before().
 *
 * The runtime's errors end in fail(), which exits.  run_in_child() runs
 * such code in a child process and returns its exit status and stderr;
 * the log lives in shared memory, so the test still sees every call the
 * child made.  Never call a cmocka assert in code a child runs: it would
 * long-jump into a copy of the test runner.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not every test uses every helper; unused ones are no error. */
#define UNIT_HELPER static __attribute__((unused))

/* ---- the call log ---- */

#define MAX_CALLS 64

/* One recorded call: up to three string arguments, in order, and one
 * number (flags, or a length). */
struct call {
    char fn[16];
    char arg[3][256];
    bool null[3]; /* the argument was NULL */
    unsigned long num;
};

struct call_log {
    int n;
    struct call call[MAX_CALLS];
};

/* MAP_SHARED: a child made by run_in_child() appends to the same log. */
static struct call_log *calls;

/* Set by a test before the code under test runs: the call FN (with first
 * string argument ARG, or any when NULL) fails with ERRNO. */
static const char *refuse_fn, *refuse_arg;
static int refuse_errno;

/* Empty the log and refuse nothing: call it in every test's setup. */
UNIT_HELPER int calls_reset(void **state)
{
    (void)state;
    if (!calls) {
        calls = mmap(NULL, sizeof *calls, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (calls == MAP_FAILED)
            return -1;
    }
    memset(calls, 0, sizeof *calls);
    refuse_fn = refuse_arg = NULL;
    refuse_errno = 0;
    return 0;
}

/* Make FN fail with ERR; with ARG, only when its first string argument
 * (or, for mount, its target) is ARG. */
UNIT_HELPER void refuse(const char *fn, const char *arg, int err)
{
    refuse_fn = fn;
    refuse_arg = arg;
    refuse_errno = err;
}

/* For a wrapper: should this call fail?  Sets errno when it should. */
UNIT_HELPER bool refused(const char *fn, const char *arg)
{
    if (!refuse_fn || strcmp(fn, refuse_fn) != 0)
        return false;
    if (refuse_arg && (!arg || strcmp(arg, refuse_arg) != 0))
        return false;
    errno = refuse_errno;
    return true;
}

/* For a wrapper: append one call.  Safe in a child (no asserts). */
UNIT_HELPER void record(const char *fn, const char *a0, const char *a1,
                        const char *a2, unsigned long num)
{
    const char *args[3] = {a0, a1, a2};
    struct call *c;

    if (!calls || calls->n >= MAX_CALLS)
        return;
    c = &calls->call[calls->n++];
    snprintf(c->fn, sizeof c->fn, "%s", fn);
    for (int i = 0; i < 3; i++) {
        c->null[i] = args[i] == NULL;
        snprintf(c->arg[i], sizeof c->arg[i], "%s", args[i] ? args[i] : "");
    }
    c->num = num;
}

/* ---- printing calls as C, flags by name ---- */

struct flag_name {
    unsigned long value, mask; /* matches when (num & mask) == value */
    const char *name;
};

#define FLAG(f)                                                                \
    {                                                                          \
        (f), (f), #f                                                           \
    }

static const struct flag_name mount_flags[] = {
    FLAG(MS_REMOUNT), FLAG(MS_BIND),        FLAG(MS_REC),     FLAG(MS_PRIVATE),
    FLAG(MS_SLAVE),   FLAG(MS_SHARED),      FLAG(MS_RDONLY),  FLAG(MS_NOSUID),
    FLAG(MS_NODEV),   FLAG(MS_NOEXEC),      FLAG(MS_NOATIME), FLAG(MS_RELATIME),
    FLAG(MS_MOVE),    FLAG(MS_STRICTATIME), {0, 0, NULL},
};

static const struct flag_name umount_flags[] = {
    FLAG(MNT_FORCE),       FLAG(MNT_DETACH), FLAG(MNT_EXPIRE),
    FLAG(UMOUNT_NOFOLLOW), {0, 0, NULL},
};

/* clone(2): the low byte (CSIGNAL) is the signal sent to the parent when
 * the child ends, not a flag. */
static const struct flag_name clone_flags[] = {
    FLAG(CLONE_NEWUTS),    FLAG(CLONE_NEWIPC),
    FLAG(CLONE_NEWPID),    FLAG(CLONE_NEWNS),
    FLAG(CLONE_NEWUSER),   FLAG(CLONE_NEWNET),
    FLAG(CLONE_NEWCGROUP), FLAG(CLONE_VM),
    FLAG(CLONE_VFORK),     {SIGCHLD, CSIGNAL, "SIGCHLD"},
    {0, 0, NULL},
};

/* How each wrapped call prints: how many string arguments it has, and
 * whether its number is flags (TABLE), a plain number, or nothing. */
static const struct shape {
    const char *fn;
    int nargs;
    enum { NUM_NONE, NUM_DECIMAL, NUM_FLAGS } num;
    const struct flag_name *table;
} shapes[] = {
    {"mount", 3, NUM_FLAGS, mount_flags},
    {"umount2", 1, NUM_FLAGS, umount_flags},
    {"pivot_root", 2, NUM_NONE, NULL},
    {"chdir", 1, NUM_NONE, NULL},
    {"sethostname", 1, NUM_DECIMAL, NULL},
    {"setdomainname", 1, NUM_DECIMAL, NULL},
    {"clone", 0, NUM_FLAGS, clone_flags},
    {NULL, 3, NUM_DECIMAL, NULL}, /* anything else */
};

UNIT_HELPER const struct shape *shape_of(const char *fn)
{
    const struct shape *s = shapes;

    while (s->fn && strcmp(s->fn, fn) != 0)
        s++;
    return s;
}

/* "MS_REC|MS_PRIVATE"; bits without a name print in hex. */
UNIT_HELPER void flag_names(const struct flag_name *table, unsigned long num,
                            char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    for (const struct flag_name *f = table; f && f->name && n < len; f++) {
        if (f->mask && (num & f->mask) == f->value) {
            n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "", f->name);
            num &= ~f->mask;
        }
    }
    if (n < len && (num || n == 0))
        snprintf(buf + n, len - n, "%s%#lx", n ? "|" : "", num);
}

/* The call as C: mount(NULL, "/", NULL, MS_REC|MS_PRIVATE).  mount's
 * last argument, data, is not recorded. */
UNIT_HELPER void describe(const struct call *c, char *buf, size_t len)
{
    const struct shape *s = shape_of(c->fn);
    size_t n = snprintf(buf, len, "%s(", c->fn);
    char flags[160];

    for (int i = 0; i < s->nargs && n < len; i++) {
        if (c->null[i])
            n += snprintf(buf + n, len - n, "%sNULL", i ? ", " : "");
        else
            n += snprintf(buf + n, len - n, "%s\"%s\"", i ? ", " : "",
                          c->arg[i]);
    }
    if (n < len && s->num == NUM_DECIMAL)
        n += snprintf(buf + n, len - n, "%s%lu", s->nargs ? ", " : "", c->num);
    if (n < len && s->num == NUM_FLAGS) {
        flag_names(s->table, c->num, flags, sizeof flags);
        n += snprintf(buf + n, len - n, "%s%s", s->nargs ? ", " : "", flags);
    }
    if (n < len)
        snprintf(buf + n, len - n, ")");
}

/* The whole log, shown when a check of it fails. */
UNIT_HELPER void print_calls(void)
{
    char buf[1024];

    print_error("the runtime made %d wrapped call(s):\n", calls->n);
    for (int i = 0; i < calls->n; i++) {
        describe(&calls->call[i], buf, sizeof buf);
        print_error("  %2d  %s\n", i, buf);
    }
}

/* Fail the test at FILE:LINE (the test's line, not ours), saying why and,
 * with LOG, showing the call log. */
__attribute__((format(printf, 4, 5))) UNIT_HELPER void
flunk(const char *file, int line, bool log, const char *fmt, ...)
{
    va_list ap;
    char msg[4096];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error("%s\n", msg);
    if (log)
        print_calls();
    _fail(file, line);
}

/* ---- checking the log ----
 * Each check is a macro, so that a failure names the test's line. */

/* Call I was exactly FN(A0, A1, A2, NUM), as far as FN takes those. */
#define expect_call(...) expect_call_at(__FILE__, __LINE__, __VA_ARGS__)
UNIT_HELPER void expect_call_at(const char *file, int line, int i,
                                const char *fn, const char *a0, const char *a1,
                                const char *a2, unsigned long num)
{
    struct call want = {.num = num};
    const char *args[3] = {a0, a1, a2};
    char w[1024], got[1024];

    snprintf(want.fn, sizeof want.fn, "%s", fn);
    for (int k = 0; k < 3; k++) {
        want.null[k] = args[k] == NULL;
        snprintf(want.arg[k], sizeof want.arg[k], "%s", args[k] ? args[k] : "");
    }
    describe(&want, w, sizeof w);
    if (i >= calls->n)
        flunk(file, line, true, "call %d: expected %s, but there was none", i,
              w);
    describe(&calls->call[i], got, sizeof got);
    if (strcmp(w, got) != 0)
        flunk(file, line, true, "call %d: expected %s\n         got %s", i, w,
              got);
}

/* The first call FN at or after FROM whose first two string arguments are
 * A0 and A1 (NULL: any); -1 if there is none. */
UNIT_HELPER int find_call(int from, const char *fn, const char *a0,
                          const char *a1)
{
    for (int i = from; i < calls->n; i++) {
        const struct call *c = &calls->call[i];

        if (strcmp(c->fn, fn) != 0)
            continue;
        if (a0 && (c->null[0] || strcmp(c->arg[0], a0) != 0))
            continue;
        if (a1 && (c->null[1] || strcmp(c->arg[1], a1) != 0))
            continue;
        return i;
    }
    return -1;
}

/* The last call FN; -1 if there is none. */
UNIT_HELPER int last_call(const char *fn)
{
    for (int i = calls->n - 1; i >= 0; i--)
        if (strcmp(calls->call[i].fn, fn) == 0)
            return i;
    return -1;
}

/* How many calls FN were made. */
UNIT_HELPER int count_calls(const char *fn)
{
    int n = 0;

    for (int i = 0; i < calls->n; i++)
        n += strcmp(calls->call[i].fn, fn) == 0;
    return n;
}

/* I, unless it is -1: then fail, saying a call WHAT was expected. */
#define require(i, what) require_at(__FILE__, __LINE__, (i), (what))
UNIT_HELPER int require_at(const char *file, int line, int i, const char *what)
{
    if (i < 0)
        flunk(file, line, true, "expected a call %s; there was none", what);
    return i;
}

/* Fail unless call I came before call J; WHY is the reason the order
 * matters, for the person reading the failure. */
#define assert_before(i, j, why)                                               \
    assert_before_at(__FILE__, __LINE__, (i), (j), (why))
UNIT_HELPER void assert_before_at(const char *file, int line, int i, int j,
                                  const char *why)
{
    char a[1024] = "(none)", b[1024] = "(none)";

    if (i >= 0 && j >= 0 && i < j)
        return;
    if (i >= 0)
        describe(&calls->call[i], a, sizeof a);
    if (j >= 0)
        describe(&calls->call[j], b, sizeof b);
    flunk(file, line, true, "call %d %s\nmust come before call %d %s:\n%s", i,
          a, j, b, why);
}

/* Fail unless the number of call I has every bit of WANT. */
#define expect_flags(i, want) expect_flags_at(__FILE__, __LINE__, (i), (want))
UNIT_HELPER void expect_flags_at(const char *file, int line, int i,
                                 unsigned long want)
{
    const struct call *c = &calls->call[i];
    char buf[1024], missing[160];

    if ((c->num & want) == want)
        return;
    describe(c, buf, sizeof buf);
    flag_names(shape_of(c->fn)->table, want & ~c->num, missing, sizeof missing);
    flunk(file, line, true, "call %d %s lacks %s", i, buf, missing);
}

/* Fail unless TEXT contains NEEDLE. */
#define assert_contains(text, needle)                                          \
    assert_contains_at(__FILE__, __LINE__, (text), (needle))
UNIT_HELPER void assert_contains_at(const char *file, int line,
                                    const char *text, const char *needle)
{
    if (!text || !strstr(text, needle))
        flunk(file, line, false, "expected \"%s\" in:\n%s", needle,
              text ? text : "(null)");
}

/* How many lines of TEXT start with PREFIX. */
UNIT_HELPER int count_lines(const char *text, const char *prefix)
{
    int n = 0;

    for (const char *line = text; *line;) {
        n += strncmp(line, prefix, strlen(prefix)) == 0;
        line = strchr(line, '\n');
        if (!line)
            break;
        line++;
    }
    return n;
}

/* ---- running code that may exit ---- */

/* Run FN(ARG) in a child process, its stderr captured in ERR (always
 * NUL-terminated), and return its status as a shell reports it: the exit
 * code, or 128+N when it died of signal N.  FN returning counts as 0. */
UNIT_HELPER int run_in_child(void (*fn)(void *), void *arg, char *err,
                             size_t errlen)
{
    int pipefd[2], status;
    size_t n = 0;
    ssize_t r;
    char sink[256];
    pid_t pid;

    err[0] = '\0';
    if (pipe(pipefd) < 0)
        fail_msg("pipe: %s", strerror(errno));
    /* Whatever stdio holds now would otherwise be written twice. */
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        close(pipefd[0]);
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[1]);
        fn(arg);
        fflush(NULL);
        _exit(0);
    }
    close(pipefd[1]);
    /* Read to EOF before waiting, or a chatty child fills the pipe. */
    for (;;) {
        if (n + 1 < errlen)
            r = read(pipefd[0], err + n, errlen - 1 - n);
        else
            r = read(pipefd[0], sink, sizeof sink);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (n + 1 < errlen)
            n += r;
    }
    err[n] = '\0';
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail_msg("waitpid: %s", strerror(errno));
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

#ifdef UNIT_FAKE_IDS
/* The id calls of stages 05 and on, faked for a test that defines
 * UNIT_FAKE_IDS and wraps setresgid, setresuid and setgroups.
 * setresgid("0", "0", "0", 0): the ids as text, so that all three show. */
static int fake_setres(const char *fn, unsigned r, unsigned e, unsigned s)
{
    char a[3][16];

    snprintf(a[0], sizeof a[0], "%u", r);
    snprintf(a[1], sizeof a[1], "%u", e);
    snprintf(a[2], sizeof a[2], "%u", s);
    record(fn, a[0], a[1], a[2], 0);
    return refused(fn, NULL) ? -1 : 0;
}

int __wrap_setresgid(gid_t r, gid_t e, gid_t s)
{
    return fake_setres("setresgid", r, e, s);
}

int __wrap_setresuid(uid_t r, uid_t e, uid_t s)
{
    return fake_setres("setresuid", r, e, s);
}

/* setgroups("0", NULL, NULL, 0): the size, and the list or NULL. */
int __wrap_setgroups(size_t size, const gid_t *list)
{
    char n[32];

    snprintf(n, sizeof n, "%zu", size);
    record("setgroups", n, list ? "(list)" : NULL, NULL, 0);
    return refused("setgroups", NULL) ? -1 : 0;
}
#endif

#ifdef UNIT_PARSE
/* parse_args() over a list of words, for a test that defines UNIT_PARSE:
 * parse(ARGV("-n", "box", NULL)) fills cfg and returns what parse_args
 * returns; when it refuses, errmsg holds its message. */
static struct config cfg;
static char errmsg[256];

/* The words after "step", ending in NULL: ARGV("-n", "box", NULL). */
#define ARGV(...) ((char *[]){"step", __VA_ARGS__})

static int parse(char **argv)
{
    int argc = 0;

    while (argv[argc])
        argc++;
    memset(errmsg, 0, sizeof errmsg);
    return parse_args(argc, argv, &cfg, errmsg, sizeof errmsg);
}
#endif

#ifdef UNIT_FAKE_UTS
/* sethostname and setdomainname, faked for a test that defines
 * UNIT_FAKE_UTS and wraps both: nothing renames the host.
 * sethostname("box", 3): the name, and the length it was given. */
int __wrap_sethostname(const char *name, size_t len)
{
    char copy[256];

    /* NAME need not end in '\0': LEN says where it ends. */
    snprintf(copy, sizeof copy, "%.*s", (int)len, name);
    record("sethostname", copy, NULL, NULL, len);
    return refused("sethostname", copy) ? -1 : 0;
}

int __wrap_setdomainname(const char *name, size_t len)
{
    char copy[256];

    snprintf(copy, sizeof copy, "%.*s", (int)len, name);
    record("setdomainname", copy, NULL, NULL, len);
    return refused("setdomainname", copy) ? -1 : 0;
}
#endif

#ifdef UNIT_FAKE_MOUNT
/* mount, faked for a test that defines UNIT_FAKE_MOUNT and wraps it:
 * nothing is mounted.  refuse("mount", TARGET, ERR) fails the call on
 * that target.  The last argument, data, is not recorded. */
int __wrap_mount(const char *source, const char *target, const char *fstype,
                 unsigned long flags, const void *data)
{
    (void)data;
    record("mount", source, target, fstype, flags);
    return refused("mount", target) ? -1 : 0;
}
#endif

#endif
