using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetMQ;

namespace StreamingWorkshop.Kernel;

/// <summary>The connection file Jupyter writes for a kernel: where to bind and the key to sign with.</summary>
public sealed record ConnectionInfo(string Transport, string Ip, int ShellPort, int IopubPort, int StdinPort, int ControlPort, int HbPort, string Key, string SignatureScheme)
{
    /// <summary>Reads a connection file; anything missing or of the wrong kind is a <see cref="ConnectionFileException"/> naming the field.</summary>
    public static ConnectionInfo Read(string path)
    {
        if (Directory.Exists(path)) throw new ConnectionFileException($"The connection file {path} is a folder; give the path of the JSON file Jupyter wrote for this kernel.");
        if (!File.Exists(path)) throw new ConnectionFileException($"The connection file {path} does not exist; give the path of the JSON file Jupyter wrote for this kernel.");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new ConnectionFileException($"The connection file {path} does not hold a JSON object; Jupyter writes one with the ports, the ip and the key.");
        }
        catch (JsonException error)
        {
            throw new ConnectionFileException($"The connection file {path} is not valid JSON ({error.Message}); give the file Jupyter wrote for this kernel.");
        }
        var ip = OptionalText(json, "ip", path) ?? "127.0.0.1";
        // The kernel listens on loopback only, whatever the file says: it runs code for whoever can reach it.
        if (ip is not ("127.0.0.1" or "localhost" or "::1"))
            throw new ConnectionFileException($"The connection file asks for ip {ip}; the kit's kernel binds to the loopback address only. Use 127.0.0.1.");
        var transport = OptionalText(json, "transport", path) ?? "tcp";
        if (transport != "tcp") throw new ConnectionFileException($"The connection file asks for transport {transport}; the kit's kernel speaks tcp only. Use \"transport\": \"tcp\".");
        var scheme = OptionalText(json, "signature_scheme", path) ?? "hmac-sha256";
        if (scheme != "hmac-sha256") throw new ConnectionFileException($"Signature scheme {scheme} is not supported; use hmac-sha256.");
        return new ConnectionInfo(transport, "127.0.0.1", Port(json, "shell_port", path), Port(json, "iopub_port", path), Port(json, "stdin_port", path),
            Port(json, "control_port", path), Port(json, "hb_port", path), OptionalText(json, "key", path) ?? "", scheme);
    }

    private static string? OptionalText(JsonObject json, string field, string path) => json[field] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        var other => throw new ConnectionFileException($"The connection file {path} has \"{field}\": {other.ToJsonString()}; it must be a string."),
    };

    private static int Port(JsonObject json, string field, string path)
    {
        if (json[field] is null) throw new ConnectionFileException($"The connection file {path} has no \"{field}\"; it needs all five ports (shell_port, iopub_port, stdin_port, control_port, hb_port).");
        if (json[field] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var port) && port is > 0 and <= 65535) return port;
        throw new ConnectionFileException($"The connection file {path} has \"{field}\": {json[field]!.ToJsonString()}; it must be a port number from 1 to 65535.");
    }

    public string Address(int port) => $"{Transport}://{Ip}:{port}";

    /// <summary>Writes a connection file as a Jupyter frontend does (five free loopback ports, a fresh key), for launching a kernel.</summary>
    public static ConnectionInfo WriteNew(string path)
    {
        var ports = Enumerable.Range(0, 5).Select(_ => LoopbackPorts.PickFree()).ToArray();
        var info = new ConnectionInfo("tcp", "127.0.0.1", ports[0], ports[1], ports[2], ports[3], ports[4], Guid.NewGuid().ToString(), "hmac-sha256");
        File.WriteAllText(path, new JsonObject
        {
            ["transport"] = info.Transport, ["ip"] = info.Ip, ["shell_port"] = info.ShellPort, ["iopub_port"] = info.IopubPort, ["stdin_port"] = info.StdinPort,
            ["control_port"] = info.ControlPort, ["hb_port"] = info.HbPort, ["key"] = info.Key, ["signature_scheme"] = info.SignatureScheme,
        }.ToJsonString());
        return info;
    }
}

/// <summary>A connection file that cannot be used: missing, not JSON, or a field missing or of the wrong kind.</summary>
public sealed class ConnectionFileException(string message) : IOException(message);

