using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Every hidden answer shows the triangle that says it opens. Jupyter Notebook's stylesheet shows a summary as a plain
/// block, so "Answer" reads as a stray word; display:list-item on the summary brings the triangle back there, and is
/// what the other frontends and browsers show anyway.
/// </summary>
public sealed partial class DisclosureMarkerTests
{
    [Theory]
    [MemberData(nameof(MarkdownTableAlignmentTests.Notebooks), MemberType = typeof(MarkdownTableAlignmentTests))]
    public void Every_summary_keeps_its_disclosure_triangle(string notebook)
    {
        var markdown = string.Join("\n", NotebookFile.Read(Path.Combine(WorkshopRun.RepositoryRoot, notebook)).Cells
            .Where(c => c.Kind == CellKind.Markdown).Select(c => c.Source));
        var plain = Summary().Matches(markdown).Where(m => !m.Value.Contains("display:list-item", StringComparison.Ordinal)).Select(m => m.Value).ToList();

        Assert.True(plain.Count == 0,
            $"{notebook} has {plain.Count} summary tag(s) that Jupyter Notebook shows without a triangle; write <summary style=\"display:list-item\">:\n{string.Join("\n", plain)}");
    }

    [GeneratedRegex(@"<summary\b[^>]*>")]
    private static partial Regex Summary();
}
