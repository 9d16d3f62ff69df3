function __silvasonic-controller_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __silvasonic-controller_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __silvasonic-controller_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __silvasonic-controller_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __silvasonic-controller_parse_tokens -S
    set -l unparsed_tokens (__silvasonic-controller_tokens -pc)
    switch $unparsed_tokens[1]
    case 'silvasonic-controller'
        __silvasonic-controller_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __silvasonic-controller_parse_subcommand 0 'version' 'h/help'
        case 'check'
            __silvasonic-controller_parse_subcommand 0 'timeout=' 'version' 'h/help'
        case 'scan'
            __silvasonic-controller_parse_subcommand 0 'json' 'version' 'h/help'
        case 'status'
            __silvasonic-controller_parse_subcommand 0 'url=' 'json' 'watch' 'token=' 'version' 'h/help'
        case 'ctl'
            __silvasonic-controller_parse_subcommand 2 'tail=' 'url=' 'token=' 'version' 'h/help'
        case 'healthcheck'
            __silvasonic-controller_parse_subcommand 0 'url=' 'timeout=' 'version' 'h/help'
        case 'down'
            __silvasonic-controller_parse_subcommand 0 'timeout=' 'force' 'url=' 'token=' 'version' 'h/help'
        case 'simulate'
            __silvasonic-controller_parse_subcommand 0 'devices=' 'scenario=' 'backends=' 'events=' 'companions' 'no-companions' 'engine-latency-ms=' 'failure-rate=' 'steady-seconds=' 'json' 'version' 'h/help'
        case 'help'
            __silvasonic-controller_parse_subcommand -r 1 'version'
        end
    end
end

function __silvasonic-controller_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __silvasonic-controller_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __silvasonic-controller_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __silvasonic-controller_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__silvasonic-controller_tokens -p)
    if test -z "$(__silvasonic-controller_tokens -t)"
        set -l index (count (__silvasonic-controller_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'silvasonic-controller' -f
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'run' -d 'Run the controller: one recorder container per enrolled USB microphone, kept alive.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'check' -d 'Validate the settings, the profile and defaults files, and reach each backend.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'scan' -d 'List the USB audio devices present (id, name, VID:PID, serial, bus path, ALSA device).'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'status' -d 'Show the running controller\'s supervision tree: states, restarts, failures.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'ctl' -d 'Start, stop or restart a Tier 2 container, or show its logs or status, through the running controller.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'healthcheck' -d 'Exit 0 when the running controller is live (GET /healthy), 1 otherwise.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'down' -d 'Stop every Tier 2 container of this controller\'s owner gracefully, with progress.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'simulate' -d 'Drive the controller\'s tree with simulated microphones and an in-memory engine; print figures.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller run" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller check" timeout' -l 'timeout' -d 'Seconds each backend gets to answer.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller check" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller scan" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller scan" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller scan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller status" url' -l 'url' -d 'The controller\'s address.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller status" json' -l 'json' -d 'Print the JSON as the controller sends it.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller status" watch' -l 'watch' -d 'Refresh every two seconds until Ctrl-C, with the time; waits for a controller that is not up.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller status" token' -l 'token' -d 'The API token, needed when the controller has one (default: SILVASONIC_CONTROLLER_API_TOKEN).' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller status" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_positional "silvasonic-controller ctl" -eq 1' -fka 'start stop restart logs status stand-down resume'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller ctl" tail' -l 'tail' -d 'Log lines to show (logs), from 1 to 10000.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller ctl" url' -l 'url' -d 'The controller\'s address.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller ctl" token' -l 'token' -d 'The API token (default: SILVASONIC_CONTROLLER_API_TOKEN).' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller ctl" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller ctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller healthcheck" url' -l 'url' -d 'The controller\'s address.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller healthcheck" timeout' -l 'timeout' -d 'Seconds to wait for the answer.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller healthcheck" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller healthcheck" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller down" timeout' -l 'timeout' -d 'Seconds each container gets to stop before it is killed.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller down" force' -l 'force' -d 'With a controller running: ask it to stand down (it stops its recorders and starts none until `ctl resume` or its restart) instead of refusing.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller down" url' -l 'url' -d 'Where a running controller would answer.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller down" token' -l 'token' -d 'The API token for --force (default: SILVASONIC_CONTROLLER_API_TOKEN).' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller down" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller down" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" devices' -l 'devices' -d 'How many microphones.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" scenario' -l 'scenario' -d 'plug, steady, crash-storm, flapping, nudge-storm, outage or events.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" backends' -l 'backends' -d 'in-memory, or real: the PostgreSQL, Redis and Podman the SILVASONIC_* settings name.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" events' -l 'events' -d 'Plugs and crashes measured one at a time by the events scenario.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" companions' -l 'companions' -d 'Each recorder\'s heartbeat watch and log follower, on an in-memory Redis.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" no-companions' -l 'no-companions' -d 'Each recorder\'s heartbeat watch and log follower, on an in-memory Redis.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" engine-latency-ms' -l 'engine-latency-ms' -d 'Milliseconds each container create and start takes in the engine.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" failure-rate' -l 'failure-rate' -d 'Share of creates and starts that fail (0...1).' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" steady-seconds' -l 'steady-seconds' -d 'Seconds of idle measured by the steady scenario.' -rfka ''
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" json' -l 'json' -d 'Print the figures as JSON (for docs/performance.md) instead of a table.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" version' -l 'version' -d 'Show the version.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller simulate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'silvasonic-controller' -n '__silvasonic-controller_should_offer_completions_for_flags_or_options "silvasonic-controller help" version' -l 'version' -d 'Show the version.'
