using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Stack;

/// <summary>
/// CloudFormation on the local backend: the same template AWS deploys, interpreted here — parameters and their
/// constraints, conditions, mappings, pseudo parameters, intrinsic functions, resources in dependency order,
/// each built by a local provisioner. Stacks, their resources, outputs and events are kept in the workspace
/// (stacks/&lt;name&gt;.json). A failure part-way rolls back what was made; deploying the same template again
/// changes nothing; a changed template updates the stack.
/// </summary>
public sealed partial class LocalCloudFormation(WorkspaceDirectory workspace, TimeProvider clock, LocalProvisioners provisioners, string accountId = "123456789012", string region = "us-east-1") : IHtmlDisplay
{
    /// <summary>In a notebook, the local CloudFormation and its calls rather than an object tree.</summary>
    public string ToHtml() => OwnCalls.ToHtml();

    public override string ToString() => OwnCalls.ToString();

    private static readonly CallsView OwnCalls = new("workshop.Local.Stacks: the local CloudFormation, deploying into the workspace (local backend only)", [
        ("ListStackNames()", "ListStacks: the stacks that exist"),
        ("DescribeStacks()", "DescribeStacks: every stack"),
        ("DescribeStack(stackName)", "DescribeStacks: one stack, with its resources and events"),
        ("DeployAsync(stackName, templateBody)", "CreateStack or UpdateStack"),
        ("DeleteAsync(stackName)", "DeleteStack"),
        ("DeletedStacks()", "ListStacks: the stacks deleted in the last 90 days (DELETE_COMPLETE)"),
        ("ResourcesOfType(resourceType)", "none: every stack's resources of one type (AWS::S3::Bucket, ...)"),
    ], "The day's stack is workshop.Names.StackName; workshop.Stack has the kit's shorter calls for it.");

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public bool StackExists(string stackName) => File.Exists(StackFile(stackName));

