using System.Collections.Concurrent;

namespace StreamingWorkshop.Simulation;

/// <summary>A live run of the pipeline in the background; what happened is in <see cref="Events"/>.</summary>
public sealed class LiveRun
{
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<string> events = new();
    private readonly Task<LiveReport> running;

    internal LiveRun(Func<Action<string>, CancellationToken, Task<LiveReport>> run)
    {
        running = Task.Run(() => run(events.Enqueue, stop.Token));
    }

    /// <summary>Lines such as "10:01:00 producer put 3 reading(s)" and "10:02:01 delivered s3://...".</summary>
    public IReadOnlyCollection<string> Events => events;

    public bool IsRunning => !running.IsCompleted;

    /// <summary>Stops after the step in progress; the clock stays where it got to and unfinished buffers resume next time.</summary>
    public async Task<LiveReport> StopAsync()
    {
        stop.Cancel();
        return await running;
    }

    /// <summary>Waits for a run started with a duration to finish by itself.</summary>
    public Task<LiveReport> Completion => running;

    public override string ToString() => $"Live run ({(IsRunning ? "running" : "stopped")}), {events.Count} event(s)" +
        (events.IsEmpty ? "" : $"; last: {events.Last()}");
}
