using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Workflows;

/// <summary>
/// The orchestration notebook's challenge: a state machine that checks each city's hours with a Map, a Choice, a Pass and
/// a Fail. The check runs the learner's definition on the kit's own interpreter with inputs it keeps to itself, so it
/// needs no service and gives the same verdict on either backend.
/// </summary>
public static class WorkflowChallenge
{
    public const string Name = "Orchestration challenge";

    public const string MissingHoursError = "DataQuality.MissingHours";

    private const string ExecutionArn = "arn:aws:states:us-east-1:123456789012:execution:challenge:check";

    private sealed record Case(string Description, JsonObject Input, string? ShortCity);

    private static Case Day(string description, string? shortCity, params (string City, int Hours)[] cities) => new(description,
        new JsonObject
        {
            ["day"] = "2026-12-02",
            ["cities"] = new JsonArray(cities.Select(c => (JsonNode)new JsonObject { ["city"] = c.City, ["hours"] = c.Hours }).ToArray()),
        }, shortCity);

    private static readonly Case[] Cases =
    [
        Day("every city has 24 hours", null, ("London", 24), ("Manchester", 24), ("Edinburgh", 24)),
        Day("Manchester has 19 hours", "Manchester", ("London", 24), ("Manchester", 19), ("Edinburgh", 24)),
        Day("Cardiff, the only city, has no hours", "Cardiff", ("Cardiff", 0)),
        Day("the list of cities is empty", null),
    ];

    /// <summary>Runs <paramref name="definition"/> (ASL as JSON) on each of the check's inputs and judges what it gives.</summary>
    public static async Task<ChallengeVerdict> CheckAsync(string definition, CancellationToken cancellationToken = default)
    {
        StateMachineDefinition parsed;
        try
        {
            parsed = StateMachineDefinition.Parse(definition, NoServices.Instance);
        }
        catch (InvalidDefinitionException error)
        {
            return NotYet(error.Message);
        }
        var start = new DateTimeOffset(2026, 12, 3, 0, 30, 0, TimeSpan.Zero);
        foreach (var check in Cases)
        {
            var input = check.Input.ToJsonString();
            var identity = new ExecutionIdentity(ExecutionArn, "check", "arn:aws:states:us-east-1:123456789012:stateMachine:challenge", "challenge",
                "arn:aws:iam::123456789012:role/challenge", start, input);
            var progress = await AslInterpreter.AdvanceAsync(parsed, identity, start.AddDays(1), new ExecutionJournal(), NoServices.Instance, cancellationToken);
            var given = $"With input {input} ({check.Description})";
            if (progress.Status == ExecutionStatuses.Running) return NotYet($"{given} the execution had not ended after a day; does a Wait or a loop hold it?");
            if (check.ShortCity is { } city)
            {
                if (progress.Status != ExecutionStatuses.Failed)
                    return NotYet($"{given} the execution {progress.Status}; it should fail with error {MissingHoursError}.");
                if (progress.Error != MissingHoursError)
                    return NotYet($"{given} the execution failed with error '{progress.Error}' ({progress.Cause}); it should fail with {MissingHoursError}.");
                if (progress.Cause?.Contains(city, StringComparison.Ordinal) != true)
                    return NotYet($"{given} the execution failed rightly, but its cause '{progress.Cause}' does not name {city}. Build it with CausePath and States.Format.");
                continue;
            }
            if (progress.Status != ExecutionStatuses.Succeeded)
                return NotYet($"{given} the execution {progress.Status} ({progress.Error}: {progress.Cause}); it should succeed.");
            var expected = new JsonArray(check.Input["cities"]!.AsArray()
                .Select(c => (JsonNode)new JsonObject { ["city"] = c!["city"]!.GetValue<string>(), ["complete"] = true }).ToArray());
            var output = progress.Output is { } text ? JsonNode.Parse(text) : null;
            if (output is not JsonObject outputObject || !outputObject.ContainsKey("checked"))
                return NotYet($"{given} the output {progress.Output} has no 'checked'. Put the Map's result there with ResultPath $.checked.");
            if (outputObject["day"]?.GetValue<string>() != "2026-12-02")
                return NotYet($"{given} the output has lost the input's day. ResultPath $.checked keeps the input and adds the result to it.");
            if (!JsonNode.DeepEquals(outputObject["checked"], expected))
                return NotYet($"{given} 'checked' is {outputObject["checked"]?.ToJsonString()}; it should be {expected.ToJsonString()}.");
        }
        return new ChallengeVerdict(1, true,
            $"The state machine passes every city with 24 hours and fails on a short one, naming it ({Cases.Length} inputs checked).", Name);
    }

    private static ChallengeVerdict NotYet(string message) => new(1, false, message, Name);

    /// <summary>The challenge needs no service: a Task state is refused when the definition is read.</summary>
    private sealed class NoServices : ITaskIntegrations
    {
        public static readonly NoServices Instance = new();

        public bool Supports(string resource) => false;

        public IReadOnlyList<string> Supported => [];

        public Task<TaskOutcome> StartAsync(TaskRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"The challenge calls no service, but {request.StateName} asked for {request.Resource}.");

        public Task<TaskOutcome> PollAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default) =>
            StartAsync(request, cancellationToken);

        public Task CancelAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
