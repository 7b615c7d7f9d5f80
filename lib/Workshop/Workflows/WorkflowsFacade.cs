using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Workflows;

/// <summary>
/// <c>workshop.Workflows</c>: the stack's Step Functions state machines as a notebook uses them: list them, read a
/// definition, run one and watch it, list its executions, read an execution's history and stop one. The same calls
/// work on both backends; a name left out means the daily pipeline (<see cref="PipelineNames.StateMachine"/>).
/// </summary>
public sealed class WorkflowsFacade(WorkshopSession session) : IHtmlDisplay
{
    internal WorkshopSession Session { get; } = session;

    /// <summary>A wait on AWS asks for the execution again (DescribeExecution) after this, then twice as long each time up to <see cref="AwsPoll"/>.</summary>
    public static TimeSpan FirstAwsPoll { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest a wait on AWS goes between two DescribeExecution calls.</summary>
    public static TimeSpan AwsPoll { get; } = TimeSpan.FromSeconds(10);

    // Member names as given: an object's properties keep their own case in the input the state machine reads.
    private static readonly JsonSerializerOptions InputOptions = new();

    private IWorkflowService Service => Session.Stages.Workflows;

    /// <summary>The state machines (ListStateMachines), each with its latest execution's status and start (ListExecutions).</summary>
    public async Task<StateMachineListView> ListAsync(CancellationToken cancellationToken = default)
    {
        await Session.EnsurePipelineAsync(cancellationToken);
        var items = new List<StateMachineListItem>();
        foreach (var machine in await Service.ListStateMachinesAsync(cancellationToken))
        {
            var latest = (await Service.ListExecutionsAsync(machine.StateMachineArn, maxResults: 1, cancellationToken: cancellationToken)).FirstOrDefault();
            items.Add(new StateMachineListItem(machine, latest));
        }
        return new StateMachineListView(items);
    }

    /// <summary>The state machine's Amazon States Language definition, indented (DescribeStateMachine).</summary>
    public async Task<DefinitionView> DefinitionAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var machine = await MachineAsync(name, cancellationToken);
        var described = await Service.DescribeStateMachineAsync(machine.StateMachineArn, cancellationToken);
        return new DefinitionView(described.Name, described.Definition);
    }

    /// <summary>
    /// Starts an execution of <paramref name="name"/> (StartExecution) with <paramref name="input"/>: a JSON text, or any
    /// object, written as JSON with its members' names as they are. <paramref name="executionName"/> names the execution
    /// (unique per state machine); one is made when none is given.
    /// With <paramref name="wait"/>, returns once the execution has ended. On the local backend, waiting moves the
    /// virtual clock straight to each of the execution's next changes (a Wait's end, a job's end) when nothing live is
    /// moving it, or waits for the live clock to get there. On AWS it asks again after <see cref="FirstAwsPoll"/>,
    /// doubling up to <see cref="AwsPoll"/>.
    /// </summary>
    public async Task<ExecutionView> RunAsync(string? name = null, object? input = null, bool wait = false, string? executionName = null,
        CancellationToken cancellationToken = default)
    {
        var machine = await MachineAsync(name, cancellationToken);
        var started = await Service.StartExecutionAsync(machine.StateMachineArn, executionName, InputText(input), cancellationToken);
        var execution = await Service.DescribeExecutionAsync(started.ExecutionArn, cancellationToken);
        if (wait) execution = await WaitAsync(execution, cancellationToken);
        return await ExecutionViewAsync(execution, cancellationToken);
    }

