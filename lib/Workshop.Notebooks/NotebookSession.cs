using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace StreamingWorkshop.Notebooks;

/// <summary>What a cell produced: its outputs in order, and whether it failed.</summary>
public sealed record CellResult(IReadOnlyList<JsonObject> Outputs, bool Failed, string? ErrorName = null, string? ErrorMessage = null, int? ErrorLine = null)
{
    /// <summary>
    /// "Name: message (line N)" for a failed cell, the line going after the message's first line, the one it belongs to
    /// (a compile error lists one problem a line, and may end with a line of advice); null for a cell that ran.
    /// </summary>
    public string? ErrorSummary
    {
        get
        {
            if (!Failed) return null;
            var message = ErrorMessage ?? "";
            // A compile error names each problem's line itself.
            if (ErrorLine is not { } line || message.Split('\n')[0].EndsWith($"(line {line} of the cell)", StringComparison.Ordinal)) return $"{ErrorName}: {message}";
            var end = message.IndexOf('\n');
            return end < 0 ? $"{ErrorName}: {message} (line {line})" : $"{ErrorName}: {message[..end]} (line {line}){message[end..]}";
        }
    }
}

/// <summary>
/// Runs C# cells as chained Roslyn script submissions that share state, as .NET Interactive did: a variable from
/// one cell is there in the next. Handles the directives the kit supports (#r for the packages it carries or a
/// local DLL, #i, #!csharp, #!markdown, #!html), display(...) and x.Display(), the value of a cell's last
/// expression, Console output, and errors with the cell-relative line number.
/// </summary>
public sealed partial class NotebookSession : IAsyncDisposable
{
    /// <summary>Packages a notebook may name with #r "nuget: ..."; the kit carries them, so nothing is downloaded.</summary>
    public static readonly IReadOnlyDictionary<string, Assembly> CarriedPackages = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase)
    {
        ["StreamingWorkshop"] = typeof(WorkshopSession).Assembly,
        ["Workshop"] = typeof(WorkshopSession).Assembly,
        ["Plotly.NET"] = typeof(Plotly.NET.GenericChart).Assembly,
        ["Plotly.NET.CSharp"] = typeof(Plotly.NET.CSharp.Chart).Assembly,
        ["Microsoft.Data.Analysis"] = typeof(Microsoft.Data.Analysis.DataFrame).Assembly,
        ["DuckDB.NET.Data"] = typeof(DuckDB.NET.Data.DuckDBConnection).Assembly,
        ["DuckDB.NET.Data.Full"] = typeof(DuckDB.NET.Data.DuckDBConnection).Assembly,
        ["Microsoft.DotNet.Interactive.Formatting"] = typeof(Microsoft.DotNet.Interactive.Formatting.Formatter).Assembly,
    };

    public static readonly string[] DefaultImports =
    [
        "System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Threading.Tasks", "System.Text",
        "StreamingWorkshop", "StreamingWorkshop.Notebooks", "StreamingWorkshop.Notebooks.NotebookFunctions", "Microsoft.Data.Analysis", "Plotly.NET.CSharp",
    ];

    private readonly string workingDirectory;
    private ScriptOptions options;
    private ScriptState<object>? state;
    private CompilingAhead? ahead;

    /// <summary>A cell compiling before its turn: what it was compiled from, so its turn can tell whether it still fits.</summary>
    private sealed record CompilingAhead(string Language, string Source, Script PreviousScript, ScriptOptions Options, Task<Script<object>?> Compiled);
    private int submissions;
    private bool plotlyEmitted;

    /// <summary>The C# the cells are compiled as (the compiler's latest), as a notebook's language_info gives it, such as "15.0".</summary>
    public static string CSharpVersion { get; } = LanguageVersion.Latest.MapSpecifiedToEffectiveVersion().ToDisplayString();

    public NotebookSession(string workingDirectory, TimeSpan? cellTimeLimit = null)
    {
        this.workingDirectory = Path.GetFullPath(workingDirectory);
        CellTimeLimit = cellTimeLimit ?? TimeSpan.FromMinutes(2);
        NotebookDisplay.EnsureFormattersRegistered();
        NotebookDisplay.WarmUpFormatterInBackground();
        options = SharedOptions.Value;
    }

    /// <summary>
    /// One set of script options, and so one set of metadata references, for every session in the process: the compiler
    /// keeps what it read of an assembly with its reference, so later notebooks do not read the kit's assemblies again.
    /// </summary>
    private static readonly Lazy<ScriptOptions> SharedOptions = new(() => ScriptOptions.Default
        .WithMetadataResolver(new CachingMetadataResolver(ScriptOptions.Default.MetadataResolver))
        .WithReferences(DefaultReferences())
        .WithImports(DefaultImports)
        .WithEmitDebugInformation(true)
        .WithFileEncoding(Encoding.UTF8)
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithAllowUnsafe(false));

    public TimeSpan CellTimeLimit { get; }

    /// <summary>How many cells ran from the submission compiled while the cell before them ran.</summary>
    internal int CellsRunCompiledAhead { get; private set; }

    /// <summary>
    /// Whether a person watches the outputs as they change (the kernel) or they are saved for later (a headless run,
    /// which sets this to false): cells see it as <see cref="StreamingWorkshop.Display.LiveDisplay.Watched"/>.
    /// </summary>
    public bool Watched { get; init; } = true;

    /// <summary>Called with each output as it is produced (display_data, stream, execute_result, error).</summary>
    public event Action<JsonObject>? OutputProduced;

    /// <summary>
    /// Called when a displayed value is replaced in place (<see cref="DisplayedValue.Update"/>), with an
    /// update_display_data message body: data, metadata and transient.display_id. It may come after the cell that
    /// showed the value has finished (a live run keeps its progress line up to date).
    /// </summary>
    public event Action<JsonObject>? OutputUpdated;

    private readonly object updateSync = new();

    /// <summary>
    /// Closes the workshop sessions the cells keep in variables, as ending a notebook does: their engines and open files,
    /// and the files made ahead for their writes. Nothing else a cell made is touched, since a variable may hold something
    /// shared with the rest of the process.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var variables = state?.Variables ?? [];
        state = null;
        foreach (var session in variables.Select(v => v.Value).OfType<WorkshopSession>().Distinct(ReferenceEqualityComparer.Instance).Cast<WorkshopSession>())
            await session.DisposeAsync();
    }

    /// <summary>
    /// Starts compiling <paramref name="next"/> as the submission after <paramref name="previousScript"/> on a pool thread.
    /// Only a plain C# cell is: no '#' line, so preparing it changes nothing and its code is compiled as it is written.
    /// </summary>
    private void CompileAhead(NotebookCell next, Script previousScript, ScriptOptions nextOptions)
    {
        ahead = null;
        if (next.Kind != CellKind.Code || !IsCSharp(next.Language)) return;
        if (next.Source.Split('\n').Any(line => line.TrimStart().StartsWith('#'))) return;
        var code = Interruption.Instrument(next.Source);
        ahead = new CompilingAhead(next.Language, next.Source, previousScript, nextOptions, Task.Run<Script<object>?>(() =>
        {
            try
            {
                var script = previousScript.ContinueWith<object>(code, nextOptions);
                script.CreateDelegate();
                return script;
            }
            catch (Exception)
            {
                // A cell that does not compile is compiled again in its turn, which reports its errors.
                return null;
            }
        }));
    }

    /// <summary>
    /// The cell's submission if it was compiled ahead on the same previous submission with the same options and source; a
    /// cell before it that failed, or an #r since, means it no longer fits, and it is compiled again.
    /// </summary>
    private Task<Script<object>?>? TakeCompiledAhead(NotebookCell cell, Script? previousScript, ScriptOptions cellOptions)
    {
        var taken = ahead;
        ahead = null;
        if (taken is null || previousScript is null || !ReferenceEquals(taken.PreviousScript, previousScript)) return null;
        if (taken.Language != cell.Language || taken.Source != cell.Source) return null;
        if (taken.Options.FilePath != cellOptions.FilePath || !taken.Options.MetadataReferences.SequenceEqual(cellOptions.MetadataReferences)) return null;
        return taken.Compiled;
    }

    private static IEnumerable<MetadataReference> DefaultReferences()
    {
        var assemblies = new HashSet<Assembly>
        {
            typeof(Microsoft.FSharp.Core.Unit).Assembly, typeof(NotebookSession).Assembly,
        };
        foreach (var package in CarriedPackages.Values) assemblies.Add(package);
        // The whole shared framework, as a project that targets it sees it: a type a cell names (Uri, GZipStream, MD5,
        // ConcurrentDictionary, BigInteger...) often lives in an assembly of its own, which the runtime's facades only
        // forward to, and a cell's compiler given only the common ones said the type "has been forwarded" and stopped.
        var framework = Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll").Order(StringComparer.Ordinal);
        return framework.Concat(assemblies.Select(a => a.Location)).Distinct(StringComparer.Ordinal).Select(path => MappedReferences.For(path)).ToList();
    }

    /// <summary>
    /// Runs a cell. <paramref name="next"/>, when given, is the code cell that will run after it (a headless run knows it):
    /// once this cell has compiled, the next one compiles on another thread while this one runs, and its turn then only
    /// runs it. A cell with any '#' line (a directive) is left to compile in its turn, since its directives act when it runs.
    /// </summary>
    /// <param name="afterward">
    /// Where output goes once the cell has returned: what a task it left running writes or shows later (a kernel sends it
    /// under the cell's request, as Jupyter frontends expect; a headless run adds it to the cell's outputs until it saves
    /// the notebook). Null drops it.
    /// </param>
    public async Task<CellResult> ExecuteAsync(NotebookCell cell, CancellationToken cancellationToken = default, NotebookCell? next = null, Action<JsonObject>? afterward = null)
    {
        var outputs = new List<JsonObject>();
        void Produce(JsonObject output)
        {
            // A stream output written in pieces (see CellStreams) is saved as one, as Jupyter shows it.
            if (output["output_type"]!.GetValue<string>() == "stream" && outputs.Count > 0 && outputs[^1] is var last
                && last["output_type"]!.GetValue<string>() == "stream" && last["name"]!.GetValue<string>() == output["name"]!.GetValue<string>())
                outputs[^1] = new JsonObject { ["output_type"] = "stream", ["name"] = last["name"]!.GetValue<string>(), ["text"] = last["text"]!.GetValue<string>() + output["text"]!.GetValue<string>() };
            else outputs.Add(output);
            OutputProduced?.Invoke(output);
        }
        var streams = new CellStreams(Produce);
        void Emit(JsonObject output) => streams.Emit(output);

        if (cell.Kind != CellKind.Code || cell.Language == "markdown") return new CellResult(outputs, false);
        StartCell(cell);
        var (kernel, code) = SplitKernelLine(cell.Language, cell.Source);
        if (kernel == "html")
        {
            Emit(DisplayData(new JsonObject { ["text/html"] = code, ["text/plain"] = "HTML" }));
            return new CellResult(outputs, false);
        }
        if (kernel == "markdown") return new CellResult(outputs, false);
        if (!IsCSharp(kernel))
            return Fail(Emit, outputs, "UnsupportedKernel", $"This cell is for the '{kernel}' kernel; the kit runs C# cells (and shows markdown and html).", null);

        var prepared = PrepareDirectives(code, out var directiveError);
        if (directiveError is not null) return Fail(Emit, outputs, "UnsupportedDirective", directiveError.Value.Message, directiveError.Value.Line);
        var trailingExpression = HasTrailingExpression(prepared);
        var asWritten = prepared;
        prepared = Interruption.Instrument(prepared);
        Interruption.Clear();

        var stdout = new OutputWriter("stdout", streams);
        var stderr = new OutputWriter("stderr", streams);
        var previousDirectory = Environment.CurrentDirectory;
        DisplayedValue Show(object? value)
        {
            var output = DisplayData(BundleWithPlotly(value));
            var shown = new DisplayedValue(Guid.NewGuid().ToString("N"), output, UpdateDisplay);
            output["transient"] = new JsonObject { ["display_id"] = shown.DisplayId };
            Emit(output);
            return shown;
        }
        NotebookContext.Current = new NotebookContext(Show);
        StreamingWorkshop.Display.LiveDisplay.Current = value => Show(value);
        StreamingWorkshop.Display.LiveDisplay.Watched = Watched;
        StreamingWorkshop.Display.LiveDisplay.CellStopping = Interruption.Token;
        ConsoleRouter.Capture(stdout, stderr);
        Environment.CurrentDirectory = workingDirectory;
        submissions++;
        var cellOptions = options.WithFilePath($"cell{submissions}");
        var ticker = new Timer(_ => streams.Flush(), null, StreamTick, StreamTick);
        try
        {
            // On a pool thread: a script runs on its caller's thread until its first await, so a cell such as
            // `while (true) { }` would otherwise hold this method and no time limit or interrupt could reach it.
            var previous = state;
            var compiledAhead = TakeCompiledAhead(cell, previous?.Script, cellOptions);
            var run = Task.Run(async () =>
            {
                var script = compiledAhead is null ? null : await compiledAhead;
                if (script is not null) CellsRunCompiledAhead++;
                else
                {
                    script = previous is null ? CSharpScript.Create<object>(prepared, cellOptions) : previous.Script.ContinueWith<object>(prepared, cellOptions);
                    // When the next cell is to compile while this one runs, this one compiles first (throwing its errors)
                    // without running; otherwise running it compiles it. Script.Compile would also gather the warnings
                    // afterwards, binding the cell a second time.
                    if (next is not null) script.CreateDelegate(cancellationToken);
                }
                if (next is not null) CompileAhead(next, script, options.WithFilePath($"cell{submissions + 1}"));
                return previous is null
                    ? await script.RunAsync(cancellationToken: cancellationToken)
                    : await script.RunFromAsync(previous, cancellationToken: cancellationToken);
            }, CancellationToken.None);
            var gaveUp = new TaskCompletionSource();
            using var stopOnCancel = cancellationToken.Register(() =>
            {
                Interruption.Request();
                _ = Task.Delay(InterruptGrace, CancellationToken.None).ContinueWith(_ => gaveUp.TrySetResult(), TaskScheduler.Default);
            });
            var finished = await Task.WhenAny(run, Task.Delay(CellTimeLimit, CancellationToken.None), gaveUp.Task);
            if (finished == gaveUp.Task)
            {
                // Code that never reaches a check (a LINQ query over a huge range, a library call) cannot be stopped in
                // .NET; the session stops waiting for it, so the notebook can go on.
                streams.Flush();
                return Fail(Emit, outputs, "Interrupted",
                    $"The cell did not stop within {InterruptGrace.TotalSeconds:0} s: it is inside code that does not look for interrupts (a LINQ query, a library call), which goes on in the background until it ends. Variables from earlier cells are still there; restart the kernel to stop it at once.", null);
            }
            if (finished != run)
            {
                // Stop the cell at its next loop check, so it does not keep running behind the next one.
                Interruption.Request();
                streams.Flush();
                return Fail(Emit, outputs, "CellTimeLimitExceeded", $"The cell did not finish within {CellTimeLimit.TotalSeconds:0} s. Make it quicker, or raise the limit with --cell-timeout.", null);
            }
            state = await run;
            streams.Flush();
            if (state.Exception is { } thrown) return Fail(Emit, outputs, thrown.GetType().Name, thrown.Message, RuntimeLine(thrown, submissions), thrown, submissions);
            if (trailingExpression && state.ReturnValue is { } value and not DisplayedValue)
                Emit(new JsonObject { ["output_type"] = "execute_result", ["data"] = BundleWithPlotly(value), ["metadata"] = new JsonObject(), ["execution_count"] = null });
            return new CellResult(outputs, false);
        }
        catch (CompilationErrorException error)
        {
            streams.Flush();
            // The problems are told from the cell as written: the interrupt checks moved the columns of the lines they
            // went into. (Only the checks' own code could fail there alone, and then their columns are all there is.)
            var (written, compilation) = ErrorsAsWritten(asWritten, cellOptions);
            var errors = written.Count > 0 ? written : error.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var first = errors[0];
            var line = first.Location.GetLineSpan().StartLinePosition.Line + 1;
            string Problem(Diagnostic d)
            {
                var at = d.Location.GetLineSpan().StartLinePosition;
                // A missing workshop gets the line about the notebook's first cell, not a near name such as the Workshop type.
                var message = IsWorkshopNotDefined(d) ? d.GetMessage() : MessageWithSuggestion(d, written.Count > 0 ? compilation : null);
                // Each problem names its own line of the cell, the first as any error does, so none is left to count.
                return $"({at.Line + 1},{at.Character + 1}): error {d.Id}: {message} (line {at.Line + 1} of the cell)";
            }
            var messages = errors.Select(Problem).ToList();
            if (errors.Any(IsWorkshopNotDefined)) messages.Add(WorkshopNotConnected);
            return Fail(Emit, outputs, "CompilationError", string.Join("\n", messages), line, lineSaid: true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            streams.Flush();
            return Fail(Emit, outputs, "Interrupted", "The cell was interrupted; variables from earlier cells are still there.", null);
        }
        catch (Exception error)
        {
            streams.Flush();
            var thrown = error is AggregateException { InnerException: { } inner } ? inner : error;
            return Fail(Emit, outputs, thrown.GetType().Name, thrown.Message, RuntimeLine(thrown, submissions), thrown, submissions);
        }
        finally
        {
            await ticker.DisposeAsync(); // waits out a tick under way, so nothing is sent after the cell's end
            // After a cell, so a notebook's first cell keeps the cores to itself.
            NotebookDisplay.WarmUpChartsInBackground();
            streams.Close(afterward);
            ConsoleRouter.Release();
            if (Directory.Exists(previousDirectory)) Environment.CurrentDirectory = previousDirectory;
            NotebookContext.Current = null;
            StreamingWorkshop.Display.LiveDisplay.Current = null;
            StreamingWorkshop.Display.LiveDisplay.Watched = true;
            StreamingWorkshop.Display.LiveDisplay.CellStopping = default;
        }
    }

    /// <summary>Replaces a displayed value's output in place (so a saved notebook keeps its last state) and tells the kernel.</summary>
    private void UpdateDisplay(DisplayedValue shown, object? value)
    {
        var data = BundleWithPlotly(value);
        lock (updateSync) shown.Output["data"] = data;
        OutputUpdated?.Invoke(new JsonObject
        {
            ["output_type"] = "update_display_data",
            ["data"] = data.DeepClone(),
            ["metadata"] = new JsonObject(),
            ["transient"] = new JsonObject { ["display_id"] = shown.DisplayId },
        });
    }

    private JsonObject BundleWithPlotly(object? value)
    {
        var bundle = NotebookDisplay.Bundle(value);
        // plotly.js goes into the first chart of a notebook only, so each saved notebook works offline once.
        if (NotebookDisplay.IsChart(value) && !plotlyEmitted && bundle["text/html"] is { } html)
        {
            bundle["text/html"] = NotebookDisplay.PlotlyScript() + html.GetValue<string>();
            plotlyEmitted = true;
            plotlyCarrier = runningCellId;
        }
        return bundle;
    }

    /// <summary>The id of the cell whose output holds plotly.js (as a frontend names its cells), and of the cell running now.</summary>
    private string? plotlyCarrier, runningCellId;

    /// <summary>
    /// A cell about to run again replaces its outputs: when they held plotly.js, the next chart carries it again, or a
    /// notebook saved afterwards would have no output with it and draw no chart offline.
    /// </summary>
    private void StartCell(NotebookCell cell)
    {
        runningCellId = cell.Id;
        if (cell.Id is not null && cell.Id == plotlyCarrier) plotlyEmitted = false;
    }

    private static JsonObject DisplayData(JsonObject data) =>
        new() { ["output_type"] = "display_data", ["data"] = data, ["metadata"] = new JsonObject() };

    /// <summary>
    /// What a learner who ran a cell from the middle of a notebook first reads under the compiler's error: every
    /// notebook makes <c>workshop</c> in its first code cell, so the name is missing only when that cell has not run.
    /// </summary>
    internal const string WorkshopNotConnected =
        "'workshop' is made by the notebook's first code cell (var workshop = await Workshop.ConnectAsync();), " +
        "which has not run in this session: run that cell first, or run the notebook from the top.";

    private static bool IsWorkshopNotDefined(Diagnostic error) =>
        error.Id == "CS0103" && error.Location.SourceTree?.GetText().ToString(error.Location.SourceSpan) == "workshop";

    /// <param name="lineSaid">The message names the cell's line(s) itself (a compile error, a line for each problem).</param>
    private static CellResult Fail(Action<JsonObject> emit, List<JsonObject> outputs, string name, string message, int? line, Exception? exception = null, int cell = 0, bool lineSaid = false)
    {
        // The line goes after the message's first line, the one it belongs to.
        var where = line is { } l && !lineSaid ? $" (line {l} of the cell)" : "";
        var lines = message.Split('\n');
        lines[0] += where;
        var traceback = new JsonArray($"{name}: {lines[0]}");
        foreach (var rest in lines.Skip(1)) traceback.Add(rest);
        if (exception is not null)
            foreach (var frame in CellFrames(exception, cell)) traceback.Add(frame);
        emit(new JsonObject { ["output_type"] = "error", ["ename"] = name, ["evalue"] = string.Join("\n", lines), ["traceback"] = traceback });
        return new CellResult(outputs, true, name, message, line);
    }

    /// <summary>
    /// The frames of a runtime error that are in the notebook's own code, innermost first, as "at Fib(int n), line 3
    /// of an earlier cell". The kit's and .NET's frames say nothing a learner can act on, and a call stack that is only
    /// the running cell's own code says no more than the line the error already names, so it gives none.
    /// </summary>
    private static IEnumerable<string> CellFrames(Exception exception, int cell)
    {
        var frames = (exception.StackTrace ?? "").Split('\n').Select(f => CellFrame().Match(f)).Where(m => m.Success).ToList();
        if (frames.All(f => f.Groups["cell"].Value == cell.ToString(CultureInfo.InvariantCulture) && f.Groups["method"].Value.StartsWith("<<Initialize>>d__", StringComparison.Ordinal)))
            yield break;
        string? previous = null;
        foreach (var frame in frames.Take(8))
        {
            var method = frame.Groups["method"].Value;
            var named = GeneratedMethod().Match(method);
            var what = method.Contains("<<Initialize>>b__", StringComparison.Ordinal) ? "a lambda in the cell's code"
                : method.Contains("<<Initialize>>", StringComparison.Ordinal) ? "the cell's code"
                : named.Success ? (named.Groups["kind"].Value == "b" ? $"a lambda in {named.Groups["name"].Value}" : named.Groups["name"].Value + "(...)")
                : StandaloneNames().Replace(method, m => CSharpKeywords.GetValueOrDefault(m.Value, m.Value));
            var whose = frame.Groups["cell"].Value == cell.ToString(CultureInfo.InvariantCulture) ? "this cell" : "an earlier cell";
            var line = $"   at {what}, line {frame.Groups["line"].Value} of {whose}";
            if (line != previous) yield return line;
            previous = line;
        }
    }

    /// <summary>The line of the running cell nearest the error: the innermost frame in that cell's code.</summary>
    private static int? RuntimeLine(Exception exception, int cell)
    {
        foreach (var frame in (exception.StackTrace ?? "").Split('\n').Select(f => CellFrame().Match(f)).Where(m => m.Success))
            if (frame.Groups["cell"].Value == cell.ToString(CultureInfo.InvariantCulture)) return int.Parse(frame.Groups["line"].Value, CultureInfo.InvariantCulture);
        return null;
    }

    // A stack trace names types as .NET does (Int32); the cell wrote them as C# does (int).
    private static readonly Dictionary<string, string> CSharpKeywords = new()
    {
        ["Int32"] = "int", ["Int64"] = "long", ["Int16"] = "short", ["Byte"] = "byte", ["Double"] = "double", ["Single"] = "float",
        ["Decimal"] = "decimal", ["Boolean"] = "bool", ["String"] = "string", ["Char"] = "char", ["Object"] = "object",
    };

    // A name standing alone, not part of a longer or dotted one (Int32, but not MyInt32 or System.Int32's "System").
    [GeneratedRegex(@"(?<![\w.])\w+(?![\w.])")]
    private static partial Regex StandaloneNames();

    // A frame of a notebook's code: "at Submission#3.Fib(Int32 n) in cell4:line 2", the cell named as compiled.
    [GeneratedRegex(@"^\s*at Submission#\d+\.(?:<>c(?:__DisplayClass[\d_]+)?\.)?(?<method>.+?) in cell(?<cell>\d+):line (?<line>\d+)")]
    private static partial Regex CellFrame();

    // The name in a compiler-made method: an async method's state machine <Name>d__2, a lambda's <Name>b__0_1.
    [GeneratedRegex(@"<(?<name>\w+)>(?<kind>[db])__[\d_]+")]
    private static partial Regex GeneratedMethod();

    /// <summary>A leading "#!csharp" or "#!html" line names the cell's kernel; the rest is the code.</summary>
    private static (string Kernel, string Code) SplitKernelLine(string language, string source)
    {
        var firstLineEnd = source.IndexOf('\n');
        var first = (firstLineEnd < 0 ? source : source[..firstLineEnd]).Trim();
        if (first.StartsWith("#!", StringComparison.Ordinal) && KernelNames.Contains(first[2..]))
            return (first[2..], firstLineEnd < 0 ? "" : "\n" + source[(firstLineEnd + 1)..]); // keep line numbers
        return (language, source);
    }

    /// <summary>Whether a kernel name is one of C#'s, the only language the kit runs.</summary>
    private static bool IsCSharp(string? kernel) => kernel is "csharp" or "c#" or "cs";

    private static readonly HashSet<string> KernelNames = ["csharp", "c#", "cs", "markdown", "md", "html", "fsharp", "f#", "pwsh", "powershell", "javascript", "js", "sql", "kql", "mermaid", "value"];

    /// <summary>
    /// Handles #r and #i lines and blanks them out so the compiler's line numbers still match the cell.
    /// Returns the code to compile, or an error for an unsupported directive or package.
    /// </summary>
    private string PrepareDirectives(string code, out (string Message, int Line)? error)
    {
        error = null;
        var lines = code.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("#r ", StringComparison.Ordinal) || line.StartsWith("#i ", StringComparison.Ordinal))
            {
                var argument = Quoted().Match(line);
                if (!argument.Success) { error = ($"Directive '{line}' needs a quoted argument, for example #r \"nuget: Plotly.NET.CSharp, 0.14.0\".", i + 1); return code; }
                var value = argument.Groups["value"].Value;
                if (line.StartsWith("#i", StringComparison.Ordinal))
                {
                    // Package sources: accepted, and nothing to do offline.
                }
                else if (value.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
                {
                    var package = value[6..].Split(',')[0].Trim();
                    if (!CarriedPackages.ContainsKey(package))
                    {
                        error = ($"Package '{package}' is not available: the kit runs offline and carries only {string.Join(", ", CarriedPackages.Keys.Distinct())}. Use one of those, or reference a local DLL with #r \"path/to/library.dll\".", i + 1);
                        return code;
                    }
                }
                else
                {
                    var path = Path.GetFullPath(Path.Combine(workingDirectory, value));
                    if (!File.Exists(path)) { error = ($"#r: no DLL at '{value}' (looked for {path}).", i + 1); return code; }
                    options = options.AddReferences(MetadataReference.CreateFromFile(path));
                }
                lines[i] = "";
            }
            else if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                error = ($"Directive '{line}' is not supported. The kit supports #r \"nuget: ...\" for the packages it carries, #r \"path.dll\", #i, #!csharp, #!markdown and #!html (see docs/notebook-engine.md).", i + 1);
                return code;
            }
        }
        return string.Join('\n', lines);
    }

    /// <summary>The compile errors of a cell's code as written, compiled after the cells before it (none if it compiles).</summary>
    private (List<Diagnostic> Errors, Compilation Compilation) ErrorsAsWritten(string code, ScriptOptions cellOptions)
    {
        var script = state is null ? CSharpScript.Create<object>(code, cellOptions) : state.Script.ContinueWith<object>(code, cellOptions);
        return (script.Compile().Where(d => d.Severity == DiagnosticSeverity.Error).ToList(), script.GetCompilation());
    }

    /// <summary>
    /// The compiler's message, and for a name it does not know (a typo such as workshop.Depoly(), Consle, or Query for
    /// QueryAsync) the nearest name that is there, in place of the compiler's guess about a missing using directive.
    /// </summary>
    private static string MessageWithSuggestion(Diagnostic diagnostic, Compilation? compilation)
    {
        var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        if (compilation is null || diagnostic.Id is not ("CS1061" or "CS0117" or "CS0103") || diagnostic.Location.SourceTree is not { } tree
            || !compilation.SyntaxTrees.Contains(tree)
            || tree.GetRoot().FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not SimpleNameSyntax name)
            return message;
        var model = compilation.GetSemanticModel(tree);
        var position = name.SpanStart;
        IEnumerable<ISymbol> candidates;
        if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name)
        {
            if (model.GetTypeInfo(access.Expression).Type is not { TypeKind: not TypeKind.Error } type) return message;
            var onType = model.GetSymbolInfo(access.Expression).Symbol is INamedTypeSymbol;
            candidates = model.LookupSymbols(position, type, includeReducedExtensionMethods: true).Where(m => m.IsStatic == onType);
        }
        else candidates = model.LookupSymbols(position);
        var typed = name.Identifier.ValueText;
        var nearest = candidates
            .Where(c => c.CanBeReferencedByName && c.Name != typed && model.IsAccessible(position, c))
            .Select(c => c.Name).Distinct()
            .Select(n => (Name: n, Distance: Math.Min(NameDistance.Between(typed, n), n.EndsWith("Async", StringComparison.Ordinal) ? NameDistance.Between(typed, n[..^5]) : int.MaxValue)))
            .Where(c => c.Distance <= Math.Max(1, typed.Length / 3))
            .OrderBy(c => c.Distance).ThenBy(c => NameDistance.Between(typed, c.Name, ignoreCase: false)).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name).FirstOrDefault();
        if (nearest is null) return message;
        const string guess = " (are you missing a using directive or an assembly reference?)";
        return (message.EndsWith(guess, StringComparison.Ordinal) ? message[..^guess.Length] : message) + $". Did you mean '{nearest}'?";
    }

    /// <summary>True when the cell ends with an expression and no semicolon: its value is the cell's result.</summary>
    internal static bool HasTrailingExpression(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script));
        var last = tree.GetCompilationUnitRoot().Members.LastOrDefault();
        return last is GlobalStatementSyntax { Statement: ExpressionStatementSyntax expression } && expression.SemicolonToken.IsMissing;
    }

    [GeneratedRegex("\"(?<value>[^\"]+)\"")]
    private static partial Regex Quoted();

    /// <summary>
    /// A cell's Console output, kept in the order it was written across stdout and stderr and with the cell's displays:
    /// text waits until the other stream or a display comes, or until the next tick (<see cref="StreamTick"/>), so
    /// a long cell's lines show while it runs and a line is not one message per character.
    /// </summary>
    private sealed class CellStreams(Action<JsonObject> produce)
    {
        private readonly Lock gate = new();
        private readonly StringBuilder pending = new();
        private string pendingName = "stdout";
        private bool closed;
        private Action<JsonObject>? afterward;
        private bool lateFlushDue;

        /// <summary>
        /// The cell has returned its outputs. What a task it left running writes or shows later goes to
        /// <paramref name="lateOutput"/>, a line at a time, never into outputs already saved nor under the next cell's
        /// request; with none, it is dropped.
        /// </summary>
        public void Close(Action<JsonObject>? lateOutput)
        {
            lock (gate)
            {
                EmitPending();
                closed = true;
                afterward = lateOutput;
            }
        }

        public void Write(string name, char value)
        {
            lock (gate)
            {
                PendingFor(name).Append(value);
                if (closed) SendLate(endsLine: value == '\n');
            }
        }

        public void Write(string name, string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            lock (gate)
            {
                PendingFor(name).Append(value);
                if (closed) SendLate(endsLine: value[^1] == '\n');
            }
        }

        /// <summary>
        /// Late text goes out at each line's end; a line left unended (a progress dot, a prompt) goes out a tick later,
        /// as a running cell's would. The caller holds the lock.
        /// </summary>
        private void SendLate(bool endsLine)
        {
            // With nowhere to go, late text is dropped at once.
            if (endsLine || afterward is null)
            {
                EmitPending();
                return;
            }
            if (lateFlushDue) return;
            lateFlushDue = true;
            _ = Task.Delay(StreamTick).ContinueWith(_ =>
            {
                lock (gate)
                {
                    lateFlushDue = false;
                    EmitPending();
                }
            }, TaskScheduler.Default);
        }

        /// <summary>The text waiting for <paramref name="stream"/>, the other stream's sent first so the order holds.</summary>
        private StringBuilder PendingFor(string stream)
        {
            if (stream != pendingName) EmitPending();
            pendingName = stream;
            return pending;
        }

        public void Flush()
        {
            lock (gate) EmitPending();
        }

        /// <summary>Emits a display or a result after the text written before it.</summary>
        public void Emit(JsonObject output)
        {
            lock (gate)
            {
                EmitPending();
                Send(output);
            }
        }

        private void EmitPending()
        {
            if (pending.Length == 0) return;
            var text = pending.ToString();
            pending.Clear();
            Send(new JsonObject { ["output_type"] = "stream", ["name"] = pendingName, ["text"] = text });
        }

        /// <summary>Into the cell's outputs while it runs; afterwards where <see cref="Close"/> said, or nowhere.</summary>
        private void Send(JsonObject output)
        {
            if (!closed) produce(output);
            else afterward?.Invoke(output);
        }
    }

    /// <summary>How long an interrupted cell has to reach a check before the session stops waiting for it.</summary>
    internal static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(3);

    /// <summary>How often a running cell's waiting Console text is sent.</summary>
    internal static readonly TimeSpan StreamTick = TimeSpan.FromMilliseconds(200);

    /// <summary>Console.Out or Console.Error of a running cell.</summary>
    private sealed class OutputWriter(string name, CellStreams streams) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => streams.Write(name, value);

        public override void Write(string? value) => streams.Write(name, value);

        public override void Flush() => streams.Flush();
    }
}

