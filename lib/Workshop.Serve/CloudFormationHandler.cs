using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using StreamingWorkshop.Stack;
using static StreamingWorkshop.Serve.QueryProtocol;

namespace StreamingWorkshop.Serve;

/// <summary>
/// CloudFormation on the query protocol, over the workspace's local stacks: create, update and delete a stack by its
/// template body, describe it with its events, resources and outputs, and the change sets `aws cloudformation
/// deploy` makes, waits on and executes. A stack operation finishes before its answer is sent, so a waiter's first
/// look finds it complete. Change sets live as long as the endpoint runs.
/// </summary>
internal sealed class CloudFormationHandler(LocalCloudFormation stacks, TimeProvider clock, string accountId, string region = "us-east-1")
{
    public static readonly XNamespace Namespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

    private const string NoChanges = "The submitted information didn't contain changes. Submit different information to create a change set.";

    private readonly Dictionary<string, ChangeSet> changeSets = new(StringComparer.Ordinal);

    public Task HandleAsync(HttpContext context, byte[] body) => QueryProtocol.HandleAsync(context, body, Namespace, AnswerAsync);

    private async Task<IEnumerable<object?>?> AnswerAsync(QueryRequest request)
    {
        switch (request.Action)
        {
            case "DescribeStacks":
            {
                // A deleted stack is still found by its id, as DELETE_COMPLETE, for the 90 days ListStacks lists it.
                if (request["StackName"] is { } stackId && stacks.DeletedStacks().LastOrDefault(d => d.StackId == stackId) is { } deleted)
                    return [Members("Stacks", [new object?[]
                    {
                        new XElement("StackId", deleted.StackId), new XElement("StackName", deleted.StackName), Optional("Description", DescriptionOf(deleted.TemplateBody)),
                        new XElement("CreationTime", Time(deleted.CreationTime)), new XElement("DeletionTime", Time(deleted.DeletionTime)),
                        new XElement("StackStatus", "DELETE_COMPLETE"),
                    }])];
                var names = request["StackName"] is { } one ? [Existing(one)] : stacks.ListStackNames();
                return [Members("Stacks", names.Select(name => Stack(stacks.DescribeStack(name))))];
            }
            case "ListStacks":
            {
                var wanted = request.Values("StackStatusFilter");
                if (wanted.FirstOrDefault(status => !StackStatuses.Contains(status)) is { } unknown)
                    throw new QueryFault(400, "ValidationError",
                        $"1 validation error detected: Value '[{string.Join(", ", wanted)}]' at 'stackStatusFilter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{string.Join(", ", StackStatuses)}]] ('{unknown}' is not a stack status).");
                var summaries = stacks.DescribeStacks().Where(s => wanted.Count == 0 || wanted.Contains(s.StackStatus));
                // Deleted stacks are listed for 90 days, as DELETE_COMPLETE, after the live ones.
                var deleted = stacks.DeletedStacks().Where(_ => wanted.Count == 0 || wanted.Contains("DELETE_COMPLETE"));
                return [Members("StackSummaries", summaries.Select(s => new object?[]
                {
                    new XElement("StackId", s.StackId), new XElement("StackName", s.StackName), new XElement("StackStatus", s.StackStatus),
                    new XElement("CreationTime", Time(s.CreationTime)), Optional("TemplateDescription", DescriptionOf(s.TemplateBody)),
                    s.LastUpdatedTime is { } updated ? new XElement("LastUpdatedTime", Time(updated)) : null,
                }).Concat(deleted.Select(d => new object?[]
                {
                    new XElement("StackId", d.StackId), new XElement("StackName", d.StackName), new XElement("StackStatus", "DELETE_COMPLETE"),
                    new XElement("CreationTime", Time(d.CreationTime)), Optional("TemplateDescription", DescriptionOf(d.TemplateBody)),
                    new XElement("DeletionTime", Time(d.DeletionTime)),
                })))];
            }
            case "DescribeStackEvents":
            {
                var stack = stacks.DescribeStack(Existing(request.Required("StackName")));
                // Newest first, as CloudFormation lists them.
                return [Members("StackEvents", stack.Events.Select((e, i) => (Event: e, Index: i)).Reverse().Select(x => new object?[]
                {
                    new XElement("EventId", $"{x.Event.LogicalResourceId}-{x.Event.ResourceStatus}-{x.Index:D4}"),
                    new XElement("StackName", stack.StackName), new XElement("StackId", stack.StackId),
                    new XElement("LogicalResourceId", x.Event.LogicalResourceId), Optional("PhysicalResourceId", x.Event.PhysicalResourceId),
                    new XElement("ResourceType", x.Event.ResourceType), new XElement("Timestamp", Time(x.Event.Timestamp)),
                    new XElement("ResourceStatus", x.Event.ResourceStatus), Optional("ResourceStatusReason", x.Event.ResourceStatusReason),
                }))];
            }
            case "DescribeStackResources":
            {
                var stack = stacks.DescribeStack(Existing(request.Required("StackName")));
                var logicalId = request["LogicalResourceId"];
                return [Members("StackResources", stack.Resources.Where(r => logicalId is null || r.LogicalResourceId == logicalId).Select(r => new object[]
                {
                    new XElement("StackName", stack.StackName), new XElement("StackId", stack.StackId),
                    new XElement("LogicalResourceId", r.LogicalResourceId), new XElement("PhysicalResourceId", r.PhysicalResourceId),
                    new XElement("ResourceType", r.ResourceType), new XElement("ResourceStatus", r.ResourceStatus),
                    new XElement("Timestamp", Time(LastEventOf(stack, r.LogicalResourceId))),
                }))];
            }
            case "GetTemplate":
                return [new XElement("TemplateBody", stacks.DescribeStack(Existing(request.Required("StackName"))).TemplateBody), Members("StagesAvailable", ["Original", "Processed"])];
            case "GetTemplateSummary":
            {
                var body = request["TemplateBody"] ?? (request["StackName"] is { } name ? stacks.DescribeStack(Existing(name)).TemplateBody : TemplateBodyOf(request));
                var template = TemplateReader.Parse(body);
                var resources = template["Resources"]?.AsObject() ?? [];
                return [ParametersOf(template), Optional("Description", DescriptionOf(body)), CapabilitiesOf(template),
                    Members("ResourceTypes", resources.Select(r => r.Value?["Type"]?.GetValue<string>()).OfType<string>().Distinct()),
                    Optional("Version", template["AWSTemplateFormatVersion"]?.GetValue<string>())];
            }
            case "ValidateTemplate":
            {
                var body = TemplateBodyOf(request);
                var template = TemplateReader.Parse(body);
                LocalCloudFormation.DependencyOrder(template); // a cycle is a template error before any deployment
                LocalCloudFormation.ValidateResources(template);
                var declared = (template["Parameters"] as JsonObject ?? []).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
                var resources = template["Resources"]!.AsObject();
                var unresolved = TemplateEvaluator.UnresolvedNames(resources, declared, resources)
                    .Concat(TemplateEvaluator.UnresolvedNames(template["Outputs"], declared, resources)).Distinct().ToList();
                if (unresolved.Count > 0)
                    throw new QueryFault(400, "ValidationError", $"Template format error: Unresolved resource dependencies [{string.Join(", ", unresolved)}] in the Resources block of the template");
                return [ParametersOf(template, withType: false), Optional("Description", DescriptionOf(body)), CapabilitiesOf(template)];
            }
            case "CreateStack":
            {
                var name = request.Required("StackName");
                if (stacks.StackExists(name)) throw new QueryFault(400, "AlreadyExistsException", $"Stack [{name}] already exists");
                var made = await stacks.DeployAsync(name, TemplateBodyOf(request), Overrides(request));
                return [new XElement("StackId", made.StackId)];
            }
            case "UpdateStack":
            {
                var name = Existing(request.Required("StackName"));
                var body = request["UsePreviousTemplate"] == "true" ? stacks.DescribeStack(name).TemplateBody : TemplateBodyOf(request);
                var overrides = Overrides(request);
                if (!Changes(stacks.DescribeStack(name), body, overrides)) throw new QueryFault(400, "ValidationError", "No updates are to be performed.");
                var updated = await stacks.DeployAsync(name, body, overrides);
                return [new XElement("StackId", updated.StackId)];
            }
            case "DeleteStack":
            {
                // Deleting a stack that is not there succeeds, as on AWS.
                var name = NameOf(request.Required("StackName"));
                if (stacks.StackExists(name)) await stacks.DeleteAsync(name);
                return null;
            }
            case "CreateChangeSet":
                return [.. CreateChangeSet(request)];
            case "DescribeChangeSet":
                return [.. Describe(Find(request))];
            case "ListChangeSets":
            {
                var name = NameOf(request.Required("StackName"));
                return [Members("Summaries", changeSets.Values.Where(c => c.StackName == name).Distinct().Select(c => new object?[]
                {
                    new XElement("ChangeSetId", c.Id), new XElement("ChangeSetName", c.Name), new XElement("StackId", c.StackId), new XElement("StackName", c.StackName),
                    new XElement("Status", c.Status), Optional("StatusReason", c.StatusReason), new XElement("ExecutionStatus", c.ExecutionStatus),
                    new XElement("CreationTime", Time(c.CreationTime)),
                }))];
            }
            case "ExecuteChangeSet":
            {
                var changeSet = Find(request);
                if (changeSet.ExecutionStatus != "AVAILABLE")
                    throw new QueryFault(400, "InvalidChangeSetStatus", $"ChangeSet [{changeSet.Id}] cannot be executed in its current status of [{changeSet.Status}]");
                var deployed = await stacks.DeployAsync(changeSet.StackName, changeSet.TemplateBody, changeSet.Overrides);
                changeSet.StackId = deployed.StackId;
                changeSet.ExecutionStatus = "EXECUTE_COMPLETE";
                return [];
            }
            case "DeleteChangeSet":
            {
                var changeSet = Find(request);
                changeSets.Remove(changeSet.Id);
                changeSets.Remove(ChangeSetKey(changeSet.StackName, changeSet.Name));
                return [];
            }
            default:
                throw new QueryFault(400, "InvalidAction",
                    $"CloudFormation action '{request.Action}' is not served by the local endpoint; it serves CreateStack, UpdateStack, DeleteStack, DescribeStacks, ListStacks, " +
                    "DescribeStackEvents, DescribeStackResources, GetTemplate, GetTemplateSummary, ValidateTemplate and the change set actions (Create, Describe, List, Execute, Delete).");
        }
    }

