namespace StreamingWorkshop.Workflows;

// Placeholder until the backends' services land.
internal sealed class NoWorkflowService : IWorkflowService
{
    public Task<IReadOnlyList<StateMachineSummary>> ListStateMachinesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<StateMachineDescription> DescribeStateMachineAsync(string stateMachineArn, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<ExecutionStart> StartExecutionAsync(string stateMachineArn, string? name = null, string? input = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<ExecutionDescription> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<ExecutionDescription>> ListExecutionsAsync(string stateMachineArn, string? statusFilter = null, int maxResults = 100, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<DateTimeOffset> StopExecutionAsync(string executionArn, string? error = null, string? cause = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<HistoryEvent>> GetExecutionHistoryAsync(string executionArn, bool reverseOrder = false, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
