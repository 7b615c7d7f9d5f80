using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace StreamingWorkshop.Aws;

/// <summary>
/// The JSON protocol, 1.1 (Kinesis, Firehose, Glue, Athena, Logs, EventBridge) or 1.0 (Step Functions): POST / with
/// X-Amz-Target naming the operation.
/// </summary>
public sealed class AwsJsonClient(AwsTransport transport) : IDisposable
{
    private readonly MediaTypeHeaderValue contentType = new($"application/x-amz-json-{transport.Service.JsonVersion}");

    public AwsService Service => transport.Service;

    public async Task<JsonObject> CallAsync(string operation, JsonObject request, CancellationToken cancellationToken = default)
    {
        var body = request.ToJsonString();
        var response = await transport.SendAsync(operation, () =>
        {
            var message = new HttpRequestMessage(HttpMethod.Post, transport.Endpoint) { Content = new StringContent(body, Encoding.UTF8) };
            message.Content.Headers.ContentType = contentType;
            message.Headers.TryAddWithoutValidation("X-Amz-Target", $"{Service.TargetPrefix}.{operation}");
            return message;
        }, ParseError, cancellationToken);
        return response.Body.Length == 0 ? new JsonObject() : JsonNode.Parse(response.Body)?.AsObject() ?? new JsonObject();
    }

    /// <summary>
    /// An operation answered with an event stream over HTTP/2 (Kinesis SubscribeToShard): each event's type and JSON
    /// payload as it arrives, decoded by AWSSDK.Core's event-stream decoder; an exception event is thrown as the kit's exception.
    /// </summary>
    public async IAsyncEnumerable<(string EventType, JsonObject Payload)> EventStreamAsync(string operation, JsonObject request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, transport.Endpoint)
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8),
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        message.Content.Headers.ContentType = contentType;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", $"{Service.TargetPrefix}.{operation}");
        using (message)
        using (var reply = await transport.OpenStreamAsync(operation, message, ParseError, cancellationToken))
        await using (var body = await reply.Content.ReadAsStreamAsync(cancellationToken))
        {
            var decoded = new Queue<Amazon.Runtime.EventStreams.EventStreamMessage>();
            var decoder = new Amazon.Runtime.EventStreams.Internal.EventStreamDecoder();
            decoder.MessageReceived += (_, e) => decoded.Enqueue((Amazon.Runtime.EventStreams.EventStreamMessage)e.Message);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                decoder.ProcessData(buffer, 0, read);
                while (decoded.TryDequeue(out var next))
                {
                    string? Header(string name) => next.Headers.TryGetValue(name, out var header) ? header.AsString() : null;
                    var payload = next.Payload is { Length: > 0 } bytes ? JsonNode.Parse(bytes)?.AsObject() ?? new JsonObject() : new JsonObject();
                    switch (Header(":message-type"))
                    {
                        case "event":
                            yield return (Header(":event-type") ?? "", payload);
                            break;
                        case "exception":
                            throw AwsErrors.ToException(Service.SigningName, operation,
                                new AwsErrorReply(AwsErrors.ShortCode(Header(":exception-type")), (string?)payload["message"] ?? (string?)payload["Message"] ?? "the event stream ended with an exception", null), transport.Redact);
                        default:
                            throw AwsErrors.ToException(Service.SigningName, operation,
                                new AwsErrorReply(AwsErrors.ShortCode(Header(":error-code")), Header(":error-message") ?? "the event stream ended with an error", null), transport.Redact);
                    }
                }
            }
        }
    }

    /// <summary>Every name a list operation returns when it pages by the last name seen (ListStreams, ListDeliveryStreams).</summary>
    public async Task<IReadOnlyList<string>> ListNamesAsync(string operation, string namesMember, string hasMoreMember, string startMember, JsonObject? request = null, CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        while (true)
        {
            var page = request?.DeepClone().AsObject() ?? new JsonObject();
            if (names.Count > 0) page[startMember] = names[^1];
            var reply = await CallAsync(operation, page, cancellationToken);
            names.AddRange(reply[namesMember]?.AsArray().Select(n => (string)n!) ?? []);
            if (reply[hasMoreMember]?.GetValue<bool>() != true) return names;
        }
    }

    public static AwsErrorReply ParseError(AwsResponse response)
    {
        string? type = response.Header("x-amzn-ErrorType"), message = null;
        try
        {
            if (JsonNode.Parse(response.Body) is JsonObject error)
            {
                type = (string?)error["__type"] ?? (string?)error["code"] ?? type;
                message = (string?)error["message"] ?? (string?)error["Message"];
            }
        }
        catch (JsonException) { }
        return new AwsErrorReply(AwsErrors.ShortCode(type), message ?? $"HTTP {(int)response.Status} {response.Status}", response.Header("x-amzn-RequestId"));
    }

    public void Dispose() => transport.Dispose();
}

