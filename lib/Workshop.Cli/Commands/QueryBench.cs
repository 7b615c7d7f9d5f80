using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench query`: a month of minute-by-minute readings for many cities in the lake's layout, crawled, then a
/// partition-pruned and a full-scan aggregate on the raw JSON.gz, and the same after CTAS to Parquet, in one run.
/// The lake here holds one object per city per day (the workshop's delivery would write one a minute, millions of
/// tiny files for a month; the small-files cost is a separate lesson).
/// </summary>
internal static class QueryBench
{
    public static void AddTo(RootCommand root)
    {
        var cities = new Option<int>("--cities") { Description = "Number of cities.", DefaultValueFactory = _ => 100 };
        var days = new Option<int>("--days") { Description = "Number of days.", DefaultValueFactory = _ => 30 };
        var command = new Command("query", "Measure pruned and full-scan aggregates on JSON.gz and on Parquet.") { cities, days };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = Directory.CreateTempSubdirectory("workshop-bench-query-").FullName;
            try
            {
                await RunAsync(folder, parse.GetValue(cities), parse.GetValue(days), cancellationToken);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
    }

    private static async Task RunAsync(string folder, int cityCount, int dayCount, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var session = await Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = folder });
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

        var probe = $"City{cityCount / 2:D3}";
        var prunedJson = $"SELECT city, AVG(temperature) AS mean_temp, MAX(temperature) AS highest FROM raw_weather_data WHERE location = '{probe}' AND year = '2025' AND month = '01' AND day = '15' GROUP BY city";
        const string fullJson = "SELECT location, COUNT(*) AS readings, AVG(temperature) AS mean_temp, MIN(temperature) AS lowest, MAX(temperature) AS highest FROM raw_weather_data GROUP BY location";
        var rows = new List<(string Name, TimeSpan Time, QueryResult Result)>();
        async Task Measure(string name, string sql)
        {
            var (time, result) = await TimeAsync(session, sql, cancellationToken);
            rows.Add((name, time, result));
        }
        await Measure("JSON.gz, one city and day (pruned)", prunedJson);
        await Measure("JSON.gz, all data (full scan)", fullJson);

        watch.Restart();
        await session.QueryAsync($"CREATE TABLE weather_parquet WITH (format = 'PARQUET', external_location = 's3://{session.Names.LakeBucket}/weather-parquet/', partitioned_by = ARRAY['location']) AS SELECT city, temperature, measurement_time, year, month, day, location FROM raw_weather_data", cancellationToken: cancellationToken);
        var ctas = watch.Elapsed;
        var prunedParquet = $"SELECT city, AVG(temperature) AS mean_temp, MAX(temperature) AS highest FROM weather_parquet WHERE location = '{probe}' AND day = '15' GROUP BY city";
        const string fullParquet = "SELECT location, COUNT(*) AS readings, AVG(temperature) AS mean_temp, MIN(temperature) AS lowest, MAX(temperature) AS highest FROM weather_parquet GROUP BY location";
        await Measure("Parquet, one city and day (pruned)", prunedParquet);
        await Measure("Parquet, all data (full scan)", fullParquet);

        var table = new Table().AddColumns("Query", "Wall time (best of 3)", "Data scanned", "Objects", "Estimated cost");
        foreach (var (name, time, result) in rows)
            table.AddRow(name, $"{time.TotalMilliseconds:N0} ms", QueryResult.Scanned(result.Statistics.DataScannedInBytes), result.Statistics.FilesScanned is { } files ? $"{files:N0}" : "n/a", $"${result.Statistics.EstimatedCostUsd:0.000000}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"CTAS to Parquet took {ctas.TotalSeconds:F1} s.");
        AnsiConsole.MarkupLineInterpolated($"Full scan, JSON.gz / Parquet: {rows[1].Time / rows[3].Time:F1}x. Pruned / full scan on JSON.gz: {rows[0].Time / rows[1].Time:F3}. Data scanned, JSON.gz / Parquet (full): {rows[1].Result.Statistics.DataScannedInBytes / (double)rows[3].Result.Statistics.DataScannedInBytes:F1}x.");
        var same = rows[1].Result.Rows.Count == rows[3].Result.Rows.Count
                   && rows[1].Result.Column<long>("readings").Sum() == rows[3].Result.Column<long>("readings").Sum();
        var counts = $"Both full scans count {rows[1].Result.Column<long>("readings").Sum():N0} and {rows[3].Result.Column<long>("readings").Sum():N0} readings.";
        if (same) AnsiConsole.MarkupLine("[green]" + Markup.Escape(counts) + "[/]");
        else Terminal.Tell($"Warning: {counts}");
    }

    private static async Task<(TimeSpan, QueryResult)> TimeAsync(WorkshopSession session, string sql, CancellationToken cancellationToken)
    {
        var best = TimeSpan.MaxValue;
        QueryResult result = null!;
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            result = await session.QueryAsync(sql, cancellationToken: cancellationToken);
            if (watch.Elapsed < best) best = watch.Elapsed;
        }
        return (best, result);
    }
}
