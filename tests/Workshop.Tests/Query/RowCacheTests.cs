using System.IO.Compression;
using System.Text;
using StreamingWorkshop;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// Rows kept in the Athena engine's memory answer a query exactly as the lake's files do: the same rows in the same
/// order, the same objects billed, the same errors. Objects added, replaced or removed by anyone are seen by the next
/// query, and only those are read again.
/// </summary>
public sealed class RowCacheTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;
    private LocalAthena kept = null!;
    private LocalAthena overFiles = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root, Seed = 3 });
        await session.SimulateAsync(TimeSpan.FromHours(3), Start);
        await session.CrawlAsync();
        await session.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp");
        await session.AlterColumnTypeAsync("raw_weather_data", "collection_time", "timestamp");
        var local = session.Local!;
        kept = local.Athena;
        kept.FileClock = AnHourOn;
        overFiles = new LocalAthena(local.Workspace, local.Clock, local.Catalog, local.Lake, kept.Settings) { ReuseRows = false };
    }

    public async Task DisposeAsync()
    {
        overFiles.Dispose();
        await session.DisposeAsync();
        temp.Dispose();
    }

    public static TheoryData<string> Queries => new()
    {
        "SELECT COUNT(*) AS n FROM raw_weather_data",
        // Sums without an ORDER BY: the rows must arrive in the same order for the same last digits.
        "SELECT city, SUM(temperature) AS total, AVG(temperature) AS mean FROM raw_weather_data GROUP BY city",
        "SELECT city, measurement_time, collection_time, temperature FROM raw_weather_data ORDER BY measurement_time DESC, city LIMIT 7",
        "SELECT city, measurement_time, collection_time FROM raw_weather_data WHERE location = 'London' ORDER BY measurement_time, collection_time LIMIT 20",
        "SELECT * FROM raw_weather_data LIMIT 5",
        "SELECT EXISTS (SELECT 1 FROM raw_weather_data) AS any_rows",
        "SELECT city, COUNT(*) AS n FROM raw_weather_data WHERE location = 'London' GROUP BY city",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE (location = 'Edinburgh') AND (day = '14')",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'Atlantis'",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE location IN ('London', 'Edinburgh')",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE location LIKE 'L%'",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE day > '13' OR temperature > 100",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE day = (SELECT MAX(day) FROM raw_weather_data)",
        "SELECT COUNT(*) AS n FROM raw_weather_data r JOIN (SELECT 'London' AS l) c ON r.location = c.l",
        "SELECT location, day, COUNT(*) AS n FROM raw_weather_data GROUP BY location, day ORDER BY location DESC, day LIMIT 2",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE 1 = 0",
        // No row can match, but every object has to be opened to know it.
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE temperature > 1000",
        "SELECT a.city, COUNT(*) AS n FROM raw_weather_data a JOIN raw_weather_data b ON a.city = b.city AND a.measurement_time = b.measurement_time AND b.location = 'London' GROUP BY a.city",
        """
        WITH ordered AS (
            SELECT city, temperature, LAG(temperature) OVER (PARTITION BY city ORDER BY measurement_time, collection_time) AS before
            FROM raw_weather_data)
        SELECT city, SUM(temperature - before) AS drift FROM ordered GROUP BY city ORDER BY city
        """,
        "SELECT city AS name FROM raw_weather_data UNION SELECT location FROM raw_weather_data ORDER BY name",
        "SELECT city, CAST(measurement_time AS DATE) AS d, COUNT(*) AS n FROM raw_weather_data WHERE measurement_time < TIMESTAMP '2025-01-14 01:30:00' GROUP BY 1, 2",
        // Filters on partition columns alone, which DuckDB evaluates on each object's folders over the files.
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE CAST(concat(year, '-', month, '-', day) AS date) BETWEEN DATE '2025-01-14' AND DATE '2025-01-14' + interval '1' day",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE CAST(concat(year, '-', month, '-', day) AS date) > DATE '2025-01-14'",
        "SELECT city, COUNT(*) AS n FROM raw_weather_data WHERE upper(location) = 'LONDON' AND temperature > -100 GROUP BY city",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE length(location) > 6 AND day BETWEEN '01' AND '31'",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE location BETWEEN 'E' AND 'M'",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE concat(location, '-', day) = 'London-14' OR temperature > 100",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE (location = 'London' OR city = 'Leeds') AND CAST(day AS integer) = 14",
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'London' AND CAST(day AS integer) + 1 = 15",
        // EXISTS: the plan shows whether DuckDB could stop reading a table early.
        "SELECT COUNT(*) AS n FROM raw_weather_data WHERE NOT EXISTS (SELECT 1 FROM raw_weather_data WHERE temperature > 1000)",
        "SELECT COUNT(*) AS n FROM raw_weather_data r WHERE EXISTS (SELECT 1 FROM raw_weather_data s WHERE s.city = r.city AND s.temperature > r.temperature + 5)",
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_query_answered_from_memory_gives_the_rows_and_bill_of_the_same_query_over_the_files(string sql)
    {
        var expected = await overFiles.RunAsync(sql);
        var expectedObjects = overFiles.ObjectsRead(expected.Execution.QueryExecutionId).Order(StringComparer.Ordinal).ToList();

        // Twice: the first query reads the objects into memory, the second finds them there.
        for (var round = 0; round < 2; round++)
        {
            var actual = await kept.RunAsync(sql);
            Assert.Equal(expected.Columns.Select(c => $"{c.Name}:{c.Type}"), actual.Columns.Select(c => $"{c.Name}:{c.Type}"));
            Assert.Equal(Lines(expected), Lines(actual));
            Assert.Equal(expected.Statistics.FilesScanned, actual.Statistics.FilesScanned);
            Assert.Equal(expected.Statistics.DataScannedInBytes, actual.Statistics.DataScannedInBytes);
            Assert.Equal(expectedObjects, kept.ObjectsRead(actual.Execution.QueryExecutionId).Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [InlineData("SELECT city, temperature, measurement_time, collection_time, location FROM raw_weather_data", "ARRAY['location']")]
    [InlineData("SELECT city, SUM(temperature) AS total, COUNT(*) AS n FROM raw_weather_data GROUP BY city", null)]
    [InlineData("SELECT city, temperature, day FROM raw_weather_data WHERE location = 'London'", "ARRAY['day']")]
    public async Task A_table_made_from_kept_rows_holds_the_rows_and_bill_of_one_made_from_the_files(string select, string? partitionedBy)
    {
        string Ctas(string name) =>
            $"CREATE TABLE {name} WITH (format = 'PARQUET', external_location = 's3://{session.Names.LakeBucket}/{name}/'" +
            (partitionedBy is null ? "" : $", partitioned_by = {partitionedBy}") + $") AS {select}";

        var fromFiles = await overFiles.RunAsync(Ctas("copy_from_files"));
        Assert.Equal(0, kept.ObjectsKeptInMemory);
        var fromMemory = await kept.RunAsync(Ctas("copy_from_memory"));
        // The statement brought the table's objects into memory and wrote from there; a second reads none again.
        Assert.Equal(ObjectFiles().Count, kept.ObjectsKeptInMemory);
        var again = await kept.RunAsync(Ctas("copy_from_memory_again"));
        Assert.Equal(ObjectFiles().Count, kept.ObjectsKeptInMemory);

        Assert.True(fromMemory.Statistics.FilesScanned > 0);
        foreach (var made in new[] { fromMemory, again })
        {
            Assert.Equal(fromFiles.Statistics.FilesScanned, made.Statistics.FilesScanned);
            Assert.Equal(fromFiles.Statistics.DataScannedInBytes, made.Statistics.DataScannedInBytes);
        }
        // Each table's files, read in the order they lie in, without sorting: the same rows in the same order.
        var filesRows = await overFiles.RunAsync("SELECT * FROM copy_from_files");
        var memoryRows = await overFiles.RunAsync("SELECT * FROM copy_from_memory");
        Assert.Equal(filesRows.Columns.Select(c => $"{c.Name}:{c.Type}"), memoryRows.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.NotEmpty(filesRows.Rows);
        Assert.Equal(Lines(filesRows), Lines(memoryRows));
    }

    /// <summary>
    /// A learner's mistakes: a query that cannot be bound fails from kept rows with the error the files give, and makes
    /// no view over the files (reading the listing of every object only to fail the same way). A value that fails to
    /// convert is found only by reading, so that query goes to the files, which give its error.
    /// </summary>
    [Theory]
    [InlineData("SELECT nosuch FROM raw_weather_data GROUP BY 1", true)]
    [InlineData("SELECT city, date_trunc('hour', city) AS hour FROM raw_weather_data GROUP BY 1, 2", true)]
    [InlineData("SELECT city, temperature FROM raw_weather_data GROUP BY city", true)]
    [InlineData("SELECT city FROM raw_weather_data JOIN no_such_table ON true", true)]
    [InlineData("SELECT city FROM raw_weather_data WHERE", true)]
    [InlineData("SELECT city, CAST(city AS integer) AS n FROM raw_weather_data", false)]
    public async Task A_query_that_fails_from_kept_rows_fails_with_the_error_of_the_files(string sql, bool failsBeforeReading)
    {
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        var overTheFiles = await Assert.ThrowsAsync<AthenaQueryException>(() => overFiles.RunAsync(sql));

        var viewsBefore = kept.ViewsMade;
        var fromMemory = await Assert.ThrowsAsync<AthenaQueryException>(() => kept.RunAsync(sql));

        Assert.Equal(overTheFiles.Message, fromMemory.Message);
        Assert.Equal(failsBeforeReading, kept.ViewsMade == viewsBefore);
    }

    /// <summary>
    /// A query that takes only a table's first rows is tried on its first objects: when DuckDB stopped inside them, the
    /// rows and the objects billed are those of the same query given every object; when it did not (an aggregate, a
    /// limit beyond them), or the shape is not plain, the query runs over every object. The engine compared with has
    /// the first-objects try turned off.
    /// </summary>
    [Theory]
    [InlineData("SELECT * FROM raw_weather_data LIMIT 5", true)]
    [InlineData("SELECT city, temperature FROM raw_weather_data LIMIT 12", true)]
    [InlineData("select \"city\" from \"raw_weather_data\" limit 1;", true)]
    [InlineData("SELECT COUNT(*) AS n FROM raw_weather_data LIMIT 1", false)]
    [InlineData("SELECT city, max(temperature) AS highest FROM raw_weather_data GROUP BY city LIMIT 2", false)]
    [InlineData("SELECT city, row_number() OVER () AS r FROM raw_weather_data LIMIT 3", false)]
    [InlineData("SELECT city FROM raw_weather_data LIMIT 100000", false)]
    [InlineData("SELECT city FROM raw_weather_data WHERE temperature > -50 LIMIT 3", false)]
    public async Task A_first_rows_query_read_from_the_first_objects_gives_the_rows_and_bill_of_every_object(string sql, bool fromFirstObjects)
    {
        using var everyObject = EngineGivingEveryObject();
        Assert.True(ObjectFiles().Count > 2 * LocalAthena.FirstObjects);
        var expected = await everyObject.RunAsync(sql);
        var answeredBefore = kept.FirstRowsAnswered;

        var actual = await kept.RunAsync(sql);

        Assert.Equal(expected.Columns.Select(c => $"{c.Name}:{c.Type}"), actual.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.NotEmpty(actual.Rows);
        Assert.Equal(Lines(expected), Lines(actual));
        Assert.Equal(expected.Statistics.FilesScanned, actual.Statistics.FilesScanned);
        Assert.Equal(expected.Statistics.DataScannedInBytes, actual.Statistics.DataScannedInBytes);
        Assert.Equal(everyObject.ObjectsRead(expected.Execution.QueryExecutionId).Order(StringComparer.Ordinal),
            kept.ObjectsRead(actual.Execution.QueryExecutionId).Order(StringComparer.Ordinal));
        Assert.Equal(fromFirstObjects, kept.FirstRowsAnswered == answeredBefore + 1);
    }

    /// <summary>A mistake in a first-rows query fails on the table's first objects with the error every object gives, run after run, and goes no further.</summary>
    [Fact]
    public async Task A_first_rows_query_that_cannot_be_bound_fails_as_over_every_object()
    {
        using var everyObject = EngineGivingEveryObject();
        const string mistake = "SELECT city, date_trunc('hour', city) AS hour FROM raw_weather_data LIMIT 5";
        var expected = await Assert.ThrowsAsync<AthenaQueryException>(() => everyObject.RunAsync(mistake));

        for (var run = 0; run < 2; run++)
        {
            var viewsBefore = kept.ViewsMade;
            var actual = await Assert.ThrowsAsync<AthenaQueryException>(() => kept.RunAsync(mistake));
            Assert.Equal(expected.Message, actual.Message);
            // One view, over the first objects: the error did not send the query on to a view over every object.
            Assert.Equal(viewsBefore + 1, kept.ViewsMade);
        }
    }

    /// <summary>
    /// A failed query is made again only when it used a view kept from an earlier query, which may be stale: views made
    /// for the query itself would fail the same way a second time.
    /// </summary>
    [Fact]
    public async Task A_query_that_fails_on_views_made_for_it_is_not_run_again()
    {
        using var fresh = EngineGivingEveryObject();
        const string mistake = "SELECT city, date_trunc('hour', city) AS hour FROM raw_weather_data LIMIT 5";

        var first = await Assert.ThrowsAsync<AthenaQueryException>(() => fresh.RunAsync(mistake));
        Assert.Equal(1, fresh.ViewsMade);

        // The same view again: kept from the query before, so it is made afresh once to be sure of the error.
        var second = await Assert.ThrowsAsync<AthenaQueryException>(() => fresh.RunAsync(mistake));
        Assert.Equal(2, fresh.ViewsMade);
        Assert.Equal(first.Message, second.Message);
        Assert.StartsWith("FUNCTION_NOT_FOUND: line 1:14: Unexpected parameters (varchar, varchar) for function date_trunc.", first.Message);
    }

    [Theory]
    [InlineData("SELECT city, measurement_time, MIN(collection_time) AS first_collected, COUNT(*) AS times_collected FROM raw_weather_data GROUP BY 1, 2")]
    [InlineData("SELECT location, day, AVG(temperature) AS mean_temp, date_trunc('hour', measurement_time) AS hour FROM raw_weather_data WHERE location = 'London' GROUP BY 1, 2, 4")]
    [InlineData("SELECT * FROM raw_weather_data")]
    [InlineData("SELECT city, no_such_column FROM raw_weather_data")]
    [InlineData("SELECT city, temperature + 'warm' AS odd FROM raw_weather_data")]
    public async Task A_view_made_over_kept_rows_has_the_columns_or_the_error_of_one_made_over_the_files(string select)
    {
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        var catalog = session.Local!.Catalog;
        async Task<string> Made(LocalAthena engine, string name)
        {
            try
            {
                await engine.RunAsync($"CREATE OR REPLACE VIEW {name} AS {select}");
                // A view over the view, so the columns of both are those a query would see.
                await engine.RunAsync($"CREATE OR REPLACE VIEW {name}_on_top AS SELECT * FROM {name}");
                return string.Join(", ", catalog.GetTable(session.Names.Database, name).Columns.Concat(catalog.GetTable(session.Names.Database, $"{name}_on_top").Columns).Select(c => $"{c.Name}:{c.Type}"));
            }
            catch (AthenaQueryException error)
            {
                return $"{error.ErrorType}: {error.Message}";
            }
        }
        var overTheFiles = await Made(overFiles, "view_files");
        var overKeptRows = await Made(kept, "view_kept_");
        Assert.Equal(overTheFiles, overKeptRows);
        Assert.NotEmpty(overKeptRows);
    }

    [Theory]
    [InlineData("CAST(concat(year, '-', month, '-', day) AS date) BETWEEN DATE '2025-01-14' AND DATE '2025-01-14' + interval '1' day")]
    [InlineData("upper(location) <> 'LONDON'")]
    public async Task A_query_filtered_by_an_expression_on_partitions_is_answered_from_kept_rows_with_the_bill_of_the_files(string filter)
    {
        SettleLake();
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        var sql = $"SELECT city, COUNT(*) AS n, SUM(temperature) AS total FROM raw_weather_data WHERE {filter} GROUP BY city ORDER BY city";
        var expected = await overFiles.RunAsync(sql);

        // An object spoiled on disk with its length and time kept: the files can no longer be read, the kept rows still answer.
        SpoilKeepingLengthAndTime(ObjectFiles()[0]);
        await Assert.ThrowsAsync<AthenaQueryException>(() => overFiles.RunAsync(sql));
        var actual = await kept.RunAsync(sql);

        Assert.Equal(Lines(expected), Lines(actual));
        Assert.NotEmpty(actual.Rows);
        Assert.Equal(expected.Statistics.FilesScanned, actual.Statistics.FilesScanned);
        Assert.Equal(expected.Statistics.DataScannedInBytes, actual.Statistics.DataScannedInBytes);
    }

    [Fact]
    public async Task A_day_inserted_from_kept_rows_is_the_day_and_the_bill_an_insert_from_the_files_gives()
    {
        SettleLake();
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        // The shape of the daily pipeline's CurateDay: a range of days, and nothing if the day is there already.
        string Insert(string table, string day = "14") => $"""
            INSERT INTO {table}
            SELECT city, CAST(measurement_time AS varchar) AS measured, temperature, day FROM raw_weather_data
            WHERE CAST(concat(year, '-', month, '-', day) AS date) BETWEEN DATE '2025-01-14' AND DATE '2025-01-14' + interval '1' day
            AND NOT EXISTS (SELECT 1 FROM {table} WHERE day = '{day}')
            """;
        foreach (var (engine, table) in new[] { (overFiles, "daily_from_files"), (kept, "daily_from_memory") })
            await engine.RunAsync($"CREATE TABLE {table} WITH (format = 'PARQUET', external_location = 's3://{session.Names.LakeBucket}/{table}/', " +
                                  "partitioned_by = ARRAY['day']) AS SELECT city, CAST(measurement_time AS varchar) AS measured, temperature, day FROM raw_weather_data WHERE 1 = 0");
        var results = new Dictionary<string, List<QueryResult>>();
        foreach (var (engine, table) in new[] { (overFiles, "daily_from_files"), (kept, "daily_from_memory") })
            results[table] = [await engine.RunAsync(Insert(table)), await engine.RunAsync(Insert(table))];
        var fromFiles = results["daily_from_files"];
        var fromMemory = results["daily_from_memory"];

        Assert.True(fromFiles[0].UpdateCount > 0);
        Assert.Equal(0, fromFiles[1].UpdateCount);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(fromFiles[i].UpdateCount, fromMemory[i].UpdateCount);
            Assert.Equal(fromFiles[i].Statistics.FilesScanned, fromMemory[i].Statistics.FilesScanned);
            Assert.Equal(fromFiles[i].Statistics.DataScannedInBytes, fromMemory[i].Statistics.DataScannedInBytes);
        }
        const string rows = "SELECT city, measured, temperature, day FROM {0} ORDER BY measured, city, temperature";
        Assert.Equal(Lines(await overFiles.RunAsync(string.Format(rows, "daily_from_files"))), Lines(await overFiles.RunAsync(string.Format(rows, "daily_from_memory"))));

        // The rows come from memory, also when the check reads a Parquet table filtered on a column named like one of
        // the raw table's partitions: with an object spoiled on disk, only the kept rows can still be inserted.
        SpoilKeepingLengthAndTime(ObjectFiles()[0]);
        Assert.Equal(fromFiles[0].UpdateCount, (await kept.RunAsync(Insert("daily_from_memory", day: "15"))).UpdateCount);
        await Assert.ThrowsAsync<AthenaQueryException>(() => overFiles.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data"));
    }

    [Theory]
    [InlineData("((a = 1) AND (b BETWEEN 2 AND 3))", new[] { "a = 1", "b BETWEEN 2 AND 3" })]
    [InlineData("(CAST(concat(year, '-', month) AS DATE) BETWEEN '2025-01-14'::DATE AND '2025-01-15'::DATE)", new[] { "CAST(concat(year, '-', month) AS DATE) BETWEEN '2025-01-14'::DATE AND '2025-01-15'::DATE" })]
    [InlineData("(((x = 'AND') OR (y = 2)) AND (z > 3) AND (\"and\" = 1))", new[] { "(x = 'AND') OR (y = 2)", "z > 3", "\"and\" = 1" })]
    [InlineData("(a BETWEEN 1 AND 2) AND (b BETWEEN 3 AND 4)", new[] { "a BETWEEN 1 AND 2", "b BETWEEN 3 AND 4" })]
    public void A_filter_as_DuckDB_prints_it_splits_into_its_conjuncts(string filter, string[] conjuncts) =>
        Assert.Equal(conjuncts, LakeRowCache.Conjuncts(filter));

    [Fact]
    public async Task A_table_made_from_kept_rows_that_fails_fails_as_one_made_from_the_files()
    {
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        const string select = "SELECT city, location, temperature FROM raw_weather_data";
        string Ctas(string name) =>
            $"CREATE TABLE {name} WITH (format = 'PARQUET', external_location = 's3://{session.Names.LakeBucket}/{name}/', partitioned_by = ARRAY['location']) AS {select}";
        var fromFiles = await Assert.ThrowsAsync<AthenaQueryException>(() => overFiles.RunAsync(Ctas("bad_from_files")));
        var fromMemory = await Assert.ThrowsAsync<AthenaQueryException>(() => kept.RunAsync(Ctas("bad_from_memory")));
        Assert.Equal("HIVE_COLUMN_ORDER_MISMATCH", fromMemory.ErrorType);
        Assert.Equal(fromFiles.Message.Replace("bad_from_files", "T"), fromMemory.Message.Replace("bad_from_memory", "T"));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(temp.Root, "lake", session.Names.LakeBucket), "*", SearchOption.AllDirectories),
            f => f.Contains("bad_from_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_object_whose_key_holds_a_quote_is_read_and_billed_like_any_other()
    {
        // S3 keys may hold quotes; DuckDB names such a file in its log without escaping it.
        var london = ObjectFiles().First(f => f.Contains("location=London", StringComparison.Ordinal));
        File.Copy(london, Path.Combine(Path.GetDirectoryName(london)!, "copy \"quoted\" \\n.gz"));
        var londonObjects = ObjectFiles().Where(f => f.Contains("location=London", StringComparison.Ordinal)).ToList();
        var readings = LakeFiles.Lines(temp.Root, session.Names.LakeBucket, "weather-data/location=London/").Count();

        foreach (var sql in new[] { "SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'London'", "SELECT COUNT(*) AS n FROM raw_weather_data WHERE (location = 'London')" })
        foreach (var engine in new[] { overFiles, kept })
        {
            var result = await engine.RunAsync(sql);
            Assert.Equal(readings, Count(result));
            Assert.Equal(londonObjects.Count, result.Statistics.FilesScanned);
            Assert.Equal(londonObjects.Sum(f => new FileInfo(f).Length), result.Statistics.DataScannedInBytes);
        }
    }

    [Fact]
    public async Task A_query_asked_again_reads_no_object_and_a_filtered_one_reads_none_either()
    {
        SettleLake();
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        var loaded = kept.ObjectsKeptInMemory;
        Assert.Equal(ObjectFiles().Count, loaded);

        await kept.RunAsync("SELECT city, AVG(temperature) AS t FROM raw_weather_data GROUP BY city");
        var london = await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'London'");

        Assert.Equal(loaded, kept.ObjectsKeptInMemory);
        Assert.Equal(ObjectFiles().Count(f => f.Contains("location=London", StringComparison.Ordinal)), london.Statistics.FilesScanned);
    }

    [Fact]
    public async Task Objects_added_replaced_and_removed_by_another_writer_are_seen_by_the_next_query_and_only_they_are_read()
    {
        SettleLake();
        var before = Count(await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data"));
        var loaded = kept.ObjectsKeptInMemory;
        var objects = ObjectFiles();
        var folder = Path.GetDirectoryName(objects[0])!;

        // Added: a new object of two readings in an existing partition.
        var added = Path.Combine(folder, "zz-added.gz");
        WriteGzipLines(added, Reading("London", 99.5), Reading("London", 98.5));
        Assert.Equal(before + 2, Count(await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data")));
        Assert.Equal(loaded + 1, kept.ObjectsKeptInMemory);
        // Its rows take their place in the listing's order, not the end: sums and ties come out as over the files.
        foreach (var sql in new[]
        {
            "SELECT temperature, collection_time FROM raw_weather_data WHERE city = 'London'",
            "SELECT city, SUM(temperature) AS total FROM raw_weather_data GROUP BY city",
        })
            Assert.Equal(Lines(await overFiles.RunAsync(sql)), Lines(await kept.RunAsync(sql)));

        // Replaced under the same name with other content.
        WriteGzipLines(added, Reading("London", -40.25));
        File.SetLastWriteTimeUtc(added, DateTime.UtcNow.AddMinutes(-10));
        var coldest = await kept.RunAsync("SELECT MIN(temperature) AS t, COUNT(*) AS n FROM raw_weather_data");
        Assert.Equal(-40.25, Convert.ToDouble(coldest[0, "t"]));
        Assert.Equal(before + 1, Convert.ToInt64(coldest[0, "n"]));

        // Removed, together with one of the delivery's own objects.
        File.Delete(added);
        File.Delete(objects[^1]);
        var removedLines = LakeFiles.Lines(temp.Root, session.Names.LakeBucket, "weather-data/").Count();
        var after = await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        Assert.Equal(removedLines, Count(after));
        Assert.Equal(Count(await overFiles.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data")), Count(after));
        Assert.Equal(objects.Count - 1, after.Statistics.FilesScanned);
    }

    [Fact]
    public async Task An_object_stamped_ahead_of_the_system_clock_is_read_once_not_by_every_query()
    {
        SettleLake();
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        var loaded = kept.ObjectsKeptInMemory;

        // The delivery of a workspace whose clock runs a day ahead of the system's (a simulated tomorrow) puts an object.
        PutLondonReading("zz-tomorrow.gz", 21.5, stamped: DateTime.UtcNow.AddDays(1));
        for (var query = 0; query < 3; query++) Assert.Equal(21.5, await HighestTemperature());

        Assert.Equal(loaded + 1, kept.ObjectsKeptInMemory);
    }

    [Fact]
    public async Task An_object_that_had_not_settled_when_it_was_read_is_read_again_until_it_has_whatever_its_stamp()
    {
        SettleLake();
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        var loaded = kept.ObjectsKeptInMemory;

        // Written just now by the system's clock, stamped by a workspace clock a year behind it. Seen from an hour before
        // (as a read in the same clock tick as the write sees it) it has not settled: a write in the same tick could leave
        // the same stamp, so the object is read again by each query.
        kept.FileClock = new VirtualClock(DateTimeOffset.UtcNow.AddHours(-1));
        PutLondonReading("zz-recent.gz", 31.5, stamped: DateTime.UtcNow.AddYears(-1));
        for (var query = 0; query < 2; query++) Assert.Equal(31.5, await HighestTemperature());
        Assert.Equal(loaded + 2, kept.ObjectsKeptInMemory);

        // Read once more after it has settled, and then no more.
        kept.FileClock = AnHourOn;
        for (var query = 0; query < 2; query++) Assert.Equal(31.5, await HighestTemperature());
        Assert.Equal(loaded + 3, kept.ObjectsKeptInMemory);
    }

    [Fact]
    public async Task Rows_stay_in_the_order_the_catalog_lists_partitions_even_when_it_is_not_the_order_of_the_paths()
    {
        SettleLake();
        // A partition registered last whose path sorts first.
        var aberdeen = Path.Combine(temp.Root, "lake", session.Names.LakeBucket, "weather-data", "location=Aberdeen", "year=2025", "month=01", "day=14");
        Directory.CreateDirectory(aberdeen);
        WriteGzipLines(Path.Combine(aberdeen, "first.gz"), Reading("Aberdeen", 4.25));
        await kept.RunAsync($"ALTER TABLE raw_weather_data ADD PARTITION (location = 'Aberdeen', year = '2025', month = '01', day = '14') LOCATION 's3://{session.Names.LakeBucket}/weather-data/location=Aberdeen/year=2025/month=01/day=14/'");
        SettleLake();
        const string inScanOrder = "SELECT city, temperature, collection_time FROM raw_weather_data WHERE temperature > -100";
        Assert.Equal(Lines(await overFiles.RunAsync(inScanOrder)), Lines(await kept.RunAsync(inScanOrder)));

        // A new object whose path sorts after every held one, in a partition listed before Aberdeen's.
        var manchester = Directory.EnumerateDirectories(Path.Combine(temp.Root, "lake", session.Names.LakeBucket, "weather-data", "location=Manchester"), "day=*", SearchOption.AllDirectories).Last();
        var latest = Path.Combine(manchester, "zz-latest.gz");
        WriteGzipLines(latest, Reading("Manchester", 7.75));
        // Old enough to be kept for good, in a folder whose new last-write time tells a listing to look again.
        File.SetLastWriteTimeUtc(latest, settledAt);

        var overTheFiles = Lines(await overFiles.RunAsync(inScanOrder)).ToList();
        var loaded = kept.ObjectsKeptInMemory;
        var fromMemory = Lines(await kept.RunAsync(inScanOrder)).ToList();
        Assert.Equal(loaded + 1, kept.ObjectsKeptInMemory);
        Assert.Equal("Aberdeen|4.25|2025-01-14 01:00:30.000", overTheFiles[^1]);
        Assert.Equal(overTheFiles, fromMemory);
    }

    [Fact]
    public async Task A_new_engine_starts_from_the_rows_the_last_one_saved_and_reads_only_what_changed()
    {
        SettleLake();
        const string totals = "SELECT city, SUM(temperature) AS total FROM raw_weather_data GROUP BY city";
        var first = await kept.RunAsync(totals);

        using var next = NewEngine();
        var again = await next.RunAsync(totals);
        Assert.Equal(0, next.ObjectsKeptInMemory);
        Assert.Equal(Lines(first), Lines(again));
        Assert.Equal(first.Statistics.DataScannedInBytes, again.Statistics.DataScannedInBytes);

        var added = Path.Combine(Path.GetDirectoryName(ObjectFiles()[0])!, "zz-added.gz");
        WriteGzipLines(added, Reading("London", 12.5));
        File.SetLastWriteTimeUtc(added, settledAt);
        using var third = NewEngine();
        var counted = await third.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        Assert.Equal(1, third.ObjectsKeptInMemory);
        Assert.Equal(Count(await overFiles.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data")), Count(counted));
        Assert.Equal(Lines(await overFiles.RunAsync(totals)), Lines(await third.RunAsync(totals)));
    }

    [Fact]
    public async Task Saved_rows_that_cannot_be_read_are_ignored_and_the_objects_are_read_again()
    {
        SettleLake();
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        var saved = Directory.GetFiles(Path.Combine(temp.Root, "query", "kept"), "*.parquet");
        Assert.Single(saved);
        File.WriteAllText(saved[0], "not a Parquet file");

        using var next = NewEngine();
        const string perCity = "SELECT city, COUNT(*) AS n, AVG(temperature) AS mean FROM raw_weather_data GROUP BY city ORDER BY city";
        var result = await next.RunAsync(perCity);

        Assert.Equal(ObjectFiles().Count, next.ObjectsKeptInMemory);
        Assert.Equal(Lines(await overFiles.RunAsync(perCity)), Lines(result));
    }

    [Fact]
    public async Task Saved_rows_that_do_not_match_their_manifest_are_ignored()
    {
        SettleLake();
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        var manifest = Directory.GetFiles(Path.Combine(temp.Root, "query", "kept"), "*.json").Single();
        var text = File.ReadAllText(manifest);
        var rowCount = System.Text.RegularExpressions.Regex.Match(text, "\"RowCount\":(\\d+)");
        Assert.True(rowCount.Success, text[..Math.Min(200, text.Length)]);
        File.WriteAllText(manifest, text.Replace(rowCount.Value, $"\"RowCount\":{long.Parse(rowCount.Groups[1].Value) + 1}"));

        using var next = NewEngine();
        var counted = await next.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");

        Assert.Equal(ObjectFiles().Count, next.ObjectsKeptInMemory);
        Assert.Equal(Count(await overFiles.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data")), Count(counted));
    }

    [Fact]
    public async Task An_object_that_cannot_be_read_fails_the_query_with_the_error_the_files_give()
    {
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        WriteGzipLines(Path.Combine(Path.GetDirectoryName(ObjectFiles()[0])!, "broken.gz"), "{\"city\": \"London\", \"temperature\": ");

        var overTheFiles = await Assert.ThrowsAsync<AthenaQueryException>(() => overFiles.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data"));
        var fromMemory = await Assert.ThrowsAsync<AthenaQueryException>(() => kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data"));

        Assert.Equal(overTheFiles.ErrorType, fromMemory.ErrorType);
        Assert.Equal(overTheFiles.Message, fromMemory.Message);
    }

    [Fact]
    public async Task The_rows_database_is_not_a_catalog_a_query_can_name()
    {
        await kept.RunAsync("SELECT COUNT(*) AS n FROM raw_weather_data");

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => kept.RunAsync("SELECT COUNT(*) AS n FROM athena_row_cache.main.rows_0"));

        Assert.Equal("SEMANTIC_ERROR: line 1:1: Catalog \"athena_row_cache\" does not exist!", error.Message);
    }

    /// <summary>Overwrites an object with as many bytes that are not gzip, and gives it back its time: its listing does not change.</summary>
    private static void SpoilKeepingLengthAndTime(string path)
    {
        var info = new FileInfo(path);
        var written = info.LastWriteTimeUtc;
        File.WriteAllBytes(path, Enumerable.Repeat((byte)'x', (int)info.Length).ToArray());
        File.SetLastWriteTimeUtc(path, written);
    }

    /// <summary>
    /// Every object and folder of the lake written an hour ago: a listing of a folder written a moment before is taken
    /// again until it is older. Objects settle by their change time instead, which only <see cref="AnHourOn"/> moves.
    /// </summary>
    private void SettleLake() => LakeFiles.Settle(temp.Root, settledAt, objectsToo: true);

    /// <summary>
    /// The system's clock an hour on, for the engines' view of files' change times: every object written during the
    /// test has settled (a file is trusted by its stamp only once its change is a little older), without the test waiting for it.
    /// </summary>
    private static readonly TimeProvider AnHourOn = new VirtualClock(DateTimeOffset.UtcNow.AddHours(1));

    // One instant for every settled object, so settling again changes only the objects written since.
    private readonly DateTime settledAt = DateTime.UtcNow.AddHours(-1);

    private LocalAthena NewEngine()
    {
        var local = session.Local!;
        return new LocalAthena(local.Workspace, local.Clock, local.Catalog, local.Lake, kept.Settings) { FileClock = AnHourOn };
    }

    /// <summary>An engine that reads the files and hands DuckDB every object of a table, as the engine did before it kept rows or tried first objects.</summary>
    private LocalAthena EngineGivingEveryObject()
    {
        var engine = NewEngine();
        engine.ReuseRows = false;
        engine.TryFirstObjects = false;
        return engine;
    }

    private List<string> ObjectFiles() =>
        Directory.GetFiles(Path.Combine(temp.Root, "lake", session.Names.LakeBucket, "weather-data"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<string> Lines(QueryResult result) => result.Rows.Select(r => string.Join("|", r.Select(v => v is null ? "NULL" : AthenaCsv.Format(v))));

    private static long Count(QueryResult result) => Convert.ToInt64(result[0, "n"]);

    /// <summary>An object of one London reading put beside the first object, with the last-write time a workspace's clock gave it.</summary>
    private void PutLondonReading(string name, double temperature, DateTime stamped)
    {
        var path = Path.Combine(Path.GetDirectoryName(ObjectFiles()[0])!, name);
        WriteGzipLines(path, Reading("London", temperature));
        File.SetLastWriteTimeUtc(path, stamped);
    }

    private async Task<double> HighestTemperature() =>
        Convert.ToDouble((await kept.RunAsync("SELECT MAX(temperature) AS t FROM raw_weather_data")).Rows[0][0]);

    private static string Reading(string city, double temperature) =>
        $"{{\"city\": \"{city}\", \"temperature\": {temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}, \"measurement_time\": \"2025-01-14T01:00\", \"collection_time\": \"2025-01-14T01:00:30Z\", \"source\": \"test\"}}";

    private static void WriteGzipLines(string path, params string[] lines)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
    }
}
