using System.Buffers.Binary;
using System.CommandLine;
using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using System.Reflection;
using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench faults`: kills workshop processes with SIGKILL in the middle of their work (a simulation, the delivery
/// writing lake objects, a crawl, a CTAS query), restarts them, and checks what a crash may not break: every record
/// the stream acknowledged reaches the lake, every frame of the stream's logs is whole, duplicates stay within the
/// bounds docs/pipeline.md states, and the part files a killed writer leaves in tmp/ are gone once a workspace opens.
/// Each kill follows an event of the run itself (its progress saved, a lake object or catalog entry written), seen
/// in the workspace as it happens, so the kills land where the work is, whatever the machine's speed.
/// </summary>
internal static class FaultsBench
{
    private const string Bucket = "weather-analytics-data-lake-dev-123456789012";
    private const string StreamName = "weather-analytics-stream-dev";
    private const int Cities = 3;
    private static readonly DateTimeOffset StartTime = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);

    private enum Phase { Simulate, Delivery, Crawl, Ctas }

    public static void AddTo(RootCommand root)
    {
        var kills = new Option<int>("--kills") { Description = "How many processes to kill (spread over simulate, delivery, crawl and CTAS).", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed that picks the order of the phases and each kill point.", DefaultValueFactory = _ => 1 };
        var json = BenchReport.JsonOption();
        var command = new Command("faults", "Kill simulate, delivery, crawl and CTAS mid-work with SIGKILL, restart them, and check nothing acknowledged is lost.") { kills, seed, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(kills);
            if (count < 5) throw new ArgumentException($"--kills {count} is too few: use 5 or more, so every phase is killed at least once.");
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var given = parse.GetValue(CliSession.WorkspaceOption);
            if (given is not null && Directory.Exists(given) && Directory.EnumerateFileSystemEntries(given).Any())
                throw new ArgumentException($"The workspace '{given}' is not empty: the bench needs a new folder (or none, for a temporary one).");
            var folder = given is null ? Directory.CreateTempSubdirectory("workshop-faults-").FullName : Path.GetFullPath(given);
            try
            {
                var report = new BenchReport("faults");
                var exit = await RunAsync(report, folder, count, parse.GetValue(seed), cancellationToken);
                report.WriteJson(jsonPath);
                return exit;
            }
            finally
            {
                if (given is null) Directory.Delete(folder, recursive: true);
            }
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
    }

    private static async Task<int> RunAsync(BenchReport report, string workspace, int kills, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var plan = new List<Phase>();
        var share = kills / 5;
        plan.AddRange(Enumerable.Repeat(Phase.Delivery, share));
        plan.AddRange(Enumerable.Repeat(Phase.Crawl, share));
        plan.AddRange(Enumerable.Repeat(Phase.Ctas, share));
        plan.AddRange(Enumerable.Repeat(Phase.Simulate, kills - plan.Count));
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(plan));

        // A lake and a table to crawl and query from the first kill on. The simulation then runs in segments: a killed
        // run is restarted with the same start and duration, so it resumes; a finished one is followed by the next.
        var segmentStart = StartTime;
        var segment = TimeSpan.FromHours(1);
        string[] Segment() => ["simulate", "--duration", $"{segment.TotalHours:0}h", "--seed", "1", "--start", segmentStart.ToString("O")];
        void NextSegment(TimeSpan length) { segmentStart += segment; segment = length; }
        Require(Run(workspace, Segment()), "the first simulation");
        NextSegment(TimeSpan.FromHours(24));
        Require(Run(workspace, "crawl"), "the first crawl");

        var done = Enum.GetValues<Phase>().ToDictionary(p => p, _ => 0);
        var finishedFirst = 0;
        var missed = 0;
        var partsLeftByKills = 0;
        var ctasTables = new List<string>();
        foreach (var phase in plan)
        {
            for (var attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (attempt == 4) { missed++; break; } // the phase keeps finishing before its kill point: move on
                var killAfter = random.Next(1, 4);
                string[] arguments;
                Func<string, bool> isProgress;
                switch (phase)
                {
                    case Phase.Simulate or Phase.Delivery:
                        arguments = Segment();
                        // Simulate: the run saved its progress. Delivery: an object landed in the lake, mid flush round.
                        isProgress = phase == Phase.Simulate
                            // A run saves its progress by appending to the state's journal, and folds it into the file now and then.
                            ? path => path.EndsWith(Path.Combine("state", "simulation.json"), StringComparison.Ordinal)
                                      || path.EndsWith(Path.Combine("state", "simulation.json" + JournaledFile.JournalExtension), StringComparison.Ordinal)
                            : path => path.Contains($"{Bucket}{Path.DirectorySeparatorChar}weather-data", StringComparison.Ordinal);
                        break;
                    case Phase.Crawl:
                        arguments = ["crawl"];
                        killAfter = 1;
                        // A crawl writes little (its run, and a table only when the lake changed): its first write of any kind.
                        isProgress = path => !path.EndsWith(".lock", StringComparison.Ordinal);
                        break;
                    default:
                        var table = $"ctas_{ctasTables.Count + 1}";
                        ctasTables.Add(table);
                        arguments = ["query", $"CREATE TABLE {table} WITH (format = 'PARQUET', external_location = 's3://{Bucket}/ctas/{table}/', partitioned_by = ARRAY['location']) AS SELECT city, temperature, measurement_time, year, month, day, location FROM raw_weather_data"];
                        killAfter = 1;
                        // The statement's target folder and the Parquet files DuckDB writes straight into it.
                        isProgress = path => path.Contains($"{Path.DirectorySeparatorChar}ctas{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
                        break;
                }
                var (killed, exit) = KillAfterProgress(workspace, arguments, isProgress, killAfter);
                if (killed)
                {
                    done[phase]++;
                    partsLeftByKills += PartFiles(workspace);
                    break;
                }
                if (exit != 0) { missed++; break; } // refused outright (a crawler left RUNNING, say): reported at the end
                // The run finished before its kill point: give the next one more to do.
                finishedFirst++;
                if (phase is Phase.Simulate or Phase.Delivery) NextSegment(TimeSpan.FromHours(24));
                if (phase == Phase.Crawl)
                {
                    // New data for the next crawl: the current segment to its end, then one more hour.
                    Require(Run(workspace, Segment()), "a simulation between crawls");
                    NextSegment(TimeSpan.FromHours(1));
                    Require(Run(workspace, Segment()), "a simulation between crawls");
                    NextSegment(TimeSpan.FromHours(24));
                }
            }
            var total = done.Values.Sum() + missed;
            if (total % 10 == 0) Terminal.Tell($"{total} of {kills} kills done.");
        }

        // Every run once more to its end: each one resumes where the kills left it.
        Require(Run(workspace, Segment()), "the final simulation");
        var simulated = segmentStart + segment - StartTime;
        var partsAfterReopen = PartFiles(workspace);
        // After the kills a crawl and a query must work again: a crawler left RUNNING by a killed crawl would refuse forever.
        var finalCrawl = Run(workspace, "crawl");
        var finalQuery = Run(workspace, "query", "SELECT COUNT(*) FROM raw_weather_data");
        string FirstLine(string text) => text.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
        var brokenTables = ctasTables.Where(table =>
        {
            var (exit, _, errors) = Run(workspace, "query", $"SELECT COUNT(*) FROM {table}");
            return exit != 0 && !errors.Contains("TABLE_NOT_FOUND", StringComparison.Ordinal) && !errors.Contains("does not exist", StringComparison.Ordinal);
        }).ToList();

        var onStream = await ReadStreamAsync(workspace, cancellationToken);
        var (corruptFrames, frames) = CheckFrames(workspace);
        var inLake = LakeLines(workspace).ToList();
        var lakeCounts = inLake.GroupBy(l => l.Line).ToDictionary(g => g.Key, g => g.Count());
        var lost = onStream.Distinct().Count(record => !lakeCounts.ContainsKey(record));
        var producerDuplicates = onStream.Count - onStream.Distinct().Count();
        var deliveryDuplicates = inLake.Count - onStream.Count;
        var largestObject = inLake.Count == 0 ? 0 : inLake.GroupBy(l => l.Key).Max(g => g.Count());
        var pipelineKills = done[Phase.Simulate] + done[Phase.Delivery];
        var producerBound = pipelineKills * Cities;
        var deliveryBound = pipelineKills * Cities * largestObject;

        var crawlHeld = finalCrawl.Exit == 0;
        var queryHeld = finalQuery.Exit == 0;
        var checks = new (string Check, BenchValue Measured, BenchValue Bound, bool? Held, string Figure, double Value)[]
        {
            ($"Kills survived (simulate, delivery, crawl, CTAS)", new($"{done.Values.Sum()} ({done[Phase.Simulate]}, {done[Phase.Delivery]}, {done[Phase.Crawl]}, {done[Phase.Ctas]})", done.Values.Sum()),
                $"{kills} planned", null, "killsSurvived", done.Values.Sum()),
            ("Runs that finished before their kill point", BenchValue.Of(finishedFirst, "N0"), "", null, "runsFinishedFirst", finishedFirst),
            ("Planned kills that never landed", BenchValue.Of(missed, "N0"), "", null, "killsMissed", missed),
            ("Acknowledged records lost", new($"{lost} of {onStream.Distinct().Count():N0}", lost), BenchValue.Of(0, "0"), lost == 0, "recordsLost", lost),
            ("Corrupt frames in the stream's logs", new($"{corruptFrames} of {frames:N0}", corruptFrames), BenchValue.Of(0, "0"), corruptFrames == 0, "corruptFrames", corruptFrames),
            ("Duplicates: re-run producer invocations", BenchValue.Of(producerDuplicates, "N0"), BenchValue.Of(producerBound, "N0"), producerDuplicates <= producerBound, "producerDuplicates", producerDuplicates),
            ("Duplicates: re-delivered objects", BenchValue.Of(deliveryDuplicates, "N0"), BenchValue.Of(deliveryBound, "N0"), deliveryDuplicates >= 0 && deliveryDuplicates <= deliveryBound, "deliveryDuplicates", deliveryDuplicates),
            ("Part files left after the workspace reopened", new($"{partsAfterReopen} ({partsLeftByKills} left by the kills)", partsAfterReopen), BenchValue.Of(0, "0"), partsAfterReopen == 0, "partFilesLeft", partsAfterReopen),
            ("CTAS tables broken by a kill", new($"{brokenTables.Count} of {ctasTables.Count}{(brokenTables.Count > 0 ? $" ({string.Join(", ", brokenTables)})" : "")}", brokenTables.Count), BenchValue.Of(0, "0"), brokenTables.Count == 0, "brokenCtasTables", brokenTables.Count),
            ("Crawl after the kills", crawlHeld ? "ran" : $"refused ({FirstLine(finalCrawl.Errors)})", "runs", crawlHeld, "crawlAfterKills", crawlHeld ? 1 : 0),
            ("Query after the kills", queryHeld ? "ran" : $"refused ({FirstLine(finalQuery.Errors)})", "runs", queryHeld, "queryAfterKills", queryHeld ? 1 : 0),
        };
        var figures = report.Table($"{kills} kills with SIGKILL over {simulated.TotalHours:0} simulated hours (seed {seed})", "Check", "Measured", "Bound", "Held");
        foreach (var check in checks)
        {
            figures.AddRow(check.Check, check.Measured, check.Bound, check.Held switch { true => "yes", false => "NO", null => "" });
            report.Figure(check.Figure, check.Value, "count");
        }
        foreach (var phase in Enum.GetValues<Phase>()) report.Figure($"kills{phase}", done[phase], "count");
        figures.Caption = $"Duplicate bounds: {Cities} records per pipeline kill from the producer; one object per city per pipeline kill, at most {largestObject} records each, from the delivery.";
        report.Print(figures);
        var held = checks.All(c => c.Held != false);
        report.Figure("guaranteesHeld", held ? 1 : 0, "all checks held (1) or not (0)");
        if (!held) Terminal.Tell("A crash broke a guarantee: see the figures above.");
        return held ? 0 : 1;
    }

    /// <summary>Starts a workshop command and kills it (SIGKILL) right after the n-th write the predicate recognises; not killed if it finished first.</summary>
    private static (bool Killed, int Exit) KillAfterProgress(string workspace, string[] arguments, Func<string, bool> isProgress, int killAfter)
    {
        using var watcher = new FileSystemWatcher(workspace) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size, InternalBufferSize = 64 * 1024 };
        var seen = 0;
        using var reached = new ManualResetEventSlim();
        void Notice(string path)
        {
            if (isProgress(path) && Interlocked.Increment(ref seen) == killAfter) reached.Set();
        }
        watcher.Created += (_, e) => Notice(e.FullPath);
        watcher.Changed += (_, e) => Notice(e.FullPath);
        watcher.Renamed += (_, e) => Notice(e.FullPath);
        watcher.EnableRaisingEvents = true;
        using var child = StartChild(workspace, arguments);
        var exited = Task.Run(() => child.WaitForExit());
        var which = WaitHandle.WaitAny([reached.WaitHandle, ((IAsyncResult)exited).AsyncWaitHandle]);
        if (which == 0 && !child.HasExited)
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            return (true, child.ExitCode);
        }
        child.WaitForExit();
        return (false, child.ExitCode);
    }

    private static Process StartChild(string workspace, string[] arguments)
    {
        // The same CLI this process runs: the apphost directly, or `dotnet workshop.dll`.
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.ArgumentList.Add("--workspace");
        info.ArgumentList.Add(workspace);
        info.Environment["COLUMNS"] = "200";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static (int Exit, string Output, string Errors) Run(string workspace, params string[] arguments)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.ArgumentList.Add("--workspace");
        info.ArgumentList.Add(workspace);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }

    private static void Require((int Exit, string Output, string Errors) run, string what)
    {
        if (run.Exit != 0)
            throw new InvalidOperationException($"The bench stopped: {what} failed with exit code {run.Exit}: {run.Errors.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim()}");
    }

    private static int PartFiles(string workspace)
    {
        var tmp = Path.Combine(workspace, "tmp");
        return Directory.Exists(tmp) ? Directory.EnumerateFiles(tmp, "*.part").Count() : 0;
    }

    private static async Task<List<string>> ReadStreamAsync(string workspace, CancellationToken cancellationToken)
    {
        // Read as of the start, so the stream's 24-hour retention hides none of the run's records.
        using var stream = new LocalStreamService(new WorkspaceDirectory(workspace), new VirtualClock(StartTime));
        var records = new List<string>();
        foreach (var shard in await stream.ListShardsAsync(StreamName, cancellationToken))
        {
            var iterator = await stream.GetShardIteratorAsync(StreamName, shard.ShardId, ShardIteratorType.TRIM_HORIZON, cancellationToken: cancellationToken);
            while (true)
            {
                var batch = await stream.GetRecordsAsync(iterator, 10_000, cancellationToken);
                records.AddRange(batch.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
                if (batch.Records.Count == 0 || batch.NextShardIterator is null) break;
                iterator = batch.NextShardIterator;
            }
        }
        return records;
    }

    /// <summary>Walks every shard log frame by frame ([length][CRC-32][payload], numbered 1, 2, 3...): a frame whose checksum or number is wrong, or that is cut short, is corrupt.</summary>
    private static (int Corrupt, int Frames) CheckFrames(string workspace)
    {
        var corrupt = 0;
        var frames = 0;
        foreach (var log in Directory.EnumerateFiles(Path.Combine(workspace, "streams"), "*.log", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(log);
            var position = 0;
            long expected = 1;
            while (position < bytes.Length)
            {
                if (bytes.Length - position < 8) { corrupt++; break; }
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position));
                if (length < 18 || bytes.Length - position - 8 < length) { corrupt++; break; }
                var payload = bytes.AsSpan(position + 8, length);
                var whole = Crc32.HashToUInt32(payload) == BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 4)) && BinaryPrimitives.ReadInt64LittleEndian(payload) == expected;
                if (!whole) { corrupt++; break; }
                frames++;
                expected++;
                position += 8 + length;
            }
        }
        return (corrupt, frames);
    }

    private static IEnumerable<(string Key, string Line)> LakeLines(string workspace)
    {
        var root = Path.Combine(workspace, "lake", Bucket);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "weather-data"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var key = Path.GetRelativePath(root, file);
            using var raw = File.OpenRead(file);
            using Stream content = key.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            using var reader = new StreamReader(content, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
                if (line.Length > 0) yield return (key, line);
        }
    }
}
