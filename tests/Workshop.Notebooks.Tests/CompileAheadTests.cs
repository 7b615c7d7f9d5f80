using System.Text.Json.Nodes;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// A headless run compiles each plain cell while the cell before it runs: the cell then runs that submission, and a
/// cell whose submission no longer fits (the one before failed, or it has a directive) is compiled in its turn.
/// </summary>
public sealed class CompileAheadTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("compile-ahead-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static string? Text(CellResult result, string type) =>
        result.Outputs.Where(o => o["output_type"]!.GetValue<string>() == type)
            .Select(o => o["data"]?["text/plain"]?.GetValue<string>() ?? o["text"]?.GetValue<string>() ?? o["evalue"]?.GetValue<string>())
            .SingleOrDefault();

    private static async Task<List<CellResult>> RunInTurnAsync(NotebookSession session, params string[] sources)
    {
        var cells = sources.Select(source => NotebookCell.Code(source)).ToList();
        var results = new List<CellResult>();
        for (var i = 0; i < cells.Count; i++)
            results.Add(await session.ExecuteAsync(cells[i], next: i + 1 < cells.Count ? cells[i + 1] : null));
        return results;
    }

    [Fact]
    public async Task Plain_cells_run_the_submission_compiled_while_the_cell_before_them_ran()
    {
        await using var session = new NotebookSession(folder);

        var results = await RunInTurnAsync(session, "var a = 20;", "var b = a + 1;", "a + b");

        Assert.All(results, r => Assert.False(r.Failed, r.ErrorMessage));
        Assert.Equal("41", Text(results[2], "execute_result"));
        Assert.Equal(2, session.CellsRunCompiledAhead);
    }

    [Fact]
    public async Task A_cell_after_a_failed_one_is_compiled_again_without_the_failed_cells_variables()
    {
        await using var session = new NotebookSession(folder);

        var results = await RunInTurnAsync(session,
            "var kept = 1;",
            "var lost = 2;\nthrow new InvalidOperationException(\"stopped\");",
            "kept + lost",
            "kept + 1");

        Assert.Equal("InvalidOperationException", results[1].ErrorName);
        // Compiled ahead on the failed cell, "lost" would exist, and running it would run the failed cell again.
        Assert.Equal("CompilationError", results[2].ErrorName);
        Assert.Contains("error CS0103: The name 'lost' does not exist", results[2].ErrorMessage);
        Assert.Equal("2", Text(results[3], "execute_result"));
        Assert.Equal(1, session.CellsRunCompiledAhead);
    }

    [Fact]
    public async Task A_cell_that_does_not_compile_reports_its_errors_in_its_turn_with_its_own_line()
    {
        await using var session = new NotebookSession(folder);

        var results = await RunInTurnAsync(session, "var ready = true;", "Console.WriteLine(ready);\nvar n = missing + 1;");

        Assert.Equal("CompilationError", results[1].ErrorName);
        Assert.Contains("(2,9): error CS0103: The name 'missing' does not exist", results[1].ErrorMessage);
        Assert.Equal(2, results[1].ErrorLine);
        Assert.Equal(0, session.CellsRunCompiledAhead);
    }

    [Fact]
    public async Task A_cell_with_a_directive_is_prepared_and_compiled_in_its_turn()
    {
        await using var session = new NotebookSession(folder);

        var results = await RunInTurnAsync(session, "var x = 2;", "#r \"nuget: Plotly.NET.CSharp\"\nx * 3", "x * 4");

        Assert.Equal("6", Text(results[1], "execute_result"));
        Assert.Equal("8", Text(results[2], "execute_result"));
        Assert.Equal(1, session.CellsRunCompiledAhead); // the third cell, compiled while the second ran
    }

    [Fact]
    public async Task A_headless_run_gives_the_same_outputs_with_the_cells_compiled_ahead()
    {
        var notebook = Path.Combine(folder, "ahead.dib");
        File.WriteAllText(notebook, """
            #!meta

            {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}

            #!csharp

            var cities = new[] { "Leeds", "York" };
            Console.WriteLine(cities.Length);

            #!markdown

            Between the cells.

            #!csharp

            string.Join(" and ", cities)

            #!csharp

            var missing = cities[5];
            """);

        var report = await NotebookRunner.RunAsync(notebook, new RunOptions { OutputDirectory = Path.Combine(folder, "out") });
        var executed = NotebookFile.Read(report.ExecutedPath).Cells.Where(c => c.Kind == CellKind.Code).ToList();

        Assert.Equal("2\n", executed[0].Outputs.Single()["text"]!.GetValue<string>());
        Assert.Equal("Leeds and York", executed[1].Outputs.Single()["data"]!["text/plain"]!.GetValue<string>());
        var error = executed[2].Outputs.Single();
        Assert.Equal("IndexOutOfRangeException", error["ename"]!.GetValue<string>());
        Assert.Contains("line 1 of the cell", error["evalue"]!.GetValue<string>());
        Assert.Equal(1, report.Errors);
    }
}