    private IEnumerable<object?> CreateChangeSet(QueryRequest request)
    {
        var stackName = request.Required("StackName");
        var changeSetName = request.Required("ChangeSetName");
        var type = request["ChangeSetType"] ?? "UPDATE";
        var body = request["UsePreviousTemplate"] == "true" ? stacks.DescribeStack(Existing(stackName)).TemplateBody : TemplateBodyOf(request);
        var overrides = Overrides(request);
        StackState? current;
        switch (type)
        {
            case "CREATE":
                if (stacks.StackExists(stackName))
                    throw new QueryFault(400, "AlreadyExistsException", $"Stack [{stackName}] already exists and cannot be created again with the changeSet [{changeSetName}].");
                current = null;
                break;
            case "UPDATE":
                current = stacks.DescribeStack(Existing(stackName));
                break;
            default:
                throw new QueryFault(400, "ValidationError", $"ChangeSetType '{type}' is not served; give CREATE or UPDATE.");
        }
        if (changeSets.ContainsKey(ChangeSetKey(stackName, changeSetName)))
            throw new QueryFault(400, "AlreadyExistsException", $"ChangeSet {changeSetName} already exists for stack {stackName}; delete it or choose another name.");
        // The template is read now, so a malformed one fails here as on AWS and not at execution.
        var template = TemplateReader.Parse(body);
        LocalCloudFormation.DependencyOrder(template);
        LocalCloudFormation.ValidateResources(template);
        var missing = (template["Parameters"]?.AsObject() ?? []).Where(p => p.Value?["Default"] is null && !overrides.ContainsKey(p.Key)
            && current?.Parameters.Any(q => q.ParameterKey == p.Key) != true).Select(p => p.Key).ToList();
        if (missing.Count > 0)
            throw new QueryFault(400, "ValidationError", $"Parameters: [{string.Join(", ", missing)}] must have values (give them with --parameter-overrides {string.Join(" ", missing.Select(m => m + "=..."))}).");
        var stackId = current?.StackId ?? $"arn:aws:cloudformation:{region}:{accountId}:stack/{stackName}/{Guid.NewGuid()}";
        var changeSet = new ChangeSet
        {
            Id = $"arn:aws:cloudformation:{region}:{accountId}:changeSet/{changeSetName}/{Guid.NewGuid()}",
            Name = changeSetName,
            StackName = stackName,
            StackId = stackId,
            TemplateBody = body,
            Overrides = overrides,
            NoEchoParameters = (template["Parameters"]?.AsObject() ?? []).Where(p => p.Value?["NoEcho"]?.GetValue<bool>() == true).Select(p => p.Key).ToHashSet(StringComparer.Ordinal),
            Capabilities = request.Values("Capabilities"),
            CreationTime = clock.GetUtcNow(), // the workspace's clock, as the stack's own times
            Changes = ResourceChanges(current, template, overrides),
        };
        if (current is not null && !Changes(current, body, overrides))
        {
            changeSet.Status = "FAILED";
            changeSet.StatusReason = NoChanges;
            changeSet.ExecutionStatus = "UNAVAILABLE";
        }
        changeSets[changeSet.Id] = changeSet;
        changeSets[ChangeSetKey(stackName, changeSetName)] = changeSet;
        return [new XElement("Id", changeSet.Id), new XElement("StackId", stackId)];
    }

