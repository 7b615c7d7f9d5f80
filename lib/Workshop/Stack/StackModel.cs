using System.Globalization;
using System.Text.Json.Nodes;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Stack;

public sealed record StackEvent(DateTimeOffset Timestamp, string LogicalResourceId, string ResourceType, string ResourceStatus, string? ResourceStatusReason, string? PhysicalResourceId);

public sealed record StackResource(string LogicalResourceId, string ResourceType, string PhysicalResourceId, string ResourceStatus, JsonObject Properties, Dictionary<string, string> Attributes, string DeletionPolicy);

public sealed record StackOutput(string OutputKey, string OutputValue, string? Description);

public sealed record StackParameter(string ParameterKey, string ParameterValue, bool NoEcho);

/// <summary>What is left of a deleted stack for ListStacks: its id, name, template (for its description) and times.</summary>
public sealed record DeletedStack(string StackId, string StackName, string TemplateBody, DateTimeOffset CreationTime, DateTimeOffset DeletionTime);

/// <summary>A stack as CloudFormation describes it, plus the template it was made from.</summary>
public sealed record StackState : IHtmlDisplay
{
    public required string StackName { get; init; }
    public required string StackId { get; init; }
    public string StackStatus { get; init; } = "CREATE_IN_PROGRESS";
    public string? StackStatusReason { get; init; }
    public required string TemplateBody { get; init; }
    public List<StackParameter> Parameters { get; init; } = new();
    public List<StackResource> Resources { get; init; } = new();
    public List<StackOutput> Outputs { get; init; } = new();
    public List<StackEvent> Events { get; init; } = new();
    public DateTimeOffset CreationTime { get; init; }
    public DateTimeOffset? LastUpdatedTime { get; init; }

    public string? Output(string key) => Outputs.FirstOrDefault(o => o.OutputKey == key)?.OutputValue;

    /// <summary>The stack's Stack info tab.</summary>
    private PropertiesView View => new($"Stack {StackName}",
    [
        ("Stack ID", StackId),
        ("Status", StackStatus),
        ("Status reason", StackStatusReason ?? ""),
        ("Created", CreationTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
        ("Resources", Resources.Count.ToString(CultureInfo.InvariantCulture)),
        ("Outputs", Outputs.Count.ToString(CultureInfo.InvariantCulture)),
    ]);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();
}

/// <summary>The Events tab: newest first, as the console lists them (or oldest first, as a deployment's progress log).</summary>
public sealed class StackEventsView(IReadOnlyList<StackEvent> events, bool newestFirst = true) : IHtmlDisplay
{
    private static readonly string[] Headers = ["Timestamp", "Logical ID", "Type", "Status", "Status reason"];

    public IReadOnlyList<StackEvent> Events { get; } = events;

    private IEnumerable<IReadOnlyList<string>> Rows => (newestFirst ? Events.Reverse() : Events).Select(e => (IReadOnlyList<string>)
        [e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), e.LogicalResourceId, e.ResourceType, e.ResourceStatus, e.ResourceStatusReason ?? ""]);

    public string ToHtml() => HtmlTable.Render(Headers, Rows, "Events");

    public override string ToString()
    {
        var rows = Rows.ToList();
        // The table's width with every cell on one line: the widest cell of each column, two spaces between.
        var natural = Enumerable.Range(0, Headers.Length).Sum(i => rows.Select(r => r[i].Length).Append(Headers[i].Length).Max()) + 2 * (Headers.Length - 1);
        return TextTable.Fitting && natural > TextTable.Width ? AsLines(rows) : TextTable.Render(Headers, rows, maxWidth: 100);
    }

