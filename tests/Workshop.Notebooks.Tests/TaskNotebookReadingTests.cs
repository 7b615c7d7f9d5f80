using System.Globalization;
using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner reads in the introduction and the three task notebooks: predictions to make and answers to
/// open, code that names columns and types plainly and says which AWS call each helper makes, the introduction's
/// descriptors folded away, and Task 3's cost explained and scaled to a year.
/// </summary>
public sealed partial class TaskNotebookReadingTests
{
    public static readonly TheoryData<string> TaskNotebooks = new()
    {
        "01-task1-environment.ipynb",
        "02-task2-explore.ipynb",
        "03-task3-lake-exploration.ipynb",
    };

    private static NotebookDocument Source(string name) => NotebookFile.Read(Path.Combine(WorkshopRun.RepositoryRoot, "notebooks", name));

    private static IEnumerable<string> Markdown(NotebookDocument notebook) => notebook.Cells.Where(c => c.Kind == CellKind.Markdown).Select(c => c.Source);

    private static IEnumerable<string> Code(NotebookDocument notebook) => notebook.Cells.Where(c => c.Kind == CellKind.Code).Select(c => c.Source);

    [Theory]
    [MemberData(nameof(TaskNotebooks))]
    public void A_task_notebook_asks_for_predictions_and_hides_at_least_two_answers(string name)
    {
        var notebook = Source(name);
        var markdown = string.Join("\n", Markdown(notebook));
        Assert.True(HiddenAnswer().Matches(markdown).Count >= 2, $"{name} has fewer than two <details><summary>Answer</summary> blocks.");
        // A prediction is asked for before a code cell runs: some markdown cell with **Predict:** comes before a code cell.
        var cells = notebook.Cells;
        Assert.Contains(Enumerable.Range(0, cells.Count - 1), i =>
            cells[i].Kind == CellKind.Markdown && cells[i].Source.Contains("**Predict:**", StringComparison.Ordinal) &&
            cells.Skip(i + 1).Any(c => c.Kind == CellKind.Code));
    }

    [Theory]
    [MemberData(nameof(TaskNotebooks))]
    public void Code_cells_name_columns_and_use_short_type_names(string name)
    {
        foreach (var code in Code(Source(name)))
        {
            Assert.DoesNotMatch(PositionalCast(), code);
            Assert.DoesNotContain(".Rows.", code);
            var lines = code.Split('\n').Where(l => !l.TrimStart().StartsWith("using ", StringComparison.Ordinal) && !l.TrimStart().StartsWith("//", StringComparison.Ordinal));
            Assert.All(lines, line => Assert.DoesNotContain("StreamingWorkshop.", line));
        }
    }

