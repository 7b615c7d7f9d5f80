using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>The state types of the States Language.</summary>
public static class AslStateTypes
{
    public const string Task = "Task";
    public const string Pass = "Pass";
    public const string Choice = "Choice";
    public const string Wait = "Wait";
    public const string Succeed = "Succeed";
    public const string Fail = "Fail";
    public const string Parallel = "Parallel";
    public const string Map = "Map";

    public static readonly IReadOnlyList<string> All = [Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map];
}

/// <summary>The ways one state leads to another, for drawings.</summary>
public static class AslTransitionKinds
{
    public const string Next = "Next";
    public const string Default = "Default";
    public const string Choice = "Choice";
    public const string Catch = "Catch";
}

/// <summary>
/// One way out of a state: its Next, a Choice's Default or one of its rules (<see cref="Label"/> says the rule), or a
/// Catch (<see cref="Label"/> lists the errors it catches).
/// </summary>
public sealed record AslTransition(string Kind, string Target, string? Label = null);

/// <summary>
/// A state of a definition as drawings and docs read it: its name and type, where it can go, whether it ends its
/// machine (End, Succeed, Fail), and the definitions nested in it (a Parallel's branches, a Map's item processor).
/// </summary>
public sealed record AslState(
    string Name,
    string Type,
    IReadOnlyList<AslTransition> Transitions,
    bool IsEnd,
    IReadOnlyList<StateMachineDefinition> Branches,
    StateMachineDefinition? ItemProcessor,
    string? Resource,
    string? Comment,
    JsonObject Json);
