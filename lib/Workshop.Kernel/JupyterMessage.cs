using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetMQ;

namespace StreamingWorkshop.Kernel;

/// <summary>The connection file Jupyter writes for a kernel: where to bind and the key to sign with.</summary>
public sealed record ConnectionInfo(string Transport, string Ip, int ShellPort, int IopubPort, int StdinPort, int ControlPort, int HbPort, string Key, string SignatureScheme)
{
    public static ConnectionInfo Read(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var ip = json["ip"]?.GetValue<string>() ?? "127.0.0.1";
        // The kernel listens on loopback only, whatever the file says: it runs code for whoever can reach it.
        if (ip is not ("127.0.0.1" or "localhost" or "::1"))
            throw new InvalidOperationException($"The connection file asks for ip {ip}; the kit's kernel binds to the loopback address only. Use 127.0.0.1.");
        var scheme = json["signature_scheme"]?.GetValue<string>() ?? "hmac-sha256";
        if (scheme != "hmac-sha256") throw new InvalidOperationException($"Signature scheme {scheme} is not supported; use hmac-sha256.");
        return new ConnectionInfo(json["transport"]?.GetValue<string>() ?? "tcp", "127.0.0.1",
            json["shell_port"]!.GetValue<int>(), json["iopub_port"]!.GetValue<int>(), json["stdin_port"]!.GetValue<int>(),
            json["control_port"]!.GetValue<int>(), json["hb_port"]!.GetValue<int>(), json["key"]?.GetValue<string>() ?? "", scheme);
    }

    public string Address(int port) => $"{Transport}://{Ip}:{port}";

    /// <summary>Writes a connection file as a Jupyter frontend does (five free loopback ports, a fresh key), for launching a kernel.</summary>
    public static ConnectionInfo WriteNew(string path)
    {
        var ports = Enumerable.Range(0, 5).Select(_ => FreeLoopbackPort()).ToArray();
        var info = new ConnectionInfo("tcp", "127.0.0.1", ports[0], ports[1], ports[2], ports[3], ports[4], Guid.NewGuid().ToString(), "hmac-sha256");
        File.WriteAllText(path, new JsonObject
        {
            ["transport"] = info.Transport, ["ip"] = info.Ip, ["shell_port"] = info.ShellPort, ["iopub_port"] = info.IopubPort, ["stdin_port"] = info.StdinPort,
            ["control_port"] = info.ControlPort, ["hb_port"] = info.HbPort, ["key"] = info.Key, ["signature_scheme"] = info.SignatureScheme,
        }.ToJsonString());
        return info;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A Jupyter message (protocol 5.3) as it travels over ZeroMQ: routing identities, the delimiter, an HMAC, four JSON parts.</summary>
public sealed class JupyterMessage
{
    private const string Delimiter = "<IDS|MSG>";
    public const string ProtocolVersion = "5.3";

    public List<byte[]> Identities { get; init; } = new();
    public required JsonObject Header { get; init; }
    public JsonObject ParentHeader { get; init; } = new();
    public JsonObject Metadata { get; init; } = new();
    public required JsonObject Content { get; init; }

    public string Type => Header["msg_type"]?.GetValue<string>() ?? "";

    public static JsonObject NewHeader(string type, string session) => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString(),
        ["session"] = session,
        ["username"] = "kernel",
        ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"),
        ["msg_type"] = type,
        ["version"] = ProtocolVersion,
    };

    /// <summary>Reads a message; returns null (and why) when it is malformed or its signature does not match.</summary>
    public static JupyterMessage? Parse(NetMQMessage frames, Signer signer, out string? problem)
    {
        problem = null;
        var identities = new List<byte[]>();
        var index = 0;
        while (index < frames.FrameCount && frames[index].ConvertToString() != Delimiter) identities.Add(frames[index++].ToByteArray());
        if (frames.FrameCount - index < 6) { problem = "the message has too few parts"; return null; }
        var signature = frames[index + 1].ConvertToString();
        var parts = Enumerable.Range(index + 2, 4).Select(i => frames[i].ToByteArray()).ToArray();
        if (!signer.Verify(signature, parts)) { problem = "its signature does not match the connection key"; return null; }
        try
        {
            return new JupyterMessage
            {
                Identities = identities,
                Header = JsonNode.Parse(parts[0])!.AsObject(),
                ParentHeader = JsonNode.Parse(parts[1]) as JsonObject ?? new JsonObject(),
                Metadata = JsonNode.Parse(parts[2]) as JsonObject ?? new JsonObject(),
                Content = JsonNode.Parse(parts[3]) as JsonObject ?? new JsonObject(),
            };
        }
        catch (JsonException error)
        {
            problem = $"a part is not JSON ({error.Message})";
            return null;
        }
    }

    public NetMQMessage ToFrames(Signer signer, byte[]? topic = null)
    {
        var parts = new[] { Header, ParentHeader, Metadata, Content }.Select(p => Encoding.UTF8.GetBytes(p.ToJsonString())).ToArray();
        var frames = new NetMQMessage();
        if (topic is not null) frames.Append(topic);
        foreach (var identity in Identities) frames.Append(identity);
        frames.Append(Delimiter);
        frames.Append(signer.Sign(parts));
        foreach (var part in parts) frames.Append(part);
        return frames;
    }
}

/// <summary>HMAC-SHA256 over the four JSON parts, hex-encoded; an empty key means messages are not signed.</summary>
public sealed class Signer(string key)
{
    private readonly byte[] keyBytes = Encoding.UTF8.GetBytes(key);

    public string Sign(byte[][] parts)
    {
        if (keyBytes.Length == 0) return "";
        using var hmac = new HMACSHA256(keyBytes);
        foreach (var part in parts) hmac.TransformBlock(part, 0, part.Length, null, 0);
        hmac.TransformFinalBlock([], 0, 0);
        return Convert.ToHexStringLower(hmac.Hash!);
    }

    public bool Verify(string signature, byte[][] parts) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts)), Encoding.ASCII.GetBytes(signature ?? ""));
}
