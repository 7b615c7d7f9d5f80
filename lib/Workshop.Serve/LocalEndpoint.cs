using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Serve;

/// <summary>
/// One HTTP port that answers as AWS does, over a session's local backend, so the AWS CLI, boto3 and the SDKs
/// can be pointed at it with AWS_ENDPOINT_URL. Requests are routed as AWS routes them: by X-Amz-Target for the
/// JSON protocols, otherwise by the service named in the SigV4 credential scope. Any well-formed request is
/// accepted whatever its signature, so dummy credentials do.
/// </summary>
public sealed partial class LocalEndpoint : IAsyncDisposable
{
    /// <summary>
    /// The largest request body taken. Kinesis caps a PutRecords call at 5 MiB of record data, which is about
    /// 6.7 MiB once base64 encoded; the rest leaves room for partition keys and the JSON around them.
    /// </summary>
    public const int MaxRequestBytes = 8 * 1024 * 1024;

    private readonly WebApplication app;
    private readonly KinesisHandler kinesis;
    private readonly StsHandler sts;
    private readonly S3Handler s3;
    private readonly JsonServiceHandlers otherJsonServices;
    private readonly CloudFormationHandler cloudFormation;
    private readonly CloudWatchHandler cloudWatch;
    private readonly LambdaHandler lambda;
    private readonly RedshiftDataHandler redshiftData;
    private readonly StepFunctionsHandler stepFunctions;

    // The local engines are used one call at a time, as one learner would use them.
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    private readonly WorkshopSession session;
    private readonly WeatherForecastHandler weather;

    private LocalEndpoint(WebApplication app, WorkshopSession session)
    {
        this.app = app;
        this.session = session;
        weather = new WeatherForecastHandler(session);
        var local = session.Local ?? throw new InvalidOperationException(
            "The local endpoint serves the local backend only; run it without --backend aws (or unset WORKSHOP_BACKEND).");
        kinesis = new KinesisHandler(local.Stream);
        sts = new StsHandler(session.Names.AccountId);
        s3 = new S3Handler(local.Lake);
        otherJsonServices = new JsonServiceHandlers(session);
        cloudFormation = new CloudFormationHandler(local.Stacks, session.Clock, session.Names.AccountId);
        cloudWatch = new CloudWatchHandler(local.CloudWatch, local.MetricsLog);
        lambda = new LambdaHandler(session);
        redshiftData = new RedshiftDataHandler(local.Warehouse);
        stepFunctions = new StepFunctionsHandler(local.Workflows);
    }

