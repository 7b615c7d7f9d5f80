using StreamingWorkshop.Aws;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop;

/// <summary>
/// The kit's front door. A notebook starts with <c>var workshop = await Workshop.ConnectAsync();</c> and then
/// reaches every stage through the session: producer, stream, delivery, lake, catalog, queries and the simulated day.
/// </summary>
public static class Workshop
{
    /// <summary>
    /// Opens a session on the backend the options (else WORKSHOP_BACKEND) name: local, the default and offline, or aws.
    /// This is the one place that chooses between them; every stage after this goes through its contract.
    /// </summary>
    public static Task<WorkshopSession> ConnectAsync(WorkshopOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new WorkshopOptions();
        var backend = options.Backend ?? Environment.GetEnvironmentVariable("WORKSHOP_BACKEND") ?? "local";
        Func<StageContext, PipelineStages> openStages = backend.ToLowerInvariant() switch
        {
            "local" => context => new LocalBackend(context).Stages(),
            "aws" => OpenAws(options),
            _ => throw new ArgumentException($"Backend '{backend}' is unknown; use 'local' (the default, offline) or 'aws' (set WORKSHOP_BACKEND=aws)."),
        };
        var workspace = options.WorkspacePath is { } path ? new WorkspaceDirectory(path) : WorkspaceDirectory.FromEnvironment();
        // Resources are made on first use, once the clock is where the learner wants it to start.
        return Task.FromResult(new WorkshopSession(options, workspace, VirtualClock.Load(workspace), openStages));
    }

    private static Func<StageContext, PipelineStages> OpenAws(WorkshopOptions options)
    {
        // Resolved now, so a missing region or profile is reported when connecting rather than at the first call.
        var settings = options.AwsSettings ?? AwsSettings.Resolve(options.Region, options.Profile);
        return _ => new AwsPipeline(settings, options.AwsTransport).Stages();
    }
}
