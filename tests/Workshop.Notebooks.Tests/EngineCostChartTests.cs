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
    private static EngineComparison Comparison(long jsonBytes, long parquetBytes, long? jsonObjects = null, long? parquetObjects = null) => new(
    [
        new EngineRun("hourly trend", EngineComparison.AthenaJson, 20, jsonBytes, 0, 72, jsonObjects),
        new EngineRun("hourly trend", EngineComparison.AthenaParquet, 6, parquetBytes, 0, 72, parquetObjects),
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
    /// Notebook 06's answer for a year of 100 cities, from the simulated day's bytes and objects (396,640 bytes in 2,160
    /// objects over JSON.gz; 4,070 bytes in 3 objects over Parquet). By hand, at 36,500 / 3 times the data: JSON.gz scans
    /// 4,826 MB ($0.02413) and opens 26,280,000 objects ($10.512 of GETs), so one query costs more than the cluster's $6.00
    /// day; Parquet scans 50 MB ($0.00025) and opens 3 x 100 / 3 = 100 objects ($0.00004), $0.00029 a query, so the
    /// cluster pays for itself after 6 / 0.00029 = 20,690 queries a day. The notebook's chart reaches past that crossing.
    /// </summary>
    [Fact]
    public void The_year_scale_answer_matches_the_crossings_and_the_notebooks_chart_reaches_both()
    {
        var comparison = Comparison(396_640, 4_070, jsonObjects: 2_160, parquetObjects: 3);
        const double year = 365 * 100 / 3.0, cities = 100 / 3.0;
        long Crossing(string engine)
        {
            var queries = 1L;
            while (comparison.UsdPerDay(engine, queries, year, cities) < comparison.WarehouseUsdPerDay) queries++;
            return queries;
        }

        Assert.Equal(10.53613m, decimal.Round(comparison.UsdPerQuery(EngineComparison.AthenaJson, year, cities), 5));
        Assert.Equal(0.00029m, comparison.UsdPerQuery(EngineComparison.AthenaParquet, year, cities));
        Assert.Equal(1, Crossing(EngineComparison.AthenaJson));
        Assert.Equal(20_690, Crossing(EngineComparison.AthenaParquet));
        var notebook = File.ReadAllText(Path.Combine(WorkshopRun.RepositoryRoot, "notebooks", "06-going-further-warehouse.ipynb"));
        var chartEnd = long.Parse(Regex.Match(notebook, @"DailyCostChart\(maxQueriesPerDay: (?<max>[\d_]+), dataScale: 365 \* 100 / 3.0, cityScale: 100 / 3.0\)").Groups["max"].Value.Replace("_", ""));
        Assert.True(chartEnd > Crossing(EngineComparison.AthenaParquet), $"The year chart stops at {chartEnd:N0} queries a day, before Parquet's crossing.");
        Assert.Contains("Over JSON.gz, from the first query of the day", notebook);
        Assert.Contains("Over Parquet, only after about 21,000 queries a day", notebook);
    }

    /// <summary>
    /// At a year of 100 cities JSON.gz costs $10.54 a query (above): past the axis's $18 long before the chart's first step
    /// of 2,500 queries, so its line runs up the axis itself. A note in its colour says where it went; Parquet, which crosses
    /// the cluster inside the chart, gets none, and nor does a chart whose lines all stay on it.
    /// </summary>
    [Fact]
    public void A_line_gone_past_the_axis_before_its_first_step_is_named_in_a_note_of_its_colour()
    {
        var comparison = Comparison(396_640, 4_070, jsonObjects: 2_160, parquetObjects: 3);

        var html = (string)NotebookDisplay.Bundle(comparison.DailyCostChart(maxQueriesPerDay: 50_000, dataScale: 365 * 100 / 3.0, cityScale: 100 / 3.0))["text/html"]!;

        var note = Assert.Single(Regex.Matches(html, @"\{""text"":""(?<text>[^""]*)""[^{}]*""font"":\{""color"":""(?<colour>[^""]*)""\}[^{}]*\}"));
        // Two queries, $21.07, pass the axis's $18; one, $10.54, does not.
        Assert.Equal("Athena, JSON.gz: $10.54 a query, off the chart from 2 queries a day", note.Groups["text"].Value);
        Assert.Equal("rgba(99, 110, 250, 1.0)", note.Groups["colour"].Value);
        Assert.DoesNotContain("off the chart", Html(Comparison(400_000, 33_000)));
    }

    /// <summary>
    /// Today's day of data: both stores scan under 10 MB and pay the same $0.00005, but JSON.gz's 2,160 objects add
    /// $0.000864 of GETs against Parquet's 3 ($0.0000012): $6.00 / $0.000914 = 6,565 and $6.00 / $0.0000512 = 117,188 queries.
    /// </summary>
    [Fact]
    public void The_gets_for_the_objects_read_set_the_two_stores_apart_at_todays_size()
    {
        var comparison = Comparison(396_640, 4_070, jsonObjects: 2_160, parquetObjects: 3);

        Assert.Equal(0.000914m, comparison.UsdPerQuery(EngineComparison.AthenaJson));
        Assert.Equal(6_565, comparison.BreakEvenQueriesPerDay(EngineComparison.AthenaJson));
        Assert.Equal(117_188, comparison.BreakEvenQueriesPerDay(EngineComparison.AthenaParquet));
        Assert.Contains("2,160: $0.000864", comparison.ToString());
        Assert.Contains("a GET for each object a query opens ($0.0004 per 1,000 at S3 Standard's us-east-1 price): 2,160 a query over JSON.gz, 3 over Parquet; the LISTs of the folders a query lists ($0.005 per 1,000) are left out.", comparison.CostNote);
        var html = Html(comparison);
        Assert.Contains("\"name\":\"Athena, JSON.gz\"", html);
        Assert.Contains("\"name\":\"Athena, Parquet\"", html);
    }

    [Fact]
    public void The_parquet_crossing_says_why_it_lies_beyond_the_one_task_3_gave()
    {
        static string Markdown(string name) => string.Join("\n", NotebookFile.Read(Path.Combine(WorkshopRun.RepositoryRoot, "notebooks", name))
            .Cells.Where(c => c.Kind == CellKind.Markdown).Select(c => c.Source));
        // Task 3 prices a whole-year query on Parquet from the size of the whole copy, every column.
        var task3 = Regex.Match(Markdown("03-task3-lake-exploration.ipynb"), @"It catches up at about (?<queries>[\d,]+) queries a day");
        Assert.True(task3.Success, "Task 3's answer no longer gives Parquet's crossing.");
        var warehouse = Markdown("06-going-further-warehouse.ipynb");
        Assert.Contains($"Task 3's yearly table put Parquet's crossing much lower, at about {task3.Groups["queries"].Value} queries a day", warehouse);
        Assert.Contains("all of its columns, and counted its LISTs", warehouse);
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

        Assert.StartsWith("A day of the cluster costs at least $6.00, queried or not: 1 node at $0.25 an hour, the smallest node's list price (dc2.large; the stack's ra3.large costs no less).", note);
        Assert.Contains("Athena costs as much after 120,000 of these queries a day over JSON.gz, or 120,000 over Parquet.", note);
        // Runs that do not say how many objects they opened (Athena on AWS) add no GETs, and the note says so.
        Assert.Contains("S3's GETs for the objects read are not counted: Athena does not say how many objects it opened.", note);
    }
}
