namespace StreamingWorkshop.Display;

/// <summary>An output already shown, which can be replaced in place (a progress line, for example).</summary>
public interface IUpdatableDisplay
{
    void Update(object? value);
}

/// <summary>
/// Where long calls show their progress. A notebook cell sets <see cref="Current"/> while it runs, so
/// SimulateAsync and StartLive keep one output up to date instead of printing line after line; elsewhere it is
/// null and they show nothing.
/// </summary>
public static class LiveDisplay
{
    private static readonly AsyncLocal<Func<object?, IUpdatableDisplay>?> current = new();

    public static Func<object?, IUpdatableDisplay>? Current
    {
        get => current.Value;
        set => current.Value = value;
    }

    private static readonly AsyncLocal<bool> saved = new();

    /// <summary>
    /// False while a cell's outputs are saved for later rather than watched as they change (a headless run of a notebook):
    /// a live run then does not wait for the wall clock between its events. Its events keep their virtual times, so it
    /// ends with the same lake, tables and outputs, only sooner. True everywhere else.
    /// </summary>
    public static bool Watched
    {
        get => !saved.Value;
        set => saved.Value = !value;
    }

    private static readonly AsyncLocal<CancellationToken> cellStopping = new();

    /// <summary>
    /// Cancelled when the running notebook cell is interrupted (or runs out of time); none elsewhere. A replay
    /// (SimulateAsync, and CatchUpAsync's day) stops on it as on its own token, so an interrupted cell really stops
    /// writing to the workspace, and the replay resumes from where it stopped when it is run again.
    /// </summary>
    public static CancellationToken CellStopping
    {
        get => cellStopping.Value;
        set => cellStopping.Value = value;
    }

    /// <summary>Shows <paramref name="value"/> below the running cell and returns its handle, or null outside a notebook.</summary>
    public static IUpdatableDisplay? Show(object? value) => Current?.Invoke(value);
}
