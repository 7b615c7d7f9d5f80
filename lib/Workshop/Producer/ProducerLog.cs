using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StreamingWorkshop.Display;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Producer;

/// <summary>
/// CloudWatch Logs for the producer function, in the workspace: log group /aws/lambda/&lt;function&gt;, one log
/// stream per UTC day named as Lambda names them (yyyy/MM/dd/[$LATEST]&lt;32 hex&gt;), events as JSON lines under
/// logs/aws/lambda/&lt;function&gt;/.
/// </summary>
public sealed class ProducerLog(WorkspaceDirectory workspace, TimeProvider clock) : IProducerLogs, IHtmlDisplay
{
    /// <summary>In a notebook, the producer logs stage's calls rather than an object tree: the stage's, then the local engine's own.</summary>
    public string ToHtml() => StageCalls.ProducerLogs.ToHtml() + OwnCalls.ToHtml();

    public override string ToString() => StageCalls.ProducerLogs + "\n" + OwnCalls;

    private static readonly CallsView OwnCalls = new("workshop.Local.Logs: the local CloudWatch Logs, each call named after its operation (local backend only)", [
        ("ListLogStreams(group)", "DescribeLogStreams"),
        ("GetLogEvents(group, stream)", "GetLogEvents"),
        ("Tail(group, count, notBefore, notAfter)", "FilterLogEvents: the group's last count events, between two times if given"),
    ], "The producer's group is /aws/lambda/ and its name, workshop.Names.ProducerFunction.");

    public static string GroupFor(string functionName) => $"/aws/lambda/{functionName}";

    public static string StreamNameFor(string functionName, DateTimeOffset time)
    {
        var day = time.UtcDateTime.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture);
        var id = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{functionName}|{day}")));
        return $"{day}/[$LATEST]{id}";
    }

    /// <summary>Appends one invocation's events to today's log stream in one write.</summary>
    public void Append(string functionName, IReadOnlyList<LogEvent> events)
    {
        if (events.Count == 0) return;
        AppendToStream(GroupFor(functionName), StreamNameFor(functionName, events[0].Timestamp), events);
    }

    /// <summary>Appends events to one log stream of any group in one write (the Glue jobs' logs are kept this way too).</summary>
    public void AppendToStream(string group, string stream, IReadOnlyList<LogEvent> events)
    {
        if (events.Count == 0) return;
        var path = StreamPath(group, stream);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = new StringBuilder();
        foreach (var e in events) text.Append(JsonSerializer.Serialize(e)).Append('\n');
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        file.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    public LogEvent Event(string message) => new(clock.GetUtcNow(), message);

    public IReadOnlyList<string> ListLogStreams(string group)
    {
        var folder = GroupFolder(group);
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*.log", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')[..^4])
            .Order(StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyList<LogEvent> GetLogEvents(string group, string stream, DateTimeOffset? start = null, DateTimeOffset? end = null, int? limit = null)
    {
        var path = StreamPath(group, stream);
        if (!File.Exists(path))
            throw new Errors.ResourceNotFoundException("logs", $"The specified log stream does not exist: {stream} in {group}. List the streams with ListLogStreams.");
        var events = ReadEvents(path).Where(e => (start is null || e.Timestamp >= start) && (end is null || e.Timestamp < end));
        return (limit is { } n ? events.TakeLast(n) : events).ToArray();
    }

    /// <summary>The newest <paramref name="count"/> events of a group, across its log streams (those before <paramref name="before"/>, if given).</summary>
    public Task<IReadOnlyList<LogEvent>> TailAsync(string functionName, int count, DateTimeOffset? before = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Tail(GroupFor(functionName), count, notAfter: before?.AddMilliseconds(-1)));

    /// <summary>
    /// The newest <paramref name="count"/> events of a group, across its log streams, of those from
    /// <paramref name="notBefore"/> through <paramref name="notAfter"/> (both included, as FilterLogEvents' startTime
    /// and endTime are; either may be left out).
    /// </summary>
    public IReadOnlyList<LogEvent> Tail(string group, int count, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var collected = new List<LogEvent>();
        foreach (var stream in ListLogStreams(group).Reverse())
        {
            var inRange = ReadEvents(StreamPath(group, stream)).Where(e => (notBefore is null || e.Timestamp >= notBefore) && (notAfter is null || e.Timestamp <= notAfter));
            collected.InsertRange(0, inRange.TakeLast(count - collected.Count));
            if (collected.Count >= count) break;
        }
        return collected;
    }

    private static IEnumerable<LogEvent> ReadEvents(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var events = new List<LogEvent>();
        while (reader.ReadLine() is { } line)
        {
            // A line cut short by a killed process is skipped rather than failing the whole log.
            try { if (JsonSerializer.Deserialize<LogEvent>(line) is { } e) events.Add(e); }
            catch (JsonException) { }
        }
        return events;
    }

    private string GroupFolder(string group)
    {
        var relative = group.TrimStart('/');
        if (relative.Length == 0 || relative.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"'{group}' is not a log group name such as /aws/lambda/weather-analytics-producer-dev.");
        return workspace.Resolve("logs", relative);
    }

    private string StreamPath(string group, string stream) => Path.Combine(GroupFolder(group), stream + ".log");
}

public sealed record LogEvent(DateTimeOffset Timestamp, string Message);

/// <summary>Log events as the CloudWatch console lists them; START, END and REPORT lines stand out.</summary>
public sealed class LogEventsView(IReadOnlyList<LogEvent> events) : IHtmlDisplay
{
    public IReadOnlyList<LogEvent> Events { get; } = events;

    private static string Time(LogEvent e) => e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public string ToHtml()
    {
        if (Events.Count == 0) return "<p>No log events yet: invoke the producer or run the simulation first.</p>";
        var html = new StringBuilder(HtmlTable.Open).Append($"<thead><tr>{HtmlTable.HeaderCell("Timestamp (UTC)")}{HtmlTable.HeaderCell("Message")}</tr></thead><tbody>");
        foreach (var e in Events)
        {
            var marker = e.Message.StartsWith("START", StringComparison.Ordinal) || e.Message.StartsWith("END", StringComparison.Ordinal) || e.Message.StartsWith("REPORT", StringComparison.Ordinal);
            var style = marker ? $"background:{HtmlTable.BlueTint};font-weight:bold" : e.Message.Contains("Failed", StringComparison.Ordinal) ? $"background:{HtmlTable.RedTint}" : "";
            html.Append($"<tr style=\"{style}\">{HtmlTable.DataCell(Time(e), "white-space:nowrap")}{HtmlTable.DataCell(e.Message)}</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    public override string ToString() =>
        Events.Count == 0 ? "No log events yet: invoke the producer or run the simulation first." : string.Concat(Events.Select(e => $"{Time(e)}  {e.Message}\n"));
}
