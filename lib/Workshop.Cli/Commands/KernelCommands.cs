using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using Spectre.Console;
using StreamingWorkshop.Kernel;
using StreamingWorkshop.Notebooks;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>`kernel`: the Jupyter kernel itself, `kernel install` for its kernelspec, and `bench kernel`.</summary>
internal static class KernelCommands
{
    public static void AddTo(RootCommand root)
    {
        var connectionFile = new Option<string?>("--connection-file") { Description = "The connection file Jupyter passes to a kernel." };
        var kernel = new Command("kernel", "The kit's Jupyter kernel: 'kernel install' registers it with Jupyter and VS Code, which then start it.") { connectionFile };
        kernel.SetAction(parse =>
        {
            var path = parse.GetValue(connectionFile) ?? throw new ArgumentException("Give --connection-file; Jupyter passes it when it starts the kernel. To make Jupyter aware of the kernel, run 'workshop kernel install'.");
            CheckConnectionFile(path);
            // In a workspace that is there already, or in a workshop's own, which its notebooks make anyway; a kernel started
            // in any other folder makes none.
            StartupProfile.Start(WorkspaceDirectory.LocateRoot(Directory.GetCurrentDirectory()), "kernel", makeWorkspace: false);
            using var server = new KernelServer(ConnectionInfo.Read(path), Console.Error, Directory.GetCurrentDirectory());
            using var parentWatch = ParentWatch.Start(() =>
            {
                Console.Error.WriteLine("The process that started this kernel is gone; the kernel stops.");
                server.Stopped.TrySetResult();
                // A cell that never returns must not keep the process alive.
                _ = Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ => Environment.Exit(0), TaskScheduler.Default);
            });
            server.Run();
            return 0;
        });

