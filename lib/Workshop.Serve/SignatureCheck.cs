using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime.Internal.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace StreamingWorkshop.Serve;

/// <summary>The one key pair `workshop serve --strict` takes.</summary>
public sealed record LocalCredentials(string AccessKeyId, string SecretAccessKey)
{
    /// <summary>The keys docs/serve.md tells learners to export; --access-key and --secret-key change them.</summary>
    public static readonly LocalCredentials Default = new("workshop", "workshop");
}

/// <summary>Why a request was refused: its key is unknown, its signature is wrong, or it has none.</summary>
public enum SignatureFault { UnknownKey, BadSignature, Unsigned }

/// <summary>
/// Checks an AWS Signature Version 4 (the Authorization header, or a presigned URL's X-Amz-* query parameters)
/// as the services do: the canonical request is rebuilt from what arrived, and its signature computed with the
/// local secret through AWSSDK.Core's signing key derivation. The request's date is not compared with the clock,
/// since the workspace's clock is not the wall clock.
/// </summary>
public sealed class SignatureCheck(LocalCredentials credentials)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The signature's parts, read from the Authorization header or the presigned query; null when the request is not signed.</summary>
    public sealed record Signed(string AccessKeyId, string Date, string Region, string Service, string[] SignedHeaders, string Signature, bool Presigned);

    public static Signed? Read(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            var parts = authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            return Parse(parts.GetValueOrDefault("Credential"), parts.GetValueOrDefault("SignedHeaders"), parts.GetValueOrDefault("Signature"), presigned: false);
        }
        if (request.Query["X-Amz-Algorithm"] == Algorithm)
            return Parse(request.Query["X-Amz-Credential"], request.Query["X-Amz-SignedHeaders"], request.Query["X-Amz-Signature"], presigned: true);
        return null;
    }

    private static Signed? Parse(string? credential, string? signedHeaders, string? signature, bool presigned)
    {
        var scope = credential?.Split('/');
        if (scope is not { Length: 5 } || scope[4] != "aws4_request" || string.IsNullOrEmpty(signedHeaders) || string.IsNullOrEmpty(signature)) return null;
        return new Signed(scope[0], scope[1], scope[2], scope[3], signedHeaders.Split(';'), signature, presigned);
    }

    /// <summary>What is wrong with the request's signature; null when it is good.</summary>
    public SignatureFault? Check(HttpContext context, byte[] body)
    {
        var request = context.Request;
        if (Read(request) is not { } signed) return SignatureFault.Unsigned;
        if (!string.Equals(signed.AccessKeyId, credentials.AccessKeyId, StringComparison.Ordinal)) return SignatureFault.UnknownKey;
        var amzDate = signed.Presigned ? request.Query["X-Amz-Date"].ToString() : request.Headers["X-Amz-Date"].ToString();
        if (amzDate.Length == 0) amzDate = request.Headers.Date.ToString();

        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 ? "" : rawTarget[(question + 1)..];
        var canonical = string.Join('\n',
            request.Method,
            CanonicalPath(rawPath, signed.Service),
            CanonicalQuery(rawQuery, signed.Presigned),
            string.Concat(signed.SignedHeaders.Select(name => $"{name}:{HeaderValue(request, name)}\n")),
            string.Join(';', signed.SignedHeaders),
            PayloadHash(request, body, signed));
        var stringToSign = string.Join('\n', Algorithm, amzDate, $"{signed.Date}/{signed.Region}/{signed.Service}/aws4_request", Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = AWS4Signer.ComposeSigningKey(credentials.SecretAccessKey, signed.Region, signed.Date, signed.Service);
        var expected = Encoding.ASCII.GetBytes(Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign))));
        var given = Encoding.ASCII.GetBytes(signed.Signature.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given) ? null : SignatureFault.BadSignature;
    }

    /// <summary>S3 signs the path as sent; the other services sign it encoded once more.</summary>
    private static string CanonicalPath(string rawPath, string service)
    {
        var path = rawPath.Length == 0 ? "/" : rawPath;
        return service == "s3" ? path : string.Join('/', path.Split('/').Select(segment => Encode(segment)));
    }

    private static string CanonicalQuery(string rawQuery, bool presigned) => string.Join('&', rawQuery
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .Select(pair => (Name: Encode(Decode(pair[0])), Value: Encode(Decode(pair.Length > 1 ? pair[1] : ""))))
        .Where(pair => !(presigned && pair.Name == "X-Amz-Signature"))
        .OrderBy(pair => pair.Name, StringComparer.Ordinal).ThenBy(pair => pair.Value, StringComparer.Ordinal)
        .Select(pair => $"{pair.Name}={pair.Value}"));

    private static string HeaderValue(HttpRequest request, string name)
    {
        var values = name == "host" ? [request.Host.Value ?? ""] : request.Headers[name].Select(v => v ?? "").ToArray();
        return string.Join(',', values.Select(v => string.Join(' ', v.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
    }

    /// <summary>
    /// The hash the client signed: S3's x-amz-content-sha256 as given (UNSIGNED-PAYLOAD and the STREAMING-* chunked
    /// forms included, whose chunks are not checked), otherwise the body's own.
    /// </summary>
    private static string PayloadHash(HttpRequest request, byte[] body, Signed signed)
    {
        if (request.Headers["x-amz-content-sha256"].ToString() is { Length: > 0 } declared) return declared;
        if (signed.Presigned && signed.Service == "s3") return "UNSIGNED-PAYLOAD";
        return Hex(SHA256.HashData(body));
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text);

    /// <summary>RFC 3986 encoding as SigV4 wants it: everything but letters, digits and -_.~ as %XX in upper case.</summary>
    private static string Encode(string text)
    {
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                encoded.Append((char)b);
            else
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
