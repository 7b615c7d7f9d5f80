using StreamingWorkshop;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// What Athena keeps between queries (parsed catalog tables, folder listings, views, the folders a filter rules out)
/// never changes an answer or its statistics, and gives way as soon as the lake or the catalog changes, whichever
/// process changed it.
/// </summary>
public sealed class QueryReuseTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.SimulateAsync(TimeSpan.FromHours(3), Start);
        await session.CrawlAsync();
        await session.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp");
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        temp.Dispose();
    }

    private string LakeFolder(string prefix) => Path.Combine(temp.Root, "lake", session.Names.LakeBucket, prefix);

    /// <summary>Every folder of the lake written an hour ago, so a listing of it is settled enough to be reused.</summary>
    private void SettleLake() => LakeFiles.Settle(temp.Root, DateTime.UtcNow.AddHours(-1), objectsToo: false);

    private static void AssertSameAnswerAndScan(QueryResult pruned, QueryResult unpruned)
    {
        Assert.Equal(unpruned.Rows.Select(r => string.Join("|", r.Select(AthenaCsv.Format))), pruned.Rows.Select(r => string.Join("|", r.Select(AthenaCsv.Format))));
        Assert.Equal(unpruned.Statistics.FilesScanned, pruned.Statistics.FilesScanned);
        Assert.Equal(unpruned.Statistics.DataScannedInBytes, pruned.Statistics.DataScannedInBytes);
        Assert.Equal(unpruned.Statistics.EstimatedCostUsd, pruned.Statistics.EstimatedCostUsd);
    }

    [Fact]
    public async Task A_filter_on_partition_folders_reads_and_bills_the_same_objects_whether_the_kit_or_the_engine_rules_folders_out()
    {
        // Parenthesised, the filter is not the plain shape the kit reads, so only DuckDB prunes it.
        var pruned = await session.QueryAsync("SELECT city, COUNT(*) AS n, AVG(temperature) AS t FROM raw_weather_data WHERE location = 'London' AND day = '14' GROUP BY city");
        var unpruned = await session.QueryAsync("SELECT city, COUNT(*) AS n, AVG(temperature) AS t FROM raw_weather_data WHERE (location = 'London') AND (day = '14') GROUP BY city");
        AssertSameAnswerAndScan(pruned, unpruned);
        Assert.True(pruned.Statistics.FilesScanned > 0);

        var none = await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data r WHERE r.location = 'Atlantis'");
        var noneUnpruned = await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data r WHERE (r.location = 'Atlantis')");
        AssertSameAnswerAndScan(none, noneUnpruned);
        Assert.Equal(0L, Convert.ToInt64(none[0, "n"]));
    }

    [Fact]
    public async Task A_pruned_Parquet_query_still_reads_the_schema_from_the_same_first_object()
    {
        await session.QueryAsync($"""
            CREATE TABLE weather_parquet
            WITH (format = 'PARQUET', external_location = 's3://{session.Names.LakeBucket}/weather-parquet/', partitioned_by = ARRAY['location'])
            AS SELECT city, temperature, measurement_time, location FROM raw_weather_data
            """);
        foreach (var city in new[] { "London", "Paris", "Berlin", "Nowhere" })
        {
            var pruned = await session.QueryAsync($"SELECT city, MAX(temperature) AS t FROM weather_parquet WHERE location = '{city}' GROUP BY city");
            var unpruned = await session.QueryAsync($"SELECT city, MAX(temperature) AS t FROM weather_parquet WHERE (location = '{city}') GROUP BY city");
            AssertSameAnswerAndScan(pruned, unpruned);
        }
    }

    [Fact]
    public async Task A_filter_finds_partitions_added_since_the_last_query_and_those_registered_outside_the_path_layout()
    {
        SettleLake();
        const string london = "SELECT city, COUNT(*) AS n, MAX(temperature) AS t FROM raw_weather_data WHERE location = 'London' GROUP BY city";
        const string londonUnpruned = "SELECT city, COUNT(*) AS n, MAX(temperature) AS t FROM raw_weather_data WHERE (location = 'London') GROUP BY city";
        var before = await session.QueryAsync(london);
        AssertSameAnswerAndScan(before, await session.QueryAsync(londonUnpruned));
        var readingsBefore = Convert.ToInt64(before[0, "n"]);

        // London's objects copied to folders that do not spell partition values, and registered as two more partitions:
        // a new day for London, and a city of its own. Their values come from the catalog, not the path.
        var londonFolder = Directory.EnumerateDirectories(LakeFolder("weather-data"), "location=London", SearchOption.AllDirectories).Single();
        var objects = Directory.EnumerateFiles(londonFolder, "*", SearchOption.AllDirectories).ToList();
        foreach (var (folder, values) in new[] { ("moved/london-later", "location = 'London', year = '2025', month = '01', day = '20'"), ("moved/atlantis", "location = 'Atlantis', year = '2025', month = '01', day = '14'") })
        {
            Directory.CreateDirectory(LakeFolder(folder));
            foreach (var (file, i) in objects.Select((f, i) => (f, i))) File.Copy(file, Path.Combine(LakeFolder(folder), $"part-{i}.json.gz"));
            await session.QueryAsync($"ALTER TABLE raw_weather_data ADD PARTITION ({values}) LOCATION 's3://{session.Names.LakeBucket}/{folder}/'");
        }

        var after = await session.QueryAsync(london);
        AssertSameAnswerAndScan(after, await session.QueryAsync(londonUnpruned));
        Assert.Equal(2 * readingsBefore, Convert.ToInt64(after[0, "n"]));
        var atlantis = await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'Atlantis' AND day = '14'");
        AssertSameAnswerAndScan(atlantis, await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data WHERE (location = 'Atlantis') AND (day = '14')"));
        Assert.Equal(readingsBefore, Convert.ToInt64(atlantis[0, "n"]));
        var nowhere = await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'Atlantis' AND day = '15'");
        Assert.Equal(0L, Convert.ToInt64(nowhere[0, "n"]));
    }

    [Fact]
    public async Task An_object_added_after_a_listing_was_reused_is_read_by_the_next_query()
    {
        SettleLake();
        var before = Convert.ToInt64((await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data")).Rows[0][0]);
        Assert.Equal(before, Convert.ToInt64((await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data")).Rows[0][0]));

        // Another process (simulate, delivery) puts an object: a copy of one already there, under a new name.
        var folder = Directory.EnumerateDirectories(LakeFolder("weather-data"), "day=*", SearchOption.AllDirectories).First();
        var existing = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).First();
        var copy = Path.Combine(Path.GetDirectoryName(existing)!, "copy-" + Path.GetFileName(existing));
        File.Copy(existing, copy);
        var added = Convert.ToInt64((await session.QueryAsync($"SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = '{Location(folder)}'")).Rows[0][0]);
        var all = await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        Assert.True(Convert.ToInt64(all.Rows[0][0]) > before);

        SettleLake();
        await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        File.Delete(copy);
        Assert.Equal(before, Convert.ToInt64((await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data")).Rows[0][0]));
        Assert.True(added > 0);
    }

    [Fact]
    public async Task A_folder_written_too_recently_to_trust_its_time_is_listed_again_so_an_object_added_in_the_same_tick_is_read()
    {
        SettleLake();
        const string all = "SELECT COUNT(*) AS n FROM raw_weather_data";
        var before = Convert.ToInt64((await session.QueryAsync(all)).Rows[0][0]);
        var folder = Directory.EnumerateDirectories(LakeFolder("weather-data"), "day=*", SearchOption.AllDirectories).First();
        var existing = Directory.EnumerateFiles(folder).First();
        using var unzipped = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(existing), System.IO.Compression.CompressionMode.Decompress));
        long perObject = unzipped.ReadToEnd().Split('\n').Count(line => line.Trim().Length > 0);
        Assert.True(perObject > 0);

        // A copy lands, and the folder's time is one the check cannot trust yet (a time ahead of the query stands for a
        // folder written in the same instant, however long the test takes).
        var recent = DateTime.UtcNow.AddMinutes(1);
        File.Copy(existing, Path.Combine(folder, "copy-1-" + Path.GetFileName(existing)));
        Directory.SetLastWriteTimeUtc(folder, recent);
        Assert.Equal(before + perObject, Convert.ToInt64((await session.QueryAsync(all)).Rows[0][0]));

        // Another copy in the same tick leaves the folder's time where it was: only a listing taken again finds it.
        File.Copy(existing, Path.Combine(folder, "copy-2-" + Path.GetFileName(existing)));
        Directory.SetLastWriteTimeUtc(folder, recent);
        Assert.Equal(before + 2 * perObject, Convert.ToInt64((await session.QueryAsync(all)).Rows[0][0]));
    }

    private static string Location(string folder) =>
        folder.Split(Path.DirectorySeparatorChar).Single(s => s.StartsWith("location=", StringComparison.Ordinal))["location=".Length..];

    [Fact]
    public async Task A_table_changed_by_another_process_is_read_with_its_new_definition()
    {
        var first = await session.QueryAsync("SELECT measurement_time FROM raw_weather_data LIMIT 1");
        Assert.Equal("timestamp", first.Columns[0].Type);

        await using (var other = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root }))
            await other.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "string");

        var second = await session.QueryAsync("SELECT measurement_time FROM raw_weather_data LIMIT 1");
        Assert.Equal("varchar", second.Columns[0].Type);
    }

    [Fact]
    public async Task A_view_over_a_pruned_table_still_reads_every_partition()
    {
        await session.QueryAsync("CREATE OR REPLACE VIEW per_city AS SELECT location, COUNT(*) AS n FROM raw_weather_data GROUP BY location");
        var total = Convert.ToInt64((await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data")).Rows[0][0]);
        await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data WHERE location = 'London'");
        var viaView = await session.QueryAsync("SELECT SUM(n) AS n FROM per_city");
        Assert.Equal(total, Convert.ToInt64(viaView.Rows[0][0]));
        var both = await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data r WHERE location = 'London' AND r.location IN (SELECT location FROM per_city)");
        Assert.True(Convert.ToInt64(both.Rows[0][0]) > 0);
    }

    [Theory]
    [InlineData("""{"fs":"LocalFileSystem","path":"/w/lake/b/copy "quoted" \n.gz","op":"OPEN"}""", "/w/lake/b/copy \"quoted\" \\n.gz")]
    [InlineData("""{"fs":"LocalFileSystem","path":"/w/lake/b/OPEN.gz","op":"OPEN"}""", "/w/lake/b/OPEN.gz")]
    [InlineData("""{"fs":"LocalFileSystem","path":"/w/lake/b/OPEN.gz","op":"READ","bytes":"10","pos":"0"}""", null)]
    [InlineData("""{"fs":"LocalFileSystem","path":"/w/lake/b/x.gz","op":"CLOSE"}""", null)]
    [InlineData("""{"fs":"LocalFileSystem","path":"","op":"OPEN"}""", null)]
    [InlineData("not an entry OPEN", null)]
    public void A_file_system_log_entry_names_the_file_it_opened_as_written(string message, string? path) =>
        Assert.Equal(path, OpenedFiles.OpenedPath(message));

    [Theory]
    [InlineData("SELECT * FROM raw_weather_data WHERE location = 'London'", "location=London")]
    [InlineData("SELECT * FROM raw_weather_data AS r WHERE r.location = 'London' AND day = '14' LIMIT 5", "location=London,day=14")]
    [InlineData("select count(*) from workshop_db.raw_weather_data where 'London' = location and temperature > 3 group by city", "location=London")]
    [InlineData("SELECT * FROM raw_weather_data WHERE location = 'London' OR location = 'Paris'", null)]
    [InlineData("SELECT * FROM raw_weather_data WHERE location IN ('London')", null)]
    [InlineData("SELECT * FROM raw_weather_data WHERE (location = 'London')", null)]
    [InlineData("SELECT * FROM raw_weather_data WHERE city = 'London'", null)]
    [InlineData("SELECT * FROM raw_weather_data r JOIN raw_weather_data s ON r.city = s.city WHERE r.location = 'London'", null)]
    [InlineData("SELECT * FROM raw_weather_data WHERE location = 'London' AND city IN (SELECT city FROM raw_weather_data)", null)]
    [InlineData("WITH x AS (SELECT * FROM raw_weather_data) SELECT * FROM x WHERE location = 'London'", null)]
    [InlineData("SELECT * FROM raw_weather_data WHERE temperature BETWEEN 1 AND 2 AND location = 'London'", null)]
    [InlineData("SELECT * FROM raw_weather_data r WHERE other.location = 'London'", null)]
    public void Only_the_plain_shape_pins_partition_values(string sql, string? expected)
    {
        var table = new GlueTable
        {
            Name = "raw_weather_data",
            DatabaseName = "workshop_db",
            Columns = [new GlueColumn("city", "string"), new GlueColumn("temperature", "double")],
            PartitionKeys = [new GlueColumn("location", "string"), new GlueColumn("year", "string"), new GlueColumn("month", "string"), new GlueColumn("day", "string")],
        };
        var pruning = PartitionPruning.For(sql, table, "workshop_db");
        if (expected is null)
        {
            Assert.Null(pruning);
            return;
        }
        Assert.NotNull(pruning);
        var pins = expected.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.True(pruning.Admits(table, [pins.GetValueOrDefault("location", "London"), "2025", "01", pins.GetValueOrDefault("day", "14")]));
        Assert.False(pruning.Admits(table, ["Paris", "2025", "01", "14"]));
        if (pins.ContainsKey("day")) Assert.False(pruning.Admits(table, ["London", "2025", "01", "15"]));
        else Assert.True(pruning.Admits(table, ["London", "2025", "01", "15"]));
    }
}