/// <summary>
/// Why a message was not accepted. When its header could be read far enough to know what was asked,
/// <see cref="Request"/> holds it, so the kernel can answer with an error reply instead of silence.
/// </summary>
public sealed record MessageRejection(string Problem, JupyterMessage? Request);

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

    public string Type => Header["msg_type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String ? type.GetValue<string>() : "";

    /// <summary>The header fields the protocol defines as strings; msg_id and msg_type must be there.</summary>
    private static readonly string[] HeaderTextFields = ["msg_id", "msg_type", "session", "username", "date", "version"];

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
        var message = Read(frames, signer, history: null, out var rejection);
        problem = rejection?.Problem;
        return message;
    }

    /// <summary>
    /// Reads a message as the kernel accepts it: signed with the key, not seen before (when <paramref name="history"/>
    /// is given), four JSON objects, a header whose fields have the protocol's types. A message refused after its
    /// header was read carries that request in the rejection, so it can be answered.
    /// </summary>
    public static JupyterMessage? Read(NetMQMessage frames, Signer signer, SignatureHistory? history, out MessageRejection? rejection)
    {
        rejection = null;
        var identities = new List<byte[]>();
        var index = 0;
        while (index < frames.FrameCount && frames[index].ConvertToString() != Delimiter) identities.Add(frames[index++].ToByteArray());
        if (index == frames.FrameCount) return Refuse("it has no <IDS|MSG> delimiter", out rejection);
        if (frames.FrameCount - index < 6) return Refuse($"it has {frames.FrameCount - index - 2} of the 4 parts after the signature (header, parent header, metadata, content)", out rejection);
        var signature = frames[index + 1].ConvertToString();
        var parts = Enumerable.Range(index + 2, 4).Select(i => frames[i].ToByteArray()).ToArray();
        if (!signer.Verify(signature, parts)) return Refuse("its signature does not match the connection key", out rejection);
        // Only a signed message can be a replay worth refusing; with signing off every signature is empty.
        if (history is not null && signer.Signs && !history.Add(signature)) return Refuse("it repeats the signature of an earlier message, so it is a replay", out rejection);

        var names = new[] { "header", "parent header", "metadata", "content" };
        var objects = new JsonObject?[4];
        string? problem = null;
        for (var i = 0; i < 4; i++)
        {
            try
            {
                var node = JsonNode.Parse(parts[i]);
                objects[i] = node as JsonObject;
                if (objects[i] is null) problem ??= $"its {names[i]} is {Describe(node)}, not a JSON object";
            }
            catch (Exception error) when (error is JsonException or ArgumentException or InvalidOperationException)
            {
                problem ??= $"its {names[i]} is not JSON ({error.Message})";
            }
        }
        if (objects[0] is not { } header) return Refuse(problem!, out rejection);
        foreach (var field in HeaderTextFields)
        {
            var value = header[field];
            if (value is null && field is "msg_id" or "msg_type") problem ??= $"its header has no {field}";
            else if (value is not null && !IsText(value)) problem ??= $"its header's {field} is {Describe(value)}, not a string";
        }
        var message = new JupyterMessage
        {
            Identities = identities,
            Header = header,
            ParentHeader = objects[1] ?? new JsonObject(),
            Metadata = objects[2] ?? new JsonObject(),
            Content = objects[3] ?? new JsonObject(),
        };
        if (problem is not null)
        {
            rejection = new MessageRejection(problem, message.Type.Length > 0 ? message : null);
            return null;
        }
        return message;
    }

    private static JupyterMessage? Refuse(string problem, out MessageRejection rejection)
    {
        rejection = new MessageRejection(problem, null);
        return null;
    }

    public static bool IsText(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String;

    /// <summary>A JSON value as a problem names it: "the number 12", "an array", "null".</summary>
    public static string Describe(JsonNode? node) => node?.GetValueKind() switch
    {
        null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Shorten(node.GetValue<string>())}\"",
        JsonValueKind.Number => $"the number {Shorten(node.ToJsonString())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {node.ToJsonString()}",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

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

/// <summary>
/// The signatures of recent messages, so a message captured and sent again is refused, as Jupyter's own
/// kernels refuse it. Bounded: past <see cref="Capacity"/> the oldest are forgotten.
/// </summary>
public sealed class SignatureHistory(int capacity = SignatureHistory.DefaultCapacity)
{
    public const int DefaultCapacity = 1 << 16;
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private readonly Queue<string> order = new();
    private readonly Lock gate = new();

    public int Capacity { get; } = capacity;

    /// <summary>Records a signature; false when it was seen before.</summary>
    public bool Add(string signature)
    {
        lock (gate)
        {
            if (!seen.Add(signature)) return false;
            order.Enqueue(signature);
            if (order.Count > Capacity) seen.Remove(order.Dequeue());
            return true;
        }
    }
}

/// <summary>HMAC-SHA256 over the four JSON parts, hex-encoded; an empty key means messages are not signed.</summary>
public sealed class Signer(string key)
{
    private readonly byte[] keyBytes = Encoding.UTF8.GetBytes(key);

    /// <summary>False when the key is empty: messages then carry no signature at all.</summary>
    public bool Signs => keyBytes.Length > 0;

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
