using System.Text.Json.Nodes;
using Workshop.Tests.BadInput;

namespace Workshop.Tests.Cli;

/// <summary>
/// `workshop run --workspace DIR` hands the folder to its notebooks through WORKSHOP_WORKSPACE, since they connect with
/// no options; workshop.Options in them still says the value came from the command line's --workspace.
/// </summary>
public sealed class NotebookRunOptionsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-run-options-").FullName;

    [Fact]
    public void Workspace_path_given_to_workshop_run_is_attributed_to_its_option_not_to_the_variable()
    {
        File.WriteAllText(Path.Combine(folder, "readme.dib"), """
            #!meta

            {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}

            #!csharp

            var workshop = await StreamingWorkshop.Workshop.ConnectAsync();
            Console.WriteLine(workshop.Options["WorkspacePath"].From);
            """);
        var workspace = Path.Combine(folder, "ws");

        var run = WorkshopCli.Child(folder, new Dictionary<string, string?> { ["WORKSHOP_WORKSPACE"] = null },
            "run", "readme.dib", "--out", Path.Combine(folder, "out"), "--workspace", workspace);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "out", "readme.ipynb")))!;
        var output = executed["cells"]!.AsArray().Single(c => c!["cell_type"]!.GetValue<string>() == "code")!["outputs"]!.AsArray().Single()!;
        Assert.Equal("the command line's --workspace\n", output["text"]!.GetValue<string>());
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
