using System.Net;
using System.Text.Json.Nodes;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>
/// The local endpoint as Athena, over HTTP as boto3 and the AWS CLI call it: its refusals carry Athena's own error name,
/// InvalidRequestException, with HTTP 400; the history pages with a NextToken; a batch lists the ids it cannot give.
/// </summary>
public sealed class LocalEndpointAthenaTests : LocalEndpointTest
{
    private const string UnknownId = "00000000-0000-0000-0000-000000000000";

    private Task<(HttpStatusCode Status, JsonObject Body)> CallAsync(string operation, JsonObject input) =>
        JsonTargetAsync("athena", $"AmazonAthena.{operation}", input);

    private async Task<JsonObject> OkAsync(string operation, JsonObject input)
    {
        var (status, body) = await CallAsync(operation, input);
        Assert.True(status == HttpStatusCode.OK, $"{operation} answered {(int)status}: {body.ToJsonString()}");
        return body;
    }

    private async Task<string> RefusedAsync(string operation, JsonObject input)
    {
        var (status, body) = await CallAsync(operation, input);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidRequestException", (string?)body["__type"]);
        return (string?)body["message"] ?? "";
    }

    private async Task<string> StartAsync(string sql) => (string)(await OkAsync("StartQueryExecution", new JsonObject { ["QueryString"] = sql }))["QueryExecutionId"]!;

    [Fact]
    public async Task Refusals_are_InvalidRequestException_with_the_value_and_the_endpoint_answers_on()
    {
        await Session.DeployAsync();
        var failed = await StartAsync("SELECT nope FROM nowhere");
        var succeeded = await StartAsync("SELECT 6 * 7 AS answer");

        Assert.Equal($"QueryExecution {UnknownId} was not found. List recent queries with the query history.",
            await RefusedAsync("GetQueryExecution", new JsonObject { ["QueryExecutionId"] = UnknownId }));
        Assert.StartsWith("Query did not finish successfully. Final query state: FAILED. TABLE_NOT_FOUND: ",
            await RefusedAsync("GetQueryResults", new JsonObject { ["QueryExecutionId"] = failed }));
        Assert.Equal("MaxResults 1001 is out of range: use 1 to 1,000.",
            await RefusedAsync("GetQueryResults", new JsonObject { ["QueryExecutionId"] = succeeded, ["MaxResults"] = 1001 }));
        Assert.StartsWith("NextToken 'garbage' is not one GetQueryResults gave for query ",
            await RefusedAsync("GetQueryResults", new JsonObject { ["QueryExecutionId"] = succeeded, ["NextToken"] = "garbage" }));
        Assert.Equal($"QueryExecution {UnknownId} was not found. List recent queries with the query history.",
            await RefusedAsync("StopQueryExecution", new JsonObject { ["QueryExecutionId"] = UnknownId }));

        // A query that has ended is stopped without a word, as Athena does; the endpoint still answers.
        Assert.Empty(await OkAsync("StopQueryExecution", new JsonObject { ["QueryExecutionId"] = succeeded }));
        var results = await OkAsync("GetQueryResults", new JsonObject { ["QueryExecutionId"] = succeeded });
        Assert.Equal("42", (string?)results["ResultSet"]!["Rows"]!.AsArray().Last()!["Data"]![0]!["VarCharValue"]);
    }

    [Fact]
    public async Task The_history_pages_with_a_next_token_until_every_query_is_listed()
    {
        await Session.DeployAsync();
        var newestFirst = new List<string>();
        for (var i = 1; i <= 5; i++) newestFirst.Insert(0, await StartAsync($"SELECT {i} AS n"));

        var listed = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var input = new JsonObject { ["MaxResults"] = 2 };
            if (token is not null) input["NextToken"] = token;
            var page = await OkAsync("ListQueryExecutions", input);
            listed.AddRange(page["QueryExecutionIds"]!.AsArray().Select(id => (string)id!));
            token = (string?)page["NextToken"];
            pages++;
        } while (token is not null && pages < 10);

        Assert.Equal(newestFirst, listed);
        Assert.Equal(3, pages);
        Assert.Equal(newestFirst, (await OkAsync("ListQueryExecutions", new JsonObject()))["QueryExecutionIds"]!.AsArray().Select(id => (string)id!));
        Assert.Equal("MaxResults 51 is out of range: use 0 to 50 (0 gives 50), and ask for the next page with the NextToken the answer gives.",
            await RefusedAsync("ListQueryExecutions", new JsonObject { ["MaxResults"] = 51 }));
        Assert.StartsWith("NextToken 'garbage' is not one ListQueryExecutions gave",
            await RefusedAsync("ListQueryExecutions", new JsonObject { ["NextToken"] = "garbage" }));
    }

    [Fact]
    public async Task A_batch_answers_the_executions_it_has_and_lists_the_others_as_unprocessed()
    {
        await Session.DeployAsync();
        var known = await StartAsync("SELECT 1");

        var batch = await OkAsync("BatchGetQueryExecution", new JsonObject { ["QueryExecutionIds"] = new JsonArray(known, UnknownId) });

        Assert.Equal([known], batch["QueryExecutions"]!.AsArray().Select(q => (string)q!["QueryExecutionId"]!));
        var unprocessed = Assert.Single(batch["UnprocessedQueryExecutionIds"]!.AsArray())!;
        Assert.Equal(UnknownId, (string?)unprocessed["QueryExecutionId"]);
        Assert.Equal("INVALID_INPUT", (string?)unprocessed["ErrorCode"]);
        Assert.Equal($"QueryExecution {UnknownId} was not found. List recent queries with the query history.", (string?)unprocessed["ErrorMessage"]);
        Assert.Equal("QueryExecutionIds holds 51 ids: give 1 to 50 in one call.",
            await RefusedAsync("BatchGetQueryExecution", new JsonObject { ["QueryExecutionIds"] = new JsonArray(Enumerable.Repeat(known, 51).Select(id => (JsonNode)id).ToArray()) }));
    }

    [Fact]
    public async Task An_output_location_in_a_missing_bucket_is_refused_and_no_query_is_recorded()
    {
        await Session.DeployAsync();

        var message = await RefusedAsync("StartQueryExecution", new JsonObject
        {
            ["QueryString"] = "SELECT 1 AS x",
            ["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = "s3://no-such-bkt-q/athena/" },
        });

        Assert.StartsWith("Unable to verify/create output bucket no-such-bkt-q.", message);
        Assert.Empty((await OkAsync("ListQueryExecutions", new JsonObject()))["QueryExecutionIds"]!.AsArray());
    }
}