    /// <summary>The stacks in the workspace, by name in ordinal order.</summary>
    public IReadOnlyList<string> ListStackNames()
    {
        var folder = workspace.Resolve("stacks");
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Where(name => StackNamePattern().IsMatch(name)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every stack in the workspace, by name.</summary>
    public IReadOnlyList<StackState> DescribeStacks() => ListStackNames().Select(DescribeStack).ToList();

    /// <summary>How long ListStacks keeps listing a deleted stack, as CloudFormation does.</summary>
    public static readonly TimeSpan DeletedStacksListedFor = TimeSpan.FromDays(90);

    /// <summary>
    /// The stacks deleted in the last 90 days of the workspace's clock, oldest deletion first: ListStacks lists them as
    /// DELETE_COMPLETE, while DescribeStacks by name finds them no more.
    /// </summary>
    public IReadOnlyList<DeletedStack> DeletedStacks()
    {
        var folder = workspace.Resolve("stacks", "deleted");
        if (!Directory.Exists(folder)) return [];
        var since = clock.GetUtcNow() - DeletedStacksListedFor;
        var deleted = new List<DeletedStack>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            try
            {
                if (WorkspaceJson.Read<DeletedStack>(file, JsonOptions) is { DeletionTime: var at } stack && at >= since) deleted.Add(stack);
            }
            catch (JsonException)
            {
                // A summary cut short by a killed process lists nothing.
            }
        }
        return deleted.OrderBy(d => d.DeletionTime).ToList();
    }

    /// <summary>Every resource of <paramref name="resourceType"/> in the workspace's stacks, with the stack that made it, by physical id.</summary>
    public IReadOnlyList<(StackState Stack, StackResource Resource)> ResourcesOfType(string resourceType) =>
        DescribeStacks().SelectMany(stack => stack.Resources.Where(r => r.ResourceType == resourceType).Select(r => (stack, r)))
            .OrderBy(pair => pair.r.PhysicalResourceId, StringComparer.Ordinal).ToList();

    public StackState DescribeStack(string stackName)
    {
        var path = StackFile(stackName);
        if (!File.Exists(path))
            throw new ValidationException("cloudformation", $"Stack with id {stackName} does not exist. Deploy it first with 'workshop deploy --stack-name {stackName}'.");
        return WorkspaceJson.Read<StackState>(path, JsonOptions)!;
    }

    /// <summary>Deploys the stack only if it does not exist yet (checked under the lock, so two processes do not both create it).</summary>
    public async Task<StackState> EnsureStackAsync(string stackName, string templateBody, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        using (AcquireLock())
        {
            if (StackExists(stackName)) return DescribeStack(stackName);
        }
        return await DeployAsync(stackName, templateBody, parameters, cancellationToken, onlyIfMissing: true);
    }

    /// <summary>Creates the stack, or updates it when the template or parameters changed; returns the stack as it ends.</summary>
    public async Task<StackState> DeployAsync(string stackName, string templateBody, IReadOnlyDictionary<string, string>? parameterOverrides = null, CancellationToken cancellationToken = default, bool onlyIfMissing = false)
    {
        // One deployment at a time per workspace, across processes, as CloudFormation serialises stack operations.
        using var gate = AcquireLock();
        _ = StackFile(stackName); // a bad stack name is refused before the template is read
        if (onlyIfMissing && StackExists(stackName)) return DescribeStack(stackName);
        var template = TemplateReader.Parse(templateBody);
        var previous = StackExists(stackName) ? DescribeStack(stackName) : null;
        if (previous is { StackStatus: "ROLLBACK_COMPLETE" or "ROLLBACK_FAILED" or "DELETE_FAILED" })
            throw new ValidationException("cloudformation", $"Stack:{previous.StackId} is in {previous.StackStatus} state and can not be updated. {StackStatuses.WayOut(stackName, previous.StackStatusReason)}");
        var parameters = ResolveParameters(template, parameterOverrides ?? new Dictionary<string, string>(), previous);
        var order = DependencyOrder(template);
        ValidateResources(template);

        var stackId = previous?.StackId ?? $"arn:aws:cloudformation:{region}:{accountId}:stack/{stackName}/{Guid.NewGuid()}";
        var parameterList = parameters.Select(p => new StackParameter(p.Key, ParameterText(p.Value), template["Parameters"]?[p.Key]?["NoEcho"]?.GetValue<bool>() == true)).ToList();
        if (previous is not null && previous.TemplateBody == templateBody && SameParameters(previous.Parameters, parameterList))
        {
            return previous with { StackStatusReason = "No updates are to be performed." };
        }

        var updating = previous is not null;
        var state = new StackState
        {
            StackName = stackName,
            StackId = stackId,
            StackStatus = updating ? "UPDATE_IN_PROGRESS" : "CREATE_IN_PROGRESS",
            TemplateBody = templateBody,
            Parameters = parameterList,
            CreationTime = previous?.CreationTime ?? clock.GetUtcNow(),
            LastUpdatedTime = updating ? clock.GetUtcNow() : null,
            Events = previous?.Events.ToList() ?? [],
            Resources = previous?.Resources.ToList() ?? [],
        };
        Event(state, stackName, "AWS::CloudFormation::Stack", state.StackStatus, updating ? "User Initiated" : "User Initiated", stackId);
        Save(state);

        var pseudo = PseudoParameters(stackName, stackId);
        var evaluator = new TemplateEvaluator(template, parameters, pseudo, logicalId =>
            state.Resources.FirstOrDefault(r => r.LogicalResourceId == logicalId) is { } made ? new ResourceValues(made.PhysicalResourceId, made.Attributes) : null);
        var resources = template["Resources"]!.AsObject();
        var madeNow = new List<StackResource>();
        var replaced = new List<StackResource>();
        try
        {
            foreach (var logicalId in order)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var definition = resources[logicalId]!.AsObject();
                if (definition["Condition"] is JsonValue condition && !evaluator.Condition(condition.GetValue<string>())) continue;
                var type = definition["Type"]!.GetValue<string>();
                var properties = evaluator.Evaluate(definition["Properties"] ?? new JsonObject()) as JsonObject ?? new JsonObject();
                var deletionPolicy = definition["DeletionPolicy"]?.GetValue<string>() ?? "Delete";
                var existing = state.Resources.FirstOrDefault(r => r.LogicalResourceId == logicalId);
                if (existing is not null && existing.ResourceType == type && JsonNode.DeepEquals(existing.Properties, properties))
                {
                    // A changed DeletionPolicy alone touches no resource, but the next deletion follows the new one.
                    if (existing.DeletionPolicy != deletionPolicy)
                        state.Resources[state.Resources.IndexOf(existing)] = existing with { DeletionPolicy = deletionPolicy };
                    continue;
                }

                var action = existing is null ? "CREATE" : "UPDATE";
                Event(state, logicalId, type, $"{action}_IN_PROGRESS", null, existing?.PhysicalResourceId);
                CheckProperties(logicalId, type, properties);
                if (existing is not null)
                {
                    await provisioners.DeleteAsync(existing, emptyBuckets: false, replacing: true, cancellationToken);
                    state.Resources.Remove(existing);
                    replaced.Add(existing);
                }
                var made = await provisioners.CreateAsync(new ProvisionRequest(stackName, logicalId, type, properties, deletionPolicy), cancellationToken);
                state.Resources.Add(made);
                madeNow.Add(made);
                Event(state, logicalId, type, $"{action}_COMPLETE", null, made.PhysicalResourceId);
                Save(state);
            }

            // Resources no longer in the template go, newest first.
            foreach (var gone in state.Resources.Where(r => !resources.ContainsKey(r.LogicalResourceId) || SkippedByCondition(resources, r.LogicalResourceId, evaluator)).Reverse().ToList())
            {
                Event(state, gone.LogicalResourceId, gone.ResourceType, "DELETE_IN_PROGRESS", null, gone.PhysicalResourceId);
                await provisioners.DeleteAsync(gone, emptyBuckets: false, replacing: false, cancellationToken);
                state.Resources.Remove(gone);
                Event(state, gone.LogicalResourceId, gone.ResourceType, DeletionPolicies.KeepsOnDelete(gone.DeletionPolicy) ? "DELETE_SKIPPED" : "DELETE_COMPLETE", null, gone.PhysicalResourceId);
            }

            state.Outputs.Clear();
            foreach (var (key, output) in template["Outputs"]?.AsObject() ?? [])
            {
                if (output?["Condition"] is JsonValue condition && !evaluator.Condition(condition.GetValue<string>())) continue;
                state.Outputs.Add(new StackOutput(key, TemplateEvaluator.Text(evaluator.Evaluate(output!["Value"]), key), output["Description"]?.GetValue<string>()));
            }
            state.Outputs.AddRange(provisioners.LocalOutputs(state.Resources).Where(extra => state.Outputs.All(o => o.OutputKey != extra.OutputKey)));
            var done = updating ? "UPDATE_COMPLETE" : "CREATE_COMPLETE";
            var finished = state with { StackStatus = done };
            Event(finished, stackName, "AWS::CloudFormation::Stack", done, null, stackId);
            Save(finished);
            return finished;
        }
        catch (Exception error) when (error is ServiceException or ArgumentException or FormatException or InvalidOperationException)
        {
            var failedId = state.Events.Last().LogicalResourceId;
            var failedType = state.Events.Last().ResourceType;
            var reason = error is ServiceException service ? service.Message : error.Message;
            Event(state, failedId, failedType, updating ? "UPDATE_FAILED" : "CREATE_FAILED", reason, null);
            var rollback = updating ? "UPDATE_ROLLBACK" : "ROLLBACK";
            Event(state, stackName, "AWS::CloudFormation::Stack", $"{rollback}_IN_PROGRESS",
                $"The following resource(s) failed to {(updating ? "update" : "create")}: [{failedId}]. Rollback requested by user.", stackId);
            foreach (var made in madeNow.AsEnumerable().Reverse())
            {
                // A resource this operation created with DeletionPolicy Retain outlives the rollback, as on AWS;
                // RetainExceptOnCreate and Delete let it go. A replacement goes either way: the old one comes back below.
                if (DeletionPolicies.KeepsOnRollback(made.DeletionPolicy) && replaced.All(old => old.LogicalResourceId != made.LogicalResourceId))
                {
                    state.Resources.Remove(made);
                    Event(state, made.LogicalResourceId, made.ResourceType, "DELETE_SKIPPED", $"DeletionPolicy is {made.DeletionPolicy}: the resource is kept.", made.PhysicalResourceId);
                    continue;
                }
                Event(state, made.LogicalResourceId, made.ResourceType, "DELETE_IN_PROGRESS", null, made.PhysicalResourceId);
                await provisioners.DeleteAsync(made, emptyBuckets: true, replacing: true, CancellationToken.None);
                state.Resources.Remove(made);
                Event(state, made.LogicalResourceId, made.ResourceType, "DELETE_COMPLETE", null, made.PhysicalResourceId);
            }
            foreach (var old in replaced)
            {
                state.Resources.Add(await provisioners.CreateAsync(new ProvisionRequest(stackName, old.LogicalResourceId, old.ResourceType, old.Properties, old.DeletionPolicy), CancellationToken.None));
            }
            var status = updating ? "UPDATE_ROLLBACK_COMPLETE" : "ROLLBACK_COMPLETE";
            var rolledBack = state with
            {
                StackStatus = status,
                StackStatusReason = $"{failedId}: {reason}",
                TemplateBody = previous?.TemplateBody ?? state.TemplateBody,
                Parameters = previous?.Parameters ?? state.Parameters,
                Outputs = previous?.Outputs ?? [],
            };
            Event(rolledBack, stackName, "AWS::CloudFormation::Stack", status, null, stackId);
            Save(rolledBack);
            return rolledBack;
        }
    }

