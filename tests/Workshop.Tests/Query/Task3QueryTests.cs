using StreamingWorkshop.Query;

namespace Workshop.Tests.Query;

/// <summary>
/// Acceptance: every query of the workshop's Task 3 runs on the crawled, edited table, and its result equals the
/// same computation done here with LINQ over the raw lake lines (never through the query engine).
/// </summary>
public sealed class Task3QueryTests(Task3Fixture day) : IClassFixture<Task3Fixture>
{
    private const string CleanView = """
        CREATE OR REPLACE VIEW clean_weather_data AS
        SELECT location, year, month, day, city, measurement_time, temperature,
               MIN(collection_time) AS first_collected,
               COUNT(*) AS times_collected
        FROM raw_weather_data
        GROUP BY location, year, month, day, city, measurement_time, temperature
        """;

    private Task<QueryResult> Query(string sql) => day.Session.QueryAsync(sql);

    private async Task<QueryResult> Clean(string sql)
    {
        await Query(CleanView);
        return await Query(sql);
    }

    /// <summary>The de-duplicated readings, as the view defines them, computed independently.</summary>
    private IEnumerable<(string City, double Temperature, DateTime MeasurementTime, DateTime FirstCollection, long Count, string Location, string Year, string Month, string Day)> CleanRows() =>
        day.Raw.GroupBy(r => (r.City, r.Temperature, r.MeasurementTime, r.Location, r.Year, r.Month, r.Day))
            .Select(g => (g.Key.City, g.Key.Temperature, g.Key.MeasurementTime, g.Min(r => r.CollectionTime), (long)g.Count(), g.Key.Location, g.Key.Year, g.Key.Month, g.Key.Day));

