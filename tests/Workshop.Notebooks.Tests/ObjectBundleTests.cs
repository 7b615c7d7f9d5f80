using StreamingWorkshop;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// The output a cell ending in one of the session's objects gets (text/plain for a terminal client, text/html for a
/// notebook), as the kernel and `workshop run` make it: the object's own design, never the formatter's tree of types.
/// </summary>
public sealed class ObjectBundleTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("object-bundles-").FullName;
    private WorkshopSession workshop = null!;

    public async Task InitializeAsync() => workshop = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Path.Combine(folder, "ws") });

    public async Task DisposeAsync()
    {
        await workshop.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    public static TheoryData<string, string, string> Cells() => new()
    {
        { "workshop.Options", "workshop.Options: the options this session runs with\nOption ", "WorkspacePath" },
        { "workshop.Stages", "workshop.Stages: the pipeline's stages on this session's backend, local", "workshop.Stages.ProducerFunction" },
        { "workshop.Local", "workshop.Local: the local backend's engines in the workspace", "workshop.Local.MetricsLog" },
        { "workshop.Stages.Catalog", "workshop.Stages.Catalog: the AWS Glue Data Catalog and its crawlers", "CrawlAsync(definition, createIfMissing)" },
        { "workshop.Local.Crawlers", "workshop.Local.Crawlers: the local Glue crawlers", "StartCrawlerAsync(name)" },
        { "workshop.Clock", "Virtual clock: ", "AdvanceTo(time)" },
        { "workshop.Workspace", "Workspace: ", "Resolve(parts)" },
        { "workshop.Cities", "The producer's cities (3)", "Manchester" },
        { "workshop.WeatherSource", "workshop.WeatherSource: simulated weather, seed 1", "FetchAsync(city, collectionTime)" },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void An_object_of_the_session_is_shown_as_designed_in_text_and_html(string cell, string textStart, string shown)
    {
        var value = cell.Split('.').Skip(1).Aggregate((object)workshop, (holder, name) => holder.GetType().GetProperty(name)!.GetValue(holder)!);

        var bundle = NotebookDisplay.Bundle(value);
        var text = bundle["text/plain"]!.GetValue<string>();
        var html = bundle["text/html"]!.GetValue<string>();

        Assert.StartsWith(textStart, text);
        Assert.Contains(shown, text);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(shown), html);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 80, $"{cell}: a line of {line.Length} characters:\n{line}"));
        DisplayTests.AssertNoObjectTree(bundle.ToJsonString());
    }

    [Fact]
    public void A_clock_and_a_workspace_quoted_in_a_message_are_still_a_time_and_a_path()
    {
        Assert.Equal(workshop.Workspace.Root, $"{workshop.Workspace}");
        Assert.DoesNotContain("\n", $"{workshop.Clock}");
        Assert.Contains("\nGetUtcNow() ", NotebookDisplay.Bundle(workshop.Clock)["text/plain"]!.GetValue<string>());
    }
}
