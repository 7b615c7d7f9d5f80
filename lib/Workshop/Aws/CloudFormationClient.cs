using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Stack;

namespace StreamingWorkshop.Aws;

/// <summary>
/// CloudFormation over the query protocol: deploy a template (by body, or from S3 past the body limit), stream
/// the stack's events while waiting, read outputs, delete (emptying buckets first only when asked).
/// </summary>
public sealed class CloudFormationClient(AwsQueryClient cloudFormation, Func<TimeSpan, CancellationToken, Task>? wait = null) : IDisposable
{
    /// <summary>CloudFormation's limit on a template passed in the request itself; larger ones go through S3.</summary>
    public const int MaxTemplateBodyBytes = 51_200;

    private static readonly string[] Capabilities = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"];
    private readonly Func<TimeSpan, CancellationToken, Task> wait = wait ?? Task.Delay;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Creates the stack, or updates it if it exists, and waits until CloudFormation is done, reporting each new
    /// stack event. Templates over <see cref="MaxTemplateBodyBytes"/> are uploaded to <paramref name="stagingBucket"/> first.
    /// </summary>
    public async Task<StackState> DeployAsync(string stackName, string templateBody, IReadOnlyDictionary<string, string> parameters,
        IProgress<StackEvent>? progress = null, (IObjectStore Store, string Bucket, string Region)? stagingBucket = null, CancellationToken cancellationToken = default)
    {
        var request = new List<KeyValuePair<string, string>> { new("StackName", stackName) };
        if (System.Text.Encoding.UTF8.GetByteCount(templateBody) <= MaxTemplateBodyBytes)
            request.Add(new("TemplateBody", templateBody));
        else
        {
            if (stagingBucket is not { } staging)
                throw new ValidationException("cloudformation", $"The template is {System.Text.Encoding.UTF8.GetByteCount(templateBody):N0} bytes, over CloudFormation's {MaxTemplateBodyBytes:N0}-byte limit for a template body; give a bucket to upload it to.");
            var key = $"templates/{stackName}-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}.yaml";
            await staging.Store.PutObjectAsync(staging.Bucket, key, System.Text.Encoding.UTF8.GetBytes(templateBody), cancellationToken);
            request.Add(new("TemplateURL", $"https://{staging.Bucket}.s3.{staging.Region}.amazonaws.com/{key}"));
        }
        AddList(request, "Capabilities", Capabilities);

        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var existing = await TryDescribeAsync(stackName, cancellationToken);
        if (existing is null || existing.StackStatus == "REVIEW_IN_PROGRESS")
        {
            AddList(request, "Parameters", parameters.Select(p => new[] { ("ParameterKey", p.Key), ("ParameterValue", p.Value) }));
            await cloudFormation.CallAsync("CreateStack", request, cancellationToken);
        }
        else
        {
            AddList(request, "Parameters", UpdateParameters(templateBody, parameters, existing));
            try
            {
                await cloudFormation.CallAsync("UpdateStack", request, cancellationToken);
            }
            catch (ValidationException e) when (e.Message.Contains(NoUpdates, StringComparison.Ordinal))
            {
                return await DescribeStackAsync(stackName, cancellationToken) with { StackStatusReason = NoUpdates };
            }
        }
        return await WaitAsync(stackName, since, progress, cancellationToken);
    }

    private const string NoUpdates = "No updates are to be performed.";

    /// <summary>
    /// An update's parameters: those given, and UsePreviousValue for every other parameter the stack has and the template
    /// still declares. UpdateStack itself gives a parameter left out its default, or refuses the update when it has none
    /// ("Parameters: [WarehousePassword] must have values"), so a deploy keeps the stack's values as the local deployer
    /// and `aws cloudformation deploy` do.
    /// </summary>
    private static IEnumerable<(string Field, string Value)[]> UpdateParameters(string templateBody, IReadOnlyDictionary<string, string> given, StackState existing)
    {
        foreach (var (key, value) in given) yield return [("ParameterKey", key), ("ParameterValue", value)];
        var declared = TemplateReader.Parse(templateBody)["Parameters"] as JsonObject ?? [];
        foreach (var previous in existing.Parameters)
            if (!given.ContainsKey(previous.ParameterKey) && declared.ContainsKey(previous.ParameterKey))
                yield return [("ParameterKey", previous.ParameterKey), ("UsePreviousValue", "true")];
    }

