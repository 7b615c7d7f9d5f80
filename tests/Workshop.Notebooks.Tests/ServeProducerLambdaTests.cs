using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// The stack's own Python producer (the inline code of ProducerFunction in templates/workshop-stack.yaml), run
/// unchanged under Debian's python3 with the real boto3 against `workshop serve`: it fetches its weather from the
/// endpoint's /v1/forecast, puts its readings on the stack's stream, and the kit's delivery writes them to the lake.
/// </summary>
public sealed partial class ServeProducerLambdaTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-lambda-").FullName;

    // boto3 1.26 ignores AWS_ENDPOINT_URL, so the driver hands endpoint_url to every client the handler makes;
    // the handler's own code is imported as the Lambda runtime imports it.
    private const string Driver = """
        import json, os, sys
        import boto3
        endpoint = sys.argv[1]
        make_client = boto3.client
        boto3.client = lambda service, **options: make_client(service, endpoint_url=endpoint, **options)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import lambda_function
        print("RESULT " + json.dumps(lambda_function.handler({"source": "aws.events"}, None)))
        """;

    [Fact]
    public async Task The_templates_python_producer_puts_readings_that_the_delivery_writes_to_the_lake()
    {
        Assert.True(File.Exists(AwsCli.Python), "Debian's python3 is installed");
        var workspace = Path.Combine(folder, "ws");
        var deploy = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, "deploy");
        Assert.True(deploy.Exit == 0, $"workshop deploy exited {deploy.Exit}: {deploy.Stderr}");

        File.WriteAllText(Path.Combine(folder, "lambda_function.py"), HandlerCode(File.ReadAllText(Path.Combine(WorkshopRun.RepositoryRoot, "templates", "workshop-stack.yaml"))));
        File.WriteAllText(Path.Combine(folder, "driver.py"), Driver);

        // 600 times real time: the delivery stream's 60 s buffer fills in a tenth of a second.
        await using var server = await ServeProcess.StartAsync(workspace, "--speed", "600", "--deliver");
        Assert.Equal($"The stack's producer can fetch its weather here too: WEATHER_API_URL={server.Url}/v1/forecast",
            await server.WaitForLineAsync(l => l.StartsWith("The stack's producer", StringComparison.Ordinal)));

        var (exit, output) = RunDriver(new AwsCli(folder, server.Url));
        Assert.True(exit == 0, $"the producer exited {exit}: {output}");
        Assert.Contains("Processed 3 of 3 cities", output);
        var result = JsonNode.Parse(JsonNode.Parse(output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..])!["body"]!.GetValue<string>())!;
        Assert.Equal(3, (int)result["processed"]!);
        // What the handler printed for each city: "Sent {json} to shardId-... as 49...".
        var sent = SentLine().Matches(output).ToDictionary(m => JsonNode.Parse(m.Groups["json"].Value)!["city"]!.GetValue<string>(), m => m.Groups["json"].Value);
        Assert.Equal(["Edinburgh", "London", "Manchester"], sent.Keys.Order());

        var lake = Path.Combine(workspace, "lake", "weather-analytics-data-lake-dev-123456789012", "weather-data");
        var objects = await WaitForObjectsAsync(lake, count: 3);
        foreach (var city in sent.Keys)
        {
            var key = Assert.Single(objects, o => o.StartsWith(Path.Combine(lake, $"location={city}") + "/", StringComparison.Ordinal));
            Assert.Matches(@"/year=\d{4}/month=\d\d/day=\d\d/weather-analytics-firehose-dev-1-[\d-]+-[0-9a-f-]+\.gz$", key);
            var line = Assert.Single(GunzipLines(key));
            Assert.Equal(sent[city], line);
            var reading = JsonNode.Parse(line)!;
            // The weather came from the endpoint's forecast, on 15-minute measurements as Open-Meteo's.
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:(00|15|30|45)$", (string?)reading["measurement_time"]);
            Assert.InRange((double)reading["temperature"]!, -30, 40);
            Assert.Equal("open-meteo", (string?)reading["source"]);
        }
        Assert.Matches(@"^\d\d:\d\d:\d\d delivered \d object\(s\), the last s3://weather-analytics-data-lake-dev-123456789012/weather-data/location=\w+/year=",
            await server.WaitForLineAsync(l => l.Contains(" delivered ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Without_deliver_the_endpoint_leaves_the_delivery_to_simulate_running_beside_it()
    {
        var workspace = Path.Combine(folder, "ws");
        var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
        var deploy = Cli.Capture(folder, environment, "deploy");
        Assert.True(deploy.Exit == 0, $"workshop deploy exited {deploy.Exit}: {deploy.Stderr}");

        await using var server = await ServeProcess.StartAsync(workspace);
        Assert.Equal("The delivery stream does not run here, so the notebooks and 'workshop simulate' deliver this workspace as usual (--deliver runs it while serving).",
            await server.WaitForLineAsync(l => l.StartsWith("The delivery stream", StringComparison.Ordinal)));

        var simulate = Cli.Capture(folder, environment, "simulate", "--duration", "3m");
        Assert.True(simulate.Exit == 0, $"workshop simulate beside workshop serve exited {simulate.Exit}: {simulate.Stderr}");
        var lake = Path.Combine(workspace, "lake", "weather-analytics-data-lake-dev-123456789012", "weather-data");
        Assert.NotEmpty(Directory.GetFiles(lake, "*.gz", SearchOption.AllDirectories));

        // What simulate delivered is in the lake the endpoint serves.
        var listed = new AwsCli(folder, server.Url).Json("s3api", "list-objects-v2", "--bucket", "weather-analytics-data-lake-dev-123456789012", "--prefix", "weather-data/");
        Assert.Equal(Directory.GetFiles(lake, "*.gz", SearchOption.AllDirectories).Length, listed["Contents"]!.AsArray().Count);

        // The endpoint's clock ran on from before the replay; stopping it does not take the workspace's clock back.
        var replayed = File.ReadAllText(Path.Combine(workspace, "state", "clock.json"));
        await server.StopAsync();
        var afterStop = JsonNode.Parse(File.ReadAllText(Path.Combine(workspace, "state", "clock.json")))!["Now"]!.GetValue<DateTimeOffset>();
        Assert.True(afterStop >= JsonNode.Parse(replayed)!["Now"]!.GetValue<DateTimeOffset>(), $"the clock went back from {replayed} to {afterStop:u}");
    }

    /// <summary>The handler's Python as the template holds it: the ZipFile block, its ten spaces of indentation removed.</summary>
    private static string HandlerCode(string template)
    {
        var block = ZipFileBlock().Match(template);
        Assert.True(block.Success, "the template has ProducerFunction's inline code");
        return string.Join('\n', block.Groups["code"].Value.Split('\n').Select(l => l.Length >= 10 ? l[10..] : l.Trim()));
    }

    /// <summary>The driver under python3 with the environment the template gives ProducerFunction, as one output (stdout, then stderr).</summary>
    private (int Exit, string Output) RunDriver(AwsCli aws)
    {
        var (exit, stdout, stderr) = aws.RunPython([Path.Combine(folder, "driver.py"), aws.Url], new Dictionary<string, string>
        {
            ["STREAM_NAME"] = "weather-analytics-stream-dev",
            ["CITIES"] = "London,Manchester,Edinburgh",
            ["WEATHER_API_URL"] = $"{aws.Url}/v1/forecast",
        });
        return (exit, stdout + stderr);
    }

    /// <summary>The lake's objects once <paramref name="count"/> are there (the delivery writes them on its own time).</summary>
    private static async Task<string[]> WaitForObjectsAsync(string lake, int count)
    {
        string[] Objects() => Directory.Exists(lake) ? Directory.GetFiles(lake, "*", SearchOption.AllDirectories) : [];
        for (var attempt = 0; attempt < 600 && Objects().Length < count; attempt++) await Task.Delay(100);
        return Objects();
    }

    private static string[] GunzipLines(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [GeneratedRegex(@"ZipFile: \|\n(?<code>(?: {10}.*\n|\n)+)")]
    private static partial Regex ZipFileBlock();

    [GeneratedRegex(@"^Sent (?<json>\{.*\}) to shardId-\d+ as \d+$", RegexOptions.Multiline)]
    private static partial Regex SentLine();

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
