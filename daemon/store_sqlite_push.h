/*
 * store_sqlite_push.h: the SQLite store's WebSub side: table sub, one
 * subscription per feed (push.h says what the fields mean).
 *
 * These are ops of store_sqlite_ops: each does what store.h says of the
 * function of the same name (sq_sub_put: store_sub_put), on the backend's
 * handle 'be'.  The secret is stored as the daemon made it: the state is
 * owner-only (store_file.h), as the secrets of the config are.
 */
#ifndef FEEDWATCH_STORE_SQLITE_PUSH_H
#define FEEDWATCH_STORE_SQLITE_PUSH_H

#include <stddef.h>

#include "store.h"

int	 sq_sub_put(void *be, const struct subscription *sub);
int	 sq_sub_delete(void *be, const char *feed);
int	 sq_subs(void *be, struct subscription **out, size_t *n);

#endif