    /// <summary>Deletes a stack's resources, newest first. DeletionPolicy Retain or RetainExceptOnCreate keeps a resource; a bucket with objects stops the deletion unless <paramref name="emptyBuckets"/>.</summary>
    public async Task<StackState> DeleteAsync(string stackName, bool emptyBuckets = false, CancellationToken cancellationToken = default)
    {
        using var gate = AcquireLock();
        // A mistyped name finds nothing to delete: name the stacks there are, not the way to deploy the one asked for.
        if (!StackExists(stackName))
        {
            var stacks = ListStackNames();
            throw new ValidationException("cloudformation", $"Stack with id {stackName} does not exist, so there is nothing to delete. " + (stacks.Count == 0
                ? "No stack is deployed in this workspace."
                : $"The stacks deployed here: {string.Join(", ", stacks)}; give one with --stack-name."));
        }
        var state = DescribeStack(stackName) with { StackStatus = "DELETE_IN_PROGRESS" };
        Event(state, stackName, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated", state.StackId);
        foreach (var resource in state.Resources.AsEnumerable().Reverse().ToList())
        {
            if (DeletionPolicies.KeepsOnDelete(resource.DeletionPolicy))
            {
                state.Resources.Remove(resource);
                Event(state, resource.LogicalResourceId, resource.ResourceType, "DELETE_SKIPPED", $"DeletionPolicy is {resource.DeletionPolicy}: the resource is kept.", resource.PhysicalResourceId);
                continue;
            }
            Event(state, resource.LogicalResourceId, resource.ResourceType, "DELETE_IN_PROGRESS", null, resource.PhysicalResourceId);
            try
            {
                await provisioners.DeleteAsync(resource, emptyBuckets, replacing: false, cancellationToken);
            }
            catch (ServiceException error)
            {
                // The way out names this stack: the kit's destroy empties the buckets of the stack it is given.
                var reason = error.ErrorCode == "BucketNotEmpty"
                    ? $"{error.ErrorCode}: {error.Message} Or delete the stack with its buckets' objects: workshop destroy --stack-name {stackName} --empty-buckets."
                    : $"{error.ErrorCode}: {error.Message}";
                Event(state, resource.LogicalResourceId, resource.ResourceType, "DELETE_FAILED", reason, resource.PhysicalResourceId);
                var failed = state with { StackStatus = "DELETE_FAILED", StackStatusReason = $"The following resource(s) failed to delete: [{resource.LogicalResourceId}]. {reason}" };
                Event(failed, stackName, "AWS::CloudFormation::Stack", "DELETE_FAILED", failed.StackStatusReason, state.StackId);
                Save(failed);
                return failed;
            }
            state.Resources.Remove(resource);
            Event(state, resource.LogicalResourceId, resource.ResourceType, "DELETE_COMPLETE", null, resource.PhysicalResourceId);
        }
        var deleted = state with { StackStatus = "DELETE_COMPLETE" };
        Event(deleted, stackName, "AWS::CloudFormation::Stack", "DELETE_COMPLETE", null, state.StackId);
        // A summary stays for ListStacks, named by the stack's id, since a name can be used again by a new stack.
        var summary = new DeletedStack(state.StackId, stackName, state.TemplateBody, state.CreationTime, clock.GetUtcNow());
        workspace.WriteAtomically(workspace.Resolve("stacks", "deleted", $"{stackName}-{state.StackId[(state.StackId.LastIndexOf('/') + 1)..]}.json"),
            JsonSerializer.SerializeToUtf8Bytes(summary, JsonOptions));
        File.Delete(StackFile(stackName));
        return deleted;
    }

    private bool SkippedByCondition(JsonObject resources, string logicalId, TemplateEvaluator evaluator) =>
        resources[logicalId]?["Condition"] is JsonValue condition && !evaluator.Condition(condition.GetValue<string>());

    private static void CheckProperties(string logicalId, string type, JsonObject properties)
    {
        var shape = ResourceTypes.Supported[type];
        foreach (var (name, _) in properties)
        {
            if (!shape.Properties.Contains(name)) throw NestedPropertyShapes.ExtraneousKey(logicalId, "#", name, shape.Properties);
        }
        foreach (var required in shape.Required.Where(r => !properties.ContainsKey(r)))
            throw NestedPropertyShapes.RequiredKey(logicalId, "#", required);
        NestedPropertyShapes.Check(logicalId, type, properties);
    }

    /// <summary>Every resource's type must be one the local deployer can build; the message lists them.</summary>
    public static void ValidateResources(JsonObject template)
    {
        foreach (var (logicalId, definition) in template["Resources"]!.AsObject())
        {
            var type = definition?["Type"]?.GetValue<string>()
                       ?? throw new ValidationException("cloudformation", $"Template format error: [/Resources/{logicalId}] Every Resources object must contain a Type member.");
            if (!ResourceTypes.Supported.ContainsKey(type))
                throw new ValidationException("cloudformation",
                    $"Resource {logicalId} has type {type}, which the local deployer does not build. Supported types: {string.Join(", ", ResourceTypes.Supported.Keys)}.");
            if (DeletionPolicies.Problem(logicalId, type, definition!["DeletionPolicy"], definition["UpdateReplacePolicy"]) is { } policyProblem)
                throw new ValidationException("cloudformation", policyProblem);
        }
    }

    /// <summary>Resources in an order where everything a resource refers to (Ref, GetAtt, Sub, DependsOn) comes first.</summary>
    public static IReadOnlyList<string> DependencyOrder(JsonObject template)
    {
        var resources = template["Resources"]!.AsObject();
        var dependsOn = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (logicalId, definition) in resources)
        {
            var needs = TemplateEvaluator.ReferencedResources(definition?["Properties"], resources).ToHashSet(StringComparer.Ordinal);
            switch (definition?["DependsOn"])
            {
                case JsonValue single: needs.Add(single.GetValue<string>()); break;
                case JsonArray list: foreach (var item in list) needs.Add(item!.GetValue<string>()); break;
            }
            foreach (var missing in needs.Where(n => !resources.ContainsKey(n)))
                throw new ValidationException("cloudformation", $"Template format error: Unresolved resource dependencies [{missing}] in the Resources block of the template (referred to by {logicalId}).");
            dependsOn[logicalId] = needs;
        }
        var order = new List<string>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        void Visit(string id, Stack<string> path)
        {
            if (state.GetValueOrDefault(id) == 2) return;
            if (state.GetValueOrDefault(id) == 1)
            {
                var cycle = path.Reverse().SkipWhile(p => p != id).Append(id);
                throw new ValidationException("cloudformation", $"Circular dependency between resources: [{string.Join(", ", cycle.Distinct())}] ({string.Join(" -> ", cycle)}).");
            }
            state[id] = 1;
            path.Push(id);
            foreach (var need in dependsOn[id].Order(StringComparer.Ordinal)) Visit(need, path);
            path.Pop();
            state[id] = 2;
            order.Add(id);
        }
        foreach (var id in resources.Select(r => r.Key)) Visit(id, new Stack<string>());
        return order;
    }

