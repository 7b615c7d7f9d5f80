using System.Reflection;
using System.Runtime.InteropServices;
using DuckDB.NET.Data;

namespace StreamingWorkshop.Query;

/// <summary>
/// The files a DuckDB engine opened, taken from its file-system log as DuckDB writes each entry: a log storage of the
/// kit's own, registered through DuckDB's C API, receives every entry in a callback. Knowing what a query read then
/// costs no statement: emptying the log table before a query and reading it after took two, about half a millisecond
/// on every query, a sixth of a pruned query's time.
/// </summary>
internal sealed class OpenedFiles
{
    /// <summary>The name the storage is registered under, in the engine's own database.</summary>
    internal const string StorageName = "opened_files";

    private readonly Lock sync = new();
    private readonly List<string> paths = [];

    /// <summary>Forgets the files opened so far: <see cref="Paths"/> then lists those opened from now on.</summary>
    public void Clear()
    {
        lock (sync) paths.Clear();
    }

    /// <summary>Every file opened since <see cref="Clear"/>, in the order DuckDB opened them, once per opening.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (sync) return paths.ToArray();
        }
    }

    /// <summary>
    /// Registers this as the engine's log storage. The file-system log is then turned on with
    /// <c>CALL enable_logging('FileSystem', storage = 'opened_files')</c>, before the engine's settings are locked.
    /// </summary>
    public void Attach(DuckDBConnection engine)
    {
        var storage = NativeLog.duckdb_create_log_storage();
        try
        {
            NativeLog.duckdb_log_storage_set_name(storage, StorageName);
            NativeLog.duckdb_log_storage_set_write_log_entry(storage, WriteEntryPointer);
            // The storage holds this object until DuckDB closes the database and calls the release callback.
            NativeLog.duckdb_log_storage_set_extra_data(storage, GCHandle.ToIntPtr(GCHandle.Alloc(this)), ReleasePointer);
            if (NativeLog.duckdb_register_log_storage(DatabaseHandle(engine), storage) != 0)
                throw new InvalidOperationException($"DuckDB refused the log storage '{StorageName}', so the engine could not tell which files a query reads.");
        }
        finally
        {
            // Frees the description; a registered storage lives on in the database (or, refused, releases this here).
            NativeLog.duckdb_destroy_log_storage(ref storage);
        }
    }

    /// <summary>
    /// The path of a file-system log entry that opened a file; null for any other entry. DuckDB writes the path into the
    /// entry as it is, without escaping (a quote in an object's key stays a bare quote, which no JSON parser accepts), so
    /// the entry is read by its layout, <c>{"fs":"...","path":"...","op":"OPEN"}</c>, and the path is all between.
    /// </summary>
    internal static string? OpenedPath(string message)
    {
        const string fileSystem = "{\"fs\":\"";
        const string pathField = "\",\"path\":\"";
        const string opened = "\",\"op\":\"OPEN\"}";
        if (!message.StartsWith(fileSystem, StringComparison.Ordinal) || !message.EndsWith(opened, StringComparison.Ordinal)) return null;
        var start = message.IndexOf(pathField, fileSystem.Length, StringComparison.Ordinal);
        if (start < 0) return null;
        start += pathField.Length;
        var end = message.Length - opened.Length;
        return end > start ? message[start..end] : null;
    }

    /// <summary>
    /// The native handle of the engine's database, which the C API registers storages on. DuckDB.NET keeps it behind its
    /// connection without exposing it; a version that keeps it elsewhere fails here, at the engine's start, by name.
    /// </summary>
    private static IntPtr DatabaseHandle(DuckDBConnection engine)
    {
        const BindingFlags members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var reference = typeof(DuckDBConnection).GetField("connectionReference", members)?.GetValue(engine);
        var file = reference?.GetType().GetProperty("FileReferenceCounter", members)?.GetValue(reference);
        if (file?.GetType().GetProperty("Database", members)?.GetValue(file) is SafeHandle { IsInvalid: false } database)
            return database.DangerousGetHandle();
        throw new InvalidOperationException(
            $"DuckDB.NET {typeof(DuckDBConnection).Assembly.GetName().Version} does not keep its database handle where the kit looks for it, " +
            "so the engine cannot tell which files a query reads. Use the DuckDB.NET.Data.Full version Directory.Packages.props names.");
    }

    private delegate void WriteEntry(IntPtr state, IntPtr timestamp, IntPtr level, IntPtr logType, IntPtr message);

    private delegate void Release(IntPtr state);

    // Held for the life of the process: native code calls them through these pointers.
    private static readonly WriteEntry WriteEntryCallback = OnEntry;
    private static readonly Release ReleaseCallback = OnRelease;
    private static readonly IntPtr WriteEntryPointer = Marshal.GetFunctionPointerForDelegate(WriteEntryCallback);
    private static readonly IntPtr ReleasePointer = Marshal.GetFunctionPointerForDelegate(ReleaseCallback);

    private static void OnEntry(IntPtr state, IntPtr timestamp, IntPtr level, IntPtr logType, IntPtr message)
    {
        // Nothing may be thrown back into DuckDB's native frames.
        try
        {
            if (Marshal.PtrToStringUTF8(message) is not { } text || OpenedPath(text) is not { } path) return;
            if (GCHandle.FromIntPtr(state).Target is not OpenedFiles files) return;
            lock (files.sync) files.paths.Add(path);
        }
        catch
        {
            // An entry that cannot be read is one file fewer counted, never a crashed process.
        }
    }

    private static void OnRelease(IntPtr state)
    {
        try
        {
            GCHandle.FromIntPtr(state).Free();
        }
        catch
        {
            // Already released: nothing to do.
        }
    }

    /// <summary>DuckDB's C API for log storages (stable since 1.5.6), in the native library DuckDB.NET loads.</summary>
    private static class NativeLog
    {
        private const string Library = "duckdb";

        [DllImport(Library)]
        public static extern IntPtr duckdb_create_log_storage();

        [DllImport(Library)]
        public static extern void duckdb_destroy_log_storage(ref IntPtr storage);

        [DllImport(Library)]
        public static extern void duckdb_log_storage_set_name(IntPtr storage, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

        [DllImport(Library)]
        public static extern void duckdb_log_storage_set_write_log_entry(IntPtr storage, IntPtr function);

        [DllImport(Library)]
        public static extern void duckdb_log_storage_set_extra_data(IntPtr storage, IntPtr data, IntPtr release);

        [DllImport(Library)]
        public static extern int duckdb_register_log_storage(IntPtr database, IntPtr storage);
    }
}
