using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NetMQ;
using NetMQ.Sockets;
using StreamingWorkshop.Kernel;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// The kit's Jupyter kernel: Jupyter's own conformance suite and nbconvert run against it with Debian's python3
/// (apt packages python3-jupyter-kernel-test, python3-jupyter-client, python3-nbconvert, installed by .ci/run);
/// interrupts and signatures are checked with a client written here on NetMQ.
/// </summary>
public sealed partial class KernelTests : IDisposable
{
    private const string SystemPython = "/usr/bin/python3";
    private readonly string prefix = Directory.CreateTempSubdirectory("kernelspec-").FullName;

    private static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
            throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
        }
    }

    private string JupyterPath
    {
        get
        {
            if (!File.Exists(Path.Combine(prefix, "share", "jupyter", "kernels", KernelSpec.Name, "kernel.json")))
                Assert.Equal(0, Cli.Run(out _, "kernel", "install", "--prefix", prefix));
            return Path.Combine(prefix, "share", "jupyter");
        }
    }

    private static (int Exit, string Output) Python(string workingDirectory, IDictionary<string, string> environment, TimeSpan limit, params string[] arguments)
    {
        Assert.True(File.Exists(SystemPython), "Debian's python3 is needed: apt-get install python3-jupyter-kernel-test python3-nbconvert");
        var info = new ProcessStartInfo(SystemPython) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit)) { process.Kill(entireProcessTree: true); throw new TimeoutException($"python3 {string.Join(' ', arguments)} ran past {limit}."); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void The_installed_kernelspec_is_laid_out_as_jupyter_kernelspec_install_lays_one_out()
    {
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(JupyterPath, "kernels", "streaming-workshop-csharp", "kernel.json")))!;
        Assert.Equal("C# (Streaming Workshop)", spec["display_name"]!.GetValue<string>());
        Assert.Equal("csharp", spec["language"]!.GetValue<string>());
        Assert.Contains("{connection_file}", spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public void Install_for_the_user_goes_where_JUPYTER_DATA_DIR_says_as_jupyter_kernelspec_install_does()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-data-dir-").FullName;
        try
        {
            var dataDir = Path.Combine(folder, "jupyter-data");
            var exit = Cli.RunIn(folder, new Dictionary<string, string> { ["JUPYTER_DATA_DIR"] = dataDir, ["HOME"] = Path.Combine(folder, "home"), ["XDG_DATA_HOME"] = "" },
                out var output, "kernel", "install", "--user");

            Assert.True(exit == 0, output);
            Assert.True(File.Exists(Path.Combine(dataDir, "kernels", KernelSpec.Name, "kernel.json")), output);
            Assert.False(Directory.Exists(Path.Combine(folder, "home")), "installed under HOME too");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Jupyter_kernel_test_conformance_suite_passes()
    {
        // The suite runs inside the repository: a workspace named outside it keeps the repository's own (if a day was run
        // there) out of the kernels' reach.
        var environment = new Dictionary<string, string> { ["JUPYTER_PATH"] = JupyterPath, ["WORKSHOP_WORKSPACE"] = Cli.NoWorkspace };
        var (exit, output) = Python(Path.Combine(RepositoryRoot, "tests", "kernel"), environment, TimeSpan.FromMinutes(3),
            "-m", "unittest", "-v", "test_kernel.py");

        Assert.True(exit == 0, output);
        foreach (var test in new[] { "test_kernel_info", "test_execute_stdout", "test_execute_result", "test_display_data", "test_error", "test_is_complete", "test_completion", "test_inspect" })
            Assert.Matches($@"{test} \(.*\) \.\.\. ok", output);
    }

    [Fact]
    public void Nbconvert_runs_every_workshop_notebook_with_the_kernel_and_the_outputs_match_workshop_run()
    {
        var root = RepositoryRoot;
        var notebooks = NotebookRunner.DefaultNotebooks(root).Where(p => p.EndsWith(".ipynb", StringComparison.Ordinal)).ToList();
        // Same-length names: tables size their columns to the workspace path, so the two paths must be interchangeable.
        var kernelWorkspace = Directory.CreateTempSubdirectory("ws-kernel-").FullName;
        var runWorkspace = Directory.CreateTempSubdirectory("ws-runner-").FullName;
        var kernelOut = Directory.CreateTempSubdirectory("kernel-out-").FullName;
        var runOut = Directory.CreateTempSubdirectory("run-out-").FullName;
        // Both workspaces' clocks start at the same fixed moment, so the simulated day, and every number the notebooks
        // show from it, is the same for the kernel and the runner (a fresh workspace would start from the wall clock).
        foreach (var workspace in new[] { kernelWorkspace, runWorkspace })
        {
            var clock = StreamingWorkshop.Clock.VirtualClock.Load(new StreamingWorkshop.Storage.WorkspaceDirectory(workspace));
            clock.SetStart(FixedStart);
            clock.Save();
        }
        try
        {
            foreach (var notebook in notebooks)
            {
                var (exit, output) = Python(Path.GetDirectoryName(notebook)!, new Dictionary<string, string> { ["JUPYTER_PATH"] = JupyterPath, ["WORKSHOP_WORKSPACE"] = kernelWorkspace },
                    TimeSpan.FromMinutes(5), "-m", "nbconvert", "--to", "notebook", "--execute", notebook, "--output-dir", kernelOut,
                    "--ExecutePreprocessor.timeout=300"); // the kernel comes from the notebook's own metadata
                Assert.True(exit == 0, $"{notebook}: {output}");
            }
            Assert.Equal(0, Cli.RunIn(root, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = runWorkspace }, out var runText, ["run", .. notebooks, "--out", runOut]));

            foreach (var notebook in notebooks)
            {
                var name = Path.GetFileName(notebook);
                var byKernel = NotebookFile.Read(Path.Combine(kernelOut, name));
                var byRunner = NotebookFile.Read(Path.Combine(runOut, Path.GetRelativePath(root, notebook)));
                Assert.DoesNotContain(byKernel.Cells.SelectMany(c => c.Outputs), o => o["output_type"]!.GetValue<string>() == "error");
                var codeCells = byKernel.Cells.Zip(byRunner.Cells).Select((pair, index) => (pair.First, pair.Second, index)).Where(c => c.First.Kind == CellKind.Code).ToList();
                foreach (var (kernelCell, runnerCell, index) in codeCells)
                {
                    var byRunnerText = string.Join("\n--\n", Comparable(runnerCell, runWorkspace));
                    var byKernelText = string.Join("\n--\n", Comparable(kernelCell, kernelWorkspace));
                    Assert.True(byRunnerText == byKernelText, $"{name}, cell {index + 1}: workshop run shows\n{byRunnerText}\nand the kernel shows\n{byKernelText}");
                }
                // The day really did start at the fixed moment: its readings are dated from it.
                Assert.True(name != "02-task2-explore.ipynb" || byKernel.Cells.SelectMany(c => c.Outputs).Any(o => Comparable(o).Contains(FixedStart.ToString("yyyy-MM-dd"), StringComparison.Ordinal)),
                    $"{name} shows nothing dated {FixedStart:yyyy-MM-dd}");
            }
        }
        finally
        {
            foreach (var folder in new[] { kernelWorkspace, runWorkspace, kernelOut, runOut }) Directory.Delete(folder, recursive: true);
        }
    }

    private static readonly DateTimeOffset FixedStart = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);

    private static string Comparable(JsonObject output) =>
        output["output_type"]!.GetValue<string>() == "stream" ? Joined(output["text"]) : Joined(output["data"]?["text/plain"]);

    /// <summary>
    /// A cell's outputs reduced to type and plain text, with timings, ids and the workspace path taken out; consecutive streams merged.
    /// A cell tagged wall-clock runs in live mode, so its figures follow the wall clock: only the kind of each output and the
    /// words of its first line, digits masked, up to its first figure-bearing part (" · "), are compared.
    /// </summary>
    private static List<string> Comparable(NotebookCell cell, string workspace)
    {
        if (cell.Metadata["tags"]?.AsArray().Any(t => t?.GetValue<string>() == "wall-clock") == true)
            return cell.Outputs.Select(o => $"{o["output_type"]!.GetValue<string>()}:{Digits().Replace(Spaces().Replace(Comparable(o).Split('\n')[0], " ").Split(" · ")[0], "#")}").ToList();
        var items = new List<string>();
        foreach (var output in cell.Outputs)
        {
            var type = output["output_type"]!.GetValue<string>();
            var text = Comparable(output);
            text = text.Replace(workspace, "<workspace>");
            text = Guid().Replace(text, "<id>");
            text = Hex32().Replace(text, "<id>");
            text = Duration().Replace(text, "<time>");
            text = Spaces().Replace(text, " ");
            if (type == "stream" && items.Count > 0 && items[^1].StartsWith("stream:", StringComparison.Ordinal)) items[^1] += text;
            else items.Add($"{type}:{text}");
        }
        return items;
    }

    private static string Joined(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        null => "",
        _ => node.GetValue<string>(),
    };

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex Hex32();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"\d+(\.\d+)?\s?(ms|sec|s)\b")]
    private static partial Regex Duration();

    // A small client on NetMQ, for what the Python suites do not cover: interrupts and forged signatures.
    private sealed class Client : IDisposable
    {
        private readonly Process process;
        private readonly DealerSocket shell = new(), control = new();
        private readonly SubscriberSocket iopub = new();
        private readonly RequestSocket heartbeat = new();
        private readonly string session = System.Guid.NewGuid().ToString();
        public Signer Signer { get; }
        public string Log
        {
            get { lock (errors) return errors.ToString(); }
        }

        private readonly System.Text.StringBuilder errors = new();

        /// <summary>The kernel's stderr once it holds <paramref name="text"/>, or as it stands after <paramref name="seconds"/>.</summary>
        public string LogOnceItSays(string text, int seconds = 10)
        {
            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            lock (errors)
            {
                // Lines arrive on another thread, which pulses after each one; wait for the one that says it.
                while (!errors.ToString().Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
                    Monitor.Wait(errors, deadline - DateTime.UtcNow);
                return errors.ToString();
            }
        }

        /// <param name="key">The connection key to write instead of a fresh one (an empty one turns signing off).</param>
        public Client(string folder, string? key = null)
        {
            var file = Path.Combine(folder, "connection.json");
            var connection = ConnectionInfo.WriteNew(file);
            if (key is not null)
            {
                var json = JsonNode.Parse(File.ReadAllText(file))!;
                json["key"] = key;
                File.WriteAllText(file, json.ToJsonString());
                connection = connection with { Key = key };
            }
            Signer = new Signer(connection.Key);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, WorkingDirectory = folder };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "kernel", "--connection-file", file }) info.ArgumentList.Add(a);
            process = Process.Start(info)!;
            process.ErrorDataReceived += (_, e) =>
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                    Monitor.PulseAll(errors);
                }
            };
            process.BeginErrorReadLine();
            shell.Connect(connection.Address(connection.ShellPort));
            control.Connect(connection.Address(connection.ControlPort));
            iopub.Connect(connection.Address(connection.IopubPort));
            iopub.SubscribeToAnyTopic();
            heartbeat.Connect(connection.Address(connection.HbPort));
        }

        /// <summary>True when the heartbeat echoes a ping.</summary>
        public bool HeartbeatAnswers()
        {
            heartbeat.SendFrame("ping");
            return heartbeat.TryReceiveFrameString(TimeSpan.FromSeconds(10), out var echo) && echo == "ping";
        }

        /// <summary>Sends the four parts as given, signed with the connection key (or <paramref name="signer"/>), for messages no well-behaved client would send.</summary>
        public void SendParts(string[] parts, bool onControl = false, Signer? signer = null)
        {
            var bytes = parts.Select(p => System.Text.Encoding.UTF8.GetBytes(p)).ToArray();
            var frames = new NetMQMessage();
            frames.Append("<IDS|MSG>");
            frames.Append((signer ?? Signer).Sign(bytes));
            foreach (var part in bytes) frames.Append(part);
            (onControl ? control : shell).SendMultipartMessage(frames);
        }

        /// <summary>Sends frames exactly as given.</summary>
        public void SendFrames(IEnumerable<byte[]> frames, bool onControl = false)
        {
            var message = new NetMQMessage();
            foreach (var frame in frames) message.Append(frame);
            (onControl ? control : shell).SendMultipartMessage(message);
        }

        /// <summary>The next reply in full (header and content), or null if none comes.</summary>
        public JupyterMessage? ReceiveMessage(bool onControl = false, int seconds = 30)
        {
            var frames = new NetMQMessage();
            if (!(onControl ? control : shell).TryReceiveMultipartMessage(TimeSpan.FromSeconds(seconds), ref frames)) return null;
            return JupyterMessage.Parse(frames, Signer, out _)!;
        }

        /// <summary>The iopub messages of one request, in order, up to its idle status.</summary>
        public List<JupyterMessage> Published(JsonObject request, int seconds = 60) =>
            AllPublishedUntilIdle(request, seconds).Where(m => IsUnder(m, request)).ToList();

        /// <summary>Compared as JSON: a refused request's msg_id may be of any type.</summary>
        private static bool IsUnder(JupyterMessage message, JsonObject request) =>
            message.ParentHeader["msg_id"]?.ToJsonString() == request["msg_id"]!.ToJsonString();

        /// <summary>The next iopub message, or null once <paramref name="until"/> has passed.</summary>
        private JupyterMessage? NextPublished(DateTime until)
        {
            while (DateTime.UtcNow < until)
            {
                var frames = new NetMQMessage();
                if (iopub.TryReceiveMultipartMessage(TimeSpan.FromSeconds(1), ref frames)) return JupyterMessage.Parse(frames, Signer, out _)!;
            }
            return null;
        }

        /// <summary>Waits until the request's cell writes <paramref name="text"/>, so the cell is running, not compiling.</summary>
        public void WaitForOutput(JsonObject request, string text, int seconds = 60)
        {
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (NextPublished(until) is { } message)
                if (IsUnder(message, request) && message.Type == "stream"
                    && message.Content["text"]!.GetValue<string>().Contains(text, StringComparison.Ordinal)) return;
            throw new TimeoutException($"The cell did not write '{text}' within {seconds} s.");
        }

        /// <summary>Every iopub message, whatever its request, up to <paramref name="request"/>'s idle status.</summary>
        public List<JupyterMessage> AllPublishedUntilIdle(JsonObject request, int seconds = 60)
        {
            var messages = new List<JupyterMessage>();
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (NextPublished(until) is { } message)
            {
                messages.Add(message);
                if (IsUnder(message, request) && message.Type == "status" && message.Content["execution_state"]?.GetValue<string>() == "idle") return messages;
            }
            throw new TimeoutException($"No idle status for {request["msg_id"]}; saw {string.Join(", ", messages.Where(m => IsUnder(m, request)).Select(m => m.Type))}.");
        }

        /// <summary>Runs a cell and returns its reply and what it published.</summary>
        public (JsonObject Reply, List<JupyterMessage> Published) Run(string code)
        {
            var header = Send("execute_request", ExecuteContent(code));
            var reply = Receive(seconds: 120) ?? throw new TimeoutException("No execute_reply.");
            return (reply, Published(header));
        }

        public JsonObject Send(string type, JsonObject content, bool onControl = false, Signer? signer = null)
        {
            var message = new JupyterMessage { Header = JupyterMessage.NewHeader(type, session), Content = content };
            (onControl ? control : shell).SendMultipartMessage(message.ToFrames(signer ?? Signer));
            return message.Header;
        }

        public JsonObject? Receive(bool onControl = false, int seconds = 30)
        {
            var frames = new NetMQMessage();
            if (!(onControl ? control : shell).TryReceiveMultipartMessage(TimeSpan.FromSeconds(seconds), ref frames)) return null;
            return JupyterMessage.Parse(frames, Signer, out _)!.Content;
        }

        public JsonObject Execute(string code)
        {
            Send("execute_request", ExecuteContent(code));
            return Receive() ?? throw new TimeoutException("No execute_reply.");
        }

        /// <summary>Whether the kernel's process has ended within the time given.</summary>
        public bool EndsWithin(TimeSpan time) => process.WaitForExit(time);

        public static JsonObject ExecuteContent(string code) =>
            new() { ["code"] = code, ["silent"] = false, ["store_history"] = true, ["user_expressions"] = new JsonObject(), ["allow_stdin"] = false };

        public void Dispose()
        {
            Send("shutdown_request", new JsonObject { ["restart"] = false }, onControl: true);
            if (!process.WaitForExit(5000)) process.Kill(entireProcessTree: true);
            shell.Dispose();
            control.Dispose();
            iopub.Dispose();
            heartbeat.Dispose();
        }
    }

    [Fact]
    public void An_endless_loop_is_interrupted_and_the_next_cell_still_sees_earlier_variables()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-interrupt-").FullName;
        try
        {
            using var client = new Client(folder);
            Assert.Equal("ok", client.Execute("var kept = 41;")["status"]!.GetValue<string>());

            client.Send("execute_request", Client.ExecuteContent("var spins = 0L;\nwhile (true) { spins++; }"));
            Assert.Null(client.Receive(seconds: 2)); // still running
            client.Send("interrupt_request", new JsonObject(), onControl: true);
            Assert.Equal("ok", client.Receive(onControl: true)!["status"]!.GetValue<string>());
            var interrupted = client.Receive() ?? throw new TimeoutException("The loop was not interrupted.");

            Assert.Equal("error", interrupted["status"]!.GetValue<string>());
            Assert.Equal("Interrupted", interrupted["ename"]!.GetValue<string>());
            var next = client.Execute("Console.WriteLine(kept + 1);");
            Assert.Equal("ok", next["status"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// "Run All" sends every cell at once with stop_on_error (the protocol's default): as ipykernel does, a cell that fails
    /// takes the cells queued behind it with it, each answered "aborted" without running. A cell sent afterwards runs,
    /// and one that asked not to stop on error lets the queue run on.
    /// </summary>
    [Fact]
    public void A_failed_cell_aborts_the_cells_queued_behind_it_unless_asked_not_to_stop_on_error()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-stop-on-error-").FullName;
        try
        {
            using var client = new Client(folder);
            // The failing cell waits a moment first, so the two behind it are surely queued by the time it fails.
            client.Send("execute_request", Client.ExecuteContent("Thread.Sleep(500);\nint.Parse(\"abc\")"));
            client.Send("execute_request", Client.ExecuteContent("File.WriteAllText(\"first.txt\", \"ran\");"));
            client.Send("execute_request", Client.ExecuteContent("File.WriteAllText(\"second.txt\", \"ran\");"));

            Assert.Equal("error", client.Receive()!["status"]!.GetValue<string>());
            Assert.Equal("aborted", client.Receive()!["status"]!.GetValue<string>());
            Assert.Equal("aborted", client.Receive()!["status"]!.GetValue<string>());
            Assert.False(File.Exists(Path.Combine(folder, "first.txt")));
            Assert.False(File.Exists(Path.Combine(folder, "second.txt")));
            Assert.Equal("ok", client.Execute("File.WriteAllText(\"after.txt\", \"ran\");")["status"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(folder, "after.txt")));

            var goOn = Client.ExecuteContent("Thread.Sleep(500);\nint.Parse(\"abc\")");
            goOn["stop_on_error"] = false;
            client.Send("execute_request", goOn);
            client.Send("execute_request", Client.ExecuteContent("File.WriteAllText(\"third.txt\", \"ran\");"));
            Assert.Equal("error", client.Receive()!["status"]!.GetValue<string>());
            Assert.Equal("ok", client.Receive()!["status"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(folder, "third.txt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_interrupted_replay_stops_with_the_cell_and_writes_nothing_more()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-interrupt-replay-").FullName;
        try
        {
            using var client = new Client(folder);
            var workspace = Path.Combine(folder, "ws");
            Assert.Equal("ok", client.Execute($"var workshop = await Workshop.ConnectAsync(new WorkshopOptions {{ WorkspacePath = @\"{workspace}\", Cities = new[] {{ \"London\" }} }});")["status"]!.GetValue<string>());

            var replay = client.Send("execute_request", Client.ExecuteContent("await workshop.SimulateAsync(TimeSpan.FromDays(365), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));"));
            Assert.Null(client.Receive(seconds: 2)); // still replaying
            client.Send("interrupt_request", new JsonObject(), onControl: true);
            Assert.Equal("ok", client.Receive(onControl: true)!["status"]!.GetValue<string>());
            var interrupted = client.Receive() ?? throw new TimeoutException("The replay was not interrupted.");

            Assert.Equal("Interrupted", interrupted["ename"]!.GetValue<string>());
            Assert.Equal("The cell was interrupted; variables from earlier cells are still there.", interrupted["evalue"]!.GetValue<string>());
            // Its progress line ends saying where the clock stopped and how to carry on, not frozen at its last update.
            var progress = client.Published(replay).Where(m => m.Type is "display_data" or "update_display_data").Select(m => m.Content["data"]!["text/plain"]!.GetValue<string>()).ToList();
            Assert.Matches(@"^Stopped 2025-01-14 00:00 → 2026-01-14 00:00 UTC at 2025-\d\d-\d\d \d\d:\d\d \(\d+%\): run the same SimulateAsync again to carry on from there$", progress[^1]);
            // Nothing goes on replaying behind the next cells: the clock stands where the interrupt left it.
            var before = client.Run("workshop.Clock.GetUtcNow()").Published.Single(m => m.Type == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>();
            Thread.Sleep(1000);
            var after = client.Run("workshop.Clock.GetUtcNow()").Published.Single(m => m.Type == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>();
            Assert.Equal(before, after);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("a workspace")]
    [InlineData("a workshop.dib")]
    [InlineData("neither")]
    public void A_kernel_keeps_its_startup_record_in_the_workspace_of_its_folder_and_makes_none_elsewhere(string folderHolds)
    {
        var folder = Directory.CreateTempSubdirectory("kernel-startup-").FullName;
        try
        {
            var workspace = Path.Combine(folder, ".workshop");
            if (folderHolds == "a workspace") _ = new StreamingWorkshop.Storage.WorkspaceDirectory(workspace);
            // A workshop's own folder: its notebooks make .workshop/ as they connect, so the kernel makes it first.
            if (folderHolds == "a workshop.dib") File.WriteAllText(Path.Combine(folder, "workshop.dib"), "#!csharp\n\n1 + 1\n");
            using (var client = new Client(folder))
                Assert.Equal("ok", client.Execute("var cities = new[] { \"Leeds\" };")["status"]!.GetValue<string>());

            var record = new FileInfo(Path.Combine(workspace, "startup", "kernel.jitprofile"));
            if (folderHolds == "neither") Assert.False(Directory.Exists(workspace));
            else Assert.True(record.Exists && record.Length > 1024, $"No startup record in {record.DirectoryName}.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_shutdown_stops_the_running_cell_aborts_queued_ones_and_ends_the_process(bool restart)
    {
        // Jupyter's kernel manager waits for the process to end on a restart too, and then starts a new one itself.
        var folder = Directory.CreateTempSubdirectory("kernel-restart-").FullName;
        try
        {
            using var client = new Client(folder);
            Assert.Equal("ok", client.Execute("var earlier = 1;")["status"]!.GetValue<string>());
            client.Send("execute_request", Client.ExecuteContent("while (true) { }"));
            client.Send("execute_request", Client.ExecuteContent("File.WriteAllText(\"queued.txt\", \"ran\");"));
            Assert.Null(client.Receive(seconds: 1));

            client.Send("shutdown_request", new JsonObject { ["restart"] = restart }, onControl: true);
            Assert.Equal(restart, client.Receive(onControl: true)!["restart"]!.GetValue<bool>());
            Assert.Equal("error", client.Receive()!["status"]!.GetValue<string>());
            Assert.Equal("aborted", client.Receive()!["status"]!.GetValue<string>());

            Assert.True(client.EndsWithin(TimeSpan.FromSeconds(4)), "The kernel was still running 4 s after the shutdown request.");
            Assert.False(File.Exists(Path.Combine(folder, "queued.txt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private const string SaidOnRestart =
        "The kernel was restarted while this cell ran, so the cell stopped and every cell's variables are gone: run the notebook's cells again from the top.";
    private const string SaidOnShutdown = "The kernel was shut down while this cell ran, so the cell stopped.";

    /// <summary>A cell that stops at its next check, and one waiting in a library call that no check reaches.</summary>
    private const string StoppableCell = "Console.WriteLine(\"started\");\nwhile (true) { Thread.Sleep(50); }";
    private const string UnstoppableCell = "Console.WriteLine(\"started\");\nnew System.Threading.ManualResetEventSlim().Wait(30_000);";

    [Theory]
    [InlineData(true, SaidOnRestart, StoppableCell)]
    [InlineData(false, SaidOnShutdown, StoppableCell)]
    [InlineData(true, SaidOnRestart, UnstoppableCell)]
    [InlineData(false, SaidOnShutdown, UnstoppableCell)]
    public void A_cell_stopped_by_a_restart_says_so_rather_than_that_its_variables_are_still_there(bool restart, string said, string cell)
    {
        var folder = Directory.CreateTempSubdirectory("kernel-restart-said-").FullName;
        try
        {
            using var client = new Client(folder);
            var request = client.Send("execute_request", Client.ExecuteContent(cell));
            client.WaitForOutput(request, "started");

            client.Send("shutdown_request", new JsonObject { ["restart"] = restart }, onControl: true);
            var reply = client.Receive(seconds: 5) ?? throw new TimeoutException("No execute_reply within 5 s of the shutdown request.");

            Assert.Equal("Interrupted", reply["ename"]!.GetValue<string>());
            Assert.Equal(said, reply["evalue"]!.GetValue<string>());
            var shown = client.Published(request).Single(m => m.Type == "error").Content;
            Assert.Equal(said, shown["evalue"]!.GetValue<string>());
            Assert.Equal([$"Interrupted: {said}"], shown["traceback"]!.AsArray().Select(l => l!.GetValue<string>()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_shutdown_closes_the_workshop_sessions_the_cells_opened()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-restart-session-").FullName;
        var workspace = Path.Combine(folder, "ws");
        var tmp = Path.Combine(workspace, "tmp");
        string[] SpareFiles() => Directory.Exists(tmp) ? Directory.GetFiles(tmp, "*.part") : [];
        try
        {
            using var client = new Client(folder);
            var (reply, _) = client.Run(DisplayTests.SimulatedHourCells(workspace)[0]);
            Assert.Equal("ok", reply["status"]!.GetValue<string>());
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (SpareFiles().Length == 0 && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Assert.NotEmpty(SpareFiles());

            client.Send("shutdown_request", new JsonObject { ["restart"] = true }, onControl: true);
            Assert.True(client.Receive(onControl: true)!["restart"]!.GetValue<bool>());
            Assert.True(client.EndsWithin(TimeSpan.FromSeconds(4)), "The kernel was still running 4 s after the shutdown request.");

            Assert.Empty(SpareFiles());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_message_with_a_wrong_signature_is_dropped_and_never_run()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-signature-").FullName;
        try
        {
            using var client = new Client(folder);
            client.Send("execute_request", Client.ExecuteContent("File.WriteAllText(\"forged.txt\", \"ran\");"), signer: new Signer("not-the-key"));
            Assert.Null(client.Receive(seconds: 2));

            client.Send("kernel_info_request", new JsonObject());
            Assert.Equal("5.3", client.Receive()!["protocol_version"]!.GetValue<string>());
            Assert.False(File.Exists(Path.Combine(folder, "forged.txt")));
            Assert.Contains("signature does not match", client.LogOnceItSays("signature does not match"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void What_a_cells_task_writes_after_the_cell_ends_is_sent_under_that_cells_request_not_the_running_ones()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-late-").FullName;
        try
        {
            using var client = new Client(folder);
            var first = client.Send("execute_request", Client.ExecuteContent("_ = Task.Run(async () => { await Task.Delay(500); Console.WriteLine(\"written later\"); });"));
            Assert.Equal("ok", (client.Receive() ?? throw new TimeoutException("No execute_reply."))["status"]!.GetValue<string>());
            client.Published(first);
            // The second cell is still running when the first cell's task writes.
            var second = client.Send("execute_request", Client.ExecuteContent("await Task.Delay(2000);\nConsole.WriteLine(\"second cell\");"));
            var published = client.AllPublishedUntilIdle(second);
            Assert.Equal("ok", (client.Receive() ?? throw new TimeoutException("No execute_reply."))["status"]!.GetValue<string>());

            // All the text sent under each request, as a frontend shows it in that request's cell.
            string TextUnder(JsonObject request) => string.Concat(published
                .Where(m => m.Type == "stream" && m.ParentHeader["msg_id"]!.GetValue<string>() == request["msg_id"]!.GetValue<string>())
                .Select(m => m.Content["text"]!.GetValue<string>()));
            Assert.Equal("written later\n", TextUnder(first));
            Assert.Equal("second cell\n", TextUnder(second));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_update_replaces_a_display_by_its_display_id()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-update-").FullName;
        try
        {
            using var client = new Client(folder);
            Assert.Equal("ok", client.Run("var warm = 1;").Reply["status"]!.GetValue<string>());

            var (reply, published) = client.Run("var shown = display(\"first\");\nshown.Update(\"second\");");

            Assert.Equal("ok", reply["status"]!.GetValue<string>());
            var outputs = published.Where(m => m.Type is "display_data" or "update_display_data" or "execute_result").ToList();
            Assert.Equal(["display_data", "update_display_data"], outputs.Select(m => m.Type));
            var id = outputs[0].Content["transient"]!["display_id"]!.GetValue<string>();
            Assert.NotEmpty(id);
            Assert.Equal("first", outputs[0].Content["data"]!["text/plain"]!.GetValue<string>());
            Assert.Equal(id, outputs[1].Content["transient"]!["display_id"]!.GetValue<string>());
            Assert.Equal("second", outputs[1].Content["data"]!["text/plain"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("workshop.Stream", "workshop.Stream: Kinesis Data Streams", "GetRecordsAsync(iterator)")]
    [InlineData("workshop.Lake", "workshop.Lake: Amazon S3", "GetObjectAsync(bucket, key)")]
    public void The_stream_and_the_lake_show_the_calls_they_offer_not_an_object_tree(string cell, string title, string call)
    {
        var folder = Directory.CreateTempSubdirectory("kernel-facade-").FullName;
        try
        {
            using var client = new Client(folder);
            Assert.Equal("ok", client.Execute($"var workshop = await Workshop.ConnectAsync(new WorkshopOptions {{ WorkspacePath = @\"{Path.Combine(folder, "ws")}\" }});")["status"]!.GetValue<string>());

            var (reply, published) = client.Run(cell);

            Assert.Equal("ok", reply["status"]!.GetValue<string>());
            var data = published.Single(m => m.Type == "execute_result").Content["data"]!;
            Assert.StartsWith(title, data["text/plain"]!.GetValue<string>());
            Assert.Contains(call, data["text/plain"]!.GetValue<string>());
            Assert.Contains(System.Net.WebUtility.HtmlEncode(call), data["text/html"]!.GetValue<string>());
            DisplayTests.AssertNoObjectTree(data.ToJsonString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_simulated_hour_and_a_query_reach_the_kernel_as_a_progress_line_and_athenas_table()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-query-").FullName;
        try
        {
            using var client = new Client(folder);
            var cells = DisplayTests.SimulatedHourCells(Path.Combine(folder, "ws"));

            var (simulated, progress) = client.Run(cells[0]);
            Assert.Equal("ok", simulated["status"]!.GetValue<string>());
            var shown = progress.First(m => m.Type == "display_data");
            var id = shown.Content["transient"]!["display_id"]!.GetValue<string>();
            Assert.StartsWith("Simulating 2025-01-14 10:00 → 2025-01-14 11:00 UTC", shown.Content["data"]!["text/plain"]!.GetValue<string>());
            var last = progress.Last(m => m.Type == "update_display_data");
            Assert.Equal(id, last.Content["transient"]!["display_id"]!.GetValue<string>());
            Assert.Equal("Simulated 2025-01-14 10:00 → 2025-01-14 11:00 UTC: reached 2025-01-14 11:00 (100%) · 60 readings put · 60 delivered", last.Content["data"]!["text/plain"]!.GetValue<string>());
            Assert.Single(progress, m => m.Type == "display_data");

            Assert.Equal("ok", client.Run(cells[1]).Reply["status"]!.GetValue<string>());
            var (queried, published) = client.Run(cells[2]);

            Assert.Equal("ok", queried["status"]!.GetValue<string>());
            var result = published.Single(m => m.Type == "execute_result").Content;
            DisplayTests.AssertAthenaTable(result["data"]!["text/html"]!.GetValue<string>());
            Assert.Contains("2025-01-14 10:00:00.000", result["data"]!["text/plain"]!.GetValue<string>());
            foreach (var message in progress.Concat(published)) DisplayTests.AssertNoObjectTree(message.Content.ToJsonString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(prefix, recursive: true);
}