/// <summary>
/// Console output goes to the cell that wrote it: one writer is installed for the process and forwards to the
/// running cell's writer (an AsyncLocal, so it follows the cell's tasks), or to the real console otherwise.
/// </summary>
internal static class ConsoleRouter
{
    private static readonly AsyncLocal<(TextWriter Out, TextWriter Error)?> Current = new();
    private static readonly object Sync = new();
    private static bool installed;

    public static void Capture(TextWriter output, TextWriter error)
    {
        lock (Sync)
        {
            if (!installed)
            {
                var originalOut = Console.Out;
                var originalError = Console.Error;
                Console.SetOut(new Forwarder(() => Current.Value?.Out ?? originalOut));
                Console.SetError(new Forwarder(() => Current.Value?.Error ?? originalError));
                var originalIn = Console.In;
                Console.SetIn(new NoTypedInput(() => Current.Value is null ? originalIn : null));
                installed = true;
            }
        }
        Current.Value = (output, error);
    }

    public static void Release() => Current.Value = null;

    /// <summary>
    /// Console.In while a cell runs: a notebook has no keyboard to read from (and a headless run no one to type), so a
    /// read is an error that says what to do rather than an empty line. Outside cells it reads the process's input.
    /// </summary>
    private sealed class NoTypedInput(Func<TextReader?> outsideCells) : TextReader
    {
        private TextReader Reader => outsideCells() ?? throw new InvalidOperationException(
            "A cell cannot read typed input (Console.ReadLine, Console.Read): a notebook has no keyboard to read from. Write the value into the cell instead, for example: var city = \"Leeds\";");

