using System.Globalization;
using System.Text;
using StreamingWorkshop.Display;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;

namespace StreamingWorkshop.Jobs;

internal static class JobShown
{
    public static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";

    public static string Kind(GlueJob job) => job.Command.Name == JobCommandNames.Streaming ? "streaming" : "batch";

    /// <summary>A run's cost, to a hundredth of a cent: most runs cost cents.</summary>
    public static string Dollars(double dollars) => "$" + dollars.ToString(dollars >= 1 ? "0.00" : "0.0000", CultureInfo.InvariantCulture);

    public static string Rate(double dollars) => "$" + dollars.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / 1024.0 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };
}

/// <summary>The stack's Glue jobs: what each runs on and what it costs per hour while it runs.</summary>
public sealed class JobListView(IReadOnlyList<GlueJob> jobs) : IReadOnlyList<GlueJob>, IHtmlDisplay
{
    private static readonly string[] Headers = ["Job", "Type", "Workers", "Glue", "DPU", "$/hour"];

    public GlueJob this[int index] => jobs[index];
    public int Count => jobs.Count;
    public IEnumerator<GlueJob> GetEnumerator() => jobs.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<IReadOnlyList<string>> Rows => jobs.Select(j => (IReadOnlyList<string>)
        [j.Name, JobShown.Kind(j), $"{j.NumberOfWorkers} × {j.WorkerType}", j.GlueVersion, JobShown.Number(GlueBilling.Dpus(j)), JobShown.Rate(GlueBilling.CostPerHour(j))]);

    private const string Empty = "No Glue jobs yet: deploy the stack (workshop deploy), which defines them.";
    private const string Caption = "Glue jobs ($0.44 per DPU-hour, billed per second, at least a minute per run)";

    public string ToHtml() => jobs.Count == 0 ? $"<p>{Empty}</p>" : HtmlTable.Render(Headers, Rows, Caption);

    public override string ToString() => jobs.Count == 0 ? Empty : Caption + "\n" + TextTable.Render(Headers, Rows);
}

/// <summary>One run of a job, as GetJobRun gives it, with what it is billed.</summary>
public sealed class JobRunView(JobRun run) : IHtmlDisplay
{
    public JobRun Run { get; } = run;

    private IReadOnlyList<(string Name, string Value)> Properties =>
    [
        ("Job", Run.JobName),
        ("Run id", Run.Id),
        ("State", Run.JobRunState),
        // Names no wider than "Property", so a run id of 67 characters still fits 80 columns beside them.
        ("Started", JobShown.Time(Run.StartedOn) + " UTC"),
        ("Completed", Run.CompletedOn is null ? "(not yet)" : JobShown.Time(Run.CompletedOn) + " UTC"),
        .. StartUp is { } startUp ? [("Start-up", $"{startUp} s")] : Array.Empty<(string, string)>(),
        ("Run time", $"{Run.ExecutionTime} s"),
        ("Workers", $"{Run.NumberOfWorkers} × {Run.WorkerType}, Glue {Run.GlueVersion}"),
        ("Billed", Billed),
        .. Run.Arguments.Count == 0 ? Array.Empty<(string, string)>() : [("Arguments", string.Join(" ", Run.Arguments.Select(a => $"{a.Key}={a.Value}")))],
        .. Run.ErrorMessage is null ? Array.Empty<(string, string)>() : [("Error", Run.ErrorMessage)],
    ];

    private string Title => $"Run of {Run.JobName}: {Run.JobRunState}";

    /// <summary>
    /// The seconds an ended run spent starting before its run time began, as Glue's console shows them apart: a batch
    /// run's time counts from RUNNING, so without this Started to Completed would look longer than the run. (A streaming
    /// run's time includes its start-up, since its workers are held from its start, so it has none.)
    /// </summary>
    private int? StartUp => Run.CompletedOn is { } completed && (int)(completed - Run.StartedOn).TotalSeconds - Run.ExecutionTime is var starting and > 0
        ? starting : null;

    /// <summary>The DPU-seconds with the sum that makes them, so a short run's one-minute minimum does not look like an error.</summary>
    private string Billed
    {
        get
        {
            var cost = $"{JobShown.Number(Run.DpuSeconds)} DPU-seconds, {JobShown.Dollars(GlueBilling.Cost(Run.DpuSeconds))}";
            if (Run.DpuSeconds <= 0 || Run.ExecutionTime <= 0) return cost;
            var seconds = Math.Max(GlueBilling.MinimumBilledSeconds, Run.ExecutionTime);
            var sum = $"{JobShown.Number(Run.DpuSeconds / seconds)} DPU × {seconds} s";
            return Run.ExecutionTime < GlueBilling.MinimumBilledSeconds ? $"{cost} ({sum}, the one-minute minimum)" : $"{cost} ({sum})";
        }
    }

    public string ToHtml() => new PropertiesView(Title, Properties).ToHtml();

    public override string ToString() => new PropertiesView(Title, Properties).ToString();
}

