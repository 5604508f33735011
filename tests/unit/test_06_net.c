/* Stage 06, the network namespace: the rtnetlink requests the runtime
 * builds, the addresses it hands out, and the order in which the child
 * configures its network.  The builders (build_veth() and its siblings),
 * parse_cidr(), host_in_subnet(), veth_name() and ip4() are pure: their
 * messages are taken apart here with the kernel's own macros (NLMSG_*,
 * RTA_*, IFLA_RTA, IFA_RTA, RTM_RTA).  nl_talk(), veth_create(),
 * setup_net() and child_main() talk to a fake kernel:
 *
 *   socket        every socket is one end of a socketpair(2): no netlink
 *                 socket is ever opened, so nothing on the host changes,
 *                 root or not.
 *   sendto        a request on a fake netlink socket is parsed, logged as
 *                 rtnetlink("RTM_NEWLINK", "index 1 up", "0"): its type,
 *                 what it asks for, the answer; a small model of the
 *                 kernel's links (fx.link) answers it with NLMSG_ERROR
 *                 and 0 or -errno, written into the socketpair's other end.
 *   recv          reads that answer, and never waits for one.
 *   if_nametoindex, ioctl
 *                 answer from the same model (SIOCGIFADDR, SIOCGIFNETMASK);
 *                 any other ioctl is refused, never made.
 *   close         logged for the fake netlink sockets.
 *   sethostname, setdomainname, mount, setresgid, setgroups, setresuid
 *                 logged, and succeed unless refused: child_main() runs
 *                 as far as setup_mounts(), whose mount of proc is refused.
 *   geteuid       the real id, unless a test pretends not to be root.
 *   clone         logged and refused: no namespace is ever made.
 */
/* run.sh reads the wrap line whole: */
/* clang-format off */
/* wrap: socket sendto recv close if_nametoindex ioctl sethostname setdomainname mount setresgid setgroups setresuid geteuid clone */
/* clang-format on */
#ifndef RUNTIME
#define RUNTIME "../../solutions/06-net/runtime.c"
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* usage(): main's */
#include RUNTIME
#pragma GCC diagnostic pop

#include <ftw.h>

#define UNIT_FAKE_IDS
#define UNIT_FAKE_MOUNT
#define UNIT_FAKE_UTS
#define UNIT_PARSE
#include "unit.h"

/* The child's pid, as the parent would give it to veth_create(). */
#define PID 4242

/* 10.77.0.N, host byte order. */
#define LAB(n) (0x0a4d0000U | (n))

/* ---- the fake kernel ---- */

#define FAKE_LINKS   16
#define FAKE_SOCKETS 8

/* A network device the fake kernel knows, with at most one address. */
struct fake_link {
    char name[IFNAMSIZ];
    int index;
    uint32_t addr; /* host byte order; 0: none */
    int prefix;
    /* Made by another runtime between our look and our request: the
     * first if_nametoindex() misses the link, the first SIOCGIFADDR its
     * address. */
    bool name_late, addr_late;
};

/* One socket handed out by the fake socket(): the runtime's end of a
 * socketpair, and the kernel's. */
struct fake_socket {
    int fd, kernel;
    bool netlink;
};

static struct {
    char path[256];    /* temporary directory: a rootfs for child_main() */
    struct config cfg; /* what the code under test is given */
    struct fake_link link[FAKE_LINKS];
    int nlinks, next_index;
    bool default_route;
    struct fake_socket sock[FAKE_SOCKETS];
    char reply[256]; /* when reply_len > 0: the next answer, as is */
    size_t reply_len;
    int recv_eintr; /* recv() is interrupted this many times first */
    long euid;      /* what geteuid() says; -1: the real id */
} fx;

static struct fake_link *link_named(const char *name)
{
    for (int i = 0; i < fx.nlinks; i++)
        if (strcmp(fx.link[i].name, name) == 0)
            return &fx.link[i];
    return NULL;
}

static struct fake_link *link_indexed(int index)
{
    for (int i = 0; i < fx.nlinks; i++)
        if (fx.link[i].index == index)
            return &fx.link[i];
    return NULL;
}

/* Give the fake kernel a link NAME; INDEX 0 takes the next free one. */
static struct fake_link *add_link(const char *name, int index, uint32_t addr,
                                  int prefix)
{
    struct fake_link *l = &fx.link[fx.nlinks++];

    snprintf(l->name, sizeof l->name, "%s", name);
    l->index = index ? index : fx.next_index++;
    l->addr = addr;
    l->prefix = prefix;
    return l;
}

/* Another runtime's container already has 10.77.0.N: its veth's host end
 * exists. */
static void taken(uint32_t addr)
{
    char name[IFNAMSIZ];

    snprintf(name, sizeof name, "vl%08x", addr);
    add_link(name, 0, 0, 0);
}

static const char *quad(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
    struct in_addr in = {.s_addr = htonl(addr)};

    return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static const char *errno_name(int err)
{
    static char buf[16];
    static const struct {
        int err;
        const char *name;
    } names[] = {
        {0, "0"},
        {EEXIST, "EEXIST"},
        {EPERM, "EPERM"},
        {ENODEV, "ENODEV"},
        {EINVAL, "EINVAL"},
        {ENETUNREACH, "ENETUNREACH"},
        {EOPNOTSUPP, "EOPNOTSUPP"},
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].err == err)
            return names[i].name;
    snprintf(buf, sizeof buf, "errno %d", err);
    return buf;
}

/* What a request asks for, as the kernel would read it. */
struct request {
    const char *type; /* "RTM_NEWLINK"; NULL if malformed */
    char kind[16], name[IFNAMSIZ], peer[IFNAMSIZ];
    int index, master, up, dst_len;
    uint32_t netns, addr, brd, gateway, oif; /* addresses host order */
    int prefix;
};

static void attr_string(char *dst, size_t len, const struct rtattr *a)
{
    snprintf(dst, len, "%.*s", (int)strnlen(RTA_DATA(a), RTA_PAYLOAD(a)),
             (const char *)RTA_DATA(a));
}

static uint32_t attr_u32(const struct rtattr *a)
{
    uint32_t v = 0;

    if (RTA_PAYLOAD(a) >= sizeof v)
        memcpy(&v, RTA_DATA(a), sizeof v);
    return v;
}

/* veth(4)'s VETH_INFO_PEER: a struct ifinfomsg, then attributes. */
static void parse_peer(struct rtattr *peer, struct request *q)
{
    int rest = RTA_PAYLOAD(peer) - NLMSG_ALIGN(sizeof(struct ifinfomsg));
    struct rtattr *a = IFLA_RTA((struct ifinfomsg *)RTA_DATA(peer));

    for (; RTA_OK(a, rest); a = RTA_NEXT(a, rest)) {
        if (a->rta_type == IFLA_IFNAME)
            attr_string(q->peer, sizeof q->peer, a);
        if (a->rta_type == IFLA_NET_NS_PID)
            q->netns = attr_u32(a);
    }
}

static void parse_linkinfo(struct rtattr *info, struct request *q)
{
    int rest = RTA_PAYLOAD(info), drest;
    struct rtattr *a = RTA_DATA(info), *d;

    for (; RTA_OK(a, rest); a = RTA_NEXT(a, rest)) {
        if (a->rta_type == IFLA_INFO_KIND)
            attr_string(q->kind, sizeof q->kind, a);
        if (a->rta_type != IFLA_INFO_DATA)
            continue;
        drest = RTA_PAYLOAD(a);
        for (d = RTA_DATA(a); RTA_OK(d, drest); d = RTA_NEXT(d, drest))
            if (d->rta_type == VETH_INFO_PEER)
                parse_peer(d, q);
    }
}

static int parse_request(const struct nlmsghdr *h, size_t len,
                         struct request *q)
{
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    struct ifaddrmsg *ifa = NLMSG_DATA(h);
    struct rtmsg *rt = NLMSG_DATA(h);
    struct rtattr *a;
    int rest;

    memset(q, 0, sizeof *q);
    if (!NLMSG_OK(h, len) || h->nlmsg_len != len)
        return -1;
    if (h->nlmsg_type == RTM_NEWLINK &&
        h->nlmsg_len >= NLMSG_LENGTH(sizeof *ifi)) {
        q->type = "RTM_NEWLINK";
        q->index = ifi->ifi_index;
        q->up = (ifi->ifi_flags & ifi->ifi_change & IFF_UP) != 0;
        rest = IFLA_PAYLOAD(h);
        for (a = IFLA_RTA(ifi); RTA_OK(a, rest); a = RTA_NEXT(a, rest)) {
            if (a->rta_type == IFLA_IFNAME)
                attr_string(q->name, sizeof q->name, a);
            if (a->rta_type == IFLA_MASTER)
                q->master = attr_u32(a);
            if (a->rta_type == IFLA_LINKINFO)
                parse_linkinfo(a, q);
        }
    } else if (h->nlmsg_type == RTM_NEWADDR &&
               h->nlmsg_len >= NLMSG_LENGTH(sizeof *ifa)) {
        q->type = "RTM_NEWADDR";
        q->index = ifa->ifa_index;
        q->prefix = ifa->ifa_prefixlen;
        rest = IFA_PAYLOAD(h);
        for (a = IFA_RTA(ifa); RTA_OK(a, rest); a = RTA_NEXT(a, rest)) {
            if (a->rta_type == IFA_LOCAL)
                q->addr = ntohl(attr_u32(a));
            if (a->rta_type == IFA_BROADCAST)
                q->brd = ntohl(attr_u32(a));
        }
    } else if (h->nlmsg_type == RTM_NEWROUTE &&
               h->nlmsg_len >= NLMSG_LENGTH(sizeof *rt)) {
        q->type = "RTM_NEWROUTE";
        q->dst_len = rt->rtm_dst_len;
        rest = RTM_PAYLOAD(h);
        for (a = RTM_RTA(rt); RTA_OK(a, rest); a = RTA_NEXT(a, rest)) {
            if (a->rta_type == RTA_GATEWAY)
                q->gateway = ntohl(attr_u32(a));
            if (a->rta_type == RTA_OIF)
                q->oif = attr_u32(a);
        }
    } else {
        return -1;
    }
    return 0;
}

