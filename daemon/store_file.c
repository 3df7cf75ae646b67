/*
 * store_file.c: the state file on disk, apart from SQLite: its directory
 * and file created owner-only, and the writer's lock beside it
 * (store_file.h).
 */
#include "store_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "xmalloc.h"

/* mkdir -p for the database's directory (0700: see store_file.h). */
static int
make_parent(const char *path)
{
	char	*dir, *p, c;
	int	 rc = 0;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		goto out;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			log_warn("state directory '%s'", dir);
			rc = -1;
			goto out;
		}
		if ((*p = c) == '\0')
			break;
	}
 out:
	free(dir);
	return rc;
}

/*
 * Creates a missing database file owner-only before SQLite does: SQLite
 * would make it 0644 less the umask, and gives its -wal and -shm files
 * the database's mode.  No SQLite connection of this process has the
 * file open yet, so this close() drops no SQLite lock (a close of any
 * descriptor of a file drops the process's POSIX locks on it).
 */
static int
create_db(const char *path)
{
	int	 fd;

	if (access(path, F_OK) == 0)
		return 0;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_warn("state '%s'", path);
		return -1;
	}
	close(fd);
	return 0;
}

int
store_file_create(const char *path)
{
	if (make_parent(path) == -1 || create_db(path) == -1)
		return -1;
	return 0;
}

/* This process's command line, "feedwatch run -c FILE", for the lock. */
static void
self_command(char *buf, size_t len)
{
	char	 args[256];
	ssize_t	 n = -1, i, skip;
	int	 fd;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, args, sizeof(args) - 1);
		close(fd);
	}
	args[n > 0 ? n : 0] = '\0';
	/* argv[0] is a path: its name is enough */
	skip = (ssize_t)strlen(args) + 1;
	for (i = skip; i < n - 1; i++)
		if (args[i] == '\0')
			args[i] = ' ';
	snprintf(buf, len, "%s%s%s", program_invocation_short_name,
	    skip < n ? " " : "", skip < n ? args + skip : "");
}

/*
 * What the holder wrote into the lock file: "PID START COMMAND\n".  -1
 * if it is not that (a holder that could not write it).
 */
static int
read_holder(int fd, struct store_writer *w)
{
	char		 buf[512], *cmd, *p;
	long long	 start;
	ssize_t		 n;
	int		 off = 0;

	memset(w, 0, sizeof(*w));
	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) < 0)
		n = 0;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %lld %n", &w->pid, &start, &off) != 2) {
		w->pid = 0;
		return -1;
	}
	w->since = (time_t)start;
	cmd = buf + off;
	cmd[strcspn(cmd, "\n")] = '\0';
	for (p = cmd; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	snprintf(w->command, sizeof(w->command), "%s", cmd);
	return 0;
}

/* Says who holds the lock, from what the holder wrote into it. */
static void
lock_holder(const char *path, int fd, const char *lock)
{
	struct store_writer	 w;
	char			 when[64];
	struct tm		 tm;

	if (read_holder(fd, &w) == -1) {
		log_warnx("state '%s': in use by another process, which holds "
		    "'%s'; only one feedwatch may write a state at a time",
		    path, lock);
		return;
	}
	if (localtime_r(&w.since, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)w.since);
	log_warnx("state '%s': in use by '%s' (pid %ld) since %s; only one "
	    "feedwatch may write a state at a time: stop that one first "
	    "('status' and 'check --dry-run' work beside it)", path,
	    w.command, w.pid, when);
}

/* The whole file, for the OFD lock calls: F_WRLCK from offset 0 on. */
static void
whole_file(struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
}

/*
 * REAL.lock, a file of its own, so that SQLite's POSIX locks on the
 * database are never touched.  A flock belongs to the open file, so the
 * kernel drops it when the holder dies, whatever the lock file still
 * says.
 */
int
store_file_lock(const char *path, const char *real, int *lockfd)
{
	struct flock	 fl;
	char		*lock, cmd[256], line[512];
	int		 fd, n, rc = -1;

	lock = xasprintf("%s.lock", real);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		log_warn("state '%s': lock file '%s'", path, lock);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			lock_holder(path, fd, lock);
			rc = 1;
		} else
			log_warn("state '%s': lock '%s'", path, lock);
		goto out;
	}
	self_command(cmd, sizeof(cmd));
	n = snprintf(line, sizeof(line), "%ld %lld %s\n", (long)getpid(),
	    (long long)time(NULL), cmd);
	/* Only for the next one's message: the lock holds without it. */
	if (ftruncate(fd, 0) == -1 || pwrite(fd, line, n, 0) != n)
		log_warn("state '%s': cannot note this process in '%s'",
		    path, lock);
	/* For store_file_holder() only: the flock is the lock. */
	whole_file(&fl);
	if (fcntl(fd, F_OFD_SETLK, &fl) == -1)
		log_warn("state '%s': lock '%s': 'feedwatch status' will not "
		    "see this process", path, lock);
	*lockfd = fd;
	fd = -1;
	rc = 0;
 out:
	if (fd != -1)
		close(fd);
	free(lock);
	return rc;
}

int
store_file_holder(const char *path, const char *real, struct store_writer *w)
{
	struct flock	 fl;
	char		*lock;
	int		 fd, rc = -1;

	memset(w, 0, sizeof(*w));
	lock = xasprintf("%s.lock", real);
	if ((fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		/* No writer ever ran here. */
		if (errno == ENOENT)
			rc = 0;
		else
			log_warn("state '%s': lock file '%s'", path, lock);
		goto out;
	}
	whole_file(&fl);
	if (fcntl(fd, F_OFD_GETLK, &fl) == -1) {
		log_warn("state '%s': lock '%s'", path, lock);
		goto out;
	}
	rc = fl.l_type != F_UNLCK;
	if (rc == 1 && read_holder(fd, w) == -1)
		log_debug("state '%s': its writer noted nothing in '%s'", path,
		    lock);
 out:
	if (fd != -1)
		close(fd);
	free(lock);
	return rc;
}
