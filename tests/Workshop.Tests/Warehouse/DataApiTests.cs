using StreamingWorkshop;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Warehouse;

namespace Workshop.Tests.Warehouse;

/// <summary>The Data API's semantics on the local cluster: background statements, their states, batches, paged results, cancellation and bad input.</summary>
public sealed class DataApiTests(WarehouseFixture warehouse) : IClassFixture<WarehouseFixture>
{
    private LocalWarehouseService Service => warehouse.Service;

    private async Task<StatementDescription> RunAsync(string sql) => await Service.WaitAsync(await Service.ExecuteStatementAsync(warehouse.Target, sql));

    [Fact]
    public async Task A_statement_is_seen_started_while_it_runs_and_can_be_cancelled_then()
    {
        await RunAsync("CREATE TABLE api_cancel (id INT)");
        var hold = new TaskCompletionSource();
        var started = new TaskCompletionSource<string>();
        Service.Started = id => { started.TrySetResult(id); return hold.Task; };
        try
        {
            var id = await Service.ExecuteStatementAsync(warehouse.Target, "INSERT INTO api_cancel VALUES (1), (2)");
            Assert.Equal(id, await started.Task);
            var running = await Service.DescribeStatementAsync(id);
            Assert.Equal((StatementStatuses.Started, -1L, false), (running.Status, running.ResultRows, running.HasResultSet));
            Assert.True(running.RedshiftQueryId >= 1000);

            // The cluster runs one statement at a time: the next one waits SUBMITTED, and cancelled there it never runs.
            var queued = await Service.ExecuteStatementAsync(warehouse.Target, "INSERT INTO api_cancel VALUES (3)");
            Assert.Equal(StatementStatuses.Submitted, (await Service.DescribeStatementAsync(queued)).Status);
            Assert.True(await Service.CancelStatementAsync(queued));

            Assert.True(await Service.CancelStatementAsync(id));
            hold.SetResult();
            Assert.Equal(StatementStatuses.Aborted, (await Service.WaitAsync(queued)).Status);
            var aborted = await Service.WaitAsync(id);
            Assert.Equal((StatementStatuses.Aborted, -1L), (aborted.Status, aborted.ResultRows));
            var error = await Assert.ThrowsAsync<ValidationException>(() => Service.CancelStatementAsync(id));
            Assert.Equal("Could not cancel a query that is already in ABORTED state.", error.Message);
        }
        finally
        {
            Service.Started = null;
        }
        Assert.Equal(0L, (await Service.GetStatementResultAsync((await Service.WaitAsync(await Service.ExecuteStatementAsync(warehouse.Target, "SELECT count(*) FROM api_cancel"))).Id)).Records[0][0]);
    }

    [Fact]
    public async Task A_finished_statement_reports_its_rows_size_and_duration_and_cannot_be_cancelled()
    {
        var created = await RunAsync("CREATE TABLE api_rows (id INT, city VARCHAR(10))");
        Assert.Equal((StatementStatuses.Finished, 0L, false), (created.Status, created.ResultRows, created.HasResultSet));
        var insert = await RunAsync("INSERT INTO api_rows VALUES (1, 'Oslo'), (2, 'Rome'), (3, 'Paris')");
        Assert.Equal((3L, false, 0L), (insert.ResultRows, insert.HasResultSet, insert.ResultSize));
        var select = await RunAsync("SELECT id, city FROM api_rows WHERE id > 1 ORDER BY id");
        Assert.Equal((2L, true, 24L), (select.ResultRows, select.HasResultSet, select.ResultSize));
        Assert.True(select.DurationNanoseconds > 0);
        Assert.Equal("SELECT id, city FROM api_rows WHERE id > 1 ORDER BY id", select.QueryString);
        var error = await Assert.ThrowsAsync<ValidationException>(() => Service.CancelStatementAsync(select.Id));
        Assert.Equal("Could not cancel a query that is already in FINISHED state.", error.Message);
        var none = await Assert.ThrowsAsync<ValidationException>(() => Service.GetStatementResultAsync(insert.Id));
        Assert.StartsWith("Query does not have result. Please check query status with DescribeStatement.", none.Message);
    }

    [Fact]
    public async Task A_failed_statement_ends_FAILED_with_Redshifts_error()
    {
        var failed = await RunAsync("SELECT * FROM api_nowhere");
        Assert.Equal((StatementStatuses.Failed, "ERROR: relation \"api_nowhere\" does not exist", -1L), (failed.Status, failed.Error, failed.ResultRows));
    }

