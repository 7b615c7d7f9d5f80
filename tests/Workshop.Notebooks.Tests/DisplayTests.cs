using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamingWorkshop;
using StreamingWorkshop.Display;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner sees of the kit's values: a query result is Athena's table (column names, types, console-style
/// values, the run-time line) in the executed notebook and in its page, never the generic object tree; display
/// handles replace their output in place; every kit value with a display implements <see cref="IHtmlDisplay"/>.
/// </summary>
public sealed partial class DisplayTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("display-tests-").FullName;

    /// <summary>A small simulated hour for one city, crawled, with the measurement time typed as a timestamp.</summary>
    internal static string[] SimulatedHourCells(string workspace) =>
    [
        $"var workshop = await Workshop.ConnectAsync(new WorkshopOptions {{ WorkspacePath = @\"{workspace}\", Cities = new[] {{ \"London\" }} }});\n" +
        "await workshop.SimulateAsync(TimeSpan.FromHours(1), new DateTimeOffset(2025, 1, 14, 10, 0, 0, TimeSpan.Zero));",
        "await workshop.CrawlAsync();\nawait workshop.Catalog.AlterColumnTypeAsync(\"raw_weather_data\", \"measurement_time\", \"timestamp\");",
        QueryCell,
    ];

    // 0.1 + 0.2 in binary floating point is 0.30000000000000004; the console shows 0.3.
    public const string QueryCell =
        "await workshop.QueryAsync(\"SELECT city, measurement_time, CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE) AS noisy FROM raw_weather_data ORDER BY measurement_time LIMIT 3\")";

    /// <summary>Checks a query result's HTML as a person reads it.</summary>
    internal static void AssertAthenaTable(string html)
    {
        var headers = HeaderCell().Matches(html).Select(m => Regex.Replace(m.Groups["name"].Value, "<.*", "").Trim()).ToList();
        Assert.Equal(["city", "measurement_time", "noisy"], headers);
        Assert.Contains("<small", html); // the Athena type under each name
        Assert.Contains(">timestamp<", html);
        Assert.Contains(">double<", html);
        var cells = DataCell().Matches(html).Select(m => m.Groups["value"].Value).ToList();
        Assert.Contains("London", cells);
        Assert.Contains("2025-01-14 10:00:00.000", cells);
        Assert.Contains("0.3", cells);
        Assert.DoesNotContain("0.30000000000000004", html);
        Assert.Matches(@"Run time: \d+\.\d{3} sec · Data scanned: [\d.]+ (B|KB|MB) \(\d+ objects?\) · Athena scan charge: \$\d\.\d{6}<br>" +
                       @"S3 GETs, estimated at S3 Standard's us-east-1 price: [\d,]+ × \$0\.0004 per 1,000 = \$\d\.\d{6}", System.Net.WebUtility.HtmlDecode(html));
        AssertNoObjectTree(html);
    }

    internal static void AssertNoObjectTree(string text)
    {
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("dni-treeview", text);
    }

    private string Notebook(string name, params string[] cells)
    {
        var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
        foreach (var cell in cells) document.Cells.Add(NotebookCell.Code(cell));
        var path = Path.Combine(folder, name);
        NotebookFile.Write(document, path);
        return path;
    }

    private static string? Mime(JsonObject output, string mime) => output["data"]?[mime]?.GetValue<string>();

    [Fact]
    public async Task A_query_result_is_the_athena_table_in_the_executed_notebook_and_its_page()
    {
        var path = Notebook("query.ipynb", SimulatedHourCells(Path.Combine(folder, "ws")));
        var output = Path.Combine(folder, "out");

        var report = await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = output });

        Assert.True(report.Succeeded, report.FailedError);
        var executed = NotebookFile.Read(report.ExecutedPath);
        var result = executed.Cells[2].Outputs.Single();
        Assert.Equal("execute_result", result["output_type"]!.GetValue<string>());
        AssertAthenaTable(Mime(result, "text/html")!);
        Assert.StartsWith(NoMathRoot, Mime(result, "text/html"));
        var text = Mime(result, "text/plain")!;
        Assert.StartsWith("city", text);
        Assert.Contains("2025-01-14 10:00:00.000", text);
        Assert.Contains("Run time:", text);
        foreach (var each in executed.Cells.SelectMany(c => c.Outputs)) AssertNoObjectTree(each.ToJsonString());
        var page = File.ReadAllText(report.HtmlPath);
        AssertAthenaTable(page[page.IndexOf("<body>", StringComparison.Ordinal)..]);
    }

    /// <summary>The opening of every HTML output: an element MathJax 2 (nbconvert) and MathJax 3 (Jupyter) leave alone.</summary>
    private const string NoMathRoot = "<div class=\"tex2jax_ignore mathjax_ignore\">";

    [Fact]
    public void Every_html_output_sits_in_a_root_that_mathjax_leaves_alone_so_prices_do_not_become_formulas()
    {
        // Two dollar signs in one output: Jupyter, VS Code and nbconvert would typeset what lies between them.
        var prices = new PropertiesView("Assumed prices", [("Athena", "$5 per TB"), ("Least a query is billed", "10 MB, $0.00005")]);
        var frame = new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.StringDataFrameColumn("price", ["$5", "$0.25"]));
        object[] values = [prices, new IHtmlDisplay[] { prices, prices }, frame, new[] { "$1", "$2" }, new { Price = "$5", Per = "$0.00005" }];

        foreach (var value in values)
        {
            var html = NotebookDisplay.Bundle(value)["text/html"]!.GetValue<string>();
            Assert.StartsWith(NoMathRoot, html);
            Assert.EndsWith("</div>", html);
        }
        Assert.Contains("$0.00005", NotebookDisplay.Bundle(prices)["text/html"]!.GetValue<string>());
        // A single value is text, which no frontend typesets.
        Assert.Null(NotebookDisplay.Bundle("$5 per TB")["text/html"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_headless_run_tells_its_cells_nobody_watches_unless_asked_to_keep_the_pace(bool paced)
    {
        var path = Notebook($"watched-{paced}.ipynb", "Console.WriteLine($\"watched: {StreamingWorkshop.Display.LiveDisplay.Watched}\");");

        var report = await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = Path.Combine(folder, "out"), PaceLiveRuns = paced });

        Assert.True(report.Succeeded, report.FailedError);
        var printed = NotebookFile.Read(report.ExecutedPath).Cells[0].Outputs.Single()["text"]!.ToString();
        Assert.Contains($"watched: {paced}", printed);
        // The kernel's cells are watched, and so is the code around the run once it ends.
        Assert.True(StreamingWorkshop.Display.LiveDisplay.Watched);
    }

    [Fact]
    public async Task An_updated_display_is_saved_once_in_its_last_state()
    {
        var path = Notebook("update.ipynb",
            "var shown = display(\"first\");\nshown.Update(\"second\");\nshown.Update(\"third\");",
            $"var workshop = await Workshop.ConnectAsync(new WorkshopOptions {{ WorkspacePath = @\"{Path.Combine(folder, "ws")}\", Cities = new[] {{ \"London\" }} }});\n" +
            "await workshop.SimulateAsync(TimeSpan.FromHours(2), new DateTimeOffset(2025, 1, 14, 10, 0, 0, TimeSpan.Zero));",
            "var live = workshop.StartLive(speed: 600, duration: TimeSpan.FromMinutes(3));\nawait live.Completion;");
        var output = Path.Combine(folder, "out");

        var report = await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = output });

        Assert.True(report.Succeeded, report.FailedError);
        var saved = JsonNode.Parse(File.ReadAllText(report.ExecutedPath))!["cells"]!.AsArray();
        var handle = saved[0]!["outputs"]!.AsArray().Single()!.AsObject();
        Assert.Equal("display_data", handle["output_type"]!.GetValue<string>());
        Assert.Equal("third", handle["data"]!["text/plain"]!.GetValue<string>());
        Assert.Null(handle["transient"]); // nbformat keeps no display ids
        var progress = saved[1]!["outputs"]!.AsArray().Single()!["data"]!["text/plain"]!.GetValue<string>();
        Assert.Equal("Simulated 2025-01-14 10:00 → 2025-01-14 12:00 UTC: reached 2025-01-14 12:00 (100%) · 120 readings put · 120 delivered", progress);
        var live = saved[2]!["outputs"]!.AsArray().Single()!["data"]!["text/plain"]!.GetValue<string>();
        Assert.Matches(@"^Live from 12:00:00 to 12:0\d:\d\d UTC · \d+ readings put · \d+ delivered · stopped", live);
        var page = File.ReadAllText(report.HtmlPath);
        Assert.Contains("third", page);
        Assert.DoesNotContain("first</", page);
    }

    [Fact]
    public void A_date_a_cell_ends_with_reads_year_first_as_the_kit_prints_dates()
    {
        // The invariant culture the kit runs in would print 01/14/2025, which a learner in the UK reads as the first of a 14th month.
        Assert.Equal("2025-01-14 10:15:00 +00:00", NotebookDisplay.Bundle(new DateTimeOffset(2025, 1, 14, 10, 15, 0, TimeSpan.Zero))["text/plain"]!.GetValue<string>());
        Assert.Equal("2025-01-14 10:15:00 UTC", NotebookDisplay.Bundle(new DateTime(2025, 1, 14, 10, 15, 0, DateTimeKind.Utc))["text/plain"]!.GetValue<string>());
        Assert.Equal("2025-01-14", NotebookDisplay.Bundle(new DateOnly(2025, 1, 14))["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public void Every_kit_type_with_a_display_implements_IHtmlDisplay()
    {
        var kit = typeof(WorkshopSession).Assembly;
        var withToHtml = kit.GetExportedTypes().Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.Name == "ToHtml")).ToList();
        // What a notebook gets back from the session's calls is what it shows; a handle to run is not a value to show.
        var notShown = new HashSet<Type> { typeof(StreamingWorkshop.Delivery.LocalDeliveryStream) };
        var returned = typeof(WorkshopSession).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Concat(kit.GetExportedTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
                .Where(m => m.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute)) && m.GetParameters()[0].ParameterType == typeof(WorkshopSession)))
            .Where(m => !m.IsSpecialName)
            .Select(m => Unwrapped(m.ReturnType))
            .Where(t => t.Assembly == kit && !notShown.Contains(t))
            .Distinct()
            .ToList();

        // Each stage's facade (workshop.Catalog, ...) is shown when a cell ends with it.
        var facades = typeof(WorkshopSession).GetProperties().Select(p => p.PropertyType).Where(t => t.Name.EndsWith("Facade", StringComparison.Ordinal)).ToList();
        Assert.True(facades.Count >= 6, string.Join(", ", facades));
        returned.AddRange(facades);
        Assert.Contains(typeof(StreamingWorkshop.Query.QueryResult), returned);
        Assert.Contains(typeof(StreamingWorkshop.Display.QueryHistoryView), returned);
        Assert.Contains(typeof(ChallengeVerdict), returned);
        var missing = withToHtml.Concat(returned).Distinct().Where(t => !typeof(IHtmlDisplay).IsAssignableFrom(t)).Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0, "Not an IHtmlDisplay: " + string.Join(", ", missing));
        foreach (var type in new[] { typeof(StreamingWorkshop.Query.AthenaSettings), typeof(PipelineNames), typeof(StreamingWorkshop.Simulation.SimulationReport), typeof(StreamingWorkshop.Simulation.LiveRun), typeof(StreamingWorkshop.Delivery.DeliveryStreamConfig), typeof(StreamingWorkshop.Clock.VirtualClock), typeof(StreamingWorkshop.Storage.WorkspaceDirectory), typeof(WorkshopSession) })
            Assert.True(typeof(IHtmlDisplay).IsAssignableFrom(type), type.Name);
    }

    private static Type Unwrapped(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)) ? type.GetGenericArguments()[0] : type;

    [Fact]
    public void A_dollar_escaped_in_markdown_for_jupyter_is_a_plain_dollar_on_the_page()
    {
        var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
        document.Cells.Add(new NotebookCell { Kind = CellKind.Markdown, Language = "markdown", Source = @"10 MB × \$5 per TB = **\$0.00005**, and `$.day` in code" });

        var page = HtmlExporter.Page(document, "prices");

        Assert.Contains("10 MB × $5 per TB = <strong>$0.00005</strong>, and <code>$.day</code> in code", page);
        Assert.DoesNotContain(@"\$", page);
        Assert.DoesNotContain("class=\"math", page);
    }

    [Fact]
    public void Links_to_notebooks_become_links_to_their_pages_and_others_stay()
    {
        var html = HtmlExporter.NotebookLinksToPages(
            "<a href=\"02-task2-explore.ipynb\">a</a><a href=\"../workshop.dib#catching-up\">b</a><a href=\"https://example.org/x.ipynb\">c</a><a href=\"/abs/y.ipynb\">d</a><a href=\"notes.md\">e</a><a href=\"#top\">f</a>");

        Assert.Equal("<a href=\"02-task2-explore.html\">a</a><a href=\"../workshop.html#catching-up\">b</a><a href=\"https://example.org/x.ipynb\">c</a><a href=\"/abs/y.ipynb\">d</a><a href=\"notes.md\">e</a><a href=\"#top\">f</a>", html);
    }

    [Fact]
    public void After_a_run_every_link_in_every_page_leads_to_a_file_under_out_and_a_later_run_of_one_keeps_the_index_whole()
    {
        var root = Path.Combine(folder, "course");
        Directory.CreateDirectory(Path.Combine(root, "notebooks", "solutions"));
        Directory.CreateDirectory(Path.Combine(root, "images"));
        File.WriteAllText(Path.Combine(root, "images", "dot.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>");
        File.WriteAllText(Path.Combine(root, "start.dib"), "#!markdown\n\n# Start\n\n[First](notebooks/first.ipynb) and [the answers](notebooks/solutions/answers.ipynb#top)\n");
        WriteMarkdownNotebook(Path.Combine(root, "notebooks", "first.ipynb"), "# First\n\n![dot](../images/dot.svg)\n\n[Back to the start](../start.dib) · [Next: the answers](solutions/answers.ipynb)");
        WriteMarkdownNotebook(Path.Combine(root, "notebooks", "solutions", "answers.ipynb"), "# Answers\n\n[Back to the first notebook](../first.ipynb#first)");
        var output = Path.Combine(folder, "out");

        var exit = Cli.RunIn(root, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws") }, out var text,
            "run", "start.dib", "notebooks/first.ipynb", "notebooks/solutions/answers.ipynb", "--out", output);

        Assert.True(exit == 0, text);
        foreach (var page in new[] { "index.html", "start.html", "start.ipynb", "notebooks/first.html", "notebooks/first.ipynb", "notebooks/solutions/answers.html", "notebooks/solutions/answers.ipynb" })
            Assert.True(File.Exists(Path.Combine(output, page)), page);
        var pages = Directory.GetFiles(output, "*.html", SearchOption.AllDirectories);
        var links = 0;
        foreach (var page in pages)
        {
            var html = File.ReadAllText(page);
            foreach (Match link in Link().Matches(html))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.StartsWith("data:", StringComparison.Ordinal)) continue;
                var file = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(target)));
                Assert.True(file.StartsWith(output + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(file), $"{Path.GetRelativePath(output, page)} links to {target}");
                links++;
            }
            Assert.DoesNotContain("images/dot.svg", html); // the picture is in the page itself
        }
        Assert.True(links >= 12, $"only {links} links checked");
        var index = File.ReadAllText(Path.Combine(output, "index.html"));
        Assert.Contains("href=\"notebooks/solutions/answers.html\"", index);
        Assert.Contains("href=\"start.html\"", index);
        Assert.Contains("<p>Start with <a href=\"start.html\">Start</a>. Each page shows a notebook with the outputs of its run", index);
        Assert.Contains("A run takes the notebooks in the order listed, on one workspace, so each page shows what the notebooks above it had left there.</p>", index);
        Assert.Contains("(solutions/answers.ipynb)", File.ReadAllText(Path.Combine(root, "notebooks", "first.ipynb"))); // sources keep their links

        // One notebook run again into the same folder takes its own row's place; the others stay listed.
        Assert.True(Cli.RunIn(root, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws") }, out var again,
            "run", "notebooks/first.ipynb", "--out", output) == 0, again);
        var afterwards = File.ReadAllText(Path.Combine(output, "index.html"));
        foreach (var listed in new[] { "href=\"start.html\"", "href=\"notebooks/first.html\"", "href=\"notebooks/solutions/answers.html\"" })
            Assert.Single(Regex.Matches(afterwards, Regex.Escape("<td><a " + listed)));
        Assert.Contains("<p>Start with <a href=\"start.html\">Start</a>.", afterwards);
    }

    private static void WriteMarkdownNotebook(string path, string markdown)
    {
        var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
        document.Cells.Add(new NotebookCell { Kind = CellKind.Markdown, Language = "markdown", Source = markdown });
        NotebookFile.Write(document, path);
    }

    [GeneratedRegex(@"<th(?:\s[^>]*)?>(?<name>.*?)</th>")]
    private static partial Regex HeaderCell();

    [GeneratedRegex(@"<td(?:\s[^>]*)?>(?<value>[^<]*)</td>")]
    private static partial Regex DataCell();

    [GeneratedRegex(@"(?:href|src)=""(?<target>[^""]*)""")]
    private static partial Regex Link();

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
