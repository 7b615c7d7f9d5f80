using System.Globalization;
using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner reads in the jobs notebook after `workshop run`. Worked out by hand for three cities: a measurement
/// every quarter-hour gives 24 hours × 3 cities = 72 hourly averages for the simulated day, on raw and curated data alike;
/// the live section runs eight minutes, so 8 × 3 = 24 readings are measured, and the three of its last minute are still
/// waiting for the streaming job's next micro-batch when it ends.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class EtlNotebookTests(WorkshopRun run)
{
    private const string Notebook = "07-going-further-etl.ipynb";

    private List<(string Source, string Text)> CodeCells() => ExecutedNotebook.CodeCells(run, Notebook);

    private static string OutputOf(List<(string Source, string Text)> cells, string sourceMarker) => ExecutedNotebook.OutputOf(cells, sourceMarker);

    [Fact]
    public void The_batch_job_succeeds_its_bookmark_skips_what_it_read_and_the_curated_table_answers_like_the_raw_one()
    {
        var cells = CodeCells();

        var firstRun = cells.First(c => c.Source.StartsWith("await workshop.Jobs.RunAsync(workshop.Names.BatchJob", StringComparison.Ordinal)).Text;
        Assert.StartsWith("Run of weather-analytics-curate-batch-dev: SUCCEEDED", firstRun);
        var logs = OutputOf(cells, "foreach (var run in new[] { second, third })");
        Assert.Matches(@"with job-bookmark-enable: 0 of [\d,]+ raw objects to read \(0 B\)\.", logs);
        Assert.Contains("No new raw readings since the last successful run (job bookmark); nothing to curate.", logs);
        // The third run, after half an hour of the pipeline, reads only the objects delivered since the second.
        var reads = Regex.Matches(logs, @"with job-bookmark-enable: (?<read>[\d,]+) of (?<all>[\d,]+) raw objects to read")
            .Select(m => (Read: int.Parse(m.Groups["read"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
                          All: int.Parse(m.Groups["all"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(2, reads.Count);
        Assert.Equal(reads[1].All - reads[0].All, reads[1].Read);
        Assert.InRange(reads[1].Read, 1, reads[0].All - 1);

        var compared = OutputOf(cells, "var onRaw");
        Assert.Contains("Raw JSON.gz through the view: 72 rows", compared);
        Assert.Contains("Curated Parquet:              72 rows", compared);
        Assert.Matches(@"The curated table is read with \d+ times fewer bytes\.", compared);

        Assert.Contains("ETL challenge · Not yet", OutputOf(cells, "CheckChallengeAsync(myAnswer)"));
        var solution = ExecutedNotebook.CodeCells(run, Path.Combine("solutions", "etl-solution.ipynb"));
        Assert.Contains("ETL challenge · Correct", OutputOf(solution, "CheckChallengeAsync"));
        // The solution shows the rows it is judged on, one per city, before the verdict.
        Assert.Matches(@"city\s+hour\s+avg_f\n-+\s+-+\s+-+\n(Edinburgh|London|Manchester)\s+\d+\s+-?\d+\.\d\n", OutputOf(solution, "CheckChallengeAsync"));
    }

    [Fact]
    public void The_dashboard_prediction_is_answered_and_the_measured_waits_stay_within_the_answer()
    {
        var executed = NotebookFile.Read(Path.Combine(run.Output, "notebooks", Notebook)).Cells;
        var dashboard = executed.FindIndex(c => c.Kind == CellKind.Code && c.Source.Contains("ShowDashboardAsync", StringComparison.Ordinal));
        var answer = executed.Skip(dashboard + 1).First(c => c.Kind == CellKind.Markdown).Source;
        Assert.StartsWith("<details><summary style=\"display:list-item\">Answer</summary>", answer);
        Assert.Contains("never more than one `windowSize` (60 s) away", answer);

        // The answer's bound, against what the freshness table measured for the streaming job: median and 95th percentile.
        var measured = Regex.Match(OutputOf(CodeCells(), "var freshness = await workshop.Jobs.FreshnessAsync()"),
            @"Streaming job\s+\d+\s+(?<median>[\d.]+) s\s+(?<p95>[\d.]+) s");
        Assert.True(measured.Success, "The freshness table has no streaming job row with its waits.");
        Assert.InRange(double.Parse(measured.Groups["p95"].Value, CultureInfo.InvariantCulture), 0, 60);
    }

    [Fact]
    public void The_live_dashboard_and_the_freshness_of_each_path_come_from_the_eight_live_minutes()
    {
        var cells = CodeCells();

        var dashboard = OutputOf(cells, "ShowDashboardAsync");
        Assert.Contains("Streaming job weather-analytics-curate-stream-dev (RUNNING)", dashboard);
        Assert.Contains("Latest reading per city", dashboard);
        Assert.Matches(@"\n\d\d:\d\d-\d\d:\d\d\s+London\s+\d+\s+.*written\n", dashboard + "\n");

        // Before the crawler has added today's partitions, no live reading is queryable through the lake.
        var before = OutputOf(cells, "var freshness = await workshop.Jobs.FreshnessAsync()");
        Assert.Matches(@"Firehose, lake, Athena\s+0\s+-\s+-\s+24\s", before);
        Assert.Matches(@"Streaming job\s+21\s+[\d.]+ s\s+[\d.]+ s\s+3\s", before);
        Assert.Matches(@"Warehouse view\s+24\s+[\d.]+ s\s+[\d.]+ s\s+0\s", before);
        var after = OutputOf(cells, "await workshop.CrawlAsync();");
        Assert.Matches(@"Firehose, lake, Athena\s+24\s+[\d.]+ s\s+[\d.]+ s\s+0\s", after);
        // Each Athena path's day counts S3's GETs: every dashboard query opens some objects, $0.0004 per 1,000.
        foreach (Match gets in Regex.Matches(Regex.Replace(before, @"\s+", " "), @"1,440 Athena queries \$\d+\.\d\d and their (?<gets>[\d,]+) S3 GETs \$(?<usd>\d+\.\d\d)"))
        {
            var requests = long.Parse(gets.Groups["gets"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            Assert.True(requests > 0 && requests % 1_440 == 0, gets.Value);
            Assert.Equal(Math.Round(requests * 0.0004m / 1000m, 2), decimal.Parse(gets.Groups["usd"].Value, CultureInfo.InvariantCulture));
        }
        Assert.Equal(2, Regex.Matches(Regex.Replace(before, @"\s+", " "), "S3 GETs").Count);

        Assert.Contains("STOPPED", OutputOf(cells, "RunsAsync(workshop.Names.StreamingJob)"));
        var page = File.ReadAllText(Path.Combine(run.Output, "notebooks", "07-going-further-etl.html"));
        // The freshness chart before the crawl, where the lake's path says it has nothing queryable yet, and again after
        // it, when the lake's path has its figures written on its bars.
        var charts = page.Split("var renderPlotly_")[1..].Select(script => script[..script.IndexOf("</script>", StringComparison.Ordinal)]).ToArray();
        Assert.Equal(2, charts.Length);
        Assert.Contains("\"text\":[\"not yet queryable\",", charts[0]);
        Assert.DoesNotContain("not yet queryable", charts[1]);
        Assert.Contains("\"x\":[\"Firehose, lake, Athena\",", charts[1]);
    }
}
