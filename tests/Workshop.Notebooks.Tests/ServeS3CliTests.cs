using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop serve` over a deployed workspace, driven with S3 as learners drive it: Debian's AWS CLI (aws s3 ls, cp of
/// a file big enough for multipart, sync, s3api) and boto3, with dummy credentials and path-style addressing.
/// </summary>
public sealed class ServeS3CliTests : IDisposable
{
    private const string AwsCli = "/usr/bin/aws";
    private const string SystemPython = "/usr/bin/python3";
    private const string LakeBucket = "weather-analytics-data-lake-dev-123456789012";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-s3-").FullName;

    [Fact]
    public async Task The_aws_cli_and_boto3_list_copy_sync_and_read_the_lake_and_its_lifecycle()
    {
        Assert.True(File.Exists(AwsCli), "Debian's awscli is installed (test.sh installs it)");
        var workspace = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws") };
        var deploy = Cli.Capture(folder, workspace, "deploy");
        Assert.True(deploy.Exit == 0, $"workshop deploy: {deploy.Stdout}{deploy.Stderr}");

        using var server = await ServedWorkspace.StartAsync(folder, workspace);
        var url = server.Url;

        // aws s3 ls lists the stack's buckets.
        var buckets = Run(url, "s3", "ls");
        Assert.Contains($" {LakeBucket}\n", buckets);
        Assert.Contains(" weather-analytics-athena-results-dev-123456789012\n", buckets);

        Run(url, "s3", "mb", "s3://cli-files");

        // A 12 MB file: the CLI uploads it in 8 MiB parts, and the object's ETag says so (the MD5 of the parts' MD5s, "-2").
        var big = new byte[12_000_000];
        new Random(14).NextBytes(big);
        File.WriteAllBytes(Path.Combine(folder, "big.bin"), big);
        Assert.Contains("upload: ./big.bin to s3://cli-files/big/big.bin", Run(url, "s3", "cp", "./big.bin", "s3://cli-files/big/big.bin", "--no-progress"));
        var head = Json(Run(url, "s3api", "head-object", "--bucket", "cli-files", "--key", "big/big.bin", "--output", "json"));
        Assert.Matches("^\"[0-9a-f]{32}-2\"$", (string?)head["ETag"]);
        Assert.Equal(12_000_000, (long)head["ContentLength"]!);
        Assert.Contains("download: s3://cli-files/big/big.bin to ./down.bin", Run(url, "s3", "cp", "s3://cli-files/big/big.bin", "./down.bin", "--no-progress"));
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(folder, "down.bin")));

        // sync sends what is missing or newer, so the files are dated before the workspace's clock (2 December 2026).
        var site = Directory.CreateDirectory(Path.Combine(folder, "site"));
        Directory.CreateDirectory(Path.Combine(site.FullName, "data"));
        File.WriteAllText(Path.Combine(site.FullName, "index.txt"), "0123456789");
        File.WriteAllText(Path.Combine(site.FullName, "data", "cities.csv"), "city\nDublin\nCork\n");
        foreach (var file in Directory.EnumerateFiles(site.FullName, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(file, new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc));
        var firstSync = Run(url, "s3", "sync", "./site", "s3://cli-files/site", "--no-progress");
        Assert.Equal(["upload: site/data/cities.csv to s3://cli-files/site/data/cities.csv", "upload: site/index.txt to s3://cli-files/site/index.txt"],
            firstSync.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
        Assert.Equal("", Run(url, "s3", "sync", "./site", "s3://cli-files/site", "--no-progress").Trim());
        var listing = Run(url, "s3", "ls", "s3://cli-files/site/");
        Assert.Contains("PRE data/", listing);
        Assert.Contains("10 index.txt", listing);

        var ranged = Json(Run(url, "s3api", "get-object", "--bucket", "cli-files", "--key", "site/index.txt", "--range", "bytes=2-5", "./range.txt", "--output", "json"));
        Assert.Equal("bytes 2-5/10", (string?)ranged["ContentRange"]);
        Assert.Equal("2345", File.ReadAllText(Path.Combine(folder, "range.txt")));

        var missing = RunAws(url, "s3api", "head-object", "--bucket", "cli-files", "--key", "site/no-such-file.txt");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("An error occurred (404) when calling the HeadObject operation: Not Found", missing.Stderr);

        // The lake bucket's lifecycle is the workshop template's.
        var lifecycle = Json(Run(url, "s3api", "get-bucket-lifecycle-configuration", "--bucket", LakeBucket, "--output", "json"));
        var rule = Assert.Single(lifecycle["Rules"]!.AsArray())!;
        Assert.Equal("archive-weather-data", (string?)rule["ID"]);
        Assert.Equal("weather-data/", (string?)rule["Filter"]!["Prefix"]);
        Assert.Equal(["90 STANDARD_IA", "180 GLACIER"], rule["Transitions"]!.AsArray().Select(t => $"{t!["Days"]} {t["StorageClass"]}"));

        Assert.Contains("delete: s3://cli-files/site/index.txt", Run(url, "s3", "rm", "--recursive", "s3://cli-files/site"));
        Assert.DoesNotContain("site/", Run(url, "s3", "ls", "--recursive", "s3://cli-files"));

        var boto3 = RunPython(url, """
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

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private string Run(string url, params string[] arguments)
    {
        var (exit, stdout, stderr) = RunAws(url, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)} exited {exit}: {stderr}");
        return stdout.Replace("\r", "", StringComparison.Ordinal);
    }

    private (int Exit, string Stdout, string Stderr) RunAws(string url, params string[] arguments) =>
        Execute(AwsCli, [.. arguments, "--endpoint-url", url]);

    private string RunPython(string url, string script)
    {
        var (exit, stdout, stderr) = Execute(SystemPython, ["-c", script, url]);
        Assert.True(exit == 0, $"python3 exited {exit}: {stderr}");
        return stdout;
    }

    private (int Exit, string Stdout, string Stderr) Execute(string program, string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        // Dummy credentials and no profile of the machine's: the endpoint takes any well-formed signature.
        info.Environment["HOME"] = folder;
        info.Environment["AWS_CONFIG_FILE"] = Path.Combine(folder, "no-aws-config");
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(folder, "no-aws-credentials");
        info.Environment["AWS_ACCESS_KEY_ID"] = "AKIDWORKSHOPTEST";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "workshop-test-secret";
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_PAGER"] = "";
        info.Environment.Remove("AWS_PROFILE");
        info.Environment.Remove("AWS_SESSION_TOKEN");
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>`workshop serve --port 0` in a child process, stopped with SIGTERM when disposed.</summary>
    private sealed class ServedWorkspace : IDisposable
    {
        private readonly Process server;

        private ServedWorkspace(Process server, string url)
        {
            this.server = server;
            Url = url;
        }

        public string Url { get; }

        public static async Task<ServedWorkspace> StartAsync(string folder, IDictionary<string, string> environment)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            foreach (var (key, value) in environment) info.Environment[key] = value;
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "serve", "--port", "0" }) info.ArgumentList.Add(a);
            var server = Process.Start(info)!;
            const string Export = "export AWS_ENDPOINT_URL=";
            while (await server.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith(Export, StringComparison.Ordinal))
                {
                    // The rest of the output is drained so the server never blocks on a full pipe.
                    _ = server.StandardOutput.ReadToEndAsync();
                    _ = server.StandardError.ReadToEndAsync();
                    return new ServedWorkspace(server, line[Export.Length..]);
                }
            }
            var stderr = await server.StandardError.ReadToEndAsync();
            server.Dispose();
            throw new InvalidOperationException($"workshop serve printed no endpoint: {stderr}");
        }

        public void Dispose()
        {
            if (!server.HasExited)
            {
                using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
                server.WaitForExit();
            }
            server.Dispose();
        }
    }
}