    [Theory]
    [InlineData("01-task1-environment.ipynb", "DeployAsync(", "CreateStack")]
    [InlineData("01-task1-environment.ipynb", "Stack.EventsAsync(", "DescribeStackEvents")]
    [InlineData("01-task1-environment.ipynb", "Stack.OutputsAsync(", "DescribeStacks")]
    [InlineData("01-task1-environment.ipynb", "Stack.ResourcesAsync(", "DescribeStackResources")]
    [InlineData("02-task2-explore.ipynb", "InvokeProducerAsync(", "Lambda Invoke")]
    [InlineData("02-task2-explore.ipynb", "DescribeStreamAsync(", "ListShards")]
    [InlineData("02-task2-explore.ipynb", "PeekAsync(", "GetShardIterator (TRIM_HORIZON), then GetRecords")]
    [InlineData("02-task2-explore.ipynb", "Delivery.DescribeAsync(", "DescribeDeliveryStream")]
    [InlineData("02-task2-explore.ipynb", "BrowseLakeAsync(", "ListObjectsV2")]
    [InlineData("02-task2-explore.ipynb", "LifecycleRulesAsync(", "GetBucketLifecycleConfiguration")]
    [InlineData("03-task3-lake-exploration.ipynb", "CrawlAsync(", "StartCrawler")]
    [InlineData("03-task3-lake-exploration.ipynb", "Catalog.DescribeTableAsync(", "GetTable")]
    [InlineData("03-task3-lake-exploration.ipynb", "AlterColumnTypeAsync(", "UpdateTable")]
    [InlineData("03-task3-lake-exploration.ipynb", "RecentQueriesAsync(", "ListQueryExecutions")]
    public void The_first_cell_calling_a_helper_names_its_AWS_call_in_a_comment(string name, string helper, string awsCall)
    {
        var cell = Code(Source(name)).First(c => c.Contains(helper, StringComparison.Ordinal));
        var comments = string.Join("\n", cell.Split('\n').Where(l => l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        Assert.Contains(awsCall, comments);
    }

    /// <summary>Longer lines scroll sideways in VS Code and in the exported pages.</summary>
    private const int LongestCodeLine = 110;

    [Fact]
    public void Every_code_line_in_every_notebook_fits_without_scrolling_sideways()
    {
        var notebooksFolder = Path.Combine(WorkshopRun.RepositoryRoot, "notebooks");
        var paths = Directory.GetFiles(notebooksFolder, "*.ipynb", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(paths, p => p.EndsWith(Path.Combine("solutions", "challenge-solutions.ipynb"), StringComparison.Ordinal));
        var tooLong = new List<string>();
        foreach (var path in paths)
        {
            var cells = NotebookFile.Read(path).Cells;
            for (var cell = 0; cell < cells.Count; cell++)
            {
                if (cells[cell].Kind != CellKind.Code) continue;
                var lines = cells[cell].Source.Split('\n');
                for (var line = 0; line < lines.Length; line++)
                {
                    var text = lines[line].TrimEnd('\r');
                    if (text.Length > LongestCodeLine)
                        tooLong.Add($"{Path.GetRelativePath(notebooksFolder, path)}, cell {cell + 1} ({cells[cell].Id}), " +
                                    $"line {line + 1}: {text.Length} characters");
                }
            }
        }
        Assert.True(tooLong.Count == 0,
            $"Code lines longer than {LongestCodeLine} characters:\n" + string.Join("\n", tooLong));
    }

    /// <summary>
    /// Jupyter, VS Code and nbconvert read the text between two dollar signs of a markdown cell as a formula, so
    /// "10 MB × $5 per TB = **$0.00005**" showed as italic maths. A price is written \$5; code keeps its $ as it is.
    /// </summary>
    [Fact]
    public void No_markdown_cell_has_a_dollar_sign_that_would_be_read_as_maths()
    {
        var root = WorkshopRun.RepositoryRoot;
        var paths = Directory.GetFiles(Path.Combine(root, "notebooks"), "*.ipynb", SearchOption.AllDirectories)
            .Append(Path.Combine(root, "workshop.ipynb")).Append(Path.Combine(root, "workshop.dib")).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(paths, p => p.EndsWith(Path.Combine("solutions", "orchestration-solution.ipynb"), StringComparison.Ordinal));
        var unescaped = new List<string>();
        foreach (var path in paths)
        {
            var cells = NotebookFile.Read(path).Cells;
            for (var cell = 0; cell < cells.Count; cell++)
            {
                if (cells[cell].Kind != CellKind.Markdown) continue;
                var prose = InlineCode().Replace(FencedCode().Replace(cells[cell].Source, ""), "");
                foreach (Match dollar in UnescapedDollar().Matches(prose))
                    unescaped.Add($"{Path.GetRelativePath(root, path)}, cell {cell + 1}: …{prose[Math.Max(0, dollar.Index - 30)..Math.Min(prose.Length, dollar.Index + 30)].ReplaceLineEndings(" ")}…");
                // JupyterLab's and Notebook's markdown parser turns \$ into $ before MathJax reads the page, and MathJax pairs
                // two dollars within one run of text (it does not pair across an element): each amount needs its own run.
                foreach (var run in TextRun().Split(prose).Where(r => r.Split(@"\$").Length > 2))
                    unescaped.Add($"{Path.GetRelativePath(root, path)}, cell {cell + 1}: two amounts in one run of text, give each its own emphasis: {run.Trim()}");
            }
        }
        Assert.True(unescaped.Count == 0, "Write \\$ for a dollar sign in markdown, one amount to a run of text:\n" + string.Join("\n", unescaped));
    }

    [GeneratedRegex(@"^[ \t]*(```|~~~)[\s\S]*?^[ \t]*\1", RegexOptions.Multiline)]
    private static partial Regex FencedCode();

    [GeneratedRegex(@"(`+)[\s\S]*?(?<!`)\1(?!`)")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"(?<!\\)\$")]
    private static partial Regex UnescapedDollar();

    // Where a run of text ends in the rendered page: emphasis, an HTML tag, a line (a list item, a paragraph).
    [GeneratedRegex(@"\*+|_+|<[^>\n]+>|\n")]
    private static partial Regex TextRun();

    [Fact]
    public void Task3s_first_query_names_the_three_Athena_calls()
    {
        var cell = Code(Source("03-task3-lake-exploration.ipynb")).First(c => c.Contains("QueryAsync(", StringComparison.Ordinal));
        Assert.Matches(@"//.*StartQueryExecution.*GetQueryExecution.*GetQueryResults", cell);
    }

    [Fact]
    public void Task1_reads_the_template_through_the_kit_not_by_splitting_yaml()
    {
        var code = string.Join("\n", Code(Source("01-task1-environment.ipynb")).SelectMany(c => c.Split('\n')).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        Assert.DoesNotContain("workshop-stack.yaml", code);
        Assert.DoesNotContain("ReadAllText", code);
        Assert.DoesNotContain("Split(", code);
        Assert.Contains("workshop.Stack.TemplateParameters()", code);
    }

    [Fact]
    public void The_introduction_folds_the_pass_descriptors_and_mentions_the_programme_once()
    {
        var markdown = Markdown(Source("00-introduction.ipynb")).ToList();
        var descriptors = markdown.Single(m => m.Contains("K18, S15", StringComparison.Ordinal));
        var open = descriptors.IndexOf("<details>", StringComparison.Ordinal);
        var close = descriptors.IndexOf("</details>", StringComparison.Ordinal);
        Assert.True(open >= 0 && open < descriptors.IndexOf("K18, S15", StringComparison.Ordinal) && descriptors.IndexOf("K20", StringComparison.Ordinal) < close,
            "The descriptors are not inside a <details> block:\n" + descriptors);
        var lines = markdown.SelectMany(m => m.Split('\n')).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("Where Workshop 5 left us", StringComparison.Ordinal) || l.Contains("How the workshops so far map", StringComparison.Ordinal));
        // The title names today's workshop; one other line at most speaks of the rest of the programme.
        Assert.True(lines.Count(l => ProgrammeReference().IsMatch(l)) <= 2, string.Join("\n", lines.Where(l => ProgrammeReference().IsMatch(l))));
        Assert.Single(lines, l => l.Contains("programme", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Task3_explains_the_ten_megabyte_minimum_with_the_pricing_page()
    {
        var markdown = string.Join("\n", Markdown(Source("03-task3-lake-exploration.ipynb")));
        Assert.Contains(@"\$5 per TB of data scanned, rounded up to the nearest megabyte, with a minimum of 10 MB per query", markdown);
        Assert.Contains("Athena's pricing page, `https://aws.amazon.com/athena/pricing/`", markdown);
        Assert.Contains(@"**10 MB × \$5 per TB** = **\$0.00005**", markdown);
        Assert.Contains("Every price is an **assumption**", markdown);
    }

    [GeneratedRegex(@"<details><summary[^>]*>Answer</summary>[\s\S]+?</details>")]
    private static partial Regex HiddenAnswer();

    // (string)r[0], Convert.ToDouble(row[2]): a column read by its position.
    [GeneratedRegex(@"\((?:string|DateTime|double|long|int|decimal)\)\s*\w+\[\d+\]|Convert\.To\w+\(\s*\w+\[\d+\]")]
    private static partial Regex PositionalCast();

    [GeneratedRegex(@"\bWorkshops? \d+")]
    private static partial Regex ProgrammeReference();
}

/// <summary>Task 3 as `workshop run` leaves it: the costs measured in the lake, scaled to a year and a hundred cities, and priced four ways.</summary>
[Collection(WorkshopRunCollection.Name)]
public sealed partial class Task3CostOutputTests(WorkshopRun run)
{
    [Fact]
    public void The_year_is_priced_four_ways_from_the_measured_city_day()
    {
        Assert.True(run.ExitCode == 0, run.Log);
        var executed = NotebookFile.Read(Path.Combine(run.Output, "notebooks", "03-task3-lake-exploration.ipynb"));
        var outputs = executed.Cells.Where(c => c.Kind == CellKind.Code).Select(c => string.Join("\n", c.Outputs.Select(ExecutedNotebook.TextOf))).ToList();

        var scaled = outputs.Single(o => o.Contains("One city, one day:", StringComparison.Ordinal));
        var measured = CityDay().Match(scaled);
        Assert.True(measured.Success, scaled);
        var kilobytesPerCityDay = double.Parse(measured.Groups["kb"].Value, CultureInfo.InvariantCulture);
        Assert.Equal("720", measured.Groups["objects"].Value);
        Assert.Equal("1,440", measured.Groups["readings"].Value);
        // The one-day query is billed the 10 MB minimum (10,000,000 B × $5 / 10^12 B), and S3 a GET for each of its
        // 720 objects at $0.0004 per 1,000.
        Assert.Matches(@"one city, one day\s+[\d.]+ KB\s+\$0\.000050\s+720\s+\$0\.000288", scaled);

        var table = outputs.Single(o => o.Contains("A year of readings for 100 cities", StringComparison.Ordinal));
        foreach (var path in new[] { "Streaming ingestion (Kinesis, Firehose, S3 writes)", "Athena on JSON.gz (the lake as it is)", "Athena on Parquet (after CTAS)", "Provisioned warehouse left running" })
            Assert.Contains(path, table);
        Assert.Matches(@"Provisioned warehouse left running\s+2,190\.00\s", table); // $0.25 × 8,760 h
        Assert.Contains("written down on 2026-12-03", table);

        // Athena on JSON.gz, worked here from the printed city-day: 96 × 365 queries, each over 100 × 365 city-days, each
        // scanning the city-day's bytes at $5 per TB, opening its 720 objects at $0.0004 per 1,000 GETs and listing its
        // folder at $0.005 per 1,000 LISTs.
        const double cityDays = 100 * 365;
        var perQuery = kilobytesPerCityDay * 1000 * cityDays / 1e12 * 5 + 720 * cityDays * 0.0004 / 1000 + cityDays * 0.005 / 1000;
        var expected = 96 * 365 * perQuery;
        var row = JsonRow().Match(table);
        var shown = double.Parse(row.Groups["usd"].Value, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        Assert.InRange(shown, expected * 0.999, expected * 1.001);
        var requests = double.Parse(row.Groups["requests"].Value, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        Assert.InRange(requests, 96 * 365 * (720 * cityDays * 0.0004 / 1000 + cityDays * 0.005 / 1000) - 0.01, 96 * 365 * (720 * cityDays * 0.0004 / 1000 + cityDays * 0.005 / 1000) + 0.01);
    }

    [GeneratedRegex(@"One city, one day: (?<kb>[\d.]+) KB in (?<objects>[\d,]+) objects, (?<readings>[\d,]+) readings\.")]
    private static partial Regex CityDay();

    [GeneratedRegex(@"Athena on JSON\.gz \(the lake as it is\)\s+(?<usd>[\d,]+\.\d\d)\s+(?<requests>[\d,]+\.\d\d)\s")]
    private static partial Regex JsonRow();
}