/* "veth vl0a4d0002 master 7 up, peer eth0 netns 4242", "index 1 up",
 * "10.77.0.5/24 brd 10.77.0.255 index 2", "default via 10.77.0.1 oif 2". */
static void describe_request(const struct request *q, char *buf, size_t len)
{
    char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
    const char *up = q->up ? " up" : "";

    if (strcmp(q->type, "RTM_NEWADDR") == 0)
        snprintf(buf, len, "%s/%d brd %s index %d", quad(q->addr, a), q->prefix,
                 quad(q->brd, b), q->index);
    else if (strcmp(q->type, "RTM_NEWROUTE") == 0)
        snprintf(buf, len, "%s via %s oif %u",
                 q->dst_len ? "not default" : "default", quad(q->gateway, a),
                 q->oif);
    else if (strcmp(q->kind, "veth") == 0)
        snprintf(buf, len, "veth %s master %d%s, peer %s netns %u", q->name,
                 q->master, up, q->peer, q->netns);
    else if (q->kind[0])
        snprintf(buf, len, "%s %s%s", q->kind, q->name, up);
    else
        snprintf(buf, len, "index %d%s", q->index, up);
}

/* What the kernel does with a request: 0, or an errno. */
static int kernel_does(const struct nlmsghdr *h, const struct request *q)
{
    struct fake_link *l;

    if (strcmp(q->type, "RTM_NEWLINK") == 0 && q->kind[0]) {
        if (link_named(q->name))
            return h->nlmsg_flags & NLM_F_EXCL ? EEXIST : 0;
        if (!(h->nlmsg_flags & NLM_F_CREATE))
            return ENODEV;
        if (strcmp(q->kind, "veth") == 0 && !link_indexed(q->master))
            return ENODEV;
        if (fx.nlinks == FAKE_LINKS)
            return ENOBUFS;
        add_link(q->name, 0, 0, 0);
        return 0;
    }
    if (strcmp(q->type, "RTM_NEWLINK") == 0)
        return link_indexed(q->index) ? 0 : ENODEV;
    if (strcmp(q->type, "RTM_NEWADDR") == 0) {
        if (!(l = link_indexed(q->index)))
            return ENODEV;
        if (l->addr == q->addr)
            return EEXIST;
        if (!l->addr) {
            l->addr = q->addr;
            l->prefix = q->prefix;
        }
        return 0;
    }
    if (!link_indexed(q->oif) || !q->gateway)
        return EINVAL;
    if (fx.default_route)
        return EEXIST;
    fx.default_route = true;
    return 0;
}

static struct fake_socket *fake_socket(int fd)
{
    for (int i = 0; i < FAKE_SOCKETS; i++)
        if (fd >= 0 && fx.sock[i].fd == fd)
            return &fx.sock[i];
    return NULL;
}

/* socket("AF_NETLINK", "NETLINK_ROUTE", NULL, TYPE). */
int __wrap_socket(int domain, int type, int protocol)
{
    const char *family = domain == AF_NETLINK ? "AF_NETLINK"
                         : domain == AF_INET  ? "AF_INET"
                                              : "other";
    char proto[16];
    int pair[2];

    if (domain == AF_NETLINK && protocol == NETLINK_ROUTE)
        snprintf(proto, sizeof proto, "NETLINK_ROUTE");
    else
        snprintf(proto, sizeof proto, "%d", protocol);
    record("socket", family, proto, NULL, (unsigned)type);
    if (refused("socket", family))
        return -1;
    for (int i = 0; i < FAKE_SOCKETS; i++) {
        if (fx.sock[i].fd >= 0)
            continue;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC), 0,
                       pair) < 0)
            return -1;
        fx.sock[i] =
            (struct fake_socket){pair[0], pair[1], domain == AF_NETLINK};
        return pair[0];
    }
    errno = EMFILE;
    return -1;
}

/* rtnetlink("RTM_NEWLINK", "index 1 up", "0", 0): the request, and the
 * answer the kernel gave it. */
ssize_t __wrap_sendto(int fd, const void *buf, size_t len, int flags,
                      const struct sockaddr *to, socklen_t tolen)
{
    const struct sockaddr_nl *nl = (const struct sockaddr_nl *)to;
    const struct nlmsghdr *h = buf;
    struct fake_socket *s = fake_socket(fd);
    struct {
        struct nlmsghdr h;
        struct nlmsgerr e;
    } ack;
    struct request q;
    char what[200];
    int err;

    (void)flags;
    if (!s || !s->netlink) {
        record("sendto", "not a netlink socket", NULL, NULL, len);
        errno = EBADF;
        return -1;
    }
    if (refused("sendto", NULL))
        return -1;
    if (parse_request(h, len, &q) < 0) {
        /* netlink(7): the kernel drops what it cannot read, unanswered. */
        record("rtnetlink", "malformed", NULL, NULL, len);
        return len;
    }
    describe_request(&q, what, sizeof what);
    if (to && (tolen < sizeof *nl || nl->nl_family != AF_NETLINK ||
               nl->nl_pid != 0 || nl->nl_groups != 0)) {
        record("rtnetlink", q.type, what, "not sent to the kernel", 0);
        return len;
    }
    err = refused("rtnetlink", q.type) ? errno : kernel_does(h, &q);
    record("rtnetlink", q.type, what, errno_name(err), 0);
    /* netlink(7): without NLM_F_ACK only an error is answered. */
    if (!err && !(h->nlmsg_flags & NLM_F_ACK) && !fx.reply_len)
        return len;
    if (fx.reply_len) {
        size_t n = fx.reply_len;

        fx.reply_len = 0;
        return write(s->kernel, fx.reply, n) < 0 ? -1 : (ssize_t)len;
    }
    /* netlink(7): NLMSG_ERROR with error 0 is an ACK; the request's header
     * comes back with it. */
    ack.h = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(sizeof ack.e),
                              .nlmsg_type = NLMSG_ERROR,
                              .nlmsg_seq = h->nlmsg_seq};
    ack.e = (struct nlmsgerr){.error = -err, .msg = *h};
    return write(s->kernel, &ack, sizeof ack) < 0 ? -1 : (ssize_t)len;
}

ssize_t __real_recv(int fd, void *buf, size_t len, int flags);

/* The kernel's answer, if there is one: EAGAIN rather than a hang. */
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
    if (!fake_socket(fd))
        return __real_recv(fd, buf, len, flags);
    if (fx.recv_eintr > 0) {
        fx.recv_eintr--;
        errno = EINTR;
        return -1;
    }
    if (refused("recv", NULL))
        return -1;
    return __real_recv(fd, buf, len, flags | MSG_DONTWAIT);
}

int __real_close(int fd);

int __wrap_close(int fd)
{
    struct fake_socket *s = fake_socket(fd);

    if (s) {
        if (s->netlink)
            record("close", "netlink socket", NULL, NULL, (unsigned)fd);
        __real_close(s->kernel);
        s->fd = s->kernel = -1;
    }
    return __real_close(fd);
}

unsigned int __wrap_if_nametoindex(const char *name)
{
    struct fake_link *l = link_named(name);

    record("if_nametoindex", name, NULL, NULL, 0);
    if (l && l->name_late) {
        l->name_late = false;
        l = NULL;
    }
    if (!l) {
        errno = ENODEV;
        return 0;
    }
    return l->index;
}

/* ioctl("SIOCGIFADDR", "lab0"): the interface's address or netmask. */
int __wrap_ioctl(int fd, unsigned long request, ...)
{
    const char *name = request == SIOCGIFADDR      ? "SIOCGIFADDR"
                       : request == SIOCGIFNETMASK ? "SIOCGIFNETMASK"
                                                   : NULL;
    struct sockaddr_in *sin;
    struct fake_link *l;
    struct ifreq *ifr;
    va_list ap;

    (void)fd;
    if (!name) {
        record("ioctl", "refused: not SIOCGIFADDR or SIOCGIFNETMASK", NULL,
               NULL, request);
        errno = EOPNOTSUPP;
        return -1;
    }
    va_start(ap, request);
    ifr = va_arg(ap, struct ifreq *);
    va_end(ap);
    record("ioctl", name, ifr->ifr_name, NULL, 0);
    if (!(l = link_named(ifr->ifr_name))) {
        errno = ENODEV;
        return -1;
    }
    if (!l->addr || (request == SIOCGIFADDR && l->addr_late)) {
        l->addr_late = false;
        errno = EADDRNOTAVAIL;
        return -1;
    }
    sin = request == SIOCGIFADDR ? (struct sockaddr_in *)&ifr->ifr_addr
                                 : (struct sockaddr_in *)&ifr->ifr_netmask;
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(request == SIOCGIFADDR ? l->addr
                                 : l->prefix ? ~0U << (32 - l->prefix)
                                             : 0);
    return 0;
}

uid_t __real_geteuid(void);

uid_t __wrap_geteuid(void)
{
    return fx.euid < 0 ? __real_geteuid() : (uid_t)fx.euid;
}

int __wrap_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    (void)fn, (void)stack, (void)arg;
    record("clone", NULL, NULL, NULL, (unsigned)flags);
    errno = ENOSYS;
    return -1;
}

/* ---- the fixture ---- */