    private static double SampleStdDev(IReadOnlyCollection<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static void Near(double expected, object? actual, double tolerance = 1e-9) =>
        Assert.InRange(Convert.ToDouble(actual), expected - tolerance, expected + tolerance);

    /// <summary>
    /// <paramref name="actual"/> is <paramref name="exact"/> rounded to <paramref name="digits"/> decimals: a whole number
    /// of steps, and no more than half a step away (either neighbour when the exact value sits on a half step).
    /// </summary>
    private static void Rounded(double exact, object? actual, int digits)
    {
        var value = Convert.ToDouble(actual);
        var steps = value * Math.Pow(10, digits);
        Assert.True(Math.Abs(steps - Math.Round(steps)) < 1e-6, $"{value} is not rounded to {digits} decimal(s)");
        Near(exact, value, 0.5 * Math.Pow(10, -digits) + 1e-9);
    }

    [Fact]
    public async Task Preview_shows_the_ten_latest_measurements()
    {
        var result = await Query("SELECT * FROM raw_weather_data ORDER BY measurement_time DESC, city LIMIT 10");

        Assert.Equal(10, result.Rows.Count);
        Assert.Equal(day.Raw.Select(r => r.MeasurementTime).OrderDescending().Take(10), result.Column<DateTime>("measurement_time"));
        Assert.Equal("timestamp", result.Columns[result.IndexOf("measurement_time")].Type);
        Assert.Equal(["city", "temperature", "measurement_time", "collection_time", "source", "wind_speed", "weather_code", "location", "year", "month", "day"],
            result.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task The_notebooks_preview_lists_the_latest_measurements_with_their_collections_newest_first()
    {
        // The preview's SQL as notebook 03 has it: the triple-quoted text of the code cell that ends in LIMIT 10.
        var notebook = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "notebooks", "03-task3-lake-exploration.ipynb")))!;
        var cell = notebook["cells"]!.AsArray().Select(c => string.Concat(c!["source"]!.AsArray().Select(l => (string)l!)))
            .Single(source => source.Contains("LIMIT 10", StringComparison.Ordinal) && source.Contains("FROM raw_weather_data", StringComparison.Ordinal));
        var sql = cell.Split("\"\"\"")[1];

        var result = await Query(sql);

        var expected = day.Raw.OrderByDescending(r => r.MeasurementTime).ThenBy(r => r.City, StringComparer.Ordinal)
            .ThenByDescending(r => r.CollectionTime).Take(10).ToList();
        Assert.Equal(expected.Select(r => r.City), result.Column<string>("city"));
        // A measurement's repeats read newest collection first, a minute apart, not in whatever order the files gave.
        Assert.Equal(expected.Select(r => r.CollectionTime), result.Column<DateTime>("collection_time"));
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
            throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
        }
    }

    [Fact]
    public async Task Raw_rows_in_city_and_time_order_show_each_reading_repeated()
    {
        var result = await Query("SELECT city, measurement_time, collection_time FROM raw_weather_data ORDER BY city, measurement_time, collection_time LIMIT 30");

        var expected = day.Raw.OrderBy(r => r.City, StringComparer.Ordinal).ThenBy(r => r.MeasurementTime).ThenBy(r => r.CollectionTime).Take(30).ToList();
        Assert.Equal(expected.Select(r => r.City), result.Column<string>("city"));
        Assert.Equal(expected.Select(r => r.CollectionTime), result.Column<DateTime>("collection_time"));
        Assert.True(result.Column<DateTime>("measurement_time").Distinct().Count() < 30);
    }

    [Fact]
    public async Task The_clean_view_keeps_one_row_per_reading_with_its_first_collection_and_count()
    {
        var result = await Clean("SELECT * FROM clean_weather_data ORDER BY city, measurement_time");

        var expected = CleanRows().OrderBy(r => r.City, StringComparer.Ordinal).ThenBy(r => r.MeasurementTime).ToList();
        Assert.Equal(expected.Count, result.Rows.Count);
        Assert.Equal(expected.Select(r => r.FirstCollection), result.Column<DateTime>("first_collected"));
        Assert.Equal(expected.Select(r => r.Count), result.Column<long>("times_collected"));
        Assert.Equal(expected.Select(r => r.Temperature), result.Column<double>("temperature"));
    }

    [Fact]
    public async Task Hourly_trend_per_city()
    {
        var result = await Clean("""
            SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp, COUNT(*) AS readings
            FROM clean_weather_data
            WHERE month = '01' AND year = '2025'
            GROUP BY 1, 2
            ORDER BY city, hour_start DESC
            """);

        var expected = CleanRows().GroupBy(r => (r.City, Hour: r.MeasurementTime.Date.AddHours(r.MeasurementTime.Hour)))
            .OrderBy(g => g.Key.City, StringComparer.Ordinal).ThenByDescending(g => g.Key.Hour).ToList();
        Assert.Equal(expected.Count, result.Rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Key.City, result[i, "city"]);
            Assert.Equal(expected[i].Key.Hour, result[i, "hour_start"]);
            Near(expected[i].Average(r => r.Temperature), result[i, "mean_temp"]);
            Assert.Equal((long)expected[i].Count(), Convert.ToInt64(result[i, "readings"]));
        }
    }

    [Fact]
    public async Task City_comparison_with_rounded_statistics()
    {
        var result = await Clean("""
            SELECT city, COUNT(*) AS readings, ROUND(MIN(temperature), 1) AS lowest,
                   ROUND(AVG(temperature), 1) AS mean_temp, ROUND(MAX(temperature), 1) AS highest,
                   ROUND(STDDEV(temperature), 2) AS spread
            FROM clean_weather_data
            WHERE month = '01' AND year = '2025'
            GROUP BY city
            ORDER BY mean_temp DESC
            """);

        var expected = CleanRows().GroupBy(r => r.City).Select(g => (City: g.Key, Count: g.Count(), Values: g.Select(r => r.Temperature).ToList()))
            .OrderByDescending(g => Math.Round(g.Values.Average(), 1)).ToList();
        Assert.Equal(expected.Select(e => e.City), result.Column<string>("city"));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((long)expected[i].Count, Convert.ToInt64(result[i, "readings"]));
            // Rounded values are held to a whole step and half a step either way, so a rounding to the wrong step or direction shows.
            Rounded(expected[i].Values.Average(), result[i, "mean_temp"], 1);
            Near(expected[i].Values.Min(), result[i, "lowest"]);
            Near(expected[i].Values.Max(), result[i, "highest"]);
            Rounded(SampleStdDev(expected[i].Values), result[i, "spread"], 2);
        }
    }

    [Fact]
    public async Task Collection_quality_per_city_and_day()
    {
        var result = await Clean("""
            SELECT DATE(measurement_time) AS reading_date, city, COUNT(*) AS readings,
                   AVG(times_collected) AS mean_collections, MAX(times_collected) AS most_collections
            FROM clean_weather_data
            WHERE month = '01' AND year = '2025'
            GROUP BY 1, 2
            ORDER BY reading_date DESC, city
            """);

        var expected = CleanRows().GroupBy(r => (r.City, Date: DateOnly.FromDateTime(r.MeasurementTime)))
            .OrderByDescending(g => g.Key.Date).ThenBy(g => g.Key.City, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(e => e.Key.City), result.Column<string>("city"));
        Assert.Equal("date", result.Columns[result.IndexOf("reading_date")].Type);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((long)expected[i].Count(), Convert.ToInt64(result[i, "readings"]));
            Near(expected[i].Average(r => (double)r.Count), result[i, "mean_collections"]);
            Assert.Equal(expected[i].Max(r => r.Count), Convert.ToInt64(result[i, "most_collections"]));
        }
    }

    [Fact]
    public async Task One_city_by_day_through_the_partition_columns()
    {
        var result = await Clean("""
            SELECT DATE(measurement_time) AS reading_date, city, AVG(temperature) AS mean_temp, MIN(temperature) AS lowest, MAX(temperature) AS highest
            FROM clean_weather_data
            WHERE month = '01' AND year = '2025' AND location = 'London'
            GROUP BY 1, 2
            ORDER BY reading_date DESC
            """);

        var london = CleanRows().Where(r => r.Location == "London").ToList();
        Assert.Equal(["London"], result.Column<string>("city"));
        Near(london.Average(r => r.Temperature), result[0, "mean_temp"]);
        Near(london.Min(r => r.Temperature), result[0, "lowest"]);
        Near(london.Max(r => r.Temperature), result[0, "highest"]);
    }

    [Fact]
    public async Task Hour_on_hour_change_with_LAG()
    {
        var result = await Clean("""
            WITH per_hour AS (
                SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp
                FROM clean_weather_data
                WHERE month = '01' AND year = '2025'
                GROUP BY 1, 2
            )
            SELECT city, hour_start, mean_temp,
                   LAG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start) AS previous_temp,
                   ROUND(mean_temp - LAG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start), 2) AS change
            FROM per_hour
            ORDER BY city, hour_start DESC
            """);

        var hourly = CleanRows().GroupBy(r => (r.City, Hour: r.MeasurementTime.Date.AddHours(r.MeasurementTime.Hour)))
            .Select(g => (g.Key.City, g.Key.Hour, Avg: g.Average(r => r.Temperature))).ToList();
        var expected = hourly.GroupBy(h => h.City).SelectMany(g =>
        {
            var ordered = g.OrderBy(h => h.Hour).ToList();
            return ordered.Select((h, i) => (h.City, h.Hour, h.Avg, Previous: i == 0 ? (double?)null : ordered[i - 1].Avg));
        }).OrderBy(e => e.City, StringComparer.Ordinal).ThenByDescending(e => e.Hour).ToList();

        Assert.Equal(expected.Count, result.Rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Hour, result[i, "hour_start"]);
            if (expected[i].Previous is { } previous)
            {
                Near(previous, result[i, "previous_temp"]);
                Rounded(expected[i].Avg - previous, result[i, "change"], 2);
            }
            else
            {
                Assert.Null(result[i, "previous_temp"]);
                Assert.Null(result[i, "change"]);
            }
        }
    }

    [Fact]
    public async Task Gap_check_per_partition_counts_hours_seen()
    {
        var result = await Clean("""
            SELECT location, year, month, day, COUNT(*) AS readings,
                   COUNT(DISTINCT hour(measurement_time)) AS hours_covered,
                   MIN(measurement_time) AS earliest, MAX(measurement_time) AS latest
            FROM clean_weather_data
            WHERE month = '01' AND year = '2025'
            GROUP BY 1, 2, 3, 4
            ORDER BY location, day DESC
            """);

        var expected = CleanRows().GroupBy(r => (r.Location, r.Year, r.Month, r.Day)).OrderBy(g => g.Key.Location, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(e => e.Key.Location), result.Column<string>("location"));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((long)expected[i].Count(), Convert.ToInt64(result[i, "readings"]));
            Assert.Equal((long)expected[i].Select(r => r.MeasurementTime.Hour).Distinct().Count(), Convert.ToInt64(result[i, "hours_covered"]));
            Assert.Equal(expected[i].Min(r => r.MeasurementTime), result[i, "earliest"]);
            Assert.Equal(expected[i].Max(r => r.MeasurementTime), result[i, "latest"]);
        }
    }

    [Fact]
    public async Task A_filter_on_one_of_three_cities_scans_about_a_third_of_the_bytes()
    {
        var all = await Query("SELECT COUNT(*) AS n FROM raw_weather_data");
        var london = await Query("SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'London'");

        var londonObjects = Directory.EnumerateFiles(Path.Combine(day.Workspace, "lake", day.Session.Names.LakeBucket, "weather-data", "location=London"), "*", SearchOption.AllDirectories).ToList();
        Assert.Equal(londonObjects.Sum(f => new FileInfo(f).Length), london.Statistics.DataScannedInBytes);
        Assert.Equal(londonObjects.Count, london.Statistics.FilesScanned);
        Assert.InRange(london.Statistics.DataScannedInBytes / (double)all.Statistics.DataScannedInBytes, 0.28, 0.39);
        Assert.Equal((long)day.Raw.Count(r => r.Location == "London"), london.Column<long>("n")[0]);
    }

    [Fact]
    public async Task Pruning_reaches_through_the_view_to_the_table_partitions()
    {
        var london = await Clean("SELECT COUNT(*) AS n FROM clean_weather_data WHERE location = 'London'");
        var all = await Query("SELECT COUNT(*) AS n FROM clean_weather_data");

        Assert.InRange(london.Statistics.DataScannedInBytes / (double)all.Statistics.DataScannedInBytes, 0.28, 0.39);
    }

    [Fact]
    public async Task The_summary_prices_a_get_for_every_object_the_query_opened_so_pruning_saves_on_requests()
    {
        var all = await Query("SELECT COUNT(*) AS n FROM raw_weather_data");
        var london = await Query("SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'London'");

        // Counted here from the lake's files, priced at S3 Standard's $0.0004 per 1,000 GET requests.
        var lake = Path.Combine(day.Workspace, "lake", day.Session.Names.LakeBucket, "weather-data");
        var allObjects = Directory.EnumerateFiles(lake, "*.gz", SearchOption.AllDirectories).Count();
        var londonObjects = Directory.EnumerateFiles(Path.Combine(lake, "location=London"), "*.gz", SearchOption.AllDirectories).Count();
        Assert.Equal(allObjects * 0.0004m / 1000, all.Statistics.EstimatedS3GetCostUsd);
        Assert.Equal(londonObjects * 0.0004m / 1000, london.Statistics.EstimatedS3GetCostUsd);
        // Both are billed Athena's 10 MB minimum, yet the pruned one opens a third of the objects.
        Assert.Equal(all.Statistics.EstimatedCostUsd, london.Statistics.EstimatedCostUsd);
        Assert.True(london.Statistics.EstimatedS3GetCostUsd < all.Statistics.EstimatedS3GetCostUsd);
        Assert.Equal($"S3 GETs, estimated at S3 Standard's us-east-1 price: {allObjects:N0} × $0.0004 per 1,000 = ${allObjects * 0.0004m / 1000:0.000000}",
            all.SummaryLines[1]);
    }

    [Fact]
    public async Task Statistics_bill_at_least_10_MB_at_5_dollars_per_TB()
    {
        var result = await Query("SELECT COUNT(*) AS n FROM raw_weather_data");

        Assert.True(result.Statistics.DataScannedInBytes < 10_000_000);
        Assert.Equal(10_000_000m / 1_000_000_000_000m * 5m, result.Statistics.EstimatedCostUsd);
        Assert.Contains("Data scanned:", result.ToHtml());
    }

    [Fact]
    public async Task Results_are_written_to_the_results_bucket_as_Athena_writes_csv()
    {
        var result = await Query("SELECT city, measurement_time, CAST(NULL AS varchar) AS nothing FROM raw_weather_data ORDER BY measurement_time, city LIMIT 1");

        var csv = File.ReadAllText(Path.Combine(day.Workspace, "lake", day.Session.Names.ResultsBucket, result.Execution.QueryExecutionId + ".csv"));
        Assert.Equal("\"city\",\"measurement_time\",\"nothing\"\n\"Edinburgh\",\"2025-01-14 00:00:00.000\",\n", csv);
        Assert.True(File.Exists(Path.Combine(day.Workspace, "lake", day.Session.Names.ResultsBucket, result.Execution.QueryExecutionId + ".csv.metadata")));
    }

    [Fact]
    public async Task Results_page_with_a_header_row_first_and_convert_to_a_DataFrame()
    {
        var result = await Query("SELECT city, COUNT(*) AS n FROM raw_weather_data GROUP BY city ORDER BY city");
        var (_, rows, next) = day.Session.Local!.Athena.GetQueryResults(result.Execution.QueryExecutionId, maxResults: 2);
        var frame = result.ToDataFrame();

        Assert.Equal(new[] { "city", "n" }, rows[0].Select(v => v ?? ""));
        Assert.Equal(new[] { "Edinburgh", "1440" }, rows[1].Select(v => v ?? ""));
        Assert.NotNull(next);
        Assert.Equal(3, frame.Rows.Count);
        Assert.Equal(1440L, frame.Columns["n"][0]);
    }
}
