namespace StreamingWorkshop.Serve;

/// <summary>
/// Step Functions executions while the endpoint serves on a live clock. A local execution moves on when it is looked at;
/// a client that polls every ten seconds of the wall clock would otherwise start each task up to ten seconds late
/// (ten minutes of a clock sped up 60 times). So, about every second of the workspace's clock, the running executions are
/// looked at, taking their turn with the requests.
/// </summary>
public sealed partial class LocalEndpoint
{
    private readonly CancellationTokenSource stopping = new();
    private Task? advancingExecutions;

    private void StartAdvancingExecutions() => advancingExecutions = AdvanceRunningExecutionsAsync(stopping.Token);

    private async Task AdvanceRunningExecutionsAsync(CancellationToken cancellationToken)
    {
        var workflows = session.Local!.Workflows;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var wait = session.Clock.IsLive ? session.Clock.WallTimeUntil(session.Clock.GetUtcNow() + TimeSpan.FromSeconds(1)) : TimeSpan.FromSeconds(1);
                await Task.Delay(wait > ShortestPollWait ? wait : ShortestPollWait, cancellationToken);
                if (!session.Clock.IsLive) continue;
                await oneAtATime.WaitAsync(cancellationToken);
                try
                {
                    foreach (var machine in await workflows.ListStateMachinesAsync(cancellationToken))
                        await workflows.ListExecutionsAsync(machine.StateMachineArn, Workflows.ExecutionStatuses.Running, cancellationToken: cancellationToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // A state machine deleted while it was listed: the next round sees the workspace as it is then.
                }
                finally
                {
                    oneAtATime.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task StopAdvancingExecutionsAsync()
    {
        await stopping.CancelAsync();
        if (advancingExecutions is { } running) await running;
        stopping.Dispose();
    }
}