    /// <summary>
    /// In a terminal too narrow for the table (80 columns), one event a line as `aws cloudformation` reports its progress:
    /// time and status, then the resource and its type, which wrap under themselves. As a table, every event would be a
    /// block of five lines, and a first deployment's fifty events would push the outputs off the screen.
    /// </summary>
    private string AsLines(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        const int statusWidth = 18;
        var text = new System.Text.StringBuilder();
        // A deployment's events fall on one day, as a rule: the date is then said once, and each line keeps the room.
        var days = Events.Select(e => e.Timestamp.UtcDateTime.Date).Distinct().ToList();
        if (days.Count == 1) text.Append($"Events of {days[0]:yyyy-MM-dd}, times in UTC:\n");
        foreach (var row in rows)
        {
            var time = days.Count == 1 ? row[0][11..] : row[0];
            var head = $"{time}  {row[3].PadRight(statusWidth)}  ";
            var body = $"{row[1]} ({row[2]})" + (row[4].Length > 0 ? $": {row[4]}" : "");
            var lines = TextTable.Wrap(body, Math.Max(20, TextTable.Width - head.Length));
            text.Append(head).Append(lines[0]).Append('\n');
            foreach (var more in lines.Skip(1)) text.Append(' ', head.Length).Append(more).Append('\n');
        }
        return text.ToString();
    }
}

/// <summary>The Outputs tab, with what each one is on the local backend: a folder to open or a command to run.</summary>
public sealed class StackOutputsView(IReadOnlyList<StackOutput> outputs, IReadOnlyDictionary<string, string> local) : IHtmlDisplay
{
    private static readonly string[] Headers = ["Key", "Value", "Description", "Locally"];

    private IEnumerable<IReadOnlyList<string>> Rows => outputs.Select(o => (IReadOnlyList<string>)
        [o.OutputKey, o.OutputValue, o.Description ?? "", local.TryGetValue(o.OutputKey, out var l) ? l : ""]);

    // The values and the local paths are long runs the browser may break anywhere to fit the output area; without a
    // least width of their own, the description and the local commands beside them would be squeezed to a word a line.
    public string ToHtml() => HtmlTable.Render(Headers, Rows, "Outputs", columnStyles: [null, null, "min-width:30ch", "min-width:24ch"]);

    public override string ToString() => TextTable.Render(Headers, Rows, maxWidth: 110);
}

/// <summary>The Resources tab.</summary>
public sealed class StackResourcesView(IReadOnlyList<StackResource> resources) : IHtmlDisplay
{
    private static readonly string[] Headers = ["Logical ID", "Physical ID", "Type", "Status"];

    private IEnumerable<IReadOnlyList<string>> Rows => resources.Select(r => (IReadOnlyList<string>)[r.LogicalResourceId, r.PhysicalResourceId, r.ResourceType, r.ResourceStatus]);

    public string ToHtml() => HtmlTable.Render(Headers, Rows, "Resources");

    public override string ToString() => TextTable.Render(Headers, Rows);
}

/// <summary>One parameter a template declares; a NoEcho parameter's default is never shown.</summary>
public sealed record TemplateParameter(string Name, string Type, string? Default, bool NoEcho, string Description);

/// <summary>The parameters of a template, in the order it declares them, as the console asks for them.</summary>
public sealed class TemplateParametersView(IReadOnlyList<TemplateParameter> parameters, int lines) : IReadOnlyList<TemplateParameter>, IHtmlDisplay
{
    private static readonly string[] Headers = ["Parameter", "Type", "Default", "Description"];

    /// <summary>How many lines the template has.</summary>
    public int Lines { get; } = lines;

    public TemplateParameter this[int index] => parameters[index];
    public int Count => parameters.Count;
    public IEnumerator<TemplateParameter> GetEnumerator() => parameters.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private string Caption => $"Parameters of the template ({Lines:N0} lines, {parameters.Count} parameter{(parameters.Count == 1 ? "" : "s")})";

    private IEnumerable<IReadOnlyList<string>> Rows => parameters.Select(p => (IReadOnlyList<string>)
        [p.Name, p.Type, p.NoEcho ? "(hidden: NoEcho)" : p.Default ?? "(none: must be given)", p.Description]);

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Caption);

    public override string ToString() => Caption + "\n" + TextTable.Render(Headers, Rows, maxWidth: 110);
}