    private IEnumerable<object?> Describe(ChangeSet c) =>
    [
        new XElement("ChangeSetName", c.Name), new XElement("ChangeSetId", c.Id), new XElement("StackId", c.StackId), new XElement("StackName", c.StackName),
        new XElement("CreationTime", Time(c.CreationTime)), new XElement("ExecutionStatus", c.ExecutionStatus), new XElement("Status", c.Status),
        Optional("StatusReason", c.StatusReason),
        // As DescribeStacks does, a NoEcho parameter's value is masked: the password a learner typed is never answered back.
        Members("Parameters", c.Overrides.Select(p => new object[] { new XElement("ParameterKey", p.Key), new XElement("ParameterValue", c.NoEchoParameters.Contains(p.Key) ? "****" : p.Value) })),
        Members("Capabilities", c.Capabilities),
        Members("Changes", c.Status == "FAILED" ? [] : c.Changes.Select(change => new object[]
        {
            new XElement("Type", "Resource"),
            new XElement("ResourceChange",
                new XElement("Action", change.Action), new XElement("LogicalResourceId", change.LogicalId),
                change.PhysicalId is null ? null : new XElement("PhysicalResourceId", change.PhysicalId),
                new XElement("ResourceType", change.Type),
                change.Action == "Modify" ? new XElement("Replacement", "Conditional") : null),
        })),
    ];

