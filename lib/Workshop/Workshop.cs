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
    /// <summary>The environment variable that chooses the backend when the options do not.</summary>
    private const string BackendVariable = "WORKSHOP_BACKEND";

    /// <summary>
    /// Opens a session on the backend the options (else WORKSHOP_BACKEND) name: local, the default and offline, or aws.
    /// This is the one place that chooses between them; every stage after this goes through its contract.
    /// </summary>
    public static Task<WorkshopSession> ConnectAsync(WorkshopOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new WorkshopOptions();
        var (backend, backendFrom) = options.Backend is { } named ? (named, OptionsInEffect.FromOptions)
            : Environment.GetEnvironmentVariable(BackendVariable) is { } set ? (set, CommandLineEnvironment.From(BackendVariable, set))
            : ("local", OptionsInEffect.FromDefault);
        AwsSettings? awsSettings = null;
        Func<StageContext, PipelineStages> openStages = backend.ToLowerInvariant() switch
        {
            "local" => context => new LocalBackend(context).Stages(),
            "aws" => OpenAws(options, out awsSettings),
            _ => throw new ArgumentException($"Backend '{backend}' is unknown; use 'local' (the default, offline) or 'aws' (set WORKSHOP_BACKEND=aws)."),
        };
        var (root, workspaceFrom) = options.WorkspacePath is { } path ? (path, OptionsInEffect.FromOptions) : WorkspaceDirectory.Locate();
        var workspace = new WorkspaceDirectory(root);
        var choices = new ConnectChoices(backend.ToLowerInvariant(), backendFrom, workspaceFrom, BackendOptions(options, awsSettings));
        // Resources are made on first use, once the clock is where the learner wants it to start.
        return Task.FromResult(new WorkshopSession(options, choices, workspace, VirtualClock.Load(workspace), openStages));
    }

    private static Func<StageContext, PipelineStages> OpenAws(WorkshopOptions options, out AwsSettings settings)
    {
        // Resolved now, so a missing region or profile is reported when connecting rather than at the first call.
        var resolved = settings = options.AwsSettings ?? AwsSettings.Resolve(options.Region, options.Profile);
        return _ => new AwsPipeline(resolved, options.AwsTransport).Stages();
    }

    /// <summary>The AWS options as workshop.Options shows them: as resolved on AWS, as given (and unused) locally.</summary>
    private static IReadOnlyList<OptionInEffect> BackendOptions(WorkshopOptions options, AwsSettings? settings)
    {
        static string From(bool isDefault) => OptionsInEffect.FromOptionsOrDefault(isDefault);
        if (settings is null)
        {
            const string awsOnly = "AWS backend only: ";
            return
            [
                new("Region", options.Region ?? "none", From(options.Region is null), awsOnly + "the region the requests go to"),
                new("Profile", options.Profile ?? "none", From(options.Profile is null), awsOnly + "the profile in ~/.aws whose credentials sign the requests"),
                new("AwsSettings", options.AwsSettings?.ToString() ?? "none", From(options.AwsSettings is null), awsOnly + "the region, credentials and endpoints, resolved"),
                new("AwsTransport", options.AwsTransport is null ? "none" : "a handler of yours", From(options.AwsTransport is null), awsOnly + "the HTTP handler the requests go through"),
            ];
        }
        return
        [
            new("Region", settings.Region, settings.RegionFrom, "the region the requests go to"),
            new("Profile", settings.Profile ?? "none", settings.ProfileFrom, "the profile in ~/.aws whose credentials sign the requests"),
            new("AwsSettings", options.AwsSettings?.ToString() ?? "made from Region and Profile", From(options.AwsSettings is null), "the region, credentials and endpoints, resolved"),
            new("AwsTransport", options.AwsTransport is null ? "the network" : "a handler of yours", From(options.AwsTransport is null), "the HTTP handler the requests go through"),
        ];
    }
}

/// <summary>What <see cref="Workshop.ConnectAsync"/> chose and why, kept for <see cref="WorkshopSession.Options"/> to show.</summary>
/// <param name="BackendOptions">The AWS options, resolved on AWS and unused locally.</param>
internal sealed record ConnectChoices(string Backend, string BackendFrom, string WorkspaceFrom, IReadOnlyList<OptionInEffect> BackendOptions);
