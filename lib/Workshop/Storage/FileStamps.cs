using System.Runtime.InteropServices;
using static StreamingWorkshop.Storage.LinuxFileCalls;

namespace StreamingWorkshop.Storage;

/// <summary>
/// The length and last-write time of many files, read as <see cref="FileInfo"/> reads them. On Linux each file is
/// read with one statx relative to its folder, kept open while the paths stay in it: a lake object's path is a dozen
/// folders deep, and an lstat resolves all of them again for every object (4.5 µs a file through FileInfo here,
/// against 2.1 µs). A warm query engine reads the stamps of every object a table holds before each query, thousands
/// of them. .NET has no such call, so the kit makes it itself; anything but a plain file (a link, a folder, a missing
/// entry), and any other system, is left to FileInfo, so every answer is FileInfo's.
/// </summary>
internal sealed class FileStamps : IDisposable
{
    private const uint Wanted = 0x1 | 0x40 | 0x200; // STATX_TYPE, STATX_MTIME, STATX_SIZE
    private const ushort TypeBits = 0xF000;
    private const ushort PlainFile = 0x8000;

    private static volatile bool refused;

    private string? folder;
    private int folderHandle = -1;

    public bool TryRead(string path, out long length, out DateTime lastWriteUtc)
    {
        if (Available && !refused && TryStatx(path, out length, out lastWriteUtc)) return true;
        var file = new FileInfo(path);
        length = 0;
        lastWriteUtc = default;
        if (!file.Exists) return false;
        length = file.Length;
        lastWriteUtc = file.LastWriteTimeUtc;
        return true;
    }

    private bool TryStatx(string path, out long length, out DateTime lastWriteUtc)
    {
        length = 0;
        lastWriteUtc = default;
        var cut = path.LastIndexOf('/');
        if (cut <= 0 || cut == path.Length - 1) return false;
        if (!path.AsSpan(0, cut).SequenceEqual(folder))
        {
            CloseFolder();
            var parent = path[..cut];
            folderHandle = Open(parent, PathOnly | CloseOnExec);
            if (folderHandle < 0) return false;
            folder = parent;
        }
        int result;
        LinuxFileCalls.Statx stamp;
        try
        {
            result = StatxAt(folderHandle, path[(cut + 1)..], NoFollow, Wanted, out stamp);
        }
        catch (EntryPointNotFoundException)
        {
            refused = true; // a C library older than statx (glibc 2.28)
            return false;
        }
        if (result != 0)
        {
            if (CallRefused(Marshal.GetLastPInvokeError())) refused = true;
            return false;
        }
        if ((stamp.Mask & Wanted) != Wanted || (stamp.Mode & TypeBits) != PlainFile) return false;
        length = (long)stamp.Size;
        lastWriteUtc = DateTime.UnixEpoch.AddTicks(stamp.LastWriteSeconds * TimeSpan.TicksPerSecond + stamp.LastWriteNanoseconds / 100);
        return true;
    }

    private void CloseFolder()
    {
        if (folderHandle >= 0) Close(folderHandle);
        folderHandle = -1;
        folder = null;
    }

    public void Dispose() => CloseFolder();
}