    private ChangeSet Find(QueryRequest request)
    {
        var name = request.Required("ChangeSetName");
        var key = name.StartsWith("arn:", StringComparison.Ordinal) ? name : ChangeSetKey(NameOf(request["StackName"] ?? ""), name);
        return changeSets.GetValueOrDefault(key) ?? throw new QueryFault(404, "ChangeSetNotFound", $"ChangeSet [{name}] does not exist");
    }

    private static string ChangeSetKey(string stackName, string changeSetName) => $"{stackName}/{changeSetName}";

    /// <summary>The resources a change set would add, modify or remove, read from the templates as written.</summary>
    private static IReadOnlyList<ResourceChange> ResourceChanges(StackState? current, JsonObject template, IReadOnlyDictionary<string, string> overrides)
    {
        // A resource that names a parameter given a new value is modified too (only direct references are followed).
        var changedParameters = overrides.Where(o => current?.Parameters.FirstOrDefault(p => p.ParameterKey == o.Key)?.ParameterValue is { } before && before != o.Value).Select(o => o.Key).ToList();
        bool UsesChangedParameter(JsonNode? definition) =>
            definition?.ToJsonString() is { } text && changedParameters.Any(p => text.Contains($"\"Ref\":\"{p}\"", StringComparison.Ordinal) || text.Contains("${" + p + "}", StringComparison.Ordinal));
        var wanted = template["Resources"]?.AsObject() ?? [];
        var before = current is null ? [] : TemplateReader.Parse(current.TemplateBody)["Resources"]?.AsObject() ?? [];
        var changes = new List<ResourceChange>();
        foreach (var (logicalId, definition) in wanted)
        {
            var type = definition?["Type"]?.GetValue<string>() ?? "";
            var physicalId = current?.Resources.FirstOrDefault(r => r.LogicalResourceId == logicalId)?.PhysicalResourceId;
            if (!before.ContainsKey(logicalId)) changes.Add(new ResourceChange("Add", logicalId, type, null));
            else if (!JsonNode.DeepEquals(before[logicalId], definition) || UsesChangedParameter(definition)) changes.Add(new ResourceChange("Modify", logicalId, type, physicalId));
        }
        foreach (var (logicalId, definition) in before.Where(b => !wanted.ContainsKey(b.Key)))
            changes.Add(new ResourceChange("Remove", logicalId, definition?["Type"]?.GetValue<string>() ?? "", current!.Resources.FirstOrDefault(r => r.LogicalResourceId == logicalId)?.PhysicalResourceId));
        return changes;
    }

