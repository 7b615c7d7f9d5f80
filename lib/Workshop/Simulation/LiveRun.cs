using System.Collections.Concurrent;
using System.Diagnostics;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Simulation;

/// <summary>
/// A live run of the pipeline in the background; what happened is in <see cref="Events"/>. Started in a notebook
/// cell, it shows one progress line below that cell and keeps it up to date until the run stops.
/// </summary>
public sealed class LiveRun : IHtmlDisplay
{
    private static readonly TimeSpan UpdateEvery = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<string> events = new();
    private readonly Task<LiveReport> running;
    private readonly IUpdatableDisplay? progressLine;
    private readonly Stopwatch sinceUpdate = Stopwatch.StartNew();
    private LiveReport latest;

    internal LiveRun(DateTimeOffset from, Func<Action<string>, Action<LiveReport>, CancellationToken, Task<LiveReport>> run)
    {
        latest = new LiveReport(from, from, 0, 0, 0, 0);
        progressLine = LiveDisplay.Show(Progress(running: true));
        running = Task.Run(async () =>
        {
            try
            {
                latest = await run(events.Enqueue, Reached, stop.Token);
                return latest;
            }
            finally
            {
                progressLine?.Update(Progress(running: false));
            }
        });
    }

    private void Reached(LiveReport report)
    {
        latest = report;
        if (progressLine is null || sinceUpdate.Elapsed < UpdateEvery) return;
        sinceUpdate.Restart();
        progressLine.Update(Progress(running: true));
    }

    private LiveProgressView Progress(bool running) =>
        new(latest.From, latest.To, latest.RecordsPut, latest.RecordsDelivered, events.LastOrDefault(), running);

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

    public string ToHtml() => Progress(IsRunning).ToHtml();

    public override string ToString() => $"Live run ({(IsRunning ? "running" : "stopped")}), {events.Count} event(s)" +
        (events.IsEmpty ? "" : $"; last: {events.Last()}");
}
