/*
 * store_sqlite_push.c: the SQLite store's WebSub subscriptions (table
 * sub; store_sqlite_push.h).
 */
#include "store_sqlite_push.h"

#include <string.h>

#include <sqlite3.h>

#include "store_sqlite.h"

static const char sql_sub_put[] =
    "INSERT INTO sub (feed, hub, topic, id, secret, state, lease_end,"
    " next_at, failures) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"
    " ON CONFLICT (feed) DO UPDATE SET hub=?2, topic=?3, id=?4,"
    " secret=?5, state=?6, lease_end=?7, next_at=?8, failures=?9";

int
sq_sub_put(void *be, const struct subscription *sub)
{
	const struct sq_arg	 arg[] = {
		sq_text(sub->feed), sq_text(sub->hub), sq_text(sub->topic),
		sq_text(sub->id), sq_text(sub->secret), sq_int(sub->state),
		sq_int(sub->lease_end), sq_int(sub->next_at),
		sq_int(sub->failures),
	};

	return sq_write(be, sql_sub_put, "write subscription", arg,
	    SQ_NELEM(arg));
}

static const char sql_sub_delete[] = "DELETE FROM sub WHERE feed = ?";

int
sq_sub_delete(void *be, const char *feed)
{
	const struct sq_arg	 arg[] = { sq_text(feed) };

	return sq_write(be, sql_sub_delete, "delete subscription", arg,
	    SQ_NELEM(arg)) == -1 ? -1 : 0;
}

static const char sql_subs[] =
    "SELECT feed, hub, topic, id, secret, state, lease_end, next_at,"
    " failures FROM sub ORDER BY feed";

int
sq_subs(void *be, struct subscription **out, size_t *n)
{
	struct subscription	 c;
	const struct sq_out	 col[] = {
		{ .text = &c.feed }, { .text = &c.hub }, { .text = &c.topic },
		{ .text = &c.id }, { .text = &c.secret }, { .i = &c.state },
		{ .time = &c.lease_end }, { .time = &c.next_at },
		{ .i = &c.failures },
	};
	struct sq_rows		 rows = {
		col, SQ_NELEM(col), &c, sizeof(c), NULL, 0
	};
	int			 rc;

	memset(&c, 0, sizeof(c));
	rc = sq_read(be, sql_subs, "read subscriptions", NULL, 0,
	    sq_row_append, &rows);
	*out = rows.v;
	*n = rows.n;
	return rc == -1 ? -1 : 0;
}
