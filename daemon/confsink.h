/*
 * confsink.h: the [sink NAME] sections of the config (README
 * "Configuration", man/sinks.md).
 *
 * A sink section takes 'type' and the keys of that type only.  Its values
 * are checked when the config loads, not at the first alert: URL schemes
 * (http or https for a webhook, smtp or smtps for email), formats and
 * urgencies, the exec command (split like a shell, run without one), and
 * a ca-file (resolved against the config's directory) that must be a
 * readable file.  A secret (a webhook's 'secret', an email 'password')
 * comes from the config or from the first line of the file its -file key
 * names (at most 4 KiB, so /dev/zero cannot exhaust memory), never both;
 * messages name the file, never the secret.  Every problem is reported
 * through the inifile at its line.
 */
#ifndef FEEDWATCH_CONFSINK_H
#define FEEDWATCH_CONFSINK_H

struct inifile;
struct sink_conf;

/*
 * Fills 's' from the section 'group' of 'ini' ("sink NAME", with 'name'
 * its NAME).  's' holds what was read even after an error, for
 * confsink_release().
 */
void	 confsink_load(struct inifile *ini, const char *group,
	    const char *name, struct sink_conf *s);

/* Frees what confsink_load() put in 's'. */
void	 confsink_release(struct sink_conf *s);

#endif