    /// <summary>Whether deploying <paramref name="body"/> with <paramref name="overrides"/> would change the stack.</summary>
    private static bool Changes(StackState current, string body, IReadOnlyDictionary<string, string> overrides) =>
        current.TemplateBody != body || overrides.Any(o => current.Parameters.FirstOrDefault(p => p.ParameterKey == o.Key)?.ParameterValue != o.Value);

    /// <summary>The parameters given a value; those with UsePreviousValue keep the stack's, as the deployer does for any not given.</summary>
    private static Dictionary<string, string> Overrides(QueryRequest request) =>
        request.MemberPrefixes("Parameters")
            .Where(p => request[p + ".UsePreviousValue"] != "true")
            .ToDictionary(p => request.Required(p + ".ParameterKey"), p => request[p + ".ParameterValue"] ?? "", StringComparer.Ordinal);

    private static string TemplateBodyOf(QueryRequest request) =>
        request["TemplateBody"] ?? (request["TemplateURL"] is { } url
            ? throw new QueryFault(400, "ValidationError", $"TemplateURL {url} is not read by the local endpoint (it has no S3 of its own to fetch it from); send the template as TemplateBody (aws cloudformation deploy --template-file does).")
            : throw new QueryFault(400, "ValidationError", "Either Template URL or Template Body must be specified."));

    private string Existing(string nameOrId)
    {
        var name = NameOf(nameOrId);
        // An id names one stack: a stack made again under the same name has another id.
        var exists = stacks.StackExists(name) && (name == nameOrId || stacks.DescribeStack(name).StackId == nameOrId);
        return exists ? name : throw new QueryFault(400, "ValidationError", $"Stack with id {nameOrId} does not exist");
    }

    /// <summary>The stack statuses CloudFormation has, in its API reference's order, for ListStacks' filter.</summary>
    private static readonly string[] StackStatuses =
    [
        "CREATE_IN_PROGRESS", "CREATE_FAILED", "CREATE_COMPLETE", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED", "ROLLBACK_COMPLETE",
        "DELETE_IN_PROGRESS", "DELETE_FAILED", "DELETE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_COMPLETE", "UPDATE_FAILED", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS", "IMPORT_IN_PROGRESS",
        "IMPORT_COMPLETE", "IMPORT_ROLLBACK_IN_PROGRESS", "IMPORT_ROLLBACK_FAILED", "IMPORT_ROLLBACK_COMPLETE",
    ];

    // A stack is also named by its id, arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/GUID.
    private static string NameOf(string nameOrId) => nameOrId.StartsWith("arn:", StringComparison.Ordinal) && nameOrId.Split('/') is { Length: >= 2 } parts ? parts[1] : nameOrId;

