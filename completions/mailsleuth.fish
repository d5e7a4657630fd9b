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
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -f -a "auth" -d 'Is it authentic? SPF, DKIM (two verifiers), DMARC and ARC, then and now'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -f -a "dnsbl" -d 'Is this IP listed? DNSBL and allow-list look-ups, PTR and forward-confirmed rDNS'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -f -a "logs" -d 'Which of our accounts is being used as a spam relay? Postfix, Dovecot and Exim logs'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -f -a "spf" -d 'Check an SPF record: the verdict for a client IP and sender, with the whole evaluation'
complete -c mailsleuth -n "__fish_mailsleuth_needs_command" -f -a "trace" -d 'From a complaint to the login that sent it: our hops, queue ids, log lines, account'
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
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l checks -d 'Checks to run, comma-separated. DMARC without `spf` takes SPF as `none` (DKIM alone can then pass it)' -r -f -a "spf\t''
dkim\t''
dmarc\t''
arc\t''"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l at -d 'When to judge signature expiry (x=): `now`, or an RFC 3339 time such as 2022-11-07T17:54:24Z. Default: the message\'s arrival (top Received hop, else Date)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l ip -d 'The SMTP client\'s IP for SPF, instead of the origin hop\'s' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l helo -d 'The HELO/EHLO name for SPF, instead of the origin hop\'s' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l mail-from -d 'The MAIL FROM address for SPF and DMARC, instead of Return-Path (`<>` or empty for the null sender)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l trusted -d 'A network (CIDR or address) or host name whose hops are ours, as for `headers`. Repeatable' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l resolver -d 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l dns-timeout -d 'Seconds to wait for each DNS reply before retrying' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l dns-attempts -d 'Attempts per query (the first try included) before it counts as a timeout' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l dns-concurrency -d 'Most DNS queries in flight at once' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l dns-zone -d 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l dns-record -d 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l format -d 'Output format: human tables, one JSON document, or one JSON object per line' -r -f -a "table\t'Tables for a person at a terminal'
json\t'One JSON document for the whole run'
ndjson\t'One JSON object per line, written as soon as each result is ready'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l color -d 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -l json -d 'Short for --format json'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -s q -l quiet -d 'Print no notes or warnings on stderr; errors are still printed'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand auth" -s V -l version -d 'Print version'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -s f -l file -d 'Read targets from FILE, one per line; `#` starts a comment. Repeatable' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l zones -d 'Zones to query, by name or id, comma-separated (default: the free, live block lists and DNSWL; `--list-zones` shows the catalogue)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l zone-file -d 'Add the zones described in this TOML file (same format as the built-in catalogue). Repeatable' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l spamhaus-dqs-key -d 'Spamhaus Data Query Service key: queries Spamhaus through KEY.zen.dq.spamhaus.net, which works from public resolvers and commercial use' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l max-ips -d 'Refuse to expand ranges to more than this many addresses in all' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l progress -d 'When to draw a progress bar on stderr (auto: on a terminal, for runs over a few seconds)' -r -f -a "auto\t'On a terminal, for runs over a few seconds'
never\t'Never'
always\t'Always, even when stderr is not a terminal'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l resolver -d 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l dns-timeout -d 'Seconds to wait for each DNS reply before retrying' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l dns-attempts -d 'Attempts per query (the first try included) before it counts as a timeout' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l dns-concurrency -d 'Most DNS queries in flight at once' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l dns-zone -d 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l dns-record -d 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l format -d 'Output format: human tables, one JSON document, or one JSON object per line' -r -f -a "table\t'Tables for a person at a terminal'
json\t'One JSON document for the whole run'
ndjson\t'One JSON object per line, written as soon as each result is ready'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l color -d 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l list-zones -d 'Print the zone catalogue and exit'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l txt -d 'Also fetch the TXT reason of each listing'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -l json -d 'Short for --format json'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -s q -l quiet -d 'Print no notes or warnings on stderr; errors are still printed'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand dnsbl" -s V -l version -d 'Print version'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l year -d 'Year of the first classic syslog timestamp (`Nov 22 04:03:14` has none). Default: the latest year that does not put the log in the future' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l utc-offset -d 'UTC offset of classic syslog timestamps, e.g. +09:00. Default: the offset of the RFC 3339 timestamps in the same input, else UTC' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l home-country -d 'The site\'s home country (ISO code), for the foreign-login share. Repeatable. Default: learnt as the country of most successful logins' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l geoip -d 'A MaxMind or DB-IP country database (.mmdb). Repeatable' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l rir -d 'An RIR delegated-stats file (delegated-*-extended) or a `cidr,country` CSV. Repeatable' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l config -d 'Thresholds and weights from a TOML file (see the man page for the keys)' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l set -d 'Set one threshold or weight, as in the config file (`many_countries=3`, `weights.bounce_rate=0.8`). Repeatable; applied after --config' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l flag-score -d 'Flag an account at this score (the sum of its signals\' weights)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l recipients-peak-1h -d 'Recipients in one sliding hour that flag an account\'s peak' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l many-ips -d 'Distinct client IPs that count as many for one account' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l many-countries -d 'Distinct countries that count as many for one account' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l auth-failures -d 'Failed logins naming an account that count as an attack on it' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l account -d 'Show one account: its numbers, its timeline per hour, sample queue ids and log lines' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l emit -d 'Also write ready-to-review access-map lines to lock flagged accounts and block brute-force IPs (to stdout after the report, or to --emit-to)' -r -f -a "postfix-access\t'Postfix check_sasl_access and check_client_access (cidr) lines'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l emit-to -d 'Write the --emit lines to this file instead of stdout' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l show-unparsed -d 'Show up to N lines that no parser understood (they are always counted per program)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l top -d 'Rows in the accounts and IPs tables (JSON always has all)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l progress -d 'When to draw a progress bar on stderr' -r -f -a "auto\t'On a terminal, for runs over a few seconds'
never\t'Never'
always\t'Always, even when stderr is not a terminal'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l format -d 'Output format: human tables, one JSON document, or one JSON object per line' -r -f -a "table\t'Tables for a person at a terminal'
json\t'One JSON document for the whole run'
ndjson\t'One JSON object per line, written as soon as each result is ready'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l color -d 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -l json -d 'Short for --format json'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -s q -l quiet -d 'Print no notes or warnings on stderr; errors are still printed'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand logs" -s V -l version -d 'Print version'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l ip -d 'The SMTP client\'s address (IPv4, IPv6, or IPv4-mapped IPv6, which counts as IPv4)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l mail-from -d 'The envelope sender (SMTP MAIL FROM); \'\' or \'<>\' for the null sender, which is then checked as postmaster@HELO and needs --helo' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l helo -d 'The HELO/EHLO name: also checked as an identity of its own, and the value of %{h}' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l resolver -d 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l dns-timeout -d 'Seconds to wait for each DNS reply before retrying' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l dns-attempts -d 'Attempts per query (the first try included) before it counts as a timeout' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l dns-concurrency -d 'Most DNS queries in flight at once' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l dns-zone -d 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l dns-record -d 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l format -d 'Output format: human tables, one JSON document, or one JSON object per line' -r -f -a "table\t'Tables for a person at a terminal'
json\t'One JSON document for the whole run'
ndjson\t'One JSON object per line, written as soon as each result is ready'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l color -d 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -l json -d 'Short for --format json'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -s q -l quiet -d 'Print no notes or warnings on stderr; errors are still printed'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand spf" -s V -l version -d 'Print version'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l logs -d 'Our mail logs (plain, .gz, .zst), folders of rotated logs, or `-` for stdin' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l our-host -d 'A host name (matching it and any host under it), an address or a CIDR network of our own mail hosts. Repeatable. Default: the host names in the logs' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l clock-skew -d 'Seconds a hop\'s time may lie outside the message\'s log lifetime (the clocks of the header and of syslog may differ)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l window -d 'Width of the account\'s activity window, centred on the message\'s time: `24h`, `90m`, `2d` or seconds' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l year -d 'Year of the first classic syslog timestamp of the logs (as for `logs`)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l utc-offset -d 'UTC offset of classic syslog timestamps, e.g. +09:00 (as for `logs`)' -r
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l geoip -d 'A MaxMind or DB-IP country database (.mmdb), for the countries of the account\'s IPs. Repeatable' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l rir -d 'An RIR delegated-stats file or a `cidr,country` CSV, for the same. Repeatable' -r -F
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l progress -d 'When to draw a progress bar on stderr while the logs are read' -r -f -a "auto\t'On a terminal, for runs over a few seconds'
never\t'Never'
always\t'Always, even when stderr is not a terminal'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l format -d 'Output format: human tables, one JSON document, or one JSON object per line' -r -f -a "table\t'Tables for a person at a terminal'
json\t'One JSON document for the whole run'
ndjson\t'One JSON object per line, written as soon as each result is ready'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l color -d 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -l json -d 'Short for --format json'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -s q -l quiet -d 'Print no notes or warnings on stderr; errors are still printed'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand trace" -s V -l version -d 'Print version'
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
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers auth dnsbl logs spf trace generate-docs help" -f -a "headers" -d 'Where a message really came from: Received chain, origin, identities, red flags'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers auth dnsbl logs spf trace generate-docs help" -f -a "auth" -d 'Is it authentic? SPF, DKIM (two verifiers), DMARC and ARC, then and now'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers auth dnsbl logs spf trace generate-docs help" -f -a "dnsbl" -d 'Is this IP listed? DNSBL and allow-list look-ups, PTR and forward-confirmed rDNS'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers auth dnsbl logs spf trace generate-docs help" -f -a "logs" -d 'Which of our accounts is being used as a spam relay? Postfix, Dovecot and Exim logs'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers auth dnsbl logs spf trace generate-docs help" -f -a "spf" -d 'Check an SPF record: the verdict for a client IP and sender, with the whole evaluation'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers auth dnsbl logs spf trace generate-docs help" -f -a "trace" -d 'From a complaint to the login that sent it: our hops, queue ids, log lines, account'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers auth dnsbl logs spf trace generate-docs help" -f -a "generate-docs" -d 'Write the man pages and shell completions generated from this command line'
complete -c mailsleuth -n "__fish_mailsleuth_using_subcommand help; and not __fish_seen_subcommand_from headers auth dnsbl logs spf trace generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
