using System.IO.Hashing;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Serve;

/// <summary>
/// S3's additional checksums of an upload's body: x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 or -sha256, sent as a
/// header or as an aws-chunked trailer (the AWS SDKs send a CRC32 trailer by default), each the base64 of the digest
/// (a CRC's bytes big-endian). As S3 does, a value of the wrong form is InvalidRequest, one that does not match the body
/// is BadDigest and nothing is stored, and a value that matches is given back in the answer's header.
/// </summary>
internal static class S3Checksums
{
    private sealed record Algorithm(string Name, int Length, Func<ReadOnlyMemory<byte>, byte[]> Digest)
    {
        public string Header { get; } = "x-amz-checksum-" + Name.ToLowerInvariant();
    }

    private static readonly Algorithm[] Algorithms =
    [
        new("CRC32", 4, body => BigEndian(Crc32.HashToUInt32(body.Span))),
        new("CRC32C", 4, body => BigEndian(Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, body.Span))),
        new("CRC64NVME", 8, body => BigEndian(Crc64.HashToUInt64(Crc64ParameterSet.Nvme, body.Span))),
        new("SHA1", 20, body => SHA1.HashData(body.Span)),
        new("SHA256", 32, body => SHA256.HashData(body.Span)),
    ];

    /// <summary>Checks the checksum the request gives, if any; returns the header to answer with it (none when none was given).</summary>
    public static (string Header, string Value)? Check(IHeaderDictionary headers, IReadOnlyDictionary<string, string> trailers, ReadOnlyMemory<byte> body)
    {
        var given = Algorithms
            .Select(algorithm => (algorithm, Value: trailers.TryGetValue(algorithm.Header, out var trailer) ? trailer : headers[algorithm.Header].ToString()))
            .Where(g => g.Value.Length > 0)
            .ToList();
        if (given.Count == 0) return null;
        if (given.Count > 1)
            throw new S3Exception("InvalidRequest", $"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed: this request gives {string.Join(" and ", given.Select(g => g.algorithm.Header))}.");
        var (chosen, value) = given[0];
        var expected = new byte[chosen.Length];
        if (!Convert.TryFromBase64String(value.Trim(), expected, out var length) || length != chosen.Length)
            throw new S3Exception("InvalidRequest", $"Value for {chosen.Header} header is invalid: '{value}' is not the base64 of a {chosen.Length}-byte {chosen.Name}.");
        if (!chosen.Digest(body).AsSpan().SequenceEqual(expected))
            throw new S3Exception("BadDigest", $"The {chosen.Name} you specified did not match the calculated checksum.");
        return (chosen.Header, value.Trim());
    }

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private static byte[] BigEndian(ulong value) => [.. BigEndian((uint)(value >> 32)), .. BigEndian((uint)value)];
}
