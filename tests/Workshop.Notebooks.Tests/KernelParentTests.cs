using System.Diagnostics;
using StreamingWorkshop.Kernel;

namespace Workshop.Notebooks.Tests;

/// <summary>A kernel whose launcher is gone stops by itself, as Jupyter's kernels do, instead of running forever.</summary>
public sealed class KernelParentTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kernel-parent-").FullName;

    [Fact]
    public async Task The_kernel_stops_when_the_process_named_by_JPY_PARENT_PID_ends()
    {
        var file = Path.Combine(folder, "connection.json");
        ConnectionInfo.WriteNew(file);
        using var parent = Process.Start(new ProcessStartInfo("sleep", "600"))!;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, WorkingDirectory = folder };
        info.Environment["JPY_PARENT_PID"] = parent.Id.ToString();
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "kernel", "--connection-file", file }) info.ArgumentList.Add(a);
        using var kernel = Process.Start(info)!;
        var log = kernel.StandardError.ReadToEndAsync();
        try
        {
            parent.Kill();
            parent.WaitForExit();

            Assert.True(kernel.WaitForExit(TimeSpan.FromSeconds(30)), "the kernel still runs after its parent ended");
            Assert.Contains("The process that started this kernel is gone; the kernel stops.", await log);
        }
        finally
        {
            if (!kernel.HasExited) kernel.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void The_kernel_stops_when_the_shell_that_started_it_exits()
    {
        var file = Path.Combine(folder, "connection.json");
        var connection = ConnectionInfo.WriteNew(file);
        var dll = Path.Combine(AppContext.BaseDirectory, "workshop.dll");
        // The shell starts the kernel in the background, says its id, and exits when the test closes its input.
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardInput = true, WorkingDirectory = folder };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"dotnet '{dll}' kernel --connection-file '{file}' 2>/dev/null >/dev/null </dev/null & echo $!; read line");
        using var shell = Process.Start(info)!;
        var kernelId = int.Parse(shell.StandardOutput.ReadLine()!);
        try
        {
            Assert.True(AnswersHeartbeat(connection), "the kernel did not start");
            shell.StandardInput.Close();
            shell.WaitForExit();

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Runs(kernelId) && DateTime.UtcNow < deadline) Thread.Sleep(200);

            Assert.False(Runs(kernelId), "the kernel still runs after the shell that started it exited");
        }
        finally
        {
            if (Runs(kernelId)) Process.GetProcessById(kernelId).Kill();
            NetMQ.NetMQConfig.Cleanup(block: false);
        }
    }

    /// <summary>Pings the kernel's heartbeat until it echoes, for up to a minute: then the kernel is up and watching its parent.</summary>
    private static bool AnswersHeartbeat(ConnectionInfo connection)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            using var ping = new NetMQ.Sockets.RequestSocket();
            ping.Connect(connection.Address(connection.HbPort));
            NetMQ.OutgoingSocketExtensions.SendFrame(ping, "ping");
            if (NetMQ.ReceivingSocketExtensions.TryReceiveFrameString(ping, TimeSpan.FromSeconds(1), out _)) return true;
        }
        return false;
    }

    /// <summary>Whether the process exists and has not ended (an ended child nobody reaped yet shows state Z).</summary>
    private static bool Runs(int processId)
    {
        var stat = $"/proc/{processId}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[text.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
