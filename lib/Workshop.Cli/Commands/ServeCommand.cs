using System.CommandLine;
using StreamingWorkshop.Serve;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>`workshop serve`: the workspace's local backend on one HTTP port that the AWS CLI, boto3 and the SDKs can call.</summary>
internal static class ServeCommand
{
    public const int DefaultPort = 4566;
    private const double MaxClockSpeed = 100_000;

    public static void AddTo(RootCommand root)
    {
        var port = new Option<int>("--port")
        {
            Description = "The port to listen on (0 picks a free one).",
            DefaultValueFactory = _ => DefaultPort,
        }.WithRange(0, 65_535);
        var host = new Option<string>("--host")
        {
            Description = "The address to listen on (127.0.0.1 is this machine only).",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var speed = new Option<double>("--speed")
        {
            Description = "How many times faster than real time the workspace's clock runs while serving.",
            DefaultValueFactory = _ => 1,
        }.AboveZero(" (1 is real time, 60 runs a minute each second)");
        var strict = new Option<bool>("--strict")
        {
            Description = "Check every request's SigV4 signature against the local keys (--access-key, --secret-key) and refuse the rest as AWS does.",
        };
        var accessKey = new Option<string>("--access-key")
        {
            Description = "The access key id --strict takes.",
            DefaultValueFactory = _ => LocalCredentials.Default.AccessKeyId,
        };
        var secretKey = new Option<string>("--secret-key")
        {
            Description = "The secret access key --strict checks signatures with.",
            DefaultValueFactory = _ => LocalCredentials.Default.SecretAccessKey,
        };
        var deliver = new Option<bool>("--deliver")
        {
            Description = "Run the stack's delivery stream while serving, so records clients put reach the lake (the notebooks and simulate cannot deliver this workspace meanwhile).",
        };
        var command = new Command("serve", "Serve the local backend as an AWS endpoint (Kinesis, S3, CloudFormation, Lambda, Glue, Athena and the rest) for the AWS CLI, boto3 and the SDKs, until Ctrl+C.") { port, host, speed };
        command.Options.Add(deliver);
        command.Options.Add(strict);
        command.Options.Add(accessKey);
        command.Options.Add(secretKey);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var hostText = parse.GetValue(host)!;
            // Checked before the session opens, so a bad address is reported without touching the workspace.
            var warning = LocalEndpoint.ExposureWarning(hostText, parse.GetValue(strict));
            var clockSpeed = parse.GetValue(speed);
            if (clockSpeed > MaxClockSpeed)
                throw new ArgumentException($"--speed {clockSpeed} is too fast; give at most {MaxClockSpeed:N0}.");
            var credentials = new LocalCredentials(parse.GetValue(accessKey)!, parse.GetValue(secretKey)!);
            if (credentials.AccessKeyId.Trim().Length == 0 || credentials.SecretAccessKey.Trim().Length == 0)
                throw new ArgumentException("--access-key and --secret-key must not be empty; give the keys the clients sign with (both default to workshop).");
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            await using var endpoint = await LocalEndpoint.StartAsync(session, hostText, parse.GetValue(port), cancellationToken);
            if (warning is not null) Terminal.Tell(warning);
            if (parse.GetValue(strict)) endpoint.RequireSignatures(credentials);
            var url = endpoint.Url.ToString().TrimEnd('/');
            var other = ServedElsewhere(session.Workspace);
            if (other is not null)
                Terminal.Tell($"Warning: this workspace is served already, at {other.Url} by process {other.ProcessId}. Two endpoints on one workspace each run their own clock and keep their own change sets; stop the other (Ctrl+C in its terminal) unless you mean to.");
            // The first endpoint's mark stays while it runs, so a third one started is told of it too.
            var markPath = MarkPath(session.Workspace);
            if (other is null) MarkServing(session.Workspace, url);
            // On a terminal, prose wraps at its width between words, so a URL or a key is never cut in two; piped into a
            // file or a script, each line stays whole to be read by line.
            var wrap = !Console.IsOutputRedirected || Environment.GetEnvironmentVariable("COLUMNS") is not null;
            void Say(string line) => Console.Out.WriteLine(wrap ? Terminal.FitProse(line) : line);
            Say($"Serving the workspace {session.Workspace.Root} at {url}. Ctrl+C stops.");
            Say($"It answers as {LocalEndpoint.ServedInShort}.");
            Say("Point the AWS CLI, boto3 and the SDKs at it with:");
            Console.Out.WriteLine($"export AWS_ENDPOINT_URL={url}");
            Say($"(AWS CLI before 2.13 and boto3 before 1.28 ignore it: give them --endpoint-url {url} or endpoint_url=\"{url}\".)");
            // The services' limits (1,000 records a second per shard, a stream UPDATING for 30 s) need time to pass,
            // so the clock follows the wall clock while clients call in, and is saved where it got to on the way out.
            session.Clock.StartLive(clockSpeed);
            Say($"The workspace's clock follows the wall clock from {session.Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC ({clockSpeed}x real time).");
            Say(parse.GetValue(strict)
                ? $"Signatures are checked (--strict): sign with AWS_ACCESS_KEY_ID={credentials.AccessKeyId} AWS_SECRET_ACCESS_KEY={SecretToShow(credentials)}."
                : "Signatures are not checked: any access key and secret will do (--strict checks them).");
            var delivering = parse.GetValue(deliver);
            // One process at a time runs a workspace's delivery: taking it only when asked leaves it to the notebooks otherwise.
            Say(delivering
                ? "Once the stack is deployed, the delivery stream reads the stream and writes to the lake as in live mode; the producer's schedule does not run (clients put the records)."
                : "The delivery stream does not run here, so the notebooks and 'workshop simulate' deliver this workspace as usual (--deliver runs it while serving).");
            Say($"The stack's producer can fetch its weather here too: WEATHER_API_URL={url}/v1/forecast");
            var delivery = delivering ? endpoint.RunDeliveryAsync(Say, cancellationToken) : Task.CompletedTask;
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                await delivery;
                session.Clock.StopLive();
                // A simulate run beside the endpoint may have saved the clock further on: it never moves back.
                session.Clock.Refresh();
                session.Clock.Save();
                // Only this endpoint's own mark goes: a second one started beside it has written its own.
                if (File.Exists(markPath) && ReadMark(markPath) is { ProcessId: var pid } && pid == Environment.ProcessId) File.Delete(markPath);
            }
            return 0;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>Which endpoint serves a workspace (state/serve.json), so a second one started on it can say so.</summary>
    private sealed record ServingMark(string Url, int ProcessId, DateTimeOffset ProcessStartTime);

    private static string MarkPath(StreamingWorkshop.Storage.WorkspaceDirectory workspace) => workspace.Resolve("state", "serve.json");

    private static ServingMark? ServedElsewhere(StreamingWorkshop.Storage.WorkspaceDirectory workspace)
    {
        var path = MarkPath(workspace);
        return File.Exists(path) && ReadMark(path) is { } mark && mark.ProcessId != Environment.ProcessId
            && new StreamingWorkshop.Catalog.CrawlerRunOwner(mark.ProcessId, mark.ProcessStartTime).IsAlive() ? mark : null;
    }

    private static void MarkServing(StreamingWorkshop.Storage.WorkspaceDirectory workspace, string url)
    {
        var owner = StreamingWorkshop.Catalog.CrawlerRunOwner.Current();
        var mark = new ServingMark(url, owner.ProcessId, owner.ProcessStartTime);
        workspace.WriteAtomically(MarkPath(workspace), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(mark));
    }

    private static ServingMark? ReadMark(string path)
    {
        try
        {
            return WorkspaceJson.Read<ServingMark>(path);
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or IOException)
        {
            return null; // a mark cut short by a killed process says nothing
        }
    }

    /// <summary>The default secret is printed to paste; one of the user's own is not, as the screen may be shared.</summary>
    private static string SecretToShow(LocalCredentials credentials) =>
        credentials.SecretAccessKey == LocalCredentials.Default.SecretAccessKey ? credentials.SecretAccessKey : "(the one given with --secret-key)";
}
