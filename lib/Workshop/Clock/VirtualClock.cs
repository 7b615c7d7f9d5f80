using System.Diagnostics;
using System.Text.Json;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Clock;

/// <summary>
/// The one clock of the local backend. In replay mode time moves only when the pipeline moves it, so a day
/// passes in seconds; in live mode it follows the wall clock from where it stood, optionally sped up.
/// It never runs backwards, and it is saved in the workspace (state/clock.json) so every process sees the
/// same "now".
/// </summary>
public sealed class VirtualClock : TimeProvider, Display.IHtmlDisplay
{
    private readonly object sync = new();
    private readonly string? statePath;
    private readonly WorkspaceDirectory? workspace;
    private long replayTicks;
    private LiveAnchor? live;

    public VirtualClock(DateTimeOffset start) => replayTicks = start.UtcTicks;

    private VirtualClock(WorkspaceDirectory workspace, DateTimeOffset start) : this(start)
    {
        this.workspace = workspace;
        statePath = workspace.Resolve("state", "clock.json");
    }

    /// <summary>Where a fresh workspace's clock starts: midnight UTC at the start of yesterday, so a simulated day ends about now.</summary>
    public static DateTimeOffset DefaultStart(TimeProvider wallClock) =>
        new(wallClock.GetUtcNow().UtcDateTime.Date.AddDays(-1), TimeSpan.Zero);

    public static VirtualClock Load(WorkspaceDirectory workspace)
    {
        var path = workspace.Resolve("state", "clock.json");
        var saved = File.Exists(path) ? WorkspaceJson.Read<ClockState>(path) : null;
        return new VirtualClock(workspace, saved?.Now ?? DefaultStart(System)) { IsUnset = saved is null };
    }

    /// <summary>True until the clock is first saved: a fresh workspace's clock may still be set to any start.</summary>
    public bool IsUnset { get; private set; }

    /// <summary>Sets a fresh workspace's clock to <paramref name="start"/>, earlier or later; refused once the clock has been used.</summary>
    public void SetStart(DateTimeOffset start)
    {
        lock (sync)
        {
            if (!IsUnset) throw new InvalidOperationException("The clock has already been used in this workspace, so it can only move forwards.");
            Volatile.Write(ref replayTicks, start.UtcTicks);
        }
    }

    public bool IsLive
    {
        get { lock (sync) return live is not null; }
    }

    public double Speed
    {
        get { lock (sync) return live?.Speed ?? 0; }
    }

    public override DateTimeOffset GetUtcNow()
    {
        var anchor = Volatile.Read(ref live);
        if (anchor is null) return new DateTimeOffset(Volatile.Read(ref replayTicks), TimeSpan.Zero);
        return new DateTimeOffset(Math.Min(Unheld(anchor), anchor.HeldAtTicks), TimeSpan.Zero);
    }

    /// <summary>Where the wall clock has taken a live clock, past any hold.</summary>
    private static long Unheld(LiveAnchor anchor) =>
        anchor.VirtualTicks + (long)(Stopwatch.GetElapsedTime(anchor.WallTimestamp).Ticks * anchor.Speed);

    /// <summary>
    /// Keeps a live clock from passing <paramref name="time"/>, the next thing a live run has to do: however late the wall
    /// clock wakes the run, nothing sees a time beyond the event before it happens, so a live run does what a replay does.
    /// </summary>
    public void HoldLiveAt(DateTimeOffset time)
    {
        lock (sync)
        {
            if (live is null) return;
            Volatile.Write(ref live, live with { HeldAtTicks = time.UtcTicks });
        }
    }

    /// <summary>
    /// The live run has reached <paramref name="time"/> (held there): the clock reads exactly that while the event runs,
    /// and goes on from it, at the wall clock's pace, once the next hold lets it.
    /// </summary>
    public void ReachLive(DateTimeOffset time)
    {
        lock (sync)
        {
            if (live is null) return;
            var ticks = Math.Max(time.UtcTicks, GetUtcNow().UtcTicks);
            Volatile.Write(ref live, live with { VirtualTicks = ticks, WallTimestamp = Stopwatch.GetTimestamp(), HeldAtTicks = ticks });
        }
    }

    /// <summary>
    /// Moves replay time forward to <paramref name="time"/> and saves it in the workspace, so the next notebook, the command
    /// line and `workshop serve` carry on from there. Moving backwards is refused.
    /// </summary>
    public void AdvanceTo(DateTimeOffset time)
    {
        MoveTo(time);
        Save();
    }

    /// <summary>Moves replay time forward by <paramref name="span"/> and saves it, as <see cref="AdvanceTo"/> does.</summary>
    public void Advance(TimeSpan span)
    {
        if (span < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(span), span, "The clock only moves forwards.");
        AdvanceTo(GetUtcNow() + span);
    }

    /// <summary>
    /// <see cref="AdvanceTo"/> without the save, for a run that moves the clock many times and saves it at points of its
    /// own (a replay, a burst of puts): a save replaces a file, which costs about a millisecond.
    /// </summary>
    internal void MoveTo(DateTimeOffset time)
    {
        lock (sync)
        {
            if (live is not null)
                throw new InvalidOperationException("The clock is running live; stop the live run before moving time by hand.");
            if (time.UtcTicks < replayTicks)
                throw new InvalidOperationException($"The clock is at {new DateTimeOffset(replayTicks, TimeSpan.Zero):u} and never runs backwards; {time.ToUniversalTime():u} is earlier. Use 'workshop reset' for a fresh workspace.");
            Volatile.Write(ref replayTicks, time.UtcTicks);
        }
    }

