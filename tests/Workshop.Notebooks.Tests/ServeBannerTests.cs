namespace Workshop.Notebooks.Tests;

/// <summary>What `workshop serve` prints as it starts, read as a person reads it in a terminal of 80 columns.</summary>
public sealed class ServeBannerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-banner-").FullName;

    [Fact]
    public async Task At_80_columns_the_banner_wraps_between_words_and_keeps_each_url_whole()
    {
        await using var server = await ServeProcess.StartAsync(Path.Combine(folder, "ws"), new Dictionary<string, string> { ["COLUMNS"] = "80" });
        await server.WaitForLineAsync(l => l.Contains("/v1/forecast", StringComparison.Ordinal));
        var lines = server.Lines;

        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.Contains($"export AWS_ENDPOINT_URL={server.Url}", lines);
        Assert.Contains($"WEATHER_API_URL={server.Url}/v1/forecast", lines);
        // A URL is never cut: every piece of text that starts like one is the whole of it.
        Assert.All(lines.SelectMany(l => l.Split(' ', '"')).Where(w => w.StartsWith("http", StringComparison.Ordinal)),
            url => Assert.StartsWith(server.Url, url));
    }

    [Fact]
    public async Task Endpoints_started_on_a_served_workspace_are_told_of_the_first_whose_mark_goes_with_it()
    {
        var workspace = Path.Combine(folder, "shared");
        await using var first = await ServeProcess.StartAsync(workspace);
        await using var second = await ServeProcess.StartAsync(workspace);

        var (secondExit, secondErrors) = await second.StopAsync();
        // The second one stopping leaves the first one's mark, so a third one is told of the first.
        Assert.Contains(first.Url, File.ReadAllText(Path.Combine(workspace, "state", "serve.json")));
        await using var third = await ServeProcess.StartAsync(workspace);
        var (thirdExit, thirdErrors) = await third.StopAsync();
        var (firstExit, firstErrors) = await first.StopAsync();

        Assert.Contains($"Warning: this workspace is served already, at {first.Url} by process ", secondErrors);
        Assert.Contains($"Warning: this workspace is served already, at {first.Url} by process ", thirdErrors);
        Assert.DoesNotContain("served already", firstErrors);
        Assert.Equal((130, 130, 130), (firstExit, secondExit, thirdExit));
        Assert.False(File.Exists(Path.Combine(workspace, "state", "serve.json")), "the mark outlived both endpoints");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