        var user = new Option<bool>("--user") { Description = "Install for the current user (the default)." };
        var prefix = new Option<string?>("--prefix") { Description = "Install under PREFIX/share/jupyter/kernels, as 'jupyter kernelspec install --prefix' does." };
        var install = new Command("install", "Write the kernelspec so VS Code and Jupyter offer 'C# (Streaming Workshop)'.") { user, prefix };
        // Two places at once is no choice: refused before anything is written, as 'jupyter kernelspec install' refuses it.
        install.Validators.Add(result =>
        {
            if (result.GetValue(user) && result.GetResult(prefix) is not null)
                result.AddError("--user and --prefix each say where the kernelspec goes: give one of them (--user for your own Jupyter folder, --prefix DIR for DIR/share/jupyter/kernels), not both.");
        });
        install.SetAction(parse =>
        {
            var folder = parse.GetValue(prefix) is { } p ? Path.Combine(Path.GetFullPath(p), "share", "jupyter", "kernels") : KernelSpec.UserKernelsFolder();
            var path = KernelSpec.Install(folder, Launcher());
            Console.Out.WriteLine($"Installed the kernelspec {KernelSpec.Name} ({KernelSpec.DisplayName}) at {path}");
            return 0;
        });
        kernel.Subcommands.Add(install);
        root.Subcommands.Add(kernel);
        BenchCommand.GetOrAdd(root).Subcommands.Add(Bench());
    }

    /// <summary>
    /// The file must exist and be readable here; what it holds (ports, ip, key, scheme) is checked by the kernel's
    /// own reader, which names the field and its value in one line.
    /// </summary>
    private static void CheckConnectionFile(string path) =>
        CliSession.ReadInputFileAsync(path, "--connection-file", "connection", CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The command line that starts this CLI again: the apphost, or dotnet with the DLL.</summary>
    internal static IReadOnlyList<string> Launcher()
    {
        var process = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, typeof(KernelCommands).Assembly.Location] : [process];
    }

    private static double InProcessMedian(string folder, int repeats)
    {
        var notebook = new NotebookSession(folder, TimeSpan.FromMinutes(5));
        notebook.ExecuteAsync(NotebookCell.Code("var warm = 1;")).GetAwaiter().GetResult();
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            notebook.ExecuteAsync(NotebookCell.Code("warm + 1")).GetAwaiter().GetResult();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static Command Bench()
    {
        var repeats = new Option<int>("--repeats") { Description = "Execute requests timed after the first.", DefaultValueFactory = _ => 50 }.WithRange(1);
        var json = BenchReport.JsonOption();
        var command = new Command("kernel", "Measure the kernel: launch to kernel_info reply, and the round trip of a trivial execute request.") { repeats, json };
        command.SetAction(parse =>
        {
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var folder = Directory.CreateTempSubdirectory("workshop-bench-kernel-").FullName;
            var file = Path.Combine(folder, "connection.json");
            var connection = ConnectionInfo.WriteNew(file);
            var launcher = Launcher();
            var info = new ProcessStartInfo(launcher[0]) { RedirectStandardError = true, WorkingDirectory = folder };
            foreach (var a in launcher.Skip(1).Concat(["kernel", "--connection-file", file])) info.ArgumentList.Add(a);
            var signer = new Signer(connection.Key);
            var session = Guid.NewGuid().ToString();
            var watch = Stopwatch.StartNew();
            using var child = Process.Start(info)!;
            try
            {
                using var shell = new DealerSocket();
                shell.Connect(connection.Address(connection.ShellPort));
                JsonObject Request(string type, JsonObject content)
                {
                    var message = new JupyterMessage { Header = JupyterMessage.NewHeader(type, session), Content = content };
                    shell.SendMultipartMessage(message.ToFrames(signer));
                    var reply = shell.ReceiveMultipartMessage();
                    return JupyterMessage.Parse(reply, signer, out _)!.Content;
                }
                Request("kernel_info_request", new JsonObject());
                var launch = watch.Elapsed;
                JsonObject Execute(string code) => Request("execute_request", new JsonObject { ["code"] = code, ["silent"] = false, ["store_history"] = true, ["user_expressions"] = new JsonObject(), ["allow_stdin"] = false });
                watch.Restart();
                Execute("var warm = 1;");
                var first = watch.Elapsed;
                var times = new List<double>();
                for (var i = 0; i < parse.GetValue(repeats); i++)
                {
                    watch.Restart();
                    Execute("warm + 1");
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                Request("shutdown_request", new JsonObject { ["restart"] = false });
                // The same cell run in this process with the same engine: what the protocol adds on top is the ratio.
                var inProcess = InProcessMedian(folder, parse.GetValue(repeats));
                var kernelMedian = times[times.Count / 2];
                var report = new BenchReport("kernel");
                var table = report.Table("The kernel over Jupyter's protocol", "Measure", "Time");
                table.AddRow("Launch to kernel_info reply", BenchValue.Milliseconds(launch));
                table.AddRow("First execute request (compiler warm-up)", BenchValue.Milliseconds(first));
                table.AddRow($"Trivial execute round trip, median of {times.Count}", BenchValue.Milliseconds(TimeSpan.FromMilliseconds(kernelMedian)));
                table.AddRow("Slowest", BenchValue.Milliseconds(TimeSpan.FromMilliseconds(times[^1])));
                table.AddRow($"Same cell in process, median of {times.Count}", BenchValue.Milliseconds(TimeSpan.FromMilliseconds(inProcess)));
                table.AddRow("Kernel round trip / in-process cell", BenchValue.Ratio(kernelMedian / inProcess));
                report.Print(table);
                report.Figure("launchMilliseconds", launch.TotalMilliseconds, "ms");
                report.Figure("firstExecuteMilliseconds", first.TotalMilliseconds, "ms");
                report.Figure("roundTripToInProcessRatio", kernelMedian / inProcess, "x");
                report.WriteJson(jsonPath);
            }
            finally
            {
                if (!child.WaitForExit(5000)) child.Kill(entireProcessTree: true);
                Directory.Delete(folder, recursive: true);
                NetMQConfig.Cleanup(block: false);
            }
            return 0;
        });
        return command;
    }
}
