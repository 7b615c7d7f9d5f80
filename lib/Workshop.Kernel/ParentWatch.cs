using System.Diagnostics;
using System.Globalization;

namespace StreamingWorkshop.Kernel;

/// <summary>
/// Ends the kernel when the process that launched it is gone, as Jupyter's own kernels do; otherwise a kernel
/// whose client died (a closed editor, a killed Jupyter server) would keep running, and holding its ports, forever.
/// The process watched is JPY_PARENT_PID when Jupyter sets it, else this process's parent at start.
/// </summary>
public sealed class ParentWatch : IDisposable
{
    private readonly Timer timer;
    private readonly Func<bool> parentAlive;
    private Action? onParentGone;

    private ParentWatch(Func<bool> parentAlive, Action onParentGone, TimeSpan interval)
    {
        this.parentAlive = parentAlive;
        this.onParentGone = onParentGone;
        timer = new Timer(_ => Check(), null, interval, interval);
    }

    /// <summary>Which process is watched, for the kernel's log; null when there is none this platform can watch.</summary>
    public string? Watching { get; private init; }

    /// <summary>
    /// Starts watching, checking every <paramref name="interval"/> (a second by default), and calls <paramref name="onParentGone"/>
    /// once when the parent is gone. Returns null where the parent cannot be watched: on Windows Jupyter passes a
    /// handle in JPY_PARENT_PID, not a process id, and .NET does not give a process's parent there.
    /// </summary>
    public static ParentWatch? Start(Action onParentGone, TimeSpan? interval = null)
    {
        var every = interval ?? TimeSpan.FromSeconds(1);
        if (OperatingSystem.IsWindows()) return null;
        if (int.TryParse(Environment.GetEnvironmentVariable("JPY_PARENT_PID"), NumberStyles.None, CultureInfo.InvariantCulture, out var jupyter) && jupyter > 1)
            return new ParentWatch(() => IsRunning(jupyter), onParentGone, every) { Watching = $"JPY_PARENT_PID {jupyter}" };
        // Started by init itself (parent id 1), the parent cannot be told from the process that adopts orphans: nothing to watch.
        if (OperatingSystem.IsLinux() && ParentIdOnLinux() is { } parent and > 1)
            // When the parent dies the kernel is handed to another process (init or a subreaper), so its parent id changes.
            return new ParentWatch(() => ParentIdOnLinux() == parent, onParentGone, every) { Watching = $"parent process {parent}" };
        return null;
    }

    private void Check()
    {
        if (parentAlive()) return;
        Interlocked.Exchange(ref onParentGone, null)?.Invoke();
    }

    /// <summary>Whether a process with this id runs; a zombie (ended, not yet reaped) counts as gone.</summary>
    public static bool IsRunning(int processId)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return StateOnLinux(File.ReadAllText($"/proc/{processId}/stat")) is not ('Z' or 'X');
            }
            catch (IOException)
            {
                return false;
            }
        }
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int? ParentIdOnLinux()
    {
        try
        {
            // /proc/self/stat is "pid (name) state ppid ...", and the name may itself hold spaces and parentheses.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static char StateOnLinux(string stat) => stat[stat.LastIndexOf(')') + 2];

    public void Dispose() => timer.Dispose();
}
