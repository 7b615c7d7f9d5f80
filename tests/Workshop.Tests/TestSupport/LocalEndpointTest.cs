using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop;
using StreamingWorkshop.Serve;

namespace Workshop.Tests.TestSupport;

/// <summary>
/// A test class with a local endpoint of its own: a local session in a temporary workspace, the endpoint on
/// 127.0.0.1 at a free port, and an HTTP client to call it; all stopped and removed afterwards.
/// </summary>
public abstract class LocalEndpointTest : IAsyncLifetime
{
    protected TempWorkspace Temp { get; } = new();
    /// <summary>
    /// A request that asks before its body (Expect: 100-continue) waits for the endpoint's answer however busy the machine
    /// is: with the default second the body follows unasked, and a refusal of an oversized body then races its upload.
    /// </summary>
    protected HttpClient Http { get; } = new(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(60) });
    protected WorkshopSession Session { get; private set; } = null!;
    protected LocalEndpoint Endpoint { get; private set; } = null!;

    /// <summary>
    /// A SigV4 Authorization header for <paramref name="service"/> as botocore writes it; the signature is a dummy,
    /// which the endpoint takes when it is not started with --strict.
    /// </summary>
    protected static string Authorization(string service) =>
        $"AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261203/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";

    /// <summary>A JSON 1.1 request to <paramref name="target"/> (its X-Amz-Target), signed for <paramref name="service"/>: the status and the JSON answer.</summary>
    protected async Task<(HttpStatusCode Status, JsonObject Body)> JsonTargetAsync(string service, string target, JsonObject input)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = new StringContent(input.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(service));
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root, Backend = "local" });
        Endpoint = await LocalEndpoint.StartAsync(Session, "127.0.0.1", 0);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Endpoint.DisposeAsync();
        await Session.DisposeAsync();
        Temp.Dispose();
    }
}
