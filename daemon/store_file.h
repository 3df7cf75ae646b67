/*
 * store_file.h: the state file on disk, apart from the database in it:
 * its directory and file created owner-only, and the lock that makes one
 * process its only writer.  No SQLite here: a backend that keeps its
 * state in a local file uses it (store_sqlite.c).
 *
 * Files are owner-only whatever the umask: a directory made here is
 * 0700, a new state file 0600, the lock file 0600.  Existing files keep
 * their mode.
 *
 * The lock is an exclusive flock(2) on REAL.lock beside the database,
 * REAL being the state's resolved path (symlinks and relative paths
 * resolved, so every way of naming the state finds the same lock).  It
 * records the holder's pid, start time and command line, which a second
 * writer names when it refuses.  The kernel drops the lock when the
 * holder exits, even by kill -9, so a lock file left behind never
 * blocks.
 *
 * The holder also takes an open file description lock (fcntl(2)
 * F_OFD_SETLK) on the same file, which F_OFD_GETLK reports without
 * taking it: that is how `status` tells whether a writer runs.  Testing
 * the flock would take it for a moment, and a writer starting in that
 * moment would be refused.  The flock stays the lock itself, so a writer
 * of an older feedwatch, which takes only that, is still excluded.
 */
#ifndef FEEDWATCH_STORE_FILE_H
#define FEEDWATCH_STORE_FILE_H

struct store_writer;

/*
 * Creates the directories of 'path' (mkdir -p) and, if missing, the file
 * itself, empty: before SQLite would, with its own modes.  -1 after
 * saying why.
 */
int	 store_file_create(const char *path);

/*
 * Takes the writer's lock of the state 'path' (named in messages), whose
 * resolved path is 'real', and sets '*lockfd' (close it to release).
 * 0: held; 1: another process holds it (said, naming it); -1: error
 * (logged).
 */
int	 store_file_lock(const char *path, const char *real, int *lockfd);

/*
 * Whether a process holds the writer's lock of the state 'path' (named
 * in messages), resolved as 'real': 1, with what it noted in 'w' (zeros
 * where it noted nothing readable); 0 if none; -1 on error (logged).
 * It takes nothing.
 */
int	 store_file_holder(const char *path, const char *real,
	    struct store_writer *w);

#endif
