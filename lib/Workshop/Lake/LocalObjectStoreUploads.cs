using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Lake;

/// <summary>What S3 keeps about an object beside its bytes: the Content-Type it was put with, and its ETag.</summary>
public sealed record ObjectHeaders(string ContentType, string ETag);

/// <summary>One part of a multipart upload, as ListParts reports it.</summary>
public sealed record UploadedPart(int PartNumber, long Size, string ETag, DateTimeOffset LastModified);

/// <summary>A part named in CompleteMultipartUpload.</summary>
public sealed record CompletedPart(int PartNumber, string ETag);

/// <summary>
/// The parts of S3 the kit itself does not use but S3 clients do: the Content-Type an object was put with, and
/// multipart uploads. Both live under state/ in the workspace, never in the lake's folders, so the query engine
/// and `workshop lake ls` see objects only. Every path goes through the key and workspace validation of the lake.
/// </summary>
public sealed partial class LocalObjectStore
{
    /// <summary>S3's default Content-Type for an object put without one.</summary>
    public const string DefaultContentType = "binary/octet-stream";

    /// <summary>Every part but the last must be at least 5 MiB, as on S3.</summary>
    public const long MinimumPartBytes = 5 * 1024 * 1024;

    public const int MaxPartNumber = 10_000;

    /// <summary>Puts an object and remembers its Content-Type (and an ETag other than the MD5, for a multipart one).</summary>
    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, string? contentType, string? etag = null, CancellationToken cancellationToken = default)
    {
        var info = await PutObjectAsync(bucket, key, content, cancellationToken);
        if (etag is not null) info = info with { ETag = etag };
        var sidecar = HeadersPath(bucket, key);
        if (contentType is null && etag is null)
        {
            if (File.Exists(sidecar)) File.Delete(sidecar);
            return info;
        }
        var saved = new SavedHeaders(contentType ?? DefaultContentType, info.ETag, info.Size, info.LastModified);
        workspace.WriteAtomically(sidecar, JsonSerializer.SerializeToUtf8Bytes(saved));
        return info;
    }

    /// <summary>
    /// The Content-Type and ETag of an object. Headers saved for an object that has since been rewritten by other
    /// means (the delivery stream, a notebook) no longer describe it, and S3's defaults apply.
    /// </summary>
    public ObjectHeaders GetObjectHeaders(string bucket, string key, ObjectInfo info, Func<string> md5ETag)
    {
        var sidecar = HeadersPath(bucket, key);
        if (File.Exists(sidecar))
        {
            var saved = WorkspaceJson.Read<SavedHeaders>(sidecar);
            if (saved is not null && saved.Size == info.Size && saved.LastModified == info.LastModified)
                return new ObjectHeaders(saved.ContentType, saved.ETag);
        }
        return new ObjectHeaders(DefaultContentType, md5ETag());
    }

    /// <summary>The quoted MD5 of an object's file, S3's ETag for an object put in one piece.</summary>
    public string ComputeETag(string bucket, string key)
    {
        using var file = File.OpenRead(GetLocalPath(bucket, key));
        return $"\"{Convert.ToHexStringLower(MD5.HashData(file))}\"";
    }

    private void ForgetHeaders(string bucket, string key)
    {
        var sidecar = HeadersPath(bucket, key);
        if (File.Exists(sidecar)) File.Delete(sidecar);
    }

    private string HeadersPath(string bucket, string key)
    {
        GetLocalPath(bucket, key);
        return workspace.Resolve("state", "lake-headers", bucket, key + ".json");
    }

    /// <summary>Starts a multipart upload; its parts are kept under state/lake-uploads/ until it is completed or aborted.</summary>
    public string CreateMultipartUpload(string bucket, string key, string? contentType)
    {
        RequireBucket(bucket);
        GetLocalPath(bucket, key);
        var uploadId = Guid.NewGuid().ToString("N");
        var folder = workspace.EnsureFolder("state", "lake-uploads", uploadId);
        workspace.WriteAtomically(Path.Combine(folder, "upload.json"),
            JsonSerializer.SerializeToUtf8Bytes(new SavedUpload(bucket, key, contentType, clock.GetUtcNow())));
        return uploadId;
    }

    public UploadedPart UploadPart(string bucket, string key, string uploadId, int partNumber, ReadOnlyMemory<byte> content)
    {
        var folder = RequireUpload(bucket, key, uploadId);
        if (partNumber is < 1 or > MaxPartNumber)
            throw new S3Exception("InvalidArgument", $"Part number {partNumber} is out of range: use 1 to {MaxPartNumber:N0}.");
        var now = clock.GetUtcNow();
        workspace.WriteAtomically(PartPath(folder, partNumber), content.Span, now);
        return new UploadedPart(partNumber, content.Length, $"\"{Convert.ToHexStringLower(MD5.HashData(content.Span))}\"", now);
    }

    public IReadOnlyList<UploadedPart> ListParts(string bucket, string key, string uploadId)
    {
        var folder = RequireUpload(bucket, key, uploadId);
        return Directory.EnumerateFiles(folder, "part-*").Select(path =>
        {
            var content = File.ReadAllBytes(path);
            return new UploadedPart(int.Parse(Path.GetFileName(path)["part-".Length..], System.Globalization.CultureInfo.InvariantCulture), content.Length,
                $"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"", LastModified(path));
        }).OrderBy(p => p.PartNumber).ToArray();
    }

    /// <summary>
    /// Joins the named parts into the object. Its ETag is S3's: the MD5 of the parts' MD5s, a dash and the number of parts.
    /// </summary>
    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken = default)
    {
        var folder = RequireUpload(bucket, key, uploadId);
        if (parts.Count == 0)
            throw new S3Exception("MalformedXML", "CompleteMultipartUpload names no parts; list every part uploaded, with its PartNumber and ETag.");
        for (var i = 1; i < parts.Count; i++)
        {
            if (parts[i].PartNumber <= parts[i - 1].PartNumber)
                throw new S3Exception("InvalidPartOrder", $"The list of parts was not in ascending order: part {parts[i].PartNumber} follows part {parts[i - 1].PartNumber}.");
        }
        using var joined = new MemoryStream();
        using var digests = new MemoryStream();
        for (var i = 0; i < parts.Count; i++)
        {
            var path = PartPath(folder, parts[i].PartNumber);
            if (!File.Exists(path))
                throw new S3Exception("InvalidPart", $"Part {parts[i].PartNumber} was not uploaded to upload {uploadId}; upload it first or leave it out.");
            var content = await File.ReadAllBytesAsync(path, cancellationToken);
            var md5 = MD5.HashData(content);
            if (!string.Equals(parts[i].ETag.Trim('"'), Convert.ToHexStringLower(md5), StringComparison.OrdinalIgnoreCase))
                throw new S3Exception("InvalidPart", $"Part {parts[i].PartNumber}'s ETag {parts[i].ETag} is not the ETag of the part uploaded (\"{Convert.ToHexStringLower(md5)}\").");
            if (i < parts.Count - 1 && content.Length < MinimumPartBytes)
                throw new S3Exception("EntityTooSmall", $"Part {parts[i].PartNumber} is {content.Length:N0} bytes; every part but the last must be at least 5 MiB.");
            joined.Write(content);
            digests.Write(md5);
        }
        var etag = $"\"{Convert.ToHexStringLower(MD5.HashData(digests.ToArray()))}-{parts.Count}\"";
        var upload = LoadUpload(folder);
        var info = await PutObjectAsync(bucket, key, joined.GetBuffer().AsMemory(0, (int)joined.Length), upload.ContentType ?? DefaultContentType, etag, cancellationToken);
        Directory.Delete(folder, recursive: true);
        return info;
    }

    public void AbortMultipartUpload(string bucket, string key, string uploadId) =>
        Directory.Delete(RequireUpload(bucket, key, uploadId), recursive: true);

    private string RequireUpload(string bucket, string key, string uploadId)
    {
        RequireBucket(bucket);
        var missing = new S3Exception("NoSuchUpload", $"The specified multipart upload does not exist: '{uploadId}' for key '{key}' in bucket {bucket}. It may have been completed or aborted; start a new one.");
        if (!UploadIdPattern().IsMatch(uploadId)) throw missing;
        var folder = workspace.Resolve("state", "lake-uploads", uploadId);
        if (!File.Exists(Path.Combine(folder, "upload.json"))) throw missing;
        var upload = LoadUpload(folder);
        if (upload.Bucket != bucket || upload.Key != key) throw missing;
        return folder;
    }

    private static SavedUpload LoadUpload(string folder) =>
        WorkspaceJson.Read<SavedUpload>(Path.Combine(folder, "upload.json"))!;

    private static string PartPath(string folder, int partNumber) =>
        Path.Combine(folder, $"part-{partNumber.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)}");

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex UploadIdPattern();

    private sealed record SavedHeaders(string ContentType, string ETag, long Size, DateTimeOffset LastModified);

    private sealed record SavedUpload(string Bucket, string Key, string? ContentType, DateTimeOffset Initiated);
}
