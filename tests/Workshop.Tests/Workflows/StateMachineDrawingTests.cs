using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamingWorkshop.Workflows;

namespace Workshop.Tests.Workflows;

/// <summary>
/// The state machine's drawing and the outcomes it colours: histories written by hand in the shape GetExecutionHistory
/// gives (botocore's HistoryEvent: type, and stateEnteredEventDetails.name), and the pictures' boxes and arrows read
/// back from the SVG's data attributes.
/// </summary>
public sealed partial class StateMachineDrawingTests
{
    private sealed class History
    {
        public List<HistoryEvent> Events { get; } = [];

        public History Add(string type, string? member = null, JsonObject? details = null)
        {
            Events.Add(new HistoryEvent(Events.Count + 1, Events.Count, DateTimeOffset.Parse("2025-06-02T03:00:00Z", CultureInfo.InvariantCulture).AddSeconds(Events.Count), type, member, details));
            return this;
        }

        public History Enter(string kind, string name) => Add(kind + "StateEntered", "stateEnteredEventDetails", new JsonObject { ["name"] = name, ["input"] = "{}" });
        public History Exit(string kind, string name) => Add(kind + "StateExited", "stateExitedEventDetails", new JsonObject { ["name"] = name, ["output"] = "{}" });
        public History Task(string resource = "startJobRun.sync") => Add("TaskScheduled", "taskScheduledEventDetails", new JsonObject { ["resourceType"] = "glue", ["resource"] = resource, ["region"] = "eu-west-1", ["parameters"] = "{}" });
        public History TaskFailed(string error) => Add("TaskFailed", "taskFailedEventDetails", new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync", ["error"] = error, ["cause"] = "..." });
        public History TaskSucceeded() => Add("TaskSucceeded", "taskSucceededEventDetails", new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync", ["output"] = "{}" });
    }

    private static History DailyRunUnderWay() => new History()
        .Add("ExecutionStarted", "executionStartedEventDetails", new JsonObject { ["input"] = "{}", ["roleArn"] = "arn:aws:iam::123456789012:role/r" })
        .Enter("Choice", "ChooseDay").Exit("Choice", "ChooseDay")
        .Enter("Pass", "Yesterday").Exit("Pass", "Yesterday")
        .Enter("Task", "StartCrawler").Task("startCrawler").TaskFailed("Glue.CrawlerRunningException")
        .Enter("Wait", "WaitForCrawler").Exit("Wait", "WaitForCrawler")
        .Enter("Task", "GetCrawler").Task("getCrawler").TaskSucceeded().Exit("Task", "GetCrawler")
        .Enter("Choice", "CrawlerFinished").Exit("Choice", "CrawlerFinished")
        .Enter("Wait", "WaitForCrawler").Exit("Wait", "WaitForCrawler")
        .Enter("Task", "GetCrawler").Task("getCrawler").TaskSucceeded().Exit("Task", "GetCrawler")
        .Enter("Choice", "CrawlerFinished").Exit("Choice", "CrawlerFinished")
        .Enter("Task", "FindDailyTable").Task("getTable").TaskSucceeded().Exit("Task", "FindDailyTable")
        .Enter("Task", "CurateDay").Task().TaskSucceeded().Exit("Task", "CurateDay")
        .Enter("Task", "RunBatchJob").Task().TaskFailed("States.TaskFailed").Task().TaskFailed("States.TaskFailed").Task();

    [Fact]
    public void Outcomes_read_from_a_history_tell_succeeded_caught_retried_running_and_not_run_apart()
    {
        var outcomes = StateOutcomes.FromHistory(DailyRunUnderWay().Events);

        Assert.False(outcomes.ExecutionEnded);
        Assert.Equal(StateOutcome.Succeeded, outcomes["ChooseDay"].Outcome);
        Assert.Equal(StateOutcome.NotRun, outcomes["GivenDay"].Outcome);
        Assert.Equal(new StateRun("StartCrawler", StateOutcome.Caught, 1, 0, "Glue.CrawlerRunningException"), outcomes["StartCrawler"]);
        Assert.Equal(new StateRun("WaitForCrawler", StateOutcome.Succeeded, 2, 0), outcomes["WaitForCrawler"]);
        Assert.Equal(new StateRun("GetCrawler", StateOutcome.Succeeded, 2, 0), outcomes["GetCrawler"]);
        Assert.Equal(new StateRun("RunBatchJob", StateOutcome.Running, 1, 2), outcomes["RunBatchJob"]);
        Assert.Equal(StateOutcome.NotRun, outcomes["CheckDay"].Outcome);
        Assert.Equal(["ChooseDay", "Yesterday", "StartCrawler", "WaitForCrawler", "GetCrawler", "CrawlerFinished", "FindDailyTable", "CurateDay", "RunBatchJob"],
            outcomes.States.Select(s => s.Name));
    }

    [Fact]
    public void A_failure_nothing_catches_is_failed_and_a_Fail_state_entered_is_failed()
    {
        var uncaught = new History().Add("ExecutionStarted")
            .Enter("Task", "RunBatchJob").Task().TaskFailed("States.Timeout")
            .Add("ExecutionFailed", "executionFailedEventDetails", new JsonObject { ["error"] = "States.Timeout", ["cause"] = "..." });
        var outcome = StateOutcomes.FromHistory(uncaught.Events);
        Assert.True(outcome.ExecutionEnded);
        Assert.Equal(new StateRun("RunBatchJob", StateOutcome.Failed, 1, 0, "States.Timeout"), outcome["RunBatchJob"]);

        var caughtIntoFail = new History().Add("ExecutionStarted")
            .Enter("Task", "RunBatchJob").Task().TaskFailed("States.TaskFailed")
            .Add("FailStateEntered", "stateEnteredEventDetails", new JsonObject { ["name"] = "MissingHours", ["input"] = "{}" })
            .Add("ExecutionFailed", "executionFailedEventDetails", new JsonObject { ["error"] = "DailyWeather.MissingHours" });
        var outcomes = StateOutcomes.FromHistory(caughtIntoFail.Events);
        Assert.Equal(StateOutcome.Caught, outcomes["RunBatchJob"].Outcome);
        Assert.Equal(StateOutcome.Failed, outcomes["MissingHours"].Outcome);
    }

    [Fact]
    public void A_state_left_open_when_the_execution_is_aborted_did_not_succeed()
    {
        var aborted = new History().Add("ExecutionStarted")
            .Enter("Wait", "WaitForCrawler")
            .Add("ExecutionAborted", "executionAbortedEventDetails", new JsonObject());
        Assert.Equal(StateOutcome.Failed, StateOutcomes.FromHistory(aborted.Events)["WaitForCrawler"].Outcome);
    }

    private sealed record Box(string Name, string Type, string? Outcome, double X, double Y, double Width, double Height);

    private static List<Box> Boxes(string svg) => BoxPattern().Matches(svg).Select(m => new Box(
        m.Groups["name"].Value, m.Groups["type"].Value, m.Groups["outcome"].Success ? m.Groups["outcome"].Value : null,
        double.Parse(m.Groups["x"].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture),
        double.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture))).ToList();

