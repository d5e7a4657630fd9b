
use builtin;
use str;

set edit:completion:arg-completer[mailsleuth] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mailsleuth'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mailsleuth'= {
            cand --format 'Output format: human tables, one JSON document, or one JSON object per line'
            cand --color 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`'
            cand --json 'Short for --format json'
            cand -q 'Print no notes or warnings on stderr; errors are still printed'
            cand --quiet 'Print no notes or warnings on stderr; errors are still printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand headers 'Where a message really came from: Received chain, origin, identities, red flags'
            cand auth 'Is it authentic? SPF, DKIM (two verifiers), DMARC and ARC, then and now'
            cand dnsbl 'Is this IP listed? DNSBL and allow-list look-ups, PTR and forward-confirmed rDNS'
            cand logs 'Which of our accounts is being used as a spam relay? Postfix, Dovecot and Exim logs'
            cand spf 'Check an SPF record: the verdict for a client IP and sender, with the whole evaluation'
            cand trace 'From a complaint to the login that sent it: our hops, queue ids, log lines, account'
            cand generate-docs 'Write the man pages and shell completions generated from this command line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mailsleuth;headers'= {
            cand --trusted 'A network (CIDR or address) or host name whose hops are ours, and so trusted. Repeatable. Private, loopback and link-local addresses are always trusted. A host name matches the reverse-DNS name our own hop recorded for its client, or any name under it'
            cand --max-delay 'Flag a hop that took longer than this many seconds after the previous one'
            cand --max-skew 'Tolerated clock difference between hops, in seconds, before time is said to run backwards'
            cand --max-date-skew 'Flag a Date header further than this many seconds from the first hop''s time'
            cand --fail-on 'Lowest finding severity that makes the exit code 1'
            cand --format 'Output format: human tables, one JSON document, or one JSON object per line'
            cand --color 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`'
            cand --json 'Short for --format json'
            cand -q 'Print no notes or warnings on stderr; errors are still printed'
            cand --quiet 'Print no notes or warnings on stderr; errors are still printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mailsleuth;auth'= {
            cand --checks 'Checks to run, comma-separated. DMARC without `spf` takes SPF as `none` (DKIM alone can then pass it)'
            cand --at 'When to judge signature expiry (x=): `now`, or an RFC 3339 time such as 2022-11-07T17:54:24Z. Default: the message''s arrival (top Received hop, else Date)'
            cand --ip 'The SMTP client''s IP for SPF, instead of the origin hop''s'
            cand --helo 'The HELO/EHLO name for SPF, instead of the origin hop''s'
            cand --mail-from 'The MAIL FROM address for SPF and DMARC, instead of Return-Path (`<>` or empty for the null sender)'
            cand --trusted 'A network (CIDR or address) or host name whose hops are ours, as for `headers`. Repeatable'
            cand --resolver 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf'
            cand --dns-timeout 'Seconds to wait for each DNS reply before retrying'
            cand --dns-attempts 'Attempts per query (the first try included) before it counts as a timeout'
            cand --dns-concurrency 'Most DNS queries in flight at once'
            cand --dns-zone 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file'
            cand --dns-record 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time'
            cand --format 'Output format: human tables, one JSON document, or one JSON object per line'
            cand --color 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`'
            cand --json 'Short for --format json'
            cand -q 'Print no notes or warnings on stderr; errors are still printed'
            cand --quiet 'Print no notes or warnings on stderr; errors are still printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mailsleuth;dnsbl'= {
            cand -f 'Read targets from FILE, one per line; `#` starts a comment. Repeatable'
            cand --file 'Read targets from FILE, one per line; `#` starts a comment. Repeatable'
            cand --zones 'Zones to query, by name or id, comma-separated (default: the free, live block lists and DNSWL; `--list-zones` shows the catalogue)'
            cand --zone-file 'Add the zones described in this TOML file (same format as the built-in catalogue). Repeatable'
            cand --spamhaus-dqs-key 'Spamhaus Data Query Service key: queries Spamhaus through KEY.zen.dq.spamhaus.net, which works from public resolvers and commercial use'
            cand --max-ips 'Refuse to expand ranges to more than this many addresses in all'
            cand --progress 'When to draw a progress bar on stderr (auto: on a terminal, for runs over a few seconds)'
            cand --resolver 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf'
            cand --dns-timeout 'Seconds to wait for each DNS reply before retrying'
            cand --dns-attempts 'Attempts per query (the first try included) before it counts as a timeout'
            cand --dns-concurrency 'Most DNS queries in flight at once'
            cand --dns-zone 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file'
            cand --dns-record 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time'
            cand --format 'Output format: human tables, one JSON document, or one JSON object per line'
            cand --color 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`'
            cand --list-zones 'Print the zone catalogue and exit'
            cand --txt 'Also fetch the TXT reason of each listing'
            cand --json 'Short for --format json'
            cand -q 'Print no notes or warnings on stderr; errors are still printed'
            cand --quiet 'Print no notes or warnings on stderr; errors are still printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mailsleuth;logs'= {
            cand --year 'Year of the first classic syslog timestamp (`Nov 22 04:03:14` has none). Default: the latest year that does not put the log in the future'
            cand --utc-offset 'UTC offset of classic syslog timestamps, e.g. +09:00. Default: the offset of the RFC 3339 timestamps in the same input, else UTC'
            cand --home-country 'The site''s home country (ISO code), for the foreign-login share. Repeatable. Default: learnt as the country of most successful logins'
            cand --geoip 'A MaxMind or DB-IP country database (.mmdb). Repeatable'
            cand --rir 'An RIR delegated-stats file (delegated-*-extended) or a `cidr,country` CSV. Repeatable'
            cand --config 'Thresholds and weights from a TOML file (see the man page for the keys)'
            cand --set 'Set one threshold or weight, as in the config file (`many_countries=3`, `weights.bounce_rate=0.8`). Repeatable; applied after --config'
            cand --flag-score 'Flag an account at this score (the sum of its signals'' weights)'
            cand --recipients-peak-1h 'Recipients in one sliding hour that flag an account''s peak'
            cand --many-ips 'Distinct client IPs that count as many for one account'
            cand --many-countries 'Distinct countries that count as many for one account'
            cand --auth-failures 'Failed logins naming an account that count as an attack on it'
            cand --account 'Show one account: its numbers, its timeline per hour, sample queue ids and log lines'
            cand --emit 'Also write ready-to-review access-map lines to lock flagged accounts and block brute-force IPs (to stdout after the report, or to --emit-to)'
            cand --emit-to 'Write the --emit lines to this file instead of stdout'
            cand --show-unparsed 'Show up to N lines that no parser understood (they are always counted per program)'
            cand --top 'Rows in the accounts and IPs tables (JSON always has all)'
            cand --progress 'When to draw a progress bar on stderr'
            cand --format 'Output format: human tables, one JSON document, or one JSON object per line'
            cand --color 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`'
            cand --json 'Short for --format json'
            cand -q 'Print no notes or warnings on stderr; errors are still printed'
            cand --quiet 'Print no notes or warnings on stderr; errors are still printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mailsleuth;spf'= {
            cand --ip 'The SMTP client''s address (IPv4, IPv6, or IPv4-mapped IPv6, which counts as IPv4)'
            cand --mail-from 'The envelope sender (SMTP MAIL FROM); '''' or ''<>'' for the null sender, which is then checked as postmaster@HELO and needs --helo'
            cand --helo 'The HELO/EHLO name: also checked as an identity of its own, and the value of %{h}'
            cand --resolver 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf'
            cand --dns-timeout 'Seconds to wait for each DNS reply before retrying'
            cand --dns-attempts 'Attempts per query (the first try included) before it counts as a timeout'
            cand --dns-concurrency 'Most DNS queries in flight at once'
            cand --dns-zone 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file'
            cand --dns-record 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time'
            cand --format 'Output format: human tables, one JSON document, or one JSON object per line'
            cand --color 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`'
            cand --json 'Short for --format json'
            cand -q 'Print no notes or warnings on stderr; errors are still printed'
            cand --quiet 'Print no notes or warnings on stderr; errors are still printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mailsleuth;trace'= {
            cand --logs 'Our mail logs (plain, .gz, .zst), folders of rotated logs, or `-` for stdin'
            cand --our-host 'A host name (matching it and any host under it), an address or a CIDR network of our own mail hosts. Repeatable. Default: the host names in the logs'
            cand --clock-skew 'Seconds a hop''s time may lie outside the message''s log lifetime (the clocks of the header and of syslog may differ)'
            cand --window 'Width of the account''s activity window, centred on the message''s time: `24h`, `90m`, `2d` or seconds'
            cand --year 'Year of the first classic syslog timestamp of the logs (as for `logs`)'
            cand --utc-offset 'UTC offset of classic syslog timestamps, e.g. +09:00 (as for `logs`)'
            cand --geoip 'A MaxMind or DB-IP country database (.mmdb), for the countries of the account''s IPs. Repeatable'
            cand --rir 'An RIR delegated-stats file or a `cidr,country` CSV, for the same. Repeatable'
            cand --progress 'When to draw a progress bar on stderr while the logs are read'
            cand --format 'Output format: human tables, one JSON document, or one JSON object per line'
            cand --color 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`'
            cand --json 'Short for --format json'
            cand -q 'Print no notes or warnings on stderr; errors are still printed'
            cand --quiet 'Print no notes or warnings on stderr; errors are still printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mailsleuth;generate-docs'= {
            cand --format 'Output format: human tables, one JSON document, or one JSON object per line'
            cand --color 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`'
            cand --json 'Short for --format json'
            cand -q 'Print no notes or warnings on stderr; errors are still printed'
            cand --quiet 'Print no notes or warnings on stderr; errors are still printed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mailsleuth;help'= {
            cand headers 'Where a message really came from: Received chain, origin, identities, red flags'
            cand auth 'Is it authentic? SPF, DKIM (two verifiers), DMARC and ARC, then and now'
            cand dnsbl 'Is this IP listed? DNSBL and allow-list look-ups, PTR and forward-confirmed rDNS'
            cand logs 'Which of our accounts is being used as a spam relay? Postfix, Dovecot and Exim logs'
            cand spf 'Check an SPF record: the verdict for a client IP and sender, with the whole evaluation'
            cand trace 'From a complaint to the login that sent it: our hops, queue ids, log lines, account'
            cand generate-docs 'Write the man pages and shell completions generated from this command line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mailsleuth;help;headers'= {
        }
        &'mailsleuth;help;auth'= {
        }
        &'mailsleuth;help;dnsbl'= {
        }
        &'mailsleuth;help;logs'= {
        }
        &'mailsleuth;help;spf'= {
        }
        &'mailsleuth;help;trace'= {
        }
        &'mailsleuth;help;generate-docs'= {
        }
        &'mailsleuth;help;help'= {
        }
    ]
    $completions[$command]
}
