using System.Text;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Aws;

/// <summary>What the AWS backend is configured with and who it signs as, for `workshop doctor --backend aws`. Secrets are never shown.</summary>
public static class AwsDoctor
{
    public sealed record Report(string Text, bool Healthy);

    public static async Task<Report> ReportAsync(AwsSettings settings, HttpMessageHandler? transport = null, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        var healthy = true;
        text.AppendLine("Backend      aws");
        text.AppendLine($"Region       {settings.Region}");
        text.AppendLine($"Profile      {settings.Profile ?? "(none: the default credential chain)"}");
        try
        {
            var credentials = settings.Credentials.GetCredentials();
            text.AppendLine($"Access key   {AwsSettings.MaskAccessKey(credentials.AccessKey)}{(credentials.UseToken ? " (temporary, with a session token)" : "")}");
            try
            {
                using var sts = new AwsClients(settings, transport).Sts();
                var identity = await sts.GetCallerIdentityAsync(cancellationToken);
                text.AppendLine($"Account      {identity.Account}");
                text.AppendLine($"Identity     {identity.Arn}");
            }
            catch (ServiceException error)
            {
                healthy = false;
                text.AppendLine($"Identity     unknown: STS GetCallerIdentity failed with {error.ErrorCode}: {settings.Redact(error.Message)}");
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            healthy = false;
            text.AppendLine($"Credentials  none found: {FirstSentence(settings.Redact(error.Message))} Run 'aws configure' or 'aws sso login', or set AWS_PROFILE.");
        }
        var overrides = settings.EndpointOverrides();
        if (overrides.Count == 0) text.AppendLine("Endpoints    the public AWS endpoints (no AWS_ENDPOINT_URL overrides)");
        foreach (var (variable, url) in overrides) text.AppendLine($"Endpoint     {variable} = {url}");
        return new Report(text.ToString(), healthy);
    }

    /// <summary>
    /// The SDK's failure in one sentence: when no provider finds credentials it goes on to list what each one of the
    /// default chain's tried (an instance role on a laptop, a web identity file that is not set), which says nothing a
    /// learner can act on.
    /// </summary>
    private static string FirstSentence(string message)
    {
        var line = message.Split('\n')[0].Trim();
        var end = line.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? line : line[..(end + 1)];
    }
}
