using System.Globalization;
using System.Text.RegularExpressions;
using StreamingWorkshop.Stack;

namespace Workshop.Tests.Stack;

/// <summary>
/// The architecture diagram with the daily pipeline's orchestration, and the learner's sketch of stages added to it:
/// the format read line by line, each mistake named by line and value, and the extended drawing's boxes and arrows.
/// </summary>
public sealed partial class DiagramSketchTests
{
    private static readonly System.Text.Json.Nodes.JsonObject Template = TemplateReader.Parse(TemplateReader.WorkshopTemplate());

    private const string Sketch = """
        # what I added today
        stage curated: S3 bucket "Curated Parquet"          # kind and label
        stage dashboard: QuickSight "City dashboard"
        flow lake -> batch_job -> curated -> athena -> dashboard
        """;

    private static List<(string From, string To, string Class)> Arrows(string svg) => ArrowPattern().Matches(svg)
        .Select(m => (m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["class"].Value)).ToList();

    [Fact]
    public void The_workshop_diagram_shows_the_state_machine_started_by_the_daily_rule_and_driving_the_job_buckets_and_database()
    {
        var svg = ArchitectureDiagram.Svg(Template);

        Assert.Contains(">Step Functions state machine<", svg);
        Assert.Contains("fill=\"#e7157b\"/><text x=\"", svg);
        Assert.Contains(">Orchestration<", svg);
        var arrows = Arrows(svg);
        Assert.Contains(("DailySchedule", "DailyPipeline", "flow starts"), arrows);
        foreach (var driven in new[] { "BatchJob", "DataLakeBucket", "AthenaResultsBucket", "GlueDatabase" })
            Assert.Contains(("DailyPipeline", driven, "drives"), arrows);
        Assert.Contains(("ProducerSchedule", "ProducerFunction", "flow"), arrows);
        Assert.Matches("<svg [^>]*width=\"1278\"", svg);
    }

    [Fact]
    public void No_arrow_of_the_workshop_diagram_passes_through_a_box_it_does_not_join_and_no_two_heads_meet()
    {
        var svg = ArchitectureDiagram.Svg(Template);
        var arrows = ArrowPaths(svg);

        Assert.True(arrows.Count >= 15, $"only {arrows.Count} arrows found");
        Assert.Contains(arrows, a => (a.From, a.To) == ("WeatherStream", "StreamingJob"));
        Assert.Contains(arrows, a => (a.From, a.To) == ("DataLakeBucket", "GlueDatabase"));
        // Arrows that reach one box each end at a point of their own, so no two heads sit on top of each other.
        foreach (var reaching in arrows.GroupBy(a => a.To))
            Assert.True(reaching.Select(a => a.Points[^1]).Distinct().Count() == reaching.Count(), $"Two arrows into {reaching.Key} end at one point.");
        AssertClearOfBoxes(svg, arrows, clearance: -1);
    }

    /// <summary>
    /// The learner's arrows keep to the gaps however far apart their stages are: the notebook's own sketch (the state
    /// machine far above the new bucket in the next column), arrows across several columns, and arrows within one column
    /// past the boxes between. Each keeps a few pixels off every box it does not join, rather than grazing their corners.
    /// </summary>
    [Theory]
    [InlineData("stage daily: S3 bucket \"daily_weather (Parquet)\"\nstage report: QuickSight \"Morning report\"\nflow state_machine -> daily -> athena -> report", 3)]
    [InlineData(Sketch, 4)]
    [InlineData("flow producer -> warehouse\nflow lake -> scripts\nflow scripts -> lake", 3)]
    [InlineData("stage board: QuickSight \"Board\"\nflow schedule -> board\nflow board -> producer\nflow streaming_job -> firehose", 3)]
    public void A_learners_arrows_pass_through_no_box_and_keep_off_the_corners_of_those_they_pass(string sketch, int arrowCount)
    {
        var svg = ArchitectureDiagram.SvgWith(Template, DiagramSketch.Parse(sketch, Template));
        var sketched = ArrowPaths(svg).Where(a => a.Class == "sketch").ToList();

        Assert.Equal(arrowCount, sketched.Count);
        AssertClearOfBoxes(svg, sketched, clearance: 6);
    }

