using System.CommandLine;
using System.Diagnostics;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench pipeline`: put, get and producer-to-lake throughput of the local backend, measured in one run on the wall
/// clock (so the per-shard write and read limits apply as on the service) and on the kit's clock, each against its floor:
/// the same objects that run's delivery wrote, gzipped at its level and written as plain files by one loop.
/// </summary>
internal static class PipelineBench
{
    public static void AddTo(RootCommand root)
    {
        var records = new Option<int>("--records") { Description = "Records per phase.", DefaultValueFactory = _ => 500_000 }.WithRange(1_000);
        var shards = new Option<int>("--shards") { Description = "Shards of the bench streams (each takes 1,000 records/s).", DefaultValueFactory = _ => 500 }.WithRange(1, LocalStreamService.MaxShardsPerStream);
        var cities = new Option<int>("--cities") { Description = "Distinct cities (partition keys and lake partitions).", DefaultValueFactory = _ => 1000 }.WithRange(1, 100_000);
        var json = BenchReport.JsonOption();
        var command = new Command("pipeline", "Measure put, get and producer-to-lake records per second against the floor: the same objects written as plain gzip files.") { records, shards, cities, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var folder = Directory.CreateTempSubdirectory("workshop-bench-").FullName;
            try
            {
                await RunAsync(folder, parse.GetValue(records), parse.GetValue(shards), parse.GetValue(cities), jsonPath, cancellationToken);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
        SimulateBench.AddTo(root);
    }

    private static async Task RunAsync(string folder, int total, int shardCount, int cityCount, string? jsonPath, CancellationToken cancellationToken)
    {
        var report = new BenchReport("pipeline");
        var workspace = new WorkspaceDirectory(Path.Combine(folder, "workspace"));
        // As in a replay: whole-file writes take files made ahead on a background thread.
        using var spareFiles = workspace.MakeTemporaryFilesAhead();
        var clock = TimeProvider.System;
        var towns = Enumerable.Range(0, cityCount).Select(i => new City($"Town{i:D5}", 50 + i % 8, -5 + i % 7)).ToArray();
        var weather = new SimulatedWeatherSource(1);
        var start = clock.GetUtcNow();
        var entries = Enumerable.Range(0, total).Select(i =>
        {
            var reading = weather.Read(towns[i % cityCount], start.AddMinutes(i / cityCount));
            return new PutRecordsEntry(reading.ToJson(), reading.City);
        }).ToArray();
        var bytes = entries.Sum(e => (long)e.Data.Length);
        Terminal.Tell($"{total:N0} records of {bytes / (double)total:F0} bytes on average, {shardCount} shards, {cityCount:N0} cities, {Environment.ProcessorCount} cores.");

        using var stream = new LocalStreamService(workspace, clock);
        var lake = new LocalObjectStore(workspace, clock);

        // Put: PutRecords in batches of 500, retrying records the shards throttle, as a producer should.
        await stream.CreateStreamAsync("bench-put", shardCount, cancellationToken: cancellationToken);
        var watch = Stopwatch.StartNew();
        var throttled = await PutAllAsync(stream, "bench-put", entries, cancellationToken);
        var put = watch.Elapsed;

        // Get: every shard from TRIM_HORIZON in GetRecords calls of 10,000, within the shards' read limits.
        watch.Restart();
        var (read, refusedReads) = await ReadAllAsync(stream, "bench-put", token => Task.Delay(ReadLimitWait, token), cancellationToken);
        var get = watch.Elapsed;
        if (read != total) throw new InvalidOperationException($"The get phase read {read:N0} records, not {total:N0}.");

        // Producer to lake: the batched producer and the delivery stream running side by side.
        var (producer, delivery) = await EndToEndAsync(workspace, clock, stream, lake, weather, towns, shardCount, cancellationToken);
        using var closing = delivery;
        watch.Restart();
        long produced = 0, producerFailures = 0;
        var producing = Task.Run(async () =>
        {
            // Invocations until the lake has as many records as the other phases; throttled cities count as failed, as in the Lambda.
            while (Interlocked.Read(ref produced) < total)
            {
                var summary = await producer.InvokeBatchedAsync(cancellationToken);
                Interlocked.Add(ref produced, summary.Processed);
                producerFailures += summary.FailedCities.Count;
            }
        }, cancellationToken);
        // Each shard is read at most five times a second, the GetRecords limit of a Kinesis shard: the delivery sleeps
        // out the rest of each 200 ms while the producer runs (on the service it would be refused), and the time it
        // slept is reported, so the pacing is seen, not hidden in the throughput.
        var pacing = TimeSpan.FromMilliseconds(200);
        var slept = TimeSpan.Zero;
        while (!producing.IsCompleted || delivery.Metrics.IncomingRecords < Interlocked.Read(ref produced))
        {
            var pollStarted = Stopwatch.GetTimestamp();
            await delivery.PollAsync(cancellationToken);
            var rest = pacing - Stopwatch.GetElapsedTime(pollStarted);
            if (rest > TimeSpan.Zero && !producing.IsCompleted)
            {
                await Task.Delay(rest, cancellationToken);
                slept += rest;
            }
        }
        await producing;
        var drained = watch.Elapsed;
        await delivery.FlushAllAsync(cancellationToken);
        var endToEnd = watch.Elapsed;
        var delivered = delivery.Metrics.DeliveredRecords;

        // Producer to lake again, on the kit's clock: the same calls, limits and objects, the clock moved one second after
        // each invocation instead of waited for. On the wall clock the write limit (1,000 records a second per shard)
        // caps the path below what the kit can do; here only the kit's own work takes time.
        var (unpaced, unpacedDelivered, unpacedObjects, unpacedLake, unpacedParts) = await UnpacedAsync(new WorkspaceDirectory(Path.Combine(folder, "unpaced")), weather, towns, shardCount, total, cancellationToken);

        // The producer's own work alone: the same readings taken from the simulated source and serialized, with no
        // stream and no lake. No path to the lake can take less, so the floor's time over this one bounds the ratio.
        var (readingsElapsed, readingsBytes) = await ReadingsAloneAsync(weather, towns, total, cancellationToken);

        // The floors: the objects each run's delivery wrote, gzipped again at its level and written as plain files by one
        // loop. Each run is set against its own objects: they are other readings (the unpaced run's clock starts on
        // another day), and that clock can pass the buffering interval and flush more objects than the paced run.
        // Each floor is the quickest of three loops, taken in turn and each into new folders, because one loop swings
        // with the disk (new folders come more slowly for a while after many were deleted).
        var (pacedLoops, unpacedLoops) = (new List<GzipFloor.Result>(), new List<GzipFloor.Result>());
        for (var round = 0; round < FloorRounds; round++)
        {
            pacedLoops.Add(GzipFloor.Measure(lake.GetBucketRoot("bench-lake"), Path.Combine(folder, $"floor-{round}")));
            unpacedLoops.Add(GzipFloor.Measure(unpacedLake, Path.Combine(folder, $"floor-unpaced-{round}")));
        }
        var floor = pacedLoops.MinBy(loop => loop.Elapsed);
        var unpacedFloor = unpacedLoops.MinBy(loop => loop.Elapsed);

        var pacedRate = delivered / endToEnd.TotalSeconds;
        var pathRate = unpacedDelivered / unpaced.TotalSeconds;
        var floorRate = delivered / floor.Elapsed.TotalSeconds;
        var unpacedFloorRate = unpacedDelivered / unpacedFloor.Elapsed.TotalSeconds;
        var pacedRatio = pacedRate / floorRate;
        var ratio = pathRate / unpacedFloorRate;
        // What the ratio could reach over a stream and a partitioning that cost nothing: the path still makes every reading
        // and writes the floor's objects. The unpaced run does one after the other; on both cores at once the slower counts.
        var ceilingInTurn = unpacedFloor.Elapsed / (readingsElapsed + unpacedFloor.Elapsed);
        var ceilingOnTwoCores = unpacedFloor.Elapsed / (readingsElapsed > unpacedFloor.Elapsed ? readingsElapsed : unpacedFloor.Elapsed);
        var phases = report.Table("Phases (wall clock, one run)", "Phase", "Records/s", "MB/s", "Time");
        void Row(string phase, long count, long size, TimeSpan elapsed) =>
            phases.AddRow(phase, BenchValue.Of(count / elapsed.TotalSeconds, "N0"), BenchValue.Of(size / elapsed.TotalSeconds / 1e6, "0.0"), BenchValue.Milliseconds(elapsed));
        Row("put (PutRecords x 500)", total, bytes, put);
        Row("get (GetRecords x 10,000)", read, bytes, get);
        Row("producer -> lake", delivered, delivery.Metrics.IncomingBytes, endToEnd);
        Row("producer -> lake, unpaced", unpacedDelivered, bytes, unpaced);
        Row("readings alone (no stream, no lake)", total, readingsBytes, readingsElapsed);
        Row($"floor, paced run's objects ({LocalDeliveryStream.GzipLevel})", delivered, floor.Bytes, floor.Elapsed);
        Row($"floor, unpaced run's objects ({LocalDeliveryStream.GzipLevel})", unpacedDelivered, unpacedFloor.Bytes, unpacedFloor.Elapsed);
        report.Print(phases);

        var notes = report.Table("What the phases did", "Phase", "Figure", "Value");
        notes.AddRow("put", "throttled and retried", BenchValue.Of(throttled, "N0"));
        notes.AddRow("get", "reads refused and made again", BenchValue.Of(refusedReads, "N0"));
        notes.AddRow("producer -> lake", "objects written", BenchValue.Of(delivery.Metrics.ObjectsWritten, "N0"));
        notes.AddRow("producer -> lake", "MB gzipped", BenchValue.Of(delivery.Metrics.BytesWritten / 1e6, "0.0"));
        notes.AddRow("producer -> lake", "throttled puts", BenchValue.Of(producerFailures, "N0"));
        notes.AddRow("producer -> lake", "paced sleep", BenchValue.Milliseconds(slept));
        notes.AddRow("producer -> lake", "final flush", BenchValue.Milliseconds(endToEnd - drained));
        notes.AddRow("unpaced", "objects written", BenchValue.Of(unpacedObjects, "N0"));
        notes.AddRow("floor, paced run", "objects written", BenchValue.Of(floor.Objects, "N0"));
        notes.AddRow("floor, paced run", "MB gzipped", BenchValue.Of(floor.CompressedBytes / 1e6, "0.0"));
        notes.AddRow("floor, unpaced run", "objects written", BenchValue.Of(unpacedFloor.Objects, "N0"));
        notes.AddRow("floor, unpaced run", "MB gzipped", BenchValue.Of(unpacedFloor.CompressedBytes / 1e6, "0.0"));
        notes.AddRow("producer -> lake / floor", "paced", BenchValue.Ratio(pacedRatio));
        notes.AddRow("producer -> lake / floor", "unpaced", BenchValue.Ratio(ratio));
        notes.AddRow("producer -> lake / floor", "at most, free stream, in turn", BenchValue.Ratio(ceilingInTurn));
        notes.AddRow("producer -> lake / floor", "at most, free stream, 2 cores", BenchValue.Ratio(ceilingOnTwoCores));
        report.Print(notes);

        // Where the unpaced run's time went, each part against its floor's whole loop: the lake's side (the last flush
        // gzips and writes every object) is near the floor, and the rest is the stream's calls and the records' handling.
        var parts = report.Table("Where the unpaced run's time went", "Part", "Time", "Times the floor");
        void Part(string part, TimeSpan elapsed) =>
            parts.AddRow(part, BenchValue.Milliseconds(elapsed), BenchValue.Ratio(elapsed / unpacedFloor.Elapsed));
        Part("producer: readings and PutRecords", unpacedParts.Producer);
        Part("delivery polls: GetRecords, partitioning", unpacedParts.Polls);
        Part("last flush: gzip and write the objects", unpacedParts.Flush);
        report.Print(parts);

        report.Figure("putRecordsPerSecond", total / put.TotalSeconds, "records/s");
        report.Figure("getRecordsPerSecond", read / get.TotalSeconds, "records/s");
        report.Figure("pacedPipelineRecordsPerSecond", pacedRate, "records/s");
        report.Figure("pacedPipelineFloorRatio", pacedRatio, "x");
        report.Figure("pipelineRecordsPerSecond", pathRate, "records/s");
        report.Figure("floorRecordsPerSecond", floorRate, "records/s");
        report.Figure("unpacedFloorRecordsPerSecond", unpacedFloorRate, "records/s");
        report.Figure("pipelineFloorRatio", ratio, "x", goal: ">= 0.5");
        report.Figure("readingsAloneRecordsPerSecond", total / readingsElapsed.TotalSeconds, "records/s");
        report.Figure("pipelineFloorRatioCeilingInTurn", ceilingInTurn, "x");
        report.Figure("pipelineFloorRatioCeilingOnTwoCores", ceilingOnTwoCores, "x");
        report.Figure("pacedSleepMilliseconds", slept.TotalMilliseconds, "ms");
        report.Figure("unpacedProducerMilliseconds", unpacedParts.Producer.TotalMilliseconds, "ms");
        report.Figure("unpacedPollsMilliseconds", unpacedParts.Polls.TotalMilliseconds, "ms");
        report.Figure("unpacedFlushMilliseconds", unpacedParts.Flush.TotalMilliseconds, "ms");
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        Terminal.Tell(string.Create(invariant,
            $"Producer -> lake / floor: {ratio:0.00} unpaced (goal >= 0.5), {pacedRatio:0.00} paced by the wall clock; each floor wrote its run's objects ({unpacedFloor.Objects:N0} unpaced, {floor.Objects:N0} paced) as plain gzip files. " +
            $"Making and serializing the readings alone takes {readingsElapsed.TotalSeconds / unpacedFloor.Elapsed.TotalSeconds:0.0} times the unpaced run's floor. " +
            $"A path that makes them and writes the floor's objects, over a stream that cost nothing, could not pass {ceilingInTurn:0.00} doing one after the other, as the unpaced run does, nor {ceilingOnTwoCores:0.00} doing both at once."));
        if (delivered != Interlocked.Read(ref produced))
            Terminal.Tell($"Warning: delivered {delivered:N0} of {produced:N0} produced records.");
        report.WriteJson(jsonPath);
    }

    /// <summary>
    /// The batched producer and the delivery stream taking turns on a virtual clock: an invocation, one second, a poll.
    /// Each shard then takes at most one put batch and one read a second, within the service's limits, so nothing is
    /// throttled and nothing sleeps. Returns the time from the first invocation to the last object written, the bucket's
    /// folder for its floor, and how much of the time the invocations, the polls and the last flush took.
    /// </summary>
    private static async Task<(TimeSpan Elapsed, long Delivered, long Objects, string LakeFolder, (TimeSpan Producer, TimeSpan Polls, TimeSpan Flush) Parts)> UnpacedAsync(WorkspaceDirectory workspace, IWeatherSource weather,
        IReadOnlyList<City> towns, int shardCount, int total, CancellationToken cancellationToken)
    {
        var clock = new StreamingWorkshop.Clock.VirtualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var spareFiles = workspace.MakeTemporaryFilesAhead();
        using var stream = new LocalStreamService(workspace, clock);
        var lake = new LocalObjectStore(workspace, clock);
        var (producer, delivery) = await EndToEndAsync(workspace, clock, stream, lake, weather, towns, shardCount, cancellationToken);
        using var closing = delivery;
        var watch = Stopwatch.StartNew();
        long produced = 0;
        TimeSpan producing = TimeSpan.Zero, polling = TimeSpan.Zero;
        while (produced < total)
        {
            var started = Stopwatch.GetTimestamp();
            produced += (await producer.InvokeBatchedAsync(cancellationToken)).Processed;
            producing += Stopwatch.GetElapsedTime(started);
            clock.Advance(TimeSpan.FromSeconds(1));
            started = Stopwatch.GetTimestamp();
            await delivery.PollAsync(cancellationToken);
            polling += Stopwatch.GetElapsedTime(started);
        }
        var flushStarted = Stopwatch.GetTimestamp();
        await delivery.FlushAllAsync(cancellationToken);
        var flushing = Stopwatch.GetElapsedTime(flushStarted);
        return (watch.Elapsed, delivery.Metrics.DeliveredRecords, delivery.Metrics.ObjectsWritten, lake.GetBucketRoot("bench-lake"), (producing, polling, flushing));
    }

    /// <summary>
    /// The readings of the unpaced run (every city, one minute after another, from the start of its clock) taken from
    /// the source and serialized as the producer puts them, and nothing else. Returns the time and the bytes made.
    /// </summary>
    private static async Task<(TimeSpan Elapsed, long Bytes)> ReadingsAloneAsync(IWeatherSource weather, IReadOnlyList<City> towns, int total, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        long bytes = 0;
        var watch = Stopwatch.StartNew();
        for (var made = 0; made < total; made++)
            bytes += (await weather.FetchAsync(towns[made % towns.Count], start.AddMinutes(made / towns.Count), cancellationToken)).ToJson().Length;
        return (watch.Elapsed, bytes);
    }

    /// <summary>The producer-to-lake path both runs measure: a stream, a bucket, the batched producer and the delivery.</summary>
    private static async Task<(WeatherProducer Producer, LocalDeliveryStream Delivery)> EndToEndAsync(WorkspaceDirectory workspace, TimeProvider clock,
        LocalStreamService stream, LocalObjectStore lake, IWeatherSource weather, IReadOnlyList<City> towns, int shardCount, CancellationToken cancellationToken)
    {
        await stream.CreateStreamAsync("bench-e2e", shardCount, cancellationToken: cancellationToken);
        await lake.CreateBucketAsync("bench-lake", cancellationToken);
        var config = WorkshopSession.WorkshopDeliveryConfig("bench-delivery", "bench-e2e", "bench-lake") with { BufferingIntervalSeconds = 900 };
        var producer = new WeatherProducer(weather, stream, new ProducerLog(workspace, clock), clock,
            new ProducerOptions { StreamName = "bench-e2e", Cities = towns, FunctionName = "bench-producer" });
        return (producer, new LocalDeliveryStream(config, stream, lake, workspace, clock));
    }

    /// <summary>How many times each floor's loop runs; the quickest counts.</summary>
    private const int FloorRounds = 3;

    /// <summary>How long the get phase waits when every shard it still reads has refused its call.</summary>
    private static readonly TimeSpan ReadLimitWait = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Reads every record of every shard from TRIM_HORIZON in GetRecords calls of 10,000, as a consumer within the read
    /// limits does: a shard serves 2 MiB a second, so with few shards a call is refused after a large one. The shards
    /// are read in rounds, one call each, and a round in which every shard refused its call waits before the next.
    /// Returns the records read and the calls refused.
    /// </summary>
    internal static async Task<(long Read, long Refused)> ReadAllAsync(IStreamService stream, string streamName,
        Func<CancellationToken, Task> waitForReadLimit, CancellationToken cancellationToken)
    {
        var iterators = new List<string>();
        foreach (var shard in await stream.ListShardsAsync(streamName, cancellationToken))
            iterators.Add(await stream.GetShardIteratorAsync(streamName, shard.ShardId, ShardIteratorType.TRIM_HORIZON, cancellationToken: cancellationToken));
        long read = 0, refused = 0;
        while (iterators.Count > 0)
        {
            var served = false;
            for (var i = iterators.Count - 1; i >= 0; i--)
            {
                GetRecordsResult batch;
                try
                {
                    batch = await stream.GetRecordsAsync(iterators[i], 10_000, cancellationToken);
                }
                catch (ProvisionedThroughputExceededException)
                {
                    refused++;
                    continue;
                }
                served = true;
                read += batch.Records.Count;
                if (batch.Records.Count == 0 || batch.NextShardIterator is null) iterators.RemoveAt(i);
                else iterators[i] = batch.NextShardIterator;
            }
            if (!served) await waitForReadLimit(cancellationToken);
        }
        return (read, refused);
    }

    private static async Task<long> PutAllAsync(IStreamService stream, string name, PutRecordsEntry[] entries, CancellationToken cancellationToken)
    {
        long retried = 0;
        foreach (var chunk in entries.Chunk(500))
        {
            IReadOnlyList<PutRecordsEntry> pending = chunk;
            while (pending.Count > 0)
            {
                var result = await stream.PutRecordsAsync(name, pending, cancellationToken);
                if (result.FailedRecordCount == 0) break;
                pending = pending.Where((_, i) => !result.Records[i].Succeeded).ToArray();
                retried += pending.Count;
                await Task.Delay(10, cancellationToken);
            }
        }
        return retried;
    }
}
