namespace StreamingWorkshop;

/// <summary>
/// The kit's front door. A notebook starts with <c>var workshop = await Workshop.ConnectAsync();</c> and then
/// reaches every stage through the session: producer, stream, delivery, lake, and the simulated day.
/// </summary>
public static class Workshop
{
    public static Task<WorkshopSession> ConnectAsync(WorkshopOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new WorkshopOptions();
        var backend = options.Backend ?? Environment.GetEnvironmentVariable("WORKSHOP_BACKEND") ?? "local";
        if (string.Equals(backend, "aws", StringComparison.OrdinalIgnoreCase))
            return WorkshopSession.OpenAwsAsync(options, Aws.AwsSettings.Resolve(options.Region, options.Profile), cancellationToken: cancellationToken);
        if (!string.Equals(backend, "local", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Backend '{backend}' is unknown; use 'local' (the default, offline) or 'aws' (set WORKSHOP_BACKEND=aws).");
        return WorkshopSession.OpenLocalAsync(options, cancellationToken);
    }
}
