using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;

namespace Workshop.Tests.TestSupport;

/// <summary>One request as it left the kit, after AWSSDK.Core's SigV4 handler signed it.</summary>
public sealed record SignedRequest(string Service, string Operation, HttpMethod Method, Uri Uri, string? Authorization, string? Target, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// The transport under the signing handler in tests: records each signed request and answers it with the
/// response registered for its operation (a model-shaped sample), so clients run end to end without a network.
/// </summary>
public sealed partial class ModelBackedService : HttpMessageHandler
{
    private readonly Dictionary<string, Func<SignedRequest, HttpResponseMessage>> answers = new();
    private readonly HashSet<string> passThrough = new(StringComparer.Ordinal);
    private readonly Lazy<HttpMessageInvoker> network = new(() => new HttpMessageInvoker(new SocketsHttpHandler { AllowAutoRedirect = false }));

    /// <summary>Sends a service's signed requests on to its (emulated) endpoint instead of answering them.</summary>
    public void PassThrough(string signingName) => passThrough.Add(signingName);

    public List<SignedRequest> Requests { get; } = new();

    public void AnswerJson(string operation, JsonObject body) =>
        answers[operation] = _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.1") };

    public void AnswerXml(string operation, string xml) =>
        answers[operation] = _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };

    public void Answer(string operation, Func<SignedRequest, HttpResponseMessage> answer) => answers[operation] = answer;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var authorization = request.Headers.TryGetValues("Authorization", out var signatures) ? signatures.First() : null;
        var service = authorization is null ? "" : CredentialScope().Match(authorization).Groups["service"].Value;
        if (passThrough.Contains(service)) return await network.Value.SendAsync(request, cancellationToken);
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var target = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.First() : null;
        var operation = target?.Split('.').Last()
            ?? (body.Contains("Action=", StringComparison.Ordinal) ? HttpUtility.ParseQueryString(body)["Action"]! : RestOperation(request));
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var signed = new SignedRequest(service, operation, request.Method, request.RequestUri!, authorization, target, headers, body);
        lock (Requests) Requests.Add(signed);
        return answers.TryGetValue(operation, out var answer)
            ? answer(signed)
            : new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent($"{{\"__type\":\"UnknownOperationException\",\"message\":\"no sample for {operation}\"}}") };
    }

    // Lambda's REST operations are known by path.
    private static string RestOperation(HttpRequestMessage request) =>
        request.RequestUri!.AbsolutePath.EndsWith("/invocations", StringComparison.Ordinal) ? "Invoke" : request.RequestUri.AbsolutePath;

    /// <summary>Credential=AKID/20261125/us-east-1/glue/aws4_request</summary>
    [GeneratedRegex(@"Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request")]
    public static partial Regex CredentialScope();
}