/// <summary>A job's runs, newest first (GetJobRuns).</summary>
public sealed class JobRunsView(string jobName, IReadOnlyList<JobRun> runs) : IReadOnlyList<JobRun>, IHtmlDisplay
{
    private static readonly string[] TextHeaders = ["Run id", "State", "Started (UTC)", "Time", "DPU-s", "Cost"];

    public JobRun this[int index] => runs[index];
    public int Count => runs.Count;
    public IEnumerator<JobRun> GetEnumerator() => runs.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private static string[] Cells(JobRun r) =>
        [r.Id[..15] + "…", r.JobRunState, JobShown.Time(r.StartedOn), $"{r.ExecutionTime} s", JobShown.Number(r.DpuSeconds), JobShown.Dollars(GlueBilling.Cost(r.DpuSeconds))];

    private string Empty => $"{jobName} has no runs yet: start one with workshop job run {jobName}.";
    private string Caption => $"Runs of {jobName}, newest first ({runs.Count})";

    public string ToHtml() => runs.Count == 0 ? $"<p>{HtmlTable.Encode(Empty)}</p>" : HtmlTable.Render(
        ["Run id", "State", "Started (UTC)", "Completed (UTC)", "Execution time", "DPU-seconds", "Cost", "Error"],
        runs.Select(r => (IReadOnlyList<string>)[r.Id, r.JobRunState, JobShown.Time(r.StartedOn), JobShown.Time(r.CompletedOn), $"{r.ExecutionTime} s",
            JobShown.Number(r.DpuSeconds), JobShown.Dollars(GlueBilling.Cost(r.DpuSeconds)), r.ErrorMessage ?? ""]), Caption);

    public override string ToString()
    {
        if (runs.Count == 0) return Empty;
        var text = new StringBuilder(Caption).Append('\n').Append(TextTable.Render(TextHeaders, runs.Select(r => (IReadOnlyList<string>)Cells(r))));
        foreach (var failed in runs.Where(r => r.ErrorMessage is not null)) text.Append($"{failed.Id[..15]}…: {failed.ErrorMessage}\n");
        return text.ToString();
    }
}

/// <summary>A run's driver log: the lines of /aws-glue/jobs/output and /aws-glue/jobs/error in its log stream, in time order.</summary>
public sealed class JobLogView(string runId, IReadOnlyList<(string Group, LogEvent Event)> lines) : IHtmlDisplay
{
    public string RunId { get; } = runId;
    public IReadOnlyList<(string Group, LogEvent Event)> Lines { get; } = lines;

    private static string Short(string group) => group == JobLogGroups.Error ? "error" : "output";

    private string Empty => $"No log lines for run {RunId} yet.";

    public string ToHtml() => Lines.Count == 0 ? $"<p>{HtmlTable.Encode(Empty)}</p>" : HtmlTable.Render(["Time (UTC)", "Group", "Message"],
        Lines.Select(l => (IReadOnlyList<string>)[JobShown.Time(l.Event.Timestamp), l.Group, l.Event.Message]), $"Log of run {RunId}");

    public override string ToString() => Lines.Count == 0 ? Empty :
        string.Concat(Lines.Select(l => $"{l.Event.Timestamp.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {Short(l.Group),-6} {l.Event.Message}\n"));
}

/// <summary>The Parquet the jobs wrote under curated/: objects per partition folder, with their sizes.</summary>
public sealed class CuratedFilesView(string bucket, IReadOnlyList<ObjectInfo> objects) : IHtmlDisplay
{
    public string Bucket { get; } = bucket;
    public IReadOnlyList<ObjectInfo> Objects { get; } = objects;

    private IEnumerable<IReadOnlyList<string>> Folders => Objects
        .GroupBy(o => o.Key.Contains('/') ? o.Key[..o.Key.LastIndexOf('/')] : "")
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => (IReadOnlyList<string>)[g.Key, g.Count().ToString(CultureInfo.InvariantCulture), JobShown.Bytes(g.Sum(o => o.Size))]);

    private string Caption => $"Curated objects in s3://{Bucket}/: {Objects.Count} files, {JobShown.Bytes(Objects.Sum(o => o.Size))}";

    private const string Empty = "Nothing curated yet: run the batch job (workshop job run NAME --wait).";

    public string ToHtml() => Objects.Count == 0 ? $"<p>{Empty}</p>" : HtmlTable.Render(["Folder", "Files", "Size"], Folders, Caption);

    public override string ToString() => Objects.Count == 0 ? Empty : Caption + "\n" + TextTable.Render(["Folder", "Files", "Size"], Folders);
}

/// <summary>What a job call did, in a sentence or two.</summary>
public sealed class JobMessageView(string message) : IHtmlDisplay
{
    public string Message { get; } = message;

    /// <summary>The call was not carried out and the message says why (a bookmark reset asked of a streaming job).</summary>
    public bool NothingDone { get; init; }

    public string ToHtml() => $"<div style=\"{HtmlTable.Style}\">{HtmlTable.Encode(Message)}</div>";

    public override string ToString() => Message;
}
