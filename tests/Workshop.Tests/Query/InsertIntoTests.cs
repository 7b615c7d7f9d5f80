using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// INSERT INTO a Parquet table as Athena runs it: new files beside the old ones (partition folders for a
/// partitioned table), new partitions registered, an update count instead of rows, and Athena's errors.
/// </summary>
public sealed class InsertIntoTests(SandboxFixture day) : IClassFixture<SandboxFixture>
{
    private string ResultsBucket => day.Session.Names.ResultsBucket;
    private string Database => day.Session.Names.Database;

    /// <summary>A table partitioned by day holding two readings of 2025-01-13, and the folder its files are in.</summary>
    private async Task<string> DailyTableAsync(string name)
    {
        await day.Session.QueryAsync(
            $"CREATE TABLE {name} WITH (format = 'PARQUET', external_location = 's3://{ResultsBucket}/tables/{name}/', partitioned_by = ARRAY['day']) AS " +
            "SELECT city, temperature, day FROM (VALUES ('Oslo', CAST(-3.5 AS double), '2025-01-13'), ('Lima', CAST(21.0 AS double), '2025-01-13')) AS t(city, temperature, day)");
        return Path.Combine(LakeFiles.BucketFolder(day.Workspace, ResultsBucket), "tables", name);
    }

    private static Dictionary<string, (long Length, DateTime Modified)> Files(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(folder, f).Replace('\\', '/'), f => (new FileInfo(f).Length, File.GetLastWriteTimeUtc(f)));

    [Fact]
    public async Task Inserted_rows_land_in_new_files_of_their_day_partitions_and_the_old_files_stay_as_they_were()
    {
        var folder = await DailyTableAsync("daily_insert");
        var before = Files(folder);

        var result = await day.Session.QueryAsync(
            "INSERT INTO daily_insert VALUES ('Paris', CAST(7.25 AS double), '2025-01-14'), ('Rome', CAST(11.5 AS double), '2025-01-14'), ('Cairo', CAST(19.0 AS double), '2025-01-13')");

        Assert.Equal(3, result.UpdateCount);
        Assert.Empty(result.Columns);
        Assert.Equal("DML", result.Execution.StatementType);
        Assert.StartsWith("3 rows inserted · Run time", result.Summary);
        var after = Files(folder);
        foreach (var (file, state) in before) Assert.Equal(state, after[file]);
        var added = after.Keys.Except(before.Keys).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["day=2025-01-13/", "day=2025-01-14/"], added.Select(f => f[..(f.IndexOf('/') + 1)]).ToArray());
        Assert.All(added, f => Assert.EndsWith(".parquet", f));
        Assert.All(added, f => Assert.Equal(day.Session.Clock.GetUtcNow().UtcDateTime, after[f].Modified));
        var partitions = day.Session.Local!.Catalog.GetPartitions(Database, "daily_insert");
        Assert.Equal(["2025-01-13", "2025-01-14"], partitions.Select(p => p.Values.Single()).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal($"s3://{ResultsBucket}/tables/daily_insert/day=2025-01-14/", partitions.Single(p => p.Values[0] == "2025-01-14").Location);

        var rows = await day.Session.QueryAsync("SELECT day, city, temperature FROM daily_insert ORDER BY day, city");
        Assert.Equal(
            ["2025-01-13 Cairo 19", "2025-01-13 Lima 21", "2025-01-13 Oslo -3.5", "2025-01-14 Paris 7.25", "2025-01-14 Rome 11.5"],
            rows.NamedRows.Select(r => $"{r["day"]} {r["city"]} {r.Get<double>("temperature")}").ToArray());
    }

    [Fact]
    public async Task GetQueryResults_of_an_insert_gives_no_rows_and_the_update_count()
    {
        await DailyTableAsync("daily_results");
        var athena = day.Session.Local!.Athena;

        var id = athena.StartQueryExecution("INSERT INTO daily_results SELECT 'Quito', CAST(13.0 AS double), '2025-01-14'");

        Assert.Equal(QueryStates.Succeeded, athena.GetQueryExecution(id).State);
        Assert.Equal("DML", athena.GetQueryExecution(id).StatementType);
        var (columns, rows, next) = athena.GetQueryResults(id);
        Assert.Empty(columns);
        Assert.Empty(rows);
        Assert.Null(next);
        Assert.Equal(1, athena.UpdateCount(id));
    }

