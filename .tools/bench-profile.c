/* bench-profile: the full runtime's hardening profile, as the pieces of an
 * OCI config.json that make bench gives crun and runc, so that they are
 * measured with the same capabilities, seccomp rules and masked paths as
 * the runtime they are compared with, and no copy of those lists can
 * drift from it.
 *
 * It #includes the runtime (RUNTIME, the last stage's solution; main() is
 * fenced off by UNIT_TEST, as for the unit tests) and reads the profile
 * from the runtime's own code:
 *   - the capabilities it keeps: its kept_caps[] table;
 *   - the seccomp filter: setup_seccomp() runs with seccomp_rule_add and
 *     seccomp_load replaced (ld --wrap), so every rule it adds, with its
 *     argument conditions, is written down and nothing is loaded;
 *   - the masked and read-only paths: mask_paths() runs with mount, lstat
 *     and statvfs replaced, so nothing is mounted and every path counts,
 *     whether or not this kernel has it.
 *
 * Build (.tools/bench.sh does):
 *   cc -std=c11 -DUNIT_TEST -DRUNTIME='"../solutions/07-full/runtime.c"'
 *      -o bench-profile .tools/bench-profile.c -lseccomp
 *      -Wl,--wrap=seccomp_init,--wrap=seccomp_rule_add,--wrap=seccomp_load
 *      -Wl,--wrap=mount,--wrap=lstat,--wrap=statvfs
 *
 * Output: one line per piece, KEY<TAB>JSON, KEY being the config.json
 * field it fills: capabilities, seccomp, maskedPaths, readonlyPaths.
 * Exit status 1, with the reason on stderr, when a piece comes out empty
 * or holds what OCI cannot say.
 */
#ifndef RUNTIME
#define RUNTIME "../solutions/07-full/runtime.c"
#endif

/* What only the runtime's main() calls would warn as unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include RUNTIME
#pragma GCC diagnostic pop

#include <linux/capability.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the runtime's hardening code asks for, written down ---- */

#define MAX_RULES 256
#define MAX_PATHS 64

static struct rule {
    uint32_t action;
    int nr;
    unsigned argc;
    struct scmp_arg_cmp arg[6];
} seen_rules[MAX_RULES];
static int nseen_rules;
static uint32_t default_action;

static const char *seen_masked[MAX_PATHS], *seen_readonly[MAX_PATHS];
static int nseen_masked, nseen_readonly;

scmp_filter_ctx __real_seccomp_init(uint32_t def_action);

scmp_filter_ctx __wrap_seccomp_init(uint32_t def_action)
{
    default_action = def_action;
    return __real_seccomp_init(def_action);
}

int __wrap_seccomp_rule_add(scmp_filter_ctx ctx, uint32_t action, int nr,
                            unsigned int argc, ...)
{
    struct rule r = {.action = action, .nr = nr, .argc = argc};
    va_list ap;

    (void)ctx;
    if (argc > 6 || nseen_rules >= MAX_RULES) {
        fprintf(stderr, "bench-profile: a rule too many or too wide\n");
        exit(1);
    }
    va_start(ap, argc);
    for (unsigned i = 0; i < argc; i++)
        r.arg[i] = va_arg(ap, struct scmp_arg_cmp);
    va_end(ap);
    seen_rules[nseen_rules++] = r;
    return 0;
}

int __wrap_seccomp_load(const scmp_filter_ctx ctx)
{
    (void)ctx;
    return 0;
}

/* Every path is there, and a file: it gets one mount, which says which
 * list the path is on. */
int __wrap_lstat(const char *path, struct stat *st)
{
    (void)path;
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFREG | 0444;
    return 0;
}

int __wrap_statvfs(const char *path, struct statvfs *sv)
{
    (void)path;
    memset(sv, 0, sizeof *sv);
    return 0;
}

/* A bind of a path onto itself makes it read-only (the remount that
 * follows is its second half); anything else mounted over a path (/dev/null
 * or an empty tmpfs) masks it. */
