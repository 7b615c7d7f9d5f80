namespace StreamingWorkshop.Storage;

/// <summary>
/// How far a file's last-write time can be trusted to tell a change. File times come from a coarse clock, so two writes
/// within one tick leave the same time: a file or folder written within <see cref="Settled"/> before it was looked at
/// may still change without its time moving, and is looked at again (its bytes compared, its folder listed) until it is older.
/// </summary>
internal static class FileTimes
{
    public static readonly TimeSpan Settled = TimeSpan.FromSeconds(2);
}
