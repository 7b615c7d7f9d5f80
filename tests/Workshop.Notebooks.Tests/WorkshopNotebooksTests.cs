using System.Text.Json.Nodes;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Acceptance: README's main command (`workshop run` from the repository root) runs workshop.dib and every
/// notebook under notebooks/ in order, on a fresh workspace, with no error output, leaving executed copies and
/// HTML pages with their charts.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class WorkshopNotebooksTests(WorkshopRun run)
{
    private static string RepositoryRoot => WorkshopRun.RepositoryRoot;

    [Fact]
    public void Every_workshop_notebook_runs_in_order_without_an_error()
    {
        Assert.True(run.ExitCode == 0, run.Log);
        // Pages keep the repository's layout: out/workshop.html, out/notebooks/..., out/notebooks/solutions/...
        var expected = NotebookRunner.DefaultNotebooks(RepositoryRoot).Select(p => Path.ChangeExtension(Path.GetRelativePath(RepositoryRoot, p), null)).ToList();
        Assert.Equal("workshop", expected[0]);
        Assert.Contains(Path.Combine("notebooks", "03-task3-lake-exploration"), expected);
        Assert.Contains(Path.Combine("notebooks", "solutions", "challenge-solutions"), expected);
        foreach (var name in expected)
        {
            var executed = NotebookFile.Read(Path.Combine(run.Output, name + ".ipynb"));
            var outputs = executed.Cells.SelectMany(c => c.Outputs).ToList();
            var errors = outputs.Where(o => o["output_type"]!.GetValue<string>() == "error").ToList();
            Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors.Select(e => e["evalue"]))}");
            foreach (var each in outputs) DisplayTests.AssertNoObjectTree(each.ToJsonString());
            Assert.True(File.Exists(Path.Combine(run.Output, name + ".html")), name);
        }
        var task3 = File.ReadAllText(Path.Combine(run.Output, "notebooks", "03-task3-lake-exploration.html"));
        Assert.Equal(4, task3.Split("var renderPlotly_").Length - 1); // the four charts of Task 3
        Assert.True(File.Exists(Path.Combine(run.Output, "index.html")));
    }

    /// <summary>
    /// What Jupyter, VS Code and nbconvert do to an output's HTML: MathJax typesets the text between two dollar signs
    /// unless an element above it has an ignore class, and the stylesheet right-aligns table cells and drops their
    /// borders unless the cell's own style says otherwise. Every HTML output of the day is checked for both.
    /// </summary>
    [Fact]
    public void Every_html_output_of_the_day_is_left_alone_by_mathjax_and_its_table_cells_keep_their_alignment_and_borders()
    {
        Assert.True(run.ExitCode == 0, run.Log);
        var checkedCells = 0;
        var wrong = new List<string>();
        foreach (var path in Directory.GetFiles(run.Output, "*.ipynb", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(run.Output, path);
            var cells = NotebookFile.Read(path).Cells;
            for (var cell = 0; cell < cells.Count; cell++)
            {
                foreach (var output in cells[cell].Outputs)
                {
                    if (output["data"]?["text/html"]?.GetValue<string>() is not { } html) continue;
                    // The first chart of a notebook carries plotly.js ahead of it, a script MathJax never reads.
                    if (!NotebookDisplay.WithoutPlotlyScript(html).StartsWith("<div class=\"tex2jax_ignore mathjax_ignore\">", StringComparison.Ordinal))
                        wrong.Add($"{name}, cell {cell + 1}: no MathJax-ignoring root: {html[..Math.Min(80, html.Length)]}");
                    foreach (System.Text.RegularExpressions.Match tag in System.Text.RegularExpressions.Regex.Matches(html, "<t[hd](?:\\s[^>]*)?>"))
                    {
                        checkedCells++;
                        if (!tag.Value.Contains("text-align:left", StringComparison.Ordinal) || !tag.Value.Contains("border:1px solid", StringComparison.Ordinal))
                            wrong.Add($"{name}, cell {cell + 1}: {tag.Value}");
                    }
                }
            }
        }
        Assert.True(checkedCells > 1000, $"only {checkedCells} table cells checked");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Distinct().Take(20)));
    }

    [Fact]
    public void Source_notebooks_are_committed_without_outputs()
    {
        foreach (var path in NotebookRunner.DefaultNotebooks(RepositoryRoot).Where(p => p.EndsWith(".ipynb")))
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.All(json["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == "code"),
                cell => Assert.Empty(cell!["outputs"]!.AsArray()));
        }
    }
}