    private static List<(string From, string To, string Class, List<(double X, double Y)> Points)> ArrowPaths(string svg) =>
        ArrowGeometry().Matches(svg).Select(m =>
        {
            var numbers = Regex.Matches(m.Groups["geometry"].Value, @"(?<![\w.])-?\d+(?:\.\d+)?").Select(n => double.Parse(n.Value, CultureInfo.InvariantCulture)).ToList();
            var points = Enumerable.Range(0, numbers.Count / 2).Select(i => (X: numbers[2 * i], Y: numbers[2 * i + 1])).ToList();
            var tag = m.Value;
            var classMatch = Regex.Match(tag, "class=\"(?<class>[^\"]+)\"");
            return (From: m.Groups["from"].Value, To: m.Groups["to"].Value, Class: classMatch.Groups["class"].Value, Points: points);
        }).ToList();

    /// <summary>
    /// Walks each arrow in small steps and fails at the first point inside a box it does not join (boxes are 180 x 58)
    /// grown by <paramref name="clearance"/> pixels on every side (shrunk, when negative, to forgive a touch of the border).
    /// </summary>
    private static void AssertClearOfBoxes(string svg, List<(string From, string To, string Class, List<(double X, double Y)> Points)> arrows, double clearance)
    {
        var boxes = BoxPattern().Matches(svg).ToDictionary(m => m.Groups["id"].Value,
            m => (X: double.Parse(m.Groups["x"].Value, CultureInfo.InvariantCulture), Y: double.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture)));
        foreach (var (from, to, _, points) in arrows)
            for (var i = 1; i < points.Count; i++)
                for (var step = 0.0; step <= 1; step += 0.01)
                {
                    var (x, y) = (points[i - 1].X + (points[i].X - points[i - 1].X) * step, points[i - 1].Y + (points[i].Y - points[i - 1].Y) * step);
                    foreach (var (id, box) in boxes.Where(b => b.Key != from && b.Key != to))
                        Assert.False(x > box.X - clearance && x < box.X + 180 + clearance && y > box.Y - clearance && y < box.Y + 58 + clearance,
                            $"The arrow {from} -> {to} passes {(clearance > 0 ? $"within {clearance} px of" : "through")} {id} at ({x:0}, {y:0}).");
                }
    }

    [GeneratedRegex("<g data-box=\"(?<id>[^\"]+)\"(?: data-learner=\"true\")?><rect x=\"(?<x>[\\d.]+)\" y=\"(?<y>[\\d.]+)\"")]
    private static partial Regex BoxPattern();

    [GeneratedRegex("<(?:line (?<geometry>x1=\"[^\"]+\" y1=\"[^\"]+\" x2=\"[^\"]+\" y2=\"[^\"]+\")|polyline points=\"(?<geometry>[^\"]+)\")[^>]*data-from=\"(?<from>[^\"]+)\" data-to=\"(?<to>[^\"]+)\"")]
    private static partial Regex ArrowGeometry();

    [Fact]
    public void A_valid_sketch_is_read_into_stages_and_one_arrow_per_step_of_each_flow()
    {
        var sketch = DiagramSketch.Parse(Sketch, Template);

        Assert.True(sketch.IsValid, string.Join("\n", sketch.Problems));
        Assert.Equal([new DiagramSketch.Stage("curated", "S3 bucket", "Curated Parquet", 2), new DiagramSketch.Stage("dashboard", "QuickSight", "City dashboard", 3)], sketch.Stages);
        Assert.Equal(["lake>batch_job", "batch_job>curated", "curated>athena", "athena>dashboard"], sketch.Flows.Select(f => $"{f.From}>{f.To}"));
        Assert.Equal("DataLakeBucket", sketch.Resolved["lake"]);
        Assert.Equal("BatchJob", sketch.Resolved["batch_job"]);
        Assert.Equal("DailyPipeline", DiagramSketch.Parse("flow daily_rule -> state_machine -> datalakebucket", Template).Resolved["state_machine"]);
        Assert.True(DiagramSketch.Parse("flow daily_rule -> state_machine -> datalakebucket", Template).IsValid);
    }

    [Theory]
    [InlineData("stage curated: S3 bucket \"Curated\"\nflow lake -> curated -> dashbord",
        "line 2: 'dashbord' is not a stage; the stages are producer, schedule, stream, firehose, lake, results, scripts, database, batch_job, streaming_job, warehouse, state_machine, daily_rule, crawler, athena, curated (or a resource's logical id in lower case), or declare it with 'stage dashbord: <kind> \"label\"'.")]
    [InlineData("stage board: QuickSite \"City dashboard\"",
        "line 1: 'QuickSite' is not a kind of stage; the kinds are S3 bucket, Kinesis stream, Firehose, Lambda, EventBridge rule, Glue job, Glue crawler, Glue database, Step Functions, Athena, Redshift, QuickSight, SQS queue, SNS topic, DynamoDB table, CloudWatch, generic.")]
    [InlineData("\nstage curated: S3 bucket Curated",
        "line 2: a stage is 'stage NAME: KIND \"LABEL\"' with the label in double quotes (not 'stage curated: S3 bucket Curated').")]
    [InlineData("flow lake",
        "line 1: a flow is 'flow a -> b -> c' with stage names of letters, digits and _ (not 'flow lake').")]
    [InlineData("lake => curated",
        "line 1: 'lake => curated' is neither 'stage NAME: KIND \"LABEL\"' nor 'flow A -> B'.")]
    [InlineData("stage lake: S3 bucket \"Second lake\"",
        "line 1: 'lake' is already a stage; give the new stage another name.")]
    public void Each_mistake_is_one_line_naming_the_line_and_the_value(string text, string problem)
    {
        var sketch = DiagramSketch.Parse(text, Template);
        Assert.False(sketch.IsValid);
        Assert.Equal([problem], sketch.Problems);
    }

    [Fact]
    public void The_extended_diagram_draws_the_learners_stages_in_their_colour_with_arrows_between_the_right_boxes()
    {
        var svg = ArchitectureDiagram.SvgWith(Template, DiagramSketch.Parse(Sketch, Template));

        Assert.Matches("<g data-box=\"curated\" data-learner=\"true\"><rect [^>]*stroke=\"#0972d3\"", svg);
        Assert.Matches("<g data-box=\"dashboard\" data-learner=\"true\">", svg);
        Assert.Contains(">Curated Parquet<", svg);
        Assert.Contains(">City dashboard<", svg);
        Assert.Contains(">QuickSight<", svg);
        // Athena is named in the flow, so the service the pipeline queries with is drawn, in the kit's colours.
        Assert.Matches("<g data-box=\"\\(athena\\)\"><rect [^>]*stroke=\"#8c4fff\"", svg);
        var sketched = Arrows(svg).Where(a => a.Class == "sketch").Select(a => (a.From, a.To)).ToList();
        Assert.Equal([("DataLakeBucket", "BatchJob"), ("BatchJob", "curated"), ("curated", "(athena)"), ("(athena)", "dashboard")], sketched);
        Assert.DoesNotContain("data-learner", ArchitectureDiagram.Svg(Template));
    }

    [Fact]
    public void The_view_stacks_both_pictures_and_shows_only_the_original_with_the_problems_when_the_sketch_is_wrong()
    {
        var good = new ExtendedDiagramView(Template, Sketch);
        var html = good.ToHtml();
        Assert.Equal(2, Regex.Matches(html, "<svg ").Count);
        Assert.Contains("flex-direction:column", html);
        Assert.Contains("<title>The workshop stack today</title>", html);
        Assert.Contains("<title>With your stages</title>", html);
        Assert.StartsWith("Your sketch: 2 stage(s), 4 arrow(s)", good.ToString());
        Assert.Contains("  curated -> athena", good.ToString());
        Assert.Contains("stage NAME: KIND \"LABEL\"", good.ToString());

        var wrong = new ExtendedDiagramView(Template, "flow lake -> dashbord");
        Assert.Null(wrong.Extended);
        Assert.Single(Regex.Matches(wrong.ToHtml(), "<svg "));
        Assert.Contains("<li>line 1: &#39;dashbord&#39; is not a stage;", wrong.ToHtml());
        Assert.StartsWith("The sketch cannot be drawn yet:\n  line 1: 'dashbord' is not a stage;", wrong.ToString().ReplaceLineEndings("\n"));
    }

    [GeneratedRegex("<(?:line|polyline) [^>]*class=\"(?<class>[a-z ]+)\"[^>]*data-from=\"(?<from>[^\"]+)\" data-to=\"(?<to>[^\"]+)\"")]
    private static partial Regex ArrowPattern();
}
