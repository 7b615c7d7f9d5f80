using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Spectre.Console;
using StreamingWorkshop.Warehouse;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench workflow`: the States Language interpreter on a Map of many items, against the same JSON work done by one C#
/// loop (the floor); then the daily pipeline run for each day of a month of readings, against a replay of each execution
/// from its journal (the interpreter's own share, with no service called). All figures come from one run.
/// </summary>
internal static class WorkflowBench
{
    private static readonly string[] CityNames = ["London", "Manchester", "Edinburgh"];

    /// <summary>Runs of each side of the Map's comparison; the fastest counts.</summary>
    private const int Attempts = 5;

    public static void AddTo(RootCommand root)
    {
        var items = new Option<int>("--items") { Description = "Items the Map state goes through.", DefaultValueFactory = _ => 1000 };
        var days = new Option<int>("--days") { Description = "Days of readings the daily pipeline is run for, one execution a day.", DefaultValueFactory = _ => 30 };
        var json = BenchReport.JsonOption();
        var command = new Command("workflow", "Measure the state machine interpreter on a large Map, and the daily pipeline on a month of readings.") { items, days, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (itemCount, dayCount) = (parse.GetValue(items), parse.GetValue(days));
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            // Each item writes six events, and an execution's history holds at most 25,000.
            if (itemCount is < 1 or > 4_000) throw new ArgumentException($"--items {itemCount} is out of range: give 1 to 4000 (each item writes six history events, and an execution holds at most 25,000).");
            if (dayCount is < 1 or > 366) throw new ArgumentException($"--days {dayCount} is out of range: give 1 to 366.");
            var report = new BenchReport("workflow");
            var map = await MeasureMapAsync(itemCount, cancellationToken);
            report.Print(MapFigures(report, map));
            var folder = Directory.CreateTempSubdirectory("workshop-bench-workflow-").FullName;
            try
            {
                report.Print(PipelineFigures(report, await MeasurePipelineAsync(folder, dayCount, cancellationToken)));
                report.WriteJson(jsonPath);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
    }

    internal sealed record MapMeasurement(int Items, int Transitions, int Events, TimeSpan Interpreter, TimeSpan Floor);

    internal sealed record PipelineMeasurement(int Days, long Readings, TimeSpan Crawl, IReadOnlyList<(string Day, string Status, TimeSpan Wall, TimeSpan Virtual, int Events, TimeSpan Replay)> Executions);

    /// <summary>A Map whose iterations each go through a Choice to one of two Pass states that build an object from the item.</summary>
    internal static string MapDefinition() => """
        {
          "StartAt": "Readings",
          "States": {
            "Readings": {
              "Type": "Map",
              "ItemsPath": "$.readings",
              "ItemProcessor": {
                "ProcessorConfig": { "Mode": "INLINE" },
                "StartAt": "Warm",
                "States": {
                  "Warm": { "Type": "Choice", "Choices": [ { "Variable": "$.temperature", "NumericGreaterThanEquals": 15, "Next": "MarkWarm" } ], "Default": "MarkCool" },
                  "MarkWarm": { "Type": "Pass", "Parameters": { "city.$": "$.city", "celsius.$": "$.temperature", "warm": true }, "End": true },
                  "MarkCool": { "Type": "Pass", "Parameters": { "city.$": "$.city", "celsius.$": "$.temperature", "warm": false }, "End": true }
                }
              },
              "ResultPath": "$.marked",
              "End": true
            }
          }
        }
        """;

    internal static JsonObject MapInput(int items) => new()
    {
        ["readings"] = new JsonArray(Enumerable.Range(0, items)
            .Select(i => (JsonNode)new JsonObject { ["city"] = CityNames[i % CityNames.Length], ["temperature"] = i % 30 }).ToArray()),
    };

    internal static async Task<MapMeasurement> MeasureMapAsync(int items, CancellationToken cancellationToken)
    {
        var definition = StateMachineDefinition.Parse(MapDefinition());
        var input = MapInput(items);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var identity = new ExecutionIdentity("arn:aws:states:us-east-1:123456789012:execution:bench:map", "map", "arn:aws:states:us-east-1:123456789012:stateMachine:bench",
            "bench", "arn:aws:iam::123456789012:role/bench", start, input.ToJsonString());
        // Each side runs once to warm up, then the fastest of five runs counts, so a pause of the machine's does not.
        await AslInterpreter.AdvanceAsync(definition, identity, start, new ExecutionJournal(), NoServices.Instance, cancellationToken);
        var (interpreter, floor) = (TimeSpan.MaxValue, TimeSpan.MaxValue);
        ExecutionProgress progress = null!;
        var watch = new Stopwatch();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            watch.Restart();
            progress = await AslInterpreter.AdvanceAsync(definition, identity, start, new ExecutionJournal(), NoServices.Instance, cancellationToken);
            if (watch.Elapsed < interpreter) interpreter = watch.Elapsed;
        }
        if (progress.Status != ExecutionStatuses.Succeeded) throw new InvalidOperationException($"The bench's Map ended {progress.Status}: {progress.Error}: {progress.Cause}");
        var transitions = progress.Events.Count(e => e.Type.EndsWith("StateEntered", StringComparison.Ordinal));

        var floorOutput = Floor(input);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            watch.Restart();
            floorOutput = Floor(input);
            if (watch.Elapsed < floor) floor = watch.Elapsed;
        }
        if (!JsonNode.DeepEquals(JsonNode.Parse(progress.Output!)!["marked"], floorOutput))
            throw new InvalidOperationException("The floor's output differs from the interpreter's; the bench compares unlike work.");
        return new MapMeasurement(items, transitions, progress.Events.Count, interpreter, floor);
    }

    /// <summary>The Map's data work in one loop: the same choice and the same object built from each item.</summary>
    private static JsonArray Floor(JsonObject input)
    {
        var marked = new JsonArray();
        foreach (var item in input["readings"]!.AsArray())
        {
            var reading = item!.DeepClone();
            var celsius = reading["temperature"]!.GetValue<int>();
            marked.Add(new JsonObject { ["city"] = reading["city"]!.DeepClone(), ["celsius"] = celsius, ["warm"] = celsius >= 15 });
        }
        return marked;
    }

    internal static BenchTable MapFigures(BenchReport report, MapMeasurement map)
    {
        var table = report.Table($"A Map over {map.Items:N0} items (Choice, then Pass); fastest of {Attempts} runs each", "Measured", "Wall time", "Transitions/s", "Time vs floor");
        var perSecond = map.Transitions / map.Interpreter.TotalSeconds;
        var ratio = map.Interpreter / map.Floor;
        table.AddRow("One C# loop, same JSON work (the floor)", Milliseconds(map.Floor), "", BenchValue.Of(1, "0.0", "x"));
        table.AddRow($"Interpreter: {map.Transitions:N0} transitions, {map.Events:N0} events", Milliseconds(map.Interpreter),
            BenchValue.Of(perSecond, "N0"), BenchValue.Of(ratio, "N0", "x"));
        report.Figure("mapTransitionsPerSecond", perSecond, "transitions/s");
        report.Figure("mapInterpreterOverFloor", ratio, "x");
        return table;
    }

    internal static async Task<PipelineMeasurement> MeasurePipelineAsync(string folder, int dayCount, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var session = await Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = folder });
        session.Clock.SetStart(start.AddDays(dayCount).AddMinutes(30));
        await session.EnsurePipelineAsync(cancellationToken);
        var cities = session.Cities.Where(c => CityNames.Contains(c.Name)).ToArray();
        var readings = await MonthOfReadings.WriteAsync(session, "weather-data/", start, dayCount, cities, cancellationToken: cancellationToken);
        // The crawler is made by its first crawl (Task 3); the state machine starts it from then on.
        var watch = Stopwatch.StartNew();
        await session.CrawlAsync(cancellationToken: cancellationToken);
        var crawl = watch.Elapsed;
        var workflows = session.Local!.Workflows;
        var executions = new List<(string, string, TimeSpan, TimeSpan, int, TimeSpan)>();
        for (var day = 0; day < dayCount; day++)
        {
            var date = start.AddDays(day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            watch.Restart();
            var run = await session.Workflows.RunAsync(input: new { day = date }, wait: true, cancellationToken: cancellationToken);
            var wall = watch.Elapsed;
            var execution = run.Execution;
            watch.Restart();
            var replay = await workflows.ReplayAsync(execution.ExecutionArn, cancellationToken);
            var replayTime = watch.Elapsed;
            executions.Add((date, execution.Status, wall, (execution.StopDate ?? execution.StartDate) - execution.StartDate, replay.Events.Count, replayTime));
        }
        return new PipelineMeasurement(dayCount, readings, crawl, executions);
    }

    internal static BenchTable PipelineFigures(BenchReport report, PipelineMeasurement pipeline)
    {
        var runs = pipeline.Executions;
        var succeeded = runs.Count(r => r.Status == ExecutionStatuses.Succeeded);
        var table = report.Table($"The daily pipeline, once a day over {pipeline.Days} days ({pipeline.Readings:N0} readings)",
            "Measured", "Median", "95th pct", "Total");
        table.AddRow("Executions that SUCCEEDED", "", "", new BenchValue($"{succeeded} of {runs.Count}", succeeded));
        table.AddRow("Execution, wall time", Milliseconds(Percentile(runs.Select(r => r.Wall), 0.5)), Milliseconds(Percentile(runs.Select(r => r.Wall), 0.95)),
            Seconds(runs.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Wall)));
        table.AddRow("Replay from the journal (the interpreter alone)", Milliseconds(Percentile(runs.Select(r => r.Replay), 0.5)),
            Milliseconds(Percentile(runs.Select(r => r.Replay), 0.95)), Seconds(runs.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Replay)));
        table.AddRow("Execution, virtual time", Seconds(Percentile(runs.Select(r => r.Virtual), 0.5)), Seconds(Percentile(runs.Select(r => r.Virtual), 0.95)),
            Seconds(runs.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Virtual)));
        var medianEvents = Percentile(runs.Select(r => TimeSpan.FromTicks(r.Events)), 0.5).Ticks;
        table.AddRow("History events per execution", BenchValue.Of(medianEvents, "0"), "", BenchValue.Of(runs.Sum(r => r.Events), "N0"));
        var share = runs.Sum(r => r.Replay.TotalMilliseconds) / runs.Sum(r => r.Wall.TotalMilliseconds);
        table.Caption = $"The interpreter's share of the executions' wall time: {share:P1}. The first crawl (making the crawler) took {Seconds(pipeline.Crawl).Text}.";
        report.Figure("pipelineExecutionsSucceeded", succeeded, "executions", goal: $"{runs.Count}");
        report.Figure("pipelineMedianExecutionMs", Percentile(runs.Select(r => r.Wall), 0.5).TotalMilliseconds, "ms");
        report.Figure("interpreterShareOfWallTime", share, "fraction");
        return table;
    }

    private static TimeSpan Percentile(IEnumerable<TimeSpan> values, double fraction)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
    }

    private static BenchValue Milliseconds(TimeSpan time) => BenchValue.Of(time.TotalMilliseconds, "N1", " ms");

    private static BenchValue Seconds(TimeSpan time) => BenchValue.Of(time.TotalSeconds, "N1", " s");

    /// <summary>The Map calls no service.</summary>
    private sealed class NoServices : ITaskIntegrations
    {
        public static readonly NoServices Instance = new();
        public bool Supports(string resource) => false;
        public IReadOnlyList<string> Supported => [];
        public Task<TaskOutcome> StartAsync(TaskRequest request, CancellationToken cancellationToken = default) => throw new InvalidOperationException(request.Resource);
        public Task<TaskOutcome> PollAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default) => throw new InvalidOperationException(request.Resource);
        public Task CancelAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
