using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Storage;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Workflows;

/// <summary>
/// Step Functions on the local backend: the stacks' state machines and their executions, run by the ASL interpreter on
/// the virtual clock in the workspace. A state machine is state/workflows/&lt;machine&gt;/machine.json; each execution is a
/// record in its executions/ folder holding who it is, the definition it started with, its journal and how far it got.
/// Executions move lazily: every call that returns one first advances it to the clock's time, so what an execution
/// shows depends only on the virtual clock, whichever process asks.
/// </summary>
public sealed class LocalStepFunctions : IWorkflowService, IStateMachineRegistry, IHtmlDisplay
{
    /// <summary>In a notebook, the workflows stage's calls rather than an object tree: the stage's, then the local engine's own.</summary>
    public string ToHtml() => StageCalls.Workflows.ToHtml() + OwnCalls.ToHtml();

    public override string ToString() => StageCalls.Workflows + "\n" + OwnCalls;

    private static readonly CallsView OwnCalls = new("workshop.Local.Workflows: the local Step Functions' own calls (local backend only)", [
        ("PutStateMachine(name, definitionJson, roleArn, type)", "CreateStateMachine, or UpdateStateMachine when it exists"),
        ("DeleteStateMachine(name)", "DeleteStateMachine"),
        ("StateMachineArn(stateMachineName)", "none: the ARN of the state machine by that name"),
        ("ExecutionArn(stateMachineName, executionName)", "none: the ARN of one of its executions"),
        ("NextChangeAt(executionArn)", "none: when the execution next needs the clock to move"),
    ]);

    /// <summary>The largest execution input Step Functions accepts: 256 KiB of UTF-8.</summary>
    public const int MaxInputBytes = 256 * 1024;

    /// <summary>The state machine types CreateStateMachine takes. The local backend runs both as Standard workflows, with a history to describe.</summary>
    public const string StandardType = "STANDARD";

    public const string ExpressType = "EXPRESS";

    private const int MaxNameLength = 80;
    private const int MaxErrorLength = 256;
    private const int MaxCauseLength = 32_768;
    private const int MaxListResults = 1000;
    private const int DefaultListResults = 100;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly ConcurrentDictionary<string, StateMachineDefinition> definitions = new(StringComparer.Ordinal);
    private readonly WorkspaceDirectory workspace;
    private readonly VirtualClock clock;

    public LocalStepFunctions(WorkspaceDirectory workspace, VirtualClock clock, ITaskIntegrations integrations, string accountId = "123456789012", string region = "us-east-1")
    {
        this.workspace = workspace;
        this.clock = clock;
        Integrations = integrations;
        AccountId = accountId;
        Region = region;
    }

    /// <summary>The services a Task state may call.</summary>
    public ITaskIntegrations Integrations { get; }

    public string AccountId { get; }
    public string Region { get; }

    /// <summary>arn:aws:states:&lt;region&gt;:&lt;account&gt;:stateMachine:&lt;name&gt;</summary>
    public string StateMachineArn(string stateMachineName) => $"arn:aws:states:{Region}:{AccountId}:stateMachine:{stateMachineName}";

    /// <summary>arn:aws:states:&lt;region&gt;:&lt;account&gt;:execution:&lt;machine&gt;:&lt;execution&gt;</summary>
    public string ExecutionArn(string stateMachineName, string executionName) => $"arn:aws:states:{Region}:{AccountId}:execution:{stateMachineName}:{executionName}";

    public string PutStateMachine(string name, string definitionJson, string roleArn, string type)
    {
        CheckName(name, "a state machine");
        if (name is "." or "..") throw new InvalidNameException($"Invalid Name: '{name}': the local backend keeps each state machine in a folder of its name; give it a name with a letter or digit.");
        if (type is not (StandardType or ExpressType))
            throw new ValidationException("states", $"State machine {name} has type '{type}'; give Type {StandardType} (or {ExpressType}).");
        if (!roleArn.StartsWith("arn:aws:iam::", StringComparison.Ordinal))
            throw new InvalidArnException($"Invalid Arn: '{roleArn}' is not a role ARN; give the state machine's role as arn:aws:iam::<account>:role/<name>.");
        var definition = StateMachineDefinition.Parse(definitionJson, Integrations);
        return Locked(() =>
        {
            var created = ReadMachine(name)?.CreationDate ?? clock.GetUtcNow();
            var machine = new StoredStateMachine(name, StateMachineArn(name), definitionJson, roleArn, type, created);
            workspace.WriteAtomically(MachineFile(name), JsonSerializer.SerializeToUtf8Bytes(machine, JsonOptions));
            definitions.TryAdd(definitionJson, definition);
            return machine.StateMachineArn;
        });
    }