    private Dictionary<string, JsonNode> ResolveParameters(JsonObject template, IReadOnlyDictionary<string, string> overrides, StackState? previous)
    {
        var declared = template["Parameters"] as JsonObject ?? new JsonObject();
        foreach (var key in overrides.Keys.Where(k => !declared.ContainsKey(k)))
            throw new ValidationException("cloudformation", $"Parameters: [{key}] do not exist in the template. The template declares: {string.Join(", ", declared.Select(d => d.Key))}.");
        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (name, definition) in declared)
        {
            var text = overrides.TryGetValue(name, out var given) ? given
                : previous?.Parameters.FirstOrDefault(p => p.ParameterKey == name)?.ParameterValue
                  ?? (definition?["Default"] is { } fallback ? TemplateEvaluator.Text(fallback is JsonArray a ? JsonValue.Create(string.Join(",", a)) : fallback, name) : null);
            if (text is null) { missing.Add(name); continue; }
            var type = definition?["Type"]?.GetValue<string>() ?? "String";
            var masked = definition?["NoEcho"]?.GetValue<bool>() == true ? "****" : $"'{text}'";
            if (definition?["AllowedValues"] is JsonArray allowed && !allowed.Any(v => TemplateEvaluator.Text(v, name) == text))
                throw new ValidationException("cloudformation", $"Parameter '{name}' must be one of AllowedValues: {string.Join(", ", allowed.Select(v => TemplateEvaluator.Text(v, name)))}; it was {masked}.");
            if (definition?["AllowedPattern"]?.GetValue<string>() is { } pattern && !MatchesAllowedPattern(name, pattern, text))
                throw new ValidationException("cloudformation", $"Parameter '{name}' must match pattern {pattern}; it was {masked}. {definition?["ConstraintDescription"]?.GetValue<string>()}".Trim());
            if (definition?["MinLength"] is JsonValue min && text.Length < (long)min.GetValue<long>())
                throw new ValidationException("cloudformation", $"Parameter '{name}' must contain at least {min} characters. {definition?["ConstraintDescription"]?.GetValue<string>()}".Trim());
            if (definition?["MaxLength"] is JsonValue max && text.Length > (long)max.GetValue<long>())
                throw new ValidationException("cloudformation", $"Parameter '{name}' must contain at most {max} characters.");
            if (type == "Number" && !double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _))
                throw new ValidationException("cloudformation", $"Parameter '{name}' must be a number; it was {masked}.");
            if (type == "Number" && definition?["MaxValue"] is JsonValue most && double.TryParse(TemplateEvaluator.Text(most, name), System.Globalization.CultureInfo.InvariantCulture, out var maxValue)
                && double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) > maxValue)
                throw new ValidationException("cloudformation", $"Parameter '{name}' must be a number not greater than {TemplateEvaluator.Text(most, name)}; it was {masked}. {definition?["ConstraintDescription"]?.GetValue<string>()}".Trim());
            if (type == "Number" && definition?["MinValue"] is JsonValue least && double.TryParse(TemplateEvaluator.Text(least, name), System.Globalization.CultureInfo.InvariantCulture, out var minValue)
                && double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) < minValue)
                throw new ValidationException("cloudformation", $"Parameter '{name}' must be a number not less than {TemplateEvaluator.Text(least, name)}; it was {masked}. {definition?["ConstraintDescription"]?.GetValue<string>()}".Trim());
            values[name] = type == "CommaDelimitedList"
                ? new JsonArray(text.Split(',').Select(s => (JsonNode?)JsonValue.Create(s.Trim())).ToArray())
                : JsonValue.Create(text)!;
        }
        if (missing.Count > 0)
            throw new ValidationException("cloudformation", $"Parameters: [{string.Join(", ", missing)}] must have values. Give them with --parameter Name=value.");
        return values;
    }

    private Dictionary<string, string> PseudoParameters(string stackName, string stackId) => new(StringComparer.Ordinal)
    {
        ["AWS::Region"] = region,
        ["AWS::AccountId"] = accountId,
        ["AWS::StackName"] = stackName,
        ["AWS::StackId"] = stackId,
        ["AWS::Partition"] = "aws",
        ["AWS::URLSuffix"] = "amazonaws.com",
        ["AWS::NotificationARNs"] = "",
    };

    private static string ParameterText(JsonNode value) => value is JsonArray list ? string.Join(",", list.Select(v => v!.GetValue<string>())) : value.GetValue<string>();

    private static bool SameParameters(IReadOnlyList<StackParameter> a, IReadOnlyList<StackParameter> b) =>
        a.Count == b.Count && a.All(p => b.Any(q => q.ParameterKey == p.ParameterKey && q.ParameterValue == p.ParameterValue));

    private void Event(StackState state, string logicalId, string type, string status, string? reason, string? physicalId) =>
        state.Events.Add(new StackEvent(clock.GetUtcNow(), logicalId, type, status, reason, physicalId));

    private void Save(StackState state) =>
        workspace.WriteAtomically(StackFile(state.StackName), JsonSerializer.SerializeToUtf8Bytes(state, JsonOptions));

    private FileStream AcquireLock()
    {
        var path = Path.Combine(workspace.EnsureFolder("stacks"), ".lock");
        var deadline = Environment.TickCount64 + 120_000;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1); }
            catch (IOException) when (Environment.TickCount64 < deadline) { Thread.Sleep(20); }
        }
    }

    private string StackFile(string stackName)
    {
        // The name becomes a file name, so it is checked before any path is made from it.
        if (string.IsNullOrEmpty(stackName) || !StackNamePattern().IsMatch(stackName))
            throw new ValidationException("cloudformation", $"1 validation error detected: Value '{stackName.Replace("\0", "\\0")}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]* (at most 128 characters).");
        return workspace.Resolve("stacks", stackName + ".json");
    }

    /// <summary>How long a parameter's AllowedPattern may take to match: a pattern comes from the template, and one like ^(a+)+$ would otherwise run for hours.</summary>
    public static readonly TimeSpan PatternMatchTimeout = TimeSpan.FromMilliseconds(250);

    private static bool MatchesAllowedPattern(string parameter, string pattern, string value)
    {
        Regex regex;
        try
        {
            regex = new Regex("^(?:" + pattern.TrimStart('^').TrimEnd('$') + ")$", RegexOptions.CultureInvariant, PatternMatchTimeout);
        }
        catch (ArgumentException error)
        {
            throw new ValidationException("cloudformation", $"Template format error: Parameter '{parameter}' has an AllowedPattern that is not a regular expression ({error.Message}). Correct the pattern.");
        }
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new ValidationException("cloudformation", $"Template format error: Parameter '{parameter}' has an AllowedPattern ({pattern}) that takes too long to match (over {PatternMatchTimeout.TotalMilliseconds:0} ms); write it without nested repetition such as (a+)+.");
        }
    }

    [GeneratedRegex("^[a-zA-Z][-a-zA-Z0-9]{0,127}$")]
    private static partial Regex StackNamePattern();
}
