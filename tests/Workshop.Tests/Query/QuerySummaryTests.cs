using System.Net;
using StreamingWorkshop.Display;
using StreamingWorkshop.Query;

namespace Workshop.Tests.Query;

/// <summary>
/// The summary under a query, and the Recent queries list: Athena's charge for the scan, and beside it what S3 bills for
/// the GETs of the objects read, one an object at S3 Standard's $0.0004 per 1,000 requests (us-east-1). Where the
/// number of objects is unknown, as on AWS, no figure is made up.
/// </summary>
public sealed class QuerySummaryTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    private static QueryResult Result(long scanned, int? objects, string statementType = "DML")
    {
        var statistics = new QueryStatistics(scanned, 9, 0, 9, AthenaPricing.EstimatedCost(scanned, statementType == "DDL"), objects);
        var execution = new QueryExecution("q-1", "SELECT AVG(temperature) FROM raw_weather_data", statementType, "db", "primary", "s3://results/",
            QueryStates.Succeeded, null, null, At, At, statistics);
        return new QueryResult(execution, [new ResultColumn("mean_temp", "double")], [[3.9]]);
    }

    [Fact]
    public void A_query_that_read_2160_objects_shows_their_gets_beside_athenas_charge()
    {
        // 2,160 GETs × $0.0004 / 1,000 = $0.000864, seventeen times Athena's 10 MB minimum, $0.00005.
        var result = Result(397_290, 2_160);

        Assert.Equal(0.000864m, result.Statistics.EstimatedS3GetCostUsd);
        Assert.Equal(
        [
            "Run time: 0.009 sec · Data scanned: 397.29 KB (2,160 objects) · Athena scan charge: $0.000050",
            "S3 GETs, estimated at S3 Standard's us-east-1 price: 2,160 × $0.0004 per 1,000 = $0.000864",
        ], result.SummaryLines);
        Assert.Equal(string.Join('\n', result.SummaryLines), result.Summary);
        var html = WebUtility.HtmlDecode(result.ToHtml());
        Assert.Contains("Athena scan charge: $0.000050<br>S3 GETs, estimated at S3 Standard's us-east-1 price: 2,160 × $0.0004 per 1,000 = $0.000864", html);
    }

    [Fact]
    public void One_city_of_three_reads_a_third_of_the_objects_and_pays_a_third_of_the_gets()
    {
        // 720 × $0.0004 / 1,000 = $0.000288; Athena's charge is the same 10 MB minimum for both.
        var london = Result(130_680, 720);
        var all = Result(397_290, 2_160);

        Assert.Equal(0.000288m, london.Statistics.EstimatedS3GetCostUsd);
        Assert.Equal(all.Statistics.EstimatedCostUsd, london.Statistics.EstimatedCostUsd);
        Assert.EndsWith("720 × $0.0004 per 1,000 = $0.000288", london.SummaryLines[1]);
    }

    [Fact]
    public void On_aws_where_the_objects_read_are_not_reported_the_gets_are_named_but_given_no_figure_and_nothing_read_has_no_line()
    {
        var result = Result(2_000_000, objects: null);

        Assert.Null(result.Statistics.EstimatedS3GetCostUsd);
        Assert.Equal(2, result.SummaryLines.Count);
        Assert.Equal("Run time: 0.009 sec · Data scanned: 2.00 MB · Athena scan charge: $0.000050", result.SummaryLines[0]);
        Assert.Equal("S3 GETs: not counted, as Athena does not report how many objects it read (S3 bills a GET for each)", result.SummaryLines[1]);
        Assert.DoesNotContain("$", result.SummaryLines[1]);
        // A statement that read nothing, on either backend, has no requests line at all.
        Assert.Single(Result(0, objects: null, "DDL").SummaryLines);
        Assert.Single(Result(0, 0, "DDL").SummaryLines);
    }

    [Fact]
    public void Recent_queries_list_the_estimated_gets_beside_athenas_charge()
    {
        var local = Result(397_290, 2_160).Execution;
        var aws = Result(2_000_000, objects: null).Execution with { QueryExecutionId = "q-2" };

        var text = new QueryHistoryView([local, aws]).ToString();

        var lines = text.Split('\n');
        Assert.Contains("Athena scan charge", lines[0]);
        Assert.Contains("S3 GETs (estimated)", lines[0]);
        Assert.Matches(@"\$0\.000050 +\$0\.000864$", lines.Single(l => l.StartsWith("q-1", StringComparison.Ordinal)).TrimEnd());
        Assert.Matches(@"\$0\.000050 +not counted$", lines.Single(l => l.StartsWith("q-2", StringComparison.Ordinal)).TrimEnd());
    }
}
