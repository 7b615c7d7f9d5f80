using System.ComponentModel;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Spectre.Console;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench serve`: the kit's own AWS clients (KinesisStreamService, S3ObjectStore) call kinesalite and s3rver, then
/// `workshop serve`, with the same calls, one at a time, for the same time each, so the ratio compares the
/// endpoints and nothing else. `workshop serve` runs as a learner starts it, in a process of its own over a
/// temporary workspace, as kinesalite and s3rver run in theirs: the client shares its process with none of them.
/// </summary>
internal static partial class ServeBench
{
    private const string StreamName = "bench-serve";
    private const string Bucket = "bench-serve";
    private const int RecordsPerPutRecords = 500;
    private const int ObjectBytes = 1024;
    // Any key pair will do for kinesalite and workshop serve; s3rver takes only its own.
    private static readonly BasicAWSCredentials Credentials = new("S3RVER", "S3RVER");

    public static void AddTo(RootCommand root)
    {
        var seconds = new Option<double>("--seconds") { Description = "How long each operation is timed against each endpoint, after a warm-up.", DefaultValueFactory = _ => 5 }.AboveZero(" (5 is the default)");
        var shards = new Option<int>("--shards") { Description = "Shards of the bench stream on both endpoints (each takes 1,000 records/s on workshop serve).", DefaultValueFactory = _ => 500 }.WithRange(1, LocalStreamService.MaxShardsPerStream);
        var json = BenchReport.JsonOption();
        var command = new Command("serve", "Measure PutRecords, PutRecord, PutObject and GetObject over HTTP against kinesalite and s3rver and against workshop serve, with the same client.") { seconds, shards, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var tools = ToolsFolder();
            var folder = Directory.CreateTempSubdirectory("workshop-bench-serve-").FullName;
            try
            {
                var report = new BenchReport("serve");
                var exit = await RunAsync(report, tools, folder, TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(shards), cancellationToken);
                report.WriteJson(jsonPath);
                return exit;
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
    }

    private sealed record Measured(double PerSecond, long Retried);

    private sealed record Row(string Operation, string Unit, string Peer, Measured PeerFigure, Measured? ServeFigure, string? NotServed);

    private static async Task<int> RunAsync(BenchReport report, string tools, string folder, TimeSpan timed, int shardCount, CancellationToken cancellationToken)
    {
        using var kinesalite = Child.StartNode("kinesalite", Path.Combine(tools, "kinesalite", "cli.js"), null,
            port => ["--port", port, "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0", "--shardLimit", $"{shardCount}"]);
        var s3rverFolder = Directory.CreateDirectory(Path.Combine(folder, "s3rver")).FullName;
        // s3rver makes its continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
        using var s3rver = Child.StartNode("s3rver", Path.Combine(tools, "s3rver", "bin", "s3rver.js"), "--openssl-legacy-provider",
            port => ["--address", "127.0.0.1", "--port", port, "--silent", "--directory", s3rverFolder]);
        using var serve = Child.StartServe(Path.Combine(folder, "workspace"));
        await Task.WhenAll(kinesalite.Listening, s3rver.Listening, serve.Listening);
        AnsiConsole.MarkupLineInterpolated($"One client, the kit's AWS backend (KinesisStreamService, S3ObjectStore), one call at a time over HTTP on 127.0.0.1; each operation timed {timed.TotalSeconds:0.###} s per endpoint after a warm-up; {Environment.ProcessorCount} cores.");
        AnsiConsole.MarkupLineInterpolated($"kinesalite at {kinesalite.Url}, s3rver at {s3rver.Url}, workshop serve at {serve.Url} (its own process, a temporary workspace, the clock following the wall clock); streams of {shardCount} {(shardCount == 1 ? "shard" : "shards")}.");

        var rows = new List<Row>();
        var readings = Readings();
        {
            using var onPeer = Clients(kinesalite.Url, "AWS_ENDPOINT_URL_KINESIS").Kinesis();
            using var onServe = Clients(serve.Url, "AWS_ENDPOINT_URL_KINESIS").Kinesis();
            await onPeer.CreateStreamAsync(StreamName, shardCount, cancellationToken: cancellationToken);
            await onServe.CreateStreamAsync(StreamName, shardCount, cancellationToken: cancellationToken);
            rows.Add(new Row($"PutRecords ({RecordsPerPutRecords} a call)", "records", "kinesalite",
                await PutRecordsAsync(onPeer, readings, timed, cancellationToken), await PutRecordsAsync(onServe, readings, timed, cancellationToken), null));
            rows.Add(new Row("PutRecord", "records", "kinesalite",
                await PutRecordAsync(onPeer, readings, timed, cancellationToken), await PutRecordAsync(onServe, readings, timed, cancellationToken), null));
        }
        {
            using var onPeer = Clients(s3rver.Url, "AWS_ENDPOINT_URL_S3").S3();
            using var onServe = Clients(serve.Url, "AWS_ENDPOINT_URL_S3").S3();
            var content = new byte[ObjectBytes];
            new Random(1).NextBytes(content);
            await onPeer.CreateBucketAsync(Bucket, cancellationToken);
            var peerPut = await TimeAsync(i => onPeer.PutObjectAsync(Bucket, ObjectKey(i), content, cancellationToken), 20, timed, cancellationToken);
            var peerGet = await TimeAsync(i => onPeer.GetObjectAsync(Bucket, ObjectKey(i % peerPut.Calls), cancellationToken), 20, timed, cancellationToken);
            Measured? servePut = null, serveGet = null;
            string? refused = null;
            try
            {
                await onServe.CreateBucketAsync(Bucket, cancellationToken);
                var put = await TimeAsync(i => onServe.PutObjectAsync(Bucket, ObjectKey(i), content, cancellationToken), 20, timed, cancellationToken);
                servePut = put.Figure;
                serveGet = (await TimeAsync(i => onServe.GetObjectAsync(Bucket, ObjectKey(i % put.Calls), cancellationToken), 20, timed, cancellationToken)).Figure;
            }
            catch (ServiceException error) when (error.ErrorCode is "InvalidAction" or "NotImplemented")
            {
                // A workshop serve that does not serve S3 yet answers with an error: its rows say so, the Kinesis rows stand.
                refused = error.ErrorCode;
            }
            rows.Add(new Row($"PutObject ({ObjectBytes / 1024} KB)", "objects", "s3rver", peerPut.Figure, servePut, refused));
            rows.Add(new Row($"GetObject ({ObjectBytes / 1024} KB)", "objects", "s3rver", peerGet.Figure, serveGet, refused));
        }

        var table = report.Table("One call at a time over HTTP: the peer and workshop serve", "Operation", "Peer", "Peer, per second", "workshop serve, per second", "Ratio serve / peer", "Retried (peer / serve)");
        foreach (var row in rows)
        {
            var ratio = row.ServeFigure is { } served ? served.PerSecond / row.PeerFigure.PerSecond : (double?)null;
            table.AddRow(row.Operation, row.Peer, BenchValue.Of(row.PeerFigure.PerSecond, "N0", $" {row.Unit}"),
                row.ServeFigure is { } figure ? BenchValue.Of(figure.PerSecond, "N0", $" {row.Unit}") : $"not served ({row.NotServed})",
                ratio is { } r ? BenchValue.Of(r, "F2") : "n/a",
                $"{row.PeerFigure.Retried:N0} / {(row.ServeFigure is { } retried ? $"{retried.Retried:N0}" : "n/a")}");
            // putRecordsServeOverPeer, getObjectServeOverPeer, ...: the operation's name without its note.
            var operation = row.Operation.Split(' ')[0];
            if (ratio is { } value) report.Figure($"{char.ToLowerInvariant(operation[0])}{operation[1..]}ServeOverPeer", value, "x");
        }
        report.Print(table);
        AnsiConsole.MarkupLine("A ratio over 1 means workshop serve answers faster than the peer; retried counts the records a shard throttled, put again.");
        if (rows.FirstOrDefault(r => r.NotServed is not null) is { } missing)
        {
            Terminal.Tell($"workshop serve refused S3 ({missing.NotServed}): this build's endpoint does not serve S3 yet, so the S3 rows have no ratio.");
            return 1;
        }
        return 0;
    }

    private static string ObjectKey(int i) => $"bench/object-{i:D7}";

    /// <summary>Workshop-style readings, each with a city of its own as partition key, so a batch spreads over every shard.</summary>
    private static PutRecordsEntry[] Readings() => Enumerable.Range(0, RecordsPerPutRecords).Select(i =>
        new PutRecordsEntry(Encoding.UTF8.GetBytes($"{{\"city\":\"Town{i:D4}\",\"temperature\":{10 + i % 15}.5,\"humidity\":{40 + i % 50},\"measurement_time\":\"2026-12-02T10:{i % 60:D2}:00Z\"}}"), $"Town{i:D4}")).ToArray();

    private static AwsClients Clients(Uri endpoint, string variable) =>
        new(AwsSettings.WithCredentials("us-east-1", Credentials, name => name == variable ? endpoint.ToString() : null));

    /// <summary>
    /// PutRecords of the same 500 readings until the time is up; entries a shard throttled are put again after a
    /// backoff, as a producer should, rather than at once against a shard whose second is spent.
    /// </summary>
    private static async Task<Measured> PutRecordsAsync(KinesisStreamService kinesis, PutRecordsEntry[] readings, TimeSpan timed, CancellationToken cancellationToken)
    {
        long retried = 0;
        async Task<int> PutBatch()
        {
            IReadOnlyList<PutRecordsEntry> pending = readings;
            for (var attempt = 1; ; attempt++)
            {
                var result = await kinesis.PutRecordsAsync(StreamName, pending, cancellationToken);
                if (result.FailedRecordCount == 0) return readings.Length;
                pending = pending.Where((_, i) => !result.Records[i].Succeeded).ToArray();
                retried += pending.Count;
                await AwsRetryPolicy.Standard.DelayAsync(Math.Min(attempt, AwsRetryPolicy.Standard.MaxAttempts), cancellationToken);
            }
        }
        for (var i = 0; i < 3; i++) await PutBatch();
        retried = 0;
        long records = 0;
        var watch = Stopwatch.StartNew();
        do records += await PutBatch();
        while (watch.Elapsed < timed);
        return new Measured(records / watch.Elapsed.TotalSeconds, retried);
    }

    /// <summary>
    /// PutRecord of one reading at a time until the time is up. A put the shard refused, after the client's own
    /// backoff, is made again and counted: the PutRecords run just before may have spent the shard's second.
    /// </summary>
    private static async Task<Measured> PutRecordAsync(KinesisStreamService kinesis, PutRecordsEntry[] readings, TimeSpan timed, CancellationToken cancellationToken)
    {
        long retried = 0;
        async Task Put(int i)
        {
            var reading = readings[i % readings.Length];
            while (true)
            {
                try
                {
                    await kinesis.PutRecordAsync(StreamName, reading.Data, reading.PartitionKey, cancellationToken: cancellationToken);
                    return;
                }
                catch (ProvisionedThroughputExceededException)
                {
                    retried++;
                }
            }
        }
        var (figure, _) = await TimeAsync(Put, 50, timed, cancellationToken, () => retried = 0);
        return figure with { Retried = retried };
    }

    /// <summary>
    /// Calls <paramref name="call"/> (numbered from 0) <paramref name="warmUp"/> times untimed, tells <paramref name="warmedUp"/>,
    /// then calls as often as the time allows; calls per second.
    /// </summary>
    private static async Task<(Measured Figure, int Calls)> TimeAsync(Func<int, Task> call, int warmUp, TimeSpan timed, CancellationToken cancellationToken, Action? warmedUp = null)
    {
        for (var i = 0; i < warmUp; i++) await call(i);
        warmedUp?.Invoke();
        var calls = 0;
        var watch = Stopwatch.StartNew();
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            await call(calls++);
        }
        while (watch.Elapsed < timed);
        return (new Measured(calls / watch.Elapsed.TotalSeconds, 0), Math.Max(calls, warmUp));
    }

    /// <summary>tests/tools of the kit's repository, where `npm ci --prefix tests/tools` puts kinesalite and s3rver: found above this build or the current folder.</summary>
    private static string ToolsFolder()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var tools = Path.Combine(folder.FullName, "tests", "tools", "node_modules");
                if (File.Exists(Path.Combine(tools, "kinesalite", "cli.js")) && File.Exists(Path.Combine(tools, "s3rver", "bin", "s3rver.js"))) return tools;
            }
        throw new InvalidOperationException("kinesalite and s3rver are not installed: run 'npm ci --prefix tests/tools' at the root of the kit's repository (./test.sh does), then run the bench from there.");
    }

    /// <summary>A peer in a process of its own, listening on a loopback port, killed with the bench.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();

        private Child(string name, ProcessStartInfo start, Func<Child, Task<Uri>> listening)
        {
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.UseShellExecute = false;
            try
            {
                process = Process.Start(start)!;
            }
            catch (Win32Exception)
            {
                throw new InvalidOperationException($"Cannot start {name}: '{start.FileName}' is not on the PATH. Install Node.js (on Debian: apt-get install nodejs).");
            }
            Name = name;
            Listening = listening(this);
        }

        public string Name { get; }
        public Task<Uri> Listening { get; }
        public Uri Url => Listening.Result;

        public static Child StartNode(string name, string script, string? nodeOption, Func<string, string[]> arguments)
        {
            var port = LoopbackPorts.PickFree();
            var start = new ProcessStartInfo("node");
            if (nodeOption is not null) start.ArgumentList.Add(nodeOption);
            start.ArgumentList.Add(script);
            foreach (var argument in arguments($"{port}")) start.ArgumentList.Add(argument);
            return new Child(name, start, child =>
            {
                child.process.OutputDataReceived += (_, e) => child.Keep(e.Data);
                child.process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
                child.process.BeginOutputReadLine();
                child.process.BeginErrorReadLine();
                return child.WaitForPortAsync(port);
            });
        }

        /// <summary>`workshop serve --port 0` from this same build, its URL read from its banner.</summary>
        public static Child StartServe(string workspace)
        {
            // The same CLI this process runs: the apphost directly, or `dotnet workshop.dll`.
            var host = Environment.ProcessPath ?? "dotnet";
            var start = new ProcessStartInfo(host);
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            foreach (var argument in new[] { "serve", "--port", "0", "--backend", "local", "--workspace", workspace }) start.ArgumentList.Add(argument);
            return new Child("workshop serve", start, child =>
            {
                var banner = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
                child.process.OutputDataReceived += (_, e) =>
                {
                    child.Keep(e.Data);
                    if (e.Data is { } line && ServingAt().Match(line) is { Success: true } serving) banner.TrySetResult(new Uri(serving.Groups["url"].Value));
                };
                child.process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
                child.process.Exited += (_, _) => banner.TrySetException(child.Failed());
                child.process.EnableRaisingEvents = true;
                child.process.BeginOutputReadLine();
                child.process.BeginErrorReadLine();
                return WithinAsync(banner.Task, TimeSpan.FromSeconds(60), child);
            });
        }

        private static async Task<Uri> WithinAsync(Task<Uri> started, TimeSpan patience, Child child)
        {
            try
            {
                return await started.WaitAsync(patience);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"{child.Name} printed no 'export AWS_ENDPOINT_URL=' line within {patience.TotalSeconds:0} s; run 'workshop serve --port 0' alone to see why.");
            }
        }

        private void Keep(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
        }

        private InvalidOperationException Failed()
        {
            string said;
            lock (output) said = output.ToString().Trim();
            return new InvalidOperationException($"{Name} did not start: {(said.Length == 0 ? "it printed nothing" : said.Split('\n').Last())}");
        }

        private async Task<Uri> WaitForPortAsync(int port)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return new Uri($"http://127.0.0.1:{port}");
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }
            throw Failed();
        }

        public void Dispose()
        {
            // The workspace is temporary and deleted afterwards, so nothing is lost by not letting it save.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }

    // The banner's line to paste, the one line of it meant to be read by programs.
    [GeneratedRegex(@"^export AWS_ENDPOINT_URL=(?<url>http://\S+)$")]
    private static partial Regex ServingAt();
}