        public override int Peek() => Reader.Peek();
        public override int Read() => Reader.Read();
        public override int Read(char[] buffer, int index, int count) => Reader.Read(buffer, index, count);
        public override string? ReadLine() => Reader.ReadLine();
        public override string ReadToEnd() => Reader.ReadToEnd();
    }

    private sealed class Forwarder(Func<TextWriter> target) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => target().Write(value);
        public override void Write(string? value) => target().Write(value);
        public override void WriteLine(string? value) => target().WriteLine(value);
        public override void Flush() => target().Flush();
    }
}

/// <summary>
/// A value shown below a cell, as .NET Interactive's display(...) returns it: <see cref="Update"/> replaces that
/// output in place, in the kernel (update_display_data) and in the notebook <c>workshop run</c> saves.
/// </summary>
public sealed class DisplayedValue : StreamingWorkshop.Display.IUpdatableDisplay
{
    private readonly Action<DisplayedValue, object?> update;

    internal DisplayedValue(string displayId, JsonObject output, Action<DisplayedValue, object?> update)
    {
        DisplayId = displayId;
        Output = output;
        this.update = update;
    }

    /// <summary>The Jupyter display_id of the output.</summary>
    public string DisplayId { get; }

    internal JsonObject Output { get; }

    public void Update(object? value) => update(this, value);