static int make_fixture(void **state)
{
    static const char *const dirs[] = {"proc", "dev", "sys", "tmp"};
    const char *tmp = getenv("TMPDIR");
    char path[512];

    if (calls_reset(state) < 0)
        return -1;
    memset(fx.link, 0, sizeof fx.link);
    fx.nlinks = 0;
    fx.next_index = 10;
    fx.default_route = false;
    for (int i = 0; i < FAKE_SOCKETS; i++)
        fx.sock[i].fd = fx.sock[i].kernel = -1;
    fx.reply_len = 0;
    fx.recv_eintr = 0;
    fx.euid = -1;
    snprintf(fx.path, sizeof fx.path, "%s/step-unit-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx.path))
        return -1;
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
        .bridge = "lab0",
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
    for (int i = 0; i < FAKE_SOCKETS; i++)
        if (fx.sock[i].fd >= 0)
            close(fx.sock[i].fd);
    return nftw(fx.path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The host as a second container finds it: lo, and lab0 up with
 * 10.77.0.1/24. */
static void host_with_lab0(uint32_t gateway, int prefix)
{
    add_link("lo", 1, 0, 0);
    add_link("lab0", 7, gateway, prefix);
}

/* ---- reading a message with the kernel's macros ---- */

/* The header of the message that BUILT bytes of BUF hold, which must be
 * exactly one message of TYPE with FLAGS. */
#define message(...) message_at(__FILE__, __LINE__, __VA_ARGS__)
static struct nlmsghdr *message_at(const char *file, int line, void *buf,
                                   int built, int type, int flags)
{
    struct nlmsghdr *h = buf;

    if (built <= 0)
        flunk(file, line, false, "the builder returned %d", built);
    if (!NLMSG_OK(h, built))
        flunk(file, line, false, "no whole netlink message in %d bytes", built);
    if ((int)h->nlmsg_len != built)
        flunk(file, line, false,
              "nlmsg_len is %u, the builder returned %d: the kernel reads "
              "nlmsg_len bytes, the runtime sends %d",
              h->nlmsg_len, built, built);
    if (NLMSG_ALIGN(h->nlmsg_len) != h->nlmsg_len)
        flunk(file, line, false, "nlmsg_len %u is not a multiple of 4",
              h->nlmsg_len);
    if (h->nlmsg_type != type)
        flunk(file, line, false, "nlmsg_type is %u, expected %d", h->nlmsg_type,
              type);
    if (h->nlmsg_flags != flags)
        flunk(file, line, false, "nlmsg_flags are %#x, expected %#x",
              h->nlmsg_flags, (unsigned)flags);
    return h;
}

/* The attributes in the LEN bytes from FIRST. */
struct attrs {
    int n;
    struct rtattr *a[16];
};

/* Walk LEN bytes from FIRST, inside the message H, with RTA_OK and
 * RTA_NEXT as the kernel does: fail unless each attribute starts 4-byte
 * aligned and together they fill LEN exactly, padding and all. */
#define walk(h, first, len) walk_at(__FILE__, __LINE__, (h), (first), (len))
static struct attrs walk_at(const char *file, int line,
                            const struct nlmsghdr *h, struct rtattr *first,
                            int len)
{
    struct attrs l = {0};
    struct rtattr *a = first;
    int rest = len;

    for (; RTA_OK(a, rest); a = RTA_NEXT(a, rest)) {
        long at = (char *)a - (char *)h;

        if (at % RTA_ALIGNTO)
            flunk(file, line, false,
                  "attribute type %u at byte %ld is not 4-byte aligned",
                  a->rta_type, at);
        if (l.n == 16)
            flunk(file, line, false, "more than 16 attributes");
        l.a[l.n++] = a;
    }
    if (rest != 0)
        flunk(file, line, false,
              "%d of %d bytes at byte %ld are no whole attribute: an "
              "rta_len, or the length of what holds it, is wrong",
              rest, len, (long)((char *)a - (char *)h));
    return l;
}

/* The one attribute TYPE in L. */
#define attr(l, type) attr_at(__FILE__, __LINE__, &(l), (type), #type)
static struct rtattr *attr_at(const char *file, int line, const struct attrs *l,
                              int type, const char *name)
{
    struct rtattr *found = NULL;

    for (int i = 0; i < l->n; i++) {
        if (l->a[i]->rta_type != type)
            continue;
        if (found)
            flunk(file, line, false, "%s appears twice", name);
        found = l->a[i];
    }
    if (!found)
        flunk(file, line, false, "no %s attribute", name);
    return found;
}

/* Fail unless attribute A holds the string S with its '\0' (IFNAMSIZ
 * names), or, with NUL false, exactly its characters. */
#define assert_attr_string(a, s, nul)                                          \
    assert_attr_string_at(__FILE__, __LINE__, (a), (s), (nul))
static void assert_attr_string_at(const char *file, int line,
                                  const struct rtattr *a, const char *s,
                                  bool nul)
{
    size_t want = strlen(s) + nul;

    if (RTA_PAYLOAD(a) != want || memcmp(RTA_DATA(a), s, want) != 0)
        flunk(file, line, false,
              "attribute type %u holds \"%.*s\" (%zu bytes), expected "
              "\"%s\" (%zu bytes%s)",
              a->rta_type, (int)RTA_PAYLOAD(a), (const char *)RTA_DATA(a),
              (size_t)RTA_PAYLOAD(a), s, want, nul ? ", with its '\\0'" : "");
}

/* Fail unless attribute A holds exactly the 32-bit number V. */
#define assert_attr_u32(a, v) assert_attr_u32_at(__FILE__, __LINE__, (a), (v))
static void assert_attr_u32_at(const char *file, int line,
                               const struct rtattr *a, uint32_t v)
{
    if (RTA_PAYLOAD(a) != 4)
        flunk(file, line, false, "attribute type %u has %zu bytes, not 4",
              a->rta_type, (size_t)RTA_PAYLOAD(a));
    if (attr_u32(a) != v)
        flunk(file, line, false, "attribute type %u holds %u, expected %u",
              a->rta_type, attr_u32(a), v);
}

/* Fail unless attribute A holds the address A.B.C.D as the kernel wants
 * it: network byte order, most significant byte first. */
#define assert_attr_ip(a, ip) assert_attr_ip_at(__FILE__, __LINE__, (a), (ip))
static void assert_attr_ip_at(const char *file, int line,
                              const struct rtattr *a, const char *ip)
{
    unsigned char want[4];
    char got[INET_ADDRSTRLEN] = "?";

    assert_int_equal(inet_pton(AF_INET, ip, want), 1);
    if (RTA_PAYLOAD(a) == 4)
        inet_ntop(AF_INET, RTA_DATA(a), got, sizeof got);
    if (RTA_PAYLOAD(a) != 4 || memcmp(RTA_DATA(a), want, 4) != 0)
        flunk(file, line, false,
              "attribute type %u reads as %s in network byte order, "
              "expected %s",
              a->rta_type, got, ip);
}

/* ---- build_veth ---- */

#define CREATE_FLAGS (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)

/* NLM_F_EXCL: a second container on the same address must get EEXIST,
 * not silently share the first one's veth.  NLM_F_ACK: without it the
 * kernel answers only errors, and the runtime would wait forever. */
static void
test_06_veth_request_creates_a_link_exclusively_with_ack(void **state)
{
    char buf[512];
    struct ifinfomsg *ifi;
    struct nlmsghdr *h;

    (void)state;
    h = message(buf, build_veth(buf, sizeof buf, "vl0a4d0005", 7, PID),
                RTM_NEWLINK, CREATE_FLAGS);
    ifi = NLMSG_DATA(h);
    assert_int_equal(ifi->ifi_family, AF_UNSPEC);
    assert_int_equal(ifi->ifi_index, 0);
}

/* The host end: named for the address, a port of the bridge, and up
 * (IFF_UP counts only where ifi_change says to change it: rtnetlink(7)). */
static void test_06_veth_host_end_is_named_up_and_on_the_bridge(void **state)
{
    char buf[512];
    struct ifinfomsg *ifi;
    struct nlmsghdr *h;
    struct attrs top;

    (void)state;
    h = message(buf, build_veth(buf, sizeof buf, "vl0a4d0005", 7, PID),
                RTM_NEWLINK, CREATE_FLAGS);
    ifi = NLMSG_DATA(h);
    assert_true(ifi->ifi_flags & IFF_UP);
    assert_true(ifi->ifi_change & IFF_UP);
    top = walk(h, IFLA_RTA(ifi), IFLA_PAYLOAD(h));
    assert_attr_string(attr(top, IFLA_IFNAME), "vl0a4d0005", true);
    assert_attr_u32(attr(top, IFLA_MASTER), 7);
    attr(top, IFLA_LINKINFO);
    assert_int_equal(top.n, 3);
}

/* veth(4): the peer's own attributes travel inside VETH_INFO_PEER, after
 * a struct ifinfomsg of its own.  IFLA_NET_NS_PID there makes the kernel
 * create eth0 directly in the child's namespace: no move, no wait. */
static void test_06_veth_peer_is_born_in_the_child_namespace(void **state)
{
    char buf[512];
    struct rtattr *info, *data, *peer;
    struct ifinfomsg *ifi, *pifi;
    struct attrs top, in, d, p;
    struct nlmsghdr *h;

    (void)state;
    h = message(buf, build_veth(buf, sizeof buf, "vl0a4d0005", 7, PID),
                RTM_NEWLINK, CREATE_FLAGS);
    ifi = NLMSG_DATA(h);
    top = walk(h, IFLA_RTA(ifi), IFLA_PAYLOAD(h));
    info = attr(top, IFLA_LINKINFO);
    in = walk(h, RTA_DATA(info), RTA_PAYLOAD(info));
    assert_attr_string(attr(in, IFLA_INFO_KIND), "veth", false);
    data = attr(in, IFLA_INFO_DATA);
    assert_int_equal(in.n, 2);
    d = walk(h, RTA_DATA(data), RTA_PAYLOAD(data));
    peer = attr(d, VETH_INFO_PEER);
    assert_int_equal(d.n, 1);
    assert_true(RTA_PAYLOAD(peer) >= sizeof *pifi);
    pifi = RTA_DATA(peer);
    assert_int_equal(pifi->ifi_family, AF_UNSPEC);
    assert_int_equal(pifi->ifi_index, 0);
    p = walk(h, IFLA_RTA(pifi), RTA_PAYLOAD(peer) - NLMSG_ALIGN(sizeof *pifi));
    assert_attr_string(attr(p, IFLA_IFNAME), "eth0", true);
    assert_attr_u32(attr(p, IFLA_NET_NS_PID), PID);
    assert_int_equal(p.n, 2);
}

/* Every nest's rta_len covers exactly what it holds, and the message ends
 * where IFLA_LINKINFO does: the lengths add up to the byte. */
static void test_06_veth_nested_lengths_add_up_exactly(void **state)
{
    static const char *const names[] = {"vl0a4d0005", "v", "vl", "vl0",
                                        "abcdefghijklmno"};
    char buf[512];

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t peer_len = RTA_LENGTH(NLMSG_ALIGN(sizeof(struct ifinfomsg)) +
                                     RTA_SPACE(sizeof "eth0") + RTA_SPACE(4));
        size_t data_len = RTA_LENGTH(RTA_ALIGN(peer_len));
        size_t info_len = RTA_LENGTH(RTA_SPACE(4) + RTA_ALIGN(data_len));
        size_t total = NLMSG_LENGTH(sizeof(struct ifinfomsg)) +
                       RTA_SPACE(strlen(names[i]) + 1) + RTA_SPACE(4) +
                       RTA_ALIGN(info_len);
        int n = build_veth(buf, sizeof buf, names[i], 7, PID);
        struct nlmsghdr *h = message(buf, n, RTM_NEWLINK, CREATE_FLAGS);
        struct ifinfomsg *ifi = NLMSG_DATA(h);
        struct attrs top = walk(h, IFLA_RTA(ifi), IFLA_PAYLOAD(h));
        struct rtattr *info = attr(top, IFLA_LINKINFO);
        struct attrs in = walk(h, RTA_DATA(info), RTA_PAYLOAD(info));
        struct rtattr *data = attr(in, IFLA_INFO_DATA);
        struct attrs d = walk(h, RTA_DATA(data), RTA_PAYLOAD(data));
        struct rtattr *peer = attr(d, VETH_INFO_PEER);

        if (RTA_ALIGN(peer->rta_len) != RTA_ALIGN(peer_len) ||
            data->rta_len != data_len || info->rta_len != info_len ||
            (char *)info + RTA_ALIGN(info->rta_len) - buf != n ||
            (size_t)n != total)
            fail_msg("host end \"%s\": VETH_INFO_PEER %u, IFLA_INFO_DATA %u, "
                     "IFLA_LINKINFO %u bytes, message %d; expected %zu, %zu, "
                     "%zu and %zu, IFLA_LINKINFO last",
                     names[i], peer->rta_len, data->rta_len, info->rta_len, n,
                     peer_len, data_len, info_len, total);
    }
}

/* ---- build_bridge, build_link_up, build_addr, build_default_route ---- */

/* With a fixed, locally administered address: a bridge without one takes
 * its ports' lowest, which moves as containers come and go. */
static void test_06_bridge_request_makes_a_bridge_named_and_up(void **state)
{
    char buf[512];
    struct ifinfomsg *ifi;
    struct rtattr *info;
    struct attrs top, in;
    struct nlmsghdr *h;
    int n;

    (void)state;
    n = build_bridge(buf, sizeof buf, "lab0");
    h = message(buf, n, RTM_NEWLINK, CREATE_FLAGS);
    ifi = NLMSG_DATA(h);
    assert_int_equal(ifi->ifi_family, AF_UNSPEC);
    assert_int_equal(ifi->ifi_index, 0);
    assert_true(ifi->ifi_flags & IFF_UP);
    assert_true(ifi->ifi_change & IFF_UP);
    top = walk(h, IFLA_RTA(ifi), IFLA_PAYLOAD(h));
    assert_attr_string(attr(top, IFLA_IFNAME), "lab0", true);
    struct rtattr *mac = attr(top, IFLA_ADDRESS);
    assert_int_equal(RTA_PAYLOAD(mac), 6);
    assert_int_equal(((unsigned char *)RTA_DATA(mac))[0] & 0x03, 0x02);
    info = attr(top, IFLA_LINKINFO);
    assert_int_equal(top.n, 3);
    in = walk(h, RTA_DATA(info), RTA_PAYLOAD(info));
    assert_attr_string(attr(in, IFLA_INFO_KIND), "bridge", false);
    assert_int_equal(in.n, 1);
    assert_int_equal(info->rta_len, RTA_LENGTH(RTA_SPACE(6)));
    assert_int_equal(n, NLMSG_LENGTH(sizeof *ifi) + RTA_SPACE(5) +
                            RTA_SPACE(6) + RTA_LENGTH(RTA_SPACE(6)));
}

/* No NLM_F_CREATE: bringing a link up must never make one by accident. */
static void test_06_link_up_request_sets_iff_up_on_the_index(void **state)
{
    char buf[512];
    struct ifinfomsg *ifi;
    struct nlmsghdr *h;
    int n;

    (void)state;
    n = build_link_up(buf, sizeof buf, 3);
    h = message(buf, n, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
    ifi = NLMSG_DATA(h);
    assert_int_equal(ifi->ifi_family, AF_UNSPEC);
    assert_int_equal(ifi->ifi_index, 3);
    assert_int_equal(ifi->ifi_flags, IFF_UP);
    assert_int_equal(ifi->ifi_change, IFF_UP);
    assert_int_equal(n, NLMSG_LENGTH(sizeof *ifi));
    n = build_link_up(buf, sizeof buf, 1);
    h = message(buf, n, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
    assert_int_equal(((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index, 1);
}

/* The address as ip(8) would add it: local and address the same, and the
 * broadcast the last address of the subnet, all in network byte order. */
static void
test_06_addr_request_is_in_network_byte_order_with_broadcast(void **state)
{
    static const struct {
        uint32_t addr;
        int prefix;
        const char *ip, *brd;
    } cases[] = {
        {LAB(5), 24, "10.77.0.5", "10.77.0.255"},
        {0xc0a80502, 30, "192.168.5.2", "192.168.5.3"},
        {0xc0a80505, 30, "192.168.5.5", "192.168.5.7"},
        {LAB(1), 16, "10.77.0.1", "10.77.255.255"},
        {0x0a000001, 8, "10.0.0.1", "10.255.255.255"},
    };
    char buf[512];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = build_addr(buf, sizeof buf, 2, cases[i].addr, cases[i].prefix);
        struct nlmsghdr *h = message(buf, n, RTM_NEWADDR, CREATE_FLAGS);
        struct ifaddrmsg *ifa = NLMSG_DATA(h);
        struct attrs top = walk(h, IFA_RTA(ifa), IFA_PAYLOAD(h));

        if (ifa->ifa_family != AF_INET ||
            ifa->ifa_prefixlen != cases[i].prefix || ifa->ifa_index != 2)
            fail_msg("%s/%d on index 2: family %d, prefix %d, index %u",
                     cases[i].ip, cases[i].prefix, ifa->ifa_family,
                     ifa->ifa_prefixlen, ifa->ifa_index);
        assert_attr_ip(attr(top, IFA_LOCAL), cases[i].ip);
        assert_attr_ip(attr(top, IFA_ADDRESS), cases[i].ip);
        assert_attr_ip(attr(top, IFA_BROADCAST), cases[i].brd);
        assert_int_equal(top.n, 3);
        assert_int_equal(n, NLMSG_LENGTH(sizeof *ifa) + 3 * RTA_SPACE(4));
    }
}

/* ip route add default via 10.77.0.1 dev eth0: the main table, a
 * unicast route of universe scope (it leads off this link), installed
 * "by boot" as ip(8) marks routes a user adds. */
static void test_06_default_route_goes_via_the_gateway_out_of_eth0(void **state)
{
    char buf[512];
    struct attrs top;
    struct rtmsg *rt;
    struct nlmsghdr *h;
    int n;

    (void)state;
    n = build_default_route(buf, sizeof buf, 5, LAB(1));
    h = message(buf, n, RTM_NEWROUTE, CREATE_FLAGS);
    rt = NLMSG_DATA(h);
    assert_int_equal(rt->rtm_family, AF_INET);
    assert_int_equal(rt->rtm_dst_len, 0); /* default: 0.0.0.0/0 */
    assert_int_equal(rt->rtm_src_len, 0);
    assert_int_equal(rt->rtm_tos, 0);
    assert_int_equal(rt->rtm_table, RT_TABLE_MAIN);
    assert_int_equal(rt->rtm_protocol, RTPROT_BOOT);
    assert_int_equal(rt->rtm_scope, RT_SCOPE_UNIVERSE);
    assert_int_equal(rt->rtm_type, RTN_UNICAST);
    top = walk(h, RTM_RTA(rt), RTM_PAYLOAD(h));
    assert_attr_ip(attr(top, RTA_GATEWAY), "10.77.0.1");
    assert_attr_u32(attr(top, RTA_OIF), 5);
    assert_int_equal(top.n, 2);
    assert_int_equal(n, NLMSG_LENGTH(sizeof *rt) + 2 * RTA_SPACE(4));
}

/* ---- a buffer too small ---- */

static const struct builder {
    const char *name;
    size_t headers; /* nlmsghdr and the family header */
} builders[] = {
    {"build_veth", NLMSG_LENGTH(sizeof(struct ifinfomsg))},
    {"build_bridge", NLMSG_LENGTH(sizeof(struct ifinfomsg))},
    {"build_link_up", NLMSG_LENGTH(sizeof(struct ifinfomsg))},
    {"build_addr", NLMSG_LENGTH(sizeof(struct ifaddrmsg))},
    {"build_default_route", NLMSG_LENGTH(sizeof(struct rtmsg))},
};

static int build(size_t which, void *buf, size_t cap)
{
    switch (which) {
    case 0:
        return build_veth(buf, cap, "vl0a4d0005", 7, PID);
    case 1:
        return build_bridge(buf, cap, "lab0");
    case 2:
        return build_link_up(buf, cap, 1);
    case 3:
        return build_addr(buf, cap, 2, LAB(5), 24);
    default:
        return build_default_route(buf, cap, 2, LAB(1));
    }
}

/* Every size short of the message is refused: a message cut short would
 * be sent with an nlmsg_len that lies. */
static void test_06_builders_refuse_every_buffer_too_small(void **state)
{
    char big[512], buf[512];

    (void)state;
    for (size_t b = 0; b < sizeof builders / sizeof builders[0]; b++) {
        int n = build(b, big, sizeof big);

        assert_true(n > 0);
        for (int cap = 0; cap < n; cap++) {
            int got = build(b, buf, cap);

            if (got != -1)
                fail_msg("%s with a buffer of %d bytes returned %d, not -1: "
                         "it needs %d",
                         builders[b].name, cap, got, n);
        }
        if (build(b, buf, n) != n)
            fail_msg("%s: a buffer of exactly %d bytes is enough",
                     builders[b].name, n);
        assert_memory_equal(buf, big, n);
    }
}

/* Nor is a byte written past the size given.  (The fixed headers are
 * filled in before any check, so a buffer must at least hold those.) */
static void test_06_builders_write_nothing_past_the_buffer(void **state)
{
    char buf[512];

    (void)state;
    for (size_t b = 0; b < sizeof builders / sizeof builders[0]; b++) {
        int n = build(b, buf, sizeof buf);

        for (int cap = builders[b].headers; cap <= n; cap++) {
            memset(buf, 0xa5, sizeof buf);
            build(b, buf, cap);
            for (size_t i = cap; i < sizeof buf; i++)
                if ((unsigned char)buf[i] != 0xa5)
                    fail_msg("%s with a buffer of %d bytes wrote byte %zu",
                             builders[b].name, cap, i);
        }
    }
}

/* ---- parse_cidr ---- */

static void test_06_parse_cidr_reads_address_and_prefix(void **state)
{
    uint32_t addr = 0;
    int prefix = 0;

    (void)state;
    assert_int_equal(parse_cidr("10.77.0.5/24", &addr, &prefix), 0);
    assert_int_equal(addr, 0x0a4d0005);
    assert_int_equal(prefix, 24);
    assert_int_equal(parse_cidr("192.168.1.254/30", &addr, &prefix), 0);
    assert_int_equal(addr, 0xc0a801fe);
    assert_int_equal(prefix, 30);
    assert_int_equal(parse_cidr("255.255.255.255/1", &addr, &prefix), 0);
    assert_int_equal(addr, 0xffffffff);
    assert_int_equal(prefix, 1);
    assert_int_equal(parse_cidr("0.0.0.1/16", &addr, &prefix), 0);
    assert_int_equal(addr, 1);
    assert_int_equal(prefix, 16);
}

/* Fail, naming it, unless parse_cidr() refuses each of the words. */
#define assert_cidr_refused(...)                                               \
    assert_cidr_refused_at(__LINE__, __VA_ARGS__, NULL)
static void assert_cidr_refused_at(int line, ...)
{
    uint32_t addr;
    int prefix;
    const char *s;
    va_list ap;

    va_start(ap, line);
    while ((s = va_arg(ap, const char *))) {
        if (parse_cidr(s, &addr, &prefix) == 0) {
            print_error("\"%s\" was accepted as %#x/%d\n", s, addr, prefix);
            _fail(__FILE__, line);
        }
    }
    va_end(ap);
}

/* /31 and /32 leave no address for a container beside the gateway
 * (RFC 3021 aside); /0 would be every address there is. */
static void test_06_parse_cidr_takes_prefixes_1_to_30_only(void **state)
{
    char s[32];
    uint32_t addr;
    int prefix;

    (void)state;
    for (int p = 1; p <= 30; p++) {
        snprintf(s, sizeof s, "10.77.0.5/%d", p);
        if (parse_cidr(s, &addr, &prefix) != 0 || prefix != p)
            fail_msg("\"%s\" was refused", s);
    }
    assert_cidr_refused("10.77.0.5/0", "10.77.0.5/31", "10.77.0.5/32",
                        "10.77.0.5/33", "10.77.0.5/100", "10.77.0.5/4294967320",
                        "10.77.0.5/99999999999999999999");
}

static void test_06_parse_cidr_refuses_malformed_text(void **state)
{
    (void)state;
    /* junk, and no slash */
    assert_cidr_refused("", "/", "abc", "abc/24", "10.77.0.5", "/24", "24",
                        "10.77.0.5\\24");
    /* bad octets */
    assert_cidr_refused("10.77.0.256/24", "10.77.0/24", "10.77.0.5.6/24",
                        "10.77..5/24", "-1.77.0.5/24", "0x0a.77.0.5/24",
                        "10.77.0.a/24", "1000.77.0.5/24",
                        "10.77.0.5555555555555/24");
    /* garbage before or after */
    assert_cidr_refused(" 10.77.0.5/24", "x10.77.0.5/24", "10.77.0.5 /24",
                        "10.77.0.5/ 24", "10.77.0.5/+24", "10.77.0.5/-24",
                        "10.77.0.5/24 ", "10.77.0.5/24\n", "10.77.0.5/24x",
                        "10.77.0.5/2 4", "10.77.0.5/24/8", "10.77.0.5//24",
                        "10.77.0.5/", "10.77.0.5/0x18");
}

/* ---- host_in_subnet, veth_name, ip4 ---- */

static void
test_06_host_in_subnet_excludes_network_broadcast_gateway(void **state)
{
    (void)state;
    assert_true(host_in_subnet(LAB(2), LAB(1), 24));
    assert_true(host_in_subnet(LAB(202), LAB(1), 24));
    assert_true(host_in_subnet(LAB(254), LAB(1), 24));
    assert_false(host_in_subnet(LAB(0), LAB(1), 24));   /* network */
    assert_false(host_in_subnet(LAB(255), LAB(1), 24)); /* broadcast */
    assert_false(host_in_subnet(LAB(1), LAB(1), 24));   /* gateway */
    assert_false(host_in_subnet(LAB(256 + 5), LAB(1), 24));
    assert_false(host_in_subnet(0x0a4e0005, LAB(1), 24));
    assert_false(host_in_subnet(0x0b4d0005, LAB(1), 24));
    /* a gateway that is not the first address */
    assert_true(host_in_subnet(LAB(1), LAB(9), 24));
    assert_false(host_in_subnet(LAB(9), LAB(9), 24));
    /* /30: the gateway and one container */
    assert_true(host_in_subnet(0xc0a80502, 0xc0a80501, 30));
    assert_false(host_in_subnet(0xc0a80500, 0xc0a80501, 30));
    assert_false(host_in_subnet(0xc0a80503, 0xc0a80501, 30));
    assert_false(host_in_subnet(0xc0a80504, 0xc0a80501, 30));
    /* /16 */
    assert_true(host_in_subnet(0x0a4dc803, LAB(1), 16));
    assert_false(host_in_subnet(0x0a4dffff, LAB(1), 16));
    assert_false(host_in_subnet(0x0a4e0001, LAB(1), 16));
}

/* netdevice(7): at most 15 characters, so "vl" and 8 hex digits, which
 * name the address and make the kernel refuse a second container on it. */
static void test_06_veth_name_is_vl_and_the_address_in_hex(void **state)
{
    char name[IFNAMSIZ];

    (void)state;
    veth_name(name, sizeof name, LAB(5));
    assert_string_equal(name, "vl0a4d0005");
    veth_name(name, sizeof name, 0xc0a801fe);
    assert_string_equal(name, "vlc0a801fe");
    veth_name(name, sizeof name, 0x01000001);
    assert_string_equal(name, "vl01000001");
    veth_name(name, sizeof name, 0xffffffff);
    assert_string_equal(name, "vlffffffff");
}

static void test_06_ip4_prints_host_order_as_a_dotted_quad(void **state)
{
    char buf[INET_ADDRSTRLEN];

    (void)state;
    assert_ptr_equal(ip4(LAB(5), buf), buf);
    assert_string_equal(buf, "10.77.0.5");
    assert_string_equal(ip4(0xc0a801fe, buf), "192.168.1.254");
    assert_string_equal(ip4(0, buf), "0.0.0.0");
    assert_string_equal(ip4(0xffffffff, buf), "255.255.255.255");
}

/* ---- nl_talk ---- */

/* A request by hand, independent of the builders: lo up. */
static struct {
    struct nlmsghdr h;
    struct ifinfomsg ifi;
} lo_up = {
    {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
     .nlmsg_type = RTM_NEWLINK,
     .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
     .nlmsg_seq = 1},
    {.ifi_family = AF_UNSPEC,
     .ifi_index = 1,
     .ifi_flags = IFF_UP,
     .ifi_change = IFF_UP},
};

/* A fake netlink socket, with lo in the fake kernel. */
static int netlink_socket(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

    assert_true(fd >= 0);
    add_link("lo", 1, 0, 0);
    return fd;
}

/* The kernel's next answer is NLMSG_ERROR with ERROR, whatever the
 * request. */
static void kernel_answers_error(int error)
{
    struct {
        struct nlmsghdr h;
        struct nlmsgerr e;
    } m = {
        {.nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr)),
         .nlmsg_type = NLMSG_ERROR,
         .nlmsg_seq = 1},
        {.error = error, .msg = lo_up.h},
    };

    memcpy(fx.reply, &m, sizeof m);
    fx.reply_len = sizeof m;
}

/* netlink(7): an ACK is NLMSG_ERROR with error 0. */
static void test_06_nl_talk_sends_to_the_kernel_and_reads_the_ack(void **state)
{
    int fd = netlink_socket();

    (void)state;
    errno = EBADMSG;
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), 0);
    expect_call(1, "rtnetlink", "RTM_NEWLINK", "index 1 up", "0", 0);
    assert_int_equal(calls->n, 2);
    kernel_answers_error(0);
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), 0);
}

