using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace StreamingWorkshop.Aws;

/// <summary>
/// Where the AWS backend sends requests and who signs them, resolved as every AWS SDK does: the region from
/// the option, AWS_REGION, AWS_DEFAULT_REGION or the profile; credentials from the named profile or the
/// default chain (environment, shared files, SSO, container and instance roles); AWS_ENDPOINT_URL and
/// AWS_ENDPOINT_URL_&lt;SERVICE&gt; override endpoints, so emulators such as LocalStack work too.
/// </summary>
public sealed class AwsSettings
{
    private readonly Func<string, string?> environment;
    private readonly Lazy<AWSCredentials> credentials;

    private AwsSettings(string region, string? profile, Func<string, string?> environment, Func<AWSCredentials> resolveCredentials,
        string regionFrom = GivenAsSettings, string profileFrom = GivenAsSettings)
    {
        Region = region;
        Profile = profile;
        RegionFrom = regionFrom;
        ProfileFrom = profileFrom;
        this.environment = environment;
        // Not caching a failure: a learner who runs "aws sso login" after a failed attempt is picked up on the next call.
        credentials = new Lazy<AWSCredentials>(resolveCredentials, LazyThreadSafetyMode.PublicationOnly);
    }

    public string Region { get; }

    /// <summary>The named profile, when one was asked for (option or AWS_PROFILE).</summary>
    public string? Profile { get; }

    /// <summary>Where <see cref="Region"/> came from, as workshop.Options shows it: the session's options, a variable, the profile.</summary>
    public string RegionFrom { get; }

    /// <summary>Where <see cref="Profile"/> came from, or that none was asked for and the default chain signs requests.</summary>
    public string ProfileFrom { get; }

    /// <summary>Where settings made whole (for an emulator or a test) come from: the session's options.</summary>
    private const string GivenAsSettings = "WorkshopOptions.AwsSettings";

    /// <summary>The credentials requests are signed with. Never printed: <see cref="ToString"/> and the doctor show only where they came from.</summary>
    public AWSCredentials Credentials => credentials.Value;

