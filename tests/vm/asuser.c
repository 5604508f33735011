/* asuser COMMAND [ARG]...: run COMMAND as nobody (uid and gid 65534, no
 * supplementary groups).  The test VM's busybox has no way to drop root
 * (its setpriv cannot change ids), and stage 05's checks there must run
 * the runtime as an ordinary user.  Linked statically by tests/vm/run.sh.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

#define NOBODY 65534

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: asuser COMMAND [ARG]...\n");
        return 125;
    }
    /* Groups before the uid: once it is not 0, setgroups(2) and
     * setresgid(2) are refused (credentials(7)). */
    if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
        setresuid(NOBODY, NOBODY, NOBODY) < 0) {
        perror("asuser: setgroups/setresgid/setresuid(65534)");
        return 125;
    }
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
