using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop serve` over a deployed workspace, driven with S3 as learners drive it: Debian's AWS CLI (aws s3 ls, cp of
/// a file big enough for multipart, sync, s3api) and boto3, with dummy credentials and path-style addressing.
/// </summary>
public sealed class ServeS3CliTests : IDisposable
{
    private const string LakeBucket = "weather-analytics-data-lake-dev-123456789012";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-s3-").FullName;

    [Fact]
    public async Task The_aws_cli_and_boto3_list_copy_sync_and_read_the_lake_and_its_lifecycle()
    {
        Assert.True(File.Exists(AwsCli.Program), "Debian's awscli is installed (test.sh installs it)");
        var workspace = Path.Combine(folder, "ws");
        var deploy = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, "deploy");
        Assert.True(deploy.Exit == 0, $"workshop deploy: {deploy.Stdout}{deploy.Stderr}");

        await using var server = await ServeProcess.StartAsync(workspace);
        var aws = new AwsCli(folder, server.Url);

        // aws s3 ls lists the stack's buckets.
        var buckets = aws.Text("s3", "ls");
        Assert.Contains($" {LakeBucket}\n", buckets);
        Assert.Contains(" weather-analytics-athena-results-dev-123456789012\n", buckets);

        aws.Text("s3", "mb", "s3://cli-files");

        // A 12 MB file: the CLI uploads it in 8 MiB parts, and the object's ETag says so (the MD5 of the parts' MD5s, "-2").
        var big = new byte[12_000_000];
        new Random(14).NextBytes(big);
        File.WriteAllBytes(Path.Combine(folder, "big.bin"), big);
        Assert.Contains("upload: ./big.bin to s3://cli-files/big/big.bin", aws.Text("s3", "cp", "./big.bin", "s3://cli-files/big/big.bin", "--no-progress"));
        var head = aws.Json("s3api", "head-object", "--bucket", "cli-files", "--key", "big/big.bin");
        Assert.Matches("^\"[0-9a-f]{32}-2\"$", (string?)head["ETag"]);
        Assert.Equal(12_000_000, (long)head["ContentLength"]!);
        Assert.Contains("download: s3://cli-files/big/big.bin to ./down.bin", aws.Text("s3", "cp", "s3://cli-files/big/big.bin", "./down.bin", "--no-progress"));
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(folder, "down.bin")));

        // sync sends what is missing or newer, so the files are dated before the workspace's clock (2 December 2026).
        var site = Directory.CreateDirectory(Path.Combine(folder, "site"));
        Directory.CreateDirectory(Path.Combine(site.FullName, "data"));
        File.WriteAllText(Path.Combine(site.FullName, "index.txt"), "0123456789");
        File.WriteAllText(Path.Combine(site.FullName, "data", "cities.csv"), "city\nDublin\nCork\n");
        foreach (var file in Directory.EnumerateFiles(site.FullName, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(file, new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc));
        var firstSync = aws.Text("s3", "sync", "./site", "s3://cli-files/site", "--no-progress");
        Assert.Equal(["upload: site/data/cities.csv to s3://cli-files/site/data/cities.csv", "upload: site/index.txt to s3://cli-files/site/index.txt"],
            firstSync.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
        Assert.Equal("", aws.Text("s3", "sync", "./site", "s3://cli-files/site", "--no-progress").Trim());
        var listing = aws.Text("s3", "ls", "s3://cli-files/site/");
        Assert.Contains("PRE data/", listing);
        Assert.Contains("10 index.txt", listing);

        var ranged = aws.Json("s3api", "get-object", "--bucket", "cli-files", "--key", "site/index.txt", "--range", "bytes=2-5", "./range.txt");
        Assert.Equal("bytes 2-5/10", (string?)ranged["ContentRange"]);
        Assert.Equal("2345", File.ReadAllText(Path.Combine(folder, "range.txt")));

        var missing = aws.Run("s3api", "head-object", "--bucket", "cli-files", "--key", "site/no-such-file.txt");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("An error occurred (404) when calling the HeadObject operation: Not Found", missing.Stderr);

        // The lake bucket's lifecycle is the workshop template's.
        var lifecycle = aws.Json("s3api", "get-bucket-lifecycle-configuration", "--bucket", LakeBucket);
        var rule = Assert.Single(lifecycle["Rules"]!.AsArray())!;
        Assert.Equal("archive-weather-data", (string?)rule["ID"]);
        Assert.Equal("weather-data/", (string?)rule["Filter"]!["Prefix"]);
        Assert.Equal(["90 STANDARD_IA", "180 GLACIER"], rule["Transitions"]!.AsArray().Select(t => $"{t!["Days"]} {t["StorageClass"]}"));

        Assert.Contains("delete: s3://cli-files/site/index.txt", aws.Text("s3", "rm", "--recursive", "s3://cli-files/site"));
        Assert.DoesNotContain("site/", aws.Text("s3", "ls", "--recursive", "s3://cli-files"));

        var boto3 = aws.PythonScript("""
            import boto3, sys
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
            try:
                s3.get_object(Bucket="cli-files", Key="no/such/key.json")
            except s3.exceptions.NoSuchKey as error:
                print("NoSuchKey:", error.response["Error"]["Key"])
            deleted = s3.delete_objects(Bucket="cli-files", Delete={"Objects": [{"Key": "big/big.bin"}]})["Deleted"]
            print("deleted:", [d["Key"] for d in deleted])
            print("left:", s3.list_objects_v2(Bucket="cli-files")["KeyCount"])
            """);
        Assert.Equal(["NoSuchKey: no/such/key.json", "deleted: ['big/big.bin']", "left: 0"], boto3.Trim().Split('\n'));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
