using System.Text;
using System.Text.Json.Nodes;
using PuppeteerSharp;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Display;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Workflows;

namespace Workshop.Notebooks.Tests.Browser;

/// <summary>
/// The kit's tables whose values are long unbroken runs (a record's JSON, console addresses and workspace paths, a
/// Glue job run id) or many ids side by side fit the output area of Jupyter Notebook in a 1,280 px window, as Task 1,
/// Task 2 and the orchestration notebook show them, and an exported page's output in a pane 1,000 px wide: nothing is
/// cut off at the right edge, and no prose column is squeezed to a word a line.
/// </summary>
public sealed class OutputAreaFitTests
{
    /// <summary>The width of a code cell's output area in Jupyter Notebook's window of 1,280 px, less its padding.</summary>
    private const int JupyterOutputWidth = 966;

    private static readonly DateTimeOffset At = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A learner's clone in their home folder: the workspace is beside workshop.dib.</summary>
    private const string Workspace = "/home/learner/streaming-workshop-kit/.workshop";

    /// <summary>An exported page's output in a pane 1,000 px wide (VS Code's, beside its explorer), less the page's margins.</summary>
    private const int ExportedPaneOutputWidth = 932;

    public static TheoryData<string, int> Views()
    {
        var data = new TheoryData<string, int>();
        foreach (var view in new[] { "records", "stack outputs", "execution history", "state machines", "resharded shards" })
            foreach (var width in new[] { JupyterOutputWidth, ExportedPaneOutputWidth })
                data.Add(view, width);
        return data;
    }