    /// <summary>The state machine's executions, newest first (ListExecutions).</summary>
    public async Task<ExecutionListView> ExecutionsAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var machine = await MachineAsync(name, cancellationToken);
        return new ExecutionListView(machine.Name, await Service.ListExecutionsAsync(machine.StateMachineArn, cancellationToken: cancellationToken));
    }

    /// <summary>One execution (DescribeExecution), by its ARN or by its name among the daily pipeline's executions.</summary>
    public async Task<ExecutionView> DescribeAsync(string execution, CancellationToken cancellationToken = default) =>
        await ExecutionViewAsync(await Service.DescribeExecutionAsync(await ExecutionArnAsync(execution, cancellationToken), cancellationToken), cancellationToken);

    /// <summary>
    /// The execution's events, oldest first (GetExecutionHistory), as the console's Events table lists them. The execution
    /// is given by its ARN, or by its name among the daily pipeline's executions.
    /// </summary>
    public async Task<HistoryView> HistoryAsync(string execution, CancellationToken cancellationToken = default)
    {
        var arn = await ExecutionArnAsync(execution, cancellationToken);
        return new HistoryView(arn, await Service.GetExecutionHistoryAsync(arn, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Stops a running execution (StopExecution), by its ARN or its name among the daily pipeline's executions, with an
    /// optional error name and cause for its history; it ends ABORTED, and a .sync job it waits on is stopped too.
    /// </summary>
    public async Task<ExecutionView> StopAsync(string execution, string? error = null, string? cause = null, CancellationToken cancellationToken = default)
    {
        var arn = await ExecutionArnAsync(execution, cancellationToken);
        await Service.StopExecutionAsync(arn, error, cause, cancellationToken);
        return await ExecutionViewAsync(await Service.DescribeExecutionAsync(arn, cancellationToken), cancellationToken);
    }

    /// <summary>Asks for the execution again until it has ended, moving the local clock or polling AWS.</summary>
    private async Task<ExecutionDescription> WaitAsync(ExecutionDescription execution, CancellationToken cancellationToken)
    {
        var poll = FirstAwsPoll;
        while (!ExecutionStatuses.HasEnded(execution.Status))
        {
            if (Session.Stages.Local is { } local)
                await Session.MoveClockTowardAsync(local.Workflows.NextChangeAt(execution.ExecutionArn), cancellationToken);
            else
            {
                await Task.Delay(poll, cancellationToken);
                poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, AwsPoll.Ticks));
            }
            execution = await Service.DescribeExecutionAsync(execution.ExecutionArn, cancellationToken);
        }
        return execution;
    }

    /// <summary>
    /// The state machine drawn with each state coloured by what its latest execution did (DescribeStateMachine,
    /// ListExecutions, GetExecutionHistory); drawn uncoloured when it has not run yet.
    /// </summary>
    public async Task<StateMachineDrawing> DrawAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var machine = await MachineAsync(name, cancellationToken);
        var latest = (await Service.ListExecutionsAsync(machine.StateMachineArn, maxResults: 1, cancellationToken: cancellationToken)).FirstOrDefault();
        return latest is null
            ? new StateMachineDrawing((await Service.DescribeStateMachineAsync(machine.StateMachineArn, cancellationToken)).Definition, title: $"{machine.Name} (not run yet)")
            : await DrawingAsync(latest, cancellationToken);
    }

    /// <summary>The execution's state machine, coloured by the execution's history.</summary>
    private async Task<StateMachineDrawing> DrawingAsync(ExecutionDescription execution, CancellationToken cancellationToken)
    {
        var definition = (await Service.DescribeStateMachineAsync(execution.StateMachineArn, cancellationToken)).Definition;
        var history = await Service.GetExecutionHistoryAsync(execution.ExecutionArn, cancellationToken: cancellationToken);
        return new StateMachineDrawing(definition, StateOutcomes.FromHistory(history),
            $"States of execution {execution.Name}: {execution.Status}");
    }

    private async Task<ExecutionView> ExecutionViewAsync(ExecutionDescription execution, CancellationToken cancellationToken) =>
        new(execution, await DrawingAsync(execution, cancellationToken));

    /// <summary>The input as the JSON text StartExecution takes: a string as it is, anything else written as JSON; null for none.</summary>
    internal static string? InputText(object? input) => input switch
    {
        null => null,
        string text => text,
        JsonNode node => node.ToJsonString(),
        _ => JsonSerializer.Serialize(input, input.GetType(), InputOptions),
    };

    /// <summary>The state machine by its name (the daily pipeline when none is given); an unknown name is refused with the names there are.</summary>
    private async Task<StateMachineSummary> MachineAsync(string? name, CancellationToken cancellationToken)
    {
        await Session.EnsurePipelineAsync(cancellationToken);
        var wanted = name ?? Session.Names.StateMachine;
        var machines = await Service.ListStateMachinesAsync(cancellationToken);
        return machines.FirstOrDefault(m => m.Name == wanted) ?? throw new ArgumentException(machines.Count == 0
            ? $"There is no state machine '{wanted}': the stack defines none yet. Deploy it (workshop deploy)."
            : $"There is no state machine '{wanted}'. The state machines are: {string.Join(", ", machines.Select(m => m.Name))}.");
    }

    /// <summary>An execution's ARN as given, or made from a name of one of the daily pipeline's executions.</summary>
    private async Task<string> ExecutionArnAsync(string execution, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(execution))
            throw new ArgumentException("Name the execution: its ARN, or its name as workshop workflow executions lists it.");
        if (execution.StartsWith("arn:", StringComparison.Ordinal))
        {
            Session.Clock.Refresh();
            return execution;
        }
        var machine = await MachineAsync(null, cancellationToken);
        // arn:aws:states:REGION:ACCOUNT:stateMachine:NAME → arn:aws:states:REGION:ACCOUNT:execution:NAME:EXECUTION
        return machine.StateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + execution;
    }

    /// <summary>The notebook's challenge: the learner's definition run on the kit's own interpreter with the check's inputs.</summary>
    public Task<ChallengeVerdict> CheckChallengeAsync(string definition, CancellationToken cancellationToken = default) =>
        WorkflowChallenge.CheckAsync(definition, cancellationToken);

    private CallsView Calls => new("workshop.Workflows: the stack's Step Functions state machines", [
        ("ListAsync()", "ListStateMachines, and ListExecutions for each one's latest run"),
        ("DefinitionAsync(name)", "DescribeStateMachine: the Amazon States Language definition"),
        ("RunAsync(name, input, wait)", "StartExecution, then DescribeExecution until it ends"),
        ("ExecutionsAsync(name)", "ListExecutions, newest first"),
        ("DescribeAsync(execution)", "DescribeExecution: status, input, output, error and cause"),
        ("HistoryAsync(execution)", "GetExecutionHistory: the events, as the console lists them"),
        ("StopAsync(execution, error, cause)", "StopExecution: the execution ends ABORTED"),
        ("DrawAsync(name)", "DescribeStateMachine and GetExecutionHistory: the states coloured by the latest run"),
        ("CheckChallengeAsync(definition)", "the challenge's state machine, run on the kit's interpreter"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
