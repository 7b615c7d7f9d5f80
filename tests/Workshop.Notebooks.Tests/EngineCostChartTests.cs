using System.Text.RegularExpressions;
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

    /// <summary>
    /// Notebook 06's answer for a year of 100 cities, from the simulated day's bytes (396,640 over JSON.gz, 4,070 over
    /// Parquet, each scaled 12,167 times): the cluster pays for itself after about 250 queries a day over JSON.gz and
    /// about 24,000 over Parquet, and the notebook's chart reaches past the second crossing, so the learner can read both.
    /// </summary>
    [Fact]
    public void The_year_scale_answer_matches_the_crossings_and_the_notebooks_chart_reaches_both()
    {
        var comparison = Comparison(396_640, 4_070);
        const double year = 365 * 100 / 3.0;
        long Crossing(string engine)
        {
            var queries = 1L;
            while (comparison.UsdPerDay(engine, queries, year) < comparison.WarehouseUsdPerDay) queries++;
            return queries;
        }

        Assert.InRange(Crossing(EngineComparison.AthenaJson), 240, 260);
        Assert.InRange(Crossing(EngineComparison.AthenaParquet), 23_000, 25_000);
        var notebook = File.ReadAllText(Path.Combine(WorkshopRun.RepositoryRoot, "notebooks", "06-going-further-warehouse.ipynb"));
        var chartEnd = long.Parse(Regex.Match(notebook, @"DailyCostChart\(maxQueriesPerDay: (?<max>[\d_]+), dataScale: 365 \* 100 / 3.0\)").Groups["max"].Value.Replace("_", ""));
        Assert.True(chartEnd > Crossing(EngineComparison.AthenaParquet), $"The year chart stops at {chartEnd:N0} queries a day, before Parquet's crossing.");
        Assert.Contains("Over JSON.gz, after about 250 queries a day", notebook);
        Assert.Contains("Over Parquet, only after about 24,000", notebook);
    }

    [Fact]
    public void The_parquet_crossing_says_why_it_lies_beyond_the_one_task_3_gave()
    {
        static string Markdown(string name) => string.Join("\n", NotebookFile.Read(Path.Combine(WorkshopRun.RepositoryRoot, "notebooks", name))
            .Cells.Where(c => c.Kind == CellKind.Markdown).Select(c => c.Source));
        // Task 3 prices a whole-year query on Parquet from the size of the whole copy, every column.
        var task3 = Regex.Match(Markdown("03-task3-lake-exploration.ipynb"), @"about (?<queries>[\d,]+) at a twelfth of the size");
        Assert.True(task3.Success, "Task 3's answer no longer gives Parquet's crossing at a twelfth of the size.");
        var warehouse = Markdown("06-going-further-warehouse.ipynb");
        Assert.Contains($"Task 3's yearly table put Parquet's crossing much lower, at about {task3.Groups["queries"].Value} queries a day", warehouse);
        Assert.Contains("all of its columns", warehouse);
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