    private static List<(string From, string To, string Kind, bool Back)> Arrows(string svg) => ArrowPattern().Matches(svg)
        .Select(m => (m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["kind"].Value, m.Groups["back"].Success)).ToList();

    [Fact]
    public void The_daily_pipeline_is_drawn_one_box_per_state_in_layers_with_its_loop_around_the_side()
    {
        var svg = new StateMachineDrawing(DrawingDefinitions.Daily).Svg;
        var boxes = Boxes(svg);

        Assert.Equal(16, boxes.Count);
        var at = boxes.ToDictionary(b => b.Name);
        Assert.Equal(at["GivenDay"].Y, at["Yesterday"].Y);
        Assert.True(at["ChooseDay"].Y < at["GivenDay"].Y && at["GivenDay"].Y < at["StartCrawler"].Y);
        Assert.Equal(at["Done"].Y, at["MissingHours"].Y);
        Assert.True(at["DayComplete"].Y < at["Done"].Y);
        foreach (var a in boxes)
            foreach (var b in boxes.Where(b => b != a))
                Assert.False(a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height, $"{a.Name} overlaps {b.Name}");

        var arrows = Arrows(svg);
        Assert.Contains(("Start", "ChooseDay", "Next", false), arrows);
        Assert.Contains(("ChooseDay", "GivenDay", "Choice", false), arrows);
        Assert.Contains(("ChooseDay", "Yesterday", "Default", false), arrows);
        Assert.Contains(("CrawlerFinished", "WaitForCrawler", "Default", true), arrows);
        Assert.Contains(("FindDailyTable", "CreateDailyTable", "Catch", false), arrows);
        Assert.Contains(("RunBatchJob", "MissingHours", "Catch", false), arrows);
        Assert.Contains(("Done", "End", "End", false), arrows);
        Assert.Contains(("MissingHours", "End", "End", false), arrows);
        Assert.Single(arrows, a => a.Back);
        Assert.Equal(23, arrows.Count);

        Assert.Contains(">State == READY<", svg);
        Assert.Contains(">day is present<", svg);
        Assert.Contains(">hours == 24<", svg);
        Assert.Contains(">Glue.EntityNotFoundException<", svg);
        Assert.Contains(">glue:startJobRun.sync<", svg);
        Assert.Contains(">glue:getCrawler<", svg);
        Assert.Contains(">Wait 30 s<", svg);
        Assert.Matches("data-kind=\"Catch\" class=\"edge catch\"|class=\"edge catch\"[^>]*data-kind=\"Catch\"", svg);
    }

