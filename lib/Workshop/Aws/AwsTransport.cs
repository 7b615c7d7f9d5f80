using System.Net;
using System.Net.Http.Headers;
using Amazon.Runtime.Signing;

namespace StreamingWorkshop.Aws;

/// <summary>
/// A service's answer: status, headers and body, read in full. What the kit reads from it (the body's text and each
/// header's value) has already passed through <paramref name="Scrub"/>, so credentials a service echoes back (in a
/// request id, a message, a log line) never reach a message, a result or an exception.
/// </summary>
public sealed record AwsResponse(HttpStatusCode Status, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, byte[] Body, Func<string, string>? Scrub = null)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name)
    {
        if (!Headers.TryGetValues(name, out var values) && !ContentHeaders.TryGetValues(name, out values)) return null;
        var value = values.FirstOrDefault();
        return value is null || Scrub is null ? value : Scrub(value);
    }
}

/// <summary>An error a service answered with, before it becomes one of the kit's exceptions.</summary>
public sealed record AwsErrorReply(string Code, string Message, string? RequestId);

/// <summary>
/// Sends requests to one service: each attempt is built afresh and signed by AWSSDK.Core's SigV4 handler, so a
/// retry carries a new signature; throttling, 5xx and dropped connections are retried with backoff and jitter,
/// anything else (validation errors above all) fails at once as the kit's exception for that error.
/// </summary>
public sealed class AwsTransport : IDisposable
{
    private readonly AwsSettings settings;
    private readonly Lazy<HttpClient> http;
    private readonly AwsRetryPolicy retry;

    public AwsTransport(AwsSettings settings, AwsService service, HttpMessageHandler? innerHandler = null, AwsRetryPolicy? retry = null)
    {
        this.settings = settings;
        Service = service;
        this.retry = retry ?? AwsRetryPolicy.Standard;
        // Credentials are resolved on the first request, so a session can be opened (and the doctor run) before they exist.
        http = new Lazy<HttpClient>(() => new HttpClient(new SigV4SigningHandler(settings.Credentials, settings.RegionEndpoint, service.SigningName,
            innerHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false }), disposeHandler: innerHandler is null)
        {
            Timeout = TimeSpan.FromSeconds(100),
        });
        Endpoint = settings.Endpoint(service);
    }

    public AwsService Service { get; }
    public Uri Endpoint { get; }

    /// <summary>
    /// Sends the request <paramref name="build"/> makes, retrying where that is safe, and returns the reply;
    /// a service error is parsed by <paramref name="parseError"/> and thrown as the kit's exception.
    /// </summary>
    public async Task<AwsResponse> SendAsync(string operation, Func<HttpRequestMessage> build, Func<AwsResponse, AwsErrorReply> parseError, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            AwsResponse response;
            try
            {
                using var request = build();
                using var reply = await http.Value.SendAsync(request, cancellationToken);
                response = new AwsResponse(reply.StatusCode, reply.Headers, reply.Content.Headers, ScrubBody(await reply.Content.ReadAsByteArrayAsync(cancellationToken)), settings.Redact);
            }
            catch (HttpRequestException) when (attempt < retry.MaxAttempts)
            {
                await retry.DelayAsync(attempt, cancellationToken);
                continue;
            }
            catch (HttpRequestException e)
            {
                throw new AwsConnectionException(Service.SigningName, operation, Endpoint, settings.Redact(e.Message));
            }
            if ((int)response.Status < 300) return response;
            var error = parseError(response);
            if (attempt < retry.MaxAttempts && AwsRetryPolicy.IsRetryable(response.Status, error.Code))
            {
                await retry.DelayAsync(attempt, cancellationToken);
                continue;
            }
            throw AwsErrors.ToException(Service.SigningName, operation, error, settings.Redact);
        }
    }

    /// <summary>
    /// Sends one request and hands back the reply as soon as its headers arrive, for a body that streams for minutes
    /// (an event stream). Not retried: a dropped stream is resumed by the caller from where it got to.
    /// </summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string operation, HttpRequestMessage request, Func<AwsResponse, AwsErrorReply> parseError, CancellationToken cancellationToken)
    {
        HttpResponseMessage reply;
        try
        {
            reply = await http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new AwsConnectionException(Service.SigningName, operation, Endpoint, settings.Redact(e.Message));
        }
        if ((int)reply.StatusCode < 300) return reply;
        using (reply)
        {
            var response = new AwsResponse(reply.StatusCode, reply.Headers, reply.Content.Headers, ScrubBody(await reply.Content.ReadAsByteArrayAsync(cancellationToken)), settings.Redact);
            throw AwsErrors.ToException(Service.SigningName, operation, parseError(response), settings.Redact);
        }
    }

    /// <summary>Takes credential values out of text the AWS backend shows: the same redaction its responses get.</summary>
    public string Redact(string text) => settings.Redact(text);

    /// <summary>The body with credential values taken out; the bytes are kept as they came when there were none.</summary>
    private byte[] ScrubBody(byte[] body)
    {
        if (body.Length == 0) return body;
        var text = System.Text.Encoding.UTF8.GetString(body);
        var scrubbed = settings.Redact(text);
        return ReferenceEquals(scrubbed, text) || scrubbed == text ? body : System.Text.Encoding.UTF8.GetBytes(scrubbed);
    }


    public void Dispose()
    {
        if (http.IsValueCreated) http.Value.Dispose();
    }
}
