using System.CommandLine;
using System.Diagnostics;
using System.IO.Compression;
using Spectre.Console;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench pipeline`: put, get and producer-to-lake throughput of the local backend, and gzip's own throughput
/// on the same bytes (the ceiling of the delivery path), measured in one run on the wall clock, so the
/// per-shard write limits apply as they would on the service.
/// </summary>
internal static class PipelineBench
{
    public static void AddTo(RootCommand root)
    {
        var records = new Option<int>("--records") { Description = "Records per phase.", DefaultValueFactory = _ => 500_000 };
        var shards = new Option<int>("--shards") { Description = "Shards of the bench streams (each takes 1,000 records/s).", DefaultValueFactory = _ => 500 };
        var cities = new Option<int>("--cities") { Description = "Distinct cities (partition keys and lake partitions).", DefaultValueFactory = _ => 1000 };
        var command = new Command("pipeline", "Measure put, get and producer-to-lake records per second against gzip's own throughput.") { records, shards, cities };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = Directory.CreateTempSubdirectory("workshop-bench-").FullName;
            try
            {
                await RunAsync(new WorkspaceDirectory(folder), parse.GetValue(records), parse.GetValue(shards), parse.GetValue(cities), cancellationToken);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
    }

    private static async Task RunAsync(WorkspaceDirectory workspace, int total, int shardCount, int cityCount, CancellationToken cancellationToken)
    {
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
        AnsiConsole.MarkupLineInterpolated($"{total:N0} records of {bytes / (double)total:F0} bytes on average, {shardCount} shards, {cityCount:N0} cities, {Environment.ProcessorCount} cores.");

        using var stream = new LocalStreamService(workspace, clock);
        var lake = new LocalObjectStore(workspace, clock);

        // Put: PutRecords in batches of 500, retrying records the shards throttle, as a producer should.
        await stream.CreateStreamAsync("bench-put", shardCount, cancellationToken: cancellationToken);
        var watch = Stopwatch.StartNew();
        var throttled = await PutAllAsync(stream, "bench-put", entries, cancellationToken);
        var put = watch.Elapsed;

        // Get: every shard from TRIM_HORIZON in GetRecords calls of 10,000.
        watch.Restart();
        var read = 0L;
        foreach (var shard in await stream.ListShardsAsync("bench-put", cancellationToken))
        {
            var iterator = await stream.GetShardIteratorAsync("bench-put", shard.ShardId, ShardIteratorType.TRIM_HORIZON, cancellationToken: cancellationToken);
            while (true)
            {
                var batch = await stream.GetRecordsAsync(iterator, 10_000, cancellationToken);
                read += batch.Records.Count;
                if (batch.Records.Count == 0) break;
                iterator = batch.NextShardIterator!;
            }
        }
        var get = watch.Elapsed;
        if (read != total) throw new InvalidOperationException($"The get phase read {read:N0} records, not {total:N0}.");

        // Producer to lake: the batched producer and the delivery stream running side by side.
        await stream.CreateStreamAsync("bench-e2e", shardCount, cancellationToken: cancellationToken);
        await lake.CreateBucketAsync("bench-lake", cancellationToken);
        var config = WorkshopSession.WorkshopDeliveryConfig("bench-delivery", "bench-e2e", "bench-lake") with { BufferingIntervalSeconds = 900 };
        var producer = new WeatherProducer(weather, stream, new ProducerLog(workspace, clock), clock,
            new ProducerOptions { StreamName = "bench-e2e", Cities = towns, FunctionName = "bench-producer" });
        using var delivery = new LocalDeliveryStream(config, stream, lake, workspace, clock);
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
        // Each shard is read at most five times a second, the GetRecords limit of a Kinesis shard.
        var pacing = TimeSpan.FromMilliseconds(200);
        while (!producing.IsCompleted || delivery.Metrics.IncomingRecords < Interlocked.Read(ref produced))
        {
            var pollStarted = Stopwatch.GetTimestamp();
            await delivery.PollAsync(cancellationToken);
            var rest = pacing - Stopwatch.GetElapsedTime(pollStarted);
            if (rest > TimeSpan.Zero && !producing.IsCompleted) await Task.Delay(rest, cancellationToken);
        }
        await producing;
        await delivery.FlushAllAsync(cancellationToken);
        var endToEnd = watch.Elapsed;
        var delivered = delivery.Metrics.DeliveredRecords;

        // The ceiling: gzip alone on the same lines, grouped by city as the delivery groups them.
        var groups = entries.GroupBy(e => e.PartitionKey).Select(g =>
        {
            var buffer = new MemoryStream();
            foreach (var e in g) { buffer.Write(e.Data.Span); buffer.WriteByte((byte)'\n'); }
            return buffer.ToArray();
        }).ToArray();
        watch.Restart();
        long compressed = 0;
        foreach (var group in groups) compressed += LocalDeliveryStream.Gzip(group).Length;
        var gzip = watch.Elapsed;

        var table = new Table().AddColumns("Phase", "Records/s", "MB/s", "Notes");
        void Row(string phase, long count, long size, TimeSpan elapsed, string note) =>
            table.AddRow(phase, $"{count / elapsed.TotalSeconds:N0}", $"{size / elapsed.TotalSeconds / 1e6:F1}", note);
        Row("put (PutRecords x 500)", total, bytes, put, $"{throttled:N0} throttled and retried");
        Row("get (GetRecords x 10,000)", read, bytes, get, "");
        Row("producer → lake", delivered, delivery.Metrics.IncomingBytes, endToEnd,
            $"{delivery.Metrics.ObjectsWritten:N0} objects, {delivery.Metrics.BytesWritten / 1e6:F1} MB gzipped, {producerFailures:N0} throttled puts");
        Row($"gzip alone ({LocalDeliveryStream.GzipLevel})", total, bytes, gzip, $"{bytes / (double)compressed:F1}x smaller");
        AnsiConsole.Write(table);
        var ratio = delivered / endToEnd.TotalSeconds / (total / gzip.TotalSeconds);
        AnsiConsole.MarkupLineInterpolated($"Ratio producer → lake / gzip alone: {ratio:F4} (gzip is {1 / ratio:F0}x faster than the whole path on the same bytes).");
        if (delivered != Interlocked.Read(ref produced))
            Terminal.Tell($"Warning: delivered {delivered:N0} of {produced:N0} produced records.");
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
