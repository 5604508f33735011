/* The command line and the exit status: parse_args(), usage(), wait_child(),
 * fail(), exec_command().  The same options mean the same thing in every
 * stage, so run.sh builds this file once per solution, with RUNTIME naming
 * it; options that appear later are tested under #ifdef on a macro their
 * stage defines (STEP_ROOTFS from 04).
 *
 * Nothing here needs root or a namespace: these are the parts a learner
 * can get right on any machine.
 */
/* solutions: all */
#ifndef RUNTIME
#define RUNTIME "../../solutions/01-uts/runtime.c"
#endif

/* The runtime's main() is fenced off by UNIT_TEST; what only main() calls
 * would warn as unused, and -Werror would stop us. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include RUNTIME
#pragma GCC diagnostic pop

#define UNIT_PARSE
#include "unit.h"

/* parse(ARGV(...)), cfg and errmsg: unit.h (UNIT_PARSE). */

/* ---- options ---- */

static void test_01_defaults_are_hostname_container_and_bin_sh(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV(NULL)), 0);
    assert_string_equal(cfg.hostname, "container");
    assert_string_equal(cfg.argv[0], "/bin/sh");
    assert_null(cfg.argv[1]);
    assert_int_equal(cfg.verbose, 0);
}

static void test_01_hostname_option_in_every_spelling(void **state)
{
    char **lines[] = {
        ARGV("-n", "box", NULL),
        ARGV("-nbox", NULL),
        ARGV("--hostname", "box", NULL),
        ARGV("--hostname=box", NULL),
    };

    (void)state;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        assert_int_equal(parse(lines[i]), 0);
        assert_string_equal(cfg.hostname, "box");
        assert_string_equal(cfg.argv[0], "/bin/sh");
    }
}

static void test_01_verbose_option_in_every_spelling(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("-v", NULL)), 0);
    assert_int_equal(cfg.verbose, 1);
    assert_int_equal(parse(ARGV("--verbose", NULL)), 0);
    assert_int_equal(cfg.verbose, 1);
}

/* 1 tells main() to print the usage and exit 0, whatever came before. */
static void test_01_help_returns_1(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("-h", NULL)), 1);
    assert_int_equal(parse(ARGV("--help", NULL)), 1);
    assert_int_equal(parse(ARGV("-v", "-n", "box", "--help", NULL)), 1);
}

static void test_01_double_dash_ends_the_options(void **state)
{
    (void)state;
    /* A command may itself start with a dash. */
    assert_int_equal(parse(ARGV("--", "-v", NULL)), 0);
    assert_int_equal(cfg.verbose, 0);
    assert_string_equal(cfg.argv[0], "-v");

    assert_int_equal(parse(ARGV("-v", "--", "ls", "-l", NULL)), 0);
    assert_int_equal(cfg.verbose, 1);
    assert_string_equal(cfg.argv[0], "ls");
    assert_string_equal(cfg.argv[1], "-l");
    assert_null(cfg.argv[2]);

    /* Nothing after "--": the default command. */
    assert_int_equal(parse(ARGV("--", NULL)), 0);
    assert_string_equal(cfg.argv[0], "/bin/sh");
}

/* getopt(3) would by default move "-l" of `step ls -l` in front of "ls"
 * and take it as ours; "+" in the option string stops at the first word
 * that is not an option. */
static void test_01_options_after_the_command_stay_the_commands(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("ls", "-l", NULL)), 0);
    assert_string_equal(cfg.argv[0], "ls");
    assert_string_equal(cfg.argv[1], "-l");
    assert_null(cfg.argv[2]);

    assert_int_equal(parse(ARGV("-n", "box", "sh", "-n", "x", "-v", NULL)), 0);
    assert_string_equal(cfg.hostname, "box");
    assert_int_equal(cfg.verbose, 0);
    assert_string_equal(cfg.argv[0], "sh");
    assert_string_equal(cfg.argv[1], "-n");
    assert_string_equal(cfg.argv[2], "x");
    assert_string_equal(cfg.argv[3], "-v");

    /* The command's --help is the command's. */
    assert_int_equal(parse(ARGV("ls", "--help", NULL)), 0);
}

static void test_01_unknown_option_is_refused_naming_it(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("-x", NULL)), -1);
    assert_contains(errmsg, "-x");
    assert_int_equal(parse(ARGV("--bogus", NULL)), -1);
    assert_contains(errmsg, "--bogus");
    assert_int_equal(parse(ARGV("-v", "--bogus", "ls", NULL)), -1);
    assert_contains(errmsg, "--bogus");
}

static void test_01_missing_argument_is_refused_naming_the_option(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("-n", NULL)), -1);
    assert_contains(errmsg, "-n");
    assert_int_equal(parse(ARGV("--hostname", NULL)), -1);
    assert_contains(errmsg, "--hostname");
}

/* sethostname(2): at most HOST_NAME_MAX (64) bytes.  An empty name would
 * be accepted by the kernel, and leave the prompt blank. */
