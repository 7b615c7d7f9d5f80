namespace StreamingWorkshop;

/// <summary>How a notebook or the CLI connects to the kit. Every member has a sensible default.</summary>
public sealed record WorkshopOptions
{
    // The defaults of the options that have one, named so that workshop.Options can tell a default from a choice.
    public const int DefaultSeed = 1;
    public const string DefaultWeatherSource = Producer.SimulatedWeatherSource.SourceName;
    public const string DefaultStackName = "stream";

    /// <summary>The workspace folder; default WORKSHOP_WORKSPACE, else the .workshop/ of the nearest folder, here or above, that has one or a workshop.dib.</summary>
    public string? WorkspacePath { get; init; }

    /// <summary>local (default, offline) or aws; default WORKSHOP_BACKEND, else local.</summary>
    public string? Backend { get; init; }

    /// <summary>Seed of the simulated weather; the same seed and start give the same data.</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>City names for the producer; default London, Manchester and Edinburgh.</summary>
    public IReadOnlyList<string>? Cities { get; init; }

    /// <summary>Where the producer's readings come from: simulated (default, offline) or open-meteo (the real API).</summary>
    public string WeatherSource { get; init; } = DefaultWeatherSource;

    /// <summary>AWS backend: the region; default AWS_REGION, AWS_DEFAULT_REGION or the profile's.</summary>
    public string? Region { get; init; }

    /// <summary>AWS backend: the named profile in ~/.aws; default AWS_PROFILE, else the default credential chain.</summary>
    public string? Profile { get; init; }

    /// <summary>
    /// Told, in one line, when the kit does something on its own that the learner did not ask for, such as deploying
    /// the workshop stack because none is deployed yet. The CLI prints it on stderr; by default it is not shown.
    /// </summary>
    public Action<string>? Notice { get; init; }

    /// <summary>
    /// Where progress lines of work on AWS go (stack events as a deployment runs, a crawler's and a query's states);
    /// default the console. The CLI sends them to stderr so that data on stdout stays clean.
    /// </summary>
    public Action<string>? Progress { get; init; }

    /// <summary>AWS backend: the account's settings as already resolved (an AWS-compatible endpoint, for example); default from Region and Profile.</summary>
    public Aws.AwsSettings? AwsSettings { get; init; }

    /// <summary>AWS backend: the HTTP handler requests go through, for a recorded or local stand-in of the services; default the network.</summary>
    public HttpMessageHandler? AwsTransport { get; init; }

    /// <summary>The stack whose outputs name the pipeline's resources (the workshop calls it "stream").</summary>
    public string StackName { get; init; } = DefaultStackName;
}