int __wrap_mount(const char *source, const char *target, const char *fstype,
                 unsigned long flags, const void *data)
{
    (void)fstype, (void)data;
    if (flags & MS_REMOUNT)
        return 0;
    if (nseen_masked >= MAX_PATHS || nseen_readonly >= MAX_PATHS) {
        fprintf(stderr, "bench-profile: too many masked paths\n");
        exit(1);
    }
    if ((flags & MS_BIND) && source && strcmp(source, target) == 0)
        seen_readonly[nseen_readonly++] = target;
    else
        seen_masked[nseen_masked++] = target;
    return 0;
}

/* ---- printing it as OCI wants it ---- */

static void die_with(const char *why, long what)
{
    fprintf(stderr, "bench-profile: %s (%ld)\n", why, what);
    exit(1);
}

/* A JSON string: the names and paths here have no control characters. */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void json_list(const char *key, const char *const *items, int n)
{
    printf("%s\t[", key);
    for (int i = 0; i < n; i++) {
        if (i)
            printf(", ");
        json_str(items[i]);
    }
    printf("]\n");
}

/* Capability names by number, as <linux/capability.h> numbers them. */
#define CAP(c) [c] = #c
static const char *const cap_names[] = {
    CAP(CAP_CHOWN),
    CAP(CAP_DAC_OVERRIDE),
    CAP(CAP_DAC_READ_SEARCH),
    CAP(CAP_FOWNER),
    CAP(CAP_FSETID),
    CAP(CAP_KILL),
    CAP(CAP_SETGID),
    CAP(CAP_SETUID),
    CAP(CAP_SETPCAP),
    CAP(CAP_LINUX_IMMUTABLE),
    CAP(CAP_NET_BIND_SERVICE),
    CAP(CAP_NET_BROADCAST),
    CAP(CAP_NET_ADMIN),
    CAP(CAP_NET_RAW),
    CAP(CAP_IPC_LOCK),
    CAP(CAP_IPC_OWNER),
    CAP(CAP_SYS_MODULE),
    CAP(CAP_SYS_RAWIO),
    CAP(CAP_SYS_CHROOT),
    CAP(CAP_SYS_PTRACE),
    CAP(CAP_SYS_PACCT),
    CAP(CAP_SYS_ADMIN),
    CAP(CAP_SYS_BOOT),
    CAP(CAP_SYS_NICE),
    CAP(CAP_SYS_RESOURCE),
    CAP(CAP_SYS_TIME),
    CAP(CAP_SYS_TTY_CONFIG),
    CAP(CAP_MKNOD),
    CAP(CAP_LEASE),
    CAP(CAP_AUDIT_WRITE),
    CAP(CAP_AUDIT_CONTROL),
    CAP(CAP_SETFCAP),
    CAP(CAP_MAC_OVERRIDE),
    CAP(CAP_MAC_ADMIN),
    CAP(CAP_SYSLOG),
    CAP(CAP_WAKE_ALARM),
    CAP(CAP_BLOCK_SUSPEND),
    CAP(CAP_AUDIT_READ),
    CAP(CAP_PERFMON),
    CAP(CAP_BPF),
    CAP(CAP_CHECKPOINT_RESTORE),
};

static void print_capabilities(void)
{
    const size_t n = sizeof kept_caps / sizeof kept_caps[0];
    const char *names[64];

    if (n == 0 || n > 64)
        die_with("kept_caps has no entries, or too many", (long)n);
    for (size_t i = 0; i < n; i++) {
        int c = kept_caps[i];
        if (c < 0 || (size_t)c >= sizeof cap_names / sizeof cap_names[0] ||
            !cap_names[c])
            die_with("a kept capability this program has no name for", c);
        names[i] = cap_names[c];
    }
    json_list("capabilities", names, (int)n);
}

/* The OCI name of a libseccomp action, and its errno for SCMP_ACT_ERRNO. */
static const char *action_name(uint32_t action, int *err)
{
    *err = -1;
    if ((action & 0xffff0000U) == SCMP_ACT_ERRNO(0)) {
        *err = (int)(action & 0xffffU);
        return "SCMP_ACT_ERRNO";
    }
    switch (action) {
    case SCMP_ACT_ALLOW:
        return "SCMP_ACT_ALLOW";
    case SCMP_ACT_KILL_PROCESS:
        return "SCMP_ACT_KILL_PROCESS";
    case SCMP_ACT_KILL_THREAD:
        return "SCMP_ACT_KILL_THREAD";
    case SCMP_ACT_TRAP:
        return "SCMP_ACT_TRAP";
    case SCMP_ACT_LOG:
        return "SCMP_ACT_LOG";
    }
    die_with("a seccomp action OCI has no name for", (long)action);
    return NULL;
}

