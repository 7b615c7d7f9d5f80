using StreamingWorkshop.Warehouse;

namespace Workshop.Tests.Warehouse;

/// <summary>workshop.Warehouse: the stack's cluster as a notebook reaches it, and its results as a notebook shows them.</summary>
public sealed class WarehouseFacadeTests(WarehouseFixture warehouse) : IClassFixture<WarehouseFixture>
{
    [Fact]
    public async Task The_target_is_the_stacks_cluster_database_and_user()
    {
        var target = await warehouse.Session.Warehouse.TargetAsync();
        Assert.Equal(new WarehouseTarget("weather-analytics-warehouse-dev", "weather", "workshopadmin"), target);
    }

    [Fact]
    public async Task A_query_reads_every_page_and_shows_as_a_table_with_its_statement()
    {
        var facade = warehouse.Session.Warehouse;
        var batch = await facade.ExecuteBatchAsync([
            "CREATE TABLE facade_events (id INT, city VARCHAR(20), payload SUPER, seen TIMESTAMP, temp FLOAT8)",
            """INSERT INTO facade_events VALUES (1, 'Oslo', JSON_PARSE('{"wind":3}'), '2024-01-05 10:00:00', -3.5), (2, NULL, NULL, '2024-01-05 10:30:15.25', 4)""",
        ]);
        Assert.Equal([0L, 2L], batch.Select(r => r.Description.ResultRows));
        var result = await facade.QueryAsync("SELECT id, city, payload, seen, temp FROM facade_events ORDER BY id");
        Assert.Equal(("Oslo", "{\"wind\":3}", -3.5), (result[0, "city"], result[0, "payload"], result[0, "TEMP"]));
        var text = result.ToString().Split('\n');
        Assert.Equal(
        [
            "id  city  payload     seen                    temp",
            "--  ----  ----------  ----------------------  ----",
            "1   Oslo  {\"wind\":3}  2024-01-05 10:00:00     -3.5",
            "2   NULL  NULL        2024-01-05 10:30:15.25  4",
        ], text[..4]);
        Assert.Matches($"^Statement {result.StatementId} · \\d+ ms · 2 rows$", text[4]);
        Assert.Equal(["int4", "varchar", "super", "timestamp", "float8"], result.Columns.Select(c => c.TypeName));
        Assert.Matches("<small style=\"[^\"]*\">super</small>", result.ToHtml());
        Assert.Matches("<td style=\"[^\"]*\">{&quot;wind&quot;:3}</td>", result.ToHtml());
        Assert.Equal("id,city,payload,seen,temp\n1,Oslo,\"{\"\"wind\"\":3}\",2024-01-05 10:00:00,-3.5\n2,,,2024-01-05 10:30:15.25,4\n", result.ToCsv());

        var tables = await facade.TablesAsync();
        Assert.Contains(tables.Rows, r => (string)r[1]! == "facade_events" && (string)r[2]! == "AUTO(ALL)" && (long)r[5]! == 2);
    }

    [Fact]
    public async Task A_failed_statement_raises_Redshifts_error_with_its_id()
    {
        var error = await Assert.ThrowsAsync<WarehouseStatementException>(() => warehouse.Session.Warehouse.QueryAsync("SELECT * FROM facade_nowhere"));
        Assert.Equal(("ERROR: relation \"facade_nowhere\" does not exist", StatementStatuses.Failed), (error.Message, error.Status));
        Assert.Equal(StatementStatuses.Failed, (await warehouse.Service.DescribeStatementAsync(error.StatementId)).Status);
    }

    [Fact]
    public void The_facade_lists_its_calls() =>
        Assert.Contains("QueryAsync(sql)              ExecuteStatement, DescribeStatement until done,\n                             GetStatementResult (every page)\n",
            warehouse.Session.Warehouse.ToString());
}
