using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using StreamingWorkshop.Notebooks;

namespace StreamingWorkshop.Kernel;

/// <summary>
/// A Jupyter kernel (messaging protocol 5.3) on the kit's notebook engine. One poller thread owns the sockets
/// (shell, iopub, stdin, control, heartbeat); shell requests run one at a time on a worker, so a long cell never
/// blocks the heartbeat or an interrupt on the control channel. Every message's signature is checked; one that
/// does not match, or repeats an earlier message's signature, is logged and dropped, never run. A signed message
/// whose parts are malformed gets an error reply (or, if even its type cannot be read, is logged and dropped);
/// nothing a client sends stops the kernel.
/// </summary>
public sealed class KernelServer : IDisposable
{
    private readonly ConnectionInfo connection;
    private readonly Signer signer;
    private readonly SignatureHistory signatures = new();
    private readonly string session = Guid.NewGuid().ToString();
    private readonly RouterSocket shell = new(), control = new(), stdin = new();
    private readonly PublisherSocket iopub = new();
    private readonly ResponseSocket heartbeat = new();
    private readonly NetMQQueue<(NetMQSocket Socket, NetMQMessage Frames)> outgoing = new();
    private readonly BlockingCollection<JupyterMessage> shellRequests = new();
    private readonly NetMQPoller poller;
    private readonly TextWriter log;
    private readonly NotebookSession notebook;
    private CancellationTokenSource running = new();
    private readonly object runningGate = new();
    private int executionCount;

    /// <summary>
    /// The execute_request the worker is on, and whether it has had its reply (1) or not (0). A cell that has not
    /// stopped when the kernel ends (still compiling, or inside a library call) is answered by the shutdown instead, so
    /// the frontend is never left waiting for it.
    /// </summary>
    private JupyterMessage? executing;
    private int executingAnswered = 1;

    /// <summary>The request each display_id was shown under, so its later updates name the same parent.</summary>
    private readonly ConcurrentDictionary<string, JupyterMessage> displayParents = new();

