using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Serve;

/// <summary>
/// S3 on its REST-XML protocol over the workspace's local lake: buckets and objects addressed by path
/// (/bucket/key) or by virtual host (bucket.localhost, bucket.s3.localhost), ranges, listings with delimiters and
/// paging, copies, batch deletes, multipart uploads and lifecycle configuration. Errors are S3's XML errors.
/// </summary>
internal sealed class S3Handler(LocalObjectStore lake)
{
    /// <summary>
    /// The largest request body taken for S3. S3 itself takes up to 5 GiB in one PutObject, but the endpoint holds a
    /// body in memory; 64 MiB covers the AWS CLI's 8 MiB parts (and part sizes raised well beyond them).
    /// </summary>
    public const long MaxRequestBytes = 64 * 1024 * 1024;

    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly string[] Refused =
    [
        "versioning", "versions", "acl", "policy", "tagging", "cors", "website", "encryption", "replication", "logging",
        "notification", "object-lock", "retention", "legal-hold", "accelerate", "requestPayment", "inventory", "analytics",
        "metrics", "intelligent-tiering", "ownershipControls", "publicAccessBlock", "policyStatus", "torrent", "restore",
        "select", "attributes",
    ];

    /// <summary>Whether an unsigned request is for S3: a virtual host under localhost, or a REST verb on a path.</summary>
    public static bool FitsUnsigned(HttpRequest request) =>
        BucketOfHost(request.Host.Host) is not null
        || request.Query.ContainsKey("X-Amz-Credential")
        || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method);

    /// <summary>The bucket a virtual host names (bucket.localhost, bucket.s3.localhost), or null for path style.</summary>
    private static string? BucketOfHost(string host)
    {
        const string Local = ".localhost";
        if (!host.EndsWith(Local, StringComparison.OrdinalIgnoreCase)) return null;
        var name = host[..^Local.Length];
        if (name.Equals("s3", StringComparison.OrdinalIgnoreCase)) return null;
        if (name.EndsWith(".s3", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        return name.Length == 0 ? null : name;
    }

    /// <summary>
    /// Answers one S3 request. Its body is read first, and only then is the endpoint's turn (<paramref name="turn"/>)
    /// taken, so an upload that arrives slowly holds up its own client and not every other request.
    /// </summary>
    public async Task HandleAsync(HttpContext context, string region, SemaphoreSlim turn)
    {
        var request = context.Request;
        var (bucket, key) = Address(context);
        try
        {
            RequestBody body;
            try
            {
                body = await ReadBodyAsync(context);
            }
            catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw TooLarge(request.ContentLength);
            }
            await turn.WaitAsync(context.RequestAborted);
            try
            {
                await DispatchAsync(context, region, bucket, key, body);
            }
            finally
            {
                turn.Release();
            }
        }
        catch (S3Exception error)
        {
            await ErrorAsync(context, error.ErrorCode, error.Message, bucket, key);
        }
        catch (WorkspaceEscapeException error)
        {
            await ErrorAsync(context, "InvalidArgument", error.Message, bucket, key);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // The lake is files: one held open or made unreadable by another program ends here, not in a dropped connection.
            await ErrorAsync(context, "InternalError", $"The local lake could not be read or written: {error.Message} Check the workspace's files and retry.", bucket, key);
        }
    }

    private async Task DispatchAsync(HttpContext context, string region, string? bucket, string? key, RequestBody upload)
    {
        var body = upload.Bytes;
        var request = context.Request;
        var query = request.Query;
        var method = request.Method;
        if (Refused.FirstOrDefault(query.ContainsKey) is { } refused)
            throw new S3Exception("NotImplemented", $"The local endpoint does not serve the '{refused}' subresource of S3; it serves objects, listings, multipart uploads and lifecycle configuration.");

        if (bucket is null)
        {
            if (HttpMethods.IsGet(method)) { await ListBucketsAsync(context); return; }
            throw new S3Exception("MethodNotAllowed", $"{method} on the service root is not an S3 operation; name a bucket in the path (http://host:port/BUCKET) or the host (BUCKET.localhost).");
        }
        if (LocalObjectStore.BucketNameProblem(bucket) is { } problem)
            throw new S3Exception("InvalidBucketName", $"The specified bucket is not valid: '{bucket}'. {problem}.");

        if (key is null)
        {
            await BucketAsync(context, region, bucket, body);
            return;
        }
        switch (method)
        {
            case "GET" when query.ContainsKey("uploadId"):
                await ListPartsAsync(context, bucket, key, query["uploadId"]!);
                return;
            case "GET":
            case "HEAD":
                await GetObjectAsync(context, bucket, key, head: method == "HEAD");
                return;
            case "PUT" when query.ContainsKey("partNumber") && query.ContainsKey("uploadId"):
                var partChecksum = CheckIntegrity(request, upload);
                var part = lake.UploadPart(bucket, key, query["uploadId"]!, Number(query["partNumber"]!, "partNumber"), body);
                context.Response.Headers.ETag = part.ETag;
                if (partChecksum is { } partSum) context.Response.Headers[partSum.Header] = partSum.Value;
                await EmptyAsync(context, 200);
                return;
            case "PUT" when request.Headers.ContainsKey("x-amz-copy-source"):
                await CopyObjectAsync(context, bucket, key);
                return;
            case "PUT":
                var checksum = CheckIntegrity(request, upload);
                var put = await lake.PutObjectAsync(bucket, key, body, ContentTypeOf(request), cancellationToken: context.RequestAborted);
                context.Response.Headers.ETag = put.ETag;
                if (checksum is { } sum) context.Response.Headers[sum.Header] = sum.Value;
                await EmptyAsync(context, 200);
                return;
            case "POST" when query.ContainsKey("uploads"):
                var uploadId = lake.CreateMultipartUpload(bucket, key, ContentTypeOf(request));
                await XmlAsync(context, 200, new XElement(S3 + "InitiateMultipartUploadResult",
                    new XElement(S3 + "Bucket", bucket), new XElement(S3 + "Key", key), new XElement(S3 + "UploadId", uploadId)));
                return;
            case "POST" when query.ContainsKey("uploadId"):
                await CompleteMultipartUploadAsync(context, bucket, key, query["uploadId"]!, body);
                return;
            case "DELETE" when query.ContainsKey("uploadId"):
                lake.AbortMultipartUpload(bucket, key, query["uploadId"]!);
                await EmptyAsync(context, 204);
                return;
            case "DELETE":
                await lake.DeleteObjectAsync(bucket, key, context.RequestAborted);
                await EmptyAsync(context, 204);
                return;
        }
        throw new S3Exception("MethodNotAllowed", $"{method} on an object is not an S3 operation the local endpoint serves.");
    }

    private async Task BucketAsync(HttpContext context, string region, string bucket, byte[] body)
    {
        var request = context.Request;
        var query = request.Query;
        switch (request.Method)
        {
            case "PUT" when query.ContainsKey("lifecycle"):
                await lake.PutBucketLifecycleAsync(bucket, ParseLifecycle(body, request), context.RequestAborted);
                await EmptyAsync(context, 200);
                return;
            case "PUT":
                try
                {
                    await lake.CreateBucketAsync(bucket, context.RequestAborted);
                }
                catch (S3Exception owned) when (owned.ErrorCode == "BucketAlreadyOwnedByYou" && region == "us-east-1")
                {
                    // S3 in us-east-1 answers 200 to creating a bucket its caller owns already, for old clients' sake;
                    // every other region answers BucketAlreadyOwnedByYou.
                }
                context.Response.Headers.Location = "/" + bucket;
                await EmptyAsync(context, 200);
                return;
            case "DELETE" when query.ContainsKey("lifecycle"):
                await lake.PutBucketLifecycleAsync(bucket, BucketLifecycle.None, context.RequestAborted);
                await EmptyAsync(context, 204);
                return;
            case "DELETE":
                await lake.DeleteBucketAsync(bucket, context.RequestAborted);
                await EmptyAsync(context, 204);
                return;
            case "HEAD":
                await RequireBucketAsync(bucket, context.RequestAborted);
                context.Response.Headers["x-amz-bucket-region"] = region;
                await EmptyAsync(context, 200);
                return;
            case "GET" when query.ContainsKey("location"):
                await RequireBucketAsync(bucket, context.RequestAborted);
                // us-east-1 is S3's empty location constraint.
                await XmlAsync(context, 200, new XElement(S3 + "LocationConstraint", region == "us-east-1" ? "" : region));
                return;
            case "GET" when query.ContainsKey("lifecycle"):
                await GetLifecycleAsync(context, bucket);
                return;
            case "GET" when query.ContainsKey("uploads"):
                throw new S3Exception("NotImplemented", "ListMultipartUploads is not served by the local endpoint; abort an upload by its UploadId.");
            case "GET" when query["list-type"] == "2":
                await ListObjectsV2Async(context, bucket);
                return;
            case "GET":
                await ListObjectsV1Async(context, bucket);
                return;
            case "POST" when query.ContainsKey("delete"):
                await DeleteObjectsAsync(context, bucket, body);
                return;
        }
        throw new S3Exception("MethodNotAllowed", $"{request.Method} on a bucket is not an S3 operation the local endpoint serves.");
    }

    private async Task RequireBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        if (!await lake.BucketExistsAsync(bucket, cancellationToken))
            throw LocalObjectStore.NoSuchBucket(bucket);
    }

    private async Task ListBucketsAsync(HttpContext context)
    {
        var buckets = await lake.ListBucketsAsync(context.RequestAborted);
        await XmlAsync(context, 200, new XElement(S3 + "ListAllMyBucketsResult",
            Owner(),
            new XElement(S3 + "Buckets", buckets.Select(b => new XElement(S3 + "Bucket",
                new XElement(S3 + "Name", b.Name), new XElement(S3 + "CreationDate", XmlTime(b.CreationDate)))))));
    }

    private async Task GetObjectAsync(HttpContext context, string bucket, string key, bool head)
    {
        var stored = await lake.GetObjectAsync(bucket, key, context.RequestAborted);
        var content = stored.Content;
        var headers = lake.GetObjectHeaders(bucket, key, stored.Info, () => stored.Info.ETag);
        var response = context.Response;
        response.Headers.ETag = headers.ETag;
        response.Headers.LastModified = stored.Info.LastModified.ToString("r", CultureInfo.InvariantCulture);
        response.Headers.AcceptRanges = "bytes";
        if (stored.Info.StorageClass != StorageClasses.Standard) response.Headers["x-amz-storage-class"] = stored.Info.StorageClass;
        var status = 200;
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range)
        {
            var (first, last) = ParseRange(range, content.Length);
            response.Headers.ContentRange = $"bytes {first}-{last}/{content.Length}";
            content = content.Slice((int)first, (int)(last - first + 1));
            status = 206;
        }
        response.StatusCode = status;
        response.ContentType = headers.ContentType;
        response.ContentLength = content.Length;
        AddRequestId(context);
        if (!head) await response.Body.WriteAsync(content, context.RequestAborted);
    }

    /// <summary>A single byte range (bytes=a-b, a-, -n) as S3 reads it; a range that starts past the end is refused.</summary>
    private static (long First, long Last) ParseRange(string range, long length)
    {
        var invalid = new S3Exception("InvalidRange", $"The requested range '{range}' is not satisfiable: the object is {length:N0} bytes. Ask for bytes=FIRST-LAST within it.");
        const string Unit = "bytes=";
        if (!range.StartsWith(Unit, StringComparison.Ordinal) || range.Contains(','))
            throw new S3Exception("InvalidArgument", $"Range '{range}' is not served: give one range as bytes=FIRST-LAST, bytes=FIRST- or bytes=-SUFFIX.");
        var spec = range[Unit.Length..];
        var dash = spec.IndexOf('-');
        if (dash < 0) throw invalid;
        var from = spec[..dash].Trim();
        var to = spec[(dash + 1)..].Trim();
        if (from.Length == 0)
        {
            if (!long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix) || suffix == 0 || length == 0) throw invalid;
            return (Math.Max(0, length - suffix), length - 1);
        }
        if (!long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var first) || first >= length) throw invalid;
        if (to.Length == 0) return (first, length - 1);
        if (!long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var last) || last < first) throw invalid;
        return (first, Math.Min(last, length - 1));
    }

    private async Task CopyObjectAsync(HttpContext context, string bucket, string key)
    {
        // The header is BUCKET/KEY, URL-encoded, then ?versionId=... unencoded: a '?' in the key itself comes as %3F.
        var header = context.Request.Headers["x-amz-copy-source"].ToString();
        var question = header.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0 && QueryHelpers.ParseQuery(header[question..]).TryGetValue("versionId", out var version) && version.ToString() != "null")
            throw new S3Exception("InvalidArgument", $"Invalid version id specified: '{version}'. The local lake keeps no versions; leave versionId out of x-amz-copy-source.");
        var source = Uri.UnescapeDataString(question >= 0 ? header[..question] : header).TrimStart('/');
        var slash = source.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == source.Length - 1)
            throw new S3Exception("InvalidArgument", $"x-amz-copy-source '{source}' does not name an object; give it as BUCKET/KEY.");
        var (sourceBucket, sourceKey) = (source[..slash], source[(slash + 1)..]);
        var replace = string.Equals(context.Request.Headers["x-amz-metadata-directive"], "REPLACE", StringComparison.OrdinalIgnoreCase);
        if (sourceBucket == bucket && sourceKey == key && !replace)
            throw new S3Exception("InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        StoredObject stored;
        try
        {
            stored = await lake.GetObjectAsync(sourceBucket, sourceKey, context.RequestAborted);
        }
        catch (S3Exception missing) when (missing.ErrorCode is "NoSuchKey" or "NoSuchBucket")
        {
            // The error names the source, which is what is missing, not the key the copy would have made.
            await ErrorAsync(context, missing.ErrorCode, missing.Message, sourceBucket, sourceKey);
            return;
        }
        var contentType = replace
            ? ContentTypeOf(context.Request)
            : lake.GetObjectHeaders(sourceBucket, sourceKey, stored.Info, () => stored.Info.ETag).ContentType;
        var copy = await lake.PutObjectAsync(bucket, key, stored.Content, contentType, cancellationToken: context.RequestAborted);
        await XmlAsync(context, 200, new XElement(S3 + "CopyObjectResult",
            new XElement(S3 + "LastModified", XmlTime(copy.LastModified)), new XElement(S3 + "ETag", copy.ETag)));
    }

    private async Task DeleteObjectsAsync(HttpContext context, string bucket, byte[] body)
    {
        var document = ParseXml(body, "Delete");
        var quiet = string.Equals(document.Element(S3 + "Quiet")?.Value ?? document.Element("Quiet")?.Value, "true", StringComparison.OrdinalIgnoreCase);
        var keys = Children(document, "Object").Select(o => Child(o, "Key") ?? "").ToArray();
        if (keys.Length > 1000)
            throw new S3Exception("MalformedXML", $"DeleteObjects names {keys.Length:N0} keys; it takes at most 1,000 at once.");
        await RequireBucketAsync(bucket, context.RequestAborted);
        var result = new XElement(S3 + "DeleteResult");
        foreach (var key in keys)
        {
            try
            {
                await lake.DeleteObjectAsync(bucket, key, context.RequestAborted);
                if (!quiet) result.Add(new XElement(S3 + "Deleted", new XElement(S3 + "Key", key)));
            }
            catch (S3Exception error)
            {
                result.Add(new XElement(S3 + "Error", new XElement(S3 + "Key", key), new XElement(S3 + "Code", error.ErrorCode), new XElement(S3 + "Message", error.Message)));
            }
        }
        await XmlAsync(context, 200, result);
    }

    private async Task ListObjectsV2Async(HttpContext context, string bucket)
    {
        var query = context.Request.Query;
        var urlEncoded = query["encoding-type"] == "url";
        var maxKeys = MaxKeys(query["max-keys"]);
        var token = NullIfEmpty(query["continuation-token"]);
        var startAfter = NullIfEmpty(query["start-after"]);
        var page = await ListAsync(bucket, query, token, startAfter, maxKeys, context.RequestAborted);
        var encode = urlEncoded ? (Func<string, string>)UrlEncode : s => s;
        await XmlAsync(context, 200, new XElement(S3 + "ListBucketResult",
            new XElement(S3 + "Name", bucket),
            new XElement(S3 + "Prefix", encode(query["prefix"].ToString())),
            NullIfEmpty(query["delimiter"]) is { } delimiter ? new XElement(S3 + "Delimiter", encode(delimiter)) : null,
            new XElement(S3 + "MaxKeys", maxKeys),
            urlEncoded ? new XElement(S3 + "EncodingType", "url") : null,
            new XElement(S3 + "KeyCount", page.KeyCount),
            new XElement(S3 + "IsTruncated", page.IsTruncated ? "true" : "false"),
            token is null ? null : new XElement(S3 + "ContinuationToken", token),
            page.NextContinuationToken is { } next ? new XElement(S3 + "NextContinuationToken", next) : null,
            startAfter is null ? null : new XElement(S3 + "StartAfter", encode(startAfter)),
            Contents(bucket, page, encode, withOwner: string.Equals(query["fetch-owner"], "true", StringComparison.OrdinalIgnoreCase)),
            page.CommonPrefixes.Select(p => new XElement(S3 + "CommonPrefixes", new XElement(S3 + "Prefix", encode(p))))));
    }

    /// <summary>ListObjects (version 1), which older clients send: marker paging instead of continuation tokens.</summary>
    private async Task ListObjectsV1Async(HttpContext context, string bucket)
    {
        var query = context.Request.Query;
        var urlEncoded = query["encoding-type"] == "url";
        var maxKeys = MaxKeys(query["max-keys"]);
        var marker = NullIfEmpty(query["marker"]);
        var page = await ListAsync(bucket, query, null, marker, maxKeys, context.RequestAborted);
        var encode = urlEncoded ? (Func<string, string>)UrlEncode : s => s;
        var last = page.Contents.Select(c => c.Key).Concat(page.CommonPrefixes).Order(StringComparer.Ordinal).LastOrDefault();
        await XmlAsync(context, 200, new XElement(S3 + "ListBucketResult",
            new XElement(S3 + "Name", bucket),
            new XElement(S3 + "Prefix", encode(query["prefix"].ToString())),
            new XElement(S3 + "Marker", encode(marker ?? "")),
            page.IsTruncated && last is not null ? new XElement(S3 + "NextMarker", encode(last)) : null,
            NullIfEmpty(query["delimiter"]) is { } delimiter ? new XElement(S3 + "Delimiter", encode(delimiter)) : null,
            new XElement(S3 + "MaxKeys", maxKeys),
            urlEncoded ? new XElement(S3 + "EncodingType", "url") : null,
            new XElement(S3 + "IsTruncated", page.IsTruncated ? "true" : "false"),
            Contents(bucket, page, encode, withOwner: true),
            page.CommonPrefixes.Select(p => new XElement(S3 + "CommonPrefixes", new XElement(S3 + "Prefix", encode(p))))));
    }

    private async Task<ListObjectsResult> ListAsync(string bucket, IQueryCollection query, string? token, string? startAfter, int maxKeys, CancellationToken cancellationToken)
    {
        if (maxKeys == 0)
        {
            await RequireBucketAsync(bucket, cancellationToken);
            return new ListObjectsResult([], [], false, null, 0);
        }
        return await lake.ListObjectsV2Async(new ListObjectsRequest(bucket, NullIfEmpty(query["prefix"]), NullIfEmpty(query["delimiter"]), token, startAfter, maxKeys), cancellationToken);
    }

    /// <summary>A listing's objects; each with its owner when <paramref name="withOwner"/> (always in ListObjects, on fetch-owner=true in ListObjectsV2).</summary>
    private IEnumerable<XElement> Contents(string bucket, ListObjectsResult page, Func<string, string> encode, bool withOwner) =>
        page.Contents.Select(item => new XElement(S3 + "Contents",
            new XElement(S3 + "Key", encode(item.Key)),
            new XElement(S3 + "LastModified", XmlTime(item.LastModified)),
            new XElement(S3 + "ETag", lake.GetObjectHeaders(bucket, item.Key, item, () => lake.ComputeETag(bucket, item.Key)).ETag),
            new XElement(S3 + "Size", item.Size),
            withOwner ? Owner() : null,
            new XElement(S3 + "StorageClass", item.StorageClass)));

    private static int MaxKeys(string? text)
    {
        if (string.IsNullOrEmpty(text)) return 1000;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new S3Exception("InvalidArgument", $"max-keys '{text}' is not a number; give 0 to 1000.");
        return Math.Min(value, 1000);
    }

    private async Task ListPartsAsync(HttpContext context, string bucket, string key, string uploadId)
    {
        // A page of at most max-parts (up to 1,000) after part-number-marker, and where the next page starts.
        var query = context.Request.Query;
        var maxParts = query["max-parts"].ToString() is { Length: > 0 } max ? Number(max, "max-parts") : 1000;
        var marker = query["part-number-marker"].ToString() is { Length: > 0 } after ? Number(after, "part-number-marker") : 0;
        maxParts = Math.Min(maxParts, 1000);
        var following = lake.ListParts(bucket, key, uploadId).Where(p => p.PartNumber > marker).ToList();
        var parts = following.Take(maxParts).ToList();
        var truncated = following.Count > maxParts;
        await XmlAsync(context, 200, new XElement(S3 + "ListPartsResult",
            new XElement(S3 + "Bucket", bucket), new XElement(S3 + "Key", key), new XElement(S3 + "UploadId", uploadId),
            new XElement(S3 + "StorageClass", StorageClasses.Standard),
            new XElement(S3 + "PartNumberMarker", marker), truncated ? new XElement(S3 + "NextPartNumberMarker", parts[^1].PartNumber) : null,
            new XElement(S3 + "MaxParts", maxParts), new XElement(S3 + "IsTruncated", truncated ? "true" : "false"),
            Owner(),
            parts.Select(p => new XElement(S3 + "Part", new XElement(S3 + "PartNumber", p.PartNumber),
                new XElement(S3 + "LastModified", XmlTime(p.LastModified)), new XElement(S3 + "ETag", p.ETag), new XElement(S3 + "Size", p.Size)))));
    }

    private async Task CompleteMultipartUploadAsync(HttpContext context, string bucket, string key, string uploadId, byte[] body)
    {
        var document = ParseXml(body, "CompleteMultipartUpload");
        var parts = Children(document, "Part").Select(p => new CompletedPart(
            Number(Child(p, "PartNumber") ?? "", "PartNumber"), Child(p, "ETag") ?? "")).ToArray();
        var info = await lake.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, context.RequestAborted);
        var request = context.Request;
        await XmlAsync(context, 200, new XElement(S3 + "CompleteMultipartUploadResult",
            new XElement(S3 + "Location", $"{request.Scheme}://{request.Host}/{bucket}/{UrlEncode(key)}"),
            new XElement(S3 + "Bucket", bucket), new XElement(S3 + "Key", key), new XElement(S3 + "ETag", info.ETag)));
    }

    private async Task GetLifecycleAsync(HttpContext context, string bucket)
    {
        var lifecycle = await lake.GetBucketLifecycleAsync(bucket, context.RequestAborted);
        if (lifecycle.Rules.Count == 0)
            throw new S3Exception("NoSuchLifecycleConfiguration", $"The lifecycle configuration does not exist: bucket {bucket} has no lifecycle rules.");
        context.Response.Headers["x-amz-transition-default-minimum-object-size"] = lifecycle.TransitionDefaultMinimumObjectSize;
        await XmlAsync(context, 200, new XElement(S3 + "LifecycleConfiguration", lifecycle.Rules.Select(rule => new XElement(S3 + "Rule",
            new XElement(S3 + "ID", rule.Id),
            new XElement(S3 + "Filter", new XElement(S3 + "Prefix", rule.Prefix)),
            new XElement(S3 + "Status", rule.Enabled ? "Enabled" : "Disabled"),
            rule.Transitions.Select(t => new XElement(S3 + "Transition", new XElement(S3 + "Days", t.Days), new XElement(S3 + "StorageClass", t.StorageClass))),
            rule.ExpirationDays is { } days ? new XElement(S3 + "Expiration", new XElement(S3 + "Days", days)) : null))));
    }

    private static BucketLifecycle ParseLifecycle(byte[] body, HttpRequest request)
    {
        var document = ParseXml(body, "LifecycleConfiguration");
        var rules = Children(document, "Rule").Select((rule, index) =>
        {
            var filter = Children(rule, "Filter").FirstOrDefault();
            var prefix = filter is null
                ? Child(rule, "Prefix")
                : Child(filter, "Prefix") ?? Children(filter, "And").Select(and => Child(and, "Prefix")).FirstOrDefault();
            if (filter is not null && Children(filter, "Tag").Any())
                throw new S3Exception("NotImplemented", "Lifecycle filters on tags are not served by the local endpoint; filter by Prefix.");
            var transitions = Children(rule, "Transition").Select(t => new LifecycleTransition(
                Number(Child(t, "Days") ?? throw new S3Exception("NotImplemented", "Lifecycle transitions by Date are not served by the local endpoint; give Days."), "Days"),
                Child(t, "StorageClass") ?? "")).ToArray();
            var expiration = Children(rule, "Expiration").FirstOrDefault() is { } e
                ? Number(Child(e, "Days") ?? throw new S3Exception("NotImplemented", "Lifecycle expiration by Date or for delete markers is not served by the local endpoint; give Days."), "Days")
                : (int?)null;
            var status = Child(rule, "Status");
            if (status is not ("Enabled" or "Disabled"))
                throw new S3Exception("MalformedXML", $"Rule {index + 1}'s Status is '{status}'; give Enabled or Disabled.");
            return new LifecycleRule(Child(rule, "ID") ?? $"rule-{index + 1}", prefix ?? "", transitions, expiration, status == "Enabled");
        }).ToArray();
        if (rules.Length == 0)
            throw new S3Exception("MalformedXML", "The lifecycle configuration has no Rule; give at least one (or delete the configuration).");
        var minimumSize = request.Headers["x-amz-transition-default-minimum-object-size"].ToString();
        return new BucketLifecycle(rules, minimumSize.Length == 0 ? TransitionMinimumSizes.AllStorageClasses128K : minimumSize);
    }

    /// <summary>A request's body, decoded, and the trailers an aws-chunked body ended with (none otherwise).</summary>
    private sealed record RequestBody(byte[] Bytes, IReadOnlyDictionary<string, string> Trailers);

    /// <summary>Reads the body whole, decoding aws-chunked (STREAMING-...) bodies, with S3's own size cap.</summary>
    private static async Task<RequestBody> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxRequestBytes + 1024 * 1024;
        var declared = long.TryParse(request.Headers["x-amz-decoded-content-length"], NumberStyles.None, CultureInfo.InvariantCulture, out var decoded) ? decoded : request.ContentLength;
        if (declared > MaxRequestBytes) throw TooLarge(declared);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var isChunked = request.Headers["x-amz-content-sha256"].ToString().StartsWith("STREAMING-", StringComparison.Ordinal)
                        || request.Headers.ContentEncoding.ToString().Contains("aws-chunked", StringComparison.OrdinalIgnoreCase);
        IReadOnlyDictionary<string, string> trailers = AwsChunked.NoTrailers;
        if (isChunked) (body, trailers) = AwsChunked.Decode(body);
        if (body.Length > MaxRequestBytes) throw TooLarge(body.Length);
        return new RequestBody(body, trailers);
    }

    private static S3Exception TooLarge(long? size) => new TooLargeException(size);

    private static string? ContentTypeOf(HttpRequest request) => NullIfEmpty(request.ContentType);

    internal static (string? Bucket, string? Key) Address(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var question = raw.IndexOf('?', StringComparison.Ordinal);
        var path = question >= 0 ? raw[..question] : raw;
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            path = new Uri(path).AbsolutePath;
        var virtualBucket = BucketOfHost(context.Request.Host.Host);
        var rest = path.Length > 0 && path[0] == '/' ? path[1..] : path;
        if (virtualBucket is not null)
            return (virtualBucket, rest.Length == 0 ? null : Uri.UnescapeDataString(rest));
        if (rest.Length == 0) return (null, null);
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return (Uri.UnescapeDataString(rest), null);
        var key = rest[(slash + 1)..];
        return (Uri.UnescapeDataString(rest[..slash]), key.Length == 0 ? null : Uri.UnescapeDataString(key));
    }

    private static XElement ParseXml(byte[] body, string root)
    {
        try
        {
            var document = XDocument.Parse(Encoding.UTF8.GetString(body)).Root!;
            if (document.Name.LocalName != root)
                throw new S3Exception("MalformedXML", $"The XML you provided was not well-formed or did not validate against our published schema: its root is <{document.Name.LocalName}>, not <{root}>.");
            return document;
        }
        catch (XmlException error)
        {
            throw new S3Exception("MalformedXML", $"The XML you provided was not well-formed or did not validate against our published schema: {error.Message}");
        }
    }

    // Clients send S3's elements with or without its namespace; both are read.
    private static IEnumerable<XElement> Children(XElement parent, string name) => parent.Elements().Where(e => e.Name.LocalName == name);

    private static string? Child(XElement parent, string name) => Children(parent, name).FirstOrDefault()?.Value;

    /// <summary>An upload's Content-MD5 and additional checksum, checked before anything is stored; the checksum to answer with.</summary>
    private static (string Header, string Value)? CheckIntegrity(HttpRequest request, RequestBody upload)
    {
        CheckContentMd5(request, upload.Bytes);
        return S3Checksums.Check(request.Headers, upload.Trailers, upload.Bytes);
    }

    /// <summary>
    /// A Content-MD5 header is S3's integrity check of the body: one that is not a base64 MD5 is InvalidDigest, one that
    /// does not match the body is BadDigest, and nothing is stored.
    /// </summary>
    private static void CheckContentMd5(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        if (request.Headers["Content-MD5"].ToString() is not { Length: > 0 } given) return;
        var expected = new byte[16];
        if (!Convert.TryFromBase64String(given, expected, out var length) || length != 16)
            throw new S3Exception("InvalidDigest", $"The Content-MD5 you specified was not valid: '{given}' is not the base64 of a 16-byte MD5 digest.");
        if (!System.Security.Cryptography.MD5.HashData(body.Span).AsSpan().SequenceEqual(expected))
            throw new S3Exception("BadDigest", "The Content-MD5 you specified did not match what we received.");
    }

    private static int Number(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new S3Exception("InvalidArgument", $"{name} '{text}' is not a whole number.");

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>S3's encoding-type=url: every byte but the unreserved characters and '/' percent-encoded.</summary>
    private static string UrlEncode(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '/') builder.Append(c);
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static string XmlTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static XElement Owner() => new(S3 + "Owner", new XElement(S3 + "ID", "workshop-learner"), new XElement(S3 + "DisplayName", StsHandler.UserName));

    private static void AddRequestId(HttpContext context) =>
        context.Response.Headers["x-amz-request-id"] = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    private static async Task EmptyAsync(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        AddRequestId(context);
        await context.Response.CompleteAsync();
    }

    private static async Task XmlAsync(HttpContext context, int status, XElement answer)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        AddRequestId(context);
        var text = new XDeclaration("1.0", "UTF-8", null) + Environment.NewLine + answer.ToString(SaveOptions.DisableFormatting);
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
    }

    /// <summary>An S3 error: XML &lt;Error&gt; with the code's status; HEAD answers carry the status alone, as S3's do.</summary>
    private static async Task ErrorAsync(HttpContext context, string code, string message, string? bucket, string? key)
    {
        var response = context.Response;
        if (response.HasStarted) return;
        response.Clear();
        response.StatusCode = StatusOf(code);
        AddRequestId(context);
        if (HttpMethods.IsHead(context.Request.Method)) return;
        var error = new XElement("Error", new XElement("Code", code), new XElement("Message", message));
        if (code is "NoSuchKey" && key is not null) error.Add(new XElement("Key", key));
        else if (code is "NoSuchBucket" or "BucketNotEmpty" or "BucketAlreadyOwnedByYou" or "InvalidBucketName" or "NoSuchLifecycleConfiguration" && bucket is not null)
            error.Add(new XElement("BucketName", bucket));
        else if (code is "NoSuchUpload" && context.Request.Query["uploadId"].ToString() is { Length: > 0 } uploadId) error.Add(new XElement("UploadId", uploadId));
        else if (code is "EntityTooLarge") error.Add(new XElement("MaxSizeAllowed", MaxRequestBytes));
        error.Add(new XElement("RequestId", response.Headers["x-amz-request-id"].ToString()));
        response.ContentType = "application/xml";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(error.ToString(SaveOptions.DisableFormatting)), context.RequestAborted);
    }

    private static int StatusOf(string code) => code switch
    {
        "NoSuchKey" or "NoSuchBucket" or "NoSuchUpload" or "NoSuchLifecycleConfiguration" => 404,
        "BucketAlreadyOwnedByYou" or "BucketNotEmpty" => 409,
        "InvalidRange" => 416,
        "MethodNotAllowed" => 405,
        "NotImplemented" => 501,
        "InternalError" => 500,
        _ => 400,
    };

    private sealed class TooLargeException(long? size) : S3Exception("EntityTooLarge",
        $"Your proposed upload{(size is { } s ? $" of {s:N0} bytes" : "")} exceeds the maximum allowed size: the local endpoint takes at most {MaxRequestBytes / (1024 * 1024)} MiB in one request. Upload larger objects in parts with multipart upload (aws s3 cp does so by itself for files over 8 MB).");
}

