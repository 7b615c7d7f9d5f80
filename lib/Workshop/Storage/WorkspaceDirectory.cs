using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamingWorkshop.Storage;

/// <summary>
/// The one folder that holds every piece of local state (stream logs, lake, catalog, clock).
/// Every path the kit writes is resolved through here, so nothing lands outside it.
/// </summary>
public sealed partial class WorkspaceDirectory : Display.IHtmlDisplay
{
    /// <summary>Environment variable that points the kit at another workspace folder.</summary>
    public const string EnvironmentVariable = "WORKSHOP_WORKSPACE";

    /// <summary>Default folder name, created beside the notebooks or the current directory.</summary>
    public const string DefaultFolderName = ".workshop";

    public WorkspaceDirectory(string root)
    {
        if (string.IsNullOrWhiteSpace(root))
            throw new ArgumentException("The workspace path is empty. Pass a folder path, or leave it out to use .workshop/ in the current folder.");
        Root = Path.GetFullPath(root);
        if (File.Exists(Root))
            throw new ArgumentException($"The workspace '{Root}' is a file; give a folder (new or the kit's) for the workspace.");
        var isNew = !Directory.Exists(Root) || Directory.EnumerateFileSystemEntries(Root).All(entry => FolderLitter.Contains(Path.GetFileName(entry)));
        // The kit fills its workspace with folders of its own and 'reset' deletes it whole: a folder with other things in
        // it (a home folder, a project, /) is never taken for one.
        if (!isNew && !File.Exists(Path.Combine(Root, MarkerFileName)))
            throw new ArgumentException($"The folder '{Root}' holds other files and is not a workshop workspace (it has no {MarkerFileName} file), so the kit left it alone. " +
                "Give a new or empty folder, or one the kit made.");
        try
        {
            Directory.CreateDirectory(Root);
            if (isNew) File.WriteAllText(Path.Combine(Root, MarkerFileName), "This folder is a Streaming Workshop Kit workspace; 'workshop reset' deletes it.\n");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"The workspace '{Root}' cannot be made or written ({error.Message.TrimEnd('.')}); give a folder you can write to.", error);
        }
        RemoveLeftovers();
    }

    /// <summary>
    /// Deletes what a killed process left in tmp/: *.part files (see <see cref="WriteAtomically(string, ReadOnlySpan{byte}, DateTimeOffset?)"/>)
    /// and *.lab folders (see <see cref="ClearLab"/>). Each name starts with its writer's process id, so an entry is
    /// removed only when that process is gone: another process (a notebook, the CLI) may be using it at this very moment.
    /// </summary>
    private void RemoveLeftovers()
    {
        var folder = Path.Combine(Root, "tmp");
        if (!Directory.Exists(folder)) return;
        foreach (var entry in Directory.EnumerateFiles(folder, "*.part").Concat(Directory.EnumerateDirectories(folder, "*" + RetiredLabExtension)))
        {
            var name = Path.GetFileNameWithoutExtension(entry);
            var separator = name.IndexOf('-', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(name.AsSpan(0, separator), out var writer) || WriterIsRunning(writer)) continue;
            try
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Already gone, or not ours to remove.
            }
        }
    }

    private const string RetiredLabExtension = ".lab";

    /// <summary>The folders a workspace keeps its own state in, which no lab may take as its name.</summary>
    private static readonly string[] OwnFolders = ["catalog", "delivery", "lake", "logs", "metrics", "query", "stacks", "startup", "state", "streams", "tmp", "warehouse"];

    /// <summary>
    /// Makes room for a lab: a workspace of its own in the folder <paramref name="name"/> of this one. Whatever an
    /// earlier lab left there is deleted, and the folder's path is returned. The old lab is first moved into tmp/ in
    /// one rename, so a process killed halfway leaves either the whole old lab or none of it. A folder that is not a
    /// workspace (the workshop's own streams/ or lake/, or anything else) is refused, never deleted.
    /// </summary>
    public string ClearLab(string name)
    {
        if (name is null || !LabNamePattern().IsMatch(name))
            throw new ArgumentException($"Lab name '{name}' is not one the kit takes: use 1 to 40 lowercase letters, digits and hyphens, starting with a letter, such as \"lab\" or \"faults-lab\".");
        if (OwnFolders.Contains(name))
            throw new ArgumentException($"Lab name '{name}' is the name of a folder the workspace keeps its own data in ({string.Join(", ", OwnFolders)}). Choose another lab name.");
        var folder = Resolve(name);
        if (File.Exists(folder))
            throw new ArgumentException($"'{name}' in the workspace {Root} is a file, not a lab. Choose another lab name.");
        // An empty folder becomes the lab's workspace as it is.
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any()) return folder;
        if (!File.Exists(Path.Combine(folder, MarkerFileName)))
            throw new ArgumentException($"'{name}' in the workspace {Root} is not a lab (it has no {MarkerFileName} file), so it was left alone. Choose another lab name.");
        var retired = Path.Combine(EnsureFolder("tmp"), $"{Environment.ProcessId}-{Guid.NewGuid():N}{RetiredLabExtension}");
        void Retire()
        {
            Directory.Move(folder, retired);
            try
            {
                Directory.Delete(retired, recursive: true);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The lab's folder is free already; what is left in tmp/ goes when a later process opens the workspace.
            }
        }
        // A session on the old lab may still be open (a notebook's cell run again) and making spare files in its tmp/:
        // none is made while the folder moves and is deleted, and those it made go with the folder.
        if (SpareFiles.InUseFor(folder) is { } spareFiles) spareFiles.PausedWhile(Retire);
        else Retire();
        return folder;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex LabNamePattern();

    private static bool WriterIsRunning(int processId)
    {
        if (processId == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A file that marks a folder as a workspace, so reset never deletes a folder the kit did not make.</summary>
    public const string MarkerFileName = "WORKSPACE";

    /// <summary>Absolute path of the workspace folder.</summary>
    public string Root { get; }

    /// <summary>
    /// WORKSHOP_WORKSPACE if set; otherwise the .workshop/ folder of the nearest folder upwards that has one or
    /// holds workshop.dib (so notebooks in notebooks/ and the entry notebook share one workspace); otherwise
    /// .workshop/ under <paramref name="baseDirectory"/> (default: the current directory).
    /// </summary>
    public static WorkspaceDirectory FromEnvironment(string? baseDirectory = null) => new(LocateRoot(baseDirectory));

    /// <summary>The folder <see cref="FromEnvironment"/> would open, found without making it.</summary>
    public static string LocateRoot(string? baseDirectory = null) => Locate(baseDirectory).Root;

    /// <summary>The folder <see cref="FromEnvironment"/> would open, and why that one, as workshop.Options says it.</summary>
    public static (string Root, string From) Locate(string? baseDirectory = null)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return (Path.GetFullPath(configured), CommandLineEnvironment.From(EnvironmentVariable, configured));
        var start = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            if (Directory.Exists(Path.Combine(folder.FullName, DefaultFolderName)) || File.Exists(Path.Combine(folder.FullName, EntryNotebookName)))
                return (Path.Combine(folder.FullName, DefaultFolderName),
                    folder.FullName == start ? InCurrentFolder : $"default: the nearest folder above with a {DefaultFolderName} or a {EntryNotebookName}");
        }
        return (Path.Combine(start, DefaultFolderName), InCurrentFolder);
    }

    private const string InCurrentFolder = "default: in the current folder";

    /// <summary>The workshop's entry notebook, which marks a workshop's own folder.</summary>
    public const string EntryNotebookName = "workshop.dib";

    /// <summary>
    /// Whether <paramref name="root"/> is the .workshop/ folder beside a workshop.dib: a workshop's own workspace, which
    /// <see cref="LocateRoot"/> finds for every notebook of the workshop and each makes as it connects.
    /// </summary>
    public static bool IsWorkshopsOwn(string root)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        return Path.GetFileName(trimmed) == DefaultFolderName
            && Path.GetDirectoryName(trimmed) is { } folder
            && File.Exists(Path.Combine(folder, EntryNotebookName));
    }

    /// <summary>An existing workspace at <paramref name="root"/>, or null where there is none yet (nothing is made).</summary>
    public static WorkspaceDirectory? OpenExisting(string root) =>
        File.Exists(Path.Combine(root, MarkerFileName)) ? new WorkspaceDirectory(root) : null;

    /// <summary>
    /// Resolves a path made of relative segments (each may contain '/') under the root.
    /// Throws <see cref="WorkspaceEscapeException"/> if the result would leave the workspace.
    /// </summary>
    public string Resolve(params string[] relativeSegments)
    {
        var combined = Root;
        foreach (var segment in relativeSegments)
        {
            if (Path.IsPathRooted(segment))
                throw new WorkspaceEscapeException(segment, Root);
            // A name of "." or ".." steps out of the folder it was meant for while staying in the workspace: a stream named
            // ".." is streams/.., the workspace itself, which deleting the stream would delete.
            if (segment.Split('/', '\\').Any(part => part is "." or ".."))
                throw new WorkspaceEscapeException(string.Join('/', relativeSegments), Root);
            combined = Path.Combine(combined, segment);
        }
        var full = Path.GetFullPath(combined);
        if (!IsInside(full)) throw new WorkspaceEscapeException(string.Join('/', relativeSegments), Root);
        RefuseLinks(full, string.Join('/', relativeSegments));
        return full;
    }

    /// <summary>
    /// Returns <paramref name="fullPath"/> if it lies inside the workspace and no folder or file on the way to it
    /// below the root is a symbolic link (or other reparse point), which could lead anywhere on the machine.
    /// </summary>
    public string Confine(string fullPath)
    {
        var full = Path.GetFullPath(fullPath);
        if (!IsInside(full)) throw new WorkspaceEscapeException(fullPath, Root);
        RefuseLinks(full, fullPath);
        return full;
    }

    private void RefuseLinks(string full, string shown)
    {
        if (full.Length <= Root.Length) return;
        // One look at the whole path, where the system offers it; it also sees the folders above the root.
        var found = linkAboveRoot ? PathLinks.Unknown : LinkFreePath.Look(full);
        if (found == PathLinks.None) return;
        var current = Root;
        foreach (var part in full[Root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (IsLinkOrReparsePoint(current)) throw new WorkspaceEscapeException(shown, Root, Path.GetRelativePath(Root, current));
        }
        // The link the one look met lies above the root, where a link is the user's own business (a home folder on
        // another disk): every path would meet it, so this workspace is checked step by step from here on.
        if (found == PathLinks.Some) linkAboveRoot = true;
    }

    private volatile bool linkAboveRoot;

    /// <summary>
    /// One step of the walk, for paths the one look cannot answer for (see <see cref="LinkFreePath"/>). On Linux and
    /// macOS one readlink, which names a target only for a symbolic link (even one leading nowhere) and nothing for a
    /// folder, a file or a missing entry; reading the entry's attributes costs an lstat and a geteuid (for the read-only
    /// flag) there, 4.3 µs against 2.6 µs on this machine. On Windows the attributes, whose reparse-point flag also
    /// marks junctions.
    /// </summary>
    private static bool IsLinkOrReparsePoint(string path)
    {
        if (!OperatingSystem.IsWindows()) return new FileInfo(path).LinkTarget is not null;
        var attributes = new FileInfo(path).Attributes;
        return (int)attributes != -1 && attributes.HasFlag(FileAttributes.ReparsePoint);
    }

    /// <summary>Resolves a folder under the root and makes sure it exists.</summary>
    public string EnsureFolder(params string[] relativeSegments)
    {
        var path = Resolve(relativeSegments);
        Directory.CreateDirectory(path);
        return path;
    }

    public bool IsInside(string fullPath)
    {
        var root = Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar;
        return fullPath == Root || fullPath.StartsWith(root, StringComparison.Ordinal);
    }

    /// <summary>
    /// Writes a file so that readers see either the old content or the whole new content, never a part:
    /// the bytes go to a temporary file in the workspace and are then renamed over the target.
    /// </summary>
    public void WriteAtomically(string fullPath, ReadOnlySpan<byte> content, DateTimeOffset? lastModified = null) =>
        WriteConfinedAtomically(Confine(fullPath), content, lastModified);

    /// <summary>
    /// <see cref="WriteAtomically(string, ReadOnlySpan{byte}, DateTimeOffset?)"/> for a path <see cref="Confine"/> has
    /// just returned (the lake's puts check each key's path once, not twice).
    /// </summary>
    internal void WriteConfinedAtomically(string fullPath, ReadOnlySpan<byte> content, DateTimeOffset? lastModified)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var stream = OpenTemporaryFile(out var temporary);
        var moved = false;
        try
        {
            // Unbuffered, so the one write happens before the time is set and nothing written later moves it.
            using (stream)
            {
                stream.Write(content);
                if (lastModified is { } stamp) File.SetLastWriteTimeUtc(stream.SafeFileHandle, stamp.UtcDateTime);
            }
            File.Move(temporary, fullPath, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved && File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>How many files the writes under <see cref="MakeTemporaryFilesAhead"/> make themselves before a background thread starts making them.</summary>
    public const int FilesWrittenBeforeMakingAhead = 8;

    /// <summary>
    /// Until the handle is disposed, <see cref="WriteAtomically(string, ReadOnlySpan{byte}, DateTimeOffset?)"/> writes
    /// into empty files that a background thread made ahead in tmp/, instead of making each one as it writes. Making a
    /// file is most of a small write's time on a disk like this machine's (0.05 ms to over 0.5 ms, waiting for the disk),
    /// and the background thread waits while the caller carries on. The files are shared by every handle on the same
    /// workspace in this process, and are made only once the handles' writes have made <see cref="FilesWrittenBeforeMakingAhead"/>
    /// files themselves, so a command that writes a few files makes none ahead. When the last handle is disposed, or the
    /// process ends, the maker stops and the spare files are deleted; a killed process leaves them in tmp/, where the next
    /// start removes them with its other leftovers. A session holds a handle until it is disposed (a notebook run
    /// disposes the sessions its cells opened).
    /// </summary>
    public IDisposable MakeTemporaryFilesAhead() => new SpareFilesHandle(SpareFiles.Use(this));

    private sealed class SpareFilesHandle(SpareFiles pool) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) pool.Release();
        }
    }

    /// <summary>One workspace's spare temporary files in this process, and the background thread that makes them.</summary>
    private sealed class SpareFiles
    {
        private const int Kept = 16;
        private const int Low = 8;
        /// <summary>The pools some handle uses, by workspace root; a pool leaves with its last handle. Locked for each change.</summary>
        private static readonly Dictionary<string, SpareFiles> ByRoot = new(StringComparer.Ordinal);
        private readonly WorkspaceDirectory workspace;
        private readonly ConcurrentQueue<string> files = new();
        private int users;
        private int making;
        private int madeByWrites;

        /// <summary>Held while the maker makes one file, and by <see cref="Stop"/>: once Stop has it, no file is made until a handle asks again.</summary>
        private readonly Lock makingOne = new();

        static SpareFiles() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            SpareFiles[] pools;
            lock (ByRoot) pools = [.. ByRoot.Values];
            foreach (var pool in pools) pool.Stop();
        };

        private SpareFiles(WorkspaceDirectory workspace) => this.workspace = workspace;

        /// <summary>The workspace's pool, made when no handle uses one, with one more user.</summary>
        public static SpareFiles Use(WorkspaceDirectory workspace)
        {
            lock (ByRoot)
            {
                if (!ByRoot.TryGetValue(workspace.Root, out var pool)) ByRoot[workspace.Root] = pool = new SpareFiles(workspace);
                Volatile.Write(ref pool.users, pool.users + 1);
                return pool;
            }
        }

        /// <summary>The workspace's spare files when some handle wants them made.</summary>
        public static SpareFiles? InUseFor(string root)
        {
            lock (ByRoot) return ByRoot.GetValueOrDefault(root);
        }

        private bool InUse => Volatile.Read(ref users) > 0;

        /// <summary>One user fewer; the last one takes the pool out and stops it.</summary>
        public void Release()
        {
            lock (ByRoot)
            {
                Volatile.Write(ref users, users - 1);
                if (users > 0) return;
                ByRoot.Remove(workspace.Root);
            }
            Stop();
        }

        /// <summary>
        /// Waits for a file being made to be made (the maker looks at the user count before each file, under the same
        /// lock), then deletes the spare files. A maker that has not started yet makes none, and the pool is not used
        /// again: the next handle on the workspace gets a new one.
        /// </summary>
        private void Stop()
        {
            lock (makingOne) { }
            while (files.TryDequeue(out var spare))
            {
                try { File.Delete(spare); }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException) { /* left for the next start's sweep */ }
            }
        }

        /// <summary>Runs <paramref name="action"/> (a lab's folder retired) with no file being made, then forgets the files made.</summary>
        public void PausedWhile(Action action)
        {
            lock (makingOne)
            {
                action();
                files.Clear();
            }
        }

        /// <summary>An empty file made ahead, opened for writing; null when none is left.</summary>
        public FileStream? Take(out string path)
        {
            while (files.TryDequeue(out var spare))
            {
                try
                {
                    path = spare;
                    return new FileStream(spare, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 0);
                }
                catch (IOException)
                {
                    // Gone with the workspace (a reset): try the next.
                }
            }
            path = "";
            Interlocked.Increment(ref madeByWrites);
            return null;
        }

        /// <summary>Starts the background making of spare files when they run low and no maker is at work.</summary>
        public void MakeMore()
        {
            if (Volatile.Read(ref madeByWrites) < FilesWrittenBeforeMakingAhead || files.Count >= Low || Interlocked.Exchange(ref making, 1) == 1) return;
            _ = Task.Run(() =>
            {
                try
                {
                    // Only into a tmp/ that exists: a workspace deleted meanwhile is not made again from here.
                    var folder = workspace.Resolve("tmp");
                    while (files.Count < Kept)
                    {
                        lock (makingOne)
                        {
                            if (!InUse || !Directory.Exists(folder)) break;
                            CreateTemporaryFile(folder, out var spare).Dispose();
                            files.Enqueue(spare);
                        }
                    }
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException or WorkspaceEscapeException)
                {
                    // The workspace is going away, or tmp/ is no longer a plain folder; writes make their own files meanwhile.
                }
                finally
                {
                    Volatile.Write(ref making, 0);
                }
            });
        }
    }

    private FileStream OpenTemporaryFile(out string temporary)
    {
        var pool = SpareFiles.InUseFor(Root);
        var file = pool?.Take(out temporary) ?? CreateTemporaryFile(EnsureFolder("tmp"), out temporary);
        // Started once this write has its own file, in a tmp/ that exists: the spare files come after it.
        pool?.MakeMore();
        return file;
    }

    /// <summary>A new empty file in tmp/, named for this process so the next start can tell a leftover (see <see cref="RemoveLeftovers"/>).</summary>
    private static FileStream CreateTemporaryFile(string folder, out string path)
    {
        path = Path.Combine(folder, $"{Environment.ProcessId}-{Guid.NewGuid():N}.part");
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
    }

    public void WriteAtomically(string fullPath, string text, DateTimeOffset? lastModified = null) =>
        WriteAtomically(fullPath, Encoding.UTF8.GetBytes(text), lastModified);

    /// <summary>
    /// Holds the lock file at <paramref name="relativeSegments"/> until disposed: an exclusive open, which .NET turns into
    /// flock() on Linux, so the processes that share the workspace take turns. Waits up to a minute for another's turn.
    /// </summary>
    public FileStream Lock(params string[] relativeSegments)
    {
        var path = Resolve(relativeSegments);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 3000)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Deletes the whole workspace. Refuses a folder that lacks the workspace marker.</summary>
    public void Delete()
    {
        if (!Directory.Exists(Root)) return;
        var marker = Path.Combine(Root, MarkerFileName);
        if (!File.Exists(marker))
            throw new InvalidOperationException($"{Root} does not look like a workshop workspace (no {MarkerFileName} file), so it was left alone. Delete it by hand if you are sure.");
        // The marker goes last: a deletion stopped halfway (a file another program holds open on Windows) leaves a
        // workspace the kit still knows as its own, and 'workshop reset' can finish the job.
        foreach (var entry in Directory.EnumerateFileSystemEntries(Root).Where(entry => entry != marker).ToList())
        {
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
        }
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>What a file manager leaves in any folder it shows (Finder's .DS_Store, Explorer's Thumbs.db and desktop.ini): a folder of only these is empty.</summary>
    private static readonly HashSet<string> FolderLitter = new(StringComparer.OrdinalIgnoreCase) { ".DS_Store", "Thumbs.db", "desktop.ini" };

    public override string ToString() => Root;

    private string Headline => $"Workspace: {Root}";

    /// <summary>In a notebook, the folder and its calls rather than an object tree; ToString() stays the path alone.</summary>
    public string ToHtml() => $"<div style=\"{Display.HtmlTable.Style}\">📁 {Display.HtmlTable.Encode(Headline)}</div>" + Calls.ToHtml();

    public string ToText() => Headline + "\n" + Calls;

    private static readonly Display.CallsView Calls = new(
        "workshop.Workspace: the folder that holds the local stream, lake, catalog, stacks and clock", [
        ("Root", "the folder's full path"),
        ("Resolve(parts)", "the full path of a file or folder in it, such as Resolve(\"lake\")"),
    ], $"'workshop reset' deletes it. WorkshopOptions.WorkspacePath or {EnvironmentVariable} chooses another.", secondHeader: "What it does");
}

/// <summary>Raised when a name or key would resolve to a path outside the workspace.</summary>
public sealed class WorkspaceEscapeException : InvalidOperationException
{
    public WorkspaceEscapeException(string value, string root)
        : base($"'{value}' would resolve outside its place in the workspace {root}. Use a name without '.' or '..' segments or a leading '/'.") => Value = value;

    public WorkspaceEscapeException(string value, string root, string link)
        : base($"'{value}' would resolve outside the workspace {root}: '{link}' is a symbolic link, and the kit follows no links. Remove the link.")
    {
        Value = value;
        Link = Path.Combine(root, link);
    }

    public string Value { get; }

    /// <summary>The full path of the symbolic link found on the way, when that is why the path was refused.</summary>
    public string? Link { get; }
}
