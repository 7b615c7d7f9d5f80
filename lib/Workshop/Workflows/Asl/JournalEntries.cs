using System.Globalization;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>
/// How a task attempt is kept in the journal: the outcome its start gave (a .sync task's submission), the outcome it
/// has now (replaced at each poll), and whether it was cancelled (so it is cancelled once).
/// </summary>
internal static class JournalEntries
{
    public static JsonObject? Find(ExecutionJournal journal, string stepKey) => journal.Entries[stepKey] as JsonObject;

    public static void RecordStart(ExecutionJournal journal, string stepKey, TaskOutcome outcome) =>
        journal.Entries[stepKey] = new JsonObject { ["start"] = Write(outcome), ["current"] = Write(outcome) };

    public static void RecordCurrent(JsonObject entry, TaskOutcome outcome) => entry["current"] = Write(outcome);

    public static TaskOutcome Start(JsonObject entry) => Read(entry["start"]!.AsObject());

    public static TaskOutcome Current(JsonObject entry) => Read(entry["current"]!.AsObject());

    public static bool IsCancelled(JsonObject entry) => JsonValues.TryGetBoolean(entry["cancelled"], out var cancelled) && cancelled;

    public static void MarkCancelled(JsonObject entry) => entry["cancelled"] = true;

    private static JsonObject Write(TaskOutcome outcome) => outcome switch
    {
        TaskOutcome.Succeeded s => new JsonObject { ["kind"] = "Succeeded", ["output"] = s.Output?.DeepClone(), ["at"] = Time(s.At) },
        TaskOutcome.Failed f => new JsonObject { ["kind"] = "Failed", ["error"] = f.Error, ["cause"] = f.Cause, ["at"] = Time(f.At) },
        TaskOutcome.Pending p => new JsonObject { ["kind"] = "Pending", ["handle"] = p.Handle?.DeepClone(), ["wakeAt"] = Time(p.WakeAt) },
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    private static TaskOutcome Read(JsonObject json) => json["kind"]!.GetValue<string>() switch
    {
        "Succeeded" => new TaskOutcome.Succeeded(json["output"]?.DeepClone(), ParseTime(json["at"])),
        "Failed" => new TaskOutcome.Failed(json["error"]!.GetValue<string>(), json["cause"]!.GetValue<string>(), ParseTime(json["at"])),
        _ => new TaskOutcome.Pending(json["handle"]?.DeepClone(), ParseTime(json["wakeAt"])),
    };

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(JsonNode? node) =>
        DateTimeOffset.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