/// <summary>The query protocol (CloudFormation, STS): form-encoded parameters in, XML out.</summary>
public sealed class AwsQueryClient(AwsTransport transport) : IDisposable
{
    public AwsService Service => transport.Service;

    /// <summary>Calls <paramref name="action"/> and returns its &lt;ActionResult&gt; element.</summary>
    public async Task<XElement> CallAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", Service.ApiVersion!) };
        form.AddRange(parameters);
        var response = await transport.SendAsync(action, () =>
            new HttpRequestMessage(HttpMethod.Post, transport.Endpoint) { Content = new FormUrlEncodedContent(form) }, ParseError, cancellationToken);
        var root = XDocument.Parse(response.Text).Root ?? throw new InvalidDataException($"{action} answered with an empty document.");
        return root.Child($"{action}Result") ?? new XElement($"{action}Result");
    }

    public static AwsErrorReply ParseError(AwsResponse response)
    {
        try
        {
            var root = XDocument.Parse(response.Text).Root;
            var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            if (error is not null)
                return new AwsErrorReply(error.Child("Code")?.Value ?? "UnknownError", error.Child("Message")?.Value ?? $"HTTP {(int)response.Status}",
                    root!.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value);
        }
        catch (System.Xml.XmlException) { }
        return new AwsErrorReply((int)response.Status >= 500 ? "InternalFailure" : "UnknownError", $"HTTP {(int)response.Status} {response.Status}", null);
    }

    public void Dispose() => transport.Dispose();
}

/// <summary>The REST-JSON protocol (Lambda): the operation is in the method and path.</summary>
public sealed class AwsRestJsonClient(AwsTransport transport) : IDisposable
{
    public AwsService Service => transport.Service;

    /// <summary>Takes credential values out of text decoded from a reply (a base64 log tail), which the transport cannot see into.</summary>
    public string Redact(string text) => transport.Redact(text);

    public Task<AwsResponse> CallAsync(string operation, HttpMethod method, string path, byte[]? body, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        transport.SendAsync(operation, () =>
        {
            var message = new HttpRequestMessage(method, new Uri(transport.Endpoint, path));
            if (body is not null)
            {
                message.Content = new ByteArrayContent(body);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) message.Headers.TryAddWithoutValidation(name, value);
            return message;
        }, AwsJsonClient.ParseError, cancellationToken);

    public void Dispose() => transport.Dispose();
}

internal static class XmlNames
{
    /// <summary>The first child with this local name, whatever the service's XML namespace.</summary>
    public static XElement? Child(this XElement element, string localName) => element.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    public static IEnumerable<XElement> Children(this XElement element, string localName) => element.Elements().Where(e => e.Name.LocalName == localName);

    /// <summary>The members of a query-protocol list: &lt;Name&gt;&lt;member&gt;…&lt;/member&gt;&lt;/Name&gt;.</summary>
    public static IEnumerable<XElement> Members(this XElement element, string listName) =>
        element.Child(listName)?.Children("member") ?? [];

    public static string? Text(this XElement element, string localName) => element.Child(localName)?.Value;
}
