using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Workshop.Tests.TestSupport;

/// <summary>
/// A Node.js service emulator from tests/tools (kinesalite, s3rver) listening on a free loopback port for the
/// length of a test class. `./test.sh` installs them with npm.
/// </summary>
public sealed class NodePeer : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private NodePeer(string script, Func<int, string> arguments, string name, string? nodeOption = null)
    {
        var path = Path.Combine(Repository.Root, "tests", "tools", "node_modules", script);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{name} is not installed at {path}; run 'npm install --prefix tests/tools' (./test.sh does).");
        Port = Loopback.FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (nodeOption is not null) start.ArgumentList.Add(nodeOption);
        start.ArgumentList.Add(path);
        foreach (var argument in arguments(Port).Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(argument);
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        WaitUntilListening(name);
    }

    public int Port { get; }
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public static NodePeer Kinesalite() => new(Path.Combine("kinesalite", "cli.js"),
        port => $"--port {port} --createStreamMs 0 --deleteStreamMs 0 --updateStreamMs 0 --shardLimit 50", "kinesalite");

    public static NodePeer S3rver() => new(Path.Combine("s3rver", "bin", "s3rver.js"),
        port => $"--address 127.0.0.1 --port {port} --silent --directory {Directory.CreateTempSubdirectory("s3rver-").FullName}", "s3rver",
        // s3rver makes its continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
        nodeOption: "--openssl-legacy-provider");

    private void WaitUntilListening(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) break;
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(100); }
        }
        string log;
        lock (output) log = output.ToString();
        Dispose();
        throw new InvalidOperationException($"{name} did not start listening on port {Port}: {log}");
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
