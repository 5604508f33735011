/* bench-timer: the timing driver of `make bench` (.tools/bench.sh).
 *
 * No shell in the timed path: each run is fork(2), execv(2) of the
 * contender's absolute path, wait4(2), timed with CLOCK_MONOTONIC from
 * just before the fork to just after wait4 returns.  wait4's rusage
 * gives the peak RSS: ru_maxrss there is the larger of the process's own
 * peak and that of every descendant it reaped itself (kernel/exit.c,
 * getrusage(RUSAGE_BOTH)): a maximum, not a sum.
 *
 *   bench-timer latency [-r ROUNDS] [-w WARMUP] [-g GAP_MS] [-e ERRDIR]
 *                       [-o RAW.csv] SPEC
 *       SPEC: one contender a line, "NAME<TAB>/abs/path<TAB>ARG...".
 *       Rounds interleave (A B C, C A B, ...): each runs every contender
 *       once, in an order shuffled anew each round (with a fixed seed, so
 *       runs are repeatable), so that none always follows the same one:
 *       what ran just before matters, as a cgroup migration shortly after
 *       another is cheaper (see the report).  A contender whose first
 *       warm-up run fails is "refused" and
 *       left out of the rounds; its stderr is kept in ERRDIR/NAME.err.
 *       Each timed run starts after GAP_MS of idle (default 0), so that
 *       it starts cold, as a lone `docker run` does, whatever ran before.
 *       Prints one TSV line per contender on stdout:
 *       name status runs median_ms min_ms max_ms maxrss_kib failures
 *
 *   bench-timer rate [-n TOTAL] [-j PARALLEL] [-e ERRFILE] -- /abs/path ARG...
 *       Starts TOTAL runs, PARALLEL at a time, and prints
 *       total parallel seconds per_second failures maxrss_kib
 *       cpu_ms_per_run machine_busy_ms_per_run
 *       where cpu is the user+system time of the runs and what they
 *       reaped, and machine_busy the time all CPUs were not idle
 *       (/proc/stat): it adds the kernel's work in its own threads (a
 *       network namespace is torn down by a kworker), and anything else
 *       the machine was doing meanwhile.
 *
 *   bench-timer floor ROOTFS
 *       The floor: the least that stage 07's isolation costs, written
 *       by hand with nothing else: clone with every namespace, uid/gid
 *       maps, a veth pair whose peer is born in the child's network
 *       namespace, v1 (or v2) memory and pids cgroups with limits,
 *       pivot_root into ROOTFS, exec /bin/true, wait, remove the
 *       cgroups.  No bridge, no addresses, no /dev, /sys or /tmp, no
 *       capabilities dropped, no seccomp.
 *
 * Exit status: 0, or 2 for bad usage or a driver error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONTENDERS 64
#define MAX_ARGS       64

struct contender {
    char name[64];
    char *argv[MAX_ARGS + 1];
    int errfd;    /* its stderr, truncated before each run */
    int refused;  /* its first warm-up run failed */
    int failures; /* failed runs within the rounds */
    int n;        /* successful timed runs */
    double *ms;   /* their times */
    long maxrss;  /* KiB, the largest seen */
};

