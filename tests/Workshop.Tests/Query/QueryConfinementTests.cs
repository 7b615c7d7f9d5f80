using System.Text;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// Every S3 location a query names (tables, partitions, CTAS targets, result locations) stays inside its bucket
/// folder; CTAS writes unpartitioned tables; a partition registered at an odd location fails only the queries
/// that read it, and dropping it mends the table.
/// </summary>
public sealed class QueryConfinementTests(SandboxFixture day) : IClassFixture<SandboxFixture>
{
    private string LakeBucket => day.Session.Names.LakeBucket;
    private string ResultsBucket => day.Session.Names.ResultsBucket;
    private long RawLines => LakeFiles.Lines(day.Workspace, LakeBucket, "weather-data/").LongCount();

    [Fact]
    public async Task CTAS_to_a_location_with_dot_dot_segments_is_refused_and_writes_nothing_outside()
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync(
            $"CREATE TABLE escaped WITH (format = 'PARQUET', external_location = 's3://{ResultsBucket}/../../../escaped/') AS SELECT city FROM raw_weather_data"));

        Assert.Equal($"INVALID_TABLE_PROPERTY: line 1:1: 's3://{ResultsBucket}/../../../escaped/' is not accepted: its prefix '../../../escaped/' has a '.' or '..' segment. Use segments of letters, digits and punctuation separated by single '/'.", error.Message);
        Assert.Equal(SandboxFixture.CanaryOnly, day.EntriesOutsideWorkspace());
        Assert.False(Directory.Exists(Path.Combine(day.Workspace, "escaped")));
    }

    [Fact]
    public async Task An_external_table_located_outside_its_bucket_is_refused()
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync(
            $"CREATE EXTERNAL TABLE canary_table (city string, temperature double) LOCATION 's3://{LakeBucket}/../../../canary/'"));

        Assert.Equal("INVALID_TABLE_PROPERTY", error.ErrorType);
        Assert.Contains("has a '.' or '..' segment", error.Message);
        Assert.False(day.Session.Local!.Catalog.TableExists(day.Session.Names.Database, "canary_table"));
    }

    [Fact]
    public async Task A_partition_located_outside_its_bucket_is_refused_and_its_files_never_read()
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync(
            $"ALTER TABLE raw_weather_data ADD PARTITION (location='Canary', year='2025', month='01', day='14') LOCATION 's3://{LakeBucket}/../../../canary/'"));

        Assert.Equal("INVALID_PARTITION_VALUE", error.ErrorType);
        Assert.Contains("has a '.' or '..' segment", error.Message);
        var cities = await day.Session.QueryAsync("SELECT DISTINCT city FROM raw_weather_data");
        Assert.DoesNotContain(SandboxFixture.Secret, cities.Column<string>("city"));
    }

    [Fact]
    public async Task A_result_location_outside_its_bucket_fails_the_query_and_writes_nothing()
    {
        var id = day.Session.Local!.Athena.StartQueryExecution("SELECT 1 AS one", outputLocation: $"s3://{ResultsBucket}/../../../canary/");

        var execution = day.Session.Local!.Athena.GetQueryExecution(id);
        Assert.Equal(QueryStates.Failed, execution.State);
        Assert.Contains("has a '.' or '..' segment", execution.StateChangeReason);
        Assert.Equal(SandboxFixture.CanaryOnly, day.EntriesOutsideWorkspace());
    }

    [Fact]
    public async Task An_unpartitioned_CTAS_writes_its_table_and_reads_back_every_row()
    {
        await day.Session.QueryAsync(
            $"CREATE TABLE city_counts WITH (format = 'PARQUET', external_location = 's3://{ResultsBucket}/tables/city_counts/') AS SELECT city, COUNT(*) AS readings FROM raw_weather_data GROUP BY city");

        var total = await day.Session.QueryAsync("SELECT SUM(readings) AS total, COUNT(*) AS cities FROM city_counts");
        Assert.Equal(RawLines, Convert.ToInt64(total[0, "total"]));
        var expectedCities = LakeFiles.Lines(day.Workspace, LakeBucket, "weather-data/").Select(l => RawReading.Parse(l.Key, l.Line).City).Distinct().Count();
        Assert.Equal(expectedCities, Convert.ToInt32(total[0, "cities"]));
        var written = Directory.GetFiles(Path.Combine(LakeFiles.BucketFolder(day.Workspace, ResultsBucket), "tables", "city_counts"));
        Assert.Single(written);
        Assert.EndsWith(".parquet", written[0]);
    }

    [Fact]
    public async Task A_partition_whose_folder_holds_other_data_fails_the_queries_that_read_it_until_it_is_dropped()
    {
        var database = day.Session.Names.Database;
        var raw = day.Session.Local!.Catalog.GetTable(database, "raw_weather_data");
        day.Session.Local!.Catalog.CreateTable(raw with { Name = "weather_copy" });
        day.Session.Local!.Catalog.BatchCreatePartition(database, "weather_copy", day.Session.Local!.Catalog.GetPartitions(database, "raw_weather_data"));
        await day.Session.Local!.Lake.PutObjectAsync(LakeBucket, "custom/readings.json", Encoding.UTF8.GetBytes("these are not json lines\n"));
        await day.Session.QueryAsync($"ALTER TABLE weather_copy ADD PARTITION (location='Custom', year='2025', month='01', day='14') LOCATION 's3://{LakeBucket}/custom/'");

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("SELECT COUNT(*) AS n FROM weather_copy"));
        Assert.Equal("HIVE_BAD_DATA", error.ErrorType);
        Assert.Contains("custom/readings.json", error.Message);
        var elsewhere = await day.Session.QueryAsync("SELECT COUNT(*) AS n FROM weather_copy WHERE location <> 'Custom'");
        Assert.Equal(RawLines, Convert.ToInt64(elsewhere[0, "n"]));

        await day.Session.QueryAsync("ALTER TABLE weather_copy DROP PARTITION (location='Custom', year='2025', month='01', day='14')");

        var mended = await day.Session.QueryAsync("SELECT COUNT(*) AS n FROM weather_copy");
        Assert.Equal(RawLines, Convert.ToInt64(mended[0, "n"]));
    }

    [Fact]
    public async Task A_partition_at_its_own_location_reads_its_values_from_the_catalog()
    {
        var database = day.Session.Names.Database;
        var raw = day.Session.Local!.Catalog.GetTable(database, "raw_weather_data");
        day.Session.Local!.Catalog.CreateTable(raw with { Name = "weather_extra" });
        await day.Session.Local!.Lake.PutObjectAsync(LakeBucket, "extra/readings.json", Encoding.UTF8.GetBytes("{\"city\":\"Extraton\",\"temperature\":4.5}\n"));
        await day.Session.QueryAsync($"ALTER TABLE weather_extra ADD PARTITION (location='Extra', year='2024', month='12', day='31') LOCATION 's3://{LakeBucket}/extra/'");

        var rows = await day.Session.QueryAsync("SELECT city, temperature, location, year, month, day FROM weather_extra");

        Assert.Single(rows.Rows);
        Assert.Equal(["Extraton", "4.5", "Extra", "2024", "12", "31"], rows.Rows[0].Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray());
    }

    [Fact]
    public async Task A_symbolic_link_planted_among_a_table_s_objects_is_not_read()
    {
        var partition = Directory.GetDirectories(Path.Combine(LakeFiles.BucketFolder(day.Workspace, LakeBucket), "weather-data"), "day=*", SearchOption.AllDirectories).First();
        var link = Path.Combine(partition, "planted.json");
        File.CreateSymbolicLink(link, Path.Combine(day.Canary, "secret.json"));
        try
        {
            var cities = await day.Session.QueryAsync("SELECT DISTINCT city FROM raw_weather_data");

            Assert.DoesNotContain(SandboxFixture.Secret, cities.Column<string>("city"));
            Assert.NotEmpty(cities.Rows);
        }
        finally
        {
            File.Delete(link);
        }
    }
}
