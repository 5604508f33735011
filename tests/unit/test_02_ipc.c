/* Stage 02, the IPC namespace: one more clone(2) flag, and no setup, so
 * the flags are all there is to test.  The fake clone() records them and
 * refuses, as the kernel refuses an ordinary user: no root needed.
 */
/* wrap: clone */
#ifndef RUNTIME
#define RUNTIME "../../solutions/02-ipc/runtime.c"
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* usage(): main's */
#include RUNTIME
#pragma GCC diagnostic pop

#include "unit.h"

int __wrap_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    (void)fn, (void)stack, (void)arg;
    record("clone", NULL, NULL, NULL, (unsigned)flags);
    errno = EPERM;
    return -1;
}

static void run_in_container(void *arg)
{
    exit(run_container(arg));
}

/* Clone the container (refused) in a child; ERR gets its stderr. */
static void try_clone(char *err, size_t errlen)
{
    char *command[] = {"/bin/true", NULL};
    struct config cfg = {.argv = command, .hostname = "container"};

    assert_int_equal(run_in_child(run_in_container, &cfg, err, errlen), 125);
    assert_int_equal(count_calls("clone"), 1);
}

/* Each stage adds its namespace and keeps the ones before: a container
 * with its own IPC objects still has its own hostname. */
static void test_02_clone_adds_CLONE_NEWIPC_to_CLONE_NEWUTS(void **state)
{
    char err[1024];

    (void)state;
    try_clone(err, sizeof err);
    expect_flags(0, CLONE_NEWUTS | CLONE_NEWIPC);
}

static void test_02_clone_still_signals_SIGCHLD(void **state)
{
    char err[1024];

    (void)state;
    try_clone(err, sizeof err);
    assert_int_equal(calls->call[0].num & CSIGNAL, SIGCHLD);
}

/* The error names what was asked for: a learner can tell which
 * namespace a kernel without CONFIG_IPC_NS refused. */
static void test_02_clone_error_names_CLONE_NEWIPC(void **state)
{
    char err[1024];

    (void)state;
    try_clone(err, sizeof err);
    assert_contains(err, "CLONE_NEWIPC");
    assert_contains(err, "run as root");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(t) cmocka_unit_test_setup(t, calls_reset)
        TEST(test_02_clone_adds_CLONE_NEWIPC_to_CLONE_NEWUTS),
        TEST(test_02_clone_still_signals_SIGCHLD),
        TEST(test_02_clone_error_names_CLONE_NEWIPC),
    };

    return cmocka_run_group_tests_name("test_02_ipc", tests, NULL, NULL);
}
