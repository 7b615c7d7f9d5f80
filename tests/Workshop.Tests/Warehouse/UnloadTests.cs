using System.IO.Compression;
using System.Text;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Warehouse;

namespace Workshop.Tests.Warehouse;

/// <summary>UNLOAD writes a query's rows into the lake as objects named the way Redshift names them.</summary>
public sealed class UnloadTests(LoadLakeFixture lake) : IClassFixture<LoadLakeFixture>
{
    private const string Role = LoadLakeFixture.Role;
    private const string Bucket = LoadLakeFixture.Bucket;

    private async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var item in lake.Session.Local!.Lake.ListAllAsync(Bucket, prefix)) keys.Add(item.Key);
        return keys;
    }

    private async Task<string> TextAsync(string key, bool gzip = false)
    {
        var stored = await lake.Session.Local!.Lake.GetObjectAsync(Bucket, key);
        if (!gzip) return Encoding.UTF8.GetString(stored.Content.Span);
        using var zip = new GZipStream(new MemoryStream(stored.Content.ToArray()), CompressionMode.Decompress);
        using var reader = new StreamReader(zip);
        return await reader.ReadToEndAsync();
    }

    private void CreateReadings(string table)
    {
        lake.Warehouse.Execute($"CREATE TABLE {table} (city VARCHAR, day DATE, temperature FLOAT8)");
        lake.Warehouse.Execute($"INSERT INTO {table} VALUES ('Oslo', '2026-03-01', -3.5), ('Paris', '2026-03-01', 4.5), ('Oslo', '2026-03-02', -1.0)");
    }

    [Fact]
    public async Task Parquet_unload_writes_one_object_that_copy_loads_back()
    {
        CreateReadings("unload_source");
        lake.Warehouse.Execute("CREATE TABLE reloaded (city VARCHAR, day DATE, temperature FLOAT8)");

        var unloaded = lake.Warehouse.Execute($"UNLOAD ('SELECT city, day, temperature FROM unload_source WHERE city = \\'Oslo\\'') TO 's3://{Bucket}/unload-parquet/readings_' IAM_ROLE '{Role}' FORMAT AS PARQUET");
        var loaded = lake.Warehouse.Execute($"COPY reloaded FROM 's3://{Bucket}/unload-parquet/' IAM_ROLE '{Role}' FORMAT AS PARQUET");

        Assert.Equal(2L, unloaded.RowsAffected);
        Assert.Equal(["unload-parquet/readings_0000_part_00.parquet"], await KeysAsync("unload-parquet/"));
        Assert.Equal(2L, loaded.RowsAffected);
        Assert.Equal([["Oslo", "2026-03-01", -3.5], ["Oslo", "2026-03-02", -1.0]], lake.Rows("SELECT city, day, temperature FROM reloaded ORDER BY day"));
    }

    [Fact]
    public async Task Csv_with_a_header_text_with_pipes_and_gzip_are_written_as_redshift_writes_them()
    {
        CreateReadings("unload_text");

        lake.Warehouse.Execute($"UNLOAD ('SELECT city, temperature FROM unload_text ORDER BY temperature') TO 's3://{Bucket}/unload-csv/' IAM_ROLE '{Role}' FORMAT CSV HEADER PARALLEL OFF");
        lake.Warehouse.Execute($"UNLOAD ('SELECT city, temperature FROM unload_text ORDER BY temperature') TO 's3://{Bucket}/unload-text/' IAM_ROLE '{Role}' GZIP");

        Assert.Equal(["unload-csv/000"], await KeysAsync("unload-csv/"));
        Assert.Equal("city,temperature\nOslo,-3.5\nOslo,-1.0\nParis,4.5\n", await TextAsync("unload-csv/000"));
        Assert.Equal(["unload-text/0000_part_00.gz"], await KeysAsync("unload-text/"));
        Assert.Equal("Oslo|-3.5\nOslo|-1.0\nParis|4.5\n", await TextAsync("unload-text/0000_part_00.gz", gzip: true));
    }

    [Fact]
    public async Task Partition_by_writes_a_folder_per_value_and_include_keeps_the_column_in_the_files()
    {
        CreateReadings("unload_partitioned");

        var outcome = lake.Warehouse.Execute($"UNLOAD ('SELECT * FROM unload_partitioned') TO 's3://{Bucket}/unload-parts/' IAM_ROLE '{Role}' FORMAT PARQUET PARTITION BY (city) INCLUDE");
        lake.Warehouse.Execute("CREATE TABLE paris_only (city VARCHAR, day DATE, temperature FLOAT8)");
        lake.Warehouse.Execute($"COPY paris_only FROM 's3://{Bucket}/unload-parts/city=Paris/' IAM_ROLE '{Role}' FORMAT PARQUET");

        Assert.Equal(3L, outcome.RowsAffected);
        Assert.Equal(["unload-parts/city=Oslo/0000_part_00.parquet", "unload-parts/city=Paris/0000_part_00.parquet"], await KeysAsync("unload-parts/"));
        Assert.Equal([["Paris", "2026-03-01", 4.5]], lake.Rows("SELECT city, day, temperature FROM paris_only"));
    }

    [Fact]
    public async Task A_destination_that_holds_objects_is_refused_unless_allowoverwrite_or_cleanpath()
    {
        CreateReadings("unload_again");
        await lake.PutAsync("unload-again/stale.txt", "old");
        var sql = $"UNLOAD ('SELECT city FROM unload_again WHERE temperature > 0') TO 's3://{Bucket}/unload-again/' IAM_ROLE '{Role}'";

        var refused = Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute(sql));
        lake.Warehouse.Execute(sql + " ALLOWOVERWRITE");
        var afterOverwrite = await KeysAsync("unload-again/");
        lake.Warehouse.Execute(sql + " CLEANPATH");

        Assert.Equal("Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.", refused.Message);
        Assert.Equal(["unload-again/0000_part_00", "unload-again/stale.txt"], afterOverwrite);
        Assert.Equal(["unload-again/0000_part_00"], await KeysAsync("unload-again/"));
        Assert.Equal("Paris\n", await TextAsync("unload-again/0000_part_00"));
        Assert.Equal("User arn:aws:redshift:us-east-1:123456789012:dbuser:load-test-cluster/awsuser is not authorized to assume IAM Role arn:aws:iam::123456789012:role/other. Use a role attached to the cluster: " + Role + ".",
            Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute($"UNLOAD ('SELECT 1') TO 's3://{Bucket}/unload-role/' IAM_ROLE 'arn:aws:iam::123456789012:role/other'")).Message);
    }
}