/* A refusal is NLMSG_ERROR with a negative errno: -1 and that errno. */
static void test_06_nl_talk_returns_the_errno_the_kernel_answers(void **state)
{
    static const int errs[] = {EEXIST, EPERM, ENODEV, EOPNOTSUPP};
    int fd = netlink_socket();

    (void)state;
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        kernel_answers_error(-errs[i]);
        errno = 0;
        if (nl_talk(fd, &lo_up, sizeof lo_up) != -1 || errno != errs[i])
            fail_msg("the kernel answered -%s: nl_talk() should return -1 "
                     "with errno %s, not %s",
                     errno_name(errs[i]), errno_name(errs[i]),
                     errno_name(errno));
    }
    assert_int_equal(count_calls("rtnetlink"), 4);
}

/* Anything but NLMSG_ERROR is no answer to our request. */
static void test_06_nl_talk_answer_of_another_type_is_eproto(void **state)
{
    struct {
        struct nlmsghdr h;
        struct ifinfomsg ifi;
    } news = {{.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
               .nlmsg_type = RTM_NEWLINK},
              {.ifi_index = 1}};
    struct nlmsghdr done = {.nlmsg_len = NLMSG_LENGTH(0),
                            .nlmsg_type = NLMSG_DONE};
    int fd = netlink_socket();

    (void)state;
    memcpy(fx.reply, &news, sizeof news);
    fx.reply_len = sizeof news;
    errno = 0;
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), -1);
    assert_int_equal(errno, EPROTO);
    memcpy(fx.reply, &done, sizeof done);
    fx.reply_len = sizeof done;
    errno = 0;
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), -1);
    assert_int_equal(errno, EPROTO);
    /* Less than a header, and a header that claims more than came. */
    memcpy(fx.reply, "\x24\0\0\0\x02\0\0\0", 8);
    fx.reply_len = 8;
    errno = 0;
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), -1);
    assert_int_equal(errno, EPROTO);
    done.nlmsg_type = NLMSG_ERROR;
    done.nlmsg_len = 200;
    memcpy(fx.reply, &done, sizeof done);
    fx.reply_len = sizeof done;
    errno = 0;
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), -1);
    assert_int_equal(errno, EPROTO);
}

