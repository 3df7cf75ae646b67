/* storyset.c: the labelled story set and its pairwise scores. */
#include "storyset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "xmalloc.h"

static char *
member(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static int
load_file(struct storyset *s, const char *path, char *err, size_t errlen)
{
	struct storyset_item	*it;
	json_error_t		 jerr;
	json_t			*o;
	char			*text = NULL, **lines;
	size_t			 i;
	int			 rc = 0;

	if (!g_file_get_contents(path, &text, NULL, NULL)) {
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL && rc == 0; i++) {
		if (*lines[i] == '\0')
			continue;
		if ((o = json_loads(lines[i], 0, &jerr)) == NULL) {
			snprintf(err, errlen, "%s:%zu: %s", path, i + 1,
			    jerr.text);
			rc = -1;
			break;
		}
		s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
		it = &s->v[s->n++];
		memset(it, 0, sizeof(*it));
		it->story = member(o, "story");
		it->near = member(o, "near");
		it->feed = member(o, "feed");
		it->title = member(o, "title");
		it->summary = member(o, "summary");
		it->published = member(o, "published");
		json_decref(o);
		if (it->story == NULL || it->feed == NULL ||
		    it->published == NULL) {
			snprintf(err, errlen, "%s:%zu: no \"story\", \"feed\" "
			    "or \"published\"", path, i + 1);
			rc = -1;
		}
	}
	g_strfreev(lines);
	g_free(text);
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Oldest first: the order in which a daemon would have seen them. */
static int
by_time(const void *a, const void *b)
{
	const struct storyset_item *x = a, *y = b;

	return strcmp(x->published, y->published);
}

int
storyset_load(struct storyset *s, const char *dir, char *err, size_t errlen)
{
	GDir		*d;
	GPtrArray	*files;
	const char	*name;
	size_t		 i;
	int		 rc = 0;

	memset(s, 0, sizeof(*s));
	if ((d = g_dir_open(dir, 0, NULL)) == NULL) {
		snprintf(err, errlen, "%s: cannot open", dir);
		return -1;
	}
	files = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".jsonl"))
			g_ptr_array_add(files, g_build_filename(dir, name,
			    NULL));
	g_dir_close(d);
	qsort(files->pdata, files->len, sizeof(char *), by_name);
	for (i = 0; i < files->len && rc == 0; i++)
		rc = load_file(s, files->pdata[i], err, errlen);
	g_ptr_array_free(files, TRUE);
	if (rc == 0)
		qsort(s->v, s->n, sizeof(*s->v), by_time);
	if (rc == 0 && s->n == 0) {
		snprintf(err, errlen, "%s: no items", dir);
		rc = -1;
	}
	return rc;
}

void
storyset_release(struct storyset *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].story);
		free(s->v[i].near);
		free(s->v[i].feed);
		free(s->v[i].title);
		free(s->v[i].summary);
		free(s->v[i].published);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void
storyset_sign(struct storyset *s, struct story_signer *sg)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		s->v[i].has_sig = story_sign(sg, s->v[i].title,
		    s->v[i].summary, &s->v[i].sig);
}

/* 1 if one of a and b was written as the near miss of the other. */
static int
near_pair(const struct storyset_item *a, const struct storyset_item *b)
{
	return (a->near != NULL && strcmp(a->near, b->story) == 0) ||
	    (b->near != NULL && strcmp(b->near, a->story) == 0);
}

/*
 * Scores the pairs of 's': folded when story_same() says so or, with
 * 'story' set, when the fold put them in one story.
 */
static void
score(const struct storyset *s, const size_t *story, double threshold,
    struct storyset_score *sc)
{
	const struct storyset_item *a, *b;
	size_t		 i, j;
	int		 same, folded;

	memset(sc, 0, sizeof(*sc));
	for (i = 0; i < s->n; i++)
		for (j = i + 1; j < s->n; j++) {
			a = &s->v[i];
			b = &s->v[j];
			same = strcmp(a->story, b->story) == 0;
			if (story != NULL)
				folded = story[i] == story[j];
			else
				folded = a->has_sig && b->has_sig &&
				    story_same(&a->sig, &b->sig, threshold);
			sc->same += same;
			sc->folded += folded;
			sc->right += same && folded;
			if (near_pair(a, b)) {
				sc->near++;
				sc->near_folded += folded;
			}
		}
	sc->precision = sc->folded > 0 ? (double)sc->right / sc->folded : 1;
	sc->recall = sc->same > 0 ? (double)sc->right / sc->same : 1;
}

void
storyset_score_pairs(const struct storyset *s, double threshold,
    struct storyset_score *sc)
{
	score(s, NULL, threshold, sc);
}

void
storyset_score_folded(const struct storyset *s, double threshold,
    struct storyset_score *sc)
{
	const struct storyset_item *a, *b;
	size_t		*story, i, j;
	double		 best, sim;

	story = xcalloc(s->n, sizeof(*story));
	for (i = 0; i < s->n; i++) {
		story[i] = i;
		best = -1;
		for (j = 0; j < i; j++) {
			a = &s->v[i];
			b = &s->v[j];
			if (!a->has_sig || !b->has_sig ||
			    strcmp(a->feed, b->feed) == 0 ||
			    !story_same(&a->sig, &b->sig, threshold))
				continue;
			if ((sim = story_similarity(&a->sig, &b->sig)) > best) {
				best = sim;
				story[i] = story[j];
			}
		}
	}
	score(s, story, threshold, sc);
	free(story);
}
