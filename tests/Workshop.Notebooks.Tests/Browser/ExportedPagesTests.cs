using PuppeteerSharp;
using Xunit.Abstractions;

namespace Workshop.Notebooks.Tests.Browser;

/// <summary>
/// The pages `workshop run` exports (out/index.html and one page per notebook, wherever under out/ they are),
/// opened in headless Chromium and read as a person reads them: query results as tables, no .NET internals,
/// links that open, charts drawn, and what axe-core checks for WCAG AA in a light and a dark colour scheme. A full-page
/// screenshot of each page, and one in the dark scheme, is saved under the test assembly's screenshots/exported folder.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class ExportedPagesTests(WorkshopRun run, ITestOutputHelper log)
{
    /// <summary>Links that leave the pages on purpose: Plotly's logo in every chart's toolbar.</summary>
    private static readonly HashSet<string> ExpectedExternalLinks = ["https://plotly.com/"];

    private static readonly SemaphoreSlim Reading = new(1, 1);
    private static IReadOnlyList<(string Name, PageReading Reading)>? pages;
    private static string screenshots = "";
    private static readonly List<string> ScriptErrors = [];
    private static readonly List<string> AccessibilityProblems = [];

    /// <summary>Cells of six words or more narrower than about 20 characters, which read a word a line, found as each page is read.</summary>
    private static readonly List<string> SqueezedCells = [];

    /// <summary>An output pane in a laptop's VS Code window with the explorer open.</summary>
    private const int NarrowPaneWidth = 1000;

    /// <summary>The colour schemes every page is read in: a browser or an editor (VS Code's default theme is dark) may ask for either.</summary>
    private static readonly string[] ColourSchemes = ["light", "dark"];

    /// <summary>
    /// What axe-core finds against WCAG 2.1 A and AA and its own best practices on the page as the browser shows it now:
    /// text below AA contrast, a header with no text, a region that scrolls but cannot take focus... Each problem is the
    /// rule's id, the element's selector, axe's message and the start of the element's markup.
    /// </summary>
    private static async Task<string[]> AccessibilityProblemsAsync(IPage page)
    {
        if (!await page.EvaluateExpressionAsync<bool>("typeof axe !== 'undefined'"))
            await page.AddScriptTagAsync(new AddTagOptions { Path = Path.Combine(WorkshopRun.RepositoryRoot, "tests", "tools", "node_modules", "axe-core", "axe.min.js") });
        return await page.EvaluateFunctionAsync<string[]>("""
            async () => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
              return result.violations.flatMap(v => v.nodes.map(n => v.id + ' at ' + n.target.join(' ') + ': ' +
                [...n.any, ...n.all, ...n.none].map(check => check.message).join('; ') + ' | ' + (n.html || '').slice(0, 140)));
            }
            """);
    }

    private async Task<IReadOnlyList<(string Name, PageReading Reading)>> PagesAsync()
    {
        await Reading.WaitAsync();
        try
        {
            if (pages is null)
            {
                Assert.True(run.ExitCode == 0, $"workshop run failed:\n{run.Log}");
                Assert.True(File.Exists(Path.Combine(run.Output, "index.html")), $"workshop run wrote no index.html to {run.Output}");
                screenshots = Chromium.ScreenshotFolder("exported");
                var read = new List<(string, PageReading)>();
                await using var browser = await Chromium.LaunchAsync();
                foreach (var path in Directory.EnumerateFiles(run.Output, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetRelativePath(run.Output, path).Replace('\\', '/');
                    await using var page = await browser.NewPageAsync();
                    page.PageError += (_, e) => { lock (ScriptErrors) ScriptErrors.Add($"{name}: {e.Message.Split('\n')[0]}"); };
                    await page.GoToAsync(new Uri(path).AbsoluteUri, WaitUntilNavigation.Load);
                    read.Add((name, await PageReader.ReadAsync(page, Frontend.ExportedPage, TimeSpan.FromSeconds(10))));
                    // Such a column lost its room to long unbreakable values (paths, addresses) beside it: looked for in this
                    // window and in one as narrow as an output pane beside VS Code's explorer.
                    foreach (var width in new[] { NarrowPaneWidth, Chromium.WindowWidth })
                    {
                        await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = 900 });
                        var squeezed = await page.EvaluateFunctionAsync<string[]>("""
                            () => [...document.querySelectorAll('td')]
                                .filter(td => td.innerText.trim().split(/\s+/).length >= 6 && td.getBoundingClientRect().width < 150)
                                .map(td => Math.round(td.getBoundingClientRect().width) + ' px wide: ' + td.innerText.trim().replace(/\s+/g, ' ').slice(0, 60))
                            """);
                        SqueezedCells.AddRange(squeezed.Select(cell => $"{name} at {width} px: {cell}"));
                    }
                    await page.ScreenshotAsync(Path.Combine(screenshots, name.Replace('/', '_') + ".png"), new ScreenshotOptions { FullPage = true });
                    foreach (var scheme in ColourSchemes)
                    {
                        await page.EmulateMediaFeaturesAsync([new MediaFeatureValue { MediaFeature = MediaFeature.PrefersColorScheme, Value = scheme }]);
                        if (scheme != "light")
                            await page.ScreenshotAsync(Path.Combine(screenshots, $"{name.Replace('/', '_')}.{scheme}.png"), new ScreenshotOptions { FullPage = true });
                        foreach (var problem in await AccessibilityProblemsAsync(page)) AccessibilityProblems.Add($"{name}, {scheme}: {problem}");
                    }
                }
                pages = read;
            }
            log.WriteLine($"Screenshots of the exported pages: {screenshots}");
            return pages;
        }
        finally
        {
            Reading.Release();
        }
    }

    [Fact]
    public async Task Every_page_meets_wcag_aa_as_axe_core_checks_it_in_a_light_and_a_dark_colour_scheme()
    {
        await PagesAsync();
        Assert.True(AccessibilityProblems.Count == 0,
            $"{AccessibilityProblems.Count} problem(s) axe-core finds (WCAG 2.1 A and AA, and its best practices):\n{string.Join('\n', AccessibilityProblems.Take(30))}");
    }

    [Fact]
    public async Task Every_query_result_shows_as_a_table_headed_by_the_query_columns()
    {
        var read = await PagesAsync();

        var queries = read.Sum(p => p.Reading.Cells.Sum(c => PageReader.QueryResultsShown(c.Source)));
        Assert.True(queries > 0, $"No exported page has a code cell that shows a query result; read: {string.Join(", ", read.Select(p => $"{p.Name} ({p.Reading.Cells.Count} code cells)"))}");
        var problems = read.SelectMany(p => PageReader.QueryTableProblems(p.Name, p.Reading.Cells)).ToList();
        Assert.True(problems.Count == 0, Report(problems));
    }

    [Fact]
    public async Task No_page_shows_dotnet_type_names_or_object_trees()
    {
        var problems = (await PagesAsync()).SelectMany(p => PageReader.DotNetLeakProblems(p.Name, p.Reading)).ToList();
        Assert.True(problems.Count == 0, Report(problems));
    }

    [Fact]
    public async Task Every_link_opens_a_page_under_out()
    {
        var read = await PagesAsync();

        var problems = read.SelectMany(p => p.Reading.Links.Distinct().Select(href => LinkProblem(p.Name, href))
            // A download link (the executed .ipynb, to open in an editor) must reach a file too, but may be a notebook.
            .Concat(p.Reading.Downloads.Distinct().Select(href => LinkProblem(p.Name, href, download: true))).OfType<string>()).ToList();
        Assert.True(read.Single(p => p.Name == "index.html").Reading.Links.Count > 0, "index.html links to no page");
        Assert.True(problems.Count == 0, Report(problems));
    }

    [Fact]
    public async Task Every_image_shows()
    {
        var problems = (await PagesAsync()).SelectMany(p => PageReader.ImageProblems(p.Name, p.Reading)).ToList();
        Assert.True(problems.Count == 0, Report(problems));
    }

    [Fact]
    public async Task Every_chart_draws_its_svg()
    {
        var read = await PagesAsync();

        Assert.True(read.Sum(p => p.Reading.Charts.Count) > 0, "No exported page asks Plotly to draw a chart.");
        var problems = read.SelectMany(p => PageReader.ChartProblems(p.Name, p.Reading)).ToList();
        Assert.True(problems.Count == 0, Report(problems));
    }

    [Fact]
    public async Task No_page_is_wider_than_the_window()
    {
        // Wide code, tables and text scroll inside their own box; the page itself never scrolls sideways.
        var problems = (await PagesAsync()).Where(p => p.Reading.PageWidth > Chromium.WindowWidth)
            .Select(p => $"{p.Name} is {p.Reading.PageWidth} px wide in a {Chromium.WindowWidth} px window").ToList();
        Assert.True(problems.Count == 0, Report(problems));
    }

    [Fact]
    public async Task No_table_squeezes_a_column_of_sentences_to_a_word_a_line()
    {
        await PagesAsync();
        Assert.True(SqueezedCells.Count == 0, Report(SqueezedCells));
    }

    [Fact]
    public async Task No_page_shows_an_error()
    {
        var problems = (await PagesAsync()).SelectMany(p => p.Reading.Errors.Select(e => $"{p.Name}: {e.Split('\n')[0]}")).ToList();
        Assert.True(problems.Count == 0, Report(problems));
    }

    /// <summary>Why a link does not open, or null when it does: relative links must reach a page or file under out/.</summary>
    private string? LinkProblem(string pageName, string href, bool download = false)
    {
        if (href.StartsWith('#')) return null;
        // An absolute link (a web address, or a path on the machine that ran the notebooks) leaves the pages.
        if (href.StartsWith('/') || Uri.TryCreate(href, UriKind.Absolute, out _))
            return ExpectedExternalLinks.Contains(href) ? null : $"{pageName}: links outside the pages to {href}";
        var target = href.Split('#', '?')[0];
        var pageFolder = Path.GetDirectoryName(Path.Combine(run.Output, pageName))!;
        var path = Path.GetFullPath(Path.Combine(pageFolder, Uri.UnescapeDataString(target)));
        var outFolder = Path.GetFullPath(run.Output) + Path.DirectorySeparatorChar;
        if (!path.StartsWith(outFolder, StringComparison.Ordinal)) return $"{pageName}: links to {href}, outside out/";
        if (!File.Exists(path)) return $"{pageName}: links to {href}, which is not a file under out/";
        // A notebook file opens as raw JSON in a browser; a reader following the day needs the notebook's page.
        return !download && Path.GetExtension(path) is ".ipynb" or ".dib" ? $"{pageName}: links to the notebook file {href}, which a browser shows as raw text, not to its page" : null;
    }

    private static string Report(IReadOnlyList<string> problems)
    {
        lock (ScriptErrors)
            return $"{problems.Count} problem(s) a reader would see (screenshots in {screenshots}):\n{string.Join("\n", problems)}"
                + (ScriptErrors.Count == 0 ? "" : "\nScript errors in the pages: " + string.Join("; ", ScriptErrors.Distinct().Take(5)));
    }
}