    /// <summary>Where the endpoint listens, e.g. http://127.0.0.1:4566.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Starts listening on <paramref name="host"/> (an IP address, or localhost) and <paramref name="port"/> (0: any free port).</summary>
    public static async Task<LocalEndpoint> StartAsync(WorkshopSession session, string host, int port, CancellationToken cancellationToken = default)
    {
        var address = ParseHost(host);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;
            kestrel.Listen(address, port);
        });
        var app = builder.Build();
        var endpoint = new LocalEndpoint(app, session);
        app.Run(endpoint.HandleObservedAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException error)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"Cannot listen on {host}:{port}: {error.Message} Choose another --port.", error);
        }
        catch (System.Net.Sockets.SocketException error) when (error.SocketErrorCode == System.Net.Sockets.SocketError.AddressNotAvailable)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"Cannot listen on --host {host}: no network interface of this machine has that address. Give 127.0.0.1, or one of this machine's own addresses.", error);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Url = new Uri(bound.Replace("0.0.0.0", address.ToString(), StringComparison.Ordinal));
        endpoint.StartAdvancingExecutions();
        return endpoint;
    }

    /// <summary>The warning to show when <paramref name="host"/> lets other machines reach the endpoint; null for the loopback address.</summary>
    public static string? ExposureWarning(string host, bool strict = false) => IPAddress.IsLoopback(ParseHost(host))
        ? null
        : $"Warning: listening on {host} lets other machines on the network read and write this workspace, {(strict ? "given the local keys (--strict)" : "with no credentials checked")}. Use 127.0.0.1 unless that is what you want.";

    private static IPAddress ParseHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var address)) return address;
        throw new ArgumentException($"--host '{host}' is not an IP address; give one such as 127.0.0.1 (the default).");
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        // The weather forecast stands in for a public API that takes no AWS credentials.
        var isForecast = HttpMethods.IsGet(request.Method) && request.Path == WeatherForecastHandler.Path;
        var scope = CredentialScope().Match(request.Headers.Authorization.ToString());
        // A presigned URL names its service in the X-Amz-Credential query parameter.
        var service = scope.Success ? scope.Groups["service"].Value : SignatureCheck.Read(request)?.Service ?? "";
        // Lambda's REST paths are its own whoever sends them (an unsigned request included), never a bucket's.
        if (service.Length == 0 && request.Path.StartsWithSegments("/2015-03-31/functions", StringComparison.Ordinal)) service = "lambda";
        if (!isForecast && request.Headers["X-Amz-Target"].Count == 0 && (service == "s3" || (service.Length == 0 && S3Handler.FitsUnsigned(request))))
        {
            // S3's signature covers its declared content hash, not the body, which S3 reads itself: its cap is
            // larger than the other services' and its uploads may be aws-chunked.
            if (await RefusedForSignatureAsync(context, [])) return;
            try
            {
                await s3.HandleAsync(context, scope.Success ? scope.Groups["region"].Value : "us-east-1", oneAtATime);
            }
            catch (Exception error) when (error is not OperationCanceledException && !context.Response.HasStarted)
            {
                await Wire.InternalErrorAsync(context, json: false, error);
            }
            return;
        }
        if (request.ContentLength > MaxRequestBytes)
        {
            await TooLargeAsync(context);
            return;
        }
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await TooLargeAsync(context);
            return;
        }
        if (!isForecast && await RefusedForSignatureAsync(context, body)) return;

        await oneAtATime.WaitAsync(context.RequestAborted);
        var isJson = request.Headers["X-Amz-Target"].ToString() is { Length: > 0 };
        try
        {
            if (request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } target)
                await JsonAsync(context, target, body);
            else if (isForecast)
                await weather.HandleAsync(context);
            else if (service == "sts")
                await sts.HandleAsync(context, body);
            else if (service == "cloudformation")
                await cloudFormation.HandleAsync(context, body);
            else if (service == "monitoring")
                await cloudWatch.HandleAsync(context, body);
            else if (service == "lambda")
                await lambda.HandleAsync(context, body);
            else
                await Wire.XmlErrorAsync(context, 400, "InvalidAction",
                    service.Length == 0
                        ? "The request is not signed with AWS Signature Version 4, so the service it is for is unknown; send it with an AWS SDK or the AWS CLI."
                        : $"This endpoint does not serve '{service}' yet; it serves {Served}.");
        }
        catch (Exception error) when (error is not OperationCanceledException && !context.Response.HasStarted)
        {
            // A fault of the endpoint's own answers this request as AWS answers its own faults, and the endpoint lives on.
            await Wire.InternalErrorAsync(context, isJson, error);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <summary>The service an X-Amz-Target prefix belongs to, by its name in the credential scope; null for one not served.</summary>
    private static string? ServiceOfTarget(string prefix) => prefix switch
    {
        KinesisHandler.TargetPrefix => "kinesis",
        StepFunctionsHandler.TargetPrefix => "states",
        CloudWatchHandler.TargetPrefix => "monitoring",
        _ => JsonServiceHandlers.ServiceByTargetPrefix.GetValueOrDefault(prefix),
    };

    private async Task JsonAsync(HttpContext context, string target, byte[] body)
    {
        var dot = target.IndexOf('.', StringComparison.Ordinal);
        var (prefix, operation) = dot < 0 ? (target, "") : (target[..dot], target[(dot + 1)..]);
        var service = ServiceOfTarget(prefix);
        if (service is null)
        {
            await Wire.JsonErrorAsync(context, 400, "UnknownOperationException", $"This endpoint does not serve '{target}' yet; it serves {Served}.");
            return;
        }
        // Step Functions and CloudWatch speak JSON 1.0, the others 1.1; the answer is in the request's version.
        var contentType = service switch { "states" => StepFunctionsHandler.ContentType, "monitoring" => CloudWatchHandler.Json10, _ => Wire.Json11 };
        JsonObject input;
        try
        {
            input = KinesisCbor.IsCbor(context.Request) ? KinesisCbor.Decode(body)
                : body.Length == 0 ? [] : JsonNode.Parse(body)?.AsObject() ?? [];
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or InvalidOperationException)
        {
            await Wire.JsonErrorAsync(context, 400, "SerializationException", $"The request body is not a JSON object: {error.Message}", contentType);
            return;
        }
        catch (System.Formats.Cbor.CborContentException error)
        {
            await Wire.JsonErrorAsync(context, 400, "SerializationException", $"The request body is not a CBOR map: {error.Message}");
            return;
        }
        if (service == "monitoring")
        {
            await cloudWatch.HandleJsonAsync(context, operation, input);
            return;
        }
        try
        {
            var answer = service switch
            {
                "kinesis" => await kinesis.HandleAsync(operation, input, context.RequestAborted),
                "redshift-data" => await redshiftData.HandleAsync(operation, input, context.RequestAborted),
                "states" => await stepFunctions.HandleAsync(operation, input, context.RequestAborted),
                _ => await otherJsonServices.HandleAsync(service, operation, input),
            };
            await Wire.JsonAsync(context, 200, answer, contentType);
        }
        catch (ServiceException error)
        {
            await Wire.JsonErrorAsync(context, 400, error.ErrorCode, error.Message, contentType);
        }
        catch (Exception error) when (error is ArgumentException or FormatException or InvalidOperationException)
        {
            await Wire.JsonErrorAsync(context, 400, "ValidationException", error.Message, contentType);
        }
    }

    /// <summary>What the endpoint serves, for the refusals.</summary>
    public const string Served = "Kinesis (JSON 1.1 and CBOR), Firehose, Glue, Athena, EventBridge, CloudWatch Logs and the Redshift Data API (JSON 1.1), Step Functions (JSON 1.0), S3 (REST-XML), CloudFormation and STS (query), CloudWatch (query and JSON 1.0), and Lambda (REST-JSON)";

    /// <summary>The services served, named briefly for the banner.</summary>
    public const string ServedInShort = "Kinesis, Firehose, S3, Glue, Athena, the Redshift Data API, Step Functions, CloudFormation, CloudWatch, Lambda, EventBridge, Logs and STS";

    private static Task TooLargeAsync(HttpContext context) => Wire.JsonErrorAsync(context, 413, "ValidationException",
        $"The request body is over {MaxRequestBytes / (1024 * 1024)} MiB; Kinesis takes at most 5 MiB of records in one PutRecords call.");

    [GeneratedRegex(@"Credential=[^/,\s]+/\d{8}/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request")]
    private static partial Regex CredentialScope();

    public async ValueTask DisposeAsync()
    {
        await StopAdvancingExecutionsAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        oneAtATime.Dispose();
    }
}