    public void DeleteStateMachine(string name)
    {
        CheckName(name, "a state machine");
        if (name is "." or "..") return;
        Locked(() =>
        {
            // As the service does when a state machine is deleted: its running executions stop, with their tasks.
            foreach (var execution in StoredExecutions(name).Where(e => e.Status == ExecutionStatuses.Running))
                CancelPendingAsync(execution, CancellationToken.None).GetAwaiter().GetResult();
            var folder = MachineFolder(name);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            return true;
        });
    }

    public Task<IReadOnlyList<StateMachineSummary>> ListStateMachinesAsync(CancellationToken cancellationToken = default)
    {
        var root = workspace.Resolve("state", "workflows");
        IReadOnlyList<StateMachineSummary> machines = !Directory.Exists(root) ? [] : Directory.GetDirectories(root)
            .Select(folder => Path.Combine(folder, "machine.json")).Where(File.Exists)
            .Select(file => WorkspaceJson.Read<StoredStateMachine>(file, JsonOptions)!)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => new StateMachineSummary(m.Name, m.StateMachineArn, m.Type, m.CreationDate)).ToArray();
        return Task.FromResult(machines);
    }

    public Task<StateMachineDescription> DescribeStateMachineAsync(string stateMachineArn, CancellationToken cancellationToken = default)
    {
        var machine = Machine(stateMachineArn);
        return Task.FromResult(new StateMachineDescription(machine.Name, machine.StateMachineArn, machine.Definition, machine.RoleArn, machine.Type, machine.CreationDate));
    }

    public Task<ExecutionStart> StartExecutionAsync(string stateMachineArn, string? name = null, string? input = null, CancellationToken cancellationToken = default)
    {
        var machineName = MachineNameOf(stateMachineArn);
        if (name is not null) CheckName(name, "an execution");
        var given = input ?? "{}";
        CheckInput(given);
        return LockedAsync(async () =>
        {
            var machine = ReadMachine(machineName) ?? throw MachineMissing(stateMachineArn);
            var executions = StoredExecutions(machineName);
            var sequence = executions.Count == 0 ? 1 : executions.Max(e => e.Sequence) + 1;
            var now = clock.GetUtcNow();
            var executionName = name ?? MadeName(machineName, now, sequence);
            if (executions.FirstOrDefault(e => e.Name == executionName) is { } existing)
            {
                // StartExecution is idempotent for a Standard workflow while the execution runs with the same input.
                var current = await AdvanceAsync(existing, cancellationToken);
                if (current.Status == ExecutionStatuses.Running && current.Input == given) return new ExecutionStart(current.ExecutionArn, current.StartDate);
                throw new ExecutionAlreadyExistsException($"Execution Already Exists: '{current.ExecutionArn}' ({current.Status}{(current.Input == given ? "" : ", with another input")}). Names are unique per state machine: give another name, or none to have one made.");
            }
            var record = new StoredExecution(sequence, executionName, ExecutionArn(machineName, executionName), machine.StateMachineArn, machine.Name, machine.RoleArn, now, given,
                machine.Definition, new JsonObject(), ExecutionStatuses.Running, [], null, null, null, null, now, [], null);
            Save(record);
            return new ExecutionStart(record.ExecutionArn, now);
        }, cancellationToken);
    }

    public Task<ExecutionDescription> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default)
    {
        var (machineName, executionName) = ExecutionNamesOf(executionArn);
        return LockedAsync(async () =>
        {
            var execution = await AdvanceAsync(FindExecution(machineName, executionName, executionArn), cancellationToken);
            return new ExecutionDescription(execution.ExecutionArn, execution.StateMachineArn, execution.Name, execution.Status, execution.StartDate, execution.StopDate,
                execution.Input, execution.Output, execution.Error, execution.Cause);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ExecutionDescription>> ListExecutionsAsync(string stateMachineArn, string? statusFilter = null, int maxResults = DefaultListResults,
        CancellationToken cancellationToken = default)
    {
        var machineName = MachineNameOf(stateMachineArn);
        if (maxResults is < 0 or > MaxListResults)
            throw new ValidationException("states", $"1 validation error detected: Value '{maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and {MaxListResults}");
        if (statusFilter is not null && !ExecutionStatuses.HasEnded(statusFilter) && statusFilter != ExecutionStatuses.Running)
            throw new ValidationException("states", $"1 validation error detected: Value '{statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED]");
        var limit = maxResults == 0 ? DefaultListResults : maxResults;
        return LockedAsync(async () =>
        {
            if (ReadMachine(machineName) is null) throw MachineMissing(stateMachineArn);
            var listed = new List<ExecutionDescription>();
            foreach (var stored in StoredExecutions(machineName).OrderByDescending(e => e.Sequence))
            {
                var execution = await AdvanceAsync(stored, cancellationToken);
                if (statusFilter is not null && execution.Status != statusFilter) continue;
                listed.Add(new ExecutionDescription(execution.ExecutionArn, execution.StateMachineArn, execution.Name, execution.Status, execution.StartDate, execution.StopDate));
                if (listed.Count == limit) break;
            }
            return (IReadOnlyList<ExecutionDescription>)listed;
        }, cancellationToken);
    }

    public Task<DateTimeOffset> StopExecutionAsync(string executionArn, string? error = null, string? cause = null, CancellationToken cancellationToken = default)
    {
        var (machineName, executionName) = ExecutionNamesOf(executionArn);
        if (error is { Length: > MaxErrorLength })
            throw new ValidationException("states", $"1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to {MaxErrorLength}");
        if (cause is { Length: > MaxCauseLength })
            throw new ValidationException("states", $"1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to {MaxCauseLength}");
        return LockedAsync(async () =>
        {
            var execution = await AdvanceAsync(FindExecution(machineName, executionName, executionArn), cancellationToken);
            if (execution.Status != ExecutionStatuses.Running)
                throw new ValidationException("states", $"Execution {execution.ExecutionArn} is not running: it ended {execution.Status} at {execution.StopDate:yyyy-MM-dd HH:mm:ss} UTC, so there is nothing to stop.");
            await CancelPendingAsync(execution, cancellationToken);
            var now = clock.GetUtcNow();
            var details = new JsonObject();
            if (error is not null) details["error"] = error;
            if (cause is not null) details["cause"] = cause;
            var last = execution.Events.Count == 0 ? 0 : execution.Events[^1].Id;
            var aborted = new HistoryEvent(last + 1, last, now, "ExecutionAborted", "executionAbortedEventDetails", details);
            Save(execution with
            {
                Status = ExecutionStatuses.Aborted, Events = [.. execution.Events, aborted], Error = error, Cause = cause, StopDate = now, WakeAt = null,
                PendingTasks = [], Stop = new ExecutionStop(now, error, cause),
            });
            return now;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<HistoryEvent>> GetExecutionHistoryAsync(string executionArn, bool reverseOrder = false, CancellationToken cancellationToken = default)
    {
        var (machineName, executionName) = ExecutionNamesOf(executionArn);
        return LockedAsync(async () =>
        {
            var execution = await AdvanceAsync(FindExecution(machineName, executionName, executionArn), cancellationToken);
            return (IReadOnlyList<HistoryEvent>)(reverseOrder ? execution.Events.Reverse().ToArray() : execution.Events.ToArray());
        }, cancellationToken);
    }

    /// <summary>
    /// When the execution next needs the clock to move (a Wait's end, a Glue job's next state), so a wait can move the
    /// clock straight there; null once it has ended.
    /// </summary>
    public Task<DateTimeOffset?> NextChangeAtAsync(string executionArn, CancellationToken cancellationToken = default)
    {
        var (machineName, executionName) = ExecutionNamesOf(executionArn);
        return LockedAsync(async () =>
        {
            var execution = await AdvanceAsync(FindExecution(machineName, executionName, executionArn), cancellationToken);
            return execution.Status == ExecutionStatuses.Running ? execution.WakeAt : null;
        }, cancellationToken);
    }

    /// <inheritdoc cref="NextChangeAtAsync"/>
    public DateTimeOffset? NextChangeAt(string executionArn) => NextChangeAtAsync(executionArn).GetAwaiter().GetResult();

    /// <summary>
    /// Replays an execution from its start over its journal, as every call that looks at a running one does, calling no
    /// service: every task's outcome is already recorded. Keeps nothing. What it takes is the interpreter's own share of
    /// the execution, which `workshop bench workflow` sets beside the whole.
    /// </summary>
    public Task<ExecutionProgress> ReplayAsync(string executionArn, CancellationToken cancellationToken = default)
    {
        var (machineName, executionName) = ExecutionNamesOf(executionArn);
        return LockedAsync(async () =>
        {
            var execution = FindExecution(machineName, executionName, executionArn);
            var identity = new ExecutionIdentity(execution.ExecutionArn, execution.Name, execution.StateMachineArn, execution.StateMachineName, execution.RoleArn,
                execution.StartDate, execution.Input);
            var journal = new ExecutionJournal((JsonObject)execution.Journal.DeepClone());
            return await AslInterpreter.AdvanceAsync(Definition(execution.Definition), identity, execution.StopDate ?? clock.GetUtcNow(), journal, Integrations,
                cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Replays the execution up to the clock's time and keeps what it did; an ended execution stays as it is.</summary>
    private async Task<StoredExecution> AdvanceAsync(StoredExecution execution, CancellationToken cancellationToken)
    {
        if (ExecutionStatuses.HasEnded(execution.Status)) return execution;
        var journal = new ExecutionJournal((JsonObject)execution.Journal.DeepClone());
        var identity = new ExecutionIdentity(execution.ExecutionArn, execution.Name, execution.StateMachineArn, execution.StateMachineName, execution.RoleArn,
            execution.StartDate, execution.Input);
        var progress = await AslInterpreter.AdvanceAsync(Definition(execution.Definition), identity, clock.GetUtcNow(), journal, Integrations, cancellationToken);
        var advanced = execution with
        {
            Journal = journal.Entries, Status = progress.Status, Events = progress.Events.ToArray(), Output = progress.Output, Error = progress.Error, Cause = progress.Cause,
            StopDate = progress.StopDate, WakeAt = progress.WakeAt, PendingTasks = progress.PendingTasks.Select(p => new PendingTask(p.Request, p.Handle)).ToArray(),
        };
        var unchanged = advanced.Status == execution.Status && advanced.Events.Count == execution.Events.Count && advanced.WakeAt == execution.WakeAt
            && JsonNode.DeepEquals(advanced.Journal, execution.Journal);
        if (!unchanged) Save(advanced);
        return advanced;
    }

    private async Task CancelPendingAsync(StoredExecution execution, CancellationToken cancellationToken)
    {
        foreach (var pending in execution.PendingTasks)
            await Integrations.CancelAsync(pending.Request, pending.Handle, cancellationToken);
    }

    private StateMachineDefinition Definition(string json) => definitions.GetOrAdd(json, text => StateMachineDefinition.Parse(text, Integrations));

    private StoredStateMachine Machine(string stateMachineArn) => ReadMachine(MachineNameOf(stateMachineArn)) ?? throw MachineMissing(stateMachineArn);

    private StoredStateMachine? ReadMachine(string name)
    {
        var path = MachineFile(name);
        return File.Exists(path) ? WorkspaceJson.Read<StoredStateMachine>(path, JsonOptions) : null;
    }

    private StateMachineDoesNotExistException MachineMissing(string stateMachineArn)
    {
        var names = ListStateMachinesAsync().Result.Select(m => m.Name).ToArray();
        var known = names.Length == 0 ? "There are none: deploy the stack (workshop deploy)." : $"The state machines are: {string.Join(", ", names)}.";
        return new StateMachineDoesNotExistException($"State Machine Does Not Exist: '{stateMachineArn}'. {known}");
    }

    private StoredExecution FindExecution(string machineName, string executionName, string executionArn) =>
        StoredExecutions(machineName).FirstOrDefault(e => e.Name == executionName)
        ?? throw new ExecutionDoesNotExistException($"Execution Does Not Exist: '{executionArn}'. List the state machine's executions to find its name.");

    /// <summary>The state machine's executions as last saved, oldest first.</summary>
    private List<StoredExecution> StoredExecutions(string machineName)
    {
        var folder = ExecutionsFolder(machineName);
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal)
            .Select(file => WorkspaceJson.Read<StoredExecution>(file, JsonOptions)!).ToList();
    }

    // Each execution's file starts with its number, so names that differ only in case stay apart on any file system.
    private void Save(StoredExecution execution) =>
        workspace.WriteAtomically(Path.Combine(ExecutionsFolder(execution.StateMachineName), $"{execution.Sequence:000000}.{execution.Name}.json"),
            JsonSerializer.SerializeToUtf8Bytes(execution, JsonOptions));

    private string MachineFolder(string name) => workspace.Resolve("state", "workflows", name);

    private string MachineFile(string name) => workspace.Resolve("state", "workflows", name, "machine.json");

    private string ExecutionsFolder(string machineName) => workspace.Resolve("state", "workflows", machineName, "executions");

    /// <summary>
    /// A name shaped like the service's (a UUID), made from the state machine, the virtual time and the execution's
    /// number, so the same notebook run twice shows the same names.
    /// </summary>
    private static string MadeName(string machineName, DateTimeOffset startDate, int sequence) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{machineName}\n{startDate.UtcTicks}\n{sequence}"))[..16]).ToString();

    private string MachineNameOf(string stateMachineArn)
    {
        var parts = stateMachineArn.Split(':');
        if (parts.Length != 7 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "states" || parts[5] != "stateMachine" || !IsValidName(parts[6]))
            throw new InvalidArnException($"Invalid Arn: '{stateMachineArn}' is not a state machine's ARN; give one like {StateMachineArn("<name>")}.");
        if (parts[3] != Region || parts[4] != AccountId || parts[6] is "." or "..") throw MachineMissing(stateMachineArn);
        return parts[6];
    }

    private (string Machine, string Execution) ExecutionNamesOf(string executionArn)
    {
        var parts = executionArn.Split(':');
        if (parts.Length != 8 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "states" || parts[5] != "execution" || !IsValidName(parts[6]) || !IsValidName(parts[7]))
            throw new InvalidArnException($"Invalid Arn: '{executionArn}' is not an execution's ARN; give the one StartExecution returned, like {ExecutionArn("<machine>", "<execution>")}.");
        if (parts[3] != Region || parts[4] != AccountId || parts[6] is "." or "..")
            throw new ExecutionDoesNotExistException($"Execution Does Not Exist: '{executionArn}'. The local backend's executions are in {Region}, account {AccountId}.");
        return (parts[6], parts[7]);
    }

    private static void CheckName(string name, string kind)
    {
        if (!IsValidName(name))
            throw new InvalidNameException($"Invalid Name: '{name}': {kind} name has 1 to {MaxNameLength} characters without whitespace, brackets, wildcards, control characters or any of \" # % \\ ^ | ~ ` $ & , ; : /; use letters, digits, '-' and '_'.");
    }

    /// <summary>The service's rule for state machine and execution names (the StartExecution API reference lists the characters).</summary>
    private static bool IsValidName(string name) =>
        name.Length is >= 1 and <= MaxNameLength && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)
            || c is '<' or '>' or '{' or '}' or '[' or ']' or '?' or '*' or '"' or '#' or '%' or '\\' or '^' or '|' or '~' or '`' or '$' or '&' or ',' or ';' or ':' or '/');

    /// <summary>The start of a long text, enough to recognise it in a message.</summary>
    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";


    private static void CheckInput(string input)
    {
        var bytes = Encoding.UTF8.GetByteCount(input);
        if (bytes > MaxInputBytes)
            throw new InvalidExecutionInputException($"Invalid State Machine Execution Input: the input has {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, over the {MaxInputBytes.ToString("N0", CultureInfo.InvariantCulture)} a state machine accepts; pass a reference (an S3 key) instead of the data.");
        try
        {
            using var _ = JsonDocument.Parse(input);
        }
        catch (JsonException error)
        {
            // The parser's own wording ("... LineNumber: 0 | BytePositionInLine: 1.") says little; where the text stops being JSON says enough.
            var at = (error.LineNumber ?? 0) == 0 ? $"character {(error.BytePositionInLine ?? 0) + 1}" : $"line {error.LineNumber + 1}, character {(error.BytePositionInLine ?? 0) + 1}";
            throw new InvalidExecutionInputException($"Invalid State Machine Execution Input: '{Shorten(input)}' is not JSON (it goes wrong at {at}). Give the input as a JSON text, for example {{\"day\": \"2026-03-01\"}} (the day the workshop's daily pipeline reads).");
        }
    }

    private T Locked<T>(Func<T> work)
    {
        gate.Wait();
        try
        {
            using var exclusive = Exclusive();
            return work();
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<T> LockedAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            using var exclusive = Exclusive();
            return await work();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Holds the workspace's workflows lock until disposed, so a notebook and the CLI never advance the same execution
    /// at once (each would start its tasks). Waits for another process's call to finish.
    /// </summary>
    private FileStream Exclusive() => workspace.Lock("state", "workflows.lock");

    private sealed record StoredStateMachine(string Name, string StateMachineArn, string Definition, string RoleArn, string Type, DateTimeOffset CreationDate);

    /// <summary>An execution as kept in the workspace: its identity, the definition it started with, its journal, and its progress when last advanced.</summary>
    private sealed record StoredExecution(
        int Sequence,
        string Name,
        string ExecutionArn,
        string StateMachineArn,
        string StateMachineName,
        string RoleArn,
        DateTimeOffset StartDate,
        string Input,
        string Definition,
        JsonObject Journal,
        string Status,
        IReadOnlyList<HistoryEvent> Events,
        string? Output,
        string? Error,
        string? Cause,
        DateTimeOffset? StopDate,
        DateTimeOffset? WakeAt,
        IReadOnlyList<PendingTask> PendingTasks,
        ExecutionStop? Stop);

    private sealed record PendingTask(TaskRequest Request, JsonNode? Handle);

    private sealed record ExecutionStop(DateTimeOffset At, string? Error, string? Cause);
}
