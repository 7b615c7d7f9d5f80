using System.Text.Json;
using StreamingWorkshop.Display;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Simulation;

/// <summary>
/// Progress of a simulated run, saved after every producer invocation so a killed run resumes where it
/// stopped (state/simulation.json, and between a run's start and end its journal beside it). <see cref="FirstStart"/> is
/// where the workspace's first replay started (null in that replay itself): the lake holds every replay since.
/// <see cref="Requested"/> is the duration the run was asked for (null in files saved before it was kept: End - Start).
/// </summary>
public sealed record SimulationState(
    DateTimeOffset Start,
    DateTimeOffset End,
    int Seed,
    IReadOnlyList<string> Cities,
    DateTimeOffset NextInvocation,
    bool Completed,
    Producer.ProducerScenario? Scenario = null,
    DateTimeOffset? FirstStart = null,
    TimeSpan? Requested = null)
{
    /// <summary>The duration this run was asked for.</summary>
    public TimeSpan RequestedDuration => Requested ?? End - Start;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static SimulationState? Load(WorkspaceDirectory workspace) =>
        JournaledFile.Read(workspace, FilePath(workspace)) is { } bytes ? JsonSerializer.Deserialize<SimulationState>(bytes, JsonOptions) : null;

    /// <summary>Saves the whole state at once, in state/simulation.json itself (a run's start and end).</summary>
    public void Save(WorkspaceDirectory workspace)
    {
        using var file = OpenFile(workspace);
        file.Replace(ToJson());
    }

    /// <summary>Saves the state as a run's latest progress: one append to the file's journal (see <see cref="JournaledFile"/>).</summary>
    internal void SaveProgress(JournaledFile file) => file.Save(ToJson());

    /// <summary>Saves the whole state in the file itself through a file already open for the run.</summary>
    internal void SaveWhole(JournaledFile file) => file.Replace(ToJson());

    /// <summary>The state file, open for a run's many saves.</summary>
    internal static JournaledFile OpenFile(WorkspaceDirectory workspace) => new(workspace, FilePath(workspace));

    private byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions);

    private static string FilePath(WorkspaceDirectory workspace) => workspace.Resolve("state", "simulation.json");
}

public sealed record SimulationProgress(DateTimeOffset Now, DateTimeOffset Start, DateTimeOffset End, long RecordsPut, long RecordsDelivered)
{
    public double Fraction => End <= Start ? 1 : Math.Clamp((Now - Start) / (End - Start), 0, 1);
}

public sealed record SimulationReport(
    DateTimeOffset Start,
    DateTimeOffset End,
    bool Resumed,
    bool AlreadyComplete,
    long Invocations,
    long RecordsPut,
    long FailedPuts,
    long RecordsDelivered,
    long ErrorRecords,
    long ObjectsWritten,
    TimeSpan Elapsed,
    DateTimeOffset? StoppedReplayEnd = null,
    long StoredTwice = 0,
    long DeliveredTwice = 0) : IHtmlDisplay
{
    /// <summary>
    /// When this run took the place of a stopped replay of another length: what became of that replay, in one line.
    /// </summary>
    public string? StoppedReplayNote => StoppedReplayEnd is { } end
        ? $"stopped at {Start.UtcDateTime:yyyy-MM-dd HH:mm} on its way to {end.UtcDateTime:yyyy-MM-dd HH:mm} UTC; this run replaced the rest of it"
        : null;

    private PropertiesView View => new(AlreadyComplete ? "Simulation (already complete: nothing to do)" : "Simulation",
    [
        ("Virtual time", $"{Start.UtcDateTime:yyyy-MM-dd HH:mm} → {End.UtcDateTime:yyyy-MM-dd HH:mm} UTC{(Resumed ? " (resumed)" : "")}"),
        .. StoppedReplayNote is { } note ? [("Stopped replay", note)] : Array.Empty<(string, string)>(),
        ("Producer invocations", $"{Invocations:N0}"),
        ("Readings put on the stream", PutSummary),
        ("Records delivered to the lake", DeliveredSummary),
        ("Records sent to the error prefix", $"{ErrorRecords:N0}"),
        ("Objects written", $"{ObjectsWritten:N0}"),
        ("Wall-clock time", $"{Elapsed.TotalSeconds:0.0} s"),
    ]);

    /// <summary>The summary's rows, as the notebook shows them and `workshop simulate` prints them.</summary>
    public IReadOnlyList<(string Name, string Value)> Rows => View.Properties;

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();

    /// <summary>
    /// The readings put, with the records the stream stored for them when some were stored twice, and the readings the
    /// producer could not put, as the summary's row reads.
    /// </summary>
    public string PutSummary
    {
        get
        {
            var notes = new List<string>();
            if (StoredTwice > 0) notes.Add($"stored as {RecordsPut + StoredTwice:N0} records: {StoredTwice:N0} twice after a lost answer");
            if (FailedPuts > 0) notes.Add($"{FailedPuts:N0} {(FailedPuts == 1 ? "reading" : "readings")} the producer could not put");
            return $"{RecordsPut:N0}" + (notes.Count > 0 ? $" ({string.Join("; ", notes)})" : "");
        }
    }

    /// <summary>
    /// The records delivered to the lake, a batch a retried delivery wrote twice counted twice as the lake holds it, and
    /// why when they outnumber the readings put, as the summary's row reads.
    /// </summary>
    public string DeliveredSummary => Delivered(RecordsDelivered + DeliveredTwice, RecordsPut, StoredTwice, DeliveredTwice);

    /// <summary>
    /// The records delivered, and why when they outnumber the readings put: delivery is at least once, so a put retried
    /// after a lost answer lands twice, a delivery retried after a lost answer writes its batch twice, and records put
    /// before the run (still on the stream) are delivered in it. When the copies the kit knows of (readings stored twice,
    /// records delivered twice) account for all of the difference, they are named alone.
    /// </summary>
    internal static string Delivered(long delivered, long put, long storedTwice = 0, long deliveredTwice = 0) => delivered > put
        ? delivered - put <= storedTwice + deliveredTwice
            ? $"{delivered:N0} ({delivered - put:N0} more than put: {KnownCopies(storedTwice, deliveredTwice)})"
            : $"{delivered:N0} ({delivered - put:N0} more than put: copies of retried puts, or records put before this run)"
        : $"{delivered:N0}";

    private static string KnownCopies(long storedTwice, long deliveredTwice) => (storedTwice > 0, deliveredTwice > 0) switch
    {
        (true, true) => $"the copies of the readings stored twice, and of the {deliveredTwice:N0} records a retried delivery wrote twice",
        (false, true) => $"the copies of the {deliveredTwice:N0} records a retried delivery wrote twice",
        _ => "the copies of the readings stored twice",
    };
}

public sealed record LiveReport(DateTimeOffset From, DateTimeOffset To, long Invocations, long RecordsPut, long RecordsDelivered, long ObjectsWritten) : IHtmlDisplay
{
    private PropertiesView View => new("Live run",
    [
        ("Virtual time", $"{From.UtcDateTime:yyyy-MM-dd HH:mm:ss} → {To.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"),
        ("Producer invocations", $"{Invocations:N0}"),
        ("Readings put on the stream", $"{RecordsPut:N0}"),
        ("Records delivered to the lake", SimulationReport.Delivered(RecordsDelivered, RecordsPut)),
        ("Objects written", $"{ObjectsWritten:N0}"),
    ]);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();
}
