
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
            cand generate-docs 'Write the man pages and shell completions generated from this command line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mailsleuth;help;headers'= {
        }
        &'mailsleuth;help;generate-docs'= {
        }
        &'mailsleuth;help;help'= {
        }
    ]
    $completions[$command]
}
