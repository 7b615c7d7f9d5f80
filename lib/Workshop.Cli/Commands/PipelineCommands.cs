using System.CommandLine;
using Spectre.Console;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Simulation;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>simulate, stream, lake, logs and reset: the pipeline of Task 2, from the command line.</summary>
internal static class PipelineCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Simulate());
        root.Subcommands.Add(StreamCommand());
        root.Subcommands.Add(LakeCommand());
        root.Subcommands.Add(LogsCommand());
        root.Subcommands.Add(Reset());
    }

    private static Command Simulate()
    {
        var duration = new Option<string>("--duration") { Description = "How much virtual time to run: 24h, 90m, 7d ... The default is a replay's: with --live and no --duration, the run goes on until Ctrl+C.", DefaultValueFactory = _ => "24h" }
            .LongerThanZero("366d", " (a year replays in about four minutes and fills several GB of disk; run longer replays one after the other)");
        var start = new Option<string?>("--start") { Description = "Virtual start time in UTC (ISO 8601). Default: where the workspace clock stands." };
        var seed = new Option<int>("--seed") { Description = "Seed of the simulated weather.", DefaultValueFactory = _ => 1 };
        var cities = new Option<string[]>("--cities") { Description = "Cities to poll, by name or as Name:latitude:longitude (for example Oxford:51.752:-1.2577); default London Manchester Edinburgh.", AllowMultipleArgumentsPerToken = true };
        var live = new Option<bool>("--live") { Description = "Follow the wall clock instead of replaying (stop with Ctrl+C)." };
        var speed = new Option<double>("--speed") { Description = $"With --live: how many times faster than real time, above 0 and at most {VirtualClock.MaxLiveSpeed:N0}.", DefaultValueFactory = _ => 1 }
            .AboveZero(" (1 is real time, 60 runs a minute each second)", VirtualClock.MaxLiveSpeed);
        var outage = new Option<string?>("--outage") { Description = "Replay only: a producer outage on the start's day, HH:mm-HH:mm UTC (23:30-00:30 crosses midnight): readings are kept and sent late when it ends." };
        var humidityFrom = new Option<string?>("--humidity-from") { Description = "From this UTC time (HH:mm) on the start's day, readings carry a new humidity field." };
        var command = new Command("simulate", "Replay the pipeline on the virtual clock: producer every minute, stream, delivery, lake.")
        {
            duration, start, seed, cities, live, speed, outage, humidityFrom,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Every value is checked before anything runs, whatever the mode, so a mistyped one changes nothing.
            var span = CliSession.ParseDuration(parse.GetValue(duration)!, "--duration");
            var startAt = parse.GetValue(start) is { } s ? CliSession.ParseInstant(s, start.Name) : (DateTimeOffset?)null;
            if (startAt is { } first && DateTimeOffset.MaxValue - first < span)
                throw new ArgumentException($"--start {parse.GetValue(start)} with --duration {parse.GetValue(duration)} would end after the year 9999; give an earlier --start.");
            var cityNames = parse.GetResult(cities) is not null && parse.GetValue(cities) is { } list ? list.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray() : null;
            if (cityNames is { Length: 0 })
                throw new ArgumentException($"--cities names no city; give one or more of {string.Join(", ", City.Known.Select(c => c.Name))} (or Name:latitude:longitude), or leave out --cities for {string.Join(", ", City.WorkshopDefaults.Select(c => c.Name))}.");
            if (cityNames is not null) City.Resolve(cityNames);
            if (parse.GetValue(outage) is { } outageText) ProducerOutage.Parse(outageText, DateTimeOffset.UnixEpoch, "--outage");
            if (parse.GetValue(humidityFrom) is { } fromText) ProducerOutage.ParseTimeOfDay(fromText, DateTimeOffset.UnixEpoch, "--humidity-from");
            // Then the options the chosen mode has no use for: refused, not quietly ignored.
            if (parse.GetValue(live))
            {
                if (parse.GetValue(outage) is not null)
                    throw new ArgumentException("--outage is for a replay only: the producer keeps an outage's readings until it ends, and a live run stopped before then would lose them. Leave out --live to replay the day with the outage, or leave out --outage.");
                return await RunLiveAsync(parse, parse.GetValue(speed), parse.GetResult(duration) is { Implicit: false } ? span : null, startAt,
                    o => o with { Seed = parse.GetValue(seed), Cities = cityNames }, parse.GetValue(humidityFrom), cancellationToken);
            }
            if (parse.GetResult(speed) is { Implicit: false })
                throw new ArgumentException($"--speed {parse.GetResult(speed)!.Tokens[^1].Value} is for a live run only: a replay runs as fast as it can. Add --live to follow the wall clock at that speed, or leave out --speed.");
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken,
                o => o with { Seed = parse.GetValue(seed), Cities = cityNames });
            if (session.Local?.Faults.Plan is { IsEmpty: false } faults)
                Terminal.Tell($"Faults on for this replay: {string.Join(", ", faults.Describe().Select(f => f.Fault))} ('workshop chaos list' says what each does; 'workshop chaos clear' switches them off).");
            var day = startAt ?? session.Clock.GetUtcNow();
            var scenario = new ProducerScenario
            {
                Outage = parse.GetValue(outage) is { } window ? ProducerOutage.Parse(window, day, "--outage") : null,
                HumidityFrom = parse.GetValue(humidityFrom) is { } from ? ProducerOutage.ParseTimeOfDay(from, day, "--humidity-from") : null,
            };
            // Said, not refused: a replay resumed part-way may rightly pass an outage it already went through.
            if (scenario.Outage is { } held && (held.To <= day || held.From >= day + span))
                Terminal.Tell($"Note: the outage from {held} falls outside this replay ({day.UtcDateTime:yyyy-MM-dd HH:mm} to {(day + span).UtcDateTime:yyyy-MM-dd HH:mm} UTC), so the producer holds nothing back; give --start on the outage's day to replay it.");

            SimulationReport report = null!;
            await Terminal.Progress.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var bar = context.AddTask("Simulating", maxValue: 1.0);
                    var progress = new Progress<SimulationProgress>(p =>
                    {
                        bar.Value = p.Fraction;
                        bar.Description = $"Simulating {p.Now:yyyy-MM-dd HH:mm} UTC";
                    });
                    report = await session.SimulateAsync(span, startAt, scenario, progress, cancellationToken);
                    bar.Value = 1.0;
                });

            if (report.AlreadyComplete)
                AnsiConsole.MarkupLineInterpolated($"This workspace already holds the simulation from {report.Start:u} to {report.End:u}; nothing to do. ('workshop reset' starts again.)");
            else
                Summarise(report);
            AnsiConsole.WriteLine();
            var tree = await session.BrowseLakeAsync("weather-data/", cancellationToken: cancellationToken);
            Terminal.Show(tree);
            return 0;
        });
        return command;
    }

    private static async Task<int> RunLiveAsync(ParseResult parse, double speed, TimeSpan? duration, DateTimeOffset? startAt,
        Func<WorkshopOptions, WorkshopOptions> configure, string? humidityFrom, CancellationToken cancellationToken)
    {
        await using var session = await CliSession.ConnectAsync(parse, cancellationToken, configure);
        var day = startAt ?? session.Clock.GetUtcNow();
        var scenario = humidityFrom is null ? null : new ProducerScenario { HumidityFrom = ProducerOutage.ParseTimeOfDay(humidityFrom, day, "--humidity-from") };
        var run = session.StartLive(speed, duration, startAt, scenario);
        // Plain lines, never wrapped: a script or a log file gets each one whole.
        Console.Out.WriteLine($"Live from {day:u} at {speed.ToString(System.Globalization.CultureInfo.InvariantCulture)}x real time{(duration is { } d ? $" for {d}" : "")}. Ctrl+C stops.");
        var shown = 0;
        using var registration = cancellationToken.Register(() => _ = run.StopAsync());
        while (run.IsRunning)
        {
            await Task.Delay(200, CancellationToken.None);
            foreach (var line in run.Events.Skip(shown)) { Console.Out.WriteLine(line); shown++; }
        }
        var report = await run.Completion;
        foreach (var line in run.Events.Skip(shown)) Console.Out.WriteLine(line);
        Console.Out.WriteLine($"Stopped at {report.To:u}: {report.Invocations} invocation(s), {report.RecordsPut} reading(s) put, {report.RecordsDelivered} delivered in {report.ObjectsWritten} object(s).");
        return 0;
    }

    private static void Summarise(SimulationReport report)
    {
        var table = new Table().AddColumns("", "");
        table.HideHeaders();
        // The notebook's rows, so the two say the same; each span fits the value column of an 80-column terminal.
        foreach (var (name, value) in report.Rows) table.AddRow(Markup.Escape(name), Markup.Escape(value));
        AnsiConsole.Write(table);
    }

    private static Command StreamCommand()
    {
        var streamOption = new Option<string?>("--stream") { Description = "Stream name (default: the workshop's stream)." };
        var describe = new Command("describe", "Show the stream's summary and shards.") { streamOption };
        describe.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var view = await session.DescribeStreamAsync(parse.GetValue(streamOption), cancellationToken);
            Terminal.Show(view);
            return 0;
        });

        var shard = new Option<string?>("--shard") { Description = "Shard id (default: the first shard)." };
        var from = StartingPositionOption("Where to start reading.");
        var timestamp = new Option<string?>("--timestamp") { Description = "With --from at-timestamp: the time to start at (default 15 minutes ago on the clock)." };
        var sequenceNumber = new Option<string?>("--sequence-number") { Description = "With --from at-sequence-number or after-sequence-number: a record's sequence number, as peek shows it." };
        var limit = new Option<int>("--limit") { Description = "Most records to show (1 to 10,000).", DefaultValueFactory = _ => 10 }.WithRange(1, 10_000);
        var peek = new Command("peek", "Show records as the console's data viewer does.") { streamOption, shard, from, timestamp, sequenceNumber, limit };
        peek.SetAction(async (parse, cancellationToken) =>
        {
            var type = IteratorTypeOf(parse.GetValue(from)!);
            var at = parse.GetValue(timestamp) is { } t ? CliSession.ParseInstant(t, timestamp.Name) : (DateTimeOffset?)null;
            if (type is ShardIteratorType.AT_SEQUENCE_NUMBER or ShardIteratorType.AFTER_SEQUENCE_NUMBER && parse.GetValue(sequenceNumber) is null)
                throw new ArgumentException($"--from {parse.GetValue(from)} needs --sequence-number: give a record's sequence number, as 'workshop stream peek' shows it.");
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var view = await session.PeekAsync(type, parse.GetValue(limit), parse.GetValue(shard), at, parse.GetValue(streamOption), parse.GetValue(sequenceNumber), cancellationToken);
            Terminal.Show(view);
            return 0;
        });

        var partitionKey = new Option<string>("--partition-key") { Description = "Partition key (with --count above 1, a number is added to it).", DefaultValueFactory = _ => "cli" };
        var data = new Option<string>("--data") { Description = "The record's data as text.", Required = true };
        var count = new Option<int>("--count") { Description = "How many records to put (in PutRecords batches of 500).", DefaultValueFactory = _ => 1 }.WithRange(1, MaxPutCount);
        var noRetry = new Option<bool>("--no-retry") { Description = "Send each batch once: records a shard refuses are counted as failed, not retried with backoff." };
        var put = new Command("put", "Put records on the stream by hand.") { streamOption, partitionKey, data, count, noRetry };
        put.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var name = await session.StreamNameAsync(parse.GetValue(streamOption), cancellationToken);
            var text = parse.GetValue(data)!;
            var total = parse.GetValue(count);
            if (total == 1)
            {
                var result = await session.Stream.PutRecordAsync(name, System.Text.Encoding.UTF8.GetBytes(text), parse.GetValue(partitionKey)!, cancellationToken: cancellationToken);
                Console.Out.WriteLine($"{result.ShardId} {result.SequenceNumber}");
                return 0;
            }
            // The data goes as given, one copy shared by every record; only the partition key carries the counter, so the
            // records spread over the shards.
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            var entries = Enumerable.Range(0, total).Select(i => new PutRecordsEntry(bytes, $"{parse.GetValue(partitionKey)}{i}")).ToArray();
            var outcome = await PutWithBackoffAsync(session, name, entries, parse.GetValue(noRetry) ? 1 : PutAttempts, cancellationToken);
            Console.Out.WriteLine($"Put {total - outcome.Failed:N0} record(s); {outcome.Failed:N0} failed.");
            if (outcome.Failed == 0)
            {
                if (outcome.Retried > 0)
                    Terminal.Tell($"{outcome.Retried:N0} record(s) refused at first with {string.Join(", ", outcome.FirstErrors)} "
                        + $"({ShardWriteLimit}) were put on a retry after backing off {outcome.Waited.TotalSeconds:0.0#} s.");
                return 0;
            }
            var throttled = outcome.FinalErrors.Keys.SequenceEqual([nameof(ProvisionedThroughputExceededException)]);
            var summary = await session.Stream.DescribeStreamSummaryAsync(name, cancellationToken);
            // An on-demand stream takes no reshard: it adds shards by itself as the writes grow.
            var moreShards = summary.StreamModeDetails == StreamModes.OnDemand ? "" : $"add shards ('workshop stream reshard --shards {summary.OpenShardCount * 2}'), ";
            Terminal.Tell(throttled
                ? $"Error: {outcome.Failed:N0} record(s) refused with {nameof(ProvisionedThroughputExceededException)}"
                    + (outcome.Attempts > 1 ? $" after {outcome.Attempts} attempts" : "")
                    + $": {ShardWriteLimit}. Put fewer records a second, {moreShards}or put them again in the next second"
                    + (outcome.Attempts > 1 ? "." : " (leave out --no-retry to retry them with backoff).")
                : $"Error: {outcome.Failed:N0} record(s) failed: {string.Join(", ", outcome.FinalErrors.Select(e => $"{e.Key} x{e.Value:N0}"))}. Put them again; 'workshop stream describe' shows the stream's state.");
            return 1;
        });

        var shards = new Option<int>("--shards") { Description = "Number of shards.", DefaultValueFactory = _ => 1 };
        var onDemand = new Option<bool>("--on-demand") { Description = $"Create it in ON_DEMAND capacity mode: no shard count, it starts with {StreamModes.OnDemandInitialShards} shards." };
        // Its own --stream: the new stream has no default name, so it must be given.
        var newStream = new Option<string>("--stream") { Description = "The new stream's name.", Required = true };
        var create = new Command("create", "Create a stream.") { newStream, shards, onDemand };
        create.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var name = parse.GetValue(newStream)!;
            if (parse.GetValue(onDemand))
            {
                if (parse.GetResult(shards) is { Implicit: false })
                    throw new ArgumentException("--on-demand takes no --shards: an on-demand stream's shards are managed for it. Leave out one of the two.");
                await session.Stream.CreateOnDemandStreamAsync(name, cancellationToken: cancellationToken);
                Console.Out.WriteLine($"Created {name} in ON_DEMAND mode with {StreamModes.OnDemandInitialShards} shards.");
                return 0;
            }
            await session.Stream.CreateStreamAsync(name, parse.GetValue(shards), cancellationToken: cancellationToken);
            Console.Out.WriteLine($"Created {name} with {parse.GetValue(shards)} shard(s).");
            return 0;
        });

        var target = new Option<int>("--shards") { Description = "The open shard count to scale to (UpdateShardCount, uniform scaling).", Required = true }.WithRange(1);
        var reshard = new Command("reshard", "Scale the stream to a number of equal shards.") { streamOption, target };
        reshard.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.ReshardAsync(parse.GetValue(target), parse.GetValue(streamOption), cancellationToken));
            return 0;
        });

        var shardToSplit = new Option<string>("--shard") { Description = "The open shard to split, as 'stream describe' lists it.", Required = true };
        var hashKey = new Option<string?>("--hash-key") { Description = "Where the second child's hash keys start (default: the middle of the shard's range)." };
        var split = new Command("split", "Split one shard into two (SplitShard).") { streamOption, shardToSplit, hashKey };
        split.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.SplitShardAsync(parse.GetValue(shardToSplit)!, parse.GetValue(hashKey), parse.GetValue(streamOption), cancellationToken));
            return 0;
        });

        var shardToMerge = new Option<string>("--shard") { Description = "One open shard to merge.", Required = true };
        var adjacent = new Option<string>("--adjacent") { Description = "The open shard whose hash keys are next to --shard's.", Required = true };
        var merge = new Command("merge", "Merge two neighbouring shards into one (MergeShards).") { streamOption, shardToMerge, adjacent };
        merge.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.MergeShardsAsync(parse.GetValue(shardToMerge)!, parse.GetValue(adjacent)!, parse.GetValue(streamOption), cancellationToken));
            return 0;
        });

        return new Command("stream", "Look at the Kinesis-style stream.") { describe, peek, put, create, reshard, split, merge, ConsumersCommand(streamOption), SubscribeCommand(streamOption), ModeCommand(streamOption) };
    }

    private const int PutAttempts = 8;

    /// <summary>The most records one `stream put` makes: a lab's worth, well inside the machine's memory.</summary>
    private const int MaxPutCount = 1_000_000;

    private static readonly string ShardWriteLimit =
        $"a shard takes {LocalStreamService.ShardWriteRecordsPerSecond:N0} records and {LocalStreamService.ShardWriteBytesPerSecond / (1024 * 1024)} MiB a second";

    private sealed record PutOutcome(int Failed, int Retried, int Attempts, TimeSpan Waited, IReadOnlyList<string> FirstErrors, IReadOnlyDictionary<string, int> FinalErrors);

    /// <summary>
    /// PutRecords in batches of 500, resending only the entries that failed (as a producer should: resending a whole batch
    /// puts the others twice) after 100 ms, 200 ms, 400 ms ... up to <paramref name="attempts"/> sends. Locally the wait moves
    /// the workspace's virtual clock, whose seconds the shards' allowance counts; on AWS it waits on the wall clock.
    /// </summary>
    private static async Task<PutOutcome> PutWithBackoffAsync(WorkshopSession session, string stream, IReadOnlyList<PutRecordsEntry> entries, int attempts, CancellationToken cancellationToken)
    {
        int failed = 0, retried = 0, mostAttempts = 0;
        var waited = TimeSpan.Zero;
        var firstErrors = new SortedSet<string>(StringComparer.Ordinal);
        var finalErrors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var chunk in entries.Chunk(LocalStreamService.MaxRecordsPerPutRecords))
            {
                cancellationToken.ThrowIfCancellationRequested();
                IReadOnlyList<PutRecordsEntry> pending = chunk;
                PutRecordsResult? last = null;
                var attempt = 0;
                for (; attempt < attempts && pending.Count > 0; attempt++)
                {
                    if (attempt > 0)
                    {
                        var pause = TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt - 1));
                        await session.Stages.PauseAsync(pause, cancellationToken);
                        waited += pause;
                    }
                    last = await session.Stream.PutRecordsAsync(stream, pending, cancellationToken);
                    var sent = pending;
                    pending = last.FailedRecordCount == 0 ? [] : sent.Where((_, i) => !last.Records[i].Succeeded).ToArray();
                    if (attempt == 0)
                    {
                        retried += pending.Count;
                        foreach (var entry in last.Records.Where(r => !r.Succeeded)) firstErrors.Add(entry.ErrorCode!);
                    }
                }
                mostAttempts = Math.Max(mostAttempts, attempt);
                failed += pending.Count;
                if (pending.Count > 0 && last is not null)
                    foreach (var entry in last.Records.Where(r => !r.Succeeded))
                        finalErrors[entry.ErrorCode!] = finalErrors.GetValueOrDefault(entry.ErrorCode!) + 1;
            }
        }
        finally
        {
            // The records already put carry the times the waits moved the clock to, whatever stopped the loop.
            if (waited > TimeSpan.Zero) session.Clock.Save();
        }
        return new PutOutcome(failed, retried, mostAttempts, waited, [.. firstErrors], finalErrors);
    }

    private static Command ConsumersCommand(Option<string?> streamOption)
    {
        var list = new Command("list", "List the stream's enhanced fan-out consumers (ListStreamConsumers).") { streamOption };
        list.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.ListConsumersAsync(parse.GetValue(streamOption), cancellationToken));
            return 0;
        });

        Command WithName(string verb, string description, Func<WorkshopSession, string, string?, CancellationToken, Task<ConsumerListView>> run)
        {
            var name = new Option<string>("--name") { Description = "The consumer's name (letters, digits, _ . -; up to 128).", Required = true };
            var command = new Command(verb, description) { streamOption, name };
            command.SetAction(async (parse, cancellationToken) =>
            {
                await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
                Terminal.Show(await run(session, parse.GetValue(name)!, parse.GetValue(streamOption), cancellationToken));
                return 0;
            });
            return command;
        }

        return new Command("consumers", "Enhanced fan-out consumers: readers with their own 2 MiB/s per shard.")
        {
            list,
            WithName("register", "Register a consumer (RegisterStreamConsumer).", (s, n, stream, c) => s.RegisterConsumerAsync(n, stream, c)),
            WithName("describe", "Show one consumer's status and ARN (DescribeStreamConsumer).", (s, n, stream, c) => s.DescribeConsumerAsync(n, stream, c)),
            WithName("deregister", "Deregister a consumer (DeregisterStreamConsumer).", (s, n, stream, c) => s.DeregisterConsumerAsync(n, stream, c)),
        };
    }

    private static Command SubscribeCommand(Option<string?> streamOption)
    {
        var consumer = new Option<string>("--consumer") { Description = "A registered consumer's name, as 'stream consumers list' shows it.", Required = true };
        var shard = new Option<string?>("--shard") { Description = "Shard id (default: the first open shard)." };
        var from = StartingPositionOption("Where the subscription starts.");
        var timestamp = new Option<string?>("--timestamp") { Description = "With --from at-timestamp: the time to start at." };
        var sequenceNumber = new Option<string?>("--sequence-number") { Description = "With --from at-sequence-number or after-sequence-number: a sequence number, such as an event's continuation." };
        var events = new Option<int>("--events") { Description = "Most events to show (1 to 300; one a second of the clock).", DefaultValueFactory = _ => 10 }.WithRange(1, 300);
        var subscribe = new Command("subscribe", "Push a shard's records to a consumer (SubscribeToShard) and print the events.") { streamOption, consumer, shard, from, timestamp, sequenceNumber, events };
        subscribe.SetAction(async (parse, cancellationToken) =>
        {
            var type = IteratorTypeOf(parse.GetValue(from)!);
            if (type is ShardIteratorType.AT_SEQUENCE_NUMBER or ShardIteratorType.AFTER_SEQUENCE_NUMBER && parse.GetValue(sequenceNumber) is null)
                throw new ArgumentException($"--from {parse.GetValue(from)} needs --sequence-number: give a sequence number, such as the continuation an earlier subscription printed.");
            if (type is ShardIteratorType.AT_TIMESTAMP && parse.GetValue(timestamp) is null)
                throw new ArgumentException("--from at-timestamp needs --timestamp, for example --timestamp 2025-01-14T09:00:00Z.");
            var at = parse.GetValue(timestamp) is { } t ? CliSession.ParseInstant(t, timestamp.Name) : (DateTimeOffset?)null;
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var position = new StartingPosition(type, parse.GetValue(sequenceNumber), type == ShardIteratorType.AT_TIMESTAMP ? at : null);
            Terminal.Show(await session.SubscribeAsync(parse.GetValue(consumer)!, parse.GetValue(shard), position, parse.GetValue(events), parse.GetValue(streamOption), cancellationToken));
            return 0;
        });
        return subscribe;
    }

    private static Command ModeCommand(Option<string?> streamOption)
    {
        var mode = new Argument<string>("mode") { Description = "on-demand (Kinesis manages the shards) or provisioned (you choose the shard count)." };
        mode.AcceptOnlyFromAmong("on-demand", "provisioned");
        var command = new Command("mode", "Switch the stream's capacity mode (UpdateStreamMode; twice in 24 hours at most).") { streamOption, mode };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var streamMode = parse.GetValue(mode) == "on-demand" ? StreamModes.OnDemand : StreamModes.Provisioned;
            Terminal.Show(await session.SetStreamModeAsync(streamMode, parse.GetValue(streamOption), cancellationToken));
            return 0;
        });
        return command;
    }

    private static Command LakeCommand()
    {
        var bucket = new Option<string?>("--bucket") { Description = "Bucket (default: the workshop's data lake)." };
        var prefix = new Argument<string?>("prefix") { Description = "Folder to list, for example weather-data/location=London/, or an s3://bucket/prefix URI.", Arity = ArgumentArity.ZeroOrOne };
        var keysOnly = new Option<bool>("--keys") { Description = "Print every object's full key, one a line, instead of the tree (for scripts and 'lake cat')." };
        var ls = new Command("ls", "List the lake as a folder tree; objects show the full key 'lake cat' takes.") { prefix, bucket, keysOnly };
        ls.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            if (parse.GetValue(keysOnly))
            {
                var (named, under) = WorkshopSession.SplitS3Uri(parse.GetValue(prefix), parse.GetValue(bucket));
                var listed = await session.LakeBucketAsync(named, cancellationToken);
                await foreach (var item in session.Lake.ListAllAsync(listed, under ?? "", cancellationToken))
                    Console.Out.WriteLine(item.Key);
                return 0;
            }
            var view = await session.BrowseLakeAsync(parse.GetValue(prefix), parse.GetValue(bucket), cancellationToken);
            Terminal.Show(view);
            if (view.LeavesObjectsOut)
            {
                var everyKey = string.Join(' ', new[] { "workshop lake ls --keys", view.Prefix, parse.GetValue(bucket) is { } named ? $"--bucket {named}" : "" }.Where(part => part.Length > 0));
                Terminal.Tell($"Each folder lists its first {BucketTreeView.ObjectsShown} objects; '{everyKey}' prints every key.");
            }
            return 0;
        });

        var key = new Argument<string>("key") { Description = "The object's key, or its s3://bucket/key URI." };
        var cat = new Command("cat", "Print an object's lines (gzip objects are decompressed).") { key, bucket };
        cat.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var (named, objectKey) = WorkshopSession.SplitS3Uri(parse.GetValue(key), parse.GetValue(bucket));
            var bucketName = await session.LakeBucketAsync(named, cancellationToken);
            var stored = await session.Lake.GetObjectAsync(bucketName, objectKey!, cancellationToken);
            if (LocalObjectStore.IsParquet(stored.Content.Span))
                throw new ArgumentException($"'{objectKey}' is a Parquet file: columns in binary, not lines of text. Query it through its table instead, "
                    + $"{await ParquetTableHintAsync(session, bucketName, objectKey!, cancellationToken)}");
            foreach (var line in LocalObjectStore.ReadLines(stored)) Console.Out.WriteLine(line);
            return 0;
        });

        var cost = new Command("cost", "Lifecycle rules and the monthly storage-cost estimate per storage class.") { bucket };
        cost.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.LifecycleRulesAsync(parse.GetValue(bucket), cancellationToken));
            Terminal.Show(await session.StorageCostAsync(parse.GetValue(bucket), cancellationToken));
            return 0;
        });

        return new Command("lake", "Browse the S3-style data lake.") { ls, cat, cost };
    }

    /// <summary>The query that reads a Parquet object: through the catalog table whose location holds it, when there is one.</summary>
    private static async Task<string> ParquetTableHintAsync(WorkshopSession session, string bucket, string key, CancellationToken cancellationToken)
    {
        var uri = $"s3://{bucket}/{key}";
        try
        {
            var tables = await session.Stages.Catalog.GetTablesAsync(session.Names.Database, cancellationToken);
            if (tables.FirstOrDefault(t => t.Location is { Length: > 0 } location && uri.StartsWith(location.TrimEnd('/') + "/", StringComparison.Ordinal)) is { } table)
                return $"for example: workshop query \"SELECT * FROM {table.Name} LIMIT 10\"";
        }
        catch (ServiceException)
        {
            // No catalog to look in: the general advice below still holds.
        }
        return "made with a crawl or a CREATE TABLE over its folder ('workshop catalog tables' lists the tables there are).";
    }

    private static Command LogsCommand()
    {
        var limit = new Option<int>("--limit") { Description = "How many of the newest log events to show (1 to 10,000).", DefaultValueFactory = _ => 30 }.WithRange(1, 10_000);
        var producer = new Command("producer", "Show the producer function's log (START, readings, END, REPORT).") { limit };
        producer.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Producer.LogsAsync(parse.GetValue(limit), cancellationToken));
            return 0;
        });
        return new Command("logs", "Read CloudWatch-style logs.") { producer };
    }

    private static Command Reset()
    {
        var command = new Command("reset", "Delete the local workspace (stream, lake, catalog, clock) to start afresh.");
        command.SetAction(parse =>
        {
            var root = Path.GetFullPath(parse.GetValue(CliSession.WorkspaceOption) ?? WorkspaceDirectory.LocateRoot());
            // Opening a workspace makes it; a mistyped --workspace, or a second reset, finds nothing and says so.
            if (!Directory.Exists(root))
            {
                AnsiConsole.MarkupLineInterpolated($"There is no workspace at {root}; nothing was removed.");
                return 0;
            }
            var workspace = new WorkspaceDirectory(root);
            workspace.Delete();
            AnsiConsole.MarkupLineInterpolated($"Removed the workspace {workspace.Root}.");
            return 0;
        });
        return command;
    }

    private static readonly string[] StartingPositions = ["trim-horizon", "latest", "at-timestamp", "at-sequence-number", "after-sequence-number"];

    /// <summary>
    /// --from: one of Kinesis's five iterator types, written as the CLI writes them (trim-horizon, ...) or as Kinesis
    /// names them (TRIM_HORIZON, ...), since the notebooks and the AWS documentation use the latter.
    /// </summary>
    private static Option<string> StartingPositionOption(string description)
    {
        var from = new Option<string>("--from")
        {
            Description = $"{description} One of {string.Join(", ", StartingPositions[..^1])} or {StartingPositions[^1]}; "
                + "Kinesis's names (TRIM_HORIZON, AT_TIMESTAMP, ...) work too.",
            DefaultValueFactory = _ => "trim-horizon",
            HelpName = "position",
        };
        from.CompletionSources.Add(StartingPositions);
        from.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.Tokens[^1].Value is var text && !StartingPositions.Contains(StartingPositionOf(text)))
                result.AddError($"'{text}' is not a starting position; give one of {string.Join(", ", StartingPositions)}");
        });
        return from;
    }

    /// <summary>TRIM_HORIZON and Trim-Horizon read as trim-horizon.</summary>
    private static string StartingPositionOf(string text) => text.Trim().Replace('_', '-').ToLowerInvariant();

    private static ShardIteratorType IteratorTypeOf(string from) => StartingPositionOf(from) switch
    {
        "latest" => ShardIteratorType.LATEST,
        "at-timestamp" => ShardIteratorType.AT_TIMESTAMP,
        "at-sequence-number" => ShardIteratorType.AT_SEQUENCE_NUMBER,
        "after-sequence-number" => ShardIteratorType.AFTER_SEQUENCE_NUMBER,
        _ => ShardIteratorType.TRIM_HORIZON,
    };
}