/* A builder's -1 is never sent: the kernel would get a message cut
 * short, or none at all. */
static void test_06_nl_talk_sends_nothing_for_a_failed_build(void **state)
{
    int fd = netlink_socket();

    (void)state;
    errno = 0;
    assert_int_equal(nl_talk(fd, &lo_up, -1), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(count_calls("rtnetlink"), 0);
}

/* sendto and recv failing are errors of their own; recv interrupted by
 * a signal is tried again. */
static void test_06_nl_talk_passes_on_sendto_and_recv_errors(void **state)
{
    int fd = netlink_socket();

    (void)state;
    refuse("sendto", NULL, ENOBUFS);
    errno = 0;
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), -1);
    assert_int_equal(errno, ENOBUFS);
    assert_int_equal(count_calls("rtnetlink"), 0);
    refuse("recv", NULL, ENOMEM);
    errno = 0;
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), -1);
    assert_int_equal(errno, ENOMEM);
    refuse(NULL, NULL, 0);
    close(fd);
    fd = netlink_socket();
    fx.recv_eintr = 3;
    assert_int_equal(nl_talk(fd, &lo_up, sizeof lo_up), 0);
    assert_int_equal(fx.recv_eintr, 0);
}

/* ---- veth_create ---- */

static void veth_create_in_child(void *arg)
{
    char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
    struct go go = {0};

    (void)arg;
    veth_create(&fx.cfg, PID, &go);
    /* go("10.77.0.2", "10.77.0.1", "net", 24): what the child is told. */
    record("go", quad(go.addr, a), quad(go.gateway, g),
           go.net ? "net" : "no net", go.prefix);
}