static void test_01_empty_hostname_is_refused(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("-n", "", NULL)), -1);
    assert_contains(errmsg, "hostname");
    assert_int_equal(parse(ARGV("--hostname=", NULL)), -1);
    assert_contains(errmsg, "hostname");
}

static void test_01_65_character_hostname_is_refused(void **state)
{
    char name[66];

    (void)state;
    memset(name, 'a', 65);
    name[65] = '\0';
    assert_int_equal(parse(ARGV("-n", name, NULL)), -1);
    assert_contains(errmsg, "hostname");
}

static void test_01_64_character_hostname_is_accepted(void **state)
{
    char name[65];

    (void)state;
    memset(name, 'a', 64);
    name[64] = '\0';
    assert_int_equal(parse(ARGV("-n", name, NULL)), 0);
    assert_string_equal(cfg.hostname, name);
}

/* getopt(3) keeps its place in globals (optind, and in glibc the position
 * inside a group like -hv).  Setting optind to 0, not 1, resets both; a
 * second call that inherited them would skip words or read stale ones. */
static void test_01_parse_args_starts_afresh_on_every_call(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("-n", "a", "x", NULL)), 0);
    assert_int_equal(parse(ARGV("y", NULL)), 0);
    assert_string_equal(cfg.argv[0], "y");

    assert_int_equal(parse(ARGV("-hv", NULL)), 1);
    assert_int_equal(parse(ARGV("ls", NULL)), 0);
    assert_int_equal(cfg.verbose, 0);
    assert_string_equal(cfg.argv[0], "ls");

    assert_int_equal(parse(ARGV("-x", NULL)), -1);
    assert_int_equal(parse(ARGV("-v", NULL)), 0);
    assert_int_equal(cfg.verbose, 1);

    /* Nothing of the last call's config survives either. */
    assert_int_equal(parse(ARGV(NULL)), 0);
    assert_string_equal(cfg.hostname, "container");
    assert_int_equal(cfg.verbose, 0);
}

static void test_01_usage_lists_every_option(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    (void)state;
    assert_non_null(out);
    usage(out);
    fclose(out);
    assert_contains(text, "Usage: step");
    assert_contains(text, "--hostname");
    assert_contains(text, "--verbose");
    assert_contains(text, "--help");
#ifdef STEP_ROOTFS
    assert_contains(text, "--rootfs");
#endif
    free(text);
}

#ifdef STEP_ROOTFS
static void test_04_rootfs_defaults_to_the_built_fixture(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV(NULL)), 0);
    assert_string_equal(cfg.rootfs, STEP_ROOTFS);
}

static void test_04_rootfs_option_in_every_spelling(void **state)
{
    char **lines[] = {
        ARGV("-r", "/srv/img", NULL),
        ARGV("-r/srv/img", NULL),
        ARGV("--rootfs", "/srv/img", NULL),
        ARGV("--rootfs=/srv/img", NULL),
    };

    (void)state;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        assert_int_equal(parse(lines[i]), 0);
        assert_string_equal(cfg.rootfs, "/srv/img");
        assert_string_equal(cfg.argv[0], "/bin/sh");
    }
}

static void test_04_empty_or_missing_rootfs_is_refused(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("-r", "", NULL)), -1);
    assert_contains(errmsg, "rootfs");
    assert_int_equal(parse(ARGV("-r", NULL)), -1);
    assert_contains(errmsg, "-r");
    assert_int_equal(parse(ARGV("--rootfs", NULL)), -1);
    assert_contains(errmsg, "--rootfs");
}
#endif

/* ---- exit status: the command's, 128+N, 125, 126, 127 ---- */

/* A real child that ends as told: exit code CODE, or signal SIG. */
static int child_ending(int code, int sig)
{
    pid_t pid;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (sig) {
            signal(sig, SIG_DFL);
            raise(sig);
        }
        _exit(code);
    }
    return wait_child(pid);
}

static void test_01_exit_status_is_the_commands(void **state)
{
    (void)state;
    assert_int_equal(child_ending(0, 0), 0);
    assert_int_equal(child_ending(3, 0), 3);
    assert_int_equal(child_ending(255, 0), 255);
}

/* What a shell reports for a command killed by signal N. */
static void test_01_death_by_signal_n_gives_128_plus_n(void **state)
{
    (void)state;
    assert_int_equal(child_ending(0, SIGKILL), 128 + 9);
    assert_int_equal(child_ending(0, SIGTERM), 128 + 15);
    assert_int_equal(child_ending(0, SIGINT), 128 + 2);
}

static void fail_with_hint(void *arg)
{
    (void)arg;
    errno = EINVAL; /* fail() must print the errno it is given, not this */
    /* cmocka.h has a fail() macro too: the parentheses call the runtime's
     * function instead. */
    (fail)(125, EPERM, "run as root: sudo ./step", "clone(%s)",
           "CLONE_NEWUTS|SIGCHLD");
}

