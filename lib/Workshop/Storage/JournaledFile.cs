using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace StreamingWorkshop.Storage;

/// <summary>
/// A small state file that is saved very often: a replay's progress after every producer minute, a delivery stream's
/// checkpoints after every flush round. Replacing a file by renaming a new one over it makes ext4 write the new
/// file's blocks out there and then (its safeguard for replace-by-rename), about a millisecond a time, and a year
/// of replay saves half a million times. So a save appends one checksummed frame,
/// <c>[content length u32][CRC-32 of content u32][content]</c>, to <c>&lt;file&gt;.journal</c> beside the file,
/// and every <see cref="FoldEvery"/> saves the latest content replaces the file itself and the journal starts empty.
/// <para>
/// Readers (<see cref="Read"/>) take the journal's last whole frame, else the file. A process killed mid-append
/// leaves a torn frame, which fails its checksum and is skipped; the frame before it is the last save. The journal
/// is emptied only after the file holds its latest content, so a reader never sees older content than a save it
/// could have seen before. One writer per file at a time, as with the file itself.
/// </para>
/// </summary>
public sealed class JournaledFile : IDisposable
{
    /// <summary>Saves between two replacements of the file (which keeps the journal to a few hundred KB).</summary>
    public const int FoldEvery = 1000;

    private const int HeaderSize = 8;

    /// <summary>What a file's journal adds to its name: state/simulation.json is journaled in state/simulation.json.journal.</summary>
    public const string JournalExtension = ".journal";

    private readonly WorkspaceDirectory workspace;
    private readonly string path;
    private FileStream? journal;
    private int framesInJournal;
    private byte[]? latest;

    /// <param name="fullPath">The state file, inside <paramref name="workspace"/> (resolved through it by the caller).</param>
    public JournaledFile(WorkspaceDirectory workspace, string fullPath)
    {
        this.workspace = workspace;
        path = workspace.Confine(fullPath);
    }

    /// <summary>The latest saved content: the journal's last whole frame, else the file; null when neither exists.</summary>
    public static byte[]? Read(WorkspaceDirectory workspace, string fullPath)
    {
        var file = workspace.Confine(fullPath);
        var journalPath = file + JournalExtension;
        if (File.Exists(journalPath))
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(journalPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                bytes = new byte[stream.Length];
                bytes = bytes[..stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false)];
            }
            catch (FileNotFoundException)
            {
                bytes = [];
            }
            if (LastFrame(bytes) is { } latest) return latest;
        }
        return File.Exists(file) ? File.ReadAllBytes(file) : null;
    }

    /// <summary>The content of the last whole frame of a journal, or null when it holds none.</summary>
    private static byte[]? LastFrame(ReadOnlySpan<byte> journal)
    {
        Range? last = null;
        var position = 0;
        while (journal.Length - position >= HeaderSize)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(journal[position..]);
            if (length > journal.Length - position - HeaderSize) break;
            var content = journal.Slice(position + HeaderSize, (int)length);
            if (Crc32.HashToUInt32(content) != BinaryPrimitives.ReadUInt32LittleEndian(journal[(position + 4)..])) break;
            last = new Range(position + HeaderSize, position + HeaderSize + (int)length);
            position += HeaderSize + (int)length;
        }
        return last is { } range ? journal[range].ToArray() : null;
    }

    /// <summary>Saves <paramref name="content"/> as the file's latest content (one append, and now and then a replacement).</summary>
    public void Save(ReadOnlySpan<byte> content)
    {
        Append(content);
        if (framesInJournal >= FoldEvery) Fold(content);
    }

    /// <summary>Saves <paramref name="content"/> and replaces the file with it at once (a run's start and end).</summary>
    public void Replace(ReadOnlySpan<byte> content)
    {
        Append(content);
        Fold(content);
    }

    private void Append(ReadOnlySpan<byte> content)
    {
        if (journal is null) Open();
        var frame = ArrayPool<byte>.Shared.Rent(HeaderSize + content.Length);
        try
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)content.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.HashToUInt32(content));
            content.CopyTo(frame.AsSpan(HeaderSize));
            // One write call per frame: a killed process leaves at most this frame torn.
            journal!.Write(frame, 0, HeaderSize + content.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
        framesInJournal++;
        latest = content.ToArray();
    }

    /// <summary>
    /// The file takes the latest content, then the journal is emptied. Its last frame holds the same content, so a
    /// reader sees the latest content at every step, and so does the next writer after a kill at any step.
    /// </summary>
    private void Fold(ReadOnlySpan<byte> content)
    {
        workspace.WriteAtomically(path, content);
        journal!.SetLength(0);
        journal.Seek(0, SeekOrigin.Begin);
        framesInJournal = 0;
    }

    /// <summary>
    /// Opens the journal for appending. What an earlier writer left in it (a killed run's saves) is folded into the file
    /// first, so appends never follow a torn frame.
    /// </summary>
    private void Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        journal = new FileStream(workspace.Confine(path + JournalExtension), FileMode.OpenOrCreate, FileAccess.ReadWrite,
            FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        if (journal.Length == 0) return;
        var left = Read(workspace, path);
        if (left is not null) workspace.WriteAtomically(path, left);
        journal.SetLength(0);
    }

    /// <summary>Folds the latest save into the file, so between runs the file alone says where things stand.</summary>
    public void Dispose()
    {
        if (journal is not null && framesInJournal > 0 && latest is not null) Fold(latest);
        journal?.Dispose();
        journal = null;
    }
}
