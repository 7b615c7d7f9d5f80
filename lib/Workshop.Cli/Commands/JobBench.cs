using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Warehouse;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench job`: a month of minute-by-minute readings for three cities in the lake, curated by the batch job, against a plain
/// DuckDB COPY of the same objects to Parquet (the floor: reading and writing with no transformation); then the same month
/// put on the stream and read by the streaming job. Records per second are the wall clock's, taken in one run, so the
/// ratio compares like with like on this machine.
/// </summary>
internal static class JobBench
{
    private static readonly string[] CityNames = ["London", "Manchester", "Edinburgh"];
    private const string RawPrefix = "weather-data/";

    public static void AddTo(RootCommand root)
    {
        var days = new Option<int>("--days") { Description = "Days of readings for the three cities.", DefaultValueFactory = _ => 30 };
        var json = BenchReport.JsonOption();
        var command = new Command("job", "Measure the batch job on a month of readings against a plain COPY to Parquet, and the streaming job on the same month.") { days, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dayCount = parse.GetValue(days);
            if (dayCount is < 1 or > 366) throw new ArgumentException($"--days {dayCount} is out of range: give 1 to 366.");
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var folder = Directory.CreateTempSubdirectory("workshop-bench-job-").FullName;
            try
            {
                var report = new BenchReport("job");
                await RunAsync(report, folder, dayCount, cancellationToken);
                report.WriteJson(jsonPath);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
    }

    private static async Task RunAsync(BenchReport report, string folder, int dayCount, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var session = await Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = folder });
        session.Clock.SetStart(start.AddDays(dayCount));
        await session.EnsurePipelineAsync(cancellationToken);
        var local = session.Local!;
        var cities = session.Cities.Where(c => CityNames.Contains(c.Name)).ToArray();
        var records = await MonthOfReadings.WriteAsync(session, RawPrefix, start, dayCount, cities, cancellationToken: cancellationToken);

        var (floorTime, floorRows) = CopyToParquet(session, local);
        var (batchTime, batchRun) = await RunBatchJobAsync(session, cancellationToken);
        var (streamTime, streamRecords) = await RunStreamingJobAsync(session, start, dayCount, cities, cancellationToken);

        AnsiConsole.MarkupLineInterpolated($"{records:N0} readings ({cities.Length} cities × {dayCount} days) in {cities.Length * dayCount:N0} objects.");
        report.Print(Figures(report, records, (floorTime, floorRows), (batchTime, batchRun), (streamTime, streamRecords)));
        if (floorRows != records) Terminal.Tell($"Warning: the COPY wrote {floorRows:N0} rows of {records:N0}.");
        if (streamRecords != records) Terminal.Tell($"Warning: the streaming job read {streamRecords:N0} records of {records:N0}.");
    }

    /// <summary>The three measurements, one line each at 80 columns; the last column is each one's wall time over the floor's.</summary>
    internal static BenchTable Figures(BenchReport report, long records, (TimeSpan Time, long Rows) floor, (TimeSpan Time, JobRun Run) batch, (TimeSpan Time, long Records) stream)
    {
        var figures = report.Table($"{records:N0} readings: the batch and streaming jobs against a plain COPY", "Measured", "Wall time", "Records/s", "Time vs floor");
        figures.AddRow("Plain COPY to Parquet (the floor)", Seconds(floor.Time), Rate(floor.Rows, floor.Time), BenchValue.Of(1, "F1", "x"));
        figures.AddRow($"Batch job ({batch.Run.JobRunState}, {batch.Run.ExecutionTime} s virtual)", Seconds(batch.Time), Rate(records, batch.Time),
            BenchValue.Of(batch.Time / floor.Time, "F1", "x"));
        figures.AddRow("Streaming job, same readings", Seconds(stream.Time), Rate(stream.Records, stream.Time), BenchValue.Of(stream.Time / floor.Time, "F1", "x"));
        report.Figure("batchJobOverFloor", batch.Time / floor.Time, "x");
        report.Figure("streamingJobOverFloor", stream.Time / floor.Time, "x");
        return figures;
    }

    private static BenchValue Seconds(TimeSpan time) => BenchValue.Of(time.TotalSeconds, "F2", " s");

    // The column's name says the unit, so the cell shows the number alone.
    private static BenchValue Rate(long records, TimeSpan time) => new($"{records / time.TotalSeconds:N0}", records / time.TotalSeconds, "records/s");

    /// <summary>The raw objects read as JSON lines and written as one Parquet file, in the same sandboxed engine the jobs use.</summary>
    private static (TimeSpan Time, long Rows) CopyToParquet(WorkshopSession session, LocalBackend local)
    {
        var raw = Path.GetDirectoryName(local.Lake.GetLocalPath(session.Names.LakeBucket, RawPrefix + "any"))!;
        var target = local.Lake.GetLocalPath(session.Names.LakeBucket, "bench-floor/readings.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var columns = string.Join(", ", ReadingsCuration.RawColumns.Select(c => $"'{c.Name}': '{(c.HiveType == "string" ? "VARCHAR" : c.HiveType == "int" ? "INTEGER" : "DOUBLE")}'"));
        using var engine = new CuratedTables(session.Workspace, local.Lake, local.Catalog).OpenEngine();
        using var command = engine.CreateCommand();
        command.CommandText = $"COPY (SELECT * FROM read_json('{raw}/**/*.gz', format = 'newline_delimited', columns = {{{columns}}})) TO '{target}' (FORMAT PARQUET)";
        var watch = Stopwatch.StartNew();
        var rows = command.ExecuteNonQuery();
        return (watch.Elapsed, rows);
    }

    /// <summary>One run of the batch job over every raw object, from its start until it has ended.</summary>
    private static async Task<(TimeSpan Time, JobRun Run)> RunBatchJobAsync(WorkshopSession session, CancellationToken cancellationToken)
    {
        var jobs = session.Stages.Jobs;
        var watch = Stopwatch.StartNew();
        var runId = await jobs.StartJobRunAsync(session.Names.BatchJob, cancellationToken: cancellationToken);
        var run = await jobs.GetJobRunAsync(session.Names.BatchJob, runId, cancellationToken);
        while (!JobRunStates.HasEnded(run.JobRunState))
        {
            session.Local!.Clock.MoveBy(TimeSpan.FromMinutes(1));
            run = await jobs.GetJobRunAsync(session.Names.BatchJob, runId, cancellationToken);
        }
        return (watch.Elapsed, run);
    }

    /// <summary>
    /// The same readings put on the stream (500 a call, a second of the clock per call, within the shards' write limits),
    /// then the streaming job started from the trim horizon and timed until its batches have read them all.
    /// </summary>
    private static async Task<(TimeSpan Time, long Records)> RunStreamingJobAsync(WorkshopSession session, DateTimeOffset start, int dayCount, City[] cities,
        CancellationToken cancellationToken)
    {
        var clock = session.Local!.Clock;
        var weather = new SimulatedWeatherSource(1);
        var readings = (long)dayCount * 1440 * cities.Length;
        for (long sent = 0; sent < readings;)
        {
            var batch = new List<PutRecordsEntry>(500);
            for (var i = sent; i < Math.Min(sent + 500, readings); i++)
            {
                var city = cities[i % cities.Length];
                batch.Add(new PutRecordsEntry(weather.Read(city, start.AddMinutes(i / cities.Length)).ToJson(), city.Name));
            }
            var put = await session.Stream.PutRecordsAsync(session.Names.StreamName, batch, cancellationToken);
            if (put.FailedRecordCount > 0) throw new InvalidOperationException($"The stream turned away {put.FailedRecordCount} of {batch.Count} records; the bench puts within the shards' limits, so this is a fault of the kit.");
            sent += batch.Count;
            clock.MoveBy(TimeSpan.FromSeconds(1));
        }
        var jobs = session.Stages.Jobs;
        var watch = Stopwatch.StartNew();
        var runId = await jobs.StartJobRunAsync(session.Names.StreamingJob, cancellationToken: cancellationToken);
        long read = 0;
        for (var window = 0; window < 60 && read < readings; window++)
        {
            clock.MoveBy(TimeSpan.FromMinutes(1));
            read = session.Local.Jobs.StreamingBatches(session.Names.StreamingJob, runId).Sum(b => (long)b.RecordsIn);
        }
        return (watch.Elapsed, read);
    }
}
