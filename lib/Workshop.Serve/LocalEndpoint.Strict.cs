using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace StreamingWorkshop.Serve;

/// <summary>
/// `--strict`: every request must be signed with the local key pair, checked once here before any service sees it,
/// and a refusal is sent as the service named in the credential scope sends it, so the SDKs report their own errors.
/// </summary>
public sealed partial class LocalEndpoint
{
    private const string SignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    /// <summary>The services whose errors are JSON (the JSON protocols, and Lambda's REST-JSON).</summary>
    private static readonly HashSet<string> JsonErrorServices = ["kinesis", "firehose", "glue", "athena", "events", "logs", "lambda", "redshift-data"];

    private SignatureCheck? signatures;

    /// <summary>From now on, refuses requests not signed with <paramref name="credentials"/>.</summary>
    public void RequireSignatures(LocalCredentials credentials) => signatures = new SignatureCheck(credentials);

    /// <summary>Whether the request was refused (and answered) for its signature; false when it may go on, or when signatures are not checked.</summary>
    private async Task<bool> RefusedForSignatureAsync(HttpContext context, byte[] body)
    {
        if (signatures?.Check(context, body) is not { } fault) return false;
        var request = context.Request;
        var service = SignatureCheck.Read(request)?.Service;
        var json = request.Headers["X-Amz-Target"].Count > 0 || (service is not null && JsonErrorServices.Contains(service));
        var query = !json && (service is "sts" or "cloudformation" or "monitoring" or "iam"
            || (service is null && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true));
        var status = service == "lambda" || !json ? 403 : 400;
        if (json)
        {
            var (type, message) = fault switch
            {
                SignatureFault.UnknownKey => ("UnrecognizedClientException", "The security token included in the request is invalid."),
                SignatureFault.BadSignature => ("InvalidSignatureException", SignatureMismatch),
                _ => ("MissingAuthenticationTokenException", "Missing Authentication Token"),
            };
            context.Response.Headers["x-amzn-ErrorType"] = type;
            await Wire.JsonErrorAsync(context, status, type, message);
        }
        else if (query)
        {
            var (code, message) = fault switch
            {
                SignatureFault.UnknownKey => ("InvalidClientTokenId", "The security token included in the request is invalid."),
                SignatureFault.BadSignature => ("SignatureDoesNotMatch", SignatureMismatch),
                _ => ("MissingAuthenticationToken", "Request is missing Authentication Token"),
            };
            await Wire.XmlErrorAsync(context, status, code, message);
        }
        else
        {
            // S3's own error document.
            var (code, message) = fault switch
            {
                SignatureFault.UnknownKey => ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
                SignatureFault.BadSignature => ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
                _ => ("AccessDenied", "Access Denied"),
            };
            await Wire.WriteAsync(context, status, "application/xml",
                new XElement("Error", new XElement("Code", code), new XElement("Message", message), new XElement("RequestId", Guid.NewGuid())).ToString());
        }
        return true;
    }
}