    public override string ToString() => $"Displayed value {DisplayId}";
}

/// <summary>The running cell's display channel, for display(...) and .Display().</summary>
public sealed class NotebookContext(Func<object?, DisplayedValue> display)
{
    private static readonly AsyncLocal<NotebookContext?> current = new();
    private static NotebookContext? fallback;

    public static NotebookContext? Current
    {
        get => current.Value ?? fallback;
        set
        {
            current.Value = value;
            fallback = value;
        }
    }

    public DisplayedValue Display(object? value) => display(value);
}

/// <summary>display(x) and x.Display(), as in .NET Interactive notebooks.</summary>
public static class NotebookDisplayExtensions
{
    public static DisplayedValue Display<T>(this T value)
    {
        if (NotebookContext.Current is not { } context)
            throw new InvalidOperationException("Display() works inside a notebook cell run by the kit.");
        return context.Display(value);
    }
}

/// <summary>Functions a notebook can call without a prefix (imported statically into every cell).</summary>
public static class NotebookFunctions
{
    /// <summary>Shows a value below the cell: HTML where it has one (tables, charts, the kit's views), text otherwise.</summary>
#pragma warning disable IDE1006 // lower-case as in .NET Interactive notebooks
    public static DisplayedValue display(object? value)
#pragma warning restore IDE1006
    {
        if (NotebookContext.Current is not { } context)
            throw new InvalidOperationException("display() works inside a notebook cell run by the kit.");
        return context.Display(value);
    }
}
