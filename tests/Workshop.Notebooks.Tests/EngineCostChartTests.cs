using StreamingWorkshop.Notebooks;
using StreamingWorkshop.Query;
using StreamingWorkshop.Warehouse;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Notebook 06's cost chart and the note under its table. Worked out by hand: at $0.25 an hour one node costs $6.00 a
/// day; a query scanning under 10 MB bills 10 MB, $0.00005 at $5 per TB, so 120,000 such queries cost as much.
/// </summary>
public sealed class EngineCostChartTests
{
    private static EngineComparison Comparison(long jsonBytes, long parquetBytes) => new(
    [
        new EngineRun("hourly trend", EngineComparison.AthenaJson, 20, jsonBytes, 0, 72),
        new EngineRun("hourly trend", EngineComparison.AthenaParquet, 6, parquetBytes, 0, 72),
        new EngineRun("hourly trend", EngineComparison.Warehouse, 9, 0, 0, 72),
    ], new CostAssumptions());

    private static string Html(EngineComparison comparison) => (string)NotebookDisplay.Bundle(comparison.DailyCostChart())["text/html"]!;

    [Fact]
    public void Stores_billed_the_same_share_one_named_line_instead_of_one_hiding_the_other()
    {
        var html = Html(Comparison(400_000, 33_000));

        Assert.Contains("\"name\":\"Athena, JSON.gz and Parquet (billed the same)\"", html);
        Assert.DoesNotContain("\"name\":\"Athena, Parquet\"", html);
        Assert.Contains("\"name\":\"Warehouse\"", html);
        Assert.Contains("cluster: 1 node at $0.25 an hour, the smallest node's price", html);
    }

    [Fact]
    public void Stores_billed_differently_keep_a_line_each()
    {
        var html = Html(Comparison(400_000_000, 33_000_000));

        Assert.Contains("\"name\":\"Athena, JSON.gz\"", html);
        Assert.Contains("\"name\":\"Athena, Parquet\"", html);
        Assert.Contains("\"name\":\"Warehouse\"", html);
        // JSON.gz reaches $400 a day at 200,000 queries: the axis stops at 3 x $6 so the crossings stay readable.
        Assert.Contains("\"range\":[0.0,18.0]", html);
        Assert.Contains("US dollars per day (axis stops at $18)", html);
    }

    [Fact]
    public void Each_engine_keeps_its_colour_in_the_cost_chart_and_the_run_time_chart()
    {
        var comparison = Comparison(400_000, 33_000);
        var cost = Html(comparison);
        var times = (string)NotebookDisplay.Bundle(comparison.Chart())["text/html"]!;

        // The warehouse is green in both, though the cost chart has one Athena line fewer; JSON.gz blue in both.
        const string green = @"rgba\(0, 204, 150, 1.0\)", blue = @"rgba\(99, 110, 250, 1.0\)";
        Assert.Matches($@"""name"":""Warehouse"",""mode"":""lines""[^{{]*""marker"":{{}},""line"":{{""color"":""{green}""}}", cost);
        Assert.Matches($@"""name"":""Warehouse""[^{{]*""marker"":{{""color"":""{green}""", times);
        Assert.Matches($@"""name"":""Athena, JSON.gz and Parquet \(billed the same\)""[^{{]*""marker"":{{}},""line"":{{""color"":""{blue}""}}", cost);
        Assert.Matches($@"""name"":""Athena, JSON.gz""[^{{]*""marker"":{{""color"":""{blue}""", times);
    }

    [Fact]
    public void Lines_that_stay_near_the_cluster_keep_the_whole_axis()
    {
        var html = Html(Comparison(400_000, 33_000));
        Assert.DoesNotContain("\"range\":", html);
        Assert.Contains("US dollars per day", html);
    }

    [Fact]
    public void The_note_prices_the_cluster_as_a_lower_bound_and_names_the_node_it_assumed()
    {
        var note = Comparison(400_000, 33_000).CostNote;

        Assert.StartsWith("A day of the cluster costs at least $6.00, queried or not: 1 node at $0.25 an hour, the smallest node's list price (dc2.large; the stack's node costs more).", note);
        Assert.Contains("Athena costs as much after 120,000 of these queries a day over JSON.gz, or 120,000 over Parquet.", note);
    }
}
