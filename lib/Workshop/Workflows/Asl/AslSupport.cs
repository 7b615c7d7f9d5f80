namespace StreamingWorkshop.Workflows.Asl;

/// <summary>A feature of the States Language the local backend does not run, refused by name when a definition uses it.</summary>
public sealed record UnsupportedFeature(string Name, string Description);

/// <summary>What the local interpreter leaves out of the States Language, in one place for its messages and the docs.</summary>
public static class AslSupport
{
    public const string QueryLanguage = "QueryLanguage JSONata";
    public const string Variables = "Assign";
    public const string ItemReader = "ItemReader";
    public const string ResultWriter = "ResultWriter";
    public const string ItemBatcher = "ItemBatcher";
    public const string DistributedMap = "ProcessorConfig Mode DISTRIBUTED";
    public const string ToleratedFailure = "ToleratedFailure";
    public const string Activities = "Activity resources";
    public const string TaskToken = ".waitForTaskToken";
    public const string Heartbeat = "HeartbeatSeconds";
    public const string Credentials = "Credentials";

    /// <summary>Each feature refused at CreateStateMachine, with one line on what it is.</summary>
    public static readonly IReadOnlyList<UnsupportedFeature> Unsupported =
    [
        new(QueryLanguage, "JSONata expressions (QueryLanguage \"JSONata\", Arguments, Output): definitions use JSONPath."),
        new(Variables, "Workflow variables (Assign and $name references)."),
        new(ItemReader, "A distributed Map reading its items from Amazon S3."),
        new(ResultWriter, "A distributed Map writing its results to Amazon S3."),
        new(ItemBatcher, "A distributed Map passing its items to child executions in batches."),
        new(DistributedMap, "A Map running its iterations as child executions; INLINE (the default) runs."),
        new(ToleratedFailure, "ToleratedFailurePercentage and ToleratedFailureCount (and their Path forms) of a distributed Map."),
        new(Activities, "Task states whose Resource is an activity (arn:aws:states:<region>:<account>:activity:<name>)."),
        new(TaskToken, "The callback pattern (a Resource ending in .waitForTaskToken and SendTaskSuccess)."),
        new(Heartbeat, "HeartbeatSeconds and HeartbeatSecondsPath, which only callback and activity tasks send."),
        new(Credentials, "Task states running as another role (Credentials)."),
    ];

    /// <summary>The field names refused as unsupported, and the feature each belongs to.</summary>
    internal static readonly IReadOnlyDictionary<string, string> UnsupportedFields = new Dictionary<string, string>
    {
        ["Assign"] = Variables,
        ["Arguments"] = QueryLanguage,
        ["Output"] = QueryLanguage,
        ["Items"] = QueryLanguage,
        ["ItemReader"] = ItemReader,
        ["ResultWriter"] = ResultWriter,
        ["ItemBatcher"] = ItemBatcher,
        ["ToleratedFailurePercentage"] = ToleratedFailure,
        ["ToleratedFailurePercentagePath"] = ToleratedFailure,
        ["ToleratedFailureCount"] = ToleratedFailure,
        ["ToleratedFailureCountPath"] = ToleratedFailure,
        ["Label"] = DistributedMap,
        ["HeartbeatSeconds"] = Heartbeat,
        ["HeartbeatSecondsPath"] = Heartbeat,
        ["Credentials"] = Credentials,
    };
}