/// <summary>
/// The aws-chunked content encoding of SigV4 streaming uploads: hex size[;chunk-signature=...] CRLF, the bytes, CRLF,
/// repeated, then a zero-size chunk and any trailers (checksums, a trailer signature), a "name:value" line each.
/// Signatures are not checked; the trailers are returned, so a checksum among them can be.
/// </summary>
internal static class AwsChunked
{
    public static readonly IReadOnlyDictionary<string, string> NoTrailers = new Dictionary<string, string>();

    public static (byte[] Body, IReadOnlyDictionary<string, string> Trailers) Decode(byte[] body)
    {
        using var decoded = new MemoryStream();
        var position = 0;
        while (true)
        {
            var lineEnd = IndexOfCrLf(body, position);
            if (lineEnd < 0) throw Malformed("a chunk header has no line end");
            var header = Encoding.ASCII.GetString(body, position, lineEnd - position);
            var semicolon = header.IndexOf(';', StringComparison.Ordinal);
            var sizeText = (semicolon >= 0 ? header[..semicolon] : header).Trim();
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
                throw Malformed($"chunk size '{sizeText}' is not hexadecimal");
            position = lineEnd + 2;
            if (size == 0) break;
            if (position + size > body.Length) throw Malformed($"a chunk of {size:N0} bytes runs past the end of the body");
            decoded.Write(body, position, size);
            position += size;
            if (position + 2 <= body.Length && body[position] == '\r' && body[position + 1] == '\n') position += 2;
        }
        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (IndexOfCrLf(body, position) is var end and >= 0 && end > position)
        {
            var line = Encoding.ASCII.GetString(body, position, end - position);
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw Malformed($"the trailer line '{line}' has no 'name:value' form");
            trailers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            position = end + 2;
        }
        return (decoded.ToArray(), trailers);
    }

    private static int IndexOfCrLf(byte[] body, int from)
    {
        for (var i = from; i + 1 < body.Length; i++)
            if (body[i] == '\r' && body[i + 1] == '\n') return i;
        return -1;
    }

    private static S3Exception Malformed(string why) =>
        new("IncompleteBody", $"The aws-chunked request body is not well formed: {why}. Send the body as the AWS SDKs do, or unencoded.");
}
