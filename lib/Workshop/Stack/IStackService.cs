using System.Text.RegularExpressions;
using StreamingWorkshop.Display;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Stack;

/// <summary>
/// Deploying, describing and deleting stacks, as CloudFormation does: locally by <see cref="LocalCloudFormation"/>
/// in the workspace, on AWS by the CloudFormation API.
/// </summary>
public interface IStackService
{
    /// <summary>The stack as described now, or null when it does not exist.</summary>
    Task<StackState?> TryDescribeAsync(string stackName, CancellationToken cancellationToken = default);

    /// <summary>The stack as described now; ValidationError when it does not exist.</summary>
    Task<StackState> DescribeAsync(string stackName, CancellationToken cancellationToken = default);

    /// <summary>Creates the stack, or updates it when the template or parameters changed, and waits for the end.</summary>
    Task<StackState> DeployAsync(string stackName, string templateBody, IReadOnlyDictionary<string, string> parameters,
        IProgress<StackEvent>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes the stack; buckets that still hold objects stop it unless <paramref name="emptyBuckets"/>.</summary>
    Task<StackState> DeleteAsync(string stackName, bool emptyBuckets, IProgress<StackEvent>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The workshop's stack, ready for the pipeline to use. Where a learner's first call may come before any deployment
    /// (the local backend) it is deployed now, with a notice; elsewhere a missing or failed stack is an error saying how to deploy.
    /// </summary>
    Task<StackState> ReadyWorkshopStackAsync(string stackName, Action<string>? notice, CancellationToken cancellationToken = default);

    /// <summary>True when <see cref="DeployAsync"/> reports each event as it happens; otherwise the events are read afterwards.</summary>
    bool ReportsEventsAsTheyHappen { get; }

    /// <summary>What each output is on this backend (a folder to open, a command to run), shown beside its value; empty when the value says it all.</summary>
    IReadOnlyDictionary<string, string> OutputHints(StackState stack);
}

/// <summary>The stack stage on the local backend: <see cref="LocalCloudFormation"/> deploying into the workspace.</summary>
public sealed class LocalStackService(LocalCloudFormation stacks, WorkspaceDirectory workspace) : IStackService, IHtmlDisplay
{
    /// <summary>In a notebook, the stack stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Stack.ToHtml();

    public override string ToString() => StageCalls.Stack.ToString();

    public Task<StackState?> TryDescribeAsync(string stackName, CancellationToken cancellationToken = default) =>
        Task.FromResult(stacks.StackExists(stackName) ? stacks.DescribeStack(stackName) : null);

    public Task<StackState> DescribeAsync(string stackName, CancellationToken cancellationToken = default) =>
        Task.FromResult(stacks.DescribeStack(stackName));

    public Task<StackState> DeployAsync(string stackName, string templateBody, IReadOnlyDictionary<string, string> parameters,
        IProgress<StackEvent>? progress = null, CancellationToken cancellationToken = default) =>
        stacks.DeployAsync(stackName, templateBody, parameters, cancellationToken);

    public Task<StackState> DeleteAsync(string stackName, bool emptyBuckets, IProgress<StackEvent>? progress = null, CancellationToken cancellationToken = default) =>
        stacks.DeleteAsync(stackName, emptyBuckets, cancellationToken);

    public async Task<StackState> ReadyWorkshopStackAsync(string stackName, Action<string>? notice, CancellationToken cancellationToken = default)
    {
        var exists = stacks.StackExists(stackName);
        // Only a workspace that never had the stack gets it by itself. After 'workshop destroy' a command that merely reads
        // (lake ls, say) must not deploy again: the lake bucket the stack kept would fail that deployment and leave it rolled back.
        if (!exists && stacks.DeletedStacks().LastOrDefault(d => d.StackName == stackName) is { } deleted)
            throw new StreamingWorkshop.Errors.StackNotDeployedException($"The stack '{stackName}' was deleted at {deleted.DeletionTime.UtcDateTime:yyyy-MM-dd HH:mm} UTC " +
                "(workshop destroy), so it is not deployed again by itself: deploy it with 'workshop deploy', after 'workshop reset' where the " +
                "lake bucket it kept is still there, since a new stack cannot create a bucket that exists.");
        // Another process may be deploying it right now; EnsureStackAsync waits for that deployment under the lock.
        if (!exists || stacks.DescribeStack(stackName).StackStatus.EndsWith("_IN_PROGRESS", StringComparison.Ordinal))
        {
            // Every name the pipeline uses comes from a stack, as on AWS, so the first call deploys the workshop's own.
            if (!exists) notice?.Invoke($"No stack deployed in this workspace: deploying the workshop template as stack '{stackName}' ...");
            var created = await stacks.EnsureStackAsync(stackName, TemplateReader.WorkshopTemplate(), WorkshopSession.LocalDefaultParameters(), cancellationToken);
            // Deployments take the workspace's lock, so one still in progress under it was interrupted (stopped or killed).
            if (created.StackStatus.EndsWith("_IN_PROGRESS", StringComparison.Ordinal))
                throw new InvalidOperationException($"The workshop stack {stackName} was left {created.StackStatus} by a deployment that was interrupted. Run 'workshop destroy --stack-name {stackName} --empty-buckets' (the data lake is kept), then deploy again ('workshop deploy').");
            if (created.StackStatus is not ("CREATE_COMPLETE" or "UPDATE_COMPLETE"))
                throw new InvalidOperationException($"The workshop stack {stackName} did not deploy ({created.StackStatus}): {created.StackStatusReason} {StackStatuses.WayOut(stackName, created.StackStatusReason)}");
        }
        var stack = stacks.DescribeStack(stackName);
        if (!StackStatuses.IsUsable(stack.StackStatus))
            throw new InvalidOperationException($"Stack {stackName} is {stack.StackStatus}: {stack.StackStatusReason} {StackStatuses.WayOut(stackName, stack.StackStatusReason)}");
        return stack;
    }

    public bool ReportsEventsAsTheyHappen => false;

    public IReadOnlyDictionary<string, string> OutputHints(StackState stack)
    {
        string Folder(params string[] parts) => workspace.Resolve(parts);
        return new Dictionary<string, string>
        {
            ["DataLakeBucketURL"] = $"{Folder("lake", stack.Output("DataLakeBucketName") ?? "")} · workshop lake ls",
            ["AthenaResultsBucketURL"] = $"{Folder("lake", stack.Output("AthenaResultsBucketName") ?? "")} · workshop lake ls --bucket {stack.Output("AthenaResultsBucketName")}",
            ["LambdaFunctionURL"] = "workshop logs producer (the C# producer runs the function locally)",
            ["KinesisStreamURL"] = "workshop stream describe · workshop stream peek",
            ["KinesisFirehoseURL"] = $"{Folder("delivery", stack.Output("DeliveryStreamName") ?? "", "config.json")}",
            ["GlueDatabaseURL"] = $"{Folder("catalog", stack.Output("GlueDatabaseName") ?? "")} · workshop catalog tables",
            ["RedshiftClusterURL"] = $"{Folder("warehouse", (stack.Output("WarehouseClusterIdentifier") ?? "") + ".duckdb")} (the cluster's database file) · workshop warehouse tables",
        };
    }
}

/// <summary>The stack states in which the pipeline's resources are in place, and the way on from the others.</summary>
public static partial class StackStatuses
{
    public static bool IsUsable(string status) => status is "CREATE_COMPLETE" or "UPDATE_COMPLETE" or "UPDATE_ROLLBACK_COMPLETE";

    /// <summary>
    /// The next step for a stack that failed or rolled back, from its reason. Deleting it and deploying again mends most
    /// failures, but not a bucket that a stack deleted earlier kept (its DeletionPolicy): a new stack cannot create a
    /// bucket that exists, so every deployment would fail the same way until the bucket is gone.
    /// </summary>
    public static string WayOut(string stackName, string? reason)
    {
        if (KeptBucket().Match(reason ?? "") is not { Success: true } kept)
            return $"Run 'workshop destroy --stack-name {stackName} --empty-buckets' (the data lake is kept), then deploy again.";
        var bucket = kept.Groups["bucket"].Value;
        return $"The bucket {bucket} is still there, kept when the stack was deleted before (its DeletionPolicy keeps it), and a new stack " +
               "cannot create a bucket that exists. Locally, start afresh with 'workshop reset' (it deletes the workspace, the lake " +
               $"with it), then deploy; on AWS, delete this failed stack and empty and delete the bucket ('aws s3 rb s3://{bucket} --force') first.";
    }

    // The local lake's answer when a stack creates a bucket that is already there (S3's BucketAlreadyOwnedByYou).
    [GeneratedRegex(@"you already own it: (?<bucket>[a-z0-9][a-z0-9.-]*[a-z0-9])")]
    private static partial Regex KeptBucket();
}
