using System.IO.Compression;
using System.Text;
using StreamingWorkshop;
using StreamingWorkshop.Jobs;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Jobs;

/// <summary>A workspace with a lake bucket and a catalog database of their own, on a clock set to a known start.</summary>
public sealed class BatchJobFixture : IAsyncLifetime
{
    public const string Bucket = "jobs-test-lake";
    public const string Database = "jobs_test_db";
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public TempWorkspace Temp { get; } = new();
    public WorkshopSession Session { get; private set; } = null!;
    public LocalJobService Jobs => Session.Local!.Jobs;

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root });
        var local = Session.Local!;
        if (local.Clock.IsUnset) local.Clock.SetStart(Start);
        await local.Lake.CreateBucketAsync(Bucket);
        local.Catalog.CreateDatabase(Database);
    }

    /// <summary>A batch job as the stack defines one, writing its own table under its own prefixes so tests do not meet.</summary>
    public GlueJob PutJob(string name, string? bookmark = "job-bookmark-enable", int timeoutMinutes = 30)
    {
        var arguments = new Dictionary<string, string>
        {
            ["--database"] = Database, ["--lake_bucket"] = Bucket, ["--raw_prefix"] = $"{name}/raw/",
            ["--curated_prefix"] = $"{name}/curated/", ["--curated_table"] = name.Replace('-', '_'),
        };
        if (bookmark is not null) arguments["--job-bookmark-option"] = bookmark;
        var job = new GlueJob(name, "arn:aws:iam::123456789012:role/jobs-test-role", new JobCommand(JobCommandNames.Batch, $"s3://{Bucket}/scripts/curate_batch.py"),
            arguments, "4.0", "G.1X", 2, timeoutMinutes);
        Jobs.PutJob(job);
        return job;
    }

    /// <summary>Puts readings (one JSON object a line) as one gzip raw object at the clock's time.</summary>
    public async Task PutRawAsync(string job, string name, params string[] lines)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest)) zip.Write(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        await Session.Local!.Lake.PutObjectAsync(Bucket, $"{job}/raw/{name}.gz", buffer.ToArray());
    }

    public static string Reading(string city, double temperature, string measured, string collected, string extra = "") =>
        $$"""{"city":"{{city}}","temperature":{{temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"measurement_time":"{{measured}}","collection_time":"{{collected}}","source":"test"{{extra}}}""";

    /// <summary>Starts a run, moves the clock two minutes on (past any small run's end) and returns the settled run.</summary>
    public async Task<JobRun> RunToEndAsync(string job, IReadOnlyDictionary<string, string>? arguments = null)
    {
        var id = await Jobs.StartJobRunAsync(job, arguments);
        Session.Local!.Clock.Advance(TimeSpan.FromMinutes(2));
        return await Jobs.GetJobRunAsync(job, id);
    }

    public IReadOnlyList<object?[]> Curated(string job, params string[] partition) =>
        Jobs.CuratedTables.ReadPartition(new CuratedTableSpec(Database, Bucket, job.Replace('-', '_'), $"{job}/curated/", ReadingsCuration.CuratedColumns, ReadingsCuration.PartitionColumns), partition);

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Temp.Dispose();
    }
}
