using StreamingWorkshop.Warehouse;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Warehouse;

/// <summary>The stack's cluster is one database file in the workspace that keeps what a statement wrote for the next one.</summary>
public sealed class WarehouseFileTests : LocalSessionTest
{
    [Fact]
    public async Task A_table_made_by_one_statement_is_read_by_the_next_from_the_clusters_file()
    {
        await Session.EnsurePipelineAsync();
        var service = Session.Local!.Warehouse;
        var cluster = Assert.Single(service.Clusters());
        Assert.Equal(("weather-analytics-warehouse-dev", "weather"), (cluster.Identifier, cluster.Database));
        var target = new WarehouseTarget(cluster.Identifier, cluster.Database, cluster.MasterUsername);

        await service.WaitAsync(await service.ExecuteStatementAsync(target, "CREATE TABLE readings (city VARCHAR(40), temperature FLOAT8)"));
        var insert = await service.WaitAsync(await service.ExecuteStatementAsync(target, "INSERT INTO readings VALUES ('Paris', 4.5), ('Oslo', -3.0)"));
        Assert.Equal((StatementStatuses.Finished, 2L, false), (insert.Status, insert.ResultRows, insert.HasResultSet));

        var select = await service.ExecuteStatementAsync(target, "SELECT city, temperature FROM readings ORDER BY city");
        await service.WaitAsync(select);
        var page = await service.GetStatementResultAsync(select);
        Assert.Equal(["city:varchar", "temperature:float8"], page.Columns.Select(c => $"{c.Name}:{c.TypeName}"));
        Assert.Equal([["Oslo", -3.0], ["Paris", 4.5]], page.Records.Select(r => r.ToArray()));
        await service.WaitAsync(await service.ExecuteStatementAsync(target, "CREATE TABLE pg_internal.stl_probe AS SELECT 1 AS one"));
        var probe = await service.ExecuteStatementAsync(target, "SELECT one FROM stl_probe");
        await service.WaitAsync(probe);
        Assert.Equal(1L, (await service.GetStatementResultAsync(probe)).Records[0][0]);
        Assert.True(File.Exists(Path.Combine(Temp.Root, "warehouse", "weather-analytics-warehouse-dev.duckdb")));
    }

    [Fact]
    public async Task Between_statements_the_file_is_free_for_another_process_and_a_temporary_table_is_gone()
    {
        Session.Clock.SetStart(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));
        await Session.EnsurePipelineAsync();
        var engine = Session.Local!.Warehouse.Cluster("weather-analytics-warehouse-dev");
        engine.Execute("CREATE TABLE kept_rows (n INTEGER)");
        engine.Execute("INSERT INTO kept_rows VALUES (1), (2)");
        engine.Execute("CREATE TEMP TABLE scratch_rows (n INTEGER)");
        engine.Execute("INSERT INTO kept_rows VALUES (3)");

        // Another process opens the file for writing (DuckDB locks it): it could not while a statement held it.
        using (var other = new DuckDB.NET.Data.DuckDBConnection($"DataSource={engine.DatabaseFile}"))
        {
            other.Open();
            using var insert = other.CreateCommand();
            insert.CommandText = "INSERT INTO public.kept_rows VALUES (4)";
            Assert.Equal(1, insert.ExecuteNonQuery());
        }

        // Each statement is its own session, as through the Data API: the temporary table went with its statement.
        var missing = Assert.Throws<RedshiftSqlException>(() => engine.Execute("SELECT count(*) FROM scratch_rows"));
        Assert.Contains("scratch_rows", missing.Message);
        Assert.Equal([[4L, 10L]], engine.Execute("SELECT count(*), sum(n) FROM kept_rows").Rows);
        Assert.Equal([["2026-12-03 00:00:00"]], engine.Execute("SELECT GETDATE()::VARCHAR").Rows);
    }

    [Fact]
    public async Task Json_text_and_bytes_become_SUPER_values_as_in_Redshift()
    {
        await Session.EnsurePipelineAsync();
        var engine = Session.Local!.Warehouse.Cluster("weather-analytics-warehouse-dev");
        var outcome = engine.Execute("""SELECT CAN_JSON_PARSE('{"city":"Oslo"}') AS good, CAN_JSON_PARSE('not json') AS bad, JSON_PARSE(FROM_VARBYTE('{"t":1}'::BLOB, 'utf8')) AS parsed""");
        Assert.Equal([true, false, "{\"t\":1}"], outcome.Rows.Single());
    }
}
