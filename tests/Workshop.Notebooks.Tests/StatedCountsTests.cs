using System.Globalization;
using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Numbers the prose states about an output, held against that output after `workshop run`: when the stack or the
/// data grows, the sentence a learner checks their prediction against must grow with it.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed partial class StatedCountsTests(WorkshopRun run)
{
    [Fact]
    public void Task_1_states_as_many_resources_as_the_stack_lists_and_answers_with_as_many_events_as_it_shows()
    {
        var notebook = NotebookFile.Read(Path.Combine(run.Output, "notebooks", "01-task1-environment.ipynb"));
        var prediction = notebook.Cells.Single(c => c.Kind == CellKind.Markdown && c.Source.Contains("How many events will a first deployment list?", StringComparison.Ordinal)).Source;
        var statedResources = int.Parse(StatedResources().Match(prediction).Groups["count"].Value, CultureInfo.InvariantCulture);
        var answeredEvents = int.Parse(AnsweredEvents().Match(prediction).Groups["count"].Value, CultureInfo.InvariantCulture);

        var cells = ExecutedNotebook.CodeCells(run, "01-task1-environment.ipynb");
        // Rows of the two tables: every line after the header's dashes that is not blank.
        static int Rows(string table) => table.Split('\n').SkipWhile(l => !l.StartsWith("---", StringComparison.Ordinal)).Skip(1).Count(l => l.Trim().Length > 0);
        var listedResources = Rows(ExecutedNotebook.OutputOf(cells, "Stack.ResourcesAsync()"));
        var shownEvents = Rows(ExecutedNotebook.OutputOf(cells, "Stack.EventsAsync()"));

        Assert.Equal(listedResources, statedResources);
        Assert.Equal(shownEvents, answeredEvents);
        Assert.Equal(2 * listedResources + 2, shownEvents);
    }

    [Fact]
    public void The_streaming_jobs_stated_wait_and_start_are_the_ones_its_run_and_freshness_show()
    {
        var stated = Stated("07-going-further-etl.ipynb", "Every reading the streaming job read waited", StatedStreamingWait());

        var cells = ExecutedNotebook.CodeCells(run, "07-going-further-etl.ipynb");
        var freshness = ExecutedNotebook.OutputOf(cells, "afterCrawl");
        var streamingRow = freshness.Split('\n').Single(l => l.StartsWith("Streaming job", StringComparison.Ordinal));
        var waits = Regex.Matches(streamingRow, @"(\d+) s\b").Select(m => m.Groups[1].Value).ToList();
        var jobRun = ExecutedNotebook.OutputOf(cells, "Names.StreamingJob, wait: true");

        Assert.Equal([stated.Groups["wait"].Value, stated.Groups["wait"].Value], waits); // the median and the 95th percentile
        // The date is the day of the run (the workspace replays the day before it), so only the time of day is held.
        Assert.Matches($@"Started\s+\d{{4}}-\d\d-\d\d {stated.Groups["start"].Value} UTC", jobRun);
    }

    [Fact]
    public void The_warehouse_notebook_adds_up_the_records_its_view_first_holds()
    {
        var sum = Stated("06-going-further-warehouse.ipynb", "Where did they come from?", StatedViewRecords());
        static int Number(Group group) => int.Parse(group.Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

        var cells = ExecutedNotebook.CodeCells(run, "06-going-further-warehouse.ipynb");
        var perShard = ExecutedNotebook.OutputOf(cells, "CREATE MATERIALIZED VIEW live_readings");
        var shown = int.Parse(Regex.Match(perShard, @"shardId-000000000000\s+(\d+)\s").Groups[1].Value, CultureInfo.InvariantCulture);

        Assert.Equal(Number(sum.Groups["day"]) - Number(sum.Groups["expired"]) + Number(sum.Groups["hand"]), Number(sum.Groups["total"]));
        Assert.Equal(shown, Number(sum.Groups["total"]));
    }

    [Fact]
    public void Task_3_states_the_whole_year_querys_bytes_as_its_cost_table_does()
    {
        var stated = double.Parse(Stated("03-task3-lake-exploration.ipynb", "at how many queries a day would Athena on JSON.gz cost", StatedYearQueryBytes()).Groups["gb"].Value,
            CultureInfo.InvariantCulture);

        var cells = ExecutedNotebook.CodeCells(run, "03-task3-lake-exploration.ipynb");
        var table = ExecutedNotebook.OutputOf(cells, "YearlyCostComparison.ForAYear");
        var billed = double.Parse(Regex.Match(table, @"each: (?<gb>\d+\.\d+) GB billed \$[\d.]+ \(gzipped JSON").Groups["gb"].Value, CultureInfo.InvariantCulture);

        Assert.Equal(Math.Round(billed, 1), stated);
    }

    [Fact]
    public void Task_3s_break_even_answer_divides_the_warehouses_day_by_the_cost_table_s_whole_queries()
    {
        var answer = Prose("03-task3-lake-exploration.ipynb", "at how many queries a day would Athena on JSON.gz cost");
        var cells = ExecutedNotebook.CodeCells(run, "03-task3-lake-exploration.ipynb");
        var table = ExecutedNotebook.OutputOf(cells, "YearlyCostComparison.ForAYear");
        decimal PerQuery(string path) => Number(Regex.Match(table, Regex.Escape(path) + @"[^\n]*?queries × \$(?<usd>[\d,.]+) each").Groups["usd"].Value);
        var json = PerQuery("Athena on JSON.gz");
        var parquet = PerQuery("Athena on Parquet");
        var warehouseDay = Number(Regex.Match(table, @"Provisioned warehouse left running\s+(?<usd>[\d,.]+)").Groups["usd"].Value) / 365;

        Assert.Equal(6.00m, warehouseDay);
        var onJson = Regex.Match(answer, @"costs about \*\*\\\$(?<usd>[\d.]+)\*\*, the table's figure for each query.*?\((?<day>[\d.]+) / (?<query>[\d.]+) = (?<share>[\d.]+)\)");
        Assert.True(onJson.Success, answer);
        Assert.Equal(decimal.Round(json, 2), Number(onJson.Groups["usd"].Value));
        Assert.Equal(decimal.Round(json, 2), Number(onJson.Groups["query"].Value));
        Assert.Equal(warehouseDay, Number(onJson.Groups["day"].Value));
        Assert.Equal(decimal.Round(warehouseDay / json, 2), Number(onJson.Groups["share"].Value));
        var onParquet = Regex.Match(answer, @"On Parquet a query costs about \*\*\\\$(?<usd>[\d.]+)\*\*.*?catches up at about (?<queries>[\d,]+) queries a day \(6\.00 / (?<query>[\d.]+)\)");
        Assert.True(onParquet.Success, answer);
        // The Parquet copy's size, and so its price, moves a little with the simulated day's readings (0.002705 one day,
        // 0.002720 the next): the prose gives it to four decimal places, and a break-even rounded to hundreds, within 5%.
        Assert.Equal(decimal.Round(parquet, 4), Number(onParquet.Groups["usd"].Value));
        Assert.Equal(decimal.Round(parquet, 4), Number(onParquet.Groups["query"].Value));
        var breakEven = Number(onParquet.Groups["queries"].Value);
        Assert.InRange(warehouseDay / parquet, breakEven * 0.95m, breakEven * 1.05m);
    }

    [Fact]
    public void Task_3s_pruning_answers_add_up_the_scans_and_gets_its_cells_print()
    {
        var cells = ExecutedNotebook.CodeCells(run, "03-task3-lake-exploration.ipynb");
        // The scaling cell's rows: scans, Athena's charge, GETs and their cost.
        var scaled = ExecutedNotebook.OutputOf(cells, "EstimatedGetCost(gets)");
        (decimal Scanned, string Unit, decimal Athena, decimal Gets) Row(string question)
        {
            var row = Regex.Match(scaled, Regex.Escape(question) + @"\s+(?<scanned>[\d.]+) (?<unit>[KMG]B)\s+\$(?<athena>[\d.]+)\s+[\d,]+\s+\$(?<gets>[\d.]+)");
            Assert.True(row.Success, scaled);
            return (Number(row.Groups["scanned"].Value), row.Groups["unit"].Value, Number(row.Groups["athena"].Value), Number(row.Groups["gets"].Value));
        }
        var everyCity = Row("100 cities, a year (WHERE city = ...)");
        var oneCity = Row("one city, a year (WHERE location = ...)");
        var pruning = ExecutedNotebook.OutputOf(cells, "onePartition.SummaryLines");
        var gets = Regex.Matches(pruning, @"per 1,000 = \$(?<usd>[\d.]+)").Select(m => Number(m.Groups["usd"].Value)).ToList();

        var answer = Prose("03-task3-lake-exploration.ipynb", "how much does the partition filter save on each query?");
        var stated = Regex.Match(answer, @"about \*\*\\\$(?<every>[\d.]+)\*\* a query, the yearly table's figure below\..*?about \*\*\\\$(?<one>[\d.]+)\*\*\. The filter saves about \*\*\\\$(?<saved>[\d.]+)\*\*.*?saves (?<fewer>[\d,]+) GETs a query, \*\*\\\$(?<today>[\d.]+)\*\*");
        Assert.True(stated.Success, answer);
        // A LIST for each city-day folder a query lists, $0.005 per 1,000: 100 cities x 365 days, or one city's 365.
        const decimal everyCityLists = 100 * 365 * 0.005m / 1000, oneCityLists = 365 * 0.005m / 1000;
        Assert.Contains("36,500 LISTs, one a city-day folder, **\\$0.182500**", answer);
        Assert.Contains("365 LISTs, **\\$0.001825**", answer);
        var every = everyCity.Athena + everyCity.Gets + everyCityLists;
        var one = oneCity.Athena + oneCity.Gets + oneCityLists;
        Assert.Equal(decimal.Round(every, 2), Number(stated.Groups["every"].Value));
        Assert.Equal(decimal.Round(one, 2), Number(stated.Groups["one"].Value));
        Assert.Equal(decimal.Round(every - one, 2), Number(stated.Groups["saved"].Value));
        // The scans follow the simulated day's bytes, which move a little from day to day: the prose rounds them, and
        // holds within 3% of what the scaling cell prints.
        var everyScan = Regex.Match(answer, @"Its scan of about (?<gb>[\d.]+) GB is billed about \*\*\\\$(?<usd>[\d.]+)\*\*");
        var oneScan = Regex.Match(answer, @"One city's year scans about (?<mb>[\d.]+) MB, billed about \*\*\\\$(?<usd>[\d.]+)\*\*");
        Assert.True(everyScan.Success && oneScan.Success, answer);
        Assert.Equal(("GB", "MB"), (everyCity.Unit, oneCity.Unit));
        static void Near(decimal printed, decimal stated) => Assert.InRange(stated, printed * 0.97m, printed * 1.03m);
        Near(everyCity.Scanned, Number(everyScan.Groups["gb"].Value));
        Near(everyCity.Athena, Number(everyScan.Groups["usd"].Value));
        Near(oneCity.Scanned, Number(oneScan.Groups["mb"].Value));
        Near(oneCity.Athena, Number(oneScan.Groups["usd"].Value));
        Assert.Equal(2, gets.Count);
        Assert.Equal(gets[0] - gets[1], Number(stated.Groups["today"].Value));
        Assert.Equal((gets[0] - gets[1]) / 0.0004m * 1000, Number(stated.Groups["fewer"].Value));
    }

    private static decimal Number(string text) => decimal.Parse(text, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    /// <summary>The markdown cell of <paramref name="notebook"/> that holds <paramref name="marker"/>.</summary>
    private string Prose(string notebook, string marker) => NotebookFile.Read(Path.Combine(run.Output, "notebooks", notebook)).Cells
        .Single(c => c.Kind == CellKind.Markdown && c.Source.Contains(marker, StringComparison.Ordinal)).Source;

    /// <summary>The sentence <paramref name="pattern"/> finds in the markdown cell of <paramref name="notebook"/> that holds <paramref name="marker"/>.</summary>
    private Match Stated(string notebook, string marker, Regex pattern)
    {
        var prose = NotebookFile.Read(Path.Combine(run.Output, "notebooks", notebook)).Cells
            .Single(c => c.Kind == CellKind.Markdown && c.Source.Contains(marker, StringComparison.Ordinal)).Source;
        var stated = pattern.Match(prose);
        Assert.True(stated.Success, prose);
        return stated;
    }

    [GeneratedRegex(@"on JSON\.gz \(some (?<gb>\d+\.\d) GB\)")]
    private static partial Regex StatedYearQueryBytes();

    [GeneratedRegex(@"that is (?<day>\d,\d{3}) − (?<expired>\d+) \+ (?<hand>\d+) = (?<total>\d,\d{3}) records")]
    private static partial Regex StatedViewRecords();

    [GeneratedRegex(@"waited the same (?<wait>\d+) s\b.*the job started at (?<start>\d\d:\d\d:\d\d)")]
    private static partial Regex StatedStreamingWait();

    [GeneratedRegex(@"the stack has (?<count>\d+) resources")]
    private static partial Regex StatedResources();

    [GeneratedRegex(@"<summary[^>]*>Answer</summary>\s*(?<count>\d+):")]
    private static partial Regex AnsweredEvents();
}
