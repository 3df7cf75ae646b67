/*
 * termtext.h: alerts as text for people at a terminal (`format = text`
 * of the stdout and file sinks; man/sinks.md shows it).
 *
 * One or two lines per item: its local time (published, else detected),
 * the topics that matched it, the feed's title (else its name) and the
 * item's title, then its link, indented, when it has a web link:
 *
 *   2019-05-14 20:30 [crimea, lavrov] Example World News — Pompeo to ...
 *     https://example.org/news/2019/05/14/pompeo-lavrov
 *
 * Alerts of one send about the same item (its feed and id) make one
 * entry naming all their topics.  With 'colour' the parts are set apart
 * with ANSI colours (a high-priority entry's topics in red); the caller
 * decides when (a terminal, no NO_COLOR).
 *
 * Feed text reaches a terminal here, so it is made inert first: control
 * characters (C0, DEL, C1) become spaces, escape sequences (ESC or C1
 * CSI, OSC, DCS, ... up to their end) are dropped whole, and so are the
 * bidirectional overrides that could make a line read other than it is.
 * A title holding ESC [ 2 J prints as text and clears nothing.
 */
#ifndef FEEDWATCH_TERMTEXT_H
#define FEEDWATCH_TERMTEXT_H

#include <jansson.h>

/*
 * The text of the alerts 'arr' (a JSON array of SPEC section 5 objects,
 * as sink_alerts_parse() gives them), every line ending in '\n';
 * malloc'd.
 */
char	*termtext_render(const json_t *arr, int colour);

#endif