    /// <summary>Logical ids of the resources the stack's template keeps on deletion (DeletionPolicy Retain), read with GetTemplate.</summary>
    private async Task<HashSet<string>> RetainedResourcesAsync(string stackName, CancellationToken cancellationToken)
    {
        var reply = await cloudFormation.CallAsync("GetTemplate", [new("StackName", stackName)], cancellationToken);
        var resources = TemplateReader.Parse(reply.Text("TemplateBody") ?? "")["Resources"] as JsonObject ?? [];
        return resources.Where(r => r.Value?["DeletionPolicy"]?.GetValue<string>() is "Retain" or "RetainExceptOnCreate")
            .Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Deletes the stack and waits for it to go. Buckets that still hold objects make the deletion fail unless emptied
    /// first; a bucket the template marks DeletionPolicy Retain is never emptied, since CloudFormation keeps it anyway.
    /// </summary>
    public async Task<StackState> DeleteAsync(string stackName, IObjectStore? emptyBucketsWith, IProgress<StackEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var stack = await DescribeStackAsync(stackName, cancellationToken);
        var retained = emptyBucketsWith is null ? [] : await RetainedResourcesAsync(stackName, cancellationToken);
        if (emptyBucketsWith is not null)
            foreach (var bucket in stack.Resources.Where(r => r.ResourceType == "AWS::S3::Bucket" && r.ResourceStatus != "DELETE_COMPLETE" && !retained.Contains(r.LogicalResourceId)))
                if (await emptyBucketsWith.BucketExistsAsync(bucket.PhysicalResourceId, cancellationToken))
                    await emptyBucketsWith.EmptyBucketAsync(bucket.PhysicalResourceId, cancellationToken);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await cloudFormation.CallAsync("DeleteStack", [new("StackName", stackName)], cancellationToken);
        // Once deleted, a stack is found only by its id.
        return await WaitAsync(stack.StackId, since, progress, cancellationToken);
    }

    private async Task<StackState> WaitAsync(string stack, DateTimeOffset since, IProgress<StackEvent>? progress, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>();
        while (true)
        {
            foreach (var (id, stackEvent) in (await DescribeStackEventsAsync(stack, cancellationToken)).Where(e => e.Event.Timestamp >= since).Reverse())
                if (seen.Add(id)) progress?.Report(stackEvent);
            var status = await DescribeStatusAsync(stack, cancellationToken);
            if (!status.StackStatus.EndsWith("_IN_PROGRESS", StringComparison.Ordinal)) return await DescribeStackAsync(stack, cancellationToken);
            await wait(PollInterval, cancellationToken);
        }
    }

    /// <summary>The stack's status, parameters and outputs, or null when it does not exist.</summary>
    public async Task<StackState?> TryDescribeAsync(string stackName, CancellationToken cancellationToken = default)
    {
        try
        {
            return await DescribeStatusAsync(stackName, cancellationToken);
        }
        catch (ValidationException e) when (e.Message.Contains("does not exist", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <summary>The stack with its parameters, outputs, resources and events (newest event last, as the kit's other stacks keep them).</summary>
    public async Task<StackState> DescribeStackAsync(string stackName, CancellationToken cancellationToken = default)
    {
        var stack = await DescribeStatusAsync(stackName, cancellationToken);
        // A deleted stack is still described by id, but its resources are gone.
        var resources = stack.StackStatus == "DELETE_COMPLETE" ? new XElement("DescribeStackResourcesResult")
            : await cloudFormation.CallAsync("DescribeStackResources", [new("StackName", stack.StackId)], cancellationToken);
        var events = await DescribeStackEventsAsync(stack.StackId, cancellationToken);
        return stack with
        {
            Resources = resources.Members("StackResources").Select(r => new StackResource(r.Text("LogicalResourceId")!, r.Text("ResourceType")!,
                r.Text("PhysicalResourceId") ?? "", r.Text("ResourceStatus")!, new JsonObject(), new Dictionary<string, string>(), "Delete")).ToList(),
            Events = events.Select(e => e.Event).Reverse().ToList(),
        };
    }

    /// <summary>The stack's status, parameters and outputs: one DescribeStacks call, enough to poll or to read names from.</summary>
    private async Task<StackState> DescribeStatusAsync(string stackName, CancellationToken cancellationToken)
    {
        var result = await cloudFormation.CallAsync("DescribeStacks", [new("StackName", stackName)], cancellationToken);
        var s = result.Members("Stacks").FirstOrDefault()
            ?? throw new ValidationException("cloudformation", $"Stack with id {stackName} does not exist (DescribeStacks).");
        return new StackState
        {
            StackName = s.Text("StackName")!,
            StackId = s.Text("StackId")!,
            StackStatus = s.Text("StackStatus")!,
            StackStatusReason = s.Text("StackStatusReason"),
            TemplateBody = "",
            CreationTime = Time(s.Text("CreationTime")),
            LastUpdatedTime = s.Text("LastUpdatedTime") is { } updated ? Time(updated) : null,
            Parameters = s.Members("Parameters").Select(p => new StackParameter(p.Text("ParameterKey")!, p.Text("ParameterValue") ?? "", p.Text("ParameterValue") == "****")).ToList(),
            Outputs = s.Members("Outputs").Select(o => new StackOutput(o.Text("OutputKey")!, o.Text("OutputValue") ?? "", o.Text("Description"))).ToList(),
        };
    }

    /// <summary>The stack's events, newest first as CloudFormation lists them, with their ids.</summary>
    private async Task<IReadOnlyList<(string Id, StackEvent Event)>> DescribeStackEventsAsync(string stack, CancellationToken cancellationToken)
    {
        var result = await cloudFormation.CallAsync("DescribeStackEvents", [new("StackName", stack)], cancellationToken);
        return result.Members("StackEvents").Select(e => (e.Text("EventId") ?? "", new StackEvent(Time(e.Text("Timestamp")), e.Text("LogicalResourceId") ?? "",
            e.Text("ResourceType") ?? "", e.Text("ResourceStatus") ?? "", e.Text("ResourceStatusReason"), e.Text("PhysicalResourceId")))).ToArray();
    }

    /// <summary>The query protocol's lists: Name.member.1, Name.member.2, ... (with .Field for structures).</summary>
    private static void AddList(List<KeyValuePair<string, string>> request, string name, IEnumerable<string> values)
    {
        var i = 0;
        foreach (var value in values) request.Add(new($"{name}.member.{++i}", value));
    }

    private static void AddList(List<KeyValuePair<string, string>> request, string name, IEnumerable<(string Field, string Value)[]> structures)
    {
        var i = 0;
        foreach (var structure in structures)
        {
            i++;
            foreach (var (field, value) in structure) request.Add(new($"{name}.member.{i}.{field}", value));
        }
    }

    private static DateTimeOffset Time(string? text) =>
        text is null ? DateTimeOffset.MinValue : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public void Dispose() => cloudFormation.Dispose();
}

/// <summary>STS: who the credentials belong to, for the doctor.</summary>
public sealed class StsClient(AwsQueryClient sts) : IDisposable
{
    public async Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken = default)
    {
        XElement result = await sts.CallAsync("GetCallerIdentity", [], cancellationToken);
        return new CallerIdentity(result.Text("Account") ?? "", result.Text("Arn") ?? "", result.Text("UserId") ?? "");
    }

    public void Dispose() => sts.Dispose();
}

public sealed record CallerIdentity(string Account, string Arn, string UserId);
