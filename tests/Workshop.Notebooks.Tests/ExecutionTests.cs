using System.Text.Json.Nodes;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>Cells run in order with shared state; each directive and display path gives the output a notebook expects.</summary>
public sealed class ExecutionTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("notebook-out-").FullName;

    private static IEnumerable<JsonObject> OfType(NotebookCell cell, string type) => cell.Outputs.Where(o => o["output_type"]!.GetValue<string>() == type);

    private static string? Mime(JsonObject output, string mime) => output["data"]?[mime]?.GetValue<string>();

    [Fact]
    public async Task Display_paths_give_display_data_stream_and_execute_result()
    {
        var (report, executed) = await Corpus.RunAsync("display.ipynb", output);
        var cells = executed.Cells;

        Assert.True(report.Succeeded, report.FailedError);
        var displays = OfType(cells[1], "display_data").ToList();
        Assert.Equal(2, displays.Count);
        // The array's values as a table of one column, not just some markup.
        var shownArray = System.Text.RegularExpressions.Regex.Replace(Mime(displays[0], "text/html")!, @"(<[^>]*>|\s)+", " ").Trim();
        Assert.Equal("3 values Value 1 2 3", shownArray);
        Assert.Equal("42", Mime(displays[1], "text/plain"));
        Assert.Null(Mime(displays[1], "text/html")); // a number is text, without the formatter's page-wide <style>
        Assert.Equal("written to the console\n", OfType(cells[1], "stream").Single()["text"]!.GetValue<string>());

        var frame = OfType(cells[2], "execute_result").Single();
        Assert.Contains("30 rows x 1 column (first 20 shown)", Mime(frame, "text/html"));
        // The frame's cell is the second code cell (the markdown before them takes no count), so both it and its result say 2.
        Assert.Equal(2, frame["execution_count"]!.GetValue<int>());
        Assert.Equal(2, cells[2].ExecutionCount);
        Assert.Equal(1, cells[1].ExecutionCount);

        Assert.Contains("LATEST", Mime(OfType(cells[3], "execute_result").Single(), "text/html"));
        var chart = Mime(OfType(cells[4], "execute_result").Single(), "text/html")!;
        Assert.Contains("Plotly.newPlot", chart);
        Assert.Contains("streaming-workshop: plotly.js", chart); // the first chart carries plotly.js
        // Where only text is shown, the chart says where it is drawn, which holds in a kernel as much as after a run.
        Assert.Equal("Plotly chart (interactive: shown in Jupyter, VS Code or the page 'workshop run' writes)", Mime(OfType(cells[4], "execute_result").Single(), "text/plain"));
        var text = OfType(cells[5], "execute_result").Single();
        Assert.Equal("a plain string", Mime(text, "text/plain"));
        Assert.Null(Mime(text, "text/html"));
        Assert.Empty(cells[6].Outputs);
    }

    [Fact]
    public async Task Directives_reference_carried_packages_and_local_dlls_share_state_and_show_html()
    {
        var (report, executed) = await Corpus.RunAsync("directives.dib", output, continueOnError: true);
        var cells = executed.Cells;

        Assert.Empty(cells[0].Outputs); // markdown
        Assert.Empty(cells[1].Outputs); // #r nuget (carried), #i, a variable
        Assert.Equal("<p id=\"raw-html\">Shown as HTML, not run.</p>", Mime(OfType(cells[2], "display_data").Single(), "text/html"));
        Assert.Equal("hello from the first cell\n", OfType(cells[3], "stream").Single()["text"]!.GetValue<string>());
        Assert.Equal("25", Mime(OfType(cells[3], "execute_result").Single(), "text/plain"));
        var foreign = OfType(cells[4], "error").Single();
        Assert.Equal("UnsupportedKernel", foreign["ename"]!.GetValue<string>());
        Assert.Equal(1, report.Errors);
    }

    [Fact]
    public async Task A_compile_error_names_the_cell_line_and_stops_the_notebook()
    {
        var (report, executed) = await Corpus.RunAsync("compile-error.ipynb", output);

        var error = OfType(executed.Cells[1], "error").Single();
        Assert.Equal("CompilationError", error["ename"]!.GetValue<string>());
        Assert.Contains("(2,9): error CS0103", error["evalue"]!.GetValue<string>());
        Assert.Contains("line 2 of the cell", error["evalue"]!.GetValue<string>());
        Assert.Empty(executed.Cells[2].Outputs);
        Assert.Null(executed.Cells[2].ExecutionCount);
        Assert.Equal(2, report.FailedCell);
    }

    [Fact]
    public async Task A_runtime_exception_names_the_cell_relative_line()
    {
        var (report, executed) = await Corpus.RunAsync("runtime-error.dib", output);

        var error = OfType(executed.Cells[1], "error").Single();
        Assert.Equal("InvalidOperationException", error["ename"]!.GetValue<string>());
        Assert.Contains("line 3 of the cell", error["evalue"]!.GetValue<string>());
        Assert.Equal("count is 0\n", OfType(executed.Cells[1], "stream").Single()["text"]!.GetValue<string>());
        Assert.Equal(2, report.FailedCell);
    }

    [Fact]
    public async Task A_runtime_error_names_the_running_cells_line_and_only_the_frames_in_the_notebooks_code()
    {
        var session = new NotebookSession(output);
        Assert.False((await session.ExecuteAsync(NotebookCell.Code("int Fib(int n) =>\n    n < 0 ? throw new InvalidOperationException(\"negative\") : n < 2 ? n : Fib(n - 1) + Fib(n - 2);"))).Failed);
        var result = await session.ExecuteAsync(NotebookCell.Code("var a = 1;\nvar rows = new[] { 3, -1 }.Select(Fib).ToList();"));

        var error = result.Outputs.Single(o => o["output_type"]!.GetValue<string>() == "error");
        Assert.Equal("negative (line 2 of the cell)", error["evalue"]!.GetValue<string>());
        Assert.Equal(
            [
                "InvalidOperationException: negative (line 2 of the cell)",
                "   at Fib(int n), line 2 of an earlier cell",
                "   at the cell's code, line 2 of this cell",
            ],
            error["traceback"]!.AsArray().Select(l => l!.GetValue<string>()));
    }

    [Fact]
    public async Task An_error_of_the_kits_own_names_the_cells_line_and_no_frame_of_the_kit()
    {
        var session = new NotebookSession(output);
        var result = await session.ExecuteAsync(NotebookCell.Code("var day = \"Monday\";\nvar parsed = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);"));

        var error = result.Outputs.Single(o => o["output_type"]!.GetValue<string>() == "error");
        var traceback = error["traceback"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        Assert.Equal($"FormatException: {error["evalue"]!.GetValue<string>()}", Assert.Single(traceback));
        Assert.EndsWith("(line 2 of the cell)", traceback[0]);
    }

    [Fact]
    public async Task A_compile_error_with_several_problems_names_each_ones_line_after_it()
    {
        var session = new NotebookSession(output);
        var result = await session.ExecuteAsync(NotebookCell.Code("int y = 1;\nstring s = y;\nUndefinedThing();"));

        var error = result.Outputs.Single(o => o["output_type"]!.GetValue<string>() == "error");
        Assert.Equal(
            [
                "CompilationError: (2,12): error CS0029: Cannot implicitly convert type 'int' to 'string' (line 2 of the cell)",
                "(3,1): error CS0103: The name 'UndefinedThing' does not exist in the current context (line 3 of the cell)",
            ],
            error["traceback"]!.AsArray().Select(l => l!.GetValue<string>()));
    }

    [Theory]
    [InlineData("var readings = new List<double>();\nreadings.Add(1.5);\nreadings.Cuont", "(3,10): error CS1061: 'List<double>' does not contain a definition for 'Cuont' and no accessible extension method 'Cuont' accepting a first argument of type 'List<double>' could be found. Did you mean 'Count'?")]
    [InlineData("Consle.WriteLine(1);", "(1,1): error CS0103: The name 'Consle' does not exist in the current context. Did you mean 'Console'?")]
    [InlineData("var total = 3;\nConsole.WriteLine(totl);", "(2,19): error CS0103: The name 'totl' does not exist in the current context. Did you mean 'total'?")]
    [InlineData("var workshop = 1;\nworkshp + 1", "(2,1): error CS0103: The name 'workshp' does not exist in the current context. Did you mean 'workshop'?")]
    [InlineData("Math.Mx(1, 2)", "(1,6): error CS0117: 'Math' does not contain a definition for 'Mx'. Did you mean 'Max'?")]
    public async Task A_misspelt_name_is_answered_with_the_nearest_name_there_is(string code, string message)
    {
        var session = new NotebookSession(output);

        var result = await session.ExecuteAsync(NotebookCell.Code(code));

        var error = result.Outputs.Single(o => o["output_type"]!.GetValue<string>() == "error");
        Assert.Equal($"CompilationError: {message} (line {code.Count(c => c == '\n') + 1} of the cell)", error["traceback"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cell_run_before_the_notebooks_first_says_which_cell_makes_workshop()
    {
        // A learner opens Task 3 and runs its crawler cell first.
        var session = new NotebookSession(output);
        var result = await session.ExecuteAsync(NotebookCell.Code("// StartCrawler\nawait workshop.CrawlAsync()"));

        var error = result.Outputs.Single(o => o["output_type"]!.GetValue<string>() == "error");
        Assert.Equal(
            [
                "CompilationError: (2,7): error CS0103: The name 'workshop' does not exist in the current context (line 2 of the cell)",
                "'workshop' is made by the notebook's first code cell (var workshop = await Workshop.ConnectAsync();), " +
                "which has not run in this session: run that cell first, or run the notebook from the top.",
            ],
            error["traceback"]!.AsArray().Select(l => l!.GetValue<string>()));
    }

    [Fact]
    public async Task Another_missing_name_gets_no_word_about_the_first_cell()
    {
        var session = new NotebookSession(output);
        var result = await session.ExecuteAsync(NotebookCell.Code("Console.WriteLine(temperatureOfLondon);"));

        var error = result.Outputs.Single(o => o["output_type"]!.GetValue<string>() == "error");
        Assert.Equal(
            ["CompilationError: (1,19): error CS0103: The name 'temperatureOfLondon' does not exist in the current context (line 1 of the cell)"],
            error["traceback"]!.AsArray().Select(l => l!.GetValue<string>()));
    }

    [Fact]
    public async Task A_compile_error_inside_a_loop_or_a_method_names_the_column_of_the_code_as_written()
    {
        var session = new NotebookSession(output);
        // Each error's column, counted in the text below: 'missing' starts at the 29th, 'absent' at the 27th, 'nowhere' at the 20th.
        var result = await session.ExecuteAsync(NotebookCell.Code(string.Join('\n',
            "for (var i = 0; i < 2; i++) missing();",
            "int Twice(int n) { return absent * n; }",
            "int Once(int n) => nowhere;")));

        var error = result.Outputs.Single(o => o["output_type"]!.GetValue<string>() == "error");
        Assert.Equal(
            [
                "CompilationError: (1,29): error CS0103: The name 'missing' does not exist in the current context (line 1 of the cell)",
                "(2,27): error CS0103: The name 'absent' does not exist in the current context (line 2 of the cell)",
                "(3,20): error CS0103: The name 'nowhere' does not exist in the current context (line 3 of the cell)",
            ],
            error["traceback"]!.AsArray().Select(l => l!.GetValue<string>()));
    }

    [Fact]
    public async Task Console_lines_are_sent_while_the_cell_runs_and_saved_as_one_output()
    {
        var session = new NotebookSession(output);
        var sent = new List<(TimeSpan At, string Text)>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        session.OutputProduced += o => { lock (sent) sent.Add((watch.Elapsed, o["text"]?.GetValue<string>() ?? "")); };

        var result = await session.ExecuteAsync(NotebookCell.Code("for (var i = 0; i < 3; i++) { Console.WriteLine($\"line {i}\"); System.Threading.Thread.Sleep(700); }"));
        var ended = watch.Elapsed;

        Assert.False(result.Failed, result.ErrorMessage);
        var first = sent.First(s => s.Text.Contains("line 0"));
        Assert.True(first.At < ended - TimeSpan.FromSeconds(1), $"'line 0' was sent at {first.At.TotalMilliseconds:0} ms, the cell ended at {ended.TotalMilliseconds:0} ms");
        Assert.True(sent.Count >= 2, $"{sent.Count} message(s)");
        var saved = Assert.Single(result.Outputs);
        Assert.Equal("line 0\nline 1\nline 2\n", saved["text"]!.GetValue<string>().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Output_a_task_writes_after_its_cell_ended_goes_to_no_other_cell()
    {
        var session = new NotebookSession(output);
        var first = await session.ExecuteAsync(NotebookCell.Code(
            "_ = Task.Run(async () => { await Task.Delay(300); Console.WriteLine(\"late\"); Console.Error.WriteLine(\"late error\"); Console.WriteLine(\"later\"); });\nConsole.WriteLine(\"on time\");"));
        var second = await session.ExecuteAsync(NotebookCell.Code("await Task.Delay(800);\nConsole.WriteLine(\"second\");"));

        Assert.Equal("on time\n", Assert.Single(first.Outputs)["text"]!.GetValue<string>().ReplaceLineEndings("\n"));
        Assert.Equal("second\n", Assert.Single(second.Outputs)["text"]!.GetValue<string>().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Stdout_stderr_and_displays_keep_the_order_they_were_written_in()
    {
        var session = new NotebookSession(output);
        var result = await session.ExecuteAsync(NotebookCell.Code(
            "Console.WriteLine(\"A\");\ndisplay(\"B\");\nConsole.Error.WriteLine(\"E\");\nConsole.WriteLine(\"D\");\nConsole.Error.WriteLine(\"F\");"));

        Assert.False(result.Failed, result.ErrorMessage);
        Assert.Equal(["stream stdout A", "display_data B", "stream stderr E", "stream stdout D", "stream stderr F"],
            result.Outputs.Select(o => o["output_type"]!.GetValue<string>() switch
            {
                "stream" => $"stream {o["name"]} {o["text"]!.GetValue<string>().Trim()}",
                var type => $"{type} {o["data"]!["text/plain"]}",
            }));
    }

    [Theory]
    [InlineData("System.Threading.Thread.Sleep(20_000);")]
    [InlineData("await Task.Delay(TimeSpan.FromSeconds(20));")]
    [InlineData("long Fib(int n) { return n < 2 ? n : Fib(n - 1) + Fib(n - 2); }\nFib(60)")]
    [InlineData("long Fib(int n) =>\n    n < 2 ? n : Fib(n - 1) + Fib(n - 2);\nFib(60)")]
    [InlineData("class Slow { public static long Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2); }\nSlow.Fib(60)")]
    public async Task An_interrupt_stops_a_sleep_a_delay_and_a_recursion(string code)
    {
        var session = new NotebookSession(output);
        Assert.False((await session.ExecuteAsync(NotebookCell.Code("var kept = 41;"))).Failed);
        // The interrupt comes once the cell has started, not while it compiles (which an interrupt also ends).
        using var interrupt = new CancellationTokenSource();
        var watch = new System.Diagnostics.Stopwatch();
        session.OutputProduced += o =>
        {
            if (o["text"]?.GetValue<string>() is not { } text || !text.Contains("started", StringComparison.Ordinal)) return;
            watch.Start();
            interrupt.CancelAfter(300);
        };

        var result = await session.ExecuteAsync(NotebookCell.Code("Console.WriteLine(\"started\");\n" + code), interrupt.Token);

        Assert.True(watch.IsRunning, "The cell never started.");
        Assert.Equal("Interrupted", result.ErrorName);
        Assert.Equal("The cell was interrupted; variables from earlier cells are still there.", result.ErrorMessage);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"stopped {watch.Elapsed.TotalSeconds:0.0} s after the cell started");
        Assert.Equal("42", (await session.ExecuteAsync(NotebookCell.Code("kept + 1"))).Outputs.Single()["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public async Task Methods_with_expression_bodies_of_every_kind_still_run_as_written_once_checked()
    {
        var session = new NotebookSession(output);
        var result = await session.ExecuteAsync(NotebookCell.Code(string.Join('\n',
            "void Say(string text) => Console.WriteLine(text);",
            "async Task Later() => await Task.Yield();",
            "int Refuse() => throw new InvalidOperationException(\"refused\");",
            "async Task<int> Two() => await Task.FromResult(2);",
            "static int Three() =>",
            "    3;",
            "Say(\"said\");",
            "await Later();",
            "try { Refuse(); } catch (InvalidOperationException error) { Say(error.Message); }",
            "Three() + await Two()")));

        Assert.False(result.Failed, result.ErrorMessage);
        Assert.Equal(["stream said\nrefused\n", "execute_result 5"], Described(result.Outputs));
    }

    [Fact]
    public async Task What_a_cells_task_writes_after_the_cell_ends_goes_afterward_by_the_line_and_never_into_the_next_cell()
    {
        var session = new NotebookSession(output);
        var late = new List<JsonObject>();
        var first = await session.ExecuteAsync(NotebookCell.Code(string.Join('\n',
            "var done = new TaskCompletionSource();",
            "_ = Task.Run(async () =>",
            "{",
            "    await Task.Delay(300);",
            "    Console.Write(\"later, \");",
            "    Console.WriteLine(\"in pieces\");",
            "    display(\"shown later\");",
            "    Console.Write(\"no end of line yet\");",
            "    done.SetResult();",
            "});",
            "Console.WriteLine(\"at once\");")), afterward: o => { lock (late) late.Add(o); });
        var second = await session.ExecuteAsync(NotebookCell.Code("await done.Task;\nawait Task.Delay(100);\nConsole.WriteLine(\"second cell\");"));

        Assert.Equal(["stream at once\n"], Described(first.Outputs));
        Assert.Equal(["stream second cell\n"], Described(second.Outputs));
        // A line left unended goes out a tick after it was written.
        var until = DateTime.UtcNow.AddSeconds(5);
        List<JsonObject> Received() { lock (late) return [.. late]; }
        while (DateTime.UtcNow < until && !Described(Received()).Any(o => o.EndsWith("no end of line yet", StringComparison.Ordinal))) await Task.Delay(50);
        // Text the machine was slow to finish may go out in two pieces; a frontend shows them as one, as compared here.
        Assert.Equal(["stream later, in pieces\n", "display_data shown later", "stream no end of line yet"], JoinedStreams(Described(Received())));

        static List<string> JoinedStreams(List<string> described) => described.Aggregate(new List<string>(), (joined, next) =>
        {
            if (joined.Count > 0 && joined[^1].StartsWith("stream ", StringComparison.Ordinal) && next.StartsWith("stream ", StringComparison.Ordinal))
                joined[^1] += next["stream ".Length..];
            else joined.Add(next);
            return joined;
        });
    }

    /// <summary>Each output as its type and what it shows: a stream's text, or a display's plain text.</summary>
    private static List<string> Described(IEnumerable<JsonObject> outputs) => outputs.Select(o => o["output_type"]!.GetValue<string>() switch
    {
        "stream" => $"stream {o["text"]!.GetValue<string>()}",
        var type => $"{type} {o["data"]!["text/plain"]}",
    }).ToList();

    [Fact]
    public async Task A_cell_that_cannot_be_stopped_is_given_up_on_and_says_so()
    {
        var session = new NotebookSession(output);
        using var interrupt = new CancellationTokenSource();
        session.OutputProduced += o =>
        {
            if (o["text"]?.GetValue<string>() is { } text && text.Contains("started", StringComparison.Ordinal)) interrupt.CancelAfter(300);
        };

        // A wait in a library call, which no check reaches (it ends by itself after 6 s, using no core meanwhile).
        var result = await session.ExecuteAsync(NotebookCell.Code("Console.WriteLine(\"started\");\nnew System.Threading.ManualResetEventSlim().Wait(6_000);"), interrupt.Token);

        Assert.Equal("Interrupted", result.ErrorName);
        Assert.StartsWith("The cell did not stop within 3 s: it is inside code that does not look for interrupts", result.ErrorMessage);
        Assert.Equal("2", (await session.ExecuteAsync(NotebookCell.Code("1 + 1"))).Outputs.Single()["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reading_typed_input_is_an_error_that_says_to_write_the_value_into_the_cell()
    {
        var session = new NotebookSession(output);
        var result = await session.ExecuteAsync(NotebookCell.Code("var answer = 1;\nvar line = Console.ReadLine();"));

        Assert.Equal("InvalidOperationException", result.ErrorName);
        Assert.Equal("A cell cannot read typed input (Console.ReadLine, Console.Read): a notebook has no keyboard to read from. Write the value into the cell instead, for example: var city = \"Leeds\";", result.ErrorMessage);
        Assert.Equal(2, result.ErrorLine);
    }

    [Fact]
    public async Task Unsupported_packages_and_directives_are_errors_on_their_cell_and_continue_on_error_goes_on()
    {
        var (report, executed) = await Corpus.RunAsync("unsupported.ipynb", output, continueOnError: true);

        Assert.Contains("Package 'Newtonsoft.Json' is not available", OfType(executed.Cells[0], "error").Single()["evalue"]!.GetValue<string>());
        Assert.Contains("Directive '#!time' is not supported", OfType(executed.Cells[1], "error").Single()["evalue"]!.GetValue<string>());
        Assert.Equal("still runs with --continue-on-error", Mime(OfType(executed.Cells[2], "execute_result").Single(), "text/plain"));
        Assert.Equal(2, report.Errors);
    }

    [Fact]
    public async Task A_cell_that_runs_past_the_time_limit_is_an_error_naming_the_limit()
    {
        var session = new NotebookSession(output, TimeSpan.FromMilliseconds(300));
        var result = await session.ExecuteAsync(NotebookCell.Code("await Task.Delay(5000);"));

        Assert.True(result.Failed);
        Assert.Equal("CellTimeLimitExceeded", result.ErrorName);
    }

    [Fact]
    public async Task A_cell_can_use_regular_expressions_without_a_reference_of_its_own()
    {
        var session = new NotebookSession(output);
        var result = await session.ExecuteAsync(NotebookCell.Code("System.Text.RegularExpressions.Regex.Match(\"day=14\", @\"day=(\\d+)\").Groups[1].Value"));

        Assert.False(result.Failed, result.ErrorMessage);
        Assert.Equal("14", result.Outputs.Single()["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cells_run_in_the_notebooks_folder()
    {
        var session = new NotebookSession(Corpus.Folder);
        var result = await session.ExecuteAsync(NotebookCell.Code("File.Exists(\"display.ipynb\")"));

        Assert.Equal("True", result.Outputs.Single()["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public void The_run_command_fails_naming_the_notebook_cell_and_error()
    {
        var exit = Cli.Run(out var text, "run", Corpus.PathOf("compile-error.ipynb"), "--out", output);

        Assert.Equal(1, exit);
        Assert.Contains("compile-error.ipynb, cell 2: CompilationError", text);
        Assert.True(File.Exists(Path.Combine(output, "Corpus", "compile-error.html"))); // the run keeps the notebook's folder
        Assert.True(File.Exists(Path.Combine(output, "index.html")));
    }

    [Fact]
    public void The_run_command_names_the_line_of_a_compile_error_beside_it_and_the_advice_under_it()
    {
        var notebook = Path.Combine(output, "crawler-first.dib");
        File.WriteAllText(notebook, "#!csharp\n\n// StartCrawler\nawait workshop.CrawlAsync()\n");

        var exit = Cli.Run(out var text, "run", notebook, "--out", Path.Combine(output, "out"));

        Assert.Equal(1, exit);
        Assert.Contains("  cell 1: CompilationError: (2,7): error CS0103: The name 'workshop' does not exist in the current context (line 2 of the cell)\n" +
            "'workshop' is made by the notebook's first code cell (var workshop = await Workshop.ConnectAsync();), " +
            "which has not run in this session: run that cell first, or run the notebook from the top.\n", text);
    }

    [Fact]
    public async Task A_call_left_without_await_says_what_to_write_not_the_tasks_own_properties()
    {
        var session = new NotebookSession(output);

        var valued = await session.ExecuteAsync(NotebookCell.Code("async Task<string> Fetch() { await Task.Yield(); return \"rows\"; }\nFetch()"));
        var plain = await session.ExecuteAsync(NotebookCell.Code("Task.Delay(1)"));

        JsonObject Result(CellResult cell) => cell.Outputs.Single(o => o["output_type"]!.GetValue<string>() == "execute_result");
        var shown = Result(valued);
        Assert.Equal("A Task<String>, not its result: the call was not awaited. Write await before it, as in await workshop.QueryAsync(...), to see what it gives.",
            Mime(shown, "text/plain"));
        Assert.Contains("<p>A Task&lt;String&gt;, not its result: the call was not awaited.", Mime(shown, "text/html"));
        Assert.DoesNotContain("IsCanceled", Mime(shown, "text/html"));
        Assert.StartsWith("A Task, not its result", Mime(Result(plain), "text/plain"));
    }

    public void Dispose() => Directory.Delete(output, recursive: true);
}
