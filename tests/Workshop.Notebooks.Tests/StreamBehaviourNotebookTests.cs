using System.Text.Json.Nodes;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner reads in the stream-behaviour notebook after `workshop run`: the numbers its questions predict
/// (15 records per 5 minutes, a reader 1 s behind, a lake about a minute behind), the alarm going to ALARM and then
/// OK after ten quiet minutes, and the alarm gone at the end, with the iterator-age chart drawn on the page.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class StreamBehaviourNotebookTests(WorkshopRun run)
{
    private static string TextOf(JsonNode output) =>
        output["text"] is { } text ? Joined(text) : output["data"]?["text/plain"] is { } plain ? Joined(plain) : "";

    private static string Joined(JsonNode node) => node is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : node.GetValue<string>();

    [Fact]
    public void The_metrics_and_the_alarm_show_what_the_questions_predict()
    {
        Assert.True(run.ExitCode == 0, run.Log);
        var executed = NotebookFile.Read(Path.Combine(run.Output, "notebooks", "04-stream-behaviour.ipynb"));
        var code = executed.Cells.Where(c => c.Kind == CellKind.Code).Select(c => string.Join("\n", c.Outputs.Select(TextOf))).ToList();

        var incoming = code.Single(t => t.Contains("IncomingRecords", StringComparison.Ordinal));
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
        Assert.Contains("No alarms yet.", code[^1]);

        var page = File.ReadAllText(Path.Combine(run.Output, "notebooks", "04-stream-behaviour.html"));
        Assert.Equal(1, page.Split("var renderPlotly_").Length - 1);
        Assert.Contains("GetRecords.IteratorAgeMilliseconds", page);
    }
}
