using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Spectre.Console;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench query`: a month of minute-by-minute readings for many cities in the lake's layout, crawled, then a
/// partition-pruned and a full-scan aggregate on the raw JSON.gz, and the same after CTAS to Parquet, in one run.
/// Each query is also run at its floor: the same SQL in this process on a warm DuckDB engine, straight over the
/// objects the kit's query read, so kit / floor is what the kit adds around the engine. Then the Task 3 notebook's
/// queries on a simulated day, with their median. The lake here holds one object per city per day (the workshop's
/// delivery would write one a minute, millions of tiny files for a month; the small-files cost is a separate lesson).
/// </summary>
internal static class QueryBench
{
    private const int Runs = 3;
    private const int MaxRuns = 200;

    public static void AddTo(RootCommand root)
    {
        var cities = new Option<int>("--cities") { Description = "Number of cities.", DefaultValueFactory = _ => 100 };
        var days = new Option<int>("--days") { Description = "Number of days.", DefaultValueFactory = _ => 30 };
        var json = BenchReport.JsonOption();
        var command = new Command("query", "Measure pruned and full-scan aggregates on JSON.gz and on Parquet, and the Task 3 queries, against their floor.") { cities, days, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var (cityCount, dayCount) = (parse.GetValue(cities), parse.GetValue(days));
            if (cityCount < 1) throw new ArgumentException($"--cities {cityCount} is too small: give at least 1.");
            if (dayCount < 1) throw new ArgumentException($"--days {dayCount} is too small: give at least 1.");
            var report = new BenchReport("query");
            var folder = Directory.CreateTempSubdirectory("workshop-bench-query-").FullName;
            try
            {
                await LakeQueriesAsync(report, folder, cityCount, dayCount, cancellationToken);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            folder = Directory.CreateTempSubdirectory("workshop-bench-query-day-").FullName;
            try
            {
                await Task3QueriesAsync(report, folder, cancellationToken);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            report.WriteJson(jsonPath);
            return 0;
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
    }

    private sealed record Measured(string Name, TimeSpan Kit, TimeSpan Floor, QueryResult Result)
    {
        public double Ratio => Kit / Floor;
    }

    private static async Task LakeQueriesAsync(BenchReport report, string folder, int cityCount, int dayCount, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var session = await Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = folder });
        var local = session.Local ?? throw new InvalidOperationException("bench query measures the local engine; run it without --backend aws.");
        session.Clock.SetStart(start.AddDays(dayCount));
        await session.EnsurePipelineAsync(cancellationToken);

        var watch = Stopwatch.StartNew();
        var towns = Enumerable.Range(0, cityCount).Select(i => new City($"City{i:D3}", 50 + i % 9 * 0.7, -4 + i % 7 * 0.6)).ToArray();
        var records = await Warehouse.MonthOfReadings.WriteAsync(session, "weather-data/", start, dayCount, towns, cancellationToken: cancellationToken);
        var generated = watch.Elapsed;
        watch.Restart();
        await session.CrawlAsync(cancellationToken: cancellationToken);
        await session.Catalog.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp", cancellationToken: cancellationToken);
        var crawled = watch.Elapsed;
        AnsiConsole.MarkupLineInterpolated($"{records:N0} records, {cityCount} cities x {dayCount} days, written in {generated.TotalSeconds:F1} s; crawled in {crawled.TotalSeconds:F1} s.");

        using var floor = new QueryFloor(local.Workspace, local.Clock);
        var probe = $"City{cityCount / 2:D3}";
        var rows = new List<Measured>();
        async Task Measure(string name, string table, string sql) =>
            rows.Add(await MeasureAsync(session, local, floor, name, sql, [table], [], cancellationToken));

        await LakeAtRestAsync(cancellationToken);
        await Measure("JSON.gz pruned", "raw_weather_data",
            $"SELECT city, AVG(temperature) AS mean_temp, MAX(temperature) AS highest FROM raw_weather_data WHERE location = '{probe}' AND year = '2025' AND month = '01' AND day = '15' GROUP BY city");
        await Measure("JSON.gz full scan", "raw_weather_data",
            "SELECT location, COUNT(*) AS readings, AVG(temperature) AS mean_temp, MIN(temperature) AS lowest, MAX(temperature) AS highest FROM raw_weather_data GROUP BY location");

        watch.Restart();
        await session.QueryAsync($"CREATE TABLE weather_parquet WITH (format = 'PARQUET', external_location = 's3://{session.Names.LakeBucket}/weather-parquet/', partitioned_by = ARRAY['location']) AS SELECT city, temperature, measurement_time, year, month, day, location FROM raw_weather_data", cancellationToken: cancellationToken);
        var ctas = watch.Elapsed;
        await LakeAtRestAsync(cancellationToken);
        await Measure("Parquet pruned", "weather_parquet",
            $"SELECT city, AVG(temperature) AS mean_temp, MAX(temperature) AS highest FROM weather_parquet WHERE location = '{probe}' AND day = '15' GROUP BY city");
        await Measure("Parquet full scan", "weather_parquet",
            "SELECT location, COUNT(*) AS readings, AVG(temperature) AS mean_temp, MIN(temperature) AS lowest, MAX(temperature) AS highest FROM weather_parquet GROUP BY location");

        var table = report.Table($"Kit and floor, best of {Runs} to {MaxRuns} ({cityCount} cities x {dayCount} days)", "Query", "Kit", "Floor", "Kit/floor", "Objects", "Scanned");
        foreach (var row in rows)
            table.AddRow(row.Name, BenchValue.Milliseconds(row.Kit), BenchValue.Milliseconds(row.Floor), BenchValue.Ratio(row.Ratio),
                BenchValue.Of(row.Result.Statistics.FilesScanned ?? 0, "N0"), QueryResult.Scanned(row.Result.Statistics.DataScannedInBytes));
        report.Print(table);
        report.Figure("prunedJsonRatio", rows[0].Ratio, "x", goal: "<= 1.5");
        report.Figure("fullJsonRatio", rows[1].Ratio, "x", goal: "<= 1.2");
        report.Figure("prunedParquetRatio", rows[2].Ratio, "x", goal: "<= 1.5");
        report.Figure("fullParquetRatio", rows[3].Ratio, "x", goal: "<= 1.2");
        report.Figure("prunedJsonMs", rows[0].Kit.TotalMilliseconds, "ms");
        report.Figure("fullJsonMs", rows[1].Kit.TotalMilliseconds, "ms");
        report.Figure("ctasSeconds", ctas.TotalSeconds, "s");

        AnsiConsole.MarkupLineInterpolated($"CTAS to Parquet took {ctas.TotalSeconds:F1} s.");
        AnsiConsole.MarkupLineInterpolated($"Full scan, JSON.gz / Parquet: {rows[1].Kit / rows[3].Kit:F1}x. Pruned / full scan on JSON.gz: {rows[0].Kit / rows[1].Kit:F3}. Data scanned, JSON.gz / Parquet (full): {rows[1].Result.Statistics.DataScannedInBytes / (double)rows[3].Result.Statistics.DataScannedInBytes:F1}x.");
        var same = rows[1].Result.Rows.Count == rows[3].Result.Rows.Count
                   && rows[1].Result.Column<long>("readings").Sum() == rows[3].Result.Column<long>("readings").Sum();
        var counts = $"Both full scans count {rows[1].Result.Column<long>("readings").Sum():N0} and {rows[3].Result.Column<long>("readings").Sum():N0} readings.";
        if (same) AnsiConsole.MarkupLine("[green]" + Markup.Escape(counts) + "[/]");
        else Terminal.Tell($"Warning: {counts}");
    }

    /// <summary>
    /// The SELECT queries of the Task 3 notebook (03-task3-lake-exploration), on a workspace holding the simulated
    /// day as the notebook builds it: the day replayed, crawled, the two time columns made timestamps, the view made.
    /// </summary>
    private static async Task Task3QueriesAsync(BenchReport report, string folder, CancellationToken cancellationToken)
    {
        await using var session = await Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = folder });
        var local = session.Local ?? throw new InvalidOperationException("bench query measures the local engine; run it without --backend aws.");
        var watch = Stopwatch.StartNew();
        await session.CatchUpAsync(3, cancellationToken);
        await session.CrawlAsync(cancellationToken: cancellationToken);
        await session.Catalog.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp", cancellationToken: cancellationToken);
        await session.Catalog.AlterColumnTypeAsync("raw_weather_data", "collection_time", "timestamp", cancellationToken: cancellationToken);
        const string cleanView = """
            SELECT location, year, month, day,
                   city, measurement_time, temperature,
                   MIN(collection_time) AS first_collected,
                   COUNT(*)             AS times_collected
            FROM raw_weather_data
            GROUP BY location, year, month, day, city, measurement_time, temperature
            """;
        await session.QueryAsync($"CREATE OR REPLACE VIEW clean_weather_data AS\n{cleanView}", cancellationToken: cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"Task 3's day simulated and crawled in {watch.Elapsed.TotalSeconds:F1} s.");

        var start = session.SimulatedStart ?? throw new InvalidOperationException("The simulated day has no start; the replay did not run.");
        var (year, month, day) = (start.ToString("yyyy"), start.ToString("MM"), start.ToString("dd"));
        var clean = new[] { ("clean_weather_data", cleanView) };
        (string Name, string Sql, bool OnView)[] queries =
        [
            ("first rows", "SELECT city, date_trunc('hour', measurement_time) AS hour FROM raw_weather_data LIMIT 5", false),
            ("latest readings", "SELECT city, temperature, measurement_time, collection_time, location FROM raw_weather_data ORDER BY measurement_time DESC, city LIMIT 10", false),
            ("London's readings", "SELECT city, measurement_time, collection_time, temperature FROM raw_weather_data WHERE location = 'London' ORDER BY measurement_time, collection_time LIMIT 20", false),
            ("clean latest", "SELECT city, measurement_time, temperature, first_collected, times_collected FROM clean_weather_data ORDER BY measurement_time DESC, city LIMIT 9", true),
            ("hourly means", $"SELECT city, date_trunc('hour', measurement_time) AS hour_start, ROUND(AVG(temperature), 2) AS mean_temp, COUNT(*) AS readings FROM clean_weather_data WHERE year = '{year}' AND month = '{month}' GROUP BY 1, 2 ORDER BY city, hour_start DESC", true),
            ("city comparison", $"SELECT city, COUNT(*) AS readings, ROUND(MIN(temperature), 1) AS lowest, ROUND(AVG(temperature), 1) AS mean_temp, ROUND(MAX(temperature), 1) AS highest, ROUND(STDDEV(temperature), 2) AS spread FROM clean_weather_data WHERE year = '{year}' AND month = '{month}' GROUP BY city ORDER BY mean_temp DESC", true),
            ("duplicates per day", $"SELECT DATE(measurement_time) AS reading_date, city, COUNT(*) AS readings, AVG(times_collected) AS mean_collections, MAX(times_collected) AS most_collections FROM clean_weather_data WHERE year = '{year}' AND month = '{month}' GROUP BY 1, 2 ORDER BY reading_date DESC, city", true),
            ("raw per hour", $"SELECT city, date_trunc('hour', collection_time) AS hour, COUNT(*) AS raw_readings FROM raw_weather_data WHERE year = '{year}' AND month = '{month}' AND day = '{day}' GROUP BY city, date_trunc('hour', collection_time) ORDER BY hour", false),
            ("WHERE city", "SELECT city, AVG(temperature) AS mean_temp FROM raw_weather_data WHERE city = 'London' GROUP BY city", false),
            ("WHERE location", "SELECT city, AVG(temperature) AS mean_temp FROM raw_weather_data WHERE location = 'London' GROUP BY city", false),
            ("one city's day", $"SELECT COUNT(*) AS readings FROM raw_weather_data WHERE location = 'London' AND year = '{year}' AND month = '{month}' AND day = '{day}'", false),
            ("London daily", $"SELECT DATE(measurement_time) AS reading_date, city, ROUND(AVG(temperature), 2) AS mean_temp, MIN(temperature) AS lowest, MAX(temperature) AS highest FROM clean_weather_data WHERE year = '{year}' AND month = '{month}' AND location = 'London' GROUP BY 1, 2 ORDER BY reading_date DESC", true),
            ("hour-on-hour change", $"WITH per_hour AS (SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp FROM clean_weather_data WHERE year = '{year}' AND month = '{month}' GROUP BY 1, 2) SELECT city, hour_start, mean_temp, LAG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start) AS previous_temp, ROUND(mean_temp - LAG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start), 2) AS change FROM per_hour ORDER BY city, hour_start DESC", true),
            ("coverage", $"SELECT location, year, month, day, COUNT(*) AS readings, COUNT(DISTINCT hour(measurement_time)) AS hours_covered, MIN(measurement_time) AS earliest, MAX(measurement_time) AS latest FROM clean_weather_data WHERE year = '{year}' AND month = '{month}' GROUP BY location, year, month, day ORDER BY location, day DESC", true),
            ("mean of all", "SELECT AVG(temperature) AS mean_temp FROM raw_weather_data", false),
        ];

        using var floor = new QueryFloor(local.Workspace, local.Clock);
        var rows = new List<Measured>();
        await LakeAtRestAsync(cancellationToken);
        foreach (var (name, sql, onView) in queries)
            rows.Add(await MeasureAsync(session, local, floor, name, sql, ["raw_weather_data"], onView ? clean : [], cancellationToken));

        var table = report.Table($"Task 3 queries on the simulated day, best of {Runs} to {MaxRuns}", "Query", "Kit", "Floor", "Kit/floor", "Objects", "Scanned");
        foreach (var row in rows)
            table.AddRow(row.Name, BenchValue.Milliseconds(row.Kit), BenchValue.Milliseconds(row.Floor), BenchValue.Ratio(row.Ratio),
                BenchValue.Of(row.Result.Statistics.FilesScanned ?? 0, "N0"), QueryResult.Scanned(row.Result.Statistics.DataScannedInBytes));
        var median = Median(rows.Select(r => r.Kit.TotalMilliseconds));
        var medianRatio = Median(rows.Select(r => r.Ratio));
        table.AddRow("median", BenchValue.Of(median, median < 10 ? "0.0" : "N0", " ms"), BenchValue.Milliseconds(TimeSpan.FromMilliseconds(Median(rows.Select(r => r.Floor.TotalMilliseconds)))),
            BenchValue.Ratio(medianRatio), "", "");
        report.Print(table);
        report.Figure("task3MedianMs", median, "ms", goal: "< 50");
        report.Figure("task3MedianRatio", medianRatio, "x");
    }

    /// <summary>
    /// The kit's best and the floor's best, the two run in turn (kit, floor, kit, floor...), so both meet the same
    /// moments of the machine and the same warm-up. The kit runs once first, to learn the objects it reads:
    /// <paramref name="tables"/> are defined over those objects for the floor, and <paramref name="views"/> over them.
    /// </summary>
    private static async Task<Measured> MeasureAsync(WorkshopSession session, LocalBackend local, QueryFloor floor, string name, string sql,
        IReadOnlyList<string> tables, IReadOnlyList<(string Name, string Sql)> views, CancellationToken cancellationToken)
    {
        var result = await session.QueryAsync(sql, cancellationToken: cancellationToken);
        var objects = local.Athena.ObjectsRead(result.Execution.QueryExecutionId);
        foreach (var table in tables)
        {
            var definition = local.Catalog.GetTable(result.Execution.Database, table);
            floor.Define(definition, objects.Where(o => o.StartsWith(TableFolder(local, definition), StringComparison.Ordinal)).ToArray());
        }
        foreach (var (view, viewSql) in views) floor.DefineView(view, viewSql);
        var (rowCount, _) = floor.Run(sql);
        if (rowCount != result.Rows.Count)
            Terminal.Tell($"Warning: {name}: the floor read {rowCount:N0} rows, the kit {result.Rows.Count:N0}.");
        TimeSpan kit = TimeSpan.MaxValue, best = TimeSpan.MaxValue;
        var spent = Stopwatch.StartNew();
        for (var i = 0; MoreRuns(i, spent); i++)
        {
            var watch = Stopwatch.StartNew();
            result = await session.QueryAsync(sql, cancellationToken: cancellationToken);
            if (watch.Elapsed < kit) kit = watch.Elapsed;
            var (_, time) = floor.Run(sql);
            if (time < best) best = time;
        }
        return new Measured(name, kit, best, result);
    }

    // A query of a few milliseconds is run more often, within a second, so its best run is not one the machine interrupted.
    private static bool MoreRuns(int done, Stopwatch spent) => done < Runs || (done < MaxRuns && spent.Elapsed < TimeSpan.FromSeconds(2));

    private static string TableFolder(LocalBackend local, Catalog.GlueTable table)
    {
        var location = Catalog.S3Location.Parse(table.Location!);
        return local.Lake.GetLocalFolder(location.Bucket, location.FolderPrefix) + Path.DirectorySeparatorChar;
    }

    /// <summary>
    /// Waits until the disk has written what the bench wrote, then until the lake's folders and the catalog's files are
    /// older than the engine's wait before it trusts a file's time (up to 2 s, see FileTimes.HadSettled), so
    /// the figures are those of a lake at rest, as in a workshop where a query follows the crawl by more than that. A
    /// query on a lake just written reads its listing and the table's catalog file again each time, and its result and
    /// history files would queue behind the disk's writing back of the objects the bench made seconds before.
    /// </summary>
    private static async Task LakeAtRestAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) WriteBackEverything();
        await Task.Delay(TimeSpan.FromSeconds(2.5), cancellationToken);
    }

    /// <summary>sync(2): returns once the file systems have written every changed file (.NET has no call for it).</summary>
    [DllImport("libc", EntryPoint = "sync")]
    private static extern void WriteBackEverything();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