/// <summary>How answers and errors go on the wire, as the services send them.</summary>
internal static class Wire
{
    public const string Json11 = "application/x-amz-json-1.1";

    /// <summary>An answer in JSON (1.1 unless <paramref name="contentType"/> says 1.0), or in CBOR to a request sent in CBOR.</summary>
    public static Task JsonAsync(HttpContext context, int status, JsonObject answer, string contentType = Json11) => KinesisCbor.IsCbor(context.Request)
        ? WriteAsync(context, status, KinesisCbor.ContentType, KinesisCbor.Encode(answer))
        : WriteAsync(context, status, contentType, answer.ToJsonString());

    /// <summary>A JSON protocol error (in CBOR to a CBOR request): the SDKs read the error's name from __type.</summary>
    public static Task JsonErrorAsync(HttpContext context, int status, string type, string message, string contentType = Json11) =>
        JsonAsync(context, status, new JsonObject { ["__type"] = type, ["message"] = message }, contentType);

    /// <summary>
    /// An unexpected failure: HTTP 500 with the protocol's own name for it (InternalFailure in JSON, InternalError
    /// in XML) and the first line of what went wrong, so a client retries or reports it and the endpoint serves on.
    /// </summary>
    public static Task InternalErrorAsync(HttpContext context, bool json, Exception error)
    {
        var firstLine = error.Message.Split('\n', 2)[0].Trim();
        var message = $"The local endpoint failed on this request ({error.GetType().Name}: {firstLine}).";
        return json ? JsonErrorAsync(context, 500, "InternalFailure", message) : XmlErrorAsync(context, 500, "InternalError", message);
    }

    /// <summary>A query protocol error, as STS sends it.</summary>
    public static Task XmlErrorAsync(HttpContext context, int status, string code, string message) =>
        WriteAsync(context, status, "text/xml", StsHandler.Error(code, message));

    public static Task WriteAsync(HttpContext context, int status, string contentType, string text) =>
        WriteAsync(context, status, contentType, Encoding.UTF8.GetBytes(text));

    public static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