    [Fact]
    public async Task A_batch_runs_in_one_transaction_with_numbered_sub_statements()
    {
        await RunAsync("CREATE TABLE api_batch (id INT)");
        var batch = await Service.WaitAsync(await Service.BatchExecuteStatementAsync(warehouse.Target, ["INSERT INTO api_batch VALUES (1)", "INSERT INTO api_batch VALUES (2), (3)", "SELECT sum(id) AS total FROM api_batch"]));
        Assert.Equal(StatementStatuses.Finished, batch.Status);
        Assert.Equal([$"{batch.Id}:1 FINISHED 1", $"{batch.Id}:2 FINISHED 2", $"{batch.Id}:3 FINISHED 1"], batch.SubStatements!.Select(s => $"{s.Id} {s.Status} {s.ResultRows}"));
        Assert.Equal(6L, (await Service.GetStatementResultAsync(batch.Id + ":3")).Records[0][0]);
        Assert.Equal("SELECT sum(id) AS total FROM api_batch", (await Service.DescribeStatementAsync(batch.Id + ":3")).QueryString);
        var whole = await Assert.ThrowsAsync<ValidationException>(() => Service.GetStatementResultAsync(batch.Id));
        Assert.StartsWith("BatchExecuteStatement result can only be retrieved with sub-statement id", whole.Message);
        // A sub-statement the batch does not have is not found, whichever call asks for it.
        var beyond = await Assert.ThrowsAsync<StreamingWorkshop.Errors.ResourceNotFoundException>(() => Service.GetStatementResultAsync(batch.Id + ":9"));
        Assert.StartsWith($"Query {batch.Id}:9 does not exist.", beyond.Message);
        await Assert.ThrowsAsync<StreamingWorkshop.Errors.ResourceNotFoundException>(() => Service.DescribeStatementAsync(batch.Id + ":9"));

        var failed = await Service.WaitAsync(await Service.BatchExecuteStatementAsync(warehouse.Target, ["INSERT INTO api_batch VALUES (10)", "INSERT INTO api_nowhere VALUES (1)", "INSERT INTO api_batch VALUES (20)"]));
        Assert.Equal((StatementStatuses.Failed, "ERROR: relation \"api_nowhere\" does not exist"), (failed.Status, failed.Error));
        Assert.Equal(["FINISHED", "FAILED", "ABORTED"], failed.SubStatements!.Select(s => s.Status));
        var total = await RunAsync("SELECT sum(id) FROM api_batch");
        Assert.Equal(6L, (await Service.GetStatementResultAsync(total.Id)).Records[0][0]);
    }

    [Fact]
    public async Task Results_come_in_pages_of_a_thousand_rows_and_are_read_from_another_session()
    {
        var select = await RunAsync("SELECT range AS n FROM range(2500)");
        await using var other = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = warehouse.Temp.Root });
        var service = other.Local!.Warehouse;
        Assert.Equal(StatementStatuses.Finished, (await service.DescribeStatementAsync(select.Id)).Status);
        var first = await service.GetStatementResultAsync(select.Id);
        var second = await service.GetStatementResultAsync(select.Id, first.NextToken);
        var third = await service.GetStatementResultAsync(select.Id, second.NextToken);
        Assert.Equal((1000, "1000", 2500L), (first.Records.Count, first.NextToken, first.TotalNumRows));
        Assert.Equal((1000, "2000", 1000L), (second.Records.Count, second.NextToken, second.Records[0][0]));
        Assert.Equal((500, (string?)null, 2499L), (third.Records.Count, third.NextToken, third.Records[^1][0]));
        var token = await Assert.ThrowsAsync<ValidationException>(() => service.GetStatementResultAsync(select.Id, "abc"));
        Assert.Equal("NextToken 'abc' is not a token this statement's result gave. Start again without NextToken.", token.Message);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_one_clear_line()
    {
        var target = warehouse.Target;
        Assert.Equal("Sql is empty: give the SQL statement to run.", (await Assert.ThrowsAsync<ValidationException>(() => Service.ExecuteStatementAsync(target, " "))).Message);
        Assert.Equal("ClusterIdentifier is missing: name the cluster (the stack's is weather-analytics-warehouse-dev).",
            (await Assert.ThrowsAsync<ValidationException>(() => Service.ExecuteStatementAsync(target with { ClusterIdentifier = "" }, "SELECT 1"))).Message);
        Assert.Equal("Database is missing: name the cluster's database (weather).",
            (await Assert.ThrowsAsync<ValidationException>(() => Service.ExecuteStatementAsync(target with { Database = "" }, "SELECT 1"))).Message);
        Assert.Equal("Database 'dev' does not exist on cluster weather-analytics-warehouse-dev; its database is 'weather'.",
            (await Assert.ThrowsAsync<ValidationException>(() => Service.ExecuteStatementAsync(target with { Database = "dev" }, "SELECT 1"))).Message);
        Assert.Equal("DbUser is missing: connect as a database user (workshopadmin) with temporary credentials, or give SecretArn.",
            (await Assert.ThrowsAsync<ValidationException>(() => Service.ExecuteStatementAsync(target with { DbUser = "" }, "SELECT 1"))).Message);
        Assert.Equal("Sqls is empty: give between 1 and 40 SQL statements.", (await Assert.ThrowsAsync<ValidationException>(() => Service.BatchExecuteStatementAsync(target, []))).Message);
        var unknown = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.DescribeStatementAsync("00000000-0000-0000-0000-000000000000"));
        Assert.StartsWith("Query 00000000-0000-0000-0000-000000000000 does not exist.", unknown.Message);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.GetStatementResultAsync("not-an-id"));
    }
}