static const char *op_name(enum scmp_compare op)
{
    switch (op) {
    case SCMP_CMP_NE:
        return "SCMP_CMP_NE";
    case SCMP_CMP_LT:
        return "SCMP_CMP_LT";
    case SCMP_CMP_LE:
        return "SCMP_CMP_LE";
    case SCMP_CMP_EQ:
        return "SCMP_CMP_EQ";
    case SCMP_CMP_GE:
        return "SCMP_CMP_GE";
    case SCMP_CMP_GT:
        return "SCMP_CMP_GT";
    case SCMP_CMP_MASKED_EQ:
        return "SCMP_CMP_MASKED_EQ";
    default:
        die_with("a seccomp comparison OCI has no name for", (long)op);
        return NULL;
    }
}

/* One OCI syscalls entry: NAMES (a JSON list's inside), ACTION, ARGS. */
static void print_entry(const char *names, uint32_t action,
                        const struct rule *with_args)
{
    int err;
    const char *act = action_name(action, &err);

    printf("{\"names\": [%s], \"action\": \"%s\"", names, act);
    if (err >= 0)
        printf(", \"errnoRet\": %d", err);
    if (with_args && with_args->argc) {
        printf(", \"args\": [");
        for (unsigned i = 0; i < with_args->argc; i++) {
            const struct scmp_arg_cmp *a = &with_args->arg[i];
            printf("%s{\"index\": %u, \"value\": %llu, \"valueTwo\": %llu, "
                   "\"op\": \"%s\"}",
                   i ? ", " : "", a->arg, (unsigned long long)a->datum_a,
                   (unsigned long long)a->datum_b, op_name(a->op));
        }
        printf("]");
    }
    printf("}");
}

/* The call's name, as crun's and runc's libseccomp will look it up; NULL
 * when this libseccomp does not know the number (a call newer than it,
 * which the runtime adds by number). */
static char *syscall_name(int nr)
{
    return seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
}

/* Calls denied with no condition are grouped by action, in the order the
 * runtime added them; each rule with conditions is an entry of its own
 * (OCI, like libseccomp, allows a call when no entry matches). */
static void print_seccomp(void)
{
    char names[8192];
    int err, first = 1;
    bool done[MAX_RULES] = {false};

    if (nseen_rules == 0)
        die_with("setup_seccomp() added no rule", 0);
    printf("seccomp\t{\"defaultAction\": \"%s\", \"syscalls\": [",
           action_name(default_action, &err));
    for (int i = 0; i < nseen_rules; i++) {
        size_t len = 0;
        char *name;

        if (done[i])
            continue;
        names[0] = '\0';
        for (int j = i; j < nseen_rules; j++) {
            if (done[j] || seen_rules[j].action != seen_rules[i].action ||
                (seen_rules[j].argc > 0) != (seen_rules[i].argc > 0) ||
                (j != i && seen_rules[i].argc > 0))
                continue;
            done[j] = true;
            if (!(name = syscall_name(seen_rules[j].nr))) {
                fprintf(stderr,
                        "bench-profile: this libseccomp has no name for "
                        "syscall %d: its rule is left out of the bundles\n",
                        seen_rules[j].nr);
                continue;
            }
            len += snprintf(names + len, sizeof names - len, "%s\"%s\"",
                            len ? ", " : "", name);
            free(name);
            if (len >= sizeof names)
                die_with("too many names in one entry", (long)len);
        }
        if (len == 0)
            continue;
        printf("%s", first ? "" : ", ");
        first = 0;
        print_entry(names, seen_rules[i].action, &seen_rules[i]);
    }
    printf("]}\n");
}

int main(void)
{
    struct config cfg = {0};

    setup_seccomp(&cfg);
    mask_paths(&cfg);
    if (nseen_masked == 0 || nseen_readonly == 0)
        die_with("mask_paths() masked or made read-only nothing", 0);
    print_capabilities();
    print_seccomp();
    json_list("maskedPaths", seen_masked, nseen_masked);
    json_list("readonlyPaths", seen_readonly, nseen_readonly);
    return 0;
}
