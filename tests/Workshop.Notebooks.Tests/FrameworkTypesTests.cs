using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// A cell may use any type of the .NET shared framework, as a project that targets it may: those that live in an
/// assembly of their own (Uri, GZipStream, MD5, ConcurrentDictionary...) compile and run like Console or List.
/// </summary>
public sealed class FrameworkTypesTests(FrameworkTypesTests.FrameworkTypesNotebook notebook) : IClassFixture<FrameworkTypesTests.FrameworkTypesNotebook>
{
    /// <summary>Each cell, and the text its value shows.</summary>
    public static readonly TheoryData<string, string> Cells = new()
    {
        { "new Uri(\"s3://weather-lake/weather-data/location=London/\").Host", "weather-lake" },
        { "var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(); seen[\"London\"] = 3; seen[\"London\"]", "3" },
        { "Convert.ToHexString(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(\"London\")))", "59EAD8D1E124CCFB79F3ACE06F43E703" },
        {
            "var packed = new MemoryStream();\n" +
            "using (var gz = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) gz.Write(\"{\\\"city\\\":\\\"Leeds\\\"}\"u8);\n" +
            "new StreamReader(new System.IO.Compression.GZipStream(new MemoryStream(packed.ToArray()), System.IO.Compression.CompressionMode.Decompress)).ReadToEnd()",
            "{\"city\":\"Leeds\"}"
        },
        { "System.Numerics.BigInteger.Pow(2, 128) - 1", "340282366920938463463374607431768211455" },
        { "System.Xml.Linq.XDocument.Parse(\"<reading city='Leeds'/>\").Root!.Attribute(\"city\")!.Value", "Leeds" },
        { "System.Net.IPAddress.Loopback.ToString()", "127.0.0.1" },
        { "System.Threading.Channels.Channel.CreateUnbounded<int>().Writer.TryWrite(1)", "True" },
        { "System.Web.HttpUtility.UrlEncode(\"location=London day\")", "location%3dLondon+day" },
        { "new System.Data.DataTable(\"readings\").TableName", "readings" },
        { "System.Collections.Immutable.ImmutableArray.Create(1, 2, 3).Length", "3" },
    };

    /// <summary>The cells above in one notebook, run once as `workshop run` runs it.</summary>
    public sealed class FrameworkTypesNotebook : IAsyncLifetime
    {
        private readonly string folder = Directory.CreateTempSubdirectory("framework-types-").FullName;

        public NotebookDocument Executed { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
            foreach (var cell in Cells) document.Cells.Add(NotebookCell.Code((string)cell[0]));
            var path = Path.Combine(folder, "framework.ipynb");
            NotebookFile.Write(document, path);
            var report = await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = Path.Combine(folder, "out"), ContinueOnError = true });
            Executed = NotebookFile.Read(report.ExecutedPath);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void A_cell_using_a_framework_type_compiles_runs_and_shows_its_value(string source, string shown)
    {
        var cell = notebook.Executed.Cells.Single(c => c.Source == source);
        var output = Assert.Single(cell.Outputs);
        Assert.True(output["output_type"]!.GetValue<string>() == "execute_result", $"The cell gave {output.ToJsonString()}");
        Assert.Equal(shown, output["data"]!["text/plain"]!.GetValue<string>());
    }
}
