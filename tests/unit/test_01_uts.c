/* Stage 01, the UTS namespace: what setup_uts() asks of the kernel, and
 * how run_container() creates the container and passes its status on.
 *
 * sethostname, setdomainname and clone are wrapped: nothing here changes
 * a hostname or needs root.  The fake clone() either refuses, as the
 * kernel refuses an ordinary user, or forks and runs the container's code
 * in a plain child process without namespaces.
 */
/* wrap: sethostname setdomainname clone */
#ifndef RUNTIME
#define RUNTIME "../../solutions/01-uts/runtime.c"
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* usage(): main's */
#include RUNTIME
#pragma GCC diagnostic pop

#define UNIT_FAKE_UTS
#include "unit.h"

/* ---- the fakes ---- */

/* clone(2) without namespaces: fork, and run FN in the child as clone
 * would.  Only the flags are looked at; the stack is not needed. */
int __wrap_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    pid_t pid;

    (void)stack;
    record("clone", NULL, NULL, NULL, (unsigned)flags);
    if (refused("clone", NULL))
        return -1;
    pid = fork();
    if (pid == 0) {
        /* The fork stands for a child in new namespaces: the guard rails
         * must not refuse the (wrapped) calls it makes. */
        for (size_t i = 0; i < ARRAY_SIZE(host_ns); i++)
            host_ns[i].ino = 0;
        _exit(fn(arg));
    }
    return pid;
}

/* ---- setup_uts ---- */

static void test_01_setup_uts_sets_exactly_the_hostname_given(void **state)
{
    struct config cfg = {.hostname = "box"};

    (void)state;
    setup_uts(&cfg);
    /* The length is the name's: not the buffer's, not with its '\0'. */
    expect_call(0, "sethostname", "box", NULL, NULL, 3);
}

static void test_01_setup_uts_passes_a_64_character_hostname_whole(void **state)
{
    char name[65];
    struct config cfg = {.hostname = name};

    (void)state;
    memset(name, 'h', 64);
    name[64] = '\0';
    setup_uts(&cfg);
    expect_call(0, "sethostname", name, NULL, NULL, 64);
}

/* A new UTS namespace starts as a copy of the host's, NIS domain name
 * included: it is cleared, or `domainname` inside shows the host's. */
static void test_01_setup_uts_clears_the_domain_name_after(void **state)
{
    struct config cfg = {.hostname = "box"};

    (void)state;
    setup_uts(&cfg);
    expect_call(1, "setdomainname", "", NULL, NULL, 0);
    assert_int_equal(calls->n, 2);
}

static void uts_in_child(void *arg)
{
    setup_uts(arg);
}

static void test_01_refused_sethostname_exits_125_naming_it(void **state)
{
    struct config cfg = {.hostname = "box"};
    char err[1024];

    (void)state;
    refuse("sethostname", NULL, EPERM);
    assert_int_equal(run_in_child(uts_in_child, &cfg, err, sizeof err), 125);
    assert_string_equal(err, "step: sethostname(\"box\"): "
                             "Operation not permitted\n");
    /* Checked on the next line: nothing runs after the failed call. */
    assert_int_equal(calls->n, 1);
}

/* The guard rail: still in the runtime's own UTS namespace (no clone
 * here), a noted namespace refuses the call before it is made. */
static void uts_in_host_namespace(void *arg)
{
    note_host_namespaces();
    setup_uts(arg);
}

static void
test_01_guard_refuses_sethostname_in_the_hosts_namespace(void **state)
{
    struct config cfg = {.hostname = "oops"};
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(uts_in_host_namespace, &cfg, err, sizeof err),
                     125);
    assert_contains(err, "step: sethostname");
    assert_contains(err, "CLONE_NEWUTS");
    assert_int_equal(calls->n, 0);
}

static void test_01_verbose_narrates_sethostname(void **state)
{
    struct config cfg = {.hostname = "box", .verbose = 1};
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(uts_in_child, &cfg, err, sizeof err), 0);
    assert_contains(err, "step: sethostname(\"box\")\n");
    assert_contains(err, "step: setdomainname(\"\")\n");
}

/* ---- run_container ---- */

static void run_in_container(void *arg)
{
    exit(run_container(arg));
}

/* CLONE_NEWUTS: the child gets its own hostname.  SIGCHLD, in the low
 * byte: the signal the parent gets when the child ends, without which
 * waitpid(2) needs __WALL to see the child at all. */
