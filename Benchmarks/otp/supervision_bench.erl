%% The Erlang/OTP half of the side-by-side benchmark (run.sh runs both halves).
%% Each scenario prints one line: <scenario> <n> <seconds> <rss-growth-bytes>
%%
%%   escript supervision_bench.erl start N     start N children under a simple_one_for_one
%%                                             supervisor, then shut it down
%%   escript supervision_bench.erl restart N   N restarts of a child that fails at once
%%   escript supervision_bench.erl memory N    RSS growth per idle supervised child
-module(supervision_bench).
-behaviour(supervisor).
-mode(compile).
-export([main/1, init/1, idle_start/0, crasher_start/3]).

main([Scenario, NText]) ->
    %% No crash reports: the Swift half logs to a no-op handler too.
    logger:set_primary_config(level, emergency),
    N = list_to_integer(NText),
    {Seconds, Grown} = run(Scenario, N),
    io:format("~s ~b ~f ~b~n", [Scenario, N, Seconds, Grown]);
main(_) ->
    io:format("usage: escript supervision_bench.erl start|restart|memory N~n"),
    halt(2).

%% Supervisor callbacks.
init(dynamic) ->
    {ok, {#{strategy => simple_one_for_one, intensity => 1, period => 5},
          [#{id => idle, start => {?MODULE, idle_start, []}, restart => permanent, shutdown => 5000}]}};
init({restart, N, Counter, Parent}) ->
    {ok, {#{strategy => one_for_one, intensity => N * 2, period => 3600},
          [#{id => crasher, start => {?MODULE, crasher_start, [Counter, Parent, N]}, restart => permanent}]}}.

%% A child that waits, doing nothing, until it is told to stop.
idle_start() -> {ok, spawn_link(fun idle/0)}.
idle() -> receive _ -> idle() end.

%% A child that fails at once; the N+1-th start tells the benchmark it is done.
crasher_start(Counter, Parent, N) ->
    case atomics:add_get(Counter, 1, 1) of
        Count when Count =:= N + 1 -> Parent ! done;
        _ -> ok
    end,
    {ok, spawn_link(fun() -> exit(crash) end)}.

now_ns() -> erlang:monotonic_time(nanosecond).
seconds(Start) -> (now_ns() - Start) / 1.0e9.

resident_bytes() ->
    {ok, Text} = file:read_file("/proc/self/statm"),
    [_, Resident | _] = string:lexemes(binary_to_list(Text), " \n"),
    list_to_integer(Resident) * 4096.

stop(Sup) ->
    unlink(Sup),
    Ref = monitor(process, Sup),
    exit(Sup, shutdown),
    receive {'DOWN', Ref, process, Sup, _} -> ok end.

run("start", N) ->
    Before = resident_bytes(),
    Start = now_ns(),
    {ok, Sup} = supervisor:start_link(?MODULE, dynamic),
    [{ok, _} = supervisor:start_child(Sup, []) || _ <- lists:seq(1, N)],
    Grown = resident_bytes() - Before,
    stop(Sup),
    {seconds(Start), Grown};
run("restart", N) ->
    process_flag(trap_exit, true),
    Counter = atomics:new(1, []),
    Start = now_ns(),
    {ok, Sup} = supervisor:start_link(?MODULE, {restart, N, Counter, self()}),
    receive done -> ok end,
    Seconds = seconds(Start),
    stop(Sup),
    {Seconds, 0};
run("memory", N) ->
    erlang:garbage_collect(),
    Before = resident_bytes(),
    Start = now_ns(),
    {ok, Sup} = supervisor:start_link(?MODULE, dynamic),
    [{ok, _} = supervisor:start_child(Sup, []) || _ <- lists:seq(1, N)],
    Seconds = seconds(Start),
    Grown = resident_bytes() - Before,
    stop(Sup),
    {Seconds, Grown}.