    [Fact]
    public void Outcomes_colour_the_boxes_and_bring_the_legend()
    {
        var plain = new StateMachineDrawing(DrawingDefinitions.Daily);
        Assert.DoesNotContain("data-outcome", plain.Svg);
        Assert.DoesNotContain("data-legend", plain.Svg);

        var drawing = new StateMachineDrawing(DrawingDefinitions.Daily, StateOutcomes.FromHistory(DailyRunUnderWay().Events));
        var at = Boxes(drawing.Svg).ToDictionary(b => b.Name);
        Assert.Equal("Succeeded", at["ChooseDay"].Outcome);
        Assert.Equal("Caught", at["StartCrawler"].Outcome);
        Assert.Equal("Running", at["RunBatchJob"].Outcome);
        Assert.Equal("NotRun", at["Done"].Outcome);
        Assert.Matches("data-state=\"StartCrawler\"[^>]*><rect [^>]*stroke=\"#ec7211\"", drawing.Svg);
        Assert.Matches("data-state=\"ChooseDay\"[^>]*><rect [^>]*stroke=\"#1d8102\"", drawing.Svg);
        Assert.Matches("data-state=\"RunBatchJob\"[^>]*><rect [^>]*stroke=\"#0073bb\"", drawing.Svg);
        Assert.Contains(">retried 2<", drawing.Svg);
        Assert.Contains(">×2<", drawing.Svg);
        foreach (var outcome in new[] { "Succeeded", "Failed", "Caught", "Running", "NotRun" }) Assert.Contains($"data-legend=\"{outcome}\"", drawing.Svg);
    }

    [Fact]
    public void A_badge_sits_inside_its_box_beside_the_name_where_no_arrow_ends()
    {
        var drawing = new StateMachineDrawing(DrawingDefinitions.Daily, StateOutcomes.FromHistory(DailyRunUnderWay().Events));
        var boxes = Boxes(drawing.Svg).ToDictionary(b => b.Name);
        var badges = BadgePattern().Matches(drawing.Svg).ToList();
        Assert.Equal(["CrawlerFinished", "GetCrawler", "RunBatchJob", "WaitForCrawler"], badges.Select(b => b.Groups["state"].Value).Order(StringComparer.Ordinal));
        foreach (var badge in badges)
        {
            var box = boxes[badge.Groups["state"].Value];
            double At(string name) => double.Parse(badge.Groups[name].Value, CultureInfo.InvariantCulture);
            var (x, y, width) = (At("x"), At("y"), At("w"));
            Assert.True(x > box.X && x + width < box.X + box.Width && y > box.Y && y + 15 < box.Y + box.Height,
                $"{box.Name}'s badge at ({x}, {y}), {width} wide, is not inside its box at ({box.X}, {box.Y}), {box.Width} x {box.Height}");
            // The name, drawn from 12 px in at 7 px a letter, ends before the badge starts.
            Assert.True(box.X + 12 + box.Name.Length * 7 < x, $"{box.Name}'s badge at x={x} covers its name");
        }
    }

    [GeneratedRegex("<g data-state=\"(?<state>[^\"]+)\"[^>]*><rect [^>]*/><text [^>]*>[^<]*</text><text [^>]*>[^<]*</text><rect x=\"(?<x>[0-9.]+)\" y=\"(?<y>[0-9.]+)\" width=\"(?<w>[0-9.]+)\" height=\"15\"")]
    private static partial Regex BadgePattern();