static void test_01_clone_asks_for_CLONE_NEWUTS_and_SIGCHLD(void **state)
{
    char *command[] = {"/bin/true", NULL};
    struct config cfg = {.argv = command, .hostname = "container"};
    char err[1024];

    (void)state;
    refuse("clone", NULL, EPERM);
    run_in_child(run_in_container, &cfg, err, sizeof err);
    expect_call(0, "clone", NULL, NULL, NULL, CLONE_NEWUTS | SIGCHLD);
}

/* An ordinary user gets EPERM: say so, and what to do. */
static void test_01_refused_clone_exits_125_saying_run_as_root(void **state)
{
    char *command[] = {"/bin/true", NULL};
    struct config cfg = {.argv = command, .hostname = "container"};
    char err[1024];

    (void)state;
    refuse("clone", NULL, EPERM);
    assert_int_equal(run_in_child(run_in_container, &cfg, err, sizeof err),
                     125);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_contains(err, "step: clone(CLONE_NEWUTS|SIGCHLD): "
                         "Operation not permitted");
    assert_contains(err, "run as root");
}

/* The namespace limit (user.max_*_namespaces) is the other clone(2)
 * failure a learner meets: the hint says where it is set. */
static void test_01_clone_hint_for_enospc_names_the_limit(void **state)
{
    (void)state;
    assert_non_null(clone_hint(ENOSPC));
    assert_contains(clone_hint(ENOSPC), "max_");
}

static void test_01_container_exit_status_is_the_commands(void **state)
{
    char *command[] = {"/bin/sh", "-c", "exit 3", NULL};
    struct config cfg = {.argv = command, .hostname = "box"};
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(run_in_container, &cfg, err, sizeof err), 3);
    assert_string_equal(err, "");
    /* The container set its hostname, then exec'd. */
    expect_call(0, "clone", NULL, NULL, NULL, CLONE_NEWUTS | SIGCHLD);
    expect_call(1, "sethostname", "box", NULL, NULL, 3);
    expect_call(2, "setdomainname", "", NULL, NULL, 0);
}

static void test_01_container_killed_by_signal_n_gives_128_plus_n(void **state)
{
    char *command[] = {"/bin/sh", "-c", "kill -TERM $$", NULL};
    struct config cfg = {.argv = command, .hostname = "box"};
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(run_in_container, &cfg, err, sizeof err),
                     128 + SIGTERM);
}

/* The container fails before exec: its error comes up the report pipe and
 * the parent prints it, once, and exits with the child's status. */
static void test_01_container_setup_error_is_printed_once(void **state)
{
    char *command[] = {"/bin/true", NULL};
    struct config cfg = {.argv = command, .hostname = "box"};
    char err[1024];

    (void)state;
    refuse("sethostname", NULL, EPERM);
    assert_int_equal(run_in_child(run_in_container, &cfg, err, sizeof err),
                     125);
    assert_string_equal(err, "step: sethostname(\"box\"): "
                             "Operation not permitted\n");
}

static void test_01_container_command_not_found_exits_127(void **state)
{
    char *command[] = {"/nonexistent/step-unit", NULL};
    struct config cfg = {.argv = command, .hostname = "box"};
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(run_in_container, &cfg, err, sizeof err),
                     127);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_contains(err, "step: execvp(\"/nonexistent/step-unit\")");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(t) cmocka_unit_test_setup(t, calls_reset)
        TEST(test_01_setup_uts_sets_exactly_the_hostname_given),
        TEST(test_01_setup_uts_passes_a_64_character_hostname_whole),
        TEST(test_01_setup_uts_clears_the_domain_name_after),
        TEST(test_01_refused_sethostname_exits_125_naming_it),
        TEST(test_01_guard_refuses_sethostname_in_the_hosts_namespace),
        TEST(test_01_verbose_narrates_sethostname),
        TEST(test_01_clone_asks_for_CLONE_NEWUTS_and_SIGCHLD),
        TEST(test_01_refused_clone_exits_125_saying_run_as_root),
        TEST(test_01_clone_hint_for_enospc_names_the_limit),
        TEST(test_01_container_exit_status_is_the_commands),
        TEST(test_01_container_killed_by_signal_n_gives_128_plus_n),
        TEST(test_01_container_setup_error_is_printed_once),
        TEST(test_01_container_command_not_found_exits_127),
    };

    return cmocka_run_group_tests_name("test_01_uts", tests, NULL, NULL);
}
