
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mailsleuth' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mailsleuth'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mailsleuth' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human tables, one JSON document, or one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --format json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('headers', 'headers', [CompletionResultType]::ParameterValue, 'Where a message really came from: Received chain, origin, identities, red flags')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Is it authentic? SPF, DKIM (two verifiers), DMARC and ARC, then and now')
            [CompletionResult]::new('dnsbl', 'dnsbl', [CompletionResultType]::ParameterValue, 'Is this IP listed? DNSBL and allow-list look-ups, PTR and forward-confirmed rDNS')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Which of our accounts is being used as a spam relay? Postfix, Dovecot and Exim logs')
            [CompletionResult]::new('spf', 'spf', [CompletionResultType]::ParameterValue, 'Check an SPF record: the verdict for a client IP and sender, with the whole evaluation')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'From a complaint to the login that sent it: our hops, queue ids, log lines, account')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and shell completions generated from this command line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mailsleuth;headers' {
            [CompletionResult]::new('--trusted', '--trusted', [CompletionResultType]::ParameterName, 'A network (CIDR or address) or host name whose hops are ours, and so trusted. Repeatable. Private, loopback and link-local addresses are always trusted. A host name matches the reverse-DNS name our own hop recorded for its client, or any name under it')
            [CompletionResult]::new('--max-delay', '--max-delay', [CompletionResultType]::ParameterName, 'Flag a hop that took longer than this many seconds after the previous one')
            [CompletionResult]::new('--max-skew', '--max-skew', [CompletionResultType]::ParameterName, 'Tolerated clock difference between hops, in seconds, before time is said to run backwards')
            [CompletionResult]::new('--max-date-skew', '--max-date-skew', [CompletionResultType]::ParameterName, 'Flag a Date header further than this many seconds from the first hop''s time')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Lowest finding severity that makes the exit code 1')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human tables, one JSON document, or one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --format json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mailsleuth;auth' {
            [CompletionResult]::new('--checks', '--checks', [CompletionResultType]::ParameterName, 'Checks to run, comma-separated. DMARC without `spf` takes SPF as `none` (DKIM alone can then pass it)')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When to judge signature expiry (x=): `now`, or an RFC 3339 time such as 2022-11-07T17:54:24Z. Default: the message''s arrival (top Received hop, else Date)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'The SMTP client''s IP for SPF, instead of the origin hop''s')
            [CompletionResult]::new('--helo', '--helo', [CompletionResultType]::ParameterName, 'The HELO/EHLO name for SPF, instead of the origin hop''s')
            [CompletionResult]::new('--mail-from', '--mail-from', [CompletionResultType]::ParameterName, 'The MAIL FROM address for SPF and DMARC, instead of Return-Path (`<>` or empty for the null sender)')
            [CompletionResult]::new('--trusted', '--trusted', [CompletionResultType]::ParameterName, 'A network (CIDR or address) or host name whose hops are ours, as for `headers`. Repeatable')
            [CompletionResult]::new('--resolver', '--resolver', [CompletionResultType]::ParameterName, 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each DNS reply before retrying')
            [CompletionResult]::new('--dns-attempts', '--dns-attempts', [CompletionResultType]::ParameterName, 'Attempts per query (the first try included) before it counts as a timeout')
            [CompletionResult]::new('--dns-concurrency', '--dns-concurrency', [CompletionResultType]::ParameterName, 'Most DNS queries in flight at once')
            [CompletionResult]::new('--dns-zone', '--dns-zone', [CompletionResultType]::ParameterName, 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file')
            [CompletionResult]::new('--dns-record', '--dns-record', [CompletionResultType]::ParameterName, 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human tables, one JSON document, or one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --format json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mailsleuth;dnsbl' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read targets from FILE, one per line; `#` starts a comment. Repeatable')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read targets from FILE, one per line; `#` starts a comment. Repeatable')
            [CompletionResult]::new('--zones', '--zones', [CompletionResultType]::ParameterName, 'Zones to query, by name or id, comma-separated (default: the free, live block lists and DNSWL; `--list-zones` shows the catalogue)')
            [CompletionResult]::new('--zone-file', '--zone-file', [CompletionResultType]::ParameterName, 'Add the zones described in this TOML file (same format as the built-in catalogue). Repeatable')
            [CompletionResult]::new('--spamhaus-dqs-key', '--spamhaus-dqs-key', [CompletionResultType]::ParameterName, 'Spamhaus Data Query Service key: queries Spamhaus through KEY.zen.dq.spamhaus.net, which works from public resolvers and commercial use')
            [CompletionResult]::new('--max-ips', '--max-ips', [CompletionResultType]::ParameterName, 'Refuse to expand ranges to more than this many addresses in all')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'When to draw a progress bar on stderr (auto: on a terminal, for runs over a few seconds)')
            [CompletionResult]::new('--resolver', '--resolver', [CompletionResultType]::ParameterName, 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each DNS reply before retrying')
            [CompletionResult]::new('--dns-attempts', '--dns-attempts', [CompletionResultType]::ParameterName, 'Attempts per query (the first try included) before it counts as a timeout')
            [CompletionResult]::new('--dns-concurrency', '--dns-concurrency', [CompletionResultType]::ParameterName, 'Most DNS queries in flight at once')
            [CompletionResult]::new('--dns-zone', '--dns-zone', [CompletionResultType]::ParameterName, 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file')
            [CompletionResult]::new('--dns-record', '--dns-record', [CompletionResultType]::ParameterName, 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human tables, one JSON document, or one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`')
            [CompletionResult]::new('--list-zones', '--list-zones', [CompletionResultType]::ParameterName, 'Print the zone catalogue and exit')
            [CompletionResult]::new('--txt', '--txt', [CompletionResultType]::ParameterName, 'Also fetch the TXT reason of each listing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --format json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mailsleuth;logs' {
            [CompletionResult]::new('--year', '--year', [CompletionResultType]::ParameterName, 'Year of the first classic syslog timestamp (`Nov 22 04:03:14` has none). Default: the latest year that does not put the log in the future')
            [CompletionResult]::new('--utc-offset', '--utc-offset', [CompletionResultType]::ParameterName, 'UTC offset of classic syslog timestamps, e.g. +09:00. Default: the offset of the RFC 3339 timestamps in the same input, else UTC')
            [CompletionResult]::new('--home-country', '--home-country', [CompletionResultType]::ParameterName, 'The site''s home country (ISO code), for the foreign-login share. Repeatable. Default: learnt as the country of most successful logins')
            [CompletionResult]::new('--geoip', '--geoip', [CompletionResultType]::ParameterName, 'A MaxMind or DB-IP country database (.mmdb). Repeatable')
            [CompletionResult]::new('--rir', '--rir', [CompletionResultType]::ParameterName, 'An RIR delegated-stats file (delegated-*-extended) or a `cidr,country` CSV. Repeatable')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Thresholds and weights from a TOML file (see the man page for the keys)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set one threshold or weight, as in the config file (`many_countries=3`, `weights.bounce_rate=0.8`). Repeatable; applied after --config')
            [CompletionResult]::new('--flag-score', '--flag-score', [CompletionResultType]::ParameterName, 'Flag an account at this score (the sum of its signals'' weights)')
            [CompletionResult]::new('--recipients-peak-1h', '--recipients-peak-1h', [CompletionResultType]::ParameterName, 'Recipients in one sliding hour that flag an account''s peak')
            [CompletionResult]::new('--many-ips', '--many-ips', [CompletionResultType]::ParameterName, 'Distinct client IPs that count as many for one account')
            [CompletionResult]::new('--many-countries', '--many-countries', [CompletionResultType]::ParameterName, 'Distinct countries that count as many for one account')
            [CompletionResult]::new('--auth-failures', '--auth-failures', [CompletionResultType]::ParameterName, 'Failed logins naming an account that count as an attack on it')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Show one account: its numbers, its timeline per hour, sample queue ids and log lines')
            [CompletionResult]::new('--emit', '--emit', [CompletionResultType]::ParameterName, 'Also write ready-to-review access-map lines to lock flagged accounts and block brute-force IPs (to stdout after the report, or to --emit-to)')
            [CompletionResult]::new('--emit-to', '--emit-to', [CompletionResultType]::ParameterName, 'Write the --emit lines to this file instead of stdout')
            [CompletionResult]::new('--show-unparsed', '--show-unparsed', [CompletionResultType]::ParameterName, 'Show up to N lines that no parser understood (they are always counted per program)')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Rows in the accounts and IPs tables (JSON always has all)')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'When to draw a progress bar on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human tables, one JSON document, or one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --format json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mailsleuth;spf' {
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'The SMTP client''s address (IPv4, IPv6, or IPv4-mapped IPv6, which counts as IPv4)')
            [CompletionResult]::new('--mail-from', '--mail-from', [CompletionResultType]::ParameterName, 'The envelope sender (SMTP MAIL FROM); '''' or ''<>'' for the null sender, which is then checked as postmaster@HELO and needs --helo')
            [CompletionResult]::new('--helo', '--helo', [CompletionResultType]::ParameterName, 'The HELO/EHLO name: also checked as an identity of its own, and the value of %{h}')
            [CompletionResult]::new('--resolver', '--resolver', [CompletionResultType]::ParameterName, 'DNS server to ask, as IP or IP:PORT (repeatable). Default: the servers in /etc/resolv.conf')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each DNS reply before retrying')
            [CompletionResult]::new('--dns-attempts', '--dns-attempts', [CompletionResultType]::ParameterName, 'Attempts per query (the first try included) before it counts as a timeout')
            [CompletionResult]::new('--dns-concurrency', '--dns-concurrency', [CompletionResultType]::ParameterName, 'Most DNS queries in flight at once')
            [CompletionResult]::new('--dns-zone', '--dns-zone', [CompletionResultType]::ParameterName, 'Answer from these RFC 1035 zone files (a file, or a folder of NAME.zone files) served by an in-process server on 127.0.0.1, instead of the network: offline, reproducible runs, and replays of a --dns-record file')
            [CompletionResult]::new('--dns-record', '--dns-record', [CompletionResultType]::ParameterName, 'Write every DNS answer this run used (name, type, outcome, records, TTL, time) to FILE as a zone file that --dns-zone replays: the evidence of what DNS said at the time')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human tables, one JSON document, or one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --format json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mailsleuth;trace' {
            [CompletionResult]::new('--logs', '--logs', [CompletionResultType]::ParameterName, 'Our mail logs (plain, .gz, .zst), folders of rotated logs, or `-` for stdin')
            [CompletionResult]::new('--our-host', '--our-host', [CompletionResultType]::ParameterName, 'A host name (matching it and any host under it), an address or a CIDR network of our own mail hosts. Repeatable. Default: the host names in the logs')
            [CompletionResult]::new('--clock-skew', '--clock-skew', [CompletionResultType]::ParameterName, 'Seconds a hop''s time may lie outside the message''s log lifetime (the clocks of the header and of syslog may differ)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Width of the account''s activity window, centred on the message''s time: `24h`, `90m`, `2d` or seconds')
            [CompletionResult]::new('--year', '--year', [CompletionResultType]::ParameterName, 'Year of the first classic syslog timestamp of the logs (as for `logs`)')
            [CompletionResult]::new('--utc-offset', '--utc-offset', [CompletionResultType]::ParameterName, 'UTC offset of classic syslog timestamps, e.g. +09:00 (as for `logs`)')
            [CompletionResult]::new('--geoip', '--geoip', [CompletionResultType]::ParameterName, 'A MaxMind or DB-IP country database (.mmdb), for the countries of the account''s IPs. Repeatable')
            [CompletionResult]::new('--rir', '--rir', [CompletionResultType]::ParameterName, 'An RIR delegated-stats file or a `cidr,country` CSV, for the same. Repeatable')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'When to draw a progress bar on stderr while the logs are read')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human tables, one JSON document, or one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --format json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mailsleuth;generate-docs' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human tables, one JSON document, or one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. NO_COLOR in the environment turns colour off for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --format json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr; errors are still printed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mailsleuth;help' {
            [CompletionResult]::new('headers', 'headers', [CompletionResultType]::ParameterValue, 'Where a message really came from: Received chain, origin, identities, red flags')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Is it authentic? SPF, DKIM (two verifiers), DMARC and ARC, then and now')
            [CompletionResult]::new('dnsbl', 'dnsbl', [CompletionResultType]::ParameterValue, 'Is this IP listed? DNSBL and allow-list look-ups, PTR and forward-confirmed rDNS')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Which of our accounts is being used as a spam relay? Postfix, Dovecot and Exim logs')
            [CompletionResult]::new('spf', 'spf', [CompletionResultType]::ParameterValue, 'Check an SPF record: the verdict for a client IP and sender, with the whole evaluation')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'From a complaint to the login that sent it: our hops, queue ids, log lines, account')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and shell completions generated from this command line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mailsleuth;help;headers' {
            break
        }
        'mailsleuth;help;auth' {
            break
        }
        'mailsleuth;help;dnsbl' {
            break
        }
        'mailsleuth;help;logs' {
            break
        }
        'mailsleuth;help;spf' {
            break
        }
        'mailsleuth;help;trace' {
            break
        }
        'mailsleuth;help;generate-docs' {
            break
        }
        'mailsleuth;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
