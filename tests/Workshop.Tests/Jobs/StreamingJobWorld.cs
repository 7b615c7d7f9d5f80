using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Jobs;

/// <summary>
/// A small local backend for the streaming job's runtime: a stream, a lake bucket and a checkpoint of its own, a
/// virtual clock starting at midnight, and runs started and looked at as the job service does it.
/// </summary>
internal sealed class StreamingJobWorld : IDisposable
{
    public static readonly DateTimeOffset Midnight = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    public const string StreamName = "weather-test-stream";
    public const string LakeBucket = "weather-test-lake";
    public const string ScriptsBucket = "weather-test-scripts";
    public const string Database = "weather_test_db";

    private readonly TempWorkspace temp = new();
    private readonly LocalStreamService stream;
    private int runs;

    public StreamingJobWorld(int shards = 2, string startingPosition = "TRIM_HORIZON", int windowSeconds = 60)
    {
        Clock = new VirtualClock(Midnight);
        stream = new LocalStreamService(temp.Workspace, Clock);
        Lake = new LocalObjectStore(temp.Workspace, Clock);
        var catalog = new LocalGlueCatalog(temp.Workspace, Clock);
        catalog.CreateDatabase(Database);
        Catalog = catalog;
        var stacks = new LocalCloudFormation(temp.Workspace, Clock,
            new LocalProvisioners(temp.Workspace, Lake, stream, new LocalFirehoseService(temp.Workspace, Clock), catalog), "123456789012");
        Jobs = new LocalJobService(temp.Workspace, Clock, Lake, catalog, stream, stacks);
        Runtime = new StreamingJobRuntime(Jobs);
        stream.CreateStreamAsync(StreamName, shards).GetAwaiter().GetResult();
        Lake.CreateBucketAsync(LakeBucket).GetAwaiter().GetResult();
        Lake.CreateBucketAsync(ScriptsBucket).GetAwaiter().GetResult();
        Job = new GlueJob("curate-stream-test", "arn:aws:iam::123456789012:role/glue",
            new JobCommand(JobCommandNames.Streaming, $"s3://{ScriptsBucket}/scripts/curate_stream.py"),
            new Dictionary<string, string>
            {
                // The stream by its ARN, as the stack's template gives it.
                ["--stream_arn"] = $"arn:aws:kinesis:us-east-1:123456789012:stream/{StreamName}",
                ["--lake_bucket"] = LakeBucket,
                ["--database"] = Database,
                ["--window_size"] = windowSeconds.ToString(CultureInfo.InvariantCulture),
                ["--starting_position"] = startingPosition,
                ["--checkpoint_location"] = $"s3://{ScriptsBucket}/checkpoints/curate-stream-test/",
            },
            "5.0", "G.025X", 2, 0);
    }

    public VirtualClock Clock { get; }
    public LocalObjectStore Lake { get; }
    public LocalGlueCatalog Catalog { get; }
    public LocalJobService Jobs { get; }
    public StreamingJobRuntime Runtime { get; }
    public GlueJob Job { get; }
    public string Root => temp.Root;
    public LocalStreamService Stream => stream;

    public JobRun StartRun(IReadOnlyDictionary<string, string>? arguments = null)
    {
        var now = Clock.GetUtcNow();
        var run = new JobRun($"jr_{++runs}", Job.Name, 0, JobRunStates.Starting, arguments ?? new Dictionary<string, string>(), now, now, null, 0,
            Job.TimeoutMinutes, Job.WorkerType, Job.NumberOfWorkers, Job.GlueVersion);
        return Runtime.Start(Job, run);
    }

    public JobRun Settle(JobRun run) => Runtime.Settle(Job, run);

    /// <summary>Moves the clock to <paramref name="offset"/> after midnight.</summary>
    public void At(TimeSpan offset) => Clock.AdvanceTo(Midnight + offset);

    /// <summary>Puts a reading on the stream now (partition key = city), collected at <paramref name="collected"/> after midnight.</summary>
    public void Reading(string city, double temperature, string measurementTime, TimeSpan collected) =>
        Raw($$"""{"city":"{{city}}","temperature":{{temperature.ToString(CultureInfo.InvariantCulture)}},"measurement_time":"{{measurementTime}}","collection_time":"{{(Midnight + collected).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}","source":"test"}""", city);

    public void Raw(string data, string partitionKey) =>
        stream.PutRecordAsync(StreamName, Encoding.UTF8.GetBytes(data), partitionKey).GetAwaiter().GetResult();

    public IReadOnlyList<StreamingBatch> Batches() =>
        new StreamingCheckpoint(Lake, ScriptsBucket, "checkpoints/curate-stream-test/").Commits();

    /// <summary>Every curated_weather_live row as "city measurement_time temperature_c", sorted.</summary>
    public IReadOnlyList<string> LiveRows() =>
        Query(ReadingsCuration.LivePrefix, "SELECT city || ' ' || strftime(measurement_time, '%Y-%m-%dT%H:%M') || ' ' || temperature_c::VARCHAR FROM rows ORDER BY 1");

    /// <summary>Every weather_5min_by_city row, as "start-end city readings avg min max".</summary>
    public IReadOnlyList<string> WindowRows() =>
        Query(ReadingsCuration.WindowPrefix, """
            SELECT strftime(window_start, '%H:%M') || '-' || strftime(window_end, '%H:%M') || ' ' || city || ' ' || readings::VARCHAR || ' '
                   || avg_temperature_c::VARCHAR || ' ' || min_temperature_c::VARCHAR || ' ' || max_temperature_c::VARCHAR
            FROM rows ORDER BY window_start, city
            """);

    /// <summary>The lake bucket's keys under <paramref name="prefix"/>, sorted.</summary>
    public IReadOnlyList<string> LakeKeys(string prefix)
    {
        var bucket = LakeFiles.BucketFolder(Root, LakeBucket);
        var folder = Path.Combine(bucket, prefix);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(bucket, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    private List<string> Query(string prefix, string select)
    {
        var folder = Path.Combine(LakeFiles.BucketFolder(Root, LakeBucket), prefix);
        if (!Directory.Exists(folder) || !Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories).Any()) return [];
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"WITH rows AS (SELECT * FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = false)) {select}";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.GetString(0));
        return rows;
    }

    public void Dispose()
    {
        stream.Dispose();
        temp.Dispose();
    }
}