    public KernelServer(ConnectionInfo connection, TextWriter log, string workingDirectory)
    {
        this.connection = connection;
        this.log = log;
        signer = new Signer(connection.Key);
        if (!signer.Signs)
            log.WriteLine("Warning: the connection file's key is empty, so messages are not signed and any process on this machine that reaches these ports can run code as you. Give the connection file a key (Jupyter writes a random one).");
        WorkingDirectory = workingDirectory;
        notebook = NewNotebookSession();
        shell.Bind(connection.Address(connection.ShellPort));
        control.Bind(connection.Address(connection.ControlPort));
        stdin.Bind(connection.Address(connection.StdinPort));
        iopub.Bind(connection.Address(connection.IopubPort));
        heartbeat.Bind(connection.Address(connection.HbPort));
        shell.ReceiveReady += (_, e) => Receive(e.Socket, fromControl: false);
        control.ReceiveReady += (_, e) => Receive(e.Socket, fromControl: true);
        stdin.ReceiveReady += (_, e) => e.Socket.ReceiveMultipartMessage();
        heartbeat.ReceiveReady += (_, e) => e.Socket.SendMultipartMessage(e.Socket.ReceiveMultipartMessage());
        outgoing.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var item, TimeSpan.Zero)) item.Socket.SendMultipartMessage(item.Frames);
        };
        poller = new NetMQPoller { shell, control, stdin, heartbeat, outgoing };
    }

    public string WorkingDirectory { get; }

    private NotebookSession NewNotebookSession()
    {
        var session = new NotebookSession(WorkingDirectory, TimeSpan.FromHours(24));
        session.OutputUpdated += update =>
        {
            var id = update["transient"]?["display_id"]?.GetValue<string>();
            if (id is null || !displayParents.TryGetValue(id, out var parent)) return;
            var body = update.DeepClone().AsObject();
            body.Remove("output_type");
            Publish(parent, "update_display_data", body);
        };
        return session;
    }

    public TaskCompletionSource Stopped { get; } = new();

    public void Run()
    {
        var worker = new Thread(Work) { IsBackground = true, Name = "kernel-worker" };
        worker.Start();
        poller.RunAsync();
        Publish(null, "status", new JsonObject { ["execution_state"] = "starting" });
        Stopped.Task.Wait();
        lock (runningGate)
        {
            stopping = true;
            running.Cancel();
        }
        Interruption.Request();
        shellRequests.CompleteAdding();
        // The running cell has a moment to stop and queued cells are answered "aborted"; then the workshop sessions the
        // cells opened are closed, as `workshop run` closes them at a notebook's end. A cell that will not stop is left
        // to the process's end: the worker is a background thread.
        if (worker.Join(TimeSpan.FromSeconds(2)))
        {
            try { notebook.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)); }
            catch (Exception error) { log.WriteLine($"Closing the notebook's sessions: {error.Message}"); }
        }
        else AnswerTheCellThatDidNotStop();
        poller.Stop();
        // What is still queued leaves from here, now that the poller no longer owns the sockets; Dispose lingers until it
        // has gone, so the last replies (a stopped cell's, the shutdown's own) reach the frontend.
        while (outgoing.TryDequeue(out var item, TimeSpan.Zero)) item.Socket.SendMultipartMessage(item.Frames);
    }

    private void Receive(NetMQSocket socket, bool fromControl)
    {
        var channel = fromControl ? "control" : "shell";
        var frames = socket.ReceiveMultipartMessage();
        // This runs on the poller thread, which also answers the heartbeat: nothing a message holds may escape from here.
        try
        {
            Dispatch(socket, frames, fromControl, channel);
        }
        catch (Exception error)
        {
            log.WriteLine($"A message on the {channel} channel could not be handled and was dropped: {error.Message}");
        }
    }

    private void Dispatch(NetMQSocket socket, NetMQMessage frames, bool fromControl, string channel)
    {
        var message = JupyterMessage.Read(frames, signer, signatures, out var rejection);
        if (message is null)
        {
            if (rejection!.Request is { } readable) RefuseRequest(socket, readable, rejection.Problem);
            else log.WriteLine($"Dropped a message on the {channel} channel: {rejection.Problem}.");
            return;
        }
        if (RequestContent.Problem(message.Type, message.Content) is { } problem)
        {
            RefuseRequest(socket, message, problem);
            return;
        }
        if (fromControl)
        {
            switch (message.Type)
            {
                case "interrupt_request":
                    running.Cancel();
                    Interruption.Request();
                    Reply(control, message, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                    return;
                case "shutdown_request":
                    Shutdown(control, message);
                    return;
                case "kernel_info_request":
                    Reply(control, message, "kernel_info_reply", KernelInfo());
                    return;
            }
        }
        if (message.Type == "shutdown_request") { Shutdown(shell, message); return; }
        shellRequests.Add(message);
    }

    private void Work()
    {
        foreach (var message in shellRequests.GetConsumingEnumerable())
        {
            if (stopping && message.Type == "execute_request")
            {
                Reply(shell, message, "execute_reply", Aborted());
                continue;
            }
            Serve(message);
            // A cell that failed or was interrupted, asked to stop on error (as "Run All" asks), takes the cells queued
            // behind it with it, as ipykernel does: each is answered "aborted" and does not run, so one failure is not
            // followed by a wall of errors from cells that needed it. Other requests queued meanwhile are served.
            if (Interlocked.Exchange(ref stopQueueAfterError, 0) == 0) continue;
            while (shellRequests.TryTake(out var queued))
            {
                if (queued.Type != "execute_request") { Serve(queued); continue; }
                Publish(queued, "status", new JsonObject { ["execution_state"] = "busy" });
                Reply(shell, queued, "execute_reply", Aborted());
                Publish(queued, "status", new JsonObject { ["execution_state"] = "idle" });
            }
        }
    }

    /// <summary>Set by a cell that failed with stop_on_error (the protocol's default), for <see cref="Work"/> to abort the queue.</summary>
    private int stopQueueAfterError;

    /// <summary>The execute_reply of a cell that was not run.</summary>
    private JsonObject Aborted() => new() { ["status"] = "aborted", ["execution_count"] = executionCount };

    private void Serve(JupyterMessage message)
    {
        Publish(message, "status", new JsonObject { ["execution_state"] = "busy" });
        try
        {
            Handle(message);
        }
        catch (Exception error)
        {
            log.WriteLine($"Request {message.Type} failed: {error}");
            if (ReplyType(message.Type) is { } replyType)
            {
                var content = ErrorReply(replyType, "KernelError", $"The kernel could not handle {message.Type}: {error.Message}");
                if (message.Type == "execute_request") AnswerExecute(message, content);
                else Reply(shell, message, replyType, content);
            }
        }
        Publish(message, "status", new JsonObject { ["execution_state"] = "idle" });
    }

    private void Handle(JupyterMessage message)
    {
        var content = message.Content;
        switch (message.Type)
        {
            case "kernel_info_request":
                Reply(shell, message, "kernel_info_reply", KernelInfo());
                break;
            case "execute_request":
                Execute(message);
                break;
            case "is_complete_request":
                var (status, indent) = NotebookSession.IsComplete(content["code"]?.GetValue<string>() ?? "");
                Reply(shell, message, "is_complete_reply", status == "incomplete" ? new JsonObject { ["status"] = status, ["indent"] = indent } : new JsonObject { ["status"] = status });
                break;
            case "complete_request":
            {
                var code = content["code"]?.GetValue<string>() ?? "";
                var (start, end, matches) = notebook.Complete(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length);
                Reply(shell, message, "complete_reply", new JsonObject
                {
                    ["status"] = "ok", ["matches"] = new JsonArray(matches.Select(m => (JsonNode?)m).ToArray()),
                    ["cursor_start"] = start, ["cursor_end"] = end, ["metadata"] = new JsonObject(),
                });
                break;
            }
            case "inspect_request":
            {
                var code = content["code"]?.GetValue<string>() ?? "";
                var text = notebook.Inspect(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length);
                Reply(shell, message, "inspect_reply", new JsonObject
                {
                    ["status"] = "ok", ["found"] = text is not null,
                    ["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text }, ["metadata"] = new JsonObject(),
                });
                break;
            }
            case "history_request":
                Reply(shell, message, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
                break;
            case "comm_info_request":
                Reply(shell, message, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                break;
            case "comm_open":
                // No comm targets: close it straight away, as the protocol asks.
                Publish(message, "comm_close", new JsonObject { ["comm_id"] = content["comm_id"]?.DeepClone(), ["data"] = new JsonObject() });
                break;
            default:
                log.WriteLine($"Ignored a {message.Type} on the shell channel.");
                break;
        }
    }

    private void Execute(JupyterMessage message)
    {
        var content = message.Content;
        var code = content["code"]?.GetValue<string>() ?? "";
        var silent = content["silent"]?.GetValue<bool>() ?? false;
        var storeHistory = !silent && (content["store_history"]?.GetValue<bool>() ?? true);
        if (storeHistory) executionCount++;
        var count = executionCount;
        if (!silent) Publish(message, "execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count });

        lock (runningGate)
        {
            running = new CancellationTokenSource();
            // A shutdown that came before this cell started stops it at once.
            if (stopping) running.Cancel();
        }
        Interlocked.Exchange(ref executingAnswered, 0);
        Volatile.Write(ref executing, message);
        void Forward(JsonObject output)
        {
            if (silent) return;
            var type = output["output_type"]!.GetValue<string>();
            var body = output.DeepClone().AsObject();
            body.Remove("output_type");
            if (type == "execute_result") body["execution_count"] = count;
            if (type == "stream") body["text"] = output["text"]!.GetValue<string>();
            if (type == "error") SayWhyStopped(body);
            if (output["transient"]?["display_id"]?.GetValue<string>() is { } displayId) displayParents[displayId] = message;
            Publish(message, type, body);
        }
        notebook.OutputProduced += Forward;
        CellResult result;
        try
        {
            // What the cell's tasks write after it ends goes under its own request too: VS Code and JupyterLab add it to
            // the cell's output then, as they do for ipykernel's threads.
            // JupyterLab and VS Code name the cell in the request's metadata: a chart cell run again is then known as such.
            var cell = NotebookCell.Code(code);
            cell.Id = message.Metadata["cellId"] is JsonValue id && id.TryGetValue<string>(out var cellId) ? cellId : null;
            result = notebook.ExecuteAsync(cell, running.Token, afterward: Forward).GetAwaiter().GetResult();
        }
        finally
        {
            notebook.OutputProduced -= Forward;
        }
        if (result.Failed)
        {
            if (!silent && (content["stop_on_error"]?.GetValue<bool>() ?? true)) Volatile.Write(ref stopQueueAfterError, 1);
            var error = result.Outputs.LastOrDefault(o => o["output_type"]?.GetValue<string>() == "error")?.DeepClone().AsObject();
            if (error is not null) SayWhyStopped(error);
            AnswerExecute(message, new JsonObject
            {
                ["status"] = "error", ["execution_count"] = count,
                ["ename"] = error?["ename"]?.DeepClone() ?? result.ErrorName, ["evalue"] = error?["evalue"]?.DeepClone() ?? result.ErrorMessage,
                ["traceback"] = error?["traceback"]?.DeepClone() ?? new JsonArray(),
            });
            return;
        }
        AnswerExecute(message, new JsonObject
        {
            ["status"] = "ok", ["execution_count"] = count, ["user_expressions"] = new JsonObject(), ["payload"] = new JsonArray(),
        });
    }

    /// <summary>The execute_reply to the worker's request, unless the shutdown has answered it already.</summary>
    private void AnswerExecute(JupyterMessage request, JsonObject content)
    {
        if (Interlocked.CompareExchange(ref executingAnswered, 1, 0) == 0) Reply(shell, request, "execute_reply", content);
    }

    /// <summary>
    /// The kernel ends with a cell that did not stop in time: the cell gets its error and its reply from here, with the
    /// same words as a cell the shutdown stopped, since the process's end stops it.
    /// </summary>
    private void AnswerTheCellThatDidNotStop()
    {
        if (Volatile.Read(ref executing) is not { } request || Interlocked.CompareExchange(ref executingAnswered, 1, 0) != 0) return;
        var error = new JsonObject { ["ename"] = "Interrupted", ["evalue"] = "", ["traceback"] = new JsonArray() };
        SayWhyStopped(error);
        Publish(request, "error", error.DeepClone().AsObject());
        var reply = error.DeepClone().AsObject();
        reply["status"] = "error";
        reply["execution_count"] = executionCount;
        Reply(shell, request, "execute_reply", reply);
        Publish(request, "status", new JsonObject { ["execution_state"] = "idle" });
    }

    /// <summary>
    /// A cell stopped by a restart or a shutdown says so: its variables, and every earlier cell's, go with the process,
    /// rather than "still there" as after an interrupt.
    /// </summary>
    private void SayWhyStopped(JsonObject error)
    {
        if (!stopping || error["ename"]?.GetValue<string>() != "Interrupted") return;
        var text = restarting
            ? "The kernel was restarted while this cell ran, so the cell stopped and every cell's variables are gone: run the notebook's cells again from the top."
            : "The kernel was shut down while this cell ran, so the cell stopped.";
        error["evalue"] = text;
        error["traceback"] = new JsonArray($"Interrupted: {text}");
    }

    /// <summary>
    /// Answers a request the kernel will not carry out: an error reply of the request's own reply type, on the channel
    /// it came in on, naming the problem. A message that is not a request has no reply; it is logged and dropped.
    /// </summary>
    private void RefuseRequest(NetMQSocket socket, JupyterMessage request, string problem)
    {
        var channel = socket == control ? "control" : "shell";
        var type = request.Type;
        log.WriteLine($"Refused a {type} on the {channel} channel: {problem}.");
        if (ReplyType(type) is not { } replyType) return;
        Publish(request, "status", new JsonObject { ["execution_state"] = "busy" });
        Reply(socket, request, replyType, ErrorReply(replyType, "MalformedMessage", $"The {type} was refused: {problem}."));
        Publish(request, "status", new JsonObject { ["execution_state"] = "idle" });
    }

    private static string? ReplyType(string requestType) =>
        requestType.EndsWith("_request", StringComparison.Ordinal) && requestType.Length > "_request".Length ? requestType[..^"_request".Length] + "_reply" : null;

    private JsonObject ErrorReply(string replyType, string name, string value)
    {
        var content = new JsonObject { ["status"] = "error", ["ename"] = name, ["evalue"] = value, ["traceback"] = new JsonArray(value) };
        // An execute_reply always carries a count; a refused request does not advance it.
        if (replyType == "execute_reply") content["execution_count"] = executionCount;
        return content;
    }

    private void Shutdown(NetMQSocket socket, JupyterMessage message)
    {
        var restart = message.Content["restart"]?.GetValue<bool>() ?? false;
        restarting = restart;
        Reply(socket, message, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
        // On a restart too the process ends: Jupyter's kernel manager waits for it to, then starts a new kernel itself
        // (and kills a process that is still there after five seconds).
        Stopped.TrySetResult();
    }

    private volatile bool stopping, restarting;

    private static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "streaming-workshop",
        ["implementation_version"] = typeof(KernelServer).Assembly.GetName().Version?.ToString() ?? "1.0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "csharp", ["version"] = NotebookSession.CSharpVersion, ["mimetype"] = "text/x-csharp", ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp", ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = "C# (Streaming Workshop): the kit's notebook engine, with Roslyn C# scripting",
        ["help_links"] = new JsonArray(),
    };

    private void Reply(NetMQSocket socket, JupyterMessage request, string type, JsonObject content)
    {
        var reply = new JupyterMessage
        {
            Identities = request.Identities,
            Header = JupyterMessage.NewHeader(type, session),
            ParentHeader = request.Header,
            Content = content,
        };
        outgoing.Enqueue((socket, reply.ToFrames(signer)));
    }

    private void Publish(JupyterMessage? parent, string type, JsonObject content)
    {
        var message = new JupyterMessage { Header = JupyterMessage.NewHeader(type, session), ParentHeader = parent?.Header ?? new JsonObject(), Content = content };
        outgoing.Enqueue((iopub, message.ToFrames(signer, topic: System.Text.Encoding.UTF8.GetBytes($"kernel.{session}.{type}"))));
    }

    /// <summary>How long a closing socket may still send what it holds; a frontend that has gone does not hold the kernel longer.</summary>
    private static readonly TimeSpan LastRepliesLinger = TimeSpan.FromSeconds(1);

    public void Dispose()
    {
        poller.Dispose();
        foreach (var socket in new NetMQSocket[] { shell, control, stdin, iopub, heartbeat })
        {
            socket.Options.Linger = LastRepliesLinger;
            socket.Dispose();
        }
        outgoing.Dispose();
        NetMQConfig.Cleanup(block: true);
    }
}
