using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Warehouse;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench warehouse`: a month of minute-by-minute readings for three cities in the lake, loaded into the warehouse with
/// COPY; one aggregate on Athena over JSON.gz, Athena over Parquet and the warehouse table; then an incremental refresh of a
/// streaming materialized view over new stream records. All in one run, so the ratios compare like with like.
/// </summary>
internal static class WarehouseBench
{
    private static readonly string[] CityNames = ["London", "Manchester", "Edinburgh"];

    public static void AddTo(RootCommand root)
    {
        var days = new Option<int>("--days") { Description = "Days of readings for the three cities.", DefaultValueFactory = _ => 30 };
        var streamRecords = new Option<int>("--stream-records") { Description = "New stream records the incremental refresh reads.", DefaultValueFactory = _ => 100_000 };
        var json = BenchReport.JsonOption();
        var command = new Command("warehouse", "Measure COPY from the lake, one aggregate on Athena and on the warehouse, and an incremental streaming refresh.") { days, streamRecords, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (dayCount, recordCount) = (parse.GetValue(days), parse.GetValue(streamRecords));
            if (dayCount is < 1 or > 366) throw new ArgumentException($"--days {dayCount} is out of range: give 1 to 366.");
            if (recordCount is < 1 or > 10_000_000) throw new ArgumentException($"--stream-records {recordCount} is out of range: give 1 to 10,000,000.");
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var folder = Directory.CreateTempSubdirectory("workshop-bench-warehouse-").FullName;
            try
            {
                var report = new BenchReport("warehouse");
                await RunAsync(report, folder, dayCount, recordCount, cancellationToken);
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

    private static async Task RunAsync(BenchReport report, string folder, int dayCount, int streamRecordCount, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var session = await Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = folder });
        session.Clock.SetStart(start.AddDays(dayCount));
        await session.EnsurePipelineAsync(cancellationToken);
        var local = session.Local!;
        var cluster = local.Warehouse.Clusters().Single();
        var warehouse = local.Warehouse.Cluster(cluster.Identifier);
        var role = cluster.IamRoles[0];

        var records = await WriteMonthAsync(session, start, dayCount, cancellationToken);
        await session.CrawlAsync(cancellationToken: cancellationToken);
        await session.Catalog.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp", cancellationToken: cancellationToken);
        await session.QueryAsync($"CREATE TABLE weather_parquet WITH (format = 'PARQUET', external_location = 's3://{session.Names.LakeBucket}/weather-parquet/') AS SELECT city, temperature, measurement_time FROM raw_weather_data", cancellationToken: cancellationToken);

        warehouse.Execute("CREATE TABLE weather_readings (city VARCHAR(40), temperature FLOAT8, measurement_time TIMESTAMP, collection_time TIMESTAMP, source VARCHAR(20), wind_speed FLOAT8, weather_code INT4) DISTKEY (city) SORTKEY (measurement_time)", cancellationToken);
        var watch = Stopwatch.StartNew();
        var copy = warehouse.Execute($"COPY weather_readings FROM 's3://{session.Names.LakeBucket}/weather-data/' IAM_ROLE '{role}' FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'", cancellationToken);
        var copyTime = watch.Elapsed;
        if (copy.RowsAffected != records) Terminal.Tell($"Warning: COPY loaded {copy.RowsAffected:N0} rows of {records:N0}.");

        const string aggregate = "SELECT city, COUNT(*) AS readings, AVG(temperature) AS mean_temp, MIN(temperature) AS lowest, MAX(temperature) AS highest FROM {0} GROUP BY city ORDER BY city";
        var json = await BestOfThreeAsync(async () => (await session.QueryAsync(string.Format(aggregate, "raw_weather_data"), cancellationToken: cancellationToken)).Rows);
        var parquet = await BestOfThreeAsync(async () => (await session.QueryAsync(string.Format(aggregate, "weather_parquet"), cancellationToken: cancellationToken)).Rows);
        var table = await BestOfThreeAsync(() => Task.FromResult(warehouse.Execute(string.Format(aggregate, "weather_readings"), cancellationToken).Rows));
        // The same aggregate through the Data API, timed as DescribeStatement reports it: the statement alone, without opening the file.
        var onCluster = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var result = await session.Warehouse.QueryAsync(string.Format(aggregate, "weather_readings"), cancellationToken);
            if (result.Duration < onCluster) onCluster = result.Duration;
        }
        var counted = new[] { json, parquet, table }.Select(r => r.Rows.Sum(row => Convert.ToInt64(row[1]))).ToArray();

        var (refreshTime, refreshed) = await RefreshAsync(session, warehouse, role, streamRecordCount, cancellationToken);

        AnsiConsole.MarkupLineInterpolated($"{records:N0} readings ({CityNames.Length} cities x {dayCount} days) in {records / 1440 / CityNames.Length * CityNames.Length:N0} objects.");
        var figures = report.Table("COPY, one aggregate on three engines, and a streaming refresh", "Measured", "Time", "Rate or ratio");
        figures.AddRow("COPY a month from the lake (JSON.gz)", BenchValue.Of(copyTime.TotalSeconds, "F2", " s"), BenchValue.Of(copy.RowsAffected / copyTime.TotalSeconds, "N0", " records/s"));
        figures.AddRow("Aggregate, Athena over JSON.gz", Ms(json.Time), BenchValue.Of(json.Time / table.Time, "F1", "x the warehouse"));
        figures.AddRow("Aggregate, Athena over Parquet", Ms(parquet.Time), BenchValue.Of(parquet.Time / table.Time, "F1", "x the warehouse"));
        figures.AddRow("Aggregate, warehouse table", Ms(table.Time), BenchValue.Of(1, "F1", "x"));
        figures.AddRow("  the same, DescribeStatement's Duration", Ms(onCluster), BenchValue.Of(onCluster / table.Time, "F2", "x of its wall time"));
        figures.AddRow($"Incremental REFRESH of {streamRecordCount:N0} new stream records", BenchValue.Of(refreshTime.TotalSeconds, "F2", " s"), BenchValue.Of(refreshed / refreshTime.TotalSeconds, "N0", " records/s"));
        report.Print(figures);
        report.Figure("copyRecordsPerSecond", copy.RowsAffected / copyTime.TotalSeconds, "records/s");
        report.Figure("athenaJsonOverWarehouse", json.Time / table.Time, "x");
        report.Figure("athenaParquetOverWarehouse", parquet.Time / table.Time, "x");
        report.Figure("refreshRecordsPerSecond", refreshed / refreshTime.TotalSeconds, "records/s");
        if (counted.Distinct().Count() == 1) AnsiConsole.MarkupLineInterpolated($"[green]All three engines count {counted[0]:N0} readings.[/]");
        else Terminal.Tell($"Warning: the engines count {string.Join(", ", counted.Select(c => c.ToString("N0")))} readings.");
        if (refreshed != streamRecordCount) Terminal.Tell($"Warning: the refresh added {refreshed:N0} rows for {streamRecordCount:N0} records.");
    }

    private static BenchValue Ms(TimeSpan time) => BenchValue.Of(time.TotalMilliseconds, "N0", " ms");

    private static Task<long> WriteMonthAsync(WorkshopSession session, DateTimeOffset start, int dayCount, CancellationToken cancellationToken) =>
        MonthOfReadings.WriteAsync(session, "weather-data/", start, dayCount, session.Cities.Where(c => CityNames.Contains(c.Name)).ToArray(), cancellationToken: cancellationToken);

    /// <summary>
    /// A streaming view made over the stream while it is empty, then <paramref name="count"/> records put on it (a second of
    /// the clock per call of 500, within the shards' write limits), and the one refresh that reads them, timed.
    /// </summary>
    private static async Task<(TimeSpan Time, long Rows)> RefreshAsync(WorkshopSession session, LocalWarehouse warehouse, string role, int count, CancellationToken cancellationToken)
    {
        warehouse.Execute($"CREATE EXTERNAL SCHEMA kinesis FROM KINESIS IAM_ROLE '{role}'", cancellationToken);
        warehouse.Execute($"CREATE MATERIALIZED VIEW bench_stream AUTO REFRESH NO AS SELECT approximate_arrival_timestamp, partition_key, shard_id, sequence_number, refresh_time, JSON_PARSE(kinesis_data) AS payload FROM kinesis.\"{session.Names.StreamName}\" WHERE CAN_JSON_PARSE(kinesis_data)", cancellationToken);
        var before = Convert.ToInt64(warehouse.Execute("SELECT COUNT(*) FROM bench_stream", cancellationToken).Rows[0][0]);
        var weather = new SimulatedWeatherSource(2);
        var cities = session.Cities.Where(c => CityNames.Contains(c.Name)).ToArray();
        var clock = session.Local!.Clock;
        for (var sent = 0; sent < count;)
        {
            var batch = Enumerable.Range(sent, Math.Min(500, count - sent))
                .Select(i => cities[i % cities.Length])
                .Select((city, i) => new PutRecordsEntry(weather.Read(city, clock.GetUtcNow().AddSeconds(-i)).ToJson(), city.Name + "-" + (sent + i))).ToArray();
            var put = await session.Stream.PutRecordsAsync(session.Names.StreamName, batch, cancellationToken);
            sent += batch.Length - put.FailedRecordCount;
            clock.MoveBy(TimeSpan.FromSeconds(1));
        }
        var watch = Stopwatch.StartNew();
        warehouse.Execute("REFRESH MATERIALIZED VIEW bench_stream", cancellationToken);
        var time = watch.Elapsed;
        var after = Convert.ToInt64(warehouse.Execute("SELECT COUNT(*) FROM bench_stream", cancellationToken).Rows[0][0]);
        return (time, after - before);
    }

    private static async Task<(TimeSpan Time, IReadOnlyList<object?[]> Rows)> BestOfThreeAsync(Func<Task<IReadOnlyList<object?[]>>> run)
    {
        var best = TimeSpan.MaxValue;
        IReadOnlyList<object?[]> rows = [];
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            rows = await run();
            if (watch.Elapsed < best) best = watch.Elapsed;
        }
        return (best, rows);
    }
}
