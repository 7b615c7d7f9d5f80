using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Workflows;

internal static class WorkflowShown
{
    /// <summary>The text views are this wide at most, so they read in an 80-column terminal.</summary>
    public const int TextWidth = 80;

    public static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";

    public static string Minute(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";

    /// <summary>How long an execution took, as the console says it: 42.5 s, 3 min 05 s, 1 h 02 min.</summary>
    public static string Duration(DateTimeOffset start, DateTimeOffset? stop)
    {
        if (stop is not { } end) return "";
        var span = end - start;
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        return span.TotalSeconds < 60 ? span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds:00} s"
            : $"{(int)span.TotalHours} h {span.Minutes:00} min";
    }

    /// <summary>A JSON text cut to <paramref name="length"/> characters, for a table cell; the whole text is in the HTML view.</summary>
    public static string Short(string? text, int length)
    {
        if (text is null) return "";
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= length ? line : line[..(length - 1)] + "…";
    }

    /// <summary>The JSON indented for reading, characters such as ° and &lt; left as they are; text that is not JSON as it came.</summary>
    public static string Pretty(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return json ?? "";
        try
        {
            return JsonNode.Parse(json)?.ToJsonString(Indented) ?? "null";
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The reason inside a service integration's cause. Step Functions puts the service's whole answer there (a failed
    /// Athena query's QueryExecution, a failed Glue job run, a Lambda function's error), and the reason a person reads
    /// first is one member of it: Athena's StateChangeReason, the job run's ErrorMessage, the function's errorMessage.
    /// Null when the cause is plain text or holds no such member.
    /// </summary>
    public static string? ReasonInCause(string? cause)
    {
        if (string.IsNullOrWhiteSpace(cause) || cause.TrimStart()[0] != '{') return null;
        try
        {
            var answer = JsonNode.Parse(cause);
            static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
            return Text(answer?["QueryExecution"]?["Status"]?["StateChangeReason"])
                   ?? Text(answer?["ErrorMessage"])
                   ?? Text(answer?["errorMessage"]);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The last part of a state machine's or an execution's ARN: its name.</summary>
    public static string NameInArn(string arn) => arn[(arn.LastIndexOf(':') + 1)..];

    /// <summary>The state machine an execution ARN names (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME).</summary>
    public static string MachineOfExecution(string executionArn)
    {
        var parts = executionArn.Split(':');
        return parts.Length >= 8 ? parts[6] : "";
    }

    public static string Text(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows) => TextTable.RenderToFit(headers, rows.ToList(), TextWidth);
}

/// <summary>One state machine in <see cref="StateMachineListView"/>, with its newest execution when it has run.</summary>
public sealed record StateMachineListItem(StateMachineSummary Machine, ExecutionDescription? Latest);

/// <summary>The state machines (ListStateMachines), each with its latest execution's status and start (ListExecutions).</summary>
public sealed class StateMachineListView(IReadOnlyList<StateMachineListItem> machines) : IReadOnlyList<StateMachineListItem>, IHtmlDisplay
{
    public StateMachineListItem this[int index] => machines[index];
    public int Count => machines.Count;
    public IEnumerator<StateMachineListItem> GetEnumerator() => machines.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private const string Empty = "No state machines yet: deploy the stack (workshop deploy), which defines the daily pipeline.";
    private string Caption => $"Step Functions state machines ({machines.Count})";

    private static string Status(StateMachineListItem item) => item.Latest?.Status ?? "never run";

    // Six columns of ids and times kept whole are wider than an output area under 1,000 px once the machine has run: the
    // latest execution's generated name (a 36-character id) may wrap at its hyphens.
    public string ToHtml() => machines.Count == 0 ? $"<p>{Empty}</p>" : HtmlTable.Render(
        ["State machine", "Type", "Created (UTC)", "Latest execution", "Status", "Started (UTC)"],
        machines.Select(m => (IReadOnlyList<string>)[m.Machine.Name, m.Machine.Type, WorkflowShown.Time(m.Machine.CreationDate), m.Latest?.Name ?? "",
            Status(m), WorkflowShown.Time(m.Latest?.StartDate)]), Caption, columnStyles: [null, null, null, "white-space:normal", null, null]);

    // The creation date is left to the HTML view, so a 36-character name and the latest run fit 80 columns.
    public override string ToString() => machines.Count == 0 ? Empty : Caption + "\n" + WorkflowShown.Text(
        ["State machine", "Type", "Latest", "Started (UTC)"],
        machines.Select(m => (IReadOnlyList<string>)[m.Machine.Name, m.Machine.Type, Status(m), WorkflowShown.Minute(m.Latest?.StartDate)]));
}

/// <summary>A state machine's Amazon States Language definition (DescribeStateMachine), indented; ToString is the JSON itself.</summary>
public sealed class DefinitionView(string name, string definition) : IHtmlDisplay
{
    public string Name { get; } = name;

    /// <summary>The definition, indented.</summary>
    public string Json { get; } = WorkflowShown.Pretty(definition);

    /// <summary>The definition as JSON, to look into (Root["States"]).</summary>
    public JsonNode? Root => JsonNode.Parse(Json);

    public string ToHtml() =>
        $"<div style=\"{HtmlTable.Style}\"><div><b>Definition of {HtmlTable.Encode(Name)}</b> (Amazon States Language)</div>" +
        $"<pre style=\"margin:4px 0;white-space:pre-wrap\">{HtmlTable.Encode(Json)}</pre></div>";

    public override string ToString() => Json;
}

/// <summary>
/// One execution as DescribeExecution gives it: status, times, input and output, and the error and cause of one that
/// did not succeed, with the state machine drawn coloured by what this execution did when a drawing is given.
/// </summary>
public sealed class ExecutionView(ExecutionDescription execution, StateMachineDrawing? drawing = null) : IHtmlDisplay
{
    public ExecutionDescription Execution { get; } = execution;

    /// <summary>The state machine, each state coloured by this execution's outcome in it; null when none was drawn.</summary>
    public StateMachineDrawing? Drawing { get; } = drawing;

    public string Status => Execution.Status;

    private string Title => $"Execution {Execution.Name}: {Execution.Status}";

    // Names no wider than "Property", so the values have 70 of the 80 columns.
    private IReadOnlyList<(string Name, string Value)> Properties(int jsonLength) =>
    [
        ("Machine", Machine),
        ("Status", Execution.Status),
        ("Started", WorkflowShown.Time(Execution.StartDate) + " UTC"),
        ("Stopped", Execution.StopDate is { } stop ? WorkflowShown.Time(stop) + " UTC" : "(still running)"),
        .. Execution.StopDate is null ? Array.Empty<(string, string)>() : [("Duration", WorkflowShown.Duration(Execution.StartDate, Execution.StopDate))],
        .. Execution.Input is null ? Array.Empty<(string, string)>() : [("Input", WorkflowShown.Short(Execution.Input, jsonLength))],
        .. Execution.Output is null ? Array.Empty<(string, string)>() : [("Output", WorkflowShown.Short(Execution.Output, jsonLength))],
        .. Execution.Error is null ? Array.Empty<(string, string)>() : [("Error", Execution.Error)],
        .. CauseRows(jsonLength),
        ("ARN", Execution.ExecutionArn),
    ];

    /// <summary>The reason first when the cause is a service's whole answer, then that answer (cut in the text view).</summary>
    private IReadOnlyList<(string Name, string Value)> CauseRows(int jsonLength) =>
        Execution.Cause is not { } cause ? []
        : Reason is { } reason ? [("Cause", reason), ("Whole cause", WorkflowShown.Short(cause, jsonLength))]
        : [("Cause", cause)];

    /// <summary>The reason inside the cause when it is a service's whole answer (a failed Athena query's StateChangeReason, say); else null.</summary>
    public string? Reason => WorkflowShown.ReasonInCause(Execution.Cause);

    /// <summary>Why the execution failed, on one line: the reason inside the cause, else the cause itself; null when none was given.</summary>
    public string? Why => Reason ?? (Execution.Cause is { } cause ? WorkflowShown.Short(cause, int.MaxValue) : null);

    /// <summary>The state machine's name, from its ARN.</summary>
    public string Machine => WorkflowShown.NameInArn(Execution.StateMachineArn);

    public string ToHtml() => new PropertiesView(Title, Properties(int.MaxValue)).ToHtml() + (Drawing?.ToHtml() ?? "");

    public override string ToString() =>
        Title + "\n" + WorkflowShown.Text(["Property", "Value"], Properties(3 * 60).Select(p => (IReadOnlyList<string>)[p.Name, p.Value]))
        + (Drawing is null ? "" : "\n" + Drawing);
}

/// <summary>A state machine's executions, newest first (ListExecutions).</summary>
public sealed class ExecutionListView(string stateMachineName, IReadOnlyList<ExecutionDescription> executions) : IReadOnlyList<ExecutionDescription>, IHtmlDisplay
{
    public ExecutionDescription this[int index] => executions[index];
    public int Count => executions.Count;
    public IEnumerator<ExecutionDescription> GetEnumerator() => executions.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private string Empty => $"{stateMachineName} has no executions yet: start one with workshop workflow run {stateMachineName}.";
    private string Caption => $"Executions of {stateMachineName}, newest first ({executions.Count})";

    public string ToHtml() => executions.Count == 0 ? $"<p>{HtmlTable.Encode(Empty)}</p>" : HtmlTable.Render(
        ["Execution", "Status", "Started (UTC)", "Stopped (UTC)", "Duration"],
        executions.Select(e => (IReadOnlyList<string>)[e.Name, e.Status, WorkflowShown.Time(e.StartDate), WorkflowShown.Time(e.StopDate), WorkflowShown.Duration(e.StartDate, e.StopDate)]),
        Caption);

    public override string ToString() => executions.Count == 0 ? Empty : Caption + "\n" + WorkflowShown.Text(
        ["Execution", "Status", "Started (UTC)", "Duration"],
        executions.Select(e => (IReadOnlyList<string>)[e.Name, e.Status, WorkflowShown.Time(e.StartDate), WorkflowShown.Duration(e.StartDate, e.StopDate)]));
}

/// <summary>
/// An execution's history (GetExecutionHistory) as the console's Events table shows it: each event's id, time, type,
/// the state it belongs to, and a short detail (the task's resource, an error and its cause, when a Wait ends).
/// </summary>
public sealed partial class HistoryView(string executionArn, IReadOnlyList<HistoryEvent> events) : IReadOnlyList<HistoryEvent>, IHtmlDisplay
{
    private readonly Dictionary<long, HistoryEvent> byId = events.GroupBy(e => e.Id).ToDictionary(g => g.Key, g => g.First());

    public string ExecutionArn { get; } = executionArn;

    public HistoryEvent this[int index] => events[index];
    public int Count => events.Count;
    public IEnumerator<HistoryEvent> GetEnumerator() => events.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private string Caption => $"History of {WorkflowShown.NameInArn(ExecutionArn)} ({events.Count} events, times in UTC)";

    /// <summary>The state each event belongs to: named by its entered or exited event, else found by following previousEventId back to one.</summary>
    public string? StateOf(HistoryEvent e)
    {
        for (HistoryEvent? at = e; at is not null; at = at.PreviousEventId < at.Id && byId.TryGetValue(at.PreviousEventId, out var previous) ? previous : null)
        {
            if (at.DetailsMember is "stateEnteredEventDetails" or "stateExitedEventDetails") return (string?)at.Details?["name"];
            if (at.Type.StartsWith("Execution", StringComparison.Ordinal)) return null;
        }
        return null;
    }

    /// <summary>What the console's row says about the event, briefly.</summary>
    public string DetailOf(HistoryEvent e)
    {
        var details = e.Details;
        string? Member(string name) => details?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        if (Member("error") is { } error) return Member("cause") is { Length: > 0 } cause ? $"{error}: {cause}" : error;
        if (Member("cause") is { } onlyCause) return onlyCause;
        if (e.Type == "WaitStateEntered")
        {
            var exited = events.FirstOrDefault(x => x.Id > e.Id && x.Type == "WaitStateExited" && StateOf(x) == Member("name"));
            return exited is null ? "waiting" : $"until {exited.Timestamp.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}";
        }
        if (e.Type.StartsWith("Task", StringComparison.Ordinal) && Member("resource") is { } resource)
            return Member("resourceType") is { } type ? $"{type}:{resource}" : resource;
        if (e.Type.StartsWith("MapIteration", StringComparison.Ordinal) && details?["index"] is { } index) return $"iteration {index}";
        if (e.Type == "ExecutionStarted") return "input " + WorkflowShown.Short(Member("input"), 40);
        if (e.Type == "ExecutionSucceeded") return "output " + WorkflowShown.Short(Member("output"), 40);
        return "";
    }

    /// <summary>
    /// How long after the execution's first event this one came, as a duration is said elsewhere (30 s, 1 min 10 s),
    /// with no-break spaces so the narrow column keeps it on one line.
    /// </summary>
    private string StartedAfter(HistoryEvent e) =>
        events.Count == 0 ? "" : WorkflowShown.Duration(events.Min(x => x.Timestamp), e.Timestamp).Replace(' ', '\u00A0');

    public string ToHtml() => HtmlTable.Render(
        ["ID", "Type", "Step", "Detail", "Started after", "Timestamp (UTC)"],
        events.Select(e => (IReadOnlyList<string>)[e.Id.ToString(CultureInfo.InvariantCulture), e.Type, StateOf(e) ?? "", DetailOf(e),
            StartedAfter(e), e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)]),
        Caption);

    public override string ToString() => Caption + "\n" + WorkflowShown.Text(
        ["ID", "Time", "Type", "Step", "Detail"],
        events.Select(e => (IReadOnlyList<string>)[e.Id.ToString(CultureInfo.InvariantCulture), e.Timestamp.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            e.Type, StateOf(e) ?? "", WithoutRepeatedCode(DetailOf(e))]));

    /// <summary>
    /// A service error's detail in the narrow column of the text view, without the SDK's closing
    /// "(Service: Glue, Status Code: 400, Error Code: X)" when X is the error the detail already starts with; the HTML keeps it.
    /// </summary>
    private static string WithoutRepeatedCode(string detail) =>
        ServiceSuffix().Match(detail) is { Success: true } suffix && detail.StartsWith($"{suffix.Groups["service"].Value}.{suffix.Groups["code"].Value}:", StringComparison.Ordinal)
            ? detail[..suffix.Index]
            : detail;

    [System.Text.RegularExpressions.GeneratedRegex(@" \(Service: (?<service>[^,()]+), Status Code: \d+, Error Code: (?<code>[^,()]+)\)$")]
    private static partial System.Text.RegularExpressions.Regex ServiceSuffix();
}