    /// <summary>Reads the process environment and the shared config files.</summary>
    public static AwsSettings Resolve(string? region = null, string? profile = null, Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        string profileFrom;
        (profile, profileFrom) = profile is not null ? (profile, FromOptions)
            : NonEmpty(env("AWS_PROFILE")) is { } named ? (named, CommandLineEnvironment.From("AWS_PROFILE", named))
            : (null, "default: the default credential chain");
        CredentialProfile? stored = null;
        if (profile is not null && !new CredentialProfileStoreChain().TryGetProfile(profile, out stored))
            throw new ArgumentException($"AWS profile '{profile}' is not in ~/.aws/config or ~/.aws/credentials; run 'aws configure --profile {profile}' or choose another profile.");
        (string? Value, string From)[] regions =
        [
            (NonEmpty(region), FromOptions),
            (NonEmpty(env("AWS_REGION")), CommandLineEnvironment.From("AWS_REGION", NonEmpty(env("AWS_REGION")))),
            (NonEmpty(env("AWS_DEFAULT_REGION")), "environment variable AWS_DEFAULT_REGION"),
            (stored?.Region?.SystemName, $"profile {profile} in ~/.aws/config"),
        ];
        var (resolvedRegion, regionFrom) = regions.FirstOrDefault(r => r.Value is not null);
        if (resolvedRegion is null) throw new ArgumentException("No AWS region is set; set AWS_REGION (for example us-east-1) or pass --region.");
        return new AwsSettings(resolvedRegion, profile, env, regionFrom: regionFrom, profileFrom: profileFrom, resolveCredentials: () =>
        {
            if (profile is not null)
            {
                if (new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var fromProfile)) return fromProfile;
                throw new ArgumentException($"AWS profile '{profile}' has no usable credentials; run 'aws configure --profile {profile}' or 'aws sso login --profile {profile}'.");
            }
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        });
    }

    /// <summary>Credentials looked up on first use by <paramref name="findCredentials"/>, as the default chain is; endpoints from <paramref name="environment"/>.</summary>
    public static AwsSettings WithCredentialSource(string region, Func<AWSCredentials> findCredentials, Func<string, string?>? environment = null) =>
        new(region, null, environment ?? (_ => null), findCredentials);

    /// <summary>Fixed credentials and endpoints, for tests and emulators.</summary>
    public static AwsSettings WithCredentials(string region, AWSCredentials fixedCredentials, Func<string, string?>? environment = null) =>
        new(region, null, environment ?? (_ => null), () => fixedCredentials);

    /// <summary>The endpoint override for a service, if any: its own variable first, then AWS_ENDPOINT_URL.</summary>
    public Uri? EndpointOverride(AwsService service)
    {
        if (IsTrue(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) return null;
        var configured = NonEmpty(environment(service.EndpointVariable)) ?? NonEmpty(environment("AWS_ENDPOINT_URL"));
        if (configured is null) return null;
        if (!Uri.TryCreate(configured, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"The endpoint '{configured}' for {service.SigningName} is not an http(s) URL; set {service.EndpointVariable} or AWS_ENDPOINT_URL to one such as http://localhost:4566.");
        return uri;
    }

    /// <summary>The URL requests to a service go to.</summary>
    public Uri Endpoint(AwsService service) =>
        EndpointOverride(service) ?? new Uri($"https://{service.EndpointPrefix}.{Region}.{DnsSuffix}/");

    private string DnsSuffix => Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";

    public RegionEndpoint RegionEndpoint => RegionEndpoint.GetBySystemName(Region);

    /// <summary>The endpoint variables in force, for the doctor: AWS_ENDPOINT_URL (every service) and each service's own.</summary>
    public IReadOnlyList<(string Variable, string Url)> EndpointOverrides()
    {
        if (IsTrue(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) return [];
        var variables = new[] { "AWS_ENDPOINT_URL" }.Concat(AwsService.All.Select(s => s.EndpointVariable));
        return variables.Select(v => (v, NonEmpty(environment(v)))).Where(p => p.Item2 is not null).Select(p => (p.v, p.Item2!)).ToArray();
    }

    /// <summary>The access key id as `aws configure list` shows it: only its last four characters.</summary>
    public static string MaskAccessKey(string accessKeyId) =>
        accessKeyId.Length <= 4 ? new string('*', accessKeyId.Length) : new string('*', accessKeyId.Length - 4) + accessKeyId[^4..];

    /// <summary>
    /// Takes credential values out of text before it is shown: secret key and session token go, the access key is
    /// masked. Each is also looked for as JSON and URLs escape it (a token's '+', '/' and '='), since a service may
    /// echo it back in either form.
    /// </summary>
    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        ImmutableCredentials values;
        try { values = Credentials.GetCredentials(); }
        catch (Exception) { return text; }
        foreach (var secret in new[] { values.SecretKey, values.Token })
            if (!string.IsNullOrEmpty(secret))
                foreach (var form in Forms(secret)) text = text.Replace(form, "****", StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(values.AccessKey)) text = text.Replace(values.AccessKey, MaskAccessKey(values.AccessKey), StringComparison.Ordinal);
        return text;
    }

    /// <summary>A value as it may appear in a reply: as is, JSON-escaped, and URL-encoded (upper and lower case hex).</summary>
    private static IEnumerable<string> Forms(string value)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(value)[1..^1];
        var url = Uri.EscapeDataString(value);
        var lowerHex = System.Text.RegularExpressions.Regex.Replace(url, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());
        return new[] { value, json, url, lowerHex }.Distinct(StringComparer.Ordinal);
    }

    /// <summary>A region or profile the session's options gave (WorkshopOptions.Region or Profile; --region, --profile on the command line).</summary>
    private const string FromOptions = "WorkshopOptions";

    public override string ToString() => $"AWS region {Region}{(Profile is null ? "" : $", profile {Profile}")}";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool IsTrue(string? value) => value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1");
}