/* veth_create() in a child: fail() exits.  Its exit status. */
static int run_veth_create(char *err, size_t errlen)
{
    return run_in_child(veth_create_in_child, NULL, err, errlen);
}

static void veth_create_ok(void)
{
    char err[4096];
    int status = run_veth_create(err, sizeof err);

    if (status != 0)
        flunk(__FILE__, __LINE__, true, "veth_create() exited %d:\n%s", status,
              err);
    assert_string_equal(err, "");
}

/* The Kth rtnetlink request was TYPE asking WHAT, and got ANSWER. */
#define expect_request(k, type, what, answer)                                  \
    expect_request_at(__FILE__, __LINE__, (k), (type), (what), (answer))
static void expect_request_at(const char *file, int line, int k,
                              const char *type, const char *what,
                              const char *answer)
{
    int i = -1;

    for (int n = 0; n <= k; n++)
        if ((i = find_call(i + 1, "rtnetlink", NULL, NULL)) < 0)
            flunk(file, line, true,
                  "expected rtnetlink request %d: %s %s, but there were "
                  "only %d",
                  k, type, what, n);
    expect_call_at(file, line, i, "rtnetlink", type, what, answer, 0);
}

#define VETH(addr) "veth vl" addr " master 7 up, peer eth0 netns " STR(PID)
#define STR(x)     STR_(x)
#define STR_(x)    #x

/* The first host address of the subnet is the gateway's: the first
 * container gets the next. */
static void test_06_veth_create_takes_the_first_free_address(void **state)
{
    (void)state;
    host_with_lab0(LAB(1), 24);
    veth_create_ok();
    expect_request(0, "RTM_NEWLINK", VETH("0a4d0002"), "0");
    assert_int_equal(count_calls("rtnetlink"), 1);
    expect_call(last_call("go"), "go", "10.77.0.2", "10.77.0.1", "net", 24);
    require(find_call(last_call("rtnetlink"), "close", "netlink socket", NULL),
            "close(netlink socket)");
}

/* EEXIST on the veth's name is the kernel saying the address is taken,
 * atomically: try the next one. */
static void test_06_veth_create_moves_on_when_an_address_is_taken(void **state)
{
    (void)state;
    host_with_lab0(LAB(1), 24);
    taken(LAB(2));
    taken(LAB(3));
    taken(LAB(5));
    veth_create_ok();
    expect_request(0, "RTM_NEWLINK", VETH("0a4d0002"), "EEXIST");
    expect_request(1, "RTM_NEWLINK", VETH("0a4d0003"), "EEXIST");
    expect_request(2, "RTM_NEWLINK", VETH("0a4d0004"), "0");
    assert_int_equal(count_calls("rtnetlink"), 3);
    expect_call(last_call("go"), "go", "10.77.0.4", "10.77.0.1", "net", 24);
}

/* The gateway is the bridge's own address, wherever it sits. */
static void test_06_veth_create_skips_the_gateway(void **state)
{
    (void)state;
    host_with_lab0(LAB(3), 24);
    taken(LAB(1));
    taken(LAB(2));
    veth_create_ok();
    expect_request(0, "RTM_NEWLINK", VETH("0a4d0001"), "EEXIST");
    expect_request(1, "RTM_NEWLINK", VETH("0a4d0002"), "EEXIST");
    expect_request(2, "RTM_NEWLINK", VETH("0a4d0004"), "0");
    assert_int_equal(count_calls("rtnetlink"), 3);
    expect_call(last_call("go"), "go", "10.77.0.4", "10.77.0.3", "net", 24);
}

/* A /30 holds the gateway and one container. */
static void test_06_veth_create_full_subnet_exits_125(void **state)
{
    char err[4096];

    (void)state;
    host_with_lab0(LAB(1), 30);
    taken(LAB(2));
    assert_int_equal(run_veth_create(err, sizeof err), 125);
    expect_request(0, "RTM_NEWLINK", VETH("0a4d0002"), "EEXIST");
    assert_int_equal(count_calls("rtnetlink"), 1);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_contains(err, "lab0");
    assert_contains(err, "Address already in use");
    assert_int_equal(last_call("go"), -1);
}

static void test_06_veth_create_with_ip_tries_exactly_that_address(void **state)
{
    (void)state;
    host_with_lab0(LAB(1), 24);
    fx.cfg.ip = LAB(202);
    fx.cfg.ip_prefix = 24;
    fx.cfg.ip_set = 1;
    veth_create_ok();
    expect_request(0, "RTM_NEWLINK", VETH("0a4d00ca"), "0");
    assert_int_equal(count_calls("rtnetlink"), 1);
    expect_call(last_call("go"), "go", "10.77.0.202", "10.77.0.1", "net", 24);
}

/* --ip asks for one address: if it is taken, say so, and try no other. */
static void test_06_veth_create_with_ip_in_use_exits_125_naming_it(void **state)
{
    char err[4096];

    (void)state;
    host_with_lab0(LAB(1), 24);
    taken(LAB(202));
    fx.cfg.ip = LAB(202);
    fx.cfg.ip_prefix = 24;
    fx.cfg.ip_set = 1;
    assert_int_equal(run_veth_create(err, sizeof err), 125);
    assert_string_equal(err,
                        "step: --ip 10.77.0.202: Address already in use\n");
    /* Asked again for about a second, in case the veth was that of a
     * container whose namespace the kernel is still tearing down; never
     * another address. */
    assert_true(count_calls("rtnetlink") > 1);
    for (int i = 0; i < count_calls("rtnetlink"); i++)
        expect_request(i, "RTM_NEWLINK", VETH("0a4d00ca"), "EEXIST");
}

/* Checked against the bridge's subnet before anything is asked of the
 * kernel. */
