using System.Text.Json.Nodes;
using StreamingWorkshop.Kernel;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What the kernel does with messages no well-behaved frontend sends: correctly signed but malformed, replayed,
/// unsigned, or started from a broken connection file. The kernel answers or drops them and keeps working.
/// </summary>
public sealed partial class KernelTests
{
    private static string Header(string type, string id) =>
        new JsonObject { ["msg_id"] = id, ["msg_type"] = type, ["session"] = "s", ["username"] = "u", ["date"] = "2025-01-14T10:00:00.000000Z", ["version"] = "5.3" }.ToJsonString();

    /// <summary>The kernel answers kernel_info, its heartbeat echoes, and it still runs a cell.</summary>
    private static void AssertAlive(Client client, string after)
    {
        Assert.True(client.HeartbeatAnswers(), $"The heartbeat stopped after {after}. Kernel log:\n{client.Log}");
        client.Send("kernel_info_request", new JsonObject());
        var info = client.ReceiveMessage() ?? throw new TimeoutException($"No kernel_info_reply after {after}. Kernel log:\n{client.Log}");
        // Whatever the kernel made of the bad message, the next reply on the channel is the answer to kernel_info.
        Assert.Equal("kernel_info_reply", info.Type);
    }

    /// <summary>The kernel's stderr contains <paramref name="text"/>; it is read asynchronously, so it may arrive a moment after the reply.</summary>
    private static void AssertLogged(Client client, string text)
    {
        for (var tries = 0; tries < 100 && !client.Log.Contains(text, StringComparison.Ordinal); tries++) Thread.Sleep(100);
        Assert.Contains(text, client.Log);
    }

    public static TheoryData<string, string[], bool, string, string> SignedButMalformed => new()
    {
        // name, the four parts, sent on control, the reply type expected (empty: dropped), the problem named
        { "msg_id a number", [ "{\"msg_id\":12,\"msg_type\":\"execute_request\",\"session\":\"s\",\"username\":\"u\",\"version\":\"5.3\"}", "{}", "{}", "{\"code\":\"File.WriteAllText(\\\"ran.txt\\\", \\\"ran\\\");\"}" ], false, "execute_reply", "header's msg_id is the number 12, not a string" },
        { "session an object", [ "{\"msg_id\":\"m2\",\"msg_type\":\"kernel_info_request\",\"session\":{},\"username\":\"u\",\"version\":\"5.3\"}", "{}", "{}", "{}" ], false, "kernel_info_reply", "header's session is an object, not a string" },
        { "code a number", [ Header("execute_request", "m3"), "{}", "{}", "{\"code\":12,\"silent\":false}" ], false, "execute_reply", "content's \"code\" is the number 12; it must be a string" },
        { "content an array", [ Header("execute_request", "m4"), "{}", "{}", "[\"1+1\"]" ], false, "execute_reply", "content is an array, not a JSON object" },
        { "content a string", [ Header("is_complete_request", "m5"), "{}", "{}", "\"1+1\"" ], false, "is_complete_reply", "content is the string \"1+1\", not a JSON object" },
        { "no code", [ Header("execute_request", "m6"), "{}", "{}", "{\"silent\":false}" ], false, "execute_reply", "content has no \"code\"; it must be a string" },
        { "silent a string", [ Header("execute_request", "m7"), "{}", "{}", "{\"code\":\"1\",\"silent\":\"no\"}" ], false, "execute_reply", "content's \"silent\" is the string \"no\"; it must be true or false" },
        { "cursor_pos a string", [ Header("complete_request", "m8"), "{}", "{}", "{\"code\":\"Con\",\"cursor_pos\":\"end\"}" ], false, "complete_reply", "content's \"cursor_pos\" is the string \"end\"; it must be a whole number from 0 up" },
        { "cursor_pos a fraction", [ Header("inspect_request", "m9"), "{}", "{}", "{\"code\":\"Con\",\"cursor_pos\":1.5}" ], false, "inspect_reply", "content's \"cursor_pos\" is the number 1.5; it must be a whole number from 0 up" },
        { "parent header an array", [ Header("kernel_info_request", "m10"), "[]", "{}", "{}" ], false, "kernel_info_reply", "parent header is an array, not a JSON object" },
        { "metadata not JSON", [ Header("kernel_info_request", "m11"), "{}", "{oops", "{}" ], false, "kernel_info_reply", "metadata is not JSON" },
        { "restart a string on control", [ Header("shutdown_request", "m12"), "{}", "{}", "{\"restart\":\"yes\"}" ], true, "shutdown_reply", "content's \"restart\" is the string \"yes\"; it must be true or false" },
        { "header an array", [ "[\"execute_request\"]", "{}", "{}", "{\"code\":\"1+1\"}" ], false, "", "header is an array, not a JSON object" },
        { "msg_type a number", [ "{\"msg_id\":\"m14\",\"msg_type\":12}", "{}", "{}", "{\"code\":\"1+1\"}" ], false, "", "header's msg_type is the number 12, not a string" },
        { "msg_type a number on control", [ "{\"msg_id\":\"m15\",\"msg_type\":12}", "{}", "{}", "{}" ], true, "", "header's msg_type is the number 12, not a string" },
        { "no msg_type", [ "{\"msg_id\":\"m16\"}", "{}", "{}", "{}" ], false, "", "header has no msg_type" },
        { "header not JSON", [ "{\"msg_id\":", "{}", "{}", "{}" ], false, "", "header is not JSON" },
        { "header null", [ "null", "{}", "{}", "{}" ], false, "", "header is null, not a JSON object" },
        { "a comm message with a numeric id", [ Header("comm_open", "m19"), "{}", "{}", "{\"comm_id\":7,\"target_name\":\"t\"}" ], false, "", "content's \"comm_id\" is the number 7; it must be a string" },
    };

