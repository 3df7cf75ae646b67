# bash completion for feedwatch(1): its commands, each command's options
# (read from the command's --help, so they follow the binary), files after
# -c and for parse, match and opml import, and the topic, feed and sink
# names of the config the command would read: the file given with -c, else
# $FEEDWATCH_CONFIG, else the first that exists of
# $XDG_CONFIG_HOME/feedwatch/feedwatch.conf (~/.config/...),
# $CONFIGURATION_DIRECTORY/feedwatch.conf and /etc/feedwatch/feedwatch.conf.
# Names come from the config's [topic NAME], [feed NAME] and [sink NAME]
# lines (not the feeds of a [daemon] opml file).

# The commands of `feedwatch --help`, one word each: a new command is one
# more word here (tests/completion.sh fails until the two lists agree).
_feedwatch_commands=(run check parse match backtest status test-sink config
    opml add remove demo alerts mute unmute)

# The config file this command line would read, on stdout.
_feedwatch_config()
{
	local i w conf='' cand cands

	for ((i = 2; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -c ]]; then
			conf=${COMP_WORDS[i + 1]-}
		elif [[ $w == -c?* ]]; then
			conf=${w#-c}
		fi
	done
	if [[ -z $conf ]]; then
		conf=${FEEDWATCH_CONFIG-}
	fi
	if [[ -n $conf ]]; then
		if [[ $conf == \~/* ]]; then
			conf=${HOME-}/${conf#\~/}
		fi
		printf '%s\n' "$conf"
		return
	fi
	cands=("${XDG_CONFIG_HOME:-${HOME-}/.config}/feedwatch/feedwatch.conf")
	if [[ -n ${CONFIGURATION_DIRECTORY-} ]]; then
		cands+=("$CONFIGURATION_DIRECTORY/feedwatch.conf")
	fi
	for cand in "${cands[@]}" /etc/feedwatch/feedwatch.conf; do
		if [[ -e $cand ]]; then
			printf '%s\n' "$cand"
			return
		fi
	done
}

# COMPREPLY: the NAMEs of the config's [KIND NAME] sections that start
# with the current word.  A section line is what feedwatch accepts: one
# space, a name of letters, digits, '_', '.' and '-'.
_feedwatch_names()
{
	local re="^[[:space:]]*\[$1 \([A-Za-z0-9_.-]\{1,\}\)\][[:space:]]*\$"
	local conf names

	conf=$(_feedwatch_config)
	[[ -r $conf && -f $conf ]] || return
	names=$(sed -n "s/$re/\1/p" -- "$conf" 2>/dev/null)
	mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur")
}

_feedwatch_files()
{
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

_feedwatch()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local bin=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]-} help opts

	COMPREPLY=()
	if [[ $bin == \~/* ]]; then
		bin=${HOME-}/${bin#\~/}
	fi
	if ((COMP_CWORD == 1)); then
		if [[ $cur == -* ]]; then
			opts='--help --version'
		else
			opts=${_feedwatch_commands[*]}
		fi
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	[[ " ${_feedwatch_commands[*]} " == *" $cmd "* ]] || return

	# mute, unmute and alerts --topic are SPEC's second-wave commands:
	# completed once they are in _feedwatch_commands.
	case $prev in
	-c)
		_feedwatch_files
		return
		;;
	--feed)
		_feedwatch_names feed
		return
		;;
	--topic)
		_feedwatch_names topic
		return
		;;
	esac
	# What the help shows after an option says whether it takes a value
	# (`-q QUERY` in match, `[-v|-q]` in test-sink).
	help=$("$bin" "$cmd" --help 2>/dev/null)
	if [[ $prev =~ ^--?[a-z][a-z-]*$ &&
	    $help =~ (^|[[:space:]|[])"$prev "[A-Z] ]]; then
		return
	fi
	if [[ $cur == -* ]]; then
		opts=$(grep -oE '(^|[[:space:]|[])--?[a-z][a-z-]*' <<<"$help" |
		    sed 's/^[^-]*//' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$opts --help" -- "$cur")
		return
	fi
	case $cmd in
	backtest | mute | unmute)
		_feedwatch_names topic
		;;
	test-sink)
		_feedwatch_names sink
		;;
	remove)
		_feedwatch_names feed
		;;
	parse | match)
		_feedwatch_files
		;;
	config | opml)
		if ((COMP_CWORD == 2)); then
			# Its subcommands: the words after `feedwatch CMD` in
			# the usage lines.
			opts=$(grep -oE "feedwatch $cmd [a-z]+" <<<"$help" |
			    cut -d' ' -f3)
			mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		elif [[ $cmd == opml && ${COMP_WORDS[2]-} == import ]]; then
			_feedwatch_files
		fi
		;;
	esac
}

complete -F _feedwatch feedwatch
