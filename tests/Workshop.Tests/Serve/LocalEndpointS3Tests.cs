using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;
using KitListObjectsRequest = StreamingWorkshop.Lake.ListObjectsRequest;

namespace Workshop.Tests.Serve;

/// <summary>
/// The local endpoint's S3 over HTTP: the kit's own AWS backend (AWSSDK.S3) pointed at it, and raw requests for what
/// the SDK hides (ranges, error bodies, virtual hosts, aws-chunked bodies, multipart uploads, the size cap).
/// Each answer is read as the wire has it; stored bytes are read back from the workspace's lake.
/// </summary>
public sealed class LocalEndpointS3Tests : LocalEndpointTest
{
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";

    private S3ObjectStore KitStore()
    {
        var url = Endpoint.Url.ToString();
        var settings = AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("workshop", "workshop"),
            name => name == "AWS_ENDPOINT_URL" ? url : null);
        return new AwsClients(settings).S3();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body = null, Action<HttpRequestMessage>? adjust = null)
    {
        var request = new HttpRequestMessage(method, new Uri(Endpoint.Url, pathAndQuery));
        request.Headers.TryAddWithoutValidation("Authorization", Authorization("s3"));
        if (body is not null) request.Content = new ByteArrayContent(body);
        adjust?.Invoke(request);
        return await Http.SendAsync(request);
    }

    private async Task<XElement> ErrorOfAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        var error = XElement.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Error", error.Name.LocalName);
        Assert.False(string.IsNullOrEmpty(error.Element("RequestId")?.Value), "the error names its request");
        return error;
    }

    /// <summary>Every key the bucket holds, listed through the lake itself rather than the endpoint under test.</summary>
    private async Task<List<string>> KeysAsync(string bucket)
    {
        var keys = new List<string>();
        await foreach (var item in Session.Local!.Lake.ListAllAsync(bucket, "")) keys.Add(item.Key);
        return keys;
    }

    [Fact]
    public async Task The_kits_s3_backend_makes_a_bucket_puts_lists_gets_and_deletes_through_the_endpoint()
    {
        using var store = KitStore();
        await store.CreateBucketAsync("served-lake");
        Assert.True(await store.BucketExistsAsync("served-lake"));
        Assert.False(await store.BucketExistsAsync("no-such-lake"));
        Assert.Equal(["served-lake"], (await store.ListBucketsAsync()).Select(b => b.Name));

        string[] keys = ["weather-data/city=Cork/part-1.json", "weather-data/city=Dublin/part-1.json", "weather-data/city=Dublin/part-2.json", "readme.txt"];
        foreach (var key in keys) await store.PutObjectAsync("served-lake", key, Encoding.UTF8.GetBytes($"content of {key}"));

        var stored = await store.GetObjectAsync("served-lake", "weather-data/city=Dublin/part-2.json");
        Assert.Equal("content of weather-data/city=Dublin/part-2.json", Encoding.UTF8.GetString(stored.Content.Span));
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("content of weather-data/city=Dublin/part-2.json")))}\"", stored.Info.ETag);
        // The object is a file of the workspace's lake, written on the workspace's clock.
        Assert.Equal("content of readme.txt", File.ReadAllText(Path.Combine(Temp.Root, "lake", "served-lake", "readme.txt")));
        Assert.Equal(Session.Clock.GetUtcNow().UtcDateTime.Date, stored.Info.LastModified.UtcDateTime.Date);

        var folders = await store.ListObjectsV2Async(new KitListObjectsRequest("served-lake", "weather-data/", "/"));
        Assert.Equal(["weather-data/city=Cork/", "weather-data/city=Dublin/"], folders.CommonPrefixes);
        Assert.Empty(folders.Contents);

        var first = await store.ListObjectsV2Async(new KitListObjectsRequest("served-lake", "weather-data/", MaxKeys: 2));
        Assert.True(first.IsTruncated);
        Assert.Equal(2, first.KeyCount);
        Assert.Equal(["weather-data/city=Cork/part-1.json", "weather-data/city=Dublin/part-1.json"], first.Contents.Select(c => c.Key));
        var second = await store.ListObjectsV2Async(new KitListObjectsRequest("served-lake", "weather-data/", ContinuationToken: first.NextContinuationToken, MaxKeys: 2));
        Assert.False(second.IsTruncated);
        Assert.Equal(["weather-data/city=Dublin/part-2.json"], second.Contents.Select(c => c.Key));

        var notEmpty = await Assert.ThrowsAsync<S3Exception>(() => store.DeleteBucketAsync("served-lake"));
        Assert.Equal("BucketNotEmpty", notEmpty.ErrorCode);
        await store.EmptyBucketAsync("served-lake");
        var missing = await Assert.ThrowsAsync<S3Exception>(() => store.GetObjectAsync("served-lake", "readme.txt"));
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        await store.DeleteBucketAsync("served-lake");
        Assert.Empty(await store.ListBucketsAsync());
        Assert.False(Directory.Exists(Path.Combine(Temp.Root, "lake", "served-lake")));
        Assert.False(Directory.Exists(Path.Combine(Temp.Root, "state", "lake-headers", "served-lake")));
    }

    [Fact]
    public async Task Lifecycle_rules_put_through_the_sdk_come_back_and_a_bucket_without_rules_has_none()
    {
        using var store = KitStore();
        await store.CreateBucketAsync("aging-lake");
        Assert.Equal(BucketLifecycle.None, await store.GetBucketLifecycleAsync("aging-lake"));

        var lifecycle = new BucketLifecycle(
            [new StreamingWorkshop.Lake.LifecycleRule("archive", "weather-data/", [new StreamingWorkshop.Lake.LifecycleTransition(30, "STANDARD_IA"), new StreamingWorkshop.Lake.LifecycleTransition(90, "GLACIER")], 365)],
            TransitionMinimumSizes.VariesByStorageClass);
        await store.PutBucketLifecycleAsync("aging-lake", lifecycle);

        var back = await store.GetBucketLifecycleAsync("aging-lake");
        Assert.Equal(TransitionMinimumSizes.VariesByStorageClass, back.TransitionDefaultMinimumObjectSize);
        var rule = Assert.Single(back.Rules);
        Assert.Equal(("archive", "weather-data/", 365, true), (rule.Id, rule.Prefix, rule.ExpirationDays, rule.Enabled));
        Assert.Equal(["30 STANDARD_IA", "90 GLACIER"], rule.Transitions.Select(t => $"{t.Days} {t.StorageClass}"));
        // The rules are the workspace's own: the local lake reads the same ones.
        Assert.Equal("archive", Assert.Single((await Session.Local!.Lake.GetBucketLifecycleAsync("aging-lake")).Rules).Id);

        using var deleted = await SendAsync(HttpMethod.Delete, "/aging-lake?lifecycle");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var none = await SendAsync(HttpMethod.Get, "/aging-lake?lifecycle");
        var error = await ErrorOfAsync(none, HttpStatusCode.NotFound);
        Assert.Equal("NoSuchLifecycleConfiguration", error.Element("Code")?.Value);
    }

    [Fact]
    public async Task Aws_chunked_uploads_of_the_sdk_and_with_signed_chunks_and_trailers_store_the_decoded_bytes()
    {
        await Session.Local!.Lake.CreateBucketAsync("chunked");
        var content = new byte[200_000];
        new Random(7).NextBytes(content);

        // AWSSDK.S3 with its defaults streams the body aws-chunked with a checksum trailer.
        var config = new AmazonS3Config { ServiceURL = Endpoint.Url.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" };
        using (var client = new AmazonS3Client(new BasicAWSCredentials("workshop", "workshop"), config))
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = "chunked", Key = "sdk.bin", InputStream = new MemoryStream(content), UseChunkEncoding = true });
        }
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Temp.Root, "lake", "chunked", "sdk.bin")));

        // Signed chunks of 64 KiB, then the final empty chunk and a checksum trailer, as SigV4 streaming sends them.
        using var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.ASCII.GetBytes(text));
        for (var offset = 0; offset < content.Length; offset += 65536)
        {
            var size = Math.Min(65536, content.Length - offset);
            Write($"{size:x};chunk-signature={new string('a', 64)}\r\n");
            body.Write(content, offset, size);
            Write("\r\n");
        }
        var crc32 = Convert.ToBase64String(BitConverter.GetBytes(System.IO.Hashing.Crc32.HashToUInt32(content)).Reverse().ToArray());
        Write($"0;chunk-signature={new string('b', 64)}\r\nx-amz-checksum-crc32:{crc32}\r\nx-amz-trailer-signature:{new string('c', 64)}\r\n\r\n");
        using var put = await SendAsync(HttpMethod.Put, "/chunked/signed.bin", body.ToArray(), request =>
        {
            request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
            request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Content!.Headers.ContentEncoding.Add("aws-chunked");
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"", put.Headers.ETag?.Tag);
        Assert.Equal(crc32, Assert.Single(put.Headers.GetValues("x-amz-checksum-crc32")));
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Temp.Root, "lake", "chunked", "signed.bin")));
    }

    // The check values of "123456789" from the CRC catalogue (CRC-32, CRC-32C, CRC-64/NVME), big-endian, and its SHA-1 and SHA-256.
    [Theory]
    [InlineData("x-amz-checksum-crc32", "y/Q5Jg==", "CRC32")]
    [InlineData("x-amz-checksum-crc32c", "4waSgw==", "CRC32C")]
    [InlineData("x-amz-checksum-crc64nvme", "rosUhgp5mIg=", "CRC64NVME")]
    [InlineData("x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE=", "SHA1")]
    [InlineData("x-amz-checksum-sha256", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=", "SHA256")]
    public async Task An_upload_checksum_is_checked_against_the_body_and_given_back_when_it_matches(string header, string rightValue, string name)
    {
        await Session.Local!.Lake.CreateBucketAsync("sums");
        var body = Encoding.ASCII.GetBytes("123456789");
        using (var put = await SendAsync(HttpMethod.Put, "/sums/right.txt", body, request => request.Headers.TryAddWithoutValidation(header, rightValue)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal(rightValue, Assert.Single(put.Headers.GetValues(header)));
        }
        var otherBody = Encoding.ASCII.GetBytes("123456780");
        using (var wrong = await SendAsync(HttpMethod.Put, "/sums/wrong.txt", otherBody, request => request.Headers.TryAddWithoutValidation(header, rightValue)))
        {
            var error = await ErrorOfAsync(wrong, HttpStatusCode.BadRequest);
            Assert.Equal("BadDigest", error.Element("Code")?.Value);
            Assert.Equal($"The {name} you specified did not match the calculated checksum.", error.Element("Message")?.Value);
        }
        using (var malformed = await SendAsync(HttpMethod.Put, "/sums/malformed.txt", body, request => request.Headers.TryAddWithoutValidation(header, "not-base64!")))
        {
            var error = await ErrorOfAsync(malformed, HttpStatusCode.BadRequest);
            Assert.Equal("InvalidRequest", error.Element("Code")?.Value);
            Assert.StartsWith($"Value for {header} header is invalid: 'not-base64!'", error.Element("Message")?.Value);
        }

        Assert.Equal(["right.txt"], await KeysAsync("sums"));
    }

    [Fact]
    public async Task A_checksum_trailer_that_does_not_match_the_chunks_is_BadDigest_and_two_checksums_are_refused()
    {
        await Session.Local!.Lake.CreateBucketAsync("trailers");
        var chunked = Encoding.ASCII.GetBytes("9\r\n123456780\r\n0\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n\r\n");
        using (var put = await SendAsync(HttpMethod.Put, "/trailers/wrong.txt", chunked, request =>
               {
                   request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
                   request.Headers.TryAddWithoutValidation("x-amz-trailer", "x-amz-checksum-crc32");
                   request.Content!.Headers.ContentEncoding.Add("aws-chunked");
               }))
            Assert.Equal("BadDigest", (await ErrorOfAsync(put, HttpStatusCode.BadRequest)).Element("Code")?.Value);

        using (var both = await SendAsync(HttpMethod.Put, "/trailers/both.txt", Encoding.ASCII.GetBytes("123456789"), request =>
               {
                   request.Headers.TryAddWithoutValidation("x-amz-checksum-crc32", "y/Q5Jg==");
                   request.Headers.TryAddWithoutValidation("x-amz-checksum-crc32c", "4waSgw==");
               }))
        {
            var error = await ErrorOfAsync(both, HttpStatusCode.BadRequest);
            Assert.Equal("InvalidRequest", error.Element("Code")?.Value);
            Assert.Contains("x-amz-checksum-crc32 and x-amz-checksum-crc32c", error.Element("Message")?.Value);
        }

        Assert.Empty(await KeysAsync("trailers"));
    }

    [Fact]
    public async Task A_content_md5_that_does_not_match_the_body_is_BadDigest_and_stores_nothing()
    {
        await Session.Local!.Lake.CreateBucketAsync("digests");
        var body = Encoding.ASCII.GetBytes("hello\n");
        var right = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(body));

        using (var put = await SendAsync(HttpMethod.Put, "/digests/right.txt", body, request => request.Content!.Headers.ContentMD5 = Convert.FromBase64String(right)))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var wrong = await SendAsync(HttpMethod.Put, "/digests/wrong.txt", body, request => request.Content!.Headers.ContentMD5 = new byte[16]))
            Assert.Equal("BadDigest", (await ErrorOfAsync(wrong, HttpStatusCode.BadRequest)).Element("Code")?.Value);
        using (var invalid = await SendAsync(HttpMethod.Put, "/digests/invalid.txt", body, request => request.Content!.Headers.TryAddWithoutValidation("Content-MD5", "AAAA")))
            Assert.Equal("InvalidDigest", (await ErrorOfAsync(invalid, HttpStatusCode.BadRequest)).Element("Code")?.Value);

        Assert.Equal(["right.txt"], await KeysAsync("digests"));
    }

    [Fact]
    public async Task Ranges_answer_206_with_content_range_and_a_range_past_the_end_is_416()
    {
        await Session.Local!.Lake.CreateBucketAsync("ranges");
        using (var put = await SendAsync(HttpMethod.Put, "/ranges/digits.txt", Encoding.ASCII.GetBytes("0123456789"),
                   request => request.Content!.Headers.ContentType = new MediaTypeHeaderValue("text/plain")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        foreach (var (range, expected, contentRange) in new[] { ("bytes=2-5", "2345", "bytes 2-5/10"), ("bytes=7-", "789", "bytes 7-9/10"), ("bytes=-3", "789", "bytes 7-9/10"), ("bytes=8-100", "89", "bytes 8-9/10") })
        {
            using var answer = await SendAsync(HttpMethod.Get, "/ranges/digits.txt", adjust: request => request.Headers.TryAddWithoutValidation("Range", range));
            Assert.Equal(HttpStatusCode.PartialContent, answer.StatusCode);
            Assert.Equal(expected, await answer.Content.ReadAsStringAsync());
            Assert.Equal(contentRange, answer.Content.Headers.ContentRange?.ToString());
            Assert.Equal("text/plain", answer.Content.Headers.ContentType?.MediaType);
        }

        using var whole = await SendAsync(HttpMethod.Get, "/ranges/digits.txt");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("0123456789", await whole.Content.ReadAsStringAsync());
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.Equal(Session.Clock.GetUtcNow().UtcDateTime.Date, whole.Content.Headers.LastModified?.UtcDateTime.Date);

        using var beyond = await SendAsync(HttpMethod.Get, "/ranges/digits.txt", adjust: request => request.Headers.TryAddWithoutValidation("Range", "bytes=10-20"));
        var error = await ErrorOfAsync(beyond, HttpStatusCode.RequestedRangeNotSatisfiable);
        Assert.Equal("InvalidRange", error.Element("Code")?.Value);
        Assert.Contains("the object is 10 bytes", error.Element("Message")?.Value);
    }

    [Fact]
    public async Task Errors_come_as_s3_xml_with_their_status_and_head_errors_have_no_body()
    {
        using (var created = await SendAsync(HttpMethod.Put, "/errors-lake")) Assert.Equal(HttpStatusCode.OK, created.StatusCode);

        using var missingKey = await SendAsync(HttpMethod.Get, "/errors-lake/no/such/key.json");
        var noSuchKey = await ErrorOfAsync(missingKey, HttpStatusCode.NotFound);
        Assert.Equal(("NoSuchKey", "no/such/key.json"), (noSuchKey.Element("Code")?.Value, noSuchKey.Element("Key")?.Value));

        using var headMissing = await SendAsync(HttpMethod.Head, "/errors-lake/no-such-key");
        Assert.Equal(HttpStatusCode.NotFound, headMissing.StatusCode);
        Assert.Empty(await headMissing.Content.ReadAsByteArrayAsync());

        using var missingBucket = await SendAsync(HttpMethod.Get, "/no-such-lake?list-type=2");
        var noSuchBucket = await ErrorOfAsync(missingBucket, HttpStatusCode.NotFound);
        Assert.Equal(("NoSuchBucket", "no-such-lake"), (noSuchBucket.Element("Code")?.Value, noSuchBucket.Element("BucketName")?.Value));

        // Creating a bucket one owns already: 200 in us-east-1, for old clients' sake, and BucketAlreadyOwnedByYou elsewhere.
        using var again = await SendAsync(HttpMethod.Put, "/errors-lake");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var againInLondon = await SendAsync(HttpMethod.Put, "/errors-lake", adjust: request =>
        {
            request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation("Authorization", Authorization("s3").Replace("/us-east-1/", "/eu-west-2/", StringComparison.Ordinal));
        });
        Assert.Equal("BucketAlreadyOwnedByYou", (await ErrorOfAsync(againInLondon, HttpStatusCode.Conflict)).Element("Code")?.Value);

        using var badName = await SendAsync(HttpMethod.Put, "/Bad_Bucket");
        var invalid = await ErrorOfAsync(badName, HttpStatusCode.BadRequest);
        Assert.Equal("InvalidBucketName", invalid.Element("Code")?.Value);
        Assert.Contains("'Bad_Bucket'", invalid.Element("Message")?.Value);

        using var badXml = await SendAsync(HttpMethod.Post, "/errors-lake?delete", Encoding.UTF8.GetBytes("<Delete><Object>"));
        Assert.Equal("MalformedXML", (await ErrorOfAsync(badXml, HttpStatusCode.BadRequest)).Element("Code")?.Value);

        using var versioning = await SendAsync(HttpMethod.Get, "/errors-lake?versioning");
        var refused = await ErrorOfAsync(versioning, HttpStatusCode.NotImplemented);
        Assert.Equal("NotImplemented", refused.Element("Code")?.Value);
        Assert.Contains("'versioning'", refused.Element("Message")?.Value);
    }

    [Fact]
    public async Task A_body_over_the_cap_is_refused_as_entity_too_large_naming_the_cap_and_multipart()
    {
        await Session.Local!.Lake.CreateBucketAsync("capped");
        // Declared with Expect: 100-continue, as the AWS CLI sends uploads: the refusal comes before the bytes are sent.
        using var tooLarge = await SendAsync(HttpMethod.Put, "/capped/huge.bin", new byte[64 * 1024 * 1024 + 1], request => request.Headers.ExpectContinue = true);
        var error = await ErrorOfAsync(tooLarge, HttpStatusCode.BadRequest);
        Assert.Equal("EntityTooLarge", error.Element("Code")?.Value);
        Assert.Contains("at most 64 MiB in one request", error.Element("Message")?.Value);
        Assert.Contains("multipart upload", error.Element("Message")?.Value);
        Assert.False(File.Exists(Path.Combine(Temp.Root, "lake", "capped", "huge.bin")));

        // A part of the AWS CLI's size, over the 8 MiB the JSON services take, is stored.
        var part = new byte[9 * 1024 * 1024];
        using var taken = await SendAsync(HttpMethod.Put, "/capped/nine-mib.bin", part);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        Assert.Equal(part.Length, new FileInfo(Path.Combine(Temp.Root, "lake", "capped", "nine-mib.bin")).Length);
    }

    [Fact]
    public async Task A_multipart_upload_joins_its_parts_under_a_composite_etag_and_leaves_nothing_behind()
    {
        await Session.Local!.Lake.CreateBucketAsync("parts");
        using var started = await SendAsync(HttpMethod.Post, "/parts/big/readings.bin?uploads", adjust: request =>
            request.Content = new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-ndjson") } });
        var uploadId = XElement.Parse(await started.Content.ReadAsStringAsync()).Element(S3 + "UploadId")!.Value;

        var first = new byte[5 * 1024 * 1024];
        new Random(1).NextBytes(first);
        var second = Encoding.ASCII.GetBytes("the last part may be small");
        using var part1 = await SendAsync(HttpMethod.Put, $"/parts/big/readings.bin?partNumber=1&uploadId={uploadId}", first);
        using var part2 = await SendAsync(HttpMethod.Put, $"/parts/big/readings.bin?partNumber=2&uploadId={uploadId}", second);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(second))}\"", part2.Headers.ETag?.Tag);

        using var listed = await SendAsync(HttpMethod.Get, $"/parts/big/readings.bin?uploadId={uploadId}");
        Assert.Equal(["1 5242880", "2 26"], XElement.Parse(await listed.Content.ReadAsStringAsync()).Elements(S3 + "Part")
            .Select(p => $"{p.Element(S3 + "PartNumber")!.Value} {p.Element(S3 + "Size")!.Value}"));
        // One part a page: the first says where the next starts, the last that it is the last.
        using (var firstPage = await SendAsync(HttpMethod.Get, $"/parts/big/readings.bin?uploadId={uploadId}&max-parts=1"))
        {
            var page = XElement.Parse(await firstPage.Content.ReadAsStringAsync());
            Assert.Equal(("1", "true", "1", "1"), (page.Element(S3 + "Part")!.Element(S3 + "PartNumber")!.Value, page.Element(S3 + "IsTruncated")!.Value,
                page.Element(S3 + "NextPartNumberMarker")!.Value, page.Element(S3 + "MaxParts")!.Value));
        }
        using (var lastPage = await SendAsync(HttpMethod.Get, $"/parts/big/readings.bin?uploadId={uploadId}&max-parts=1&part-number-marker=1"))
        {
            var page = XElement.Parse(await lastPage.Content.ReadAsStringAsync());
            Assert.Equal(["2"], page.Elements(S3 + "Part").Select(p => p.Element(S3 + "PartNumber")!.Value));
            Assert.Equal(("false", null), (page.Element(S3 + "IsTruncated")!.Value, page.Element(S3 + "NextPartNumberMarker")?.Value));
        }

        var complete = $"<CompleteMultipartUpload xmlns=\"{S3}\"><Part><PartNumber>1</PartNumber><ETag>{part1.Headers.ETag!.Tag}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{part2.Headers.ETag!.Tag}</ETag></Part></CompleteMultipartUpload>";
        using var completed = await SendAsync(HttpMethod.Post, $"/parts/big/readings.bin?uploadId={uploadId}", Encoding.UTF8.GetBytes(complete));
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        var expectedETag = $"\"{Convert.ToHexStringLower(MD5.HashData([.. MD5.HashData(first), .. MD5.HashData(second)]))}-2\"";
        Assert.Equal(expectedETag, XElement.Parse(await completed.Content.ReadAsStringAsync()).Element(S3 + "ETag")?.Value);

        Assert.Equal([.. first, .. second], File.ReadAllBytes(Path.Combine(Temp.Root, "lake", "parts", "big", "readings.bin")));
        using var head = await SendAsync(HttpMethod.Head, "/parts/big/readings.bin");
        Assert.Equal(expectedETag, head.Headers.ETag?.Tag);
        Assert.Equal("application/x-ndjson", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Temp.Root, "state", "lake-uploads")));

        using var gone = await SendAsync(HttpMethod.Delete, $"/parts/big/readings.bin?uploadId={uploadId}");
        var error = await ErrorOfAsync(gone, HttpStatusCode.NotFound);
        Assert.Equal(("NoSuchUpload", uploadId), (error.Element("Code")?.Value, error.Element("UploadId")?.Value));
    }

    [Fact]
    public async Task A_key_with_a_segment_too_long_for_a_file_name_is_a_400_that_leaves_no_folder_to_list()
    {
        await Session.Local!.Lake.CreateBucketAsync("long-names");
        var key = "logs/" + new string('r', 260) + ".csv";

        using var put = await SendAsync(HttpMethod.Put, "/long-names/" + key, "x"u8.ToArray());

        // A 400 is not retried by the SDKs, where a 500 would be, three times.
        var error = await ErrorOfAsync(put, HttpStatusCode.BadRequest);
        Assert.Equal("InvalidArgument", error.Element("Code")?.Value);
        Assert.Contains("longer than 255 bytes", error.Element("Message")?.Value);
        using var folders = await SendAsync(HttpMethod.Get, "/long-names?list-type=2&delimiter=%2F");
        Assert.Equal("0", XElement.Parse(await folders.Content.ReadAsStringAsync()).Element(S3 + "KeyCount")?.Value);
    }

    [Fact]
    public async Task An_upload_that_arrives_slowly_holds_up_no_other_request()
    {
        await Session.Local!.Lake.CreateBucketAsync("slow");
        var body = Encoding.ASCII.GetBytes(new string('r', 4_000));
        using var upload = new System.Net.Sockets.TcpClient();
        await upload.ConnectAsync(Endpoint.Url.Host, Endpoint.Url.Port);
        var wire = upload.GetStream();
        var head = $"PUT /slow/readings.txt HTTP/1.1\r\nHost: {Endpoint.Url.Authority}\r\nAuthorization: {Authorization("s3")}\r\nContent-Length: {body.Length}\r\n\r\n";
        await wire.WriteAsync(Encoding.ASCII.GetBytes(head));
        await wire.WriteAsync(body.AsMemory(0, 100));

        // The upload trickles on (fast enough for the server's minimum data rate) until the other request is answered,
        // or for 20 seconds at most: an endpoint that waited for the upload would answer the other request only after it.
        using var answered = new CancellationTokenSource();
        var sent = 100;
        var trickle = Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!answered.IsCancellationRequested && DateTime.UtcNow < deadline && sent < body.Length - 100)
            {
                await wire.WriteAsync(body.AsMemory(sent, 100));
                sent += 100;
                await Task.Delay(200);
            }
        });
        using (var listing = await SendAsync(HttpMethod.Get, "/slow?list-type=2"))
        {
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
            answered.Cancel();
        }
        await trickle;
        Assert.True(sent < body.Length - 100, "the listing was answered only once the upload had finished sending");

        await wire.WriteAsync(body.AsMemory(sent));
        var reply = new byte[1024];
        var read = await wire.ReadAsync(reply);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(reply, 0, read));
        Assert.Equal(body, (await Session.Local!.Lake.GetObjectAsync("slow", "readings.txt")).Content.ToArray());
    }

    [Fact]
    public async Task A_copy_names_its_source_when_that_is_missing_and_refuses_to_copy_an_object_onto_itself_unchanged()
    {
        await Session.Local!.Lake.CreateBucketAsync("copies");
        await Session.Local!.Lake.PutObjectAsync("copies", "what?.txt", "asked"u8.ToArray());
        Task<HttpResponseMessage> CopyAsync(string to, string source, string? directive = null) => SendAsync(HttpMethod.Put, "/copies/" + to, adjust: request =>
        {
            request.Headers.TryAddWithoutValidation("x-amz-copy-source", source);
            if (directive is not null) request.Headers.TryAddWithoutValidation("x-amz-metadata-directive", directive);
        });

        using (var missing = await CopyAsync("b.txt", "copies/gone.txt"))
        {
            var error = await ErrorOfAsync(missing, HttpStatusCode.NotFound);
            Assert.Equal(("NoSuchKey", "gone.txt"), (error.Element("Code")?.Value, error.Element("Key")?.Value));
        }
        using (var itself = await CopyAsync("what%3F.txt", "copies/what%3F.txt"))
        {
            var error = await ErrorOfAsync(itself, HttpStatusCode.BadRequest);
            Assert.Equal("InvalidRequest", error.Element("Code")?.Value);
            Assert.StartsWith("This copy request is illegal because it is trying to copy an object to itself", error.Element("Message")?.Value);
        }
        using (var replaced = await CopyAsync("what%3F.txt", "copies/what%3F.txt", "REPLACE"))
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        using (var versioned = await CopyAsync("c.txt", "copies/what%3F.txt?versionId=3HL4kqtJlcpXroDTDmJ"))
        {
            var error = await ErrorOfAsync(versioned, HttpStatusCode.BadRequest);
            Assert.Equal("InvalidArgument", error.Element("Code")?.Value);
            Assert.StartsWith("Invalid version id specified", error.Element("Message")?.Value);
        }
        // "null" is the version of every object in a bucket without versioning; the '?' encoded in the key stays in it.
        using (var unversioned = await CopyAsync("d.txt", "copies/what%3F.txt?versionId=null"))
            Assert.Equal(HttpStatusCode.OK, unversioned.StatusCode);
        Assert.Equal("asked", Encoding.UTF8.GetString((await Session.Local!.Lake.GetObjectAsync("copies", "d.txt")).Content.Span));
        Assert.Equal(["d.txt", "what?.txt"], await KeysAsync("copies"));
    }

    [Fact]
    public async Task A_listing_names_each_objects_owner_when_asked_and_always_in_the_older_listing()
    {
        await Session.Local!.Lake.CreateBucketAsync("owned");
        await Session.Local!.Lake.PutObjectAsync("owned", "a.txt", "a"u8.ToArray());
        async Task<IEnumerable<string?>> OwnersAsync(string query)
        {
            using var listing = await SendAsync(HttpMethod.Get, "/owned" + query);
            return XElement.Parse(await listing.Content.ReadAsStringAsync()).Elements(S3 + "Contents").Select(c => c.Element(S3 + "Owner")?.Element(S3 + "ID")?.Value);
        }

        Assert.Equal([null], await OwnersAsync("?list-type=2"));
        Assert.Equal(["workshop-learner"], await OwnersAsync("?list-type=2&fetch-owner=true"));
        Assert.Equal(["workshop-learner"], await OwnersAsync(""));
    }

    [Fact]
    public async Task A_prefix_that_climbs_out_of_the_bucket_lists_nothing()
    {
        await Session.Local!.Lake.CreateBucketAsync("inside");
        await Session.Local!.Lake.CreateBucketAsync("neighbour");
        await Session.Local!.Lake.PutObjectAsync("neighbour", "secret.txt", Encoding.UTF8.GetBytes("not yours"));
        foreach (var prefix in new[] { "../", "../neighbour/", "../../", "/", "a/../../" })
        {
            using var listing = await SendAsync(HttpMethod.Get, $"/inside?list-type=2&prefix={Uri.EscapeDataString(prefix)}");
            var text = await listing.Content.ReadAsStringAsync();
            Assert.True(listing.StatusCode == HttpStatusCode.OK, $"prefix {prefix}: {text}");
            var listed = XElement.Parse(text);
            Assert.Equal((prefix, "0"), (prefix, listed.Element(S3 + "KeyCount")?.Value));
            using var folders = await SendAsync(HttpMethod.Get, $"/inside?list-type=2&delimiter=%2F&prefix={Uri.EscapeDataString(prefix)}");
            Assert.Equal((prefix, "0"), (prefix, XElement.Parse(await folders.Content.ReadAsStringAsync()).Element(S3 + "KeyCount")?.Value));
        }
    }

    [Fact]
    public async Task Virtual_hosts_copies_batch_deletes_and_url_encoded_listings()
    {
        await Session.Local!.Lake.CreateBucketAsync("hosted");
        var port = Endpoint.Url.Port;
        using (var put = await SendAsync(HttpMethod.Put, "/notes/a%20b%2Bc.txt", Encoding.UTF8.GetBytes("by virtual host"),
                   request => request.Headers.Host = $"hosted.localhost:{port}"))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var get = await SendAsync(HttpMethod.Get, "/notes/a%20b%2Bc.txt", adjust: request => request.Headers.Host = $"hosted.s3.localhost:{port}"))
            Assert.Equal("by virtual host", await get.Content.ReadAsStringAsync());

        using (var copy = await SendAsync(HttpMethod.Put, "/hosted/copies/copy.txt", adjust: request =>
                   request.Headers.TryAddWithoutValidation("x-amz-copy-source", "/hosted/notes/a%20b%2Bc.txt")))
        {
            Assert.Equal(HttpStatusCode.OK, copy.StatusCode);
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("by virtual host")))}\"",
                XElement.Parse(await copy.Content.ReadAsStringAsync()).Element(S3 + "ETag")?.Value);
        }

        using var listing = await SendAsync(HttpMethod.Get, "/hosted?list-type=2&encoding-type=url&prefix=notes/");
        var listed = XElement.Parse(await listing.Content.ReadAsStringAsync());
        Assert.Equal(["notes/a%20b%2Bc.txt"], listed.Elements(S3 + "Contents").Select(c => c.Element(S3 + "Key")!.Value));
        Assert.Equal("url", listed.Element(S3 + "EncodingType")?.Value);
        Assert.Equal("1", listed.Element(S3 + "KeyCount")?.Value);

        var delete = "<Delete><Object><Key>notes/a b+c.txt</Key></Object><Object><Key>copies/copy.txt</Key></Object></Delete>";
        using var deleted = await SendAsync(HttpMethod.Post, "/hosted?delete", Encoding.UTF8.GetBytes(delete));
        Assert.Equal(["notes/a b+c.txt", "copies/copy.txt"],
            XElement.Parse(await deleted.Content.ReadAsStringAsync()).Elements(S3 + "Deleted").Select(d => d.Element(S3 + "Key")!.Value));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Temp.Root, "lake", "hosted")));
    }
}
