using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner reads in the stream-behaviour notebook after `workshop run`: the numbers its questions predict
/// (15 records per 5 minutes, a reader 1 s behind, a lake about a minute behind), the reader's alarm going to ALARM and
/// then OK after ten quiet minutes while the producer's silence alarm goes from OK to ALARM, and both alarms gone at
/// the end, with the iterator-age chart drawn on the page. Then the lab's
/// sections: shards worked out with Python's hashlib (MD5 of the key as a big-endian number over equal ranges) put London,
/// Manchester and Edinburgh all in the lower half of two shards, and on shards 1, 0 and 0 of four; with "-0".."-3" suffixes
/// on shards 1, 2 and 3 only.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class StreamBehaviourNotebookTests(WorkshopRun run)
{
    [Fact]
    public void The_metrics_and_the_alarm_show_what_the_questions_predict()
    {
        Assert.True(run.ExitCode == 0, run.Log);
        var executed = NotebookFile.Read(Path.Combine(run.Output, "notebooks", "04-stream-behaviour.ipynb"));
        var code = executed.Cells.Where(c => c.Kind == CellKind.Code).Select(c => string.Join("\n", c.Outputs.Select(ExecutedNotebook.TextOf))).ToList();

        // The answers hold for the last hour of Task 2's day; the notebook says which hour it reads, and what moves it.
        var introduction = executed.Cells.First(c => c.Kind == CellKind.Markdown).Source;
        Assert.Contains("Sections 1 to 4 read the **last hour** of that clock.", introduction);
        Assert.Contains("after them the clock has moved on", introduction);

        var incoming = code.Single(t => t.Contains("IncomingRecords", StringComparison.Ordinal) && t.Contains("Sum per 5 min", StringComparison.Ordinal));
        var rows = incoming.Split('\n').Where(l => l.EndsWith("Count", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, rows.Count);
        Assert.All(rows, row => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d[05]\s+15\s+Count$", row));

        var freshness = code.Single(t => t.Contains("DeliveryToS3.DataFreshness", StringComparison.Ordinal));
        Assert.All(freshness.Split('\n').Where(l => l.EndsWith("Seconds", StringComparison.Ordinal)), row => Assert.Matches(@"\s61\s+Seconds$", row));

        var alarms = code.Where(t => t.Contains("reader-behind", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, alarms.Count);
        Assert.Matches(@"reader-behind\s+ALARM\s", alarms[0]);
        Assert.Contains("Maximum >= 1000 for 3 of 5 x 60 s", alarms[0]);
        Assert.Matches(@"reader-behind\s+OK\s", alarms[1]);
        Assert.Contains("treated as [NonBreaching]", alarms[1]);
        // Three records come in every minute, so the producer's silence alarm is OK until the ten quiet minutes,
        // whose missing IncomingRecords datapoints count as breaching.
        var silent = code.Where(t => t.Contains("producer-silent", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, silent.Count);
        Assert.Matches(@"producer-silent\s+OK\s", silent[0]);
        Assert.Contains("Sum < 1 for 3 of 5 x 60 s", silent[0]);
        Assert.Matches(@"producer-silent\s+ALARM\s", silent[1]);
        Assert.Contains("treated as [Breaching]", silent[1]);
        Assert.Equal(alarms[1], silent[1]);
        Assert.Contains("No alarms yet.", OutputOf(CodeCells(), "DeleteAlarmsAsync"));

        var page = File.ReadAllText(Path.Combine(run.Output, "notebooks", "04-stream-behaviour.html"));
        // On the page the reason reads as a sentence under the alarms table, not as a squeezed column of it.
        Assert.Contains("<b>reader-behind</b> ALARM: Threshold Crossed: 5 out of the last 5 datapoints [1000.0 (", page);
        Assert.DoesNotContain(">Reason</th>", page);
        Assert.Equal(1, page.Split("var renderPlotly_").Length - 1);
        Assert.Contains("GetRecords.IteratorAgeMilliseconds", page);
    }

    [Fact]
    public void The_answers_name_the_states_and_the_iterator_age_the_cells_show()
    {
        var executed = NotebookFile.Read(Path.Combine(run.Output, "notebooks", "04-stream-behaviour.ipynb"));
        string Prose(string marker) => executed.Cells.Single(c => c.Kind == CellKind.Markdown && c.Source.Contains(marker, StringComparison.Ordinal)).Source;
        var cells = CodeCells();
        static string State(string output, string alarm) => Found(output, alarm + @"\s+(OK|ALARM|INSUFFICIENT_DATA)\s");
        static string Found(string text, string pattern)
        {
            var match = Regex.Match(text, pattern);
            Assert.True(match.Success, $"/{pattern}/ not in:\n{text}");
            return match.Groups[1].Value;
        }

        // Section 2: on the local backend each minute has one sample, of 1,000 ms; the chart draws those 60 minutes.
        var age = Prose("What is the worst (Maximum) iterator age per minute?");
        Assert.Contains("So each minute has one datapoint, of 1,000 ms", age);
        Assert.Contains("the empty calls at the tip between batches report 0", age);
        var page = File.ReadAllText(Path.Combine(run.Output, "notebooks", "04-stream-behaviour.html"));
        var drawn = Found(page[page.IndexOf("renderPlotly_", StringComparison.Ordinal)..], @"""y"":\s*\[([^\]]*)\]").Split(',');
        Assert.Equal(Enumerable.Repeat("1000.0", 60), drawn);

        // Section 4: the state each answer names is the one the next cell shows.
        var made = Found(Prose("Which state will the alarm be in as soon as it is made?"), @"Answer</summary>\s*(\w+), here:");
        Assert.Equal(State(OutputOf(cells, "GreaterThanOrEqualToThreshold"), "reader-behind"), made);
        var silentMade = Found(Prose("Silence on the **producer's side**"), @"Made now, it is (\w+) on the local backend");
        Assert.Equal(State(OutputOf(cells, "LessThanThreshold"), "producer-silent"), silentMade);
        var quiet = Prose("the producer stops for ten minutes");
        var afterQuiet = OutputOf(cells, "Clock.Advance(TimeSpan.FromMinutes(10))");
        Assert.Equal(State(afterQuiet, "reader-behind"), Found(quiet, @"`reader-behind` is (\w+) on both backends"));
        Assert.Equal(State(afterQuiet, "producer-silent"), Found(quiet, @"`producer-silent` goes to (\w+) on both"));
    }

    private List<(string Source, string Text)> CodeCells() => ExecutedNotebook.CodeCells(run, "04-stream-behaviour.ipynb");

    private static string OutputOf(List<(string Source, string Text)> cells, string sourceMarker) => ExecutedNotebook.OutputOf(cells, sourceMarker);

    [Fact]
    public void The_reshard_closes_the_parent_and_every_city_lands_on_the_same_child()
    {
        var cells = CodeCells();

        var reshard = OutputOf(cells, "await lab.ReshardAsync(2)");
        Assert.Matches(@"shardId-000000000000\s+closed\s+-\s", reshard);
        Assert.Matches(@"shardId-000000000001\s+open\s+shardId-000000000000\s+0\s+170141183460469231731687303715884105727\s", reshard);
        Assert.Matches(@"shardId-000000000002\s+open\s+shardId-000000000000\s+170141183460469231731687303715884105728\s", reshard);
        Assert.Contains("read each closed shard to its end before its children", reshard);

        // Three minutes after the split, three cities: 9 readings, all on the lower child.
        var children = OutputOf(cells, "foreach (var child in");
        Assert.Contains("shardId-000000000001: 9 record(s), keys London, Manchester, Edinburgh", children);
        Assert.Contains("shardId-000000000002: 0 record(s)", children);
    }

    [Fact]
    public void Three_cities_keep_two_of_four_shards_busy_and_four_suffixes_three()
    {
        var cells = CodeCells();

        var cities = OutputOf(cells, "await lab.KeySpreadAsync(cities)");
        Assert.Matches(@"shardId-000000000003\s+2\s+Manchester, Edinburgh", cities);
        Assert.Matches(@"shardId-000000000004\s+1\s+London", cities);
        Assert.Contains("3 partition key(s) keep 2 of 4 open shard(s) busy", cities);
        var suffixed = OutputOf(cells, "WithSuffixes(cities, 4)");
        Assert.Matches(@"shardId-000000000003\s+0\s+\(idle\)", suffixed);
        Assert.Contains("12 partition key(s) keep 3 of 4 open shard(s) busy", suffixed);
    }

    [Fact]
    public void The_batch_retries_only_its_failed_entries_and_the_sixth_read_in_a_second_is_refused()
    {
        var cells = CodeCells();

        // 500 + 500 fill the shard's 1,000 records a second; the last 200 fail 4 times (0, 100, 300, 700 ms) and go in at 1.5 s.
        Assert.Equal("1,200 of 1,200 record(s) put in 7 PutRecords call(s); 800 entries retried.", OutputOf(cells, "PutRecordsWithRetryAsync(readings)").Trim());
        var reads = OutputOf(cells, "for (var call = 1; call <= 6; call++)").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, 5).Select(n => $"call {n}: served, 0 record(s)"), reads.Take(5));
        Assert.StartsWith("call 6: refused: Rate exceeded for Shard - shardId-000000000004 in stream weather-analytics-stream-dev", reads[5]);
    }

    [Fact]
    public void The_iterator_age_chart_title_is_broken_into_two_lines_that_fit_the_chart()
    {
        Assert.True(run.ExitCode == 0, run.Log);
        var page = File.ReadAllText(Path.Combine(run.Output, "notebooks", "04-stream-behaviour.html"));
        // On the page the reason reads as a sentence under the alarms table, not as a squeezed column of it.
        Assert.Contains("<b>reader-behind</b> ALARM: Threshold Crossed: 5 out of the last 5 datapoints [1000.0 (", page);
        Assert.DoesNotContain(">Reason</th>", page);

        Assert.Contains("AWS/Kinesis GetRecords.IteratorAgeMilliseconds<br>StreamName=weather-analytics-stream-dev: Maximum per 1 min", page);
    }

    [Fact]
    public void A_fan_out_consumer_is_served_in_the_second_the_shared_readers_are_refused()
    {
        var cells = CodeCells();

        Assert.Matches(@"dashboard\s+ACTIVE\s+2025-01-14 \d\d:\d\d:\d\d UTC\s+arn:aws:kinesis:us-east-1:123456789012:stream/weather-analytics-stream-dev/consumer/dashboard:\d+",
            OutputOf(cells, "await lab.RegisterConsumerAsync(\"dashboard\")"));

        // London's shard holds only the 1,200 batched records: {"city":"London","reading":i} is 28 characters plus i's
        // digits, so 28 x 1,200 + (9 + 90 x 2 + 900 x 3 + 201 x 4) = 37,293 bytes, all in the first event.
        var subscription = OutputOf(cells, "SubscribeAsync(\"dashboard\"");
        Assert.Contains("Shared GetRecords calls refused this second: 1", subscription);
        Assert.Contains("dashboard subscribed to shardId-000000000004 from TRIM_HORIZON: 2 event(s), 1,200 record(s)", subscription);
        Assert.Matches(@"\n1\s+2025-01-14 [\d:]+ UTC\s+1,200\s+37,293\s+0\s+\d+\s+-", subscription);
        Assert.Matches(@"\n2\s+2025-01-14 [\d:]+ UTC\s+0\s+0\s+0\s", subscription);
        Assert.Contains("Caught up with the tip of shardId-000000000004", subscription);

        Assert.Matches(@"dashboard\s+DELETING\s", OutputOf(cells, "await lab.DeregisterConsumerAsync(\"dashboard\")"));
    }
}
