using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using DuckDB.NET.Data;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;

namespace Workshop.Tests.Jobs;

/// <summary>
/// Acceptance: a process that produces readings and runs the streaming job on the virtual clock, killed (SIGKILL) twice
/// times and started again, leaves curated_weather_live with every reading it produced exactly once.
/// The process is this test assembly started as a host: a module initializer runs the host when the variable is set.
/// </summary>
public sealed class StreamingJobKillTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const string HostVariable = "WORKSHOP_TEST_STREAMING_JOB_HOST";
    private const string JobName = "curate-stream-kill-test";
    private static readonly string[] Cities = ["Berlin", "Paris", "Rome"];
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ProduceUntil = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan RunUntil = ProduceUntil + TimeSpan.FromSeconds(90); // the last readings' batch lands by then
    private readonly string root = Directory.CreateTempSubdirectory("workshop-stream-kill-").FullName;

    [Fact]
    public async Task Killed_and_restarted_streaming_job_writes_every_reading_once()
    {
        using (var world = Backend.Open(new WorkspaceDirectory(root), fresh: true))
        {
            await world.Stream.CreateStreamAsync(StreamingJobWorld.StreamName, 2);
            await world.Lake.CreateBucketAsync(StreamingJobWorld.LakeBucket);
            await world.Lake.CreateBucketAsync(StreamingJobWorld.ScriptsBucket);
            world.Catalog.CreateDatabase(StreamingJobWorld.Database);
            world.Jobs.PutJob(new GlueJob(JobName, "arn:aws:iam::123456789012:role/glue",
                new JobCommand(JobCommandNames.Streaming, $"s3://{StreamingJobWorld.ScriptsBucket}/scripts/curate_stream.py"),
                new Dictionary<string, string>
                {
                    ["--stream_name"] = StreamingJobWorld.StreamName,
                    ["--lake_bucket"] = StreamingJobWorld.LakeBucket,
                    ["--database"] = StreamingJobWorld.Database,
                    ["--checkpoint_location"] = $"s3://{StreamingJobWorld.ScriptsBucket}/checkpoints/{JobName}/",
                }, "5.0", "G.025X", 2, 0));
            File.WriteAllText(Path.Combine(root, "run-id"), await world.Jobs.StartJobRunAsync(JobName));
            world.Clock.Save();
        }

        var midBatch = 0;
        var timer = Stopwatch.StartNew();
        foreach (var commits in new[] { 2, 5 })
        {
            using var host = StartHost();
            while (!host.HasExited && Count("commits") < commits) Thread.Sleep(1);
            // Kill inside a batch when one is caught between its offsets and its commit; otherwise right away.
            var waited = Stopwatch.StartNew();
            while (!host.HasExited && Count("offsets") == Count("commits") && waited.ElapsedMilliseconds < 200) Thread.Sleep(1);
            if (Count("offsets") > Count("commits")) midBatch++;
            if (host.HasExited) Assert.Fail($"The host ended (exit {host.ExitCode}) before it was killed: {await host.StandardError.ReadToEndAsync()}");
            host.Kill();
            await host.WaitForExitAsync();
            output.WriteLine($"killed after {commits} commits at {timer.ElapsedMilliseconds} ms");
        }
        using (var final = StartHost())
        {
            var errors = await final.StandardError.ReadToEndAsync();
            await final.WaitForExitAsync();
            Assert.True(final.ExitCode == 0, $"The final host run failed ({final.ExitCode}): {errors}");
        }

        var rows = CuratedRows();
        output.WriteLine($"2 kills, {midBatch} of them between a batch's offsets and its commit; {rows.Count} rows; {Count("commits")} batches.");
        var produced = Enumerable.Range(0, (int)(ProduceUntil / Step))
            .SelectMany(step => Cities.Select(city => Row(city, StreamingJobWorld.Midnight + step * Step)))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(72, produced.Count);
        Assert.Equal(produced, rows);
    }

    /// <summary>A reading's temperature: unique per city and time, so every reading is its own row.</summary>
    private static double Temperature(string city, DateTimeOffset at) => Array.IndexOf(Cities, city) * 1000 + (at - StreamingJobWorld.Midnight).TotalSeconds / 20;

    private static string Row(string city, DateTimeOffset at) =>
        $"{city} {at.UtcDateTime:yyyy-MM-ddTHH:mm} {Temperature(city, at).ToString("0.0", CultureInfo.InvariantCulture)}";

    private List<string> CuratedRows()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        var folder = Path.Combine(root, "lake", StreamingJobWorld.LakeBucket, "curated", "weather-live");
        command.CommandText = $"""
            SELECT city || ' ' || strftime(measurement_time, '%Y-%m-%dT%H:%M') || ' ' || printf('%.1f', temperature_c)
            FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = false)
            """;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.GetString(0));
        return rows.Order(StringComparer.Ordinal).ToList();
    }

    private int Count(string folder)
    {
        var path = Path.Combine(root, "lake", StreamingJobWorld.ScriptsBucket, "checkpoints", JobName, folder);
        return Directory.Exists(path) ? Directory.GetFiles(path).Length : 0;
    }

    private Process StartHost()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(StreamingJobKillTests).Assembly.Location);
        info.Environment[HostVariable] = root;
        return Process.Start(info)!;
    }