    [Fact]
    public async Task An_insert_that_skips_days_already_in_the_target_adds_nothing_the_second_time()
    {
        await DailyTableAsync("daily_once");
        const string insertNewDays =
            "INSERT INTO daily_once SELECT city, temperature, day FROM (VALUES ('Oslo', CAST(-1.0 AS double), '2025-01-13'), ('Oslo', CAST(-2.0 AS double), '2025-01-14'), ('Lima', CAST(22.5 AS double), '2025-01-14')) AS s(city, temperature, day) " +
            "WHERE NOT EXISTS (SELECT 1 FROM daily_once d WHERE d.day = s.day)";

        var first = await day.Session.QueryAsync(insertNewDays);
        var second = await day.Session.QueryAsync(insertNewDays);

        Assert.Equal(2, first.UpdateCount);
        Assert.Equal(0, second.UpdateCount);
        Assert.StartsWith("0 rows inserted", second.Summary);
        var perDay = await day.Session.QueryAsync("SELECT day, COUNT(*) AS readings FROM daily_once GROUP BY day ORDER BY day");
        Assert.Equal(["2025-01-13=2", "2025-01-14=2"], perDay.NamedRows.Select(r => $"{r["day"]}={r["readings"]}").ToArray());
    }

    [Fact]
    public async Task Columns_left_out_of_the_column_list_are_null()
    {
        await DailyTableAsync("daily_columns");

        var result = await day.Session.QueryAsync("INSERT INTO daily_columns (day, city) VALUES ('2025-01-15', 'Nairobi')");

        Assert.Equal(1, result.UpdateCount);
        var row = (await day.Session.QueryAsync("SELECT city, temperature FROM daily_columns WHERE day = '2025-01-15'")).NamedRows.Single();
        Assert.Equal("Nairobi", row["city"]);
        Assert.Null(row["temperature"]);
    }

    [Fact]
    public async Task An_unpartitioned_table_gets_one_new_file_and_a_wider_integer_is_accepted()
    {
        await day.Session.QueryAsync(
            $"CREATE TABLE city_totals WITH (format = 'PARQUET', external_location = 's3://{ResultsBucket}/tables/city_totals/') AS SELECT 'Oslo' AS city, CAST(4 AS bigint) AS readings");
        var folder = Path.Combine(LakeFiles.BucketFolder(day.Workspace, ResultsBucket), "tables", "city_totals");

        var result = await day.Session.QueryAsync("INSERT INTO city_totals VALUES ('Lima', 7)");

        Assert.Equal(1, result.UpdateCount);
        Assert.Equal(2, Directory.GetFiles(folder).Length);
        var total = await day.Session.QueryAsync("SELECT SUM(readings) AS total FROM city_totals");
        Assert.Equal(11L, Convert.ToInt64(total[0, "total"]));
    }

    [Fact]
    public async Task A_table_that_does_not_exist_is_refused()
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("INSERT INTO no_such_table VALUES (1)"));

        Assert.Equal($"TABLE_NOT_FOUND: line 1:13: Table 'awsdatacatalog.{Database}.no_such_table' does not exist", error.Message);
    }

    [Fact]
    public async Task A_view_is_refused()
    {
        await day.Session.QueryAsync("CREATE VIEW city_names AS SELECT 'Oslo' AS city");

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("INSERT INTO city_names VALUES ('Lima')"));

        Assert.Equal("NOT_SUPPORTED: line 1:1: Inserting into views is not supported", error.Message);
    }

    [Fact]
    public async Task A_table_not_stored_as_parquet_is_refused_naming_its_format()
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("INSERT INTO raw_weather_data SELECT * FROM raw_weather_data"));

        Assert.Equal("NOT_SUPPORTED", error.ErrorType);
        Assert.Contains($"'{Database}.raw_weather_data' is stored with org.openx.data.jsonserde.JsonSerDe", error.Message);
    }

    [Fact]
    public async Task Mismatched_column_types_and_counts_are_refused_with_both_lists()
    {
        await DailyTableAsync("daily_mismatch");
        var folder = Path.Combine(LakeFiles.BucketFolder(day.Workspace, ResultsBucket), "tables", "daily_mismatch");
        var before = Files(folder);

        var types = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("INSERT INTO daily_mismatch VALUES (1, 'warm', '2025-01-14')"));
        var count = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("INSERT INTO daily_mismatch VALUES ('Oslo', '2025-01-14')"));

        Assert.Equal("TYPE_MISMATCH: line 1:1: Insert query has mismatched column types: Table: [varchar, double, varchar], Query: [integer, varchar, varchar]", types.Message);
        Assert.Equal("TYPE_MISMATCH: line 1:1: Insert query has mismatched column types: Table: [varchar, double, varchar], Query: [varchar, varchar]", count.Message);
        Assert.Equal(before, Files(folder));
    }

    [Fact]
    public async Task A_column_list_naming_a_column_the_table_lacks_is_refused()
    {
        await DailyTableAsync("daily_unknown");

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("INSERT INTO daily_unknown (city, humidity) VALUES ('Oslo', 80)"));

        Assert.Equal("COLUMN_NOT_FOUND: line 1:1: Insert column name does not exist in target table: humidity", error.Message);
    }
}