    private static object?[] Stack(StackState s) =>
    [
        new XElement("StackId", s.StackId), new XElement("StackName", s.StackName), Optional("Description", DescriptionOf(s.TemplateBody)),
        Members("Parameters", s.Parameters.Select(p => new object[] { new XElement("ParameterKey", p.ParameterKey), new XElement("ParameterValue", p.NoEcho ? "****" : p.ParameterValue) })),
        new XElement("CreationTime", Time(s.CreationTime)),
        s.LastUpdatedTime is { } updated ? new XElement("LastUpdatedTime", Time(updated)) : null,
        new XElement("StackStatus", s.StackStatus), Optional("StackStatusReason", s.StackStatusReason),
        new XElement("DisableRollback", "false"),
        Members("Outputs", s.Outputs.Select(o => new object?[] { new XElement("OutputKey", o.OutputKey), new XElement("OutputValue", o.OutputValue), Optional("Description", o.Description) })),
        Members("Tags", []),
    ];

    private static XElement ParametersOf(JsonObject template, bool withType = true) =>
        Members("Parameters", (template["Parameters"]?.AsObject() ?? []).Select(p => new object?[]
        {
            new XElement("ParameterKey", p.Key),
            p.Value?["Default"] is { } fallback ? new XElement("DefaultValue", fallback is JsonArray list ? string.Join(",", list.Select(v => v?.ToString())) : fallback.ToString()) : null,
            withType ? new XElement("ParameterType", p.Value?["Type"]?.GetValue<string>() ?? "String") : null,
            new XElement("NoEcho", p.Value?["NoEcho"]?.GetValue<bool>() == true ? "true" : "false"),
            Optional("Description", p.Value?["Description"]?.GetValue<string>()),
        }));

    /// <summary>Named IAM resources need CAPABILITY_NAMED_IAM, other IAM resources CAPABILITY_IAM, as CloudFormation asks.</summary>
    private static object[] CapabilitiesOf(JsonObject template)
    {
        var iam = (template["Resources"]?.AsObject() ?? []).Where(r => r.Value?["Type"]?.GetValue<string>()?.StartsWith("AWS::IAM::", StringComparison.Ordinal) == true).ToList();
        if (iam.Count == 0) return [new XElement("Capabilities")];
        var named = iam.Where(r => r.Value?["Properties"]?["RoleName"] is not null).Select(r => r.Key).ToList();
        return
        [
            new XElement("Capabilities", new XElement("member", named.Count > 0 ? "CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM")),
            new XElement("CapabilitiesReason", $"The following resource(s) require capabilities: [{string.Join(", ", named.Count > 0 ? named : iam.Select(r => r.Key))}]"),
        ];
    }

    private static string? DescriptionOf(string templateBody)
    {
        try { return TemplateReader.Parse(templateBody)["Description"]?.GetValue<string>(); }
        catch (Exception error) when (error is Errors.ServiceException or FormatException or InvalidOperationException) { return null; }
    }

    private static DateTimeOffset LastEventOf(StackState stack, string logicalId) =>
        stack.Events.LastOrDefault(e => e.LogicalResourceId == logicalId)?.Timestamp ?? stack.CreationTime;

    private static XElement? Optional(string name, string? value) => value is null ? null : new XElement(name, value);

    private sealed record ResourceChange(string Action, string LogicalId, string Type, string? PhysicalId);

    private sealed class ChangeSet
    {
        public required string Id { get; init; }
        public required string Name { get; init; }
        public required string StackName { get; init; }
        public required string StackId { get; set; }
        public required string TemplateBody { get; init; }
        public required IReadOnlyDictionary<string, string> Overrides { get; init; }
        public required IReadOnlySet<string> NoEchoParameters { get; init; }
        public required IReadOnlyList<string> Capabilities { get; init; }
        public required DateTimeOffset CreationTime { get; init; }
        public required IReadOnlyList<ResourceChange> Changes { get; init; }
        public string Status { get; set; } = "CREATE_COMPLETE";
        public string? StatusReason { get; set; }
        public string ExecutionStatus { get; set; } = "AVAILABLE";
    }
}