__attribute__((format(printf, 1, 2))) static noreturn void die(const char *fmt,
                                                               ...)
{
    int saved = errno;
    va_list ap;

    fputs("bench-timer: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (saved)
        fprintf(stderr, ": %s", strerror(saved));
    fputc('\n', stderr);
    exit(2);
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* fork, exec ARGV with stdin and stdout on /dev/null and stderr on
 * ERRFD; the descriptors are opened before, outside the timed path. */
static pid_t start(char *const argv[], int devnull, int errfd)
{
    pid_t pid = fork();

    if (pid < 0)
        die("fork");
    if (pid == 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(errfd, 2);
        execv(argv[0], argv);
        dprintf(2, "bench-timer: execv(\"%s\"): %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    return pid;
}

/* One timed run: milliseconds, the wait status and the peak RSS. */
static double run_once(struct contender *c, int devnull, int *status,
                       long *maxrss)
{
    struct rusage ru;
    double t0, t1;
    pid_t pid;

    if (ftruncate(c->errfd, 0) < 0 || lseek(c->errfd, 0, SEEK_SET) < 0)
        die("truncate the stderr file of %s", c->name);
    t0 = now_ms();
    pid = start(c->argv, devnull, c->errfd);
    while (wait4(pid, status, 0, &ru) < 0)
        if (errno != EINTR)
            die("wait4");
    t1 = now_ms();
    *maxrss = ru.ru_maxrss;
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* SPEC into C; returns the number of contenders. */
static int read_spec(const char *path, struct contender *c, const char *errdir,
                     int rounds)
{
    char line[4096], file[4200];
    int n = 0;
    FILE *f = fopen(path, "re");

    if (!f)
        die("open(\"%s\")", path);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        errno = 0;
        if (n == MAX_CONTENDERS)
            die("more than %d contenders", MAX_CONTENDERS);
        struct contender *k = &c[n];
        char *save, *w = strtok_r(line, "\t", &save);
        int a = 0;
        snprintf(k->name, sizeof k->name, "%s", w);
        while ((w = strtok_r(NULL, "\t", &save)) && a < MAX_ARGS)
            k->argv[a++] = strdup(w);
        k->argv[a] = NULL;
        if (a == 0 || k->argv[0][0] != '/')
            die("%s: want NAME<TAB>/absolute/path<TAB>ARG...", k->name);
        snprintf(file, sizeof file, "%s/%s.err", errdir, k->name);
        k->errfd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (k->errfd < 0)
            die("open(\"%s\")", file);
        if (!(k->ms = calloc(rounds ? rounds : 1, sizeof *k->ms)))
            die("calloc");
        n++;
    }
    fclose(f);
    return n;
}

static int latency(int argc, char **argv)
{
    static struct contender c[MAX_CONTENDERS];
    const char *errdir = ".", *rawpath = NULL;
    int rounds = 30, warmup = 2, gap = 0, opt, n, status;
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    FILE *raw = NULL;
    long rss;

    while ((opt = getopt(argc, argv, "r:w:g:e:o:")) != -1) {
        switch (opt) {
        case 'r':
            rounds = atoi(optarg);
            break;
        case 'g':
            gap = atoi(optarg);
            break;
        case 'w':
            warmup = atoi(optarg);
            break;
        case 'e':
            errdir = optarg;
            break;
        case 'o':
            rawpath = optarg;
            break;
        default:
            return 2;
        }
    }
    if (optind != argc - 1 || rounds < 1 || warmup < 1) {
        fprintf(stderr, "usage: bench-timer latency [-r ROUNDS] [-w WARMUP] "
                        "[-g GAP_MS] [-e ERRDIR] [-o RAW.csv] SPEC\n");
        return 2;
    }
    if (devnull < 0)
        die("open(\"/dev/null\")");
    n = read_spec(argv[optind], c, errdir, rounds);
    if (rawpath) {
        if (!(raw = fopen(rawpath, "we")))
            die("open(\"%s\")", rawpath);
        fprintf(raw, "contender,round,ms,maxrss_kib,status\n");
    }
    /* Warm-up: page caches, the dynamic linker's, the kernel's slabs.
     * The first run also tells who refuses to start at all; its stderr
     * stays in the .err file for the report. */
    for (int w = 0; w < warmup; w++)
        for (int i = 0; i < n; i++) {
            if (c[i].refused)
                continue;
            run_once(&c[i], devnull, &status, &rss);
            if (w == 0 && status != 0)
                c[i].refused = status;
        }
    int order[MAX_CONTENDERS];
    unsigned long long seed = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int r = 0; r < rounds; r++) {
        /* A new order each round: Fisher-Yates, from a xorshift generator. */
        for (int k = n - 1; k > 0; k--) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            int m = seed % (k + 1), t = order[k];
            order[k] = order[m], order[m] = t;
        }
        for (int j = 0; j < n; j++) {
            int i = order[j];
            if (c[i].refused)
                continue;
            if (gap > 0)
                usleep(gap * 1000);
            double ms = run_once(&c[i], devnull, &status, &rss);
            if (raw)
                fprintf(raw, "%s,%d,%.4f,%ld,%d\n", c[i].name, r + 1, ms, rss,
                        WIFEXITED(status) ? WEXITSTATUS(status)
                                          : 128 + WTERMSIG(status));
            if (status != 0) {
                c[i].failures++;
                continue;
            }
            c[i].ms[c[i].n++] = ms;
            if (rss > c[i].maxrss)
                c[i].maxrss = rss;
        }
    }
    if (raw)
        fclose(raw);
    for (int i = 0; i < n; i++) {
        struct contender *k = &c[i];
        if (k->refused || k->n == 0) {
            int st = k->refused ? k->refused : 0;
            printf("%s\trefused\t0\t\t\t\t\t%d\texit %d\n", k->name,
                   k->failures,
                   WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
            continue;
        }
        double lo = k->ms[0], hi = k->ms[0];
        for (int j = 1; j < k->n; j++) {
            lo = k->ms[j] < lo ? k->ms[j] : lo;
            hi = k->ms[j] > hi ? k->ms[j] : hi;
        }
        printf("%s\tok\t%d\t%.3f\t%.3f\t%.3f\t%ld\t%d\t\n", k->name, k->n,
               median(k->ms, k->n), lo, hi, k->maxrss, k->failures);
    }
    return 0;
}

/* Jiffies the machine's CPUs were busy (neither idle nor iowait). */
static double busy_ms(void)
{
    unsigned long long v[10] = {0}, busy = 0;
    FILE *f = fopen("/proc/stat", "re");

    if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                     &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
        die("read /proc/stat");
    fclose(f);
    for (int i = 0; i < 8; i++)
        busy += i == 3 || i == 4 ? 0 : v[i];
    return busy * 1000.0 / sysconf(_SC_CLK_TCK);
}

static double cpu_ms(const struct rusage *ru)
{
    return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e3 +
           (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e3;
}

/* TOTAL runs of ARGV, PARALLEL at a time: start one as soon as one ends. */
static int rate(int argc, char **argv)
{
    const char *errpath = "/dev/null";
    int total = 200, par = 2, opt, running = 0, started = 0, failures = 0;
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC), errfd;
    long maxrss = 0;
    struct rusage ru, kids0, kids1;
    double t0, t1, b0, b1;

    while ((opt = getopt(argc, argv, "+n:j:e:")) != -1) {
        switch (opt) {
        case 'n':
            total = atoi(optarg);
            break;
        case 'j':
            par = atoi(optarg);
            break;
        case 'e':
            errpath = optarg;
            break;
        default:
            return 2;
        }
    }
    if (optind >= argc || argv[optind][0] != '/' || total < 1 || par < 1) {
        fprintf(stderr, "usage: bench-timer rate [-n TOTAL] [-j PARALLEL] "
                        "[-e ERRFILE] -- /abs/path ARG...\n");
        return 2;
    }
    errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (devnull < 0 || errfd < 0)
        die("open");
    getrusage(RUSAGE_CHILDREN, &kids0);
    b0 = busy_ms();
    t0 = now_ms();
    while (started < total || running > 0) {
        if (started < total && running < par) {
            start(argv + optind, devnull, errfd);
            started++;
            running++;
            continue;
        }
        int status;
        pid_t pid = wait4(-1, &status, 0, &ru);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            die("wait4");
        }
        running--;
        failures += status != 0;
        if (ru.ru_maxrss > maxrss)
            maxrss = ru.ru_maxrss;
    }
    t1 = now_ms();
    b1 = busy_ms();
    getrusage(RUSAGE_CHILDREN, &kids1);
    printf("%d\t%d\t%.4f\t%.1f\t%d\t%ld\t%.2f\t%.2f\n", total, par,
           (t1 - t0) / 1e3, total / ((t1 - t0) / 1e3), failures, maxrss,
           (cpu_ms(&kids1) - cpu_ms(&kids0)) / total, (b1 - b0) / total);
    return 0;
}

/* ---- the floor ---- */

static char floor_stack[256 * 1024];
static int floor_go[2];
static const char *floor_rootfs;

/* Append an attribute to the netlink message H (room is checked by the
 * caller's buffer size, which is fixed and ample). */
static struct rtattr *floor_attr(struct nlmsghdr *h, int type, const void *d,
                                 int len)
{
    struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

    a->rta_type = type;
    a->rta_len = RTA_LENGTH(len);
    if (len)
        memcpy(RTA_DATA(a), d, len);
    h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
    return a;
}

/* RTM_NEWLINK veth NAME, its peer eth0 born in the netns of PID. */
static void floor_veth(const char *name, pid_t pid)
{
    char buf[512] = {0}, ack[256];
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    struct ifinfomsg peer = {.ifi_family = AF_UNSPEC};
    struct sockaddr_nl k = {.nl_family = AF_NETLINK};
    struct rtattr *info, *data, *pa;
    uint32_t ns = pid;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

    h->nlmsg_type = RTM_NEWLINK;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    floor_attr(h, IFLA_IFNAME, name, strlen(name) + 1);
    info = floor_attr(h, IFLA_LINKINFO, NULL, 0);
    floor_attr(h, IFLA_INFO_KIND, "veth", 4);
    data = floor_attr(h, IFLA_INFO_DATA, NULL, 0);
    pa = floor_attr(h, VETH_INFO_PEER, &peer, sizeof peer);
    floor_attr(h, IFLA_IFNAME, "eth0", 5);
    floor_attr(h, IFLA_NET_NS_PID, &ns, sizeof ns);
    pa->rta_len = buf + h->nlmsg_len - (char *)pa;
    data->rta_len = buf + h->nlmsg_len - (char *)data;
    info->rta_len = buf + h->nlmsg_len - (char *)info;
    if (fd < 0 ||
        sendto(fd, buf, h->nlmsg_len, 0, (struct sockaddr *)&k, sizeof k) < 0 ||
        recv(fd, ack, sizeof ack, 0) < 0)
        die("rtnetlink veth");
    errno = -((struct nlmsgerr *)NLMSG_DATA((struct nlmsghdr *)ack))->error;
    if (errno)
        die("RTM_NEWLINK veth %s", name);
    close(fd);
}

static void floor_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        die("write(\"%s\", \"%s\")", path, text);
    close(fd);
}

static int floor_child(void *arg)
{
    char c;

    (void)arg;
    close(floor_go[1]);
    if (read(floor_go[0], &c, 1) != 1)
        _exit(125);
    if (setresgid(0, 0, 0) || setresuid(0, 0, 0) ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
        mount(floor_rootfs, floor_rootfs, NULL, MS_BIND | MS_REC, NULL) ||
        chdir(floor_rootfs) ||
        mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) ||
        mount(NULL, ".", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) ||
        syscall(SYS_pivot_root, ".", ".") || umount2(".", MNT_DETACH) ||
        chdir("/"))
        die("floor: container setup");
    execl("/bin/true", "true", (char *)NULL);
    die("floor: execl(\"/bin/true\")");
}