static void
test_06_veth_create_with_ip_outside_the_subnet_sends_nothing(void **state)
{
    static const struct {
        uint32_t ip;
        int prefix;
        const char *why;
    } cases[] = {
        {LAB(1), 24, "the gateway"},
        {LAB(0), 24, "the network"},
        {LAB(255), 24, "the broadcast address"},
        {LAB(256 + 5), 24, "another subnet"},
        {0xc0a80105, 24, "another subnet"},
        {LAB(5), 16, "another prefix"},
        {LAB(5), 25, "another prefix"},
    };
    char err[4096];

    (void)state;
    host_with_lab0(LAB(1), 24);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char ip[INET_ADDRSTRLEN];
        int status;

        calls->n = 0;
        fx.cfg.ip = cases[i].ip;
        fx.cfg.ip_prefix = cases[i].prefix;
        fx.cfg.ip_set = 1;
        status = run_veth_create(err, sizeof err);
        if (status != 125 || count_lines(err, "step: ") != 1 ||
            !strstr(err, "step: --ip") || count_calls("rtnetlink") != 0)
            flunk(__FILE__, __LINE__, true,
                  "--ip %s/%d, %s, on 10.77.0.1/24: expected exit 125, one "
                  "\"step: --ip\" line and no request; got exit %d and:\n%s",
                  quad(cases[i].ip, ip), cases[i].prefix, cases[i].why, status,
                  err);
    }
}

/* Any other refusal is no reason to try the next address. */
static void test_06_veth_create_other_errors_exit_125_at_once(void **state)
{
    char err[4096];

    (void)state;
    host_with_lab0(LAB(1), 24);
    refuse("rtnetlink", "RTM_NEWLINK", EPERM);
    assert_int_equal(run_veth_create(err, sizeof err), 125);
    assert_string_equal(err, "step: rtnetlink: RTM_NEWLINK veth vl0a4d0002: "
                             "Operation not permitted\n");
    assert_int_equal(count_calls("rtnetlink"), 1);
}

/* The first container makes lab0 and gives it 10.77.0.1/24. */
static void test_06_veth_create_makes_lab0_on_first_use(void **state)
{
    (void)state;
    add_link("lo", 1, 0, 0);
    veth_create_ok();
    expect_request(0, "RTM_NEWLINK", "bridge lab0 up", "0");
    expect_request(1, "RTM_NEWADDR", "10.77.0.1/24 brd 10.77.0.255 index 10",
                   "0");
    expect_request(2, "RTM_NEWLINK",
                   "veth vl0a4d0002 master 10 up, peer eth0 netns " STR(PID),
                   "0");
    assert_int_equal(count_calls("rtnetlink"), 3);
    expect_call(last_call("go"), "go", "10.77.0.2", "10.77.0.1", "net", 24);
}

/* Containers start at once: another runtime may make lab0, or give it
 * its address, between our look and our request.  EEXIST then means
 * that it is done. */
static void
test_06_veth_create_lets_another_runtime_make_lab0_first(void **state)
{
    (void)state;
    host_with_lab0(LAB(1), 24);
    link_named("lab0")->name_late = true;
    veth_create_ok();
    expect_request(0, "RTM_NEWLINK", "bridge lab0 up", "EEXIST");
    expect_request(1, "RTM_NEWLINK", VETH("0a4d0002"), "0");
    assert_int_equal(count_calls("rtnetlink"), 2);
    calls_reset(NULL);
    link_named("lab0")->name_late = false;
    link_named("lab0")->addr_late = true;
    veth_create_ok();
    expect_request(0, "RTM_NEWADDR", "10.77.0.1/24 brd 10.77.0.255 index 7",
                   "EEXIST");
    expect_request(1, "RTM_NEWLINK", VETH("0a4d0002"), "0");
    assert_int_equal(count_calls("rtnetlink"), 2);
    expect_call(last_call("go"), "go", "10.77.0.2", "10.77.0.1", "net", 24);
}

/* Only lab0 is the runtime's to make: another bridge is the user's. */
static void test_06_veth_create_makes_no_other_bridge(void **state)
{
    char err[4096];

    (void)state;
    add_link("lo", 1, 0, 0);
    fx.cfg.bridge = "br-test";
    assert_int_equal(run_veth_create(err, sizeof err), 125);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_contains(err, "step: --bridge br-test: No such device");
    assert_int_equal(count_calls("rtnetlink"), 0);
}

/* ---- parse_args: --ip, --bridge, --net ---- */

/* parse(ARGV(...)), cfg and errmsg: unit.h (UNIT_PARSE). */

static void test_06_net_defaults_are_lab0_and_any_free_address(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV(NULL)), 0);
    assert_string_equal(cfg.bridge, "lab0");
    assert_int_equal(cfg.net_none, 0);
    assert_int_equal(cfg.ip_set, 0);
}

static void test_06_ip_bridge_and_net_options_are_read(void **state)
{
    (void)state;
    assert_int_equal(parse(ARGV("--ip", "10.77.0.5/24", NULL)), 0);
    assert_int_equal(cfg.ip_set, 1);
    assert_int_equal(cfg.ip, LAB(5));
    assert_int_equal(cfg.ip_prefix, 24);
    assert_int_equal(parse(ARGV("--ip=192.168.9.2/30", "true", NULL)), 0);
    assert_int_equal(cfg.ip, 0xc0a80902);
    assert_int_equal(cfg.ip_prefix, 30);
    assert_string_equal(cfg.argv[0], "true");
    assert_int_equal(parse(ARGV("--bridge", "br0", NULL)), 0);
    assert_string_equal(cfg.bridge, "br0");
    assert_int_equal(parse(ARGV("--bridge=abcdefghijklmno", NULL)), 0);
    assert_string_equal(cfg.bridge, "abcdefghijklmno");
    assert_int_equal(parse(ARGV("--net", "none", NULL)), 0);
    assert_int_equal(cfg.net_none, 1);
    assert_int_equal(cfg.ip_set, 0);
    assert_int_equal(parse(ARGV("--net=none", "--bridge", "br1", NULL)), 0);
    assert_int_equal(cfg.net_none, 1);
}

/* Fail unless ARGV is refused with a message containing each NEEDLE. */
#define assert_refused(argv, ...)                                              \
    assert_refused_at(__FILE__, __LINE__, (argv), __VA_ARGS__, NULL)
static void assert_refused_at(const char *file, int line, char **argv, ...)
{
    const char *needle;
    va_list ap;
    int r = parse(argv);

    if (r != -1)
        flunk(file, line, false, "\"%s %s\" was not refused: %d", argv[1],
              argv[2] ? argv[2] : "", r);
    va_start(ap, argv);
    while ((needle = va_arg(ap, const char *)))
        assert_contains_at(file, line, errmsg, needle);
    va_end(ap);
}

static void test_06_bad_ip_bridge_or_net_is_refused_naming_it(void **state)
{
    (void)state;
    assert_refused(ARGV("--ip", "10.77.0.5", NULL), "--ip", "10.77.0.5");
    assert_refused(ARGV("--ip", "10.77.0.5/31", NULL), "--ip", "/31");
    assert_refused(ARGV("--ip=10.77.0.256/24", NULL), "--ip", "10.77.0.256/24");
    assert_refused(ARGV("--ip", "", NULL), "--ip");
    assert_refused(ARGV("--ip", NULL), "--ip", "needs an argument");
    /* netdevice(7): at most 15 characters, and no '/' (sysfs). */
    assert_refused(ARGV("--bridge", "abcdefghijklmnop", NULL), "--bridge",
                   "abcdefghijklmnop");
    assert_refused(ARGV("--bridge", "", NULL), "--bridge");
    assert_refused(ARGV("--bridge", "br/0", NULL), "--bridge", "br/0");
    assert_refused(ARGV("--bridge", NULL), "--bridge", "needs an argument");
    assert_refused(ARGV("--net", "host", NULL), "--net", "host");
    assert_refused(ARGV("--net=bridge", NULL), "--net", "bridge");
    assert_refused(ARGV("--net", NULL), "--net", "needs an argument");
}

/* --net none has no eth0 to give the address to. */
static void test_06_ip_with_net_none_is_refused(void **state)
{
    (void)state;
    assert_refused(ARGV("--ip", "10.77.0.5/24", "--net", "none", NULL), "--ip",
                   "--net none");
    assert_refused(ARGV("--net", "none", "--ip", "10.77.0.5/24", NULL), "--ip",
                   "--net none");
}

/* ---- run_container: without root ---- */

static void run_container_in_child(void *arg)
{
    (void)arg;
    run_container(&fx.cfg);
}

/* Only root may add a veth to the host's namespace (run_container() then
 * gives the container loopback only), so --ip needs root: say so before
 * anything is made. */
static void test_06_ip_without_root_is_refused_before_clone(void **state)
{
    char err[4096];

    (void)state;
    fx.euid = 1000;
    fx.cfg.ip = LAB(5);
    fx.cfg.ip_prefix = 24;
    fx.cfg.ip_set = 1;
    assert_int_equal(
        run_in_child(run_container_in_child, NULL, err, sizeof err), 125);
    assert_string_equal(
        err,
        "step: --ip: Operation not permitted (run as root: sudo ./step)\n");
    assert_int_equal(count_calls("clone"), 0);
    assert_int_equal(count_calls("socket"), 0);
}

/* ---- setup_net ---- */

static void setup_net_in_child(void *arg)
{
    setup_net(&fx.cfg, arg);
}

/* setup_net() in a child, in a namespace with lo and, born there, eth0
 * (index 5, to show that it is asked for, not assumed).  Its exit
 * status. */
static int run_setup_net(const struct go *go, char *err, size_t errlen)
{
    add_link("lo", 1, 0, 0);
    add_link("eth0", 5, 0, 0);
    return run_in_child(setup_net_in_child, (void *)go, err, errlen);
}

