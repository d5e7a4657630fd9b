# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mailsleuth_global_optspecs
    string join \n format= json color= q/quiet h/help V/version
end

function __fish_mailsleuth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mailsleuth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mailsleuth_using_subcommand
    set -l cmd (__fish_mailsleuth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -l format -d 'Output format: human tables, one JSON document, or one JSON object per line' -r -f -a "table\t'Tables for a person at a terminal'
json\t'One JSON document for the whole run'
ndjson\t'One JSON object per line, written as soon as each result is ready'"
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -l color -d 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -l json -d 'Short for --format json'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -s q -l quiet -d 'Print no notes or warnings on stderr; errors are still printed'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -s V -l version -d 'Print version'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -f -a "headers" -d 'Where a message really came from: Received chain, origin, identities, red flags'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -f -a "generate-docs" -d 'Write the man pages and shell completions generated from this command line'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -l trusted -d 'A network (CIDR or address) or host name whose hops are ours, and so trusted. Repeatable. Private, loopback and link-local addresses are always trusted. A host name matches the reverse-DNS name our own hop recorded for its client, or any name under it' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -l max-delay -d 'Flag a hop that took longer than this many seconds after the previous one' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -l max-skew -d 'Tolerated clock difference between hops, in seconds, before time is said to run backwards' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -l max-date-skew -d 'Flag a Date header further than this many seconds from the first hop\'s time' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -l fail-on -d 'Lowest finding severity that makes the exit code 1' -r -f -a "info\t''
low\t''
medium\t''
high\t''
never\t'Never exit 1 because of findings'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -l format -d 'Output format: human tables, one JSON document, or one JSON object per line' -r -f -a "table\t'Tables for a person at a terminal'
json\t'One JSON document for the whole run'
ndjson\t'One JSON object per line, written as soon as each result is ready'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -l color -d 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -l json -d 'Short for --format json'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -s q -l quiet -d 'Print no notes or warnings on stderr; errors are still printed'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand headers" -s V -l version -d 'Print version'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand generate-docs" -l format -d 'Output format: human tables, one JSON document, or one JSON object per line' -r -f -a "table\t'Tables for a person at a terminal'
json\t'One JSON document for the whole run'
ndjson\t'One JSON object per line, written as soon as each result is ready'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand generate-docs" -l color -d 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand generate-docs" -l json -d 'Short for --format json'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand generate-docs" -s q -l quiet -d 'Print no notes or warnings on stderr; errors are still printed'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers generate-docs help" -f -a "headers" -d 'Where a message really came from: Received chain, origin, identities, red flags'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers generate-docs help" -f -a "generate-docs" -d 'Write the man pages and shell completions generated from this command line'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
