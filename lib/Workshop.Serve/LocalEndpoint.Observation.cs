using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace StreamingWorkshop.Serve;

/// <summary>
/// One request the endpoint answered: the service it was routed to and the operation it asked for, named as AWS
/// names them (e.g. "glue" "StartCrawler", "s3" "GetObject"), the region and service its SigV4 credential scope was
/// signed for (empty when unsigned), and the HTTP status of the answer.
/// </summary>
public sealed record RequestSeen(string Service, string Operation, string SignedRegion, string SignedService, int Status);

/// <summary>
/// Watching the endpoint: who asked it what, as a recording of a run or a live trace. Nothing is watched, and
/// nothing is read twice, unless someone listens.
/// </summary>
public sealed partial class LocalEndpoint
{
    /// <summary>
    /// Raised once for every request after it is answered, on the thread that answered it (listeners may be called
    /// concurrently, and should be quick).
    /// </summary>
    public event Action<RequestSeen>? RequestAnswered;

    private async Task HandleObservedAsync(HttpContext context)
    {
        if (RequestAnswered is null)
        {
            await HandleAsync(context);
            return;
        }
        var request = context.Request;
        var scope = CredentialScope().Match(request.Headers.Authorization.ToString());
        var signedService = scope.Success ? scope.Groups["service"].Value : SignatureCheck.Read(request)?.Service ?? "";
        var signedRegion = scope.Success ? scope.Groups["region"].Value : SignatureCheck.Read(request)?.Region ?? "";
        var (service, operation) = await NameAsync(context, signedService);
        await HandleAsync(context);
        RequestAnswered?.Invoke(new RequestSeen(service, operation, signedRegion, signedService, context.Response.StatusCode));
    }

    /// <summary>The service and operation a request asks for, read as the endpoint routes it.</summary>
    private static async Task<(string Service, string Operation)> NameAsync(HttpContext context, string signedService)
    {
        var request = context.Request;
        if (request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } target)
        {
            var dot = target.IndexOf('.', StringComparison.Ordinal);
            var prefix = dot < 0 ? target : target[..dot];
            var service = ServiceOfTarget(prefix) ?? prefix;
            return (service, dot < 0 ? "" : target[(dot + 1)..]);
        }
        if (signedService == "s3" || (signedService.Length == 0 && S3Handler.FitsUnsigned(request)))
            return ("s3", S3Operation(context));
        if (signedService == "lambda")
            return ("lambda", LambdaOperation(request));
        if (request.Query["Action"].ToString() is { Length: > 0 } queryAction)
            return (signedService, queryAction);
        if (request.HasFormContentType && request.ContentLength <= MaxRequestBytes)
        {
            // The query protocol names its action in the form; the body is kept for the service to read again.
            // A form too odd to read is left for the service to refuse in its own words.
            request.EnableBuffering();
            var action = "";
            try
            {
                using var reader = new FormReader(request.Body) { ValueCountLimit = int.MaxValue, ValueLengthLimit = MaxRequestBytes };
                var form = await reader.ReadFormAsync(context.RequestAborted);
                action = form.TryGetValue("Action", out var named) ? named.ToString() : "";
            }
            catch (InvalidDataException)
            {
            }
            request.Body.Position = 0;
            return (signedService, action);
        }
        return (signedService, $"{request.Method} {request.Path}");
    }

    private static string S3Operation(HttpContext context)
    {
        var request = context.Request;
        var query = request.Query;
        var (bucket, key) = S3Handler.Address(context);
        return (request.Method, bucket, key) switch
        {
            ("GET", null, _) => "ListBuckets",
            ("GET", _, null) when query.ContainsKey("lifecycle") => "GetBucketLifecycleConfiguration",
            ("PUT", _, null) when query.ContainsKey("lifecycle") => "PutBucketLifecycleConfiguration",
            ("DELETE", _, null) when query.ContainsKey("lifecycle") => "DeleteBucketLifecycle",
            ("GET", _, null) when query.ContainsKey("location") => "GetBucketLocation",
            ("GET", _, null) when query["list-type"] == "2" => "ListObjectsV2",
            ("GET", _, null) => "ListObjects",
            ("POST", _, null) when query.ContainsKey("delete") => "DeleteObjects",
            ("PUT", _, null) => "CreateBucket",
            ("DELETE", _, null) => "DeleteBucket",
            ("HEAD", _, null) => "HeadBucket",
            ("GET", _, _) when query.ContainsKey("uploadId") => "ListParts",
            ("GET", _, _) => "GetObject",
            ("HEAD", _, _) => "HeadObject",
            ("PUT", _, _) when query.ContainsKey("uploadId") => "UploadPart",
            ("PUT", _, _) when request.Headers.ContainsKey("x-amz-copy-source") => "CopyObject",
            ("PUT", _, _) => "PutObject",
            ("POST", _, _) when query.ContainsKey("uploads") => "CreateMultipartUpload",
            ("POST", _, _) when query.ContainsKey("uploadId") => "CompleteMultipartUpload",
            ("DELETE", _, _) when query.ContainsKey("uploadId") => "AbortMultipartUpload",
            ("DELETE", _, _) => "DeleteObject",
            _ => $"{request.Method} {request.Path}",
        };
    }

    private static string LambdaOperation(HttpRequest request)
    {
        var path = (request.Path.Value ?? "").TrimEnd('/');
        return (request.Method, path) switch
        {
            ("GET", "/2015-03-31/functions") => "ListFunctions",
            ("POST", _) when path.EndsWith("/invocations", StringComparison.Ordinal) => "Invoke",
            ("GET", _) when path.EndsWith("/configuration", StringComparison.Ordinal) => "GetFunctionConfiguration",
            ("GET", _) when path.StartsWith("/2015-03-31/functions/", StringComparison.Ordinal) => "GetFunction",
            _ => $"{request.Method} {path}",
        };
    }
}
