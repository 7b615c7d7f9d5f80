using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What an editor asks the engine as a learner types: a hover (the kernel's inspect) on the symbol at the cursor, read
/// as a learner reads it, and whether the code typed so far is complete.
/// </summary>
public sealed class HoverTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-hover-").FullName;

    [Fact]
    public void A_kit_method_shows_its_parameters_names_and_its_summary()
    {
        var session = new NotebookSession(folder);
        const string code = "StreamingWorkshop.Clock.VirtualClock.DefaultStart(TimeProvider.System)";

        var hover = session.Inspect(code, code.IndexOf("DefaultStart", StringComparison.Ordinal) + 3);

        Assert.Equal("""
            DateTimeOffset VirtualClock.DefaultStart(TimeProvider wallClock)

            Where a fresh workspace's clock starts: midnight UTC at the start of yesterday, so a simulated day ends about now.

            Method
            """.ReplaceLineEndings("\n"), hover);
    }

    [Fact]
    public async Task The_sessions_shortcuts_show_the_summary_of_the_call_they_make()
    {
        var session = new NotebookSession(folder);
        Assert.False((await session.ExecuteAsync(NotebookCell.Code($"var workshop = await Workshop.ConnectAsync(new WorkshopOptions {{ WorkspacePath = @\"{Path.Combine(folder, "ws")}\" }});"))).Failed);
        const string code = "await workshop.QueryAsync(\"SELECT 1\")";

        var hover = session.Inspect(code, code.IndexOf("QueryAsync", StringComparison.Ordinal) + 3);

        Assert.Equal("""
            Task<QueryResult> WorkshopSession.QueryAsync(string sql, string? database = null, CancellationToken cancellationToken = default(CancellationToken))

            Runs Athena SQL against the workshop database (or another) and returns the result with its statistics.

            Method
            """.ReplaceLineEndings("\n"), hover);
    }

    [Fact]
    public async Task A_summary_keeps_the_names_its_references_stand_for()
    {
        var session = new NotebookSession(folder);
        Assert.False((await session.ExecuteAsync(NotebookCell.Code($"var workshop = await Workshop.ConnectAsync(new WorkshopOptions {{ WorkspacePath = @\"{Path.Combine(folder, "ws")}\" }});"))).Failed);
        const string code = "workshop.StartLive(60)";

        var hover = session.Inspect(code, code.IndexOf("StartLive", StringComparison.Ordinal) + 3)!;

        // <paramref name="speed"/>, <see cref="LiveRun.StopAsync"/> and <see cref="LiveDisplay.Watched"/> in the source.
        Assert.Contains("on the wall clock, speed times faster (1 = real time", hover);
        Assert.Contains("Stop it with StopAsync. A run with a duration, started where nobody watches the outputs change (a headless run of a notebook, see Watched)", hover);
        Assert.DoesNotContain("  ", hover.Split('\n')[2]);
    }

    [Fact]
    public void A_call_shows_the_overload_it_calls_with_dotnets_summary()
    {
        var session = new NotebookSession(folder);
        const string code = "Math.Max(1, 2)";

        var hover = session.Inspect(code, 6)!;

        Assert.StartsWith("int Math.Max(int val1, int val2)\n\n", hover);
        Assert.Contains("Returns the larger of two 32-bit signed integers.", hover);
        Assert.DoesNotContain("double", hover);
    }

    [Fact]
    public async Task A_variable_of_an_earlier_cell_shows_its_type()
    {
        var session = new NotebookSession(folder);
        Assert.False((await session.ExecuteAsync(NotebookCell.Code("var readings = new List<double> { 1.5 };"))).Failed);

        var hover = session.Inspect("readings.Count", 3)!;

        Assert.StartsWith("List<double> readings", hover);
        Assert.EndsWith("\n\nVariable", hover); // not Field, which is how the compiler keeps it between cells
    }

    [Fact]
    public void A_method_named_but_not_yet_called_lists_its_overloads_and_says_how_many_more()
    {
        var session = new NotebookSession(folder);
        const string code = "Console.WriteLine";

        var lines = session.Inspect(code, code.Length - 2)!.Split('\n');

        Assert.Equal(8, lines.TakeWhile(l => l.StartsWith("void Console.WriteLine(", StringComparison.Ordinal)).Count());
        Assert.Matches(@"^\(\+\d+ more overloads\)$", lines[8]);
    }

    [Fact]
    public async Task Completing_after_a_value_offers_what_the_value_has_and_after_a_type_what_the_type_has()
    {
        var session = new NotebookSession(folder);
        Assert.False((await session.ExecuteAsync(NotebookCell.Code("var readings = new List<double> { 1.5 };"))).Failed);

        var onValue = session.Complete("readings.", 9).Matches;
        var onType = session.Complete("Math.", 5).Matches;

        Assert.Contains("Count", onValue);
        Assert.Contains("Display", onValue); // the kit's extension method
        Assert.DoesNotContain("ReferenceEquals", onValue);
        Assert.Contains("Max", onType);
        Assert.DoesNotContain("GetType", onType);
        Assert.DoesNotContain("Display", onType);
    }

    [Fact]
    public async Task Completing_after_the_session_offers_its_calls_not_its_plumbing()
    {
        var session = new NotebookSession(folder);
        Assert.False((await session.ExecuteAsync(NotebookCell.Code($"var workshop = await Workshop.ConnectAsync(new WorkshopOptions {{ WorkspacePath = @\"{Path.Combine(folder, "ws")}\" }});"))).Failed);

        var matches = session.Complete("workshop.", 9).Matches;

        Assert.Contains("QueryAsync", matches);
        Assert.Contains("Display", matches);
        foreach (var plumbing in new[] { "ToHtml", "ConfigureAwait", "DisposeAsync" }) Assert.DoesNotContain(plumbing, matches);
    }

    [Fact]
    public void Completion_matches_what_was_typed_whatever_its_case()
    {
        var session = new NotebookSession(folder);
        const string code = "Console.writel";

        var (start, end, matches) = session.Complete(code, code.Length);

        Assert.Equal(["WriteLine"], matches);
        Assert.Equal((8, code.Length), (start, end));
    }

    [Fact]
    public async Task Completing_everything_in_scope_keeps_the_learners_own_variables()
    {
        var session = new NotebookSession(folder);
        Assert.False((await session.ExecuteAsync(NotebookCell.Code("var sql = \"SELECT 1\";\nint Twice(int n) => 2 * n;"))).Failed);
        const string code = "Math.Max(";

        var matches = session.Complete(code, code.Length).Matches;

        Assert.Contains("sql", matches);
        Assert.Contains("Twice", matches);
        Assert.Equal(matches.Order(StringComparer.Ordinal), matches);
    }

    [Theory]
    [InlineData("var x = 1;", "complete", "")]
    [InlineData("x + 1", "complete", "")]
    [InlineData("if (true) {", "incomplete", "    ")]
    [InlineData("foreach (var day in days) {\n    if (day > 1) {", "incomplete", "        ")]
    [InlineData("var list = new List<int> {", "incomplete", "    ")]
    [InlineData("}}}", "invalid", "")]
    [InlineData("var x = 1; }", "invalid", "")]
    public void A_console_is_told_whether_the_code_is_complete_and_how_far_to_indent_the_next_line(string code, string status, string indent)
    {
        Assert.Equal((status, indent), NotebookSession.IsComplete(code));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
