%% The Erlang/OTP half of the side-by-side benchmark (run.sh runs both halves).
%% Each scenario prints one line: <scenario> <n> <seconds> <rss-growth-bytes>
%%
%%   escript supervision_bench.erl start N     start N children under a simple_one_for_one
%%                                             supervisor, then shut it down
%%   escript supervision_bench.erl restart N   N restarts of a child that fails at once
%%   escript supervision_bench.erl memory N    RSS growth per idle supervised child
%%   escript supervision_bench.erl tree N      N rest_for_one supervisors of three children under
%%                                             one root, started; the last child of each fails
%%                                             once and is restarted; all shut down
-module(supervision_bench).
-behaviour(supervisor).
-mode(compile).
-export([main/1, init/1, idle_start/0, crasher_start/3, tree_child_start/3]).

main([Scenario, NText]) ->
    %% No crash reports: the Swift half logs to a no-op handler too.
    logger:set_primary_config(level, emergency),
    N = list_to_integer(NText),
    {Seconds, Grown} = run(Scenario, N),
    io:format("~s ~b ~f ~b~n", [Scenario, N, Seconds, Grown]);
main(_) ->
    io:format("usage: escript supervision_bench.erl start|restart|memory|tree N~n"),
    halt(2).

%% Supervisor callbacks.
init(dynamic) ->
    {ok, {#{strategy => simple_one_for_one, intensity => 1, period => 5},
          [#{id => idle, start => {?MODULE, idle_start, []}, restart => permanent, shutdown => 5000}]}};
init(tree_root) ->
    {ok, {#{strategy => simple_one_for_one, intensity => 1, period => 5},
          [#{id => device, start => {supervisor, start_link, [?MODULE]}, restart => permanent,
             shutdown => infinity, type => supervisor}]}};
init({device, Device, Env}) ->
    {ok, {#{strategy => rest_for_one, intensity => 3, period => 60},
          [#{id => I, start => {?MODULE, tree_child_start, [I, Device, Env]}, restart => permanent, shutdown => 5000}
           || I <- [0, 1, 2]]}};
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

%% A device's child: idle, but the last one of each device, on its first start, waits for `go`
%% and fails. The 3N-th start tells the benchmark all are up, the 4N-th that all restarted.
tree_child_start(Index, Device, {Counter, Parent, N, Table}) ->
    case atomics:add_get(Counter, 1, 1) of
        Started when Started =:= 3 * N -> Parent ! started;
        Started when Started =:= 4 * N -> Parent ! done;
        _ -> ok
    end,
    case Index =:= 2 andalso ets:insert_new(Table, {Device}) of
        true ->
            Pid = spawn_link(fun() -> receive go -> exit(crash) end end),
            ets:insert(Table, {{pid, Device}, Pid}),
            {ok, Pid};
        false ->
            {ok, spawn_link(fun idle/0)}
    end.

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
run("tree", N) ->
    process_flag(trap_exit, true),
    Counter = atomics:new(1, []),
    Table = ets:new(failers, [public, set]),
    erlang:garbage_collect(),
    Before = resident_bytes(),
    Start = now_ns(),
    {ok, Root} = supervisor:start_link(?MODULE, tree_root),
    [{ok, _} = supervisor:start_child(Root, [{device, D, {Counter, self(), N, Table}}]) || D <- lists:seq(1, N)],
    receive started -> ok end,
    Grown = resident_bytes() - Before,
    [Pid ! go || {{pid, _}, Pid} <- ets:tab2list(Table)],
    receive done -> ok end,
    stop(Root),
    {seconds(Start), Grown};
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