    [Theory]
    [MemberData(nameof(SignedButMalformed))]
    public void A_signed_but_malformed_message_gets_an_error_reply_or_is_dropped_and_the_kernel_keeps_working(string name, string[] parts, bool onControl, string replyType, string problem)
    {
        var folder = Directory.CreateTempSubdirectory("kernel-malformed-").FullName;
        try
        {
            using var client = new Client(folder);
            client.SendParts(parts, onControl);

            if (replyType.Length > 0)
            {
                var reply = client.ReceiveMessage(onControl, seconds: 20) ?? throw new TimeoutException($"No reply to a message with {name}. Kernel log:\n{client.Log}");
                Assert.Equal(replyType, reply.Type);
                Assert.Equal("error", reply.Content["status"]!.GetValue<string>());
                Assert.Equal("MalformedMessage", reply.Content["ename"]!.GetValue<string>());
                Assert.Contains(problem, reply.Content["evalue"]!.GetValue<string>());
                if (replyType == "execute_reply") Assert.Equal(0, reply.Content["execution_count"]!.GetValue<int>());
            }
            AssertAlive(client, name);
            AssertLogged(client, problem);

            var (result, published) = client.Run("1 + 1");
            Assert.Equal("ok", result["status"]!.GetValue<string>());
            Assert.Equal(1, result["execution_count"]!.GetValue<int>());
            Assert.Equal("2", published.Single(m => m.Type == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>());
            Assert.False(File.Exists(Path.Combine(folder, "ran.txt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Messages_with_missing_parts_or_a_wrong_signature_are_dropped_and_the_kernel_keeps_working()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-parts-").FullName;
        try
        {
            using var client = new Client(folder);
            var header = System.Text.Encoding.UTF8.GetBytes(Header("execute_request", "p1"));
            var code = "{\"code\":\"File.WriteAllText(\\\"ran.txt\\\", \\\"ran\\\");\"}"u8.ToArray();
            client.SendFrames(["<IDS|MSG>"u8.ToArray(), System.Text.Encoding.ASCII.GetBytes(client.Signer.Sign([header, "{}"u8.ToArray()])), header, "{}"u8.ToArray()]);
            AssertAlive(client, "a message with two of its four parts");
            client.SendFrames([header, "{}"u8.ToArray(), "{}"u8.ToArray(), code]);
            AssertAlive(client, "a message with no delimiter");
            client.SendParts([Header("execute_request", "p3"), "{}", "{}", System.Text.Encoding.UTF8.GetString(code)], signer: new Signer("not-the-key"));
            AssertAlive(client, "a message signed with another key");

            AssertLogged(client, "it has 2 of the 4 parts after the signature");
            AssertLogged(client, "it has no <IDS|MSG> delimiter");
            AssertLogged(client, "its signature does not match the connection key");
            Assert.Equal(1, client.Execute("1 + 1")["execution_count"]!.GetValue<int>());
            Assert.False(File.Exists(Path.Combine(folder, "ran.txt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_replayed_execute_request_is_refused_and_runs_once()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-replay-").FullName;
        try
        {
            using var client = new Client(folder);
            string[] parts = [Header("execute_request", "replayed-once"), "{}", "{}", Client.ExecuteContent("File.AppendAllText(\"ran.txt\", \"ran \");").ToJsonString()];

            client.SendParts(parts);
            var first = client.ReceiveMessage() ?? throw new TimeoutException("No execute_reply.");
            client.SendParts(parts); // the same bytes, so the same signature
            client.Send("kernel_info_request", new JsonObject());
            var next = client.ReceiveMessage() ?? throw new TimeoutException("No kernel_info_reply.");

            Assert.Equal("execute_reply", first.Type);
            Assert.Equal(1, first.Content["execution_count"]!.GetValue<int>());
            Assert.Equal("kernel_info_reply", next.Type); // no second execute_reply
            Assert.Equal("ran ", File.ReadAllText(Path.Combine(folder, "ran.txt")));
            Assert.Equal(2, client.Execute("1 + 1")["execution_count"]!.GetValue<int>());
            AssertLogged(client, "Dropped a message on the shell channel: it repeats the signature of an earlier message, so it is a replay.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_empty_key_is_accepted_with_a_warning_that_messages_are_not_signed()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-nokey-").FullName;
        try
        {
            using var client = new Client(folder, key: "");
            Assert.Equal("", client.Signer.Sign(["{}"u8.ToArray()]));

            var reply = client.Execute("1 + 1");

            Assert.Equal("ok", reply["status"]!.GetValue<string>());
            AssertLogged(client, "Warning: the connection file's key is empty, so messages are not signed");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static TheoryData<string, string> BrokenConnectionFiles => new()
    {
        // the file's text (empty: no file at all; "/": a folder), what the one line must name
        { "", "does not exist" },
        { "/", "is a folder" },
        { "{\"shell_port\": 1", "is not valid JSON" },
        { "[1, 2]", "does not hold a JSON object" },
        { "{\"ip\":\"127.0.0.1\",\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"key\":\"k\"}", "has no \"shell_port\"" },
        { "{\"shell_port\":\"5555\",\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"key\":\"k\"}", "has \"shell_port\": \"5555\"; it must be a port number from 1 to 65535" },
        { "{\"shell_port\":1,\"iopub_port\":70000,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"key\":\"k\"}", "has \"iopub_port\": 70000; it must be a port number" },
        { "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"key\":42}", "has \"key\": 42; it must be a string" },
        { "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"ip\":7}", "has \"ip\": 7; it must be a string" },
        { "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"ip\":\"0.0.0.0\"}", "asks for ip 0.0.0.0; the kit's kernel binds to the loopback address only" },
        { "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"ip\":\"192.168.1.20\"}", "asks for ip 192.168.1.20; the kit's kernel binds to the loopback address only" },
        { "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"ip\":\"::\"}", "asks for ip ::; the kit's kernel binds to the loopback address only" },
        { "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"transport\":\"ipc\"}", "asks for transport ipc" },
    };

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("::1")]
    public void A_loopback_address_in_the_connection_file_is_bound_as_127_0_0_1(string ip)
    {
        var folder = Directory.CreateTempSubdirectory("kernel-loopback-").FullName;
        try
        {
            var path = Path.Combine(folder, "connection.json");
            File.WriteAllText(path, $$"""{"shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5,"ip":"{{ip}}","key":"k"}""");

            var connection = ConnectionInfo.Read(path);

            Assert.Equal("127.0.0.1", connection.Ip);
            Assert.Equal("tcp://127.0.0.1:1", connection.Address(connection.ShellPort));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_new_connection_file_takes_distinct_free_ports_below_the_ephemeral_range()
    {
        var folder = Directory.CreateTempSubdirectory("kernel-ports-").FullName;
        try
        {
            // Outgoing connections take their local ports from the ephemeral range, so a port from it could be gone by the
            // time the kernel binds it; those of a connection file the kit writes are below it, and free when written.
            var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0]);
            var ports = Enumerable.Range(0, 20).SelectMany(i =>
            {
                var connection = ConnectionInfo.WriteNew(Path.Combine(folder, $"connection-{i}.json"));
                return new[] { connection.ShellPort, connection.IopubPort, connection.StdinPort, connection.ControlPort, connection.HbPort };
            }).ToList();

            Assert.Equal(ports.Count, ports.Distinct().Count());
            Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralStart - 1));
            foreach (var port in ports)
            {
                using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                probe.Start();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(BrokenConnectionFiles))]
    public void A_broken_connection_file_stops_the_kernel_with_one_line_naming_the_problem(string text, string named)
    {
        var folder = Directory.CreateTempSubdirectory("kernel-connection-").FullName;
        try
        {
            var path = Path.Combine(folder, "connection.json");
            if (text == "/") Directory.CreateDirectory(path);
            else if (text.Length > 0) File.WriteAllText(path, text);

            var (exit, stdout, stderr) = Cli.Capture(folder, new Dictionary<string, string>(), "kernel", "--connection-file", path);

            Assert.NotEqual(0, exit);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains(named, line);
            Assert.Equal("", stdout.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