    /// <summary><see cref="Advance"/> without the save, as <see cref="MoveTo"/>.</summary>
    internal void MoveBy(TimeSpan span)
    {
        if (span < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(span), span, "The clock only moves forwards.");
        MoveTo(GetUtcNow() + span);
    }

    /// <summary>The fastest a live clock runs: 100,000 times real time (a day in under a second of wall time).</summary>
    public const double MaxLiveSpeed = 100_000;

    /// <summary>True for a speed a live clock can run at: above 0 and at most <see cref="MaxLiveSpeed"/>.</summary>
    public static bool IsLiveSpeed(double speed) => double.IsFinite(speed) && speed > 0 && speed <= MaxLiveSpeed;

    /// <summary>Starts following the wall clock from the current virtual time, <paramref name="speed"/> times faster.</summary>
    public void StartLive(double speed = 1)
    {
        if (!IsLiveSpeed(speed)) throw new ArgumentOutOfRangeException(nameof(speed), speed, "Speed must be above 0 and at most 100,000.");
        lock (sync)
        {
            if (live is not null) throw new InvalidOperationException("The clock is already running live.");
            Volatile.Write(ref live, new LiveAnchor(replayTicks, Stopwatch.GetTimestamp(), speed, long.MaxValue));
        }
    }

    /// <summary>Stops following the wall clock; time stays where it got to.</summary>
    public void StopLive()
    {
        lock (sync)
        {
            if (live is null) return;
            var now = GetUtcNow().UtcTicks;
            Volatile.Write(ref live, null);
            Volatile.Write(ref replayTicks, Math.Max(now, replayTicks));
        }
    }

    /// <summary>
    /// Stops following the wall clock with time at <paramref name="end"/>, the end a live run was given and has waited for:
    /// the moment the wall clock took to notice (a few milliseconds, many times that at speed) is not kept, so a run of a
    /// given length always leaves the clock at the same time.
    /// </summary>
    public void StopLiveAt(DateTimeOffset end)
    {
        lock (sync)
        {
            if (live is null) return;
            Volatile.Write(ref live, null);
            Volatile.Write(ref replayTicks, Math.Max(end.UtcTicks, replayTicks));
        }
    }

    /// <summary>How long to wait on the wall clock until the clock reads <paramref name="time"/> (zero in replay).</summary>
    public TimeSpan WallTimeUntil(DateTimeOffset time)
    {
        var anchor = Volatile.Read(ref live);
        if (anchor is null) return TimeSpan.Zero;
        var virtualWait = time - new DateTimeOffset(Unheld(anchor), TimeSpan.Zero);
        return virtualWait <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks((long)(virtualWait.Ticks / anchor.Speed));
    }

    /// <summary>
    /// Saves this clock's time for the workspace's other processes, unless one of them has saved a later time: the
    /// workspace's clock never moves back, whichever process saves last (a replay beside `workshop serve` moves it on).
    /// </summary>
    public void Save()
    {
        if (workspace is null || statePath is null) return;
        IsUnset = false;
        var now = GetUtcNow();
        if (File.Exists(statePath) && WorkspaceJson.Read<ClockState>(statePath) is { } saved && saved.Now > now) return;
        workspace.WriteAtomically(statePath, JsonSerializer.SerializeToUtf8Bytes(new ClockState(now)));
    }

    /// <summary>Catches up with a clock another process saved further on (never moves back).</summary>
    public void Refresh()
    {
        if (statePath is null || !File.Exists(statePath)) return;
        var saved = WorkspaceJson.Read<ClockState>(statePath);
        lock (sync)
        {
            if (saved is not null && live is null && saved.Now.UtcTicks > replayTicks) Volatile.Write(ref replayTicks, saved.Now.UtcTicks);
        }
    }

    public override string ToString() => $"{GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC ({(IsLive ? $"live, x{Speed}" : "replay")})";

    private string Headline => $"Virtual clock: {this}";

    /// <summary>In a notebook, the time and the calls that move the clock, rather than an object tree; ToString() stays the time alone.</summary>
    public string ToHtml() => $"<div style=\"{Display.HtmlTable.Style}\">🕒 {Display.HtmlTable.Encode(Headline)}</div>" + Calls.ToHtml();

    public string ToText() => Headline + "\n" + Calls;

    private static readonly Display.CallsView Calls = new(
        "workshop.Clock: the time every local service runs on, kept in the workspace (state/clock.json) for every process", [
        ("GetUtcNow()", "the time now on this clock"),
        ("Advance(span)", "moves it on by span, in a replay"),
        ("AdvanceTo(time)", "moves it on to time, in a replay; never back"),
        ("SetStart(start)", "sets a fresh workspace's clock to start, before it is first used"),
        ("StartLive(speed)", "follows the wall clock from now on, speed times as fast"),
        ("StopLive()", "stops following the wall clock; time stays where it got to"),
        ("Save()", "writes it to the workspace for the other processes"),
        ("Refresh()", "catches up with a time another process saved"),
    ], "workshop.SimulateAsync(...) and workshop.StartLive(...) move it for a replay and a live run.", secondHeader: "What it does");

    /// <summary>Live time: from <paramref name="VirtualTicks"/> at <paramref name="WallTimestamp"/>, never past <paramref name="HeldAtTicks"/>.</summary>
    private sealed record LiveAnchor(long VirtualTicks, long WallTimestamp, double Speed, long HeldAtTicks);

    private sealed record ClockState(DateTimeOffset Now);
}