    [Fact]
    public void The_picture_is_self_contained_and_scales_down_to_fit_a_page()
    {
        var drawing = new StateMachineDrawing(DrawingDefinitions.Daily);
        var html = drawing.ToHtml();
        Assert.StartsWith("<div style=\"max-width:1280px\"><svg", html);
        Assert.Contains("style=\"max-width:100%;height:auto\"", html);
        Assert.Contains("viewBox=\"0 0 ", html);
        Assert.DoesNotContain("href", html);
        Assert.DoesNotContain("<script", html);
        Assert.True(drawing.Width <= 1280, $"laid out {drawing.Width} px wide");
    }

    [Fact]
    public void Parallel_and_Map_hold_their_branches_drawn_small()
    {
        var parallel = new StateMachineDrawing(DrawingDefinitions.WithParallel).Svg;
        var container = Regex.Match(parallel, "<g data-state=\"BothEngines\" data-type=\"Parallel\".*?<g transform=\"translate\\([^)]*\\) scale\\(0.72\\)\">(?<inner>.*)", RegexOptions.Singleline);
        Assert.True(container.Success);
        foreach (var inner in new[] { "QueryAthena", "ReadAthena", "QueryWarehouse" }) Assert.Contains($"data-state=\"{inner}\"", container.Groups["inner"].Value);
        Assert.Contains(("QueryAthena", "ReadAthena", "Next", false), Arrows(parallel));
        Assert.Contains(("BothEngines", "Report", "Catch", false), Arrows(parallel));
        Assert.Contains(">redshiftdata:executeStatement<", parallel);

        var map = new StateMachineDrawing(DrawingDefinitions.WithMap).Svg;
        Assert.Contains("data-state=\"EachCity\" data-type=\"Map\"", map);
        Assert.Contains(("Known", "Keep", "Choice", false), Arrows(map));
        Assert.Contains(">found == true<", map);
        Assert.Contains(">lambda:city-lookup<", map);
    }

    [Fact]
    public void The_text_form_lists_each_state_in_layer_order_with_its_mark_and_transitions_within_80_columns()
    {
        var text = new StateMachineDrawing(DrawingDefinitions.Daily, StateOutcomes.FromHistory(DailyRunUnderWay().Events), "weather-analytics-daily-pipeline-dev").ToString();
        var lines = text.Split('\n');

        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.Equal("weather-analytics-daily-pipeline-dev", lines[0]);
        Assert.Equal("✓ succeeded  ✗ failed  ↷ caught  ▶ running  · not run", lines[1]);
        Assert.Equal("✓ GetCrawler        glue:getCrawler", lines.Single(l => l.Contains("GetCrawler  ")));
        Assert.Contains("      [2 visits] → CrawlerFinished", lines);
        Assert.Contains("· CheckDay          athena:startQueryExecution.sync  → ReadCheck", lines);
        Assert.Contains("      [retried 2] → CheckDay; catch States.ALL → MissingHours", lines);
        var order = new[] { "ChooseDay", "GivenDay", "Yesterday", "StartCrawler", "WaitForCrawler", "GetCrawler", "CrawlerFinished", "FindDailyTable", "CreateDailyTable", "CurateDay", "RunBatchJob", "CheckDay", "ReadCheck", "DayComplete" }
            .Select(name => Array.FindIndex(lines, l => l.Length > 2 && l[2..].StartsWith(name + " ", StringComparison.Ordinal))).ToList();
        Assert.Equal(order.Order(), order);
        Assert.DoesNotContain(-1, order);
    }

    [Fact]
    public void A_definition_that_is_not_JSON_is_refused_with_one_clear_line()
    {
        var error = Assert.Throws<ArgumentException>(() => new StateMachineDrawing("StartAt: ChooseDay"));
        Assert.StartsWith("The state machine's definition is not JSON", error.Message);
    }

    [GeneratedRegex("<g data-state=\"(?<name>[^\"]+)\" data-type=\"(?<type>[^\"]+)\"(?: data-outcome=\"(?<outcome>[^\"]+)\")? data-x=\"(?<x>[-0-9.]+)\" data-y=\"(?<y>[-0-9.]+)\" data-width=\"(?<w>[0-9.]+)\" data-height=\"(?<h>[0-9.]+)\"")]
    private static partial Regex BoxPattern();

    [GeneratedRegex("data-from=\"(?<from>[^\"]+)\" data-to=\"(?<to>[^\"]+)\" data-kind=\"(?<kind>[^\"]+)\"(?<back> data-back=\"true\")?")]
    private static partial Regex ArrowPattern();
}