static void test_01_fail_prints_one_line_and_exits_with_the_status(void **state)
{
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(fail_with_hint, NULL, err, sizeof err), 125);
    assert_string_equal(err, "step: clone(CLONE_NEWUTS|SIGCHLD): "
                             "Operation not permitted "
                             "(run as root: sudo ./step)\n");
}

static void fail_without_errno(void *arg)
{
    (void)arg;
    (fail)(126, 0, NULL, "bad %s", "thing");
}

static void test_01_fail_without_errno_names_no_error(void **state)
{
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(fail_without_errno, NULL, err, sizeof err),
                     126);
    assert_string_equal(err, "step: bad thing\n");
}

static void fail_in_container(void *arg)
{
    report_fd = *(int *)arg;
    (fail)(127, ENOENT, NULL, "execvp(\"%s\")", "nope");
}

/* Before exec the container's stderr may be anywhere; its error goes up
 * the report pipe so that the parent prints it, once. */
static void test_01_fail_in_the_container_reports_to_the_parent(void **state)
{
    struct report r;
    char err[1024];
    int fds[2];

    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(run_in_child(fail_in_container, &fds[1], err, sizeof err),
                     127);
    close(fds[1]);
    assert_string_equal(err, "");
    assert_int_equal(read(fds[0], &r, sizeof r), sizeof r);
    close(fds[0]);
    assert_int_equal(r.status, 127);
    assert_string_equal(r.msg,
                        "step: execvp(\"nope\"): No such file or directory");
}

static void exec_it(void *arg)
{
    struct config c = {.argv = arg, .hostname = "container"};

    exec_command(&c);
}

/* execvp(3) reports EACCES, not ENOENT, when some directory in PATH
 * cannot be searched: the lookup gets a PATH we know. */
static void exec_in_path(void *arg)
{
    setenv("PATH", "/usr/bin:/bin", 1);
    exec_it(arg);
}

static void test_01_command_not_found_exits_127(void **state)
{
    char *absent[] = {"/nonexistent/step-unit", NULL};
    char *unlisted[] = {"step-unit-no-such-command", NULL};
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(exec_it, absent, err, sizeof err), 127);
    assert_contains(err, "step: execvp(\"/nonexistent/step-unit\")");
    assert_contains(err, "No such file or directory");
    /* Looked up in PATH, and not there. */
    assert_int_equal(run_in_child(exec_in_path, unlisted, err, sizeof err),
                     127);
    assert_contains(err, "step-unit-no-such-command");
}

static void test_01_command_not_executable_exits_126(void **state)
{
    char *directory[] = {"/", NULL};
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(exec_it, directory, err, sizeof err), 126);
    assert_contains(err, "step: execvp(\"/\")");
    assert_contains(err, "Permission denied");
}

static void test_01_command_found_runs_and_its_status_stays(void **state)
{
    char *command[] = {"/bin/sh", "-c", "exit 7", NULL};
    char err[1024];

    (void)state;
    assert_int_equal(run_in_child(exec_it, command, err, sizeof err), 7);
    assert_string_equal(err, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_defaults_are_hostname_container_and_bin_sh),
        cmocka_unit_test(test_01_hostname_option_in_every_spelling),
        cmocka_unit_test(test_01_verbose_option_in_every_spelling),
        cmocka_unit_test(test_01_help_returns_1),
        cmocka_unit_test(test_01_double_dash_ends_the_options),
        cmocka_unit_test(test_01_options_after_the_command_stay_the_commands),
        cmocka_unit_test(test_01_unknown_option_is_refused_naming_it),
        cmocka_unit_test(test_01_missing_argument_is_refused_naming_the_option),
        cmocka_unit_test(test_01_empty_hostname_is_refused),
        cmocka_unit_test(test_01_65_character_hostname_is_refused),
        cmocka_unit_test(test_01_64_character_hostname_is_accepted),
        cmocka_unit_test(test_01_parse_args_starts_afresh_on_every_call),
        cmocka_unit_test(test_01_usage_lists_every_option),
#ifdef STEP_ROOTFS
        cmocka_unit_test(test_04_rootfs_defaults_to_the_built_fixture),
        cmocka_unit_test(test_04_rootfs_option_in_every_spelling),
        cmocka_unit_test(test_04_empty_or_missing_rootfs_is_refused),
#endif
        cmocka_unit_test(test_01_exit_status_is_the_commands),
        cmocka_unit_test(test_01_death_by_signal_n_gives_128_plus_n),
        cmocka_unit_test(
            test_01_fail_prints_one_line_and_exits_with_the_status),
        cmocka_unit_test(test_01_fail_without_errno_names_no_error),
        cmocka_unit_test(test_01_fail_in_the_container_reports_to_the_parent),
        cmocka_unit_test(test_01_command_not_found_exits_127),
        cmocka_unit_test(test_01_command_not_executable_exits_126),
        cmocka_unit_test(test_01_command_found_runs_and_its_status_stays),
    };

    return cmocka_run_group_tests_name("test_cli " RUNTIME, tests, NULL, NULL);
}
