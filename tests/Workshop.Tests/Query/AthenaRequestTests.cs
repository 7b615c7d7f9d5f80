using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// The requests the local Athena refuses, as Athena does: with InvalidRequestException (Athena has no other name for a
/// bad request), a message that names the value and the way on, and no execution made for a query it does not start.
/// </summary>
public sealed class AthenaRequestTests : LocalSessionTest
{
    private LocalAthena Athena => Session.Local!.Athena;

    private const string UnknownId = "00000000-0000-0000-0000-000000000000";

    [Fact]
    public async Task An_unknown_execution_is_an_InvalidRequestException_for_every_operation_that_names_one()
    {
        await Session.DeployAsync();

        var get = Assert.Throws<InvalidRequestException>(() => Athena.GetQueryExecution(UnknownId));
        var stop = Assert.Throws<InvalidRequestException>(() => Athena.StopQueryExecution(UnknownId));
        var results = Assert.Throws<InvalidRequestException>(() => Athena.GetQueryResults(UnknownId));
        var notAnId = Assert.Throws<InvalidRequestException>(() => Athena.GetQueryExecution("no-such-query"));

        Assert.Equal(("athena", "InvalidRequestException"), (get.Service, get.ErrorCode));
        Assert.Equal($"QueryExecution {UnknownId} was not found. List recent queries with the query history.", get.Message);
        Assert.Equal(get.Message, stop.Message);
        Assert.Equal(get.Message, results.Message);
        Assert.StartsWith("'no-such-query' is not a QueryExecutionId (a GUID).", notAnId.Message);
    }

    [Fact]
    public async Task Results_of_a_failed_query_a_bad_page_size_and_a_bad_token_are_refused_with_the_value()
    {
        await Session.DeployAsync();
        var failed = Athena.StartQueryExecution("SELECT nope FROM nowhere");
        var succeeded = Athena.StartQueryExecution("SELECT n FROM (VALUES (1), (2), (3)) AS t(n) ORDER BY n");
        Assert.True(Athena.GetQueryExecution(succeeded).State == QueryStates.Succeeded, Athena.GetQueryExecution(succeeded).StateChangeReason);

        var ofFailed = Assert.Throws<InvalidRequestException>(() => Athena.GetQueryResults(failed));
        var tooMany = Assert.Throws<InvalidRequestException>(() => Athena.GetQueryResults(succeeded, maxResults: 1001));
        var garbage = Assert.Throws<InvalidRequestException>(() => Athena.GetQueryResults(succeeded, nextToken: "garbage"));
        var pastTheEnd = Assert.Throws<InvalidRequestException>(() => Athena.GetQueryResults(succeeded, nextToken: "4"));

        Assert.StartsWith("Query did not finish successfully. Final query state: FAILED. TABLE_NOT_FOUND: ", ofFailed.Message);
        Assert.Equal("MaxResults 1001 is out of range: use 1 to 1,000.", tooMany.Message);
        Assert.Equal($"NextToken 'garbage' is not one GetQueryResults gave for query {succeeded}: pass the NextToken of the previous page as it came, "
            + "or leave it out to start from the first row.", garbage.Message);
        Assert.StartsWith("NextToken '4' is not one GetQueryResults gave", pastTheEnd.Message);
        // The header and the three rows, two a page: the token of the first page leads to the rest.
        var (_, first, next) = Athena.GetQueryResults(succeeded, maxResults: 2);
        var (_, second, last) = Athena.GetQueryResults(succeeded, next, maxResults: 2);
        Assert.Equal(["n", "1", "2", "3"], first.Concat(second).Select(row => row[0]));
        Assert.Null(last);
    }

    [Fact]
    public async Task The_history_pages_newest_first_with_a_token_that_queries_run_meanwhile_do_not_shift()
    {
        await Session.DeployAsync();
        var started = Enumerable.Range(1, 5).Select(i => Athena.StartQueryExecution($"SELECT {i} AS n")).ToList();
        started.Reverse();

        var (first, afterFirst) = Athena.ListQueryExecutionPage(2);
        var meanwhile = Athena.StartQueryExecution("SELECT 6 AS n");
        var (second, afterSecond) = Athena.ListQueryExecutionPage(2, afterFirst);
        var (third, afterThird) = Athena.ListQueryExecutionPage(2, afterSecond);

        Assert.Equal(started, first.Concat(second).Concat(third).Select(e => e.QueryExecutionId));
        Assert.Null(afterThird);
        Assert.Equal([meanwhile, .. started], Athena.ListQueryExecutionPage(0).Executions.Select(e => e.QueryExecutionId));
        Assert.Equal([meanwhile, .. started], Athena.ListQueryExecutionPage(50).Executions.Select(e => e.QueryExecutionId));
    }

    [Theory]
    [InlineData(51)]
    [InlineData(-1)]
    public async Task A_history_page_size_outside_0_to_50_is_refused_with_the_value(int maxResults)
    {
        await Session.DeployAsync();

        var error = Assert.Throws<InvalidRequestException>(() => Athena.ListQueryExecutionPage(maxResults));

        Assert.Equal($"MaxResults {maxResults} is out of range: use 0 to 50 (0 gives 50), and ask for the next page with the NextToken the answer gives.", error.Message);
    }

    [Fact]
    public async Task A_history_token_no_page_gave_is_refused_with_the_token()
    {
        await Session.DeployAsync();
        Athena.StartQueryExecution("SELECT 1");

        var error = Assert.Throws<InvalidRequestException>(() => Athena.ListQueryExecutionPage(1, "garbage"));

        Assert.Equal("NextToken 'garbage' is not one ListQueryExecutions gave: pass the NextToken of the previous page as it came, "
            + "or leave it out to start from the newest query.", error.Message);
    }

    [Fact]
    public async Task An_output_location_in_a_bucket_that_does_not_exist_is_refused_before_the_query_runs()
    {
        await Session.DeployAsync();
        var before = Athena.ListQueryExecutions().Count;

        var error = Assert.Throws<InvalidRequestException>(() => Athena.StartQueryExecution("SELECT 1 AS x", outputLocation: "s3://no-such-bkt-q/athena/"));

        Assert.StartsWith("Unable to verify/create output bucket no-such-bkt-q. The lake has no bucket no-such-bkt-q: make it first (aws s3 mb s3://no-such-bkt-q)", error.Message);
        Assert.Equal(before, Athena.ListQueryExecutions().Count);
        Assert.False(Directory.Exists(Path.Combine(Temp.Root, "lake", "no-such-bkt-q")));

        // Once the bucket is there, the result lands where the location says.
        await Session.Local!.Lake.CreateBucketAsync("no-such-bkt-q");
        var id = Athena.StartQueryExecution("SELECT 1 AS x", outputLocation: "s3://no-such-bkt-q/athena/");
        Assert.Equal(QueryStates.Succeeded, Athena.GetQueryExecution(id).State);
        Assert.Equal("\"x\"\n\"1\"\n", File.ReadAllText(Path.Combine(Temp.Root, "lake", "no-such-bkt-q", "athena", id + ".csv")));
    }
}