#pragma warning disable CA2255 // The test assembly doubles as the killed process: the host must run before the empty generated Main.
    [ModuleInitializer]
    internal static void RunHostWhenAsked()
    {
        if (Environment.GetEnvironmentVariable(HostVariable) is { Length: > 0 } workspace) Environment.Exit(RunHost(workspace));
    }
#pragma warning restore CA2255

    /// <summary>
    /// Every 20 virtual seconds: puts one reading per city (until <see cref="ProduceUntil"/>), moves the clock on, looks at
    /// the run (which runs the batches that fell due) and saves the clock. A restart picks up at the saved clock, so a
    /// kill between the puts and the save puts those readings a second time, as a re-run producer would.
    /// </summary>
    private static int RunHost(string workspaceRoot)
    {
        using var world = Backend.Open(new WorkspaceDirectory(workspaceRoot), fresh: false);
        var runId = File.ReadAllText(Path.Combine(workspaceRoot, "run-id"));
        while (world.Clock.GetUtcNow() < StreamingJobWorld.Midnight + RunUntil)
        {
            var now = world.Clock.GetUtcNow();
            if (now < StreamingJobWorld.Midnight + ProduceUntil)
                foreach (var city in Cities)
                {
                    var json = $$"""{"city":"{{city}}","temperature":{{Temperature(city, now).ToString(CultureInfo.InvariantCulture)}},"measurement_time":"{{now.UtcDateTime:yyyy-MM-ddTHH:mm}}","collection_time":"{{now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}"}""";
                    world.Stream.PutRecordAsync(StreamingJobWorld.StreamName, Encoding.UTF8.GetBytes(json), city).GetAwaiter().GetResult();
                }
            world.Clock.Advance(Step);
            var run = world.Jobs.GetJobRunAsync(JobName, runId).GetAwaiter().GetResult();
            if (JobRunStates.HasEnded(run.JobRunState)) throw new InvalidOperationException($"Run {runId} is {run.JobRunState}: {run.ErrorMessage}");
            world.Clock.Save();
            // Paced on the wall clock only so that the test, polling the checkpoint, sees each batch go by before the
            // host is done; what the host writes depends on the virtual clock alone.
            Thread.Sleep(25);
        }
        return 0;
    }

    /// <summary>The local services the job needs, over a workspace and its saved clock.</summary>
    private sealed class Backend : IDisposable
    {
        private Backend(WorkspaceDirectory workspace, VirtualClock clock)
        {
            Clock = clock;
            Stream = new LocalStreamService(workspace, clock);
            Lake = new LocalObjectStore(workspace, clock);
            Catalog = new LocalGlueCatalog(workspace, clock);
            var stacks = new LocalCloudFormation(workspace, clock,
                new LocalProvisioners(workspace, Lake, Stream, new LocalFirehoseService(workspace, clock), Catalog), "123456789012");
            Jobs = new LocalJobService(workspace, clock, Lake, Catalog, Stream, stacks);
        }

        public static Backend Open(WorkspaceDirectory workspace, bool fresh)
        {
            var clock = VirtualClock.Load(workspace);
            if (fresh) clock.SetStart(StreamingJobWorld.Midnight);
            return new Backend(workspace, clock);
        }

        public VirtualClock Clock { get; }
        public LocalStreamService Stream { get; }
        public LocalObjectStore Lake { get; }
        public LocalGlueCatalog Catalog { get; }
        public LocalJobService Jobs { get; }

        public void Dispose() => Stream.Dispose();
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
