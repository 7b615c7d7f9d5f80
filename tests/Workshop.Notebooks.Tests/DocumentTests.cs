using System.Text.Json.Nodes;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>Reading and writing .ipynb and .dib loses nothing; conversion keeps cells, kernels and text.</summary>
public class DocumentTests
{
    [Theory]
    [MemberData(nameof(Corpus.All), MemberType = typeof(Corpus))]
    public void Writing_what_was_read_and_reading_it_again_gives_the_same_document(string name)
    {
        var path = Corpus.PathOf(name);
        var first = NotebookFile.Read(path);
        var text = path.EndsWith(".dib") ? Dib.Write(first) : Ipynb.Write(first);
        var second = path.EndsWith(".dib") ? Dib.Parse(text) : Ipynb.Parse(text);

        Assert.Equal(first.Cells.Select(c => (c.Kind, c.Language, c.Source, c.Id)), second.Cells.Select(c => (c.Kind, c.Language, c.Source, c.Id)));
        Assert.True(JsonNode.DeepEquals(first.Metadata, second.Metadata));
    }

    [Fact]
    public void A_dib_file_round_trips_to_the_same_text()
    {
        var text = File.ReadAllText(Corpus.PathOf("directives.dib"));
        Assert.Equal(text, Dib.Write(Dib.Parse(text)));
    }

    [Fact]
    public void An_ipynb_file_round_trips_to_the_same_json()
    {
        var original = JsonNode.Parse(File.ReadAllText(Corpus.PathOf("display.ipynb")));
        var written = JsonNode.Parse(Ipynb.Write(Ipynb.Parse(File.ReadAllText(Corpus.PathOf("display.ipynb")))));
        Assert.True(JsonNode.DeepEquals(original, written), written!.ToJsonString());
    }

    [Fact]
    public void Unknown_metadata_survives()
    {
        var json = """{"cells":[{"cell_type":"code","execution_count":null,"id":"x1","metadata":{"tags":["keep"],"polyglot_notebook":{"kernelName":"csharp"}},"outputs":[],"source":["1"]}],"metadata":{"custom":{"a":1}},"nbformat":4,"nbformat_minor":5}""";
        var written = JsonNode.Parse(Ipynb.Write(Ipynb.Parse(json)))!;
        Assert.Equal("keep", written["cells"]![0]!["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Equal(1, written["metadata"]!["custom"]!["a"]!.GetValue<int>());
    }

    [Fact]
    public void Converting_dib_to_ipynb_and_back_keeps_every_cell_and_kernel_name()
    {
        var dib = Dib.Parse(File.ReadAllText(Corpus.PathOf("directives.dib")));
        var back = Dib.Parse(Dib.Write(Ipynb.Parse(Ipynb.Write(dib))));

        Assert.Equal(["markdown", "csharp", "html", "csharp", "pwsh"], back.Cells.Select(c => c.Language));
        Assert.Equal(dib.Cells.Select(c => c.Source), back.Cells.Select(c => c.Source));
        Assert.Equal("csharp", back.DefaultKernel);
    }

    [Fact]
    public void The_entry_notebook_for_jupyter_and_vs_code_is_workshop_dib_converted_as_it_is_now()
    {
        // VS Code's Jupyter extension and JupyterLab open .ipynb files only, so the agenda and its catch-up cell ship as
        // workshop.ipynb too; an edit to workshop.dib must be converted again.
        var folder = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var converted = Path.Combine(folder, "workshop.ipynb");
            Assert.Equal(0, Cli.Run(out _, "convert", Path.Combine(WorkshopRun.RepositoryRoot, "workshop.dib"), converted));
            Assert.True(File.ReadAllText(converted) == File.ReadAllText(Path.Combine(WorkshopRun.RepositoryRoot, "workshop.ipynb")),
                "workshop.ipynb differs from workshop.dib: run ./workshop convert workshop.dib workshop.ipynb");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Convert_never_writes_over_an_executed_notebooks_outputs_nor_over_its_own_source()
    {
        var folder = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var executed = Path.Combine(folder, "executed.ipynb");
            var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
            var cell = NotebookCell.Code("1 + 1");
            cell.Outputs.Add(new System.Text.Json.Nodes.JsonObject { ["output_type"] = "execute_result", ["data"] = new System.Text.Json.Nodes.JsonObject { ["text/plain"] = "2" } });
            document.Cells.Add(cell);
            NotebookFile.Write(document, executed);
            var before = File.ReadAllText(executed);
            var dib = Path.Combine(folder, "executed.dib");
            Assert.Equal(0, Cli.Run(out _, "convert", executed, dib));

            var back = Cli.Capture(folder, new Dictionary<string, string>(), "convert", dib, executed);
            var itself = Cli.Capture(folder, new Dictionary<string, string>(), "convert", dib, dib);

            Assert.Equal(1, back.Exit);
            Assert.Equal($"Error: '{executed}' holds 1 output(s) of executed cells, which converting over it would lose; write to another file, or delete it first.", back.Stderr.Trim());
            Assert.Equal(before, File.ReadAllText(executed));
            Assert.Equal(1, itself.Exit);
            Assert.Contains("is the notebook being converted", itself.Stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_workshop_convert_command_writes_the_other_format()
    {
        var folder = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var target = Path.Combine(folder, "display.dib");
            var exit = Cli.Run(out _, "convert", Corpus.PathOf("display.ipynb"), target);
            Assert.Equal(0, exit);
            Assert.StartsWith("#!meta", File.ReadAllText(target));
            Assert.Equal(7, Dib.Parse(File.ReadAllText(target)).Cells.Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
