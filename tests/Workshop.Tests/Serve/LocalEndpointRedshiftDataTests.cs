using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Warehouse;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>
/// The local endpoint as the Redshift Data API (JSON 1.1, X-Amz-Target RedshiftData.*), over the stack's local cluster:
/// called by the kit's own AWS client and by an AWS-backend session pointed at it, and with raw requests for its refusals.
/// </summary>
public sealed class LocalEndpointRedshiftDataTests : LocalEndpointTest
{
    private const string Cluster = "weather-analytics-warehouse-dev";

    private AwsSettings Settings() => AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("AKIDLOCAL", "local-secret"),
        name => name == "AWS_ENDPOINT_URL" ? Endpoint.Url.ToString() : null);

    private async Task<(HttpStatusCode Status, JsonObject Body)> CallAsync(string operation, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"RedshiftData.{operation}");
        request.Headers.TryAddWithoutValidation("Authorization", Authorization("redshift-data"));
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private async Task AssertRefusedAsync(string operation, string body, string type, string message)
    {
        var (status, answer) = await CallAsync(operation, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal((type, message), ((string?)answer["__type"], (string?)answer["message"]));
    }

    [Fact]
    public async Task The_kits_client_runs_statements_on_the_stacks_cluster_through_the_endpoint_and_reads_typed_rows()
    {
        await Session.EnsurePipelineAsync();
        using var client = new AwsClients(Settings()).RedshiftData();
        var target = new WarehouseTarget(Cluster, "weather", "workshopadmin");

        var batch = await client.BatchExecuteStatementAsync(target,
            ["CREATE TABLE readings (city VARCHAR(40), temperature FLOAT8, readings BIGINT, windy BOOLEAN)", "INSERT INTO readings VALUES ('Leeds', 9.25, 59, TRUE), ('London', 11.5, 60, NULL)"], "load");
        // The Data API answers at once and runs the statements after: wait for them as a client does.
        var loaded = await client.WaitAsync(batch);
        Assert.Equal(("FINISHED", Cluster, "weather", "workshopadmin"), (loaded.Status, loaded.ClusterIdentifier, loaded.Database, loaded.DbUser));
        Assert.Equal([$"{batch}:1 FINISHED False", $"{batch}:2 FINISHED False 2"], loaded.SubStatements!.Select(s => $"{s.Id} {s.Status} {s.HasResultSet}{(s.ResultRows > 0 ? $" {s.ResultRows}" : "")}"));

        var (statement, result) = await client.RunAsync(target, "SELECT city, temperature, readings, windy FROM readings ORDER BY city");
        Assert.Equal((true, 2L), (statement.HasResultSet, statement.ResultRows));
        Assert.Equal(["city varchar", "temperature float8", "readings int8", "windy bool"], result.Columns.Select(c => $"{c.Name} {c.TypeName}"));
        Assert.Equal([new object?[] { "Leeds", 9.25, 59L, true }, new object?[] { "London", 11.5, 60L, null }], result.Records);

        var failure = await Assert.ThrowsAsync<WarehouseStatementException>(() => client.RunAsync(target, "SELECT * FROM rainfall"));
        Assert.Equal("FAILED", failure.Status);
        Assert.StartsWith("ERROR: ", failure.Message);
        Assert.Contains("rainfall", failure.Message);
        var cancel = await Assert.ThrowsAsync<StreamingWorkshop.Errors.ValidationException>(() => client.CancelStatementAsync(batch));
        Assert.StartsWith("Could not cancel a query that is already in FINISHED state. (CancelStatement, request id ", cancel.Message);

        var (_, tables) = await CallAsync("ListTables", $$"""{"ClusterIdentifier":"{{Cluster}}","Database":"weather","DbUser":"workshopadmin","SchemaPattern":"public"}""");
        Assert.Equal("""[{"schema":"public","name":"readings","type":"TABLE"}]""", tables["Tables"]!.ToJsonString());
        var (_, described) = await CallAsync("DescribeTable", $$"""{"ClusterIdentifier":"{{Cluster}}","Database":"weather","DbUser":"workshopadmin","Table":"readings"}""");
        Assert.Equal(["city varchar", "temperature float8", "readings int8", "windy bool"], described["ColumnList"]!.AsArray().Select(c => $"{c!["name"]} {c["typeName"]}"));
        var (_, schemas) = await CallAsync("ListSchemas", $$"""{"ClusterIdentifier":"{{Cluster}}","Database":"weather","DbUser":"workshopadmin","SchemaPattern":"p%"}""");
        Assert.Equal("""["pg_internal","public"]""", schemas["Schemas"]!.ToJsonString());
        var (_, databases) = await CallAsync("ListDatabases", $$"""{"ClusterIdentifier":"{{Cluster}}","Database":"weather","DbUser":"workshopadmin"}""");
        Assert.Equal("""["weather"]""", databases["Databases"]!.ToJsonString());
    }

    [Fact]
    public async Task An_AWS_backend_session_reaches_the_warehouse_through_the_endpoint()
    {
        await Session.EnsurePipelineAsync();
        await using var aws = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root, Backend = "aws", AwsSettings = Settings() });
        var target = new WarehouseTarget(Cluster, "weather", "workshopadmin");

        var id = await aws.Stages.Warehouse.ExecuteStatementAsync(target, "SELECT 1 AS one, 'Leeds' AS city");
        var described = await Assert.IsType<RedshiftDataClient>(aws.Stages.Warehouse).WaitAsync(id);
        var page = await aws.Stages.Warehouse.GetStatementResultAsync(id);

        Assert.Equal([new object?[] { 1L, "Leeds" }], page.Records);
        Assert.Equal("FINISHED", described.Status);
    }

    [Fact]
    public async Task Named_parameters_fill_the_sql_as_values_redshift_converts_and_leave_strings_and_casts_alone()
    {
        await Session.EnsurePipelineAsync();
        var (status, started) = await CallAsync("ExecuteStatement", $$"""
            { "ClusterIdentifier":"{{Cluster}}", "Database":"weather", "DbUser":"workshopadmin",
              "Sql":"SELECT :city AS city, n, ':n' AS quoted, 2::int AS cast_two FROM (VALUES (1), (2), (3)) AS t(n) WHERE n >= :low ORDER BY n -- :city",
              "Parameters":[{"name":"city","value":"O'Hara"},{"name":"low","value":"2"}] }
            """);
        Assert.Equal(HttpStatusCode.OK, status);
        var id = (string)started["Id"]!;
        using var client = new AwsClients(Settings()).RedshiftData();
        var ended = await client.WaitAsync(id);
        Assert.True(ended.Status == "FINISHED", ended.Error);

        var page = await client.GetStatementResultAsync(id);

        // "2" compared with a whole-number column is taken as the number 2.
        Assert.Equal([new object?[] { "O'Hara", 2L, ":n", 2L }, new object?[] { "O'Hara", 3L, ":n", 2L }], page.Records);
    }

    [Theory]
    [InlineData("""[{"name":"n","value":"1"}]""", "SELECT :city", "The SQL uses the parameter :city, but Parameters gives no value named 'city'. Add {\"name\": \"city\", \"value\": \"...\"} to Parameters.")]
    [InlineData("""[{"name":"n","value":"1"}]""", "SELECT 1", "Parameters gives a value for 'n', but the SQL has no :n. Use it in the SQL, or leave it out of Parameters.")]
    [InlineData("""[{"name":"a-b","value":"1"}]""", "SELECT 1", "Parameter name 'a-b' is not valid: use letters, digits and underscores ([0-9a-zA-Z_]+).")]
    [InlineData("""[{"name":"n","value":""}]""", "SELECT :n", "Parameter 'n' has no value: give a value of at least one character (Redshift converts it to the type the SQL needs).")]
    [InlineData("""[]""", "SELECT 1", "Parameters must be a list of one or more {\"name\": ..., \"value\": ...} objects.")]
    public async Task Parameters_that_do_not_fit_the_sql_are_refused_naming_the_parameter(string parameters, string sql, string message)
    {
        await Session.EnsurePipelineAsync();
        await AssertRefusedAsync("ExecuteStatement", $$"""
            { "ClusterIdentifier":"{{Cluster}}", "Database":"weather", "DbUser":"workshopadmin", "Sql":"{{sql}}", "Parameters":{{parameters}} }
            """, "ValidationException", message);
    }

    [Fact]
    public async Task Each_parameter_is_checked_by_name()
    {
        await Session.EnsurePipelineAsync();
        const string cluster = $$"""  "ClusterIdentifier":"{{Cluster}}"  """;

        await AssertRefusedAsync("ExecuteStatement", $$"""{ {{cluster}}, "Database":"weather", "DbUser":"workshopadmin" }""",
            "ValidationException", "1 validation error detected: Value null at 'Sql' failed to satisfy constraint: Member must not be null");
        await AssertRefusedAsync("ExecuteStatement", $$"""{ {{cluster}}, "Database":"weather", "Sql":"SELECT 1" }""",
            "ValidationException", "1 validation error detected: Value null at 'DbUser' failed to satisfy constraint: Member must not be null");
        await AssertRefusedAsync("ExecuteStatement", """{ "Database":"weather", "DbUser":"workshopadmin", "Sql":"SELECT 1" }""",
            "ValidationException", "ClusterIdentifier is required: the stack's cluster (stack output WarehouseClusterIdentifier).");
        await AssertRefusedAsync("ExecuteStatement", $$"""{ {{cluster}}, "Database":"dev", "DbUser":"workshopadmin", "Sql":"SELECT 1" }""",
            "ValidationException", $"Database 'dev' does not exist on cluster {Cluster}; its database is weather (stack output WarehouseDatabase).");
        await AssertRefusedAsync("ExecuteStatement", """{ "WorkgroupName":"analytics", "Database":"weather", "Sql":"SELECT 1" }""",
            "ValidationException", "WorkgroupName 'analytics': the local endpoint serves the stack's provisioned cluster, not Redshift Serverless; give ClusterIdentifier instead (stack output WarehouseClusterIdentifier).");
        await AssertRefusedAsync("BatchExecuteStatement", $$"""{ {{cluster}}, "Database":"weather", "DbUser":"workshopadmin", "Sqls":[] }""",
            "ValidationException", "Sqls has 0 statements; give 1 to 40.");
        await AssertRefusedAsync("BatchExecuteStatement", $$"""{ {{cluster}}, "Database":"weather", "DbUser":"workshopadmin", "Sqls":["SELECT 1", 2] }""",
            "ValidationException", "Sqls[1] must be a SQL statement (a non-empty string).");
        await AssertRefusedAsync("DescribeStatement", """{ "Id": 7 }""", "ValidationException", "Id must be a string.");
        await AssertRefusedAsync("GetStatementResult", "{}", "ValidationException", "1 validation error detected: Value null at 'Id' failed to satisfy constraint: Member must not be null");
        await AssertRefusedAsync("ListStatements", "{}", "UnknownOperationException",
            "Redshift Data API operation 'ListStatements' is not served by the local endpoint; it serves BatchExecuteStatement, CancelStatement, DescribeStatement, DescribeTable, ExecuteStatement, GetStatementResult, ListDatabases, ListSchemas, ListTables.");
    }
}
