using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// The tables in the notebooks' text read from the left in Jupyter: Jupyter Notebook's stylesheet right-aligns every
/// cell of a table whose column does not say its alignment, so the agenda and the "You will" tables read ragged-left,
/// a sentence a line pushed against the right edge. A delimiter row of :--- says left.
/// </summary>
public sealed partial class MarkdownTableAlignmentTests
{
    public static TheoryData<string> Notebooks()
    {
        var root = WorkshopRun.RepositoryRoot;
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(root, "notebooks"), "*.ipynb", SearchOption.AllDirectories)
                     .Concat([Path.Combine(root, "workshop.dib"), Path.Combine(root, "workshop.ipynb")]).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, path).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Every_table_in_the_text_says_its_columns_alignment(string notebook)
    {
        var markdown = NotebookFile.Read(Path.Combine(WorkshopRun.RepositoryRoot, notebook)).Cells
            .Where(c => c.Kind == CellKind.Markdown).SelectMany(c => c.Source.Split('\n'));
        var unaligned = markdown.Where(line => DelimiterRow().IsMatch(line))
            .Where(line => line.Trim().Trim('|').Split('|').Any(cell => !cell.Contains(':', StringComparison.Ordinal)))
            .ToList();

        Assert.True(unaligned.Count == 0,
            $"{notebook} has {unaligned.Count} table(s) whose columns Jupyter Notebook right-aligns; write the delimiter row as |:---|:---|:\n{string.Join("\n", unaligned)}");
    }

    [GeneratedRegex(@"^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$")]
    private static partial Regex DelimiterRow();
}
