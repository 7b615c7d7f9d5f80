using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using StreamingWorkshop.Kernel;

namespace Workshop.Tests.BadInput;

/// <summary>A reply the kernel sent on its shell socket: its type, content status and content.</summary>
public sealed record KernelReply(string Type, string? Status, string Content);

public sealed record KernelExchange(List<KernelReply> Replies, bool Alive, string Log);

/// <summary>
/// The workshop kernel as Jupyter starts it (`workshop kernel --connection-file`), in a case folder with a canary
/// beside its workspace, and a shell socket that sends raw frames: any header, content, signature or frame count.
/// A kernel that dies is started again, so each case meets a live one.
/// </summary>
public sealed class KernelUnderTest : IDisposable
{
    private const string Delimiter = "<IDS|MSG>";
    private Process? process;
    private DealerSocket? shell;
    private ConnectionInfo? connection;
    private readonly StringBuilder log = new();

    public CaseFolder Folder { get; } = new(preparedWorkspace: null);

    private void EnsureRunning()
    {
        if (process is { HasExited: false }) return;
        shell?.Dispose();
        process?.Dispose();
        var file = Path.Combine(Folder.Workspace, "connection.json");
        connection = ConnectionInfo.WriteNew(file);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Folder.Workspace };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "kernel", "--connection-file", file }) info.ArgumentList.Add(a);
        info.Environment["WORKSHOP_WORKSPACE"] = Folder.Workspace;
        process = Process.Start(info)!;
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        shell = new DealerSocket();
        shell.Connect(connection.Address(connection.ShellPort));
    }

    public KernelExchange Exchange(JsonObject message)
    {
        // The ports a new kernel is given were free a moment before it binds them; another test's server can take one
        // meanwhile, and the kernel then stops at its start. That is the machine, not the message: start it again.
        for (var attempt = 1; ; attempt++)
        {
            var exchange = ExchangeOnce(message);
            if (exchange.Alive || attempt == 3 || !exchange.Log.Contains("AddressAlreadyInUseException", StringComparison.Ordinal)) return exchange;
        }
    }

    private KernelExchange ExchangeOnce(JsonObject message)
    {
        EnsureRunning();
        lock (log) log.Clear();
        var caseId = Guid.NewGuid().ToString();
        var parts = new[] { "header", "parent", "metadata", "content" }
            .Select(p => Encoding.UTF8.GetBytes((message[p]?.GetValue<string>() ?? "{}").Replace("{id}", caseId, StringComparison.Ordinal)))
            .ToArray();
        var signature = message["sign"]?.GetValue<string>() switch
        {
            "wrong" => new Signer("not-the-connection-key").Sign(parts),
            "none" => "",
            _ => new Signer(connection!.Key).Sign(parts),
        };
        var frames = new NetMQMessage();
        frames.Append(Delimiter);
        frames.Append(signature);
        foreach (var part in parts) frames.Append(part);
        if (message["frames"]?.GetValue<int>() is { } count) { var cut = new NetMQMessage(); for (var i = 0; i < count; i++) cut.Append(frames[i].ToByteArray()); frames = cut; }
        var socket = shell!;
        socket.SendMultipartMessage(frames);
        if (message["replay"]?.GetValue<bool>() == true)
        {
            var again = new NetMQMessage();
            foreach (var frame in frames) again.Append(frame.ToByteArray());
            socket.SendMultipartMessage(again);
        }

        // The shell socket is served in order, so every reply to the case comes before the reply to this probe.
        var probe = new JupyterMessage { Header = JupyterMessage.NewHeader("kernel_info_request", "corpus"), Content = new JsonObject() };
        var probeId = probe.Header["msg_id"]!.GetValue<string>();
        socket.SendMultipartMessage(probe.ToFrames(new Signer(connection!.Key)));
        var replies = new List<KernelReply>();
        var alive = false;
        var until = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < until && !process!.HasExited)
        {
            var received = new NetMQMessage();
            if (!socket.TryReceiveMultipartMessage(TimeSpan.FromSeconds(1), ref received)) continue;
            var index = 0;
            while (index < received.FrameCount && received[index].ConvertToString() != Delimiter) index++;
            if (received.FrameCount - index < 6) continue;
            var header = JsonNode.Parse(received[index + 2].ConvertToString()) as JsonObject;
            var parent = JsonNode.Parse(received[index + 3].ConvertToString()) as JsonObject;
            var content = received[index + 5].ConvertToString();
            if (parent?["msg_id"]?.ToString() == probeId) { alive = true; break; }
            replies.Add(new KernelReply(header?["msg_type"]?.ToString() ?? "", (JsonNode.Parse(content) as JsonObject)?["status"]?.ToString(), content));
        }
        string text;
        lock (log) text = log.ToString();
        return new KernelExchange(replies, alive && !process!.HasExited, text);
    }

    public void Dispose()
    {
        if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
        process?.Dispose();
        shell?.Dispose();
        Folder.Dispose();
    }
}