static int run_floor(int argc, char **argv)
{
    static const char *const limit[][2] = {
        {"memory.limit_in_bytes", "67108864"}, {"pids.max", "64"}};
    char dir[2][256], path[600], text[32];
    int status, v1 = access("/sys/fs/cgroup/memory/tasks", F_OK) == 0;
    pid_t pid;

    if (argc != 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: bench-timer floor /abs/rootfs\n");
        return 2;
    }
    floor_rootfs = argv[1];
    for (int i = 0; i < 2; i++) {
        snprintf(dir[i], sizeof dir[i], "/sys/fs/cgroup/%sbench-floor-%d",
                 v1 ? (i ? "pids/" : "memory/") : "", (int)getpid());
        if (mkdir(dir[i], 0755) < 0)
            die("mkdir(\"%s\")", dir[i]);
        snprintf(path, sizeof path, "%s/%s", dir[i],
                 v1 ? limit[i][0] : (i ? "pids.max" : "memory.max"));
        floor_write(path, limit[i][1]);
        if (!v1)
            break; /* v2: one directory for both */
    }
    if (pipe2(floor_go, O_CLOEXEC) < 0)
        die("pipe2");
    pid = clone(floor_child, floor_stack + sizeof floor_stack,
                CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                    CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD,
                NULL);
    if (pid < 0)
        die("clone");
    close(floor_go[0]);
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
    floor_write(path, "0 100000 65536\n");
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
    floor_write(path, "0 100000 65536\n");
    snprintf(text, sizeof text, "%d", (int)pid);
    for (int i = 0; i < (v1 ? 2 : 1); i++) {
        snprintf(path, sizeof path, "%s/cgroup.procs", dir[i]);
        floor_write(path, text);
    }
    snprintf(text, sizeof text, "bf%d", (int)pid);
    floor_veth(text, pid);
    if (write(floor_go[1], "g", 1) != 1)
        die("write(go)");
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    for (int i = 0; i < (v1 ? 2 : 1); i++)
        rmdir(dir[i]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "latency") == 0)
        return latency(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "rate") == 0)
        return rate(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "floor") == 0)
        return run_floor(argc - 1, argv + 1);
    fprintf(stderr, "usage: bench-timer latency|rate|floor ...\n");
    return 2;
}