static const struct go eth0_go = {
    .addr = LAB(5), .gateway = LAB(1), .prefix = 24, .net = 1};

/* A new namespace's lo is down: nothing, not even 127.0.0.1, answers
 * until it is up.  The route needs eth0 up and its subnet in place
 * (the gateway must be reachable), so it comes last. */
static void
test_06_setup_net_brings_lo_up_then_eth0_then_the_route(void **state)
{
    char err[4096];
    int status;

    (void)state;
    status = run_setup_net(&eth0_go, err, sizeof err);
    if (status != 0)
        flunk(__FILE__, __LINE__, true, "setup_net() exited %d:\n%s", status,
              err);
    assert_string_equal(err, "");
    expect_request(0, "RTM_NEWLINK", "index 1 up", "0");
    expect_request(1, "RTM_NEWADDR", "10.77.0.5/24 brd 10.77.0.255 index 5",
                   "0");
    expect_request(2, "RTM_NEWLINK", "index 5 up", "0");
    expect_request(3, "RTM_NEWROUTE", "default via 10.77.0.1 oif 5", "0");
    assert_int_equal(count_calls("rtnetlink"), 4);
    require(find_call(0, "if_nametoindex", "eth0", NULL),
            "if_nametoindex(\"eth0\")");
    require(find_call(last_call("rtnetlink"), "close", "netlink socket", NULL),
            "close(netlink socket) at the end");
}

/* --net none, or a run without root: loopback only. */
static void test_06_setup_net_without_veth_brings_up_only_lo(void **state)
{
    struct go go = {0};
    char err[4096];

    (void)state;
    assert_int_equal(run_setup_net(&go, err, sizeof err), 0);
    assert_string_equal(err, "");
    expect_request(0, "RTM_NEWLINK", "index 1 up", "0");
    assert_int_equal(count_calls("rtnetlink"), 1);
    assert_int_equal(count_calls("if_nametoindex"), 0);
}

static void test_06_setup_net_refused_request_exits_125_naming_it(void **state)
{
    char err[4096];

    (void)state;
    refuse("rtnetlink", "RTM_NEWROUTE", ENETUNREACH);
    assert_int_equal(run_setup_net(&eth0_go, err, sizeof err), 125);
    assert_string_equal(err, "step: rtnetlink: RTM_NEWROUTE default: Network "
                             "is unreachable\n");
    calls->n = 0;
    refuse("rtnetlink", "RTM_NEWADDR", EPERM);
    assert_int_equal(run_setup_net(&eth0_go, err, sizeof err), 125);
    assert_int_equal(count_lines(err, "step: "), 1);
    assert_contains(err, "RTM_NEWADDR");
    assert_contains(err, "Operation not permitted");
    assert_int_equal(count_calls("rtnetlink"), 2);
}

static void test_06_setup_net_without_eth0_exits_125(void **state)
{
    char err[4096];

    (void)state;
    add_link("lo", 1, 0, 0);
    assert_int_equal(
        run_in_child(setup_net_in_child, (void *)&eth0_go, err, sizeof err),
        125);
    assert_string_equal(err,
                        "step: if_nametoindex(\"eth0\"): No such device\n");
    assert_int_equal(count_calls("rtnetlink"), 1);
}

/* ---- child_main: struct go down the go pipe ---- */

struct child_run {
    struct child_args args;
    int status;
    char err[4096];   /* the child's stderr */
    char report[500]; /* what it sent up the report pipe; "" if nothing */
};

static void child_main_in_child(void *arg)
{
    child_main(arg);
}

/* child_main() in a child, sent LEN bytes of GO down the go pipe, the
 * pipe's write end held open as the runtime holds it.  It is stopped by
 * the refused mount of proc, the first of setup_mounts(). */
static void run_child_main(struct child_run *run, const struct go *go,
                           size_t len)
{
    struct report r;
    ssize_t n;

    add_link("lo", 1, 0, 0);
    add_link("eth0", 2, 0, 0);
    assert_int_equal(pipe2(run->args.report, O_CLOEXEC), 0);
    assert_int_equal(pipe2(run->args.go, O_CLOEXEC), 0);
    run->args.cfg = &fx.cfg;
    assert_int_equal(write(run->args.go[1], go, len), (ssize_t)len);
    refuse("mount", "proc", EPERM);
    run->status = run_in_child(child_main_in_child, &run->args, run->err,
                               sizeof run->err);
    close(run->args.report[1]);
    n = read(run->args.report[0], &r, sizeof r);
    run->report[0] = '\0';
    if (n == (ssize_t)sizeof r)
        snprintf(run->report, sizeof run->report, "%.*s", (int)sizeof r.msg,
                 r.msg);
    close(run->args.report[0]);
    close(run->args.go[0]);
    close(run->args.go[1]);
}

/* The parent learns the address only after clone(2) (it needs the
 * child's pid for the veth), and sends it with the go byte's place. */
static void test_06_child_configures_eth0_as_the_go_pipe_says(void **state)
{
    struct go go = {.addr = LAB(9), .gateway = LAB(1), .prefix = 24, .net = 1};
    struct child_run run = {0};

    (void)state;
    run_child_main(&run, &go, sizeof go);
    assert_int_equal(run.status, 125);
    assert_string_equal(run.err, "");
    assert_contains(run.report, "mount(\"proc\"");
    expect_request(0, "RTM_NEWLINK", "index 1 up", "0");
    expect_request(1, "RTM_NEWADDR", "10.77.0.9/24 brd 10.77.0.255 index 2",
                   "0");
    expect_request(2, "RTM_NEWLINK", "index 2 up", "0");
    expect_request(3, "RTM_NEWROUTE", "default via 10.77.0.1 oif 2", "0");
    go.net = 0;
    memset(&run, 0, sizeof run);
    calls->n = 0;
    run_child_main(&run, &go, sizeof go);
    assert_int_equal(run.status, 125);
    expect_request(0, "RTM_NEWLINK", "index 1 up", "0");
    assert_int_equal(count_calls("rtnetlink"), 1);
}

/* A stage 05 parent's one byte is not a struct go: stop, as on EOF. */
static void test_06_child_exits_quietly_on_a_go_message_cut_short(void **state)
{
    struct child_run run = {0};

    (void)state;
    run_child_main(&run, &eth0_go, 1);
    assert_int_equal(run.status, 125);
    assert_string_equal(run.err, "");
    assert_string_equal(run.report, "");
    assert_int_equal(calls->n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(t) cmocka_unit_test_setup_teardown(t, make_fixture, remove_fixture)
        TEST(test_06_veth_request_creates_a_link_exclusively_with_ack),
        TEST(test_06_veth_host_end_is_named_up_and_on_the_bridge),
        TEST(test_06_veth_peer_is_born_in_the_child_namespace),
        TEST(test_06_veth_nested_lengths_add_up_exactly),
        TEST(test_06_bridge_request_makes_a_bridge_named_and_up),
        TEST(test_06_link_up_request_sets_iff_up_on_the_index),
        TEST(test_06_addr_request_is_in_network_byte_order_with_broadcast),
        TEST(test_06_default_route_goes_via_the_gateway_out_of_eth0),
        TEST(test_06_builders_refuse_every_buffer_too_small),
        TEST(test_06_builders_write_nothing_past_the_buffer),
        TEST(test_06_parse_cidr_reads_address_and_prefix),
        TEST(test_06_parse_cidr_takes_prefixes_1_to_30_only),
        TEST(test_06_parse_cidr_refuses_malformed_text),
        TEST(test_06_host_in_subnet_excludes_network_broadcast_gateway),
        TEST(test_06_veth_name_is_vl_and_the_address_in_hex),
        TEST(test_06_ip4_prints_host_order_as_a_dotted_quad),
        TEST(test_06_nl_talk_sends_to_the_kernel_and_reads_the_ack),
        TEST(test_06_nl_talk_returns_the_errno_the_kernel_answers),
        TEST(test_06_nl_talk_answer_of_another_type_is_eproto),
        TEST(test_06_nl_talk_sends_nothing_for_a_failed_build),
        TEST(test_06_nl_talk_passes_on_sendto_and_recv_errors),
        TEST(test_06_veth_create_takes_the_first_free_address),
        TEST(test_06_veth_create_moves_on_when_an_address_is_taken),
        TEST(test_06_veth_create_skips_the_gateway),
        TEST(test_06_veth_create_full_subnet_exits_125),
        TEST(test_06_veth_create_with_ip_tries_exactly_that_address),
        TEST(test_06_veth_create_with_ip_in_use_exits_125_naming_it),
        TEST(test_06_veth_create_with_ip_outside_the_subnet_sends_nothing),
        TEST(test_06_veth_create_other_errors_exit_125_at_once),
        TEST(test_06_veth_create_makes_lab0_on_first_use),
        TEST(test_06_veth_create_lets_another_runtime_make_lab0_first),
        TEST(test_06_veth_create_makes_no_other_bridge),
        TEST(test_06_net_defaults_are_lab0_and_any_free_address),
        TEST(test_06_ip_bridge_and_net_options_are_read),
        TEST(test_06_bad_ip_bridge_or_net_is_refused_naming_it),
        TEST(test_06_ip_with_net_none_is_refused),
        TEST(test_06_ip_without_root_is_refused_before_clone),
        TEST(test_06_setup_net_brings_lo_up_then_eth0_then_the_route),
        TEST(test_06_setup_net_without_veth_brings_up_only_lo),
        TEST(test_06_setup_net_refused_request_exits_125_naming_it),
        TEST(test_06_setup_net_without_eth0_exits_125),
        TEST(test_06_child_configures_eth0_as_the_go_pipe_says),
        TEST(test_06_child_exits_quietly_on_a_go_message_cut_short),
    };

    return cmocka_run_group_tests_name("test_06_net", tests, NULL, NULL);
}
