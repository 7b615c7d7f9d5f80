using System.Text.Json;
using StreamingWorkshop.Jobs;

namespace Workshop.Tests.Jobs;

/// <summary>The streaming job's runs on the local backend: micro-batches on the clock, starting positions, stop and restart.</summary>
public sealed class StreamingJobRuntimeTests
{
    private static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);

    private static List<string> Log(IEnumerable<StreamingBatch> batches) =>
        batches.Select(b => $"{b.RunId} #{b.BatchId} {b.TriggerTime:HH:mm:ss} in {b.RecordsIn} out {b.RecordsOut} committed {b.CommitTime:HH:mm:ss.fff}").ToList();

    [Fact]
    public void Micro_batches_start_every_window_after_start_up_and_read_what_arrived_by_their_start()
    {
        using var world = new StreamingJobWorld();
        var run = world.StartRun();
        world.At(S(10));
        world.Reading("Berlin", 5.0, "2025-01-14T00:00", S(5));
        Assert.Equal(JobRunStates.Starting, world.Settle(run).JobRunState);

        world.At(S(95));
        world.Reading("Paris", 7.5, "2025-01-14T00:01", S(90));
        world.At(S(150));
        world.Reading("Rome", 12.0, "2025-01-14T00:02", S(149));
        world.At(S(151));
        world.Reading("Berlin", 6.0, "2025-01-14T00:02", S(150));
        world.At(S(153));
        var running = world.Settle(run);

        // The batch that started at 00:02:30 is still being processed (5 s plus 1 ms a record), so it is not in the log yet.
        Assert.Equal(JobRunStates.Running, running.JobRunState);
        Assert.Equal(["jr_1 #0 00:00:30 in 1 out 1 committed 00:00:35.001", "jr_1 #1 00:01:30 in 0 out 0 committed 00:01:35.000"], Log(world.Batches()));

        world.At(S(240));
        world.Settle(run);
        Assert.Equal(
        [
            "jr_1 #0 00:00:30 in 1 out 1 committed 00:00:35.001",
            "jr_1 #1 00:01:30 in 0 out 0 committed 00:01:35.000",
            "jr_1 #2 00:02:30 in 2 out 2 committed 00:02:35.002",
            "jr_1 #3 00:03:30 in 1 out 1 committed 00:03:35.001",
        ], Log(world.Batches()));
        Assert.Equal(["Berlin 2025-01-14T00:00 5.0", "Berlin 2025-01-14T00:02 6.0", "Paris 2025-01-14T00:01 7.5", "Rome 2025-01-14T00:02 12.0"], world.LiveRows());

        // The table and each partition a batch wrote are in the catalog, as Glue's enableUpdateCatalog registers them.
        var table = world.Catalog.GetTable(StreamingJobWorld.Database, ReadingsCuration.LiveTable);
        Assert.Equal(($"s3://{StreamingJobWorld.LakeBucket}/curated/weather-live/", "location,year,month,day"), (table.Location, string.Join(",", table.PartitionKeys.Select(k => k.Name))));
        Assert.Equal(["Berlin/2025/01/14", "Paris/2025/01/14", "Rome/2025/01/14"],
            world.Catalog.GetPartitions(StreamingJobWorld.Database, ReadingsCuration.LiveTable).Select(p => string.Join("/", p.Values)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("TRIM_HORIZON", new[] { "Berlin 2025-01-14T00:00 5.0", "Paris 2025-01-14T00:00 7.5" })]
    [InlineData("LATEST", new[] { "Paris 2025-01-14T00:00 7.5" })]
    public void A_first_start_reads_from_the_starting_position(string position, string[] expected)
    {
        using var world = new StreamingJobWorld(startingPosition: position);
        world.At(S(5));
        world.Reading("Berlin", 5.0, "2025-01-14T00:00", S(4));
        world.At(S(20));
        var run = world.StartRun();
        world.At(S(40));
        world.Reading("Paris", 7.5, "2025-01-14T00:00", S(39));
        world.At(S(120));
        world.Settle(run);

        Assert.Equal(expected, world.LiveRows());
    }

    [Fact]
    public void A_stopped_run_restarted_on_its_checkpoint_loses_nothing_and_writes_nothing_twice()
    {
        using var world = new StreamingJobWorld(startingPosition: "LATEST");
        var first = world.StartRun();
        world.At(S(10));
        world.Reading("Berlin", 5.0, "2025-01-14T00:00", S(9));
        world.At(S(100));
        var stopping = world.Runtime.Stop(world.Job, first);
        Assert.Equal(JobRunStates.Stopping, stopping.JobRunState);
        var stopped = world.Settle(stopping);
        Assert.Equal((JobRunStates.Stopped, world.Clock.GetUtcNow(), 100, 50.0), (stopped.JobRunState, stopped.CompletedOn!.Value, stopped.ExecutionTime, stopped.DpuSeconds));

        // While no run reads, readings arrive, one of them a second copy of a reading already written.
        world.At(S(120));
        world.Reading("Paris", 7.5, "2025-01-14T00:01", S(119));
        world.At(S(130));
        world.Reading("Berlin", 5.0, "2025-01-14T00:00", S(129));
        world.At(S(140));
        world.Reading("Rome", 12.0, "2025-01-14T00:02", S(139));
        world.At(S(200));
        var second = world.StartRun();
        world.At(S(250));
        world.Reading("Oslo", -3.0, "2025-01-14T00:04", S(249));
        world.At(S(300));
        world.Settle(second);

        Assert.Equal(
        [
            "jr_1 #0 00:00:30 in 1 out 1 committed 00:00:35.001",
            "jr_1 #1 00:01:30 in 0 out 0 committed 00:01:35.000",
            "jr_2 #2 00:03:50 in 3 out 2 committed 00:03:55.003",
            "jr_2 #3 00:04:50 in 1 out 1 committed 00:04:55.001",
        ], Log(world.Batches()));
        Assert.Equal(["Berlin 2025-01-14T00:00 5.0", "Oslo 2025-01-14T00:04 -3.0", "Paris 2025-01-14T00:01 7.5", "Rome 2025-01-14T00:02 12.0"], world.LiveRows());
    }

    [Fact]
    public void A_batch_cut_short_before_its_commit_runs_again_with_the_same_offsets_and_writes_the_same_files()
    {
        using var world = new StreamingJobWorld();
        var run = world.StartRun();
        world.At(S(10));
        world.Reading("Berlin", 5.0, "2025-01-14T00:00", S(9));
        world.At(S(40));
        world.Reading("Paris", 7.5, "2025-01-14T00:00", S(39));
        world.Reading("Rome", 12.0, "2025-01-14T00:00", S(39));
        world.At(S(100));
        world.Settle(run);
        var before = (world.Batches().Select(b => (b.BatchId, b.TriggerTime, string.Join(",", b.Shards))).ToList(), world.LakeKeys("curated/"), world.LiveRows());

        // Batch 1 wrote its files, then stopped before its commit: as if its process were killed there.
        var checkpoint = Path.Combine(world.Root, "lake", StreamingJobWorld.ScriptsBucket, "checkpoints", "curate-stream-test");
        File.Delete(Path.Combine(checkpoint, "commits", "1"));
        File.Delete(Path.Combine(checkpoint, "state", "1"));
        Assert.Single(world.Batches());
        world.Settle(run);

        var after = (world.Batches().Select(b => (b.BatchId, b.TriggerTime, string.Join(",", b.Shards))).ToList(), world.LakeKeys("curated/"), world.LiveRows());
        Assert.Equal(before.Item1, after.Item1);
        Assert.Equal(before.Item2, after.Item2);
        Assert.Equal(["Berlin 2025-01-14T00:00 5.0", "Paris 2025-01-14T00:00 7.5", "Rome 2025-01-14T00:00 12.0"], after.Item3);
    }

    [Fact]
    public void Malformed_records_go_to_the_error_prefix_with_their_reason_and_the_batch_goes_on()
    {
        using var world = new StreamingJobWorld(shards: 1);
        var run = world.StartRun();
        world.At(S(10));
        world.Raw("temperature 5 in Berlin", "Berlin");
        world.Raw("""{"city":"Oslo"}""", "Oslo");
        world.Raw("""{"temperature":3}""", "Oslo");
        world.Raw("[1,2]", "Oslo");
        world.Raw("""{"city":"Oslo","temperature":1.5,"collection_time":"2025-01-14T00:00:09.000Z"}""", "Oslo");
        world.Reading("Oslo", 1.5, "2025-01-14T00:00", S(9));
        world.At(S(60));
        world.Settle(run);

        Assert.Equal(["curated/errors/part-00000.json"], world.LakeKeys("curated/errors/"));
        var lines = File.ReadAllLines(Path.Combine(world.Root, "lake", StreamingJobWorld.LakeBucket, "curated", "errors", "part-00000.json"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => $"{e.GetProperty("shard_id").GetString()} {e.GetProperty("sequence_number").GetString()![^3..]} {e.GetProperty("reason").GetString()}: {e.GetProperty("data").GetString()}");
        Assert.Equal(
        [
            "shardId-000000000000 001 not JSON: temperature 5 in Berlin",
            "shardId-000000000000 002 missing temperature: {\"city\":\"Oslo\"}",
            "shardId-000000000000 003 missing city: {\"temperature\":3}",
            "shardId-000000000000 004 not a JSON object: [1,2]",
            "shardId-000000000000 005 missing measurement_time: {\"city\":\"Oslo\",\"temperature\":1.5,\"collection_time\":\"2025-01-14T00:00:09.000Z\"}",
        ], lines);
        Assert.Equal(["Oslo 2025-01-14T00:00 1.5"], world.LiveRows());
        Assert.Equal((6, 1, 5), world.Batches().Select(b => (b.RecordsIn, b.RecordsOut, b.RecordsError)).Single());
    }

    [Fact]
    public void Five_minute_windows_are_written_once_after_the_watermark_and_late_readings_are_counted()
    {
        using var world = new StreamingJobWorld(shards: 1);
        var run = world.StartRun();
        world.At(S(60));
        world.Reading("Berlin", 10.0, "2025-01-14T00:01", S(60));
        world.At(S(120));
        world.Reading("Paris", 4.0, "2025-01-14T00:02", S(120));
        world.At(S(180));
        world.Reading("Berlin", 13.0, "2025-01-14T00:03", S(180));
        world.At(S(400));
        world.Reading("Berlin", 20.0, "2025-01-14T00:06", S(400));
        // Collected in the first window, but arriving after the batch of 00:06:30 wrote it.
        world.At(S(430));
        world.Reading("Berlin", 16.0, "2025-01-14T00:04", S(290));
        world.At(S(700));
        world.Settle(run);

        Assert.Equal(["00:00-00:05 Berlin 2 11.5 10.0 13.0", "00:00-00:05 Paris 1 4.0 4.0 4.0", "00:05-00:10 Berlin 1 20.0 20.0 20.0"], world.WindowRows());
        Assert.Equal(["00:06:30 2", "00:07:30 late 1", "00:11:30 1"],
            world.Batches().Where(b => b.WindowsWritten > 0 || b.LateRecords > 0)
                .Select(b => b.LateRecords > 0 ? $"{b.TriggerTime:HH:mm:ss} late {b.LateRecords}" : $"{b.TriggerTime:HH:mm:ss} {b.WindowsWritten}"));
        Assert.Equal(["curated/weather-5min/part-00006.parquet", "curated/weather-5min/part-00011.parquet"], world.LakeKeys("curated/weather-5min/"));
        Assert.Contains(world.Jobs.RunLog(run.Id).Select(e => $"{e.Event.Timestamp:HH:mm:ss} {e.Event.Message}"),
            line => line == "00:07:35 Batch 7: 1 reading(s) arrived after their 5-minute window was written (watermark 1 minute); they are in curated_weather_live but not in weather_5min_by_city.");
    }

    [Fact]
    public async Task A_reshard_during_a_run_is_followed_into_the_child_shards()
    {
        using var world = new StreamingJobWorld(shards: 1);
        var run = world.StartRun();
        world.At(S(10));
        world.Reading("Berlin", 5.0, "2025-01-14T00:00", S(9));
        world.At(S(60));
        world.Settle(run);
        await world.Stream.UpdateShardCountAsync(StreamingJobWorld.StreamName, 2);
        world.At(S(100));
        foreach (var city in new[] { "Paris", "Rome", "Oslo", "Lima" }) world.Reading(city, 1.0, "2025-01-14T00:01", S(99));
        world.At(S(160));
        world.Settle(run);

        Assert.Equal(["Berlin 2025-01-14T00:00 5.0", "Lima 2025-01-14T00:01 1.0", "Oslo 2025-01-14T00:01 1.0", "Paris 2025-01-14T00:01 1.0", "Rome 2025-01-14T00:01 1.0"], world.LiveRows());
        // The batch of 00:02:30 read nothing more from the closed parent and the four readings from its two children.
        var third = world.Batches()[2];
        Assert.Equal((4, 0), (third.RecordsIn, third.Shards.Single(s => s.ShardId == "shardId-000000000000").Records));
        Assert.Equal(4, third.Shards.Where(s => s.ShardId != "shardId-000000000000").Sum(s => s.Records));
        Assert.Equal(2, third.Shards.Count(s => s.ShardId != "shardId-000000000000" && s.Records > 0));
    }

    [Fact]
    public void A_window_open_when_the_run_stopped_is_continued_by_the_next_run()
    {
        using var world = new StreamingJobWorld(shards: 1);
        var first = world.StartRun();
        world.At(S(10));
        world.Reading("Berlin", 4.0, "2025-01-14T00:00", S(9));
        world.At(S(60));
        world.Settle(world.Runtime.Stop(world.Job, first));
        world.At(S(120));
        world.Reading("Berlin", 8.0, "2025-01-14T00:01", S(119));
        var second = world.StartRun();
        world.At(S(480));
        world.Settle(second);

        Assert.Equal(["00:00-00:05 Berlin 2 6.0 4.0 8.0"], world.WindowRows());
    }

    [Theory]
    [InlineData("--window_size", "1m", "--window_size '1m' is not a number of seconds from 1 to 3600; give the micro-batch length in whole seconds, e.g. 60.")]
    [InlineData("--starting_position", "EARLIEST", "--starting_position 'EARLIEST' is not a starting position; use TRIM_HORIZON (everything the stream holds) or LATEST (only what arrives after the start).")]
    [InlineData("--checkpoint_location", "checkpoints/job/", "--checkpoint_location 'checkpoints/job/' is not an S3 folder; give one as s3://BUCKET/PREFIX/, e.g. s3://weather-analytics-glue-scripts-dev-123456789012/checkpoints/curate-stream-test/.")]
    [InlineData("--stream_arn", "weather-test-stream", "--stream_arn 'weather-test-stream' is not a Kinesis stream ARN; give one as arn:aws:kinesis:REGION:ACCOUNT:stream/NAME.")]
    public void A_bad_argument_fails_the_run_with_one_line_naming_it(string argument, string value, string message)
    {
        using var world = new StreamingJobWorld();
        var run = world.StartRun(new Dictionary<string, string> { [argument] = value });
        world.At(S(60));
        var failed = world.Settle(run);

        Assert.Equal((JobRunStates.Failed, message, StreamingJobWorld.Midnight + S(30)), (failed.JobRunState, failed.ErrorMessage, failed.CompletedOn!.Value));
    }

    [Fact]
    public void A_run_with_a_timeout_ends_in_TIMEOUT_at_it_and_runs_no_batch_after()
    {
        using var world = new StreamingJobWorld();
        var run = world.StartRun() with { TimeoutMinutes = 2 };
        world.At(S(400));
        var ended = world.Settle(run);

        Assert.Equal((JobRunStates.Timeout, StreamingJobWorld.Midnight + S(120), 120), (ended.JobRunState, ended.CompletedOn!.Value, ended.ExecutionTime));
        Assert.Equal(["00:00:30", "00:01:30"], world.Batches().Select(b => $"{b.TriggerTime:HH:mm:ss}"));
    }
}