    private static string Html(string view) => view switch
    {
        "records" => new RecordBatchView([.. new[] { "London", "Manchester", "Edinburgh" }.Select((city, i) => new StreamRecord(
            "shardId-000000000000", $"4900000000000000000000000000000{i + 1}", At, city, Encoding.UTF8.GetBytes(
                $"{{\"city\":\"{city}\",\"temperature\":2.4,\"measurement_time\":\"2026-12-06T00:00\"," +
                "\"collection_time\":\"2026-12-06T00:00:00.000Z\",\"source\":\"simulated\",\"wind_speed\":14.7,\"weather_code\":3}")))]).ToHtml(),
        "stack outputs" => new StackOutputsView(
            [
                new StackOutput("DataLakeBucketURL", "https://s3.console.aws.amazon.com/s3/buckets/weather-analytics-data-lake-dev-123456789012?region=us-east-1", "The data lake in the S3 console."),
                new StackOutput("DataLakeBucketName", "weather-analytics-data-lake-dev-123456789012", null),
                new StackOutput("KinesisStreamArn", "arn:aws:kinesis:us-east-1:123456789012:stream/weather-analytics-stream-dev", null),
                new StackOutput("RedshiftClusterURL", "https://us-east-1.console.aws.amazon.com/redshiftv2/home?region=us-east-1#cluster-details?cluster=weather-analytics-warehouse-dev", "The warehouse in the Redshift console."),
                new StackOutput("WarehouseConnectionString", $"DataSource={Workspace}/warehouse/weather-analytics-warehouse-dev.duckdb;ACCESS_MODE=READ_ONLY", "The local cluster's database file, for a DuckDB client (read-only)."),
            ],
            new Dictionary<string, string>
            {
                ["DataLakeBucketURL"] = $"{Workspace}/lake/weather-analytics-data-lake-dev-123456789012 · workshop lake ls",
                ["RedshiftClusterURL"] = $"{Workspace}/warehouse/weather-analytics-warehouse-dev.duckdb (the cluster's database file) · workshop warehouse tables",
            }).ToHtml(),
        "execution history" => new HistoryView("arn:aws:states:us-east-1:123456789012:execution:weather-analytics-daily-pipeline-dev:f5424d9f",
            [
                new HistoryEvent(30, 29, At, "TaskStateEntered", "stateEnteredEventDetails", new JsonObject { ["name"] = "RunBatchJob" }),
                new HistoryEvent(31, 30, At, "TaskScheduled", "taskScheduledEventDetails", new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync" }),
                new HistoryEvent(33, 31, At, "TaskFailed", "taskFailedEventDetails", new JsonObject
                {
                    ["error"] = "Glue.ConcurrentRunsExceededException",
                    ["cause"] = "Concurrent runs exceeded for weather-analytics-curate-batch-dev: run jr_d38f8f66c6ecefb19fa28813654c9bf67b2f956de9b0ed39c3bcd8d4a2af40ad is still active. Wait for it to end, or stop it (workshop job stop weather-analytics-curate-batch-dev). (Service: Glue, Status Code: 400, Error Code: ConcurrentRunsExceededException)",
                }),
                new HistoryEvent(37, 33, At.AddSeconds(100), "TaskSucceeded", "taskSucceededEventDetails", new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync" }),
            ]).ToHtml(),
        // Once the pipeline has run: its latest execution's 36-character name beside the machine's own.
        "state machines" => new StateMachineListView(
            [
                new StateMachineListItem(
                    new StateMachineSummary("weather-analytics-daily-pipeline-dev", "arn:aws:states:us-east-1:123456789012:stateMachine:weather-analytics-daily-pipeline-dev", "STANDARD", At),
                    new ExecutionDescription("arn:aws:states:us-east-1:123456789012:execution:weather-analytics-daily-pipeline-dev:9220503e-f127-976e-aab8-c3cf57caacf8",
                        "arn:aws:states:us-east-1:123456789012:stateMachine:weather-analytics-daily-pipeline-dev", "9220503e-f127-976e-aab8-c3cf57caacf8", "SUCCEEDED", At.AddDays(2))),
            ]).ToHtml(),
        // After 04's reshard to two shards: a closed parent, whose ending sequence number must stay in sight, and its children.
        "resharded shards" => new StreamDescriptionView(
            new StreamSummary("weather-analytics-stream-dev", "arn:aws:kinesis:us-east-1:123456789012:stream/weather-analytics-stream-dev", "UPDATING", 2, 24, At),
            [
                new ShardDescription("shardId-000000000000", "0", "340282366920938463463374607431768211455", "49000000000000000000000000000000", "49000000000000000000000000000060"),
                new ShardDescription("shardId-000000000001", "0", "170141183460469231731687303715884105727", "49000000000100000000000000000000", ParentShardId: "shardId-000000000000"),
                new ShardDescription("shardId-000000000002", "170141183460469231731687303715884105728", "340282366920938463463374607431768211455", "49000000000200000000000000000000", ParentShardId: "shardId-000000000000"),
            ]).ToHtml(),
        _ => throw new ArgumentOutOfRangeException(nameof(view)),
    };

    [Theory]
    [MemberData(nameof(Views))]
    public async Task A_table_of_long_values_fits_jupyter_notebooks_output_area_without_squeezing_its_prose(string view, int width)
    {
        await using var browser = await Chromium.LaunchAsync();
        await using var page = await browser.NewPageAsync();
        // The output area as Jupyter Notebook lays it out: a block that scrolls sideways when its content is wider, and
        // its stylesheet for tables in outputs (the kit's inline styles outrank it).
        await page.SetContentAsync($"""
            <!DOCTYPE html><html><head><style>
              body {"{"} margin: 0; font: 14px Helvetica, Arial, sans-serif {"}"}
              #output {"{"} width: {width}px; overflow-x: auto {"}"}
              #output table {"{"} margin-left: auto; margin-right: auto; border-collapse: collapse; table-layout: fixed; font-size: 12px {"}"}
              #output td, #output th {"{"} text-align: right; vertical-align: middle; padding: 0.5em; line-height: normal; white-space: normal {"}"}
            </style></head><body><div id="output">{Html(view)}</div></body></html>
            """);

        var overflow = await page.EvaluateExpressionAsync<int>("(o => o.scrollWidth - o.clientWidth)(document.getElementById('output'))");
        var cut = await page.EvaluateFunctionAsync<string[]>("""
            () => {
              const right = document.getElementById('output').getBoundingClientRect().right;
              return [...document.querySelectorAll('#output th')]
                .filter(th => th.getBoundingClientRect().right > right + 0.5)
                .map(th => th.innerText.trim() + ' ends at ' + Math.round(th.getBoundingClientRect().right) + ' px');
            }
            """);
        var squeezed = await page.EvaluateFunctionAsync<string[]>("""
            () => [...document.querySelectorAll('#output td')]
                .filter(td => td.innerText.trim().split(/\s+/).length >= 6 && td.getBoundingClientRect().width < 150)
                .map(td => Math.round(td.getBoundingClientRect().width) + ' px wide: ' + td.innerText.trim().slice(0, 60))
            """);

        // A record's JSON breaks between its members where it can, so no key is split across two lines.
        var splitKeys = await page.EvaluateFunctionAsync<string[]>("""
            () => {
              const split = [];
              const walker = document.createTreeWalker(document.getElementById('output'), NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode())
                for (const key of node.data.matchAll(/"[a-z_]+":/g)) {
                  const range = document.createRange();
                  range.setStart(node, key.index);
                  range.setEnd(node, key.index + key[0].length);
                  if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) split.push(key[0]);
                }
              return split;
            }
            """);

        Assert.True(overflow <= 0,
            $"The {view} table is {overflow} px wider than an output area of {width} px; cut off at its right edge: {string.Join(", ", cut)}");
        Assert.True(squeezed.Length == 0, $"The {view} table squeezes prose to a word a line:\n{string.Join("\n", squeezed)}");
        Assert.True(splitKeys.Length == 0, $"The {view} table breaks a record's JSON inside its keys: {string.Join(", ", splitKeys)}");
    }
}
