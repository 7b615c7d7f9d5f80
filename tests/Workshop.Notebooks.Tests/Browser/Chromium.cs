using PuppeteerSharp;

namespace Workshop.Notebooks.Tests.Browser;

/// <summary>Debian's Chromium, driven headless; the tests never download a browser.</summary>
internal static class Chromium
{
    /// <summary>The browser window's width: the pages must fit it without scrolling sideways.</summary>
    public const int WindowWidth = 1280;

    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<IBrowser> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            Assert.Fail($"Chromium is not installed at {ExecutablePath}: install Debian's chromium package (apt-get install chromium, as .ci/run does) and run the tests again.");
        return await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // The test machines run as root, where Chromium refuses its sandbox; the pages opened are the kit's own.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            DefaultViewport = new ViewPortOptions { Width = WindowWidth, Height = 900 },
        });
    }

    /// <summary>Where the screenshots go: beside the test assembly, so they survive the run and are easy to find.</summary>
    public static string ScreenshotFolder(string kind)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots", kind);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
