# bash completion for alloyscout. It asks the program itself: the commands come from
# `alloyscout help`, subcommands from the usage line of `alloyscout <command> --help`
# ("alloyscout synth <cv|holdout|...>", or the "  name   what" lines under "<subcommand>"), options from the --words of the (sub)command's --help,
# so completion follows the installed program and cannot drift from it.
_alloyscout()
{
    local cur prev prog cmd sub help
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    prog=${COMP_WORDS[0]}
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        local cmds
        cmds=$("$prog" help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p')
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return 0
    fi
    cmd=${COMP_WORDS[1]}
    help=$("$prog" "$cmd" --help 2>/dev/null) || return 0
    local subs
    subs=$(printf '%s\n' "$help" | sed -n "s/^usage: alloyscout $cmd <\([a-z|-]*\)>.*/\1/p" | tr '|' ' ')
    if [ "$subs" = subcommand ]; then # the names are the indented "  name   what" lines
        subs=$(printf '%s\n' "$help" | sed -n 's/^  \([a-z][a-z0-9-]*\)   *[^ -].*/\1/p')
    fi
    if [ -n "$subs" ]; then
        if [ "$COMP_CWORD" -eq 2 ]; then
            COMPREPLY=($(compgen -W "$subs --help" -- "$cur"))
            return 0
        fi
        sub=${COMP_WORDS[2]}
        help=$("$prog" "$cmd" "$sub" --help 2>/dev/null) || help=""
    fi
    if [[ "$cur" == -* ]]; then
        local opts
        opts=$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return 0
    fi
    # option values that are files: complete file names
    compopt -o default 2>/dev/null
    COMPREPLY=()
}
complete -F _alloyscout alloyscout
