using System.Reflection;
using System.Text.RegularExpressions;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;

namespace Workshop.Tests.Workflows;

/// <summary>
/// docs/workflows.md keeps up with what the local backend runs: each refused feature, Task resource, intrinsic function,
/// reserved error name and history event type the code knows is named there, and its links lead to files and headings
/// that exist.
/// </summary>
public sealed partial class WorkflowsDocumentationTests
{
    private static readonly string Root = RepositoryRoot();
    private static readonly string Text = File.ReadAllText(Path.Combine(Root, "docs", "workflows.md"));

    [Fact]
    public void Every_refused_feature_is_in_the_table_by_the_name_its_message_gives()
    {
        Assert.Equal(11, AslSupport.Unsupported.Count);
        foreach (var feature in AslSupport.Unsupported)
            Assert.Contains($"({feature.Name})", Text);
    }

    [Fact]
    public void Every_task_resource_the_backend_runs_is_documented()
    {
        var resources = typeof(LocalTaskIntegrations).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.GetRawConstantValue() is string value && value.StartsWith("arn:", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(10, resources.Count);
        foreach (var resource in resources)
            Assert.Contains($"`{resource}`", Text);
    }

    [Fact]
    public void Every_intrinsic_function_reserved_error_and_history_event_type_is_named()
    {
        var eventTypes = typeof(HistoryEventTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        foreach (var name in IntrinsicFunctions.Names.Concat(StatesErrors.Reserved).Concat(eventTypes))
            Assert.Matches($"`{Regex.Escape(name)}`", Text);
    }

    [Fact]
    public void Every_relative_link_leads_to_a_file_and_a_heading_that_exist()
    {
        var docs = Path.Combine(Root, "docs");
        var checkedLinks = 0;
        foreach (Match link in Link().Matches(Text))
        {
            var target = link.Groups["target"].Value;
            if (target.StartsWith("http", StringComparison.Ordinal)) continue;
            var (path, anchor) = target.Split('#', 2) is [var p, var a] ? (p, a) : (target, null);
            var file = path.Length == 0 ? Path.Combine(docs, "workflows.md") : Path.GetFullPath(Path.Combine(docs, path));
            Assert.True(File.Exists(file), $"docs/workflows.md links to {target}, which does not exist");
            if (anchor is not null && file.EndsWith(".md", StringComparison.Ordinal))
                Assert.True(Anchors(File.ReadAllText(file)).Contains(anchor), $"docs/workflows.md links to {target}: no such heading");
            checkedLinks++;
        }
        Assert.True(checkedLinks >= 9, $"only {checkedLinks} links checked");
    }

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        Heading().Matches(markdown)
            .Select(m => Punctuation().Replace(m.Groups["title"].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
        throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#+\s+(?<title>.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex Punctuation();
}
