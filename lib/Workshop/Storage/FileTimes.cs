namespace StreamingWorkshop.Storage;

/// <summary>
/// How far a file's times can be trusted to tell a change. File times come from a coarse clock, so two writes within
/// one tick leave the same time: a file or folder written shortly before it was looked at may still change without its
/// time moving, and is looked at again (its bytes compared, its folder listed) until it is older (<see cref="HadSettled"/>).
/// </summary>
internal static class FileTimes
{
    public static readonly TimeSpan Settled = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The same for a time kept below the second. File systems that keep such times (ext4, xfs, btrfs, tmpfs) take them
    /// from the kernel's coarse clock, which moves every 1 to 10 ms; file systems that keep whole seconds or two (FAT,
    /// ext3) leave the fraction at zero, and a time that falls on a whole second by chance is judged by <see cref="Settled"/>.
    /// </summary>
    public static readonly TimeSpan SettledBelowTheSecond = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Whether a file or folder the file system last stamped at <paramref name="stamped"/> (a change time, or the last-write
    /// time of a folder or of a file the kit does not stamp itself) had settled when it was looked at, at
    /// <paramref name="lookedAt"/>, on the system's clock: any change after that would have moved the stamp.
    /// </summary>
    public static bool HadSettled(DateTime stamped, DateTime lookedAt) =>
        stamped < lookedAt - (stamped.Ticks % TimeSpan.TicksPerSecond == 0 ? Settled : SettledBelowTheSecond);
}
