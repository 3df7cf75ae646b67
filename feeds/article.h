/*
 * article.h: the main text of a web page, for items whose feed text is
 * thin (`content = full`: artfetch.c streams the page in).
 *
 * A push-bytes object like the feed parser (parser.h), with no I/O of its
 * own: create it with the page's URL and HTTP charset, push the body as
 * it arrives (any split gives the same result), finish, then read the
 * title and the text.  It never loads anything (libxml2's HTML parser in
 * SAX mode: no DTD, no entities but HTML's).
 *
 * Encoding, first found: a BOM; the HTTP charset; a <meta> charset in the
 * first 1024 bytes; then, in the first MiB (held until then), a <meta>
 * charset anywhere, else UTF-8 if most of the non-ASCII bytes read as
 * UTF-8, else windows-1252.  Labels are read as browsers read them
 * (iso-8859-1 and us-ascii mean windows-1252).  The page is converted to
 * UTF-8 (iconv) before libxml2 reads it, so its own <meta> cannot
 * change the choice.
 *
 * Extraction, after Mozilla's Readability:
 *
 *  1. script, style, noscript, template, svg, math, iframe, object,
 *     video, audio, select, textarea and button hold no text;
 *  2. boilerplate is dropped with everything in it: nav, aside, footer,
 *     menu, dialog, a <header> outside an article, a form with less than
 *     half the page's text, ARIA roles such as navigation, banner,
 *     complementary and contentinfo, hidden elements; and (the "class
 *     hints") an element whose class, id, itemprop or itemtype has a
 *     name with a negative word (comment, footer, nav, menu, sidebar,
 *     share, social, ad, promo, related, cookie, consent, banner,
 *     subscribe, newsletter, modal, popup, ...) and no name with a
 *     positive one (article, body, content, entry, main, post, story,
 *     text), unless something inside it has a positive one;
 *  3. the own text of each p, div, td, pre, blockquote, section, article,
 *     main, dd and center (its text but not that of the blocks in it),
 *     when 25 characters or more and not mostly links, scores 1 + its
 *     commas + 1 per 100 characters (up to 3) for its parent, half that
 *     for its grandparent and a 6th, 9th and 12th for the three above
 *     (commas of other scripts count too); an element scored so
 *     starts from its tag (div +5; td, pre, blockquote +3; lists, forms
 *     -3; headings -5) plus 25 per positive and minus 25 per negative
 *     class hint (itemprop=articleBody 25 more);
 *  4. each score is scaled by 1 - its link density (the share of its text
 *     inside <a>); the best (below <body>) is the article, or the
 *     closest ancestor it shares with 3 of the 4 next best when those
 *     score 3/4 of it; with none, the body is;
 *  5. its siblings join it when they score a fifth of it (plus a fifth
 *     for the same class), or are paragraphs of prose with few links;
 *  6. inside, boilerplate, h1 (the title) and blocks more than half links
 *     are dropped.
 *
 * When that gives less than 250 bytes in fewer than 2 paragraphs, steps
 * 2-6 run again without dropping what class hints alone would drop, and
 * the longer text is kept (two short paragraphs above long comments are
 * an article).  A JSON-LD articleBody (<script type="application/ld+json">)
 * at least half as long replaces the text.  The title is og:title, else
 * the JSON-LD headline, else the article's h1 (inside it, else the last
 * before it), else <title>.
 *
 * Both are UTF-8, white space collapsed, entities decoded; bytes that
 * are not text in the page's charset become U+FFFD.  Paragraphs, list
 * items, lines of <pre> and <br>-separated lines of the text are
 * separated by one '\n'; the title is one line of at most 4 KiB.
 *
 * Memory is bounded whatever the page: the input cap, 4 MiB of visible
 * text and 65,536 elements kept, 512 levels of them (the text of deeper
 * or later elements goes to the innermost one kept).  What comes after a
 * cap is ignored, and the text is extracted from what came before it.
 */
#ifndef FEEDWATCH_ARTICLE_H
#define FEEDWATCH_ARTICLE_H

#include <stddef.h>

struct article;

/* Default caps: page bytes read, text bytes returned. */
#define ARTICLE_MAX_IN		((size_t)8 << 20)
#define ARTICLE_MAX_OUT		((size_t)256 << 10)

/*
 * An extractor for the page at 'url' (named in errors, redacted; may be
 * NULL).  'http_charset' is the charset parameter of the HTTP
 * Content-Type, or NULL.  'max_in' caps the bytes read and 'max_out' the
 * text; 0 takes the defaults above.  Never NULL (aborts on OOM).
 */
struct article	*article_new(const char *url, const char *http_charset,
		    size_t max_in, size_t max_out);

/*
 * Feeds 'len' bytes.  Returns 0 to get more, -1 when no more is wanted:
 * the input cap or the text cap was reached (what came is used), or the
 * page is not HTML (article_finish() then fails).  Either way, call
 * article_finish() next.
 */
int		 article_push(struct article *a, const char *buf, size_t len);

/*
 * Ends the page and extracts.  Returns 0 when there is text, -1 when
 * there is none (empty page, not HTML, nothing but boilerplate): then
 * article_error() says why.  The title may be set either way.
 */
int		 article_finish(struct article *a);

/* Why article_finish() failed, or NULL; valid until article_free(). */
const char	*article_error(const struct article *a);

/* The title, or NULL; valid until article_free(). */
const char	*article_title(const struct article *a);

/* The text ("" before article_finish()); valid until article_free(). */
const char	*article_text(const struct article *a);

void		 article_free(struct article *a);

#endif
