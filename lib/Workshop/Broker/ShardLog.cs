using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace StreamingWorkshop.Broker;

/// <summary>
/// One shard's records: an append-only file of frames
/// <c>[payload length u32][CRC-32 of payload u32][payload]</c>, the payload being
/// <c>[record number i64][arrival ticks i64][key length u16][key UTF-8][data]</c>.
/// Record numbers run 1, 2, 3... in file order; the sequence number is built from it.
/// A frame is whole only if its checksum matches, so a tail torn by a killed writer is found and cut on open.
/// Appends happen under the stream's cross-process lock (see <see cref="LocalStreamService"/>), which first catches
/// this index up whenever another writer appended since; reads catch up on every look past the index.
/// </summary>
internal sealed class ShardLog : IDisposable
{
    private const int HeaderSize = 8;
    private const int FixedPayloadSize = 8 + 8 + 2;

    private readonly string path;
    private readonly FileStream appender;
    private readonly SafeFileHandle appendHandle;
    private readonly SafeFileHandle reader;
    private readonly object sync = new();
    private long[] offsets = new long[1024];
    private long[] arrivals = new long[1024];
    private int count;
    private long indexedLength;

    /// <summary>
    /// Records before this index are left out of <see cref="offsets"/> and <see cref="arrivals"/> (entry i is record
    /// forgotten + i): they are past the stream's retention period, so a year of records does not stay in memory. A look
    /// at one of them indexes the whole file again, so nothing is ever answered differently.
    /// </summary>
    private int forgotten;

    /// <summary>The arrival of the newest forgotten record: a search for a later arrival never needs them back.</summary>
    private long lastForgottenArrival;

    /// <summary>Records are forgotten only this many at a time, and only when they are at least half the index.</summary>
    private const int ForgetAtLeast = 4096;

    /// <summary>
    /// The frames of this log's latest appends, the file's bytes [recentStart, recentEnd): a consumer in the same process
    /// (a delivery reading what the producer just put) reads them from here rather than from the file. A new run of
    /// appends starts when the next one would pass <see cref="RecentCapacity"/> or frames from elsewhere came between.
    /// </summary>
    private byte[] recent = [];
    private long recentStart, recentEnd;
    private const int RecentCapacity = 16 * 1024;

    public ShardLog(string path)
    {
        this.path = path;
        appender = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        appendHandle = appender.SafeFileHandle;
        reader = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }

    public int Count
    {
        get { lock (sync) return count; }
    }

    /// <summary>
    /// Indexes frames appended since the last look. With <paramref name="cutTornTail"/> (only under the append
    /// lock) a partial or corrupt frame at the end is removed: it can only be a write that never completed,
    /// and so never acknowledged.
    /// </summary>
    public void CatchUp(bool cutTornTail)
    {
        lock (sync)
        {
            var length = RandomAccess.GetLength(reader);
            if (length == indexedLength) return;
            var buffer = new byte[Math.Min(length - indexedLength, 1 << 22)];
            var position = indexedLength;
            while (position < length)
            {
                var read = RandomAccess.Read(reader, buffer, position);
                var span = buffer.AsSpan(0, read);
                var consumed = 0;
                while (span.Length - consumed >= HeaderSize)
                {
                    var payloadLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[consumed..]);
                    if (payloadLength < FixedPayloadSize || payloadLength > 2 * 1024 * 1024) goto torn;
                    if (span.Length - consumed < HeaderSize + payloadLength)
                    {
                        if (consumed == 0)
                        {
                            if (position + HeaderSize + payloadLength > length) goto torn;
                            buffer = new byte[HeaderSize + payloadLength];
                        }
                        break;
                    }
                    var payload = span.Slice(consumed + HeaderSize, payloadLength);
                    if (Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(span[(consumed + 4)..])) goto torn;
                    var number = BinaryPrimitives.ReadInt64LittleEndian(payload);
                    if (number != count + 1) goto torn;
                    Add(position + consumed, BinaryPrimitives.ReadInt64LittleEndian(payload[8..]));
                    consumed += HeaderSize + payloadLength;
                    indexedLength = position + consumed;
                }
                if (consumed == 0 && read < HeaderSize) goto torn;
                position += consumed;
                if (read == 0) break;
            }
            return;

        torn:
            if (!cutTornTail) return; // another process may still be writing that frame; look again later
            appender.SetLength(indexedLength);
            appender.Flush(flushToDisk: true);
        }
    }

    private void Add(long offset, long arrivalTicks)
    {
        var held = count - forgotten;
        if (held == offsets.Length)
        {
            Array.Resize(ref offsets, held * 2);
            Array.Resize(ref arrivals, held * 2);
        }
        offsets[held] = offset;
        arrivals[held] = arrivalTicks;
        count++;
    }

    /// <summary>
    /// Appends records and returns the first record number. The caller holds the stream's append lock and knows the
    /// index is whole: it called <see cref="CatchUp"/> since any other writer appended. Returns after the bytes are
    /// handed to the operating system, which is what a killed process needs; an fsync per put would guard against
    /// power loss only, at a large cost.
    /// </summary>
    public long Append(IReadOnlyList<(string Key, ReadOnlyMemory<byte> Data)> records, long arrivalTicks)
    {
        lock (sync)
        {
            if (count > 0 && arrivals[count - 1 - forgotten] > arrivalTicks) arrivalTicks = arrivals[count - 1 - forgotten];
            var first = count + 1L;
            var size = 0L;
            foreach (var (key, data) in records) size += HeaderSize + FixedPayloadSize + Encoding.UTF8.GetByteCount(key) + data.Length;
            // Every frame of the call goes to the file in one positioned write: one system call per shard and call.
            var frames = ArrayPool<byte>.Shared.Rent(checked((int)size));
            try
            {
                var offset = indexedLength;
                var position = 0;
                foreach (var (key, data) in records)
                {
                    var payload = frames.AsSpan(position + HeaderSize);
                    BinaryPrimitives.WriteInt64LittleEndian(payload, count + 1);
                    BinaryPrimitives.WriteInt64LittleEndian(payload[8..], arrivalTicks);
                    var keyLength = Encoding.UTF8.GetBytes(key, payload[FixedPayloadSize..]);
                    BinaryPrimitives.WriteUInt16LittleEndian(payload[16..], (ushort)keyLength);
                    data.Span.CopyTo(payload[(FixedPayloadSize + keyLength)..]);
                    var payloadLength = FixedPayloadSize + keyLength + data.Length;
                    BinaryPrimitives.WriteUInt32LittleEndian(frames.AsSpan(position), (uint)payloadLength);
                    BinaryPrimitives.WriteUInt32LittleEndian(frames.AsSpan(position + 4), Crc32.HashToUInt32(payload[..payloadLength]));
                    Add(offset + position, arrivalTicks);
                    position += HeaderSize + payloadLength;
                }
                try
                {
                    RandomAccess.Write(appendHandle, frames.AsSpan(0, position), offset);
                }
                catch
                {
                    // Nothing of this call is acknowledged: forget its frames (a part written is a torn tail, cut later).
                    count = (int)(first - 1);
                    throw;
                }
                indexedLength = offset + position;
                KeepRecent(frames.AsSpan(0, position), offset);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frames);
            }
            return first;
        }
    }

    /// <summary>Adds frames just written at <paramref name="offset"/> to the recent ones (the caller holds the lock).</summary>
    private void KeepRecent(ReadOnlySpan<byte> frames, long offset)
    {
        if (offset != recentEnd || recentEnd - recentStart + frames.Length > RecentCapacity)
        {
            recentStart = recentEnd = offset;
            if (frames.Length > RecentCapacity) return;
        }
        var held = (int)(recentEnd - recentStart);
        if (recent.Length < held + frames.Length)
            Array.Resize(ref recent, Math.Min(RecentCapacity, Math.Max(held + frames.Length, recent.Length * 2)));
        frames.CopyTo(recent.AsSpan(held));
        recentEnd += frames.Length;
    }

    public long ArrivalTicks(int index)
    {
        lock (sync)
        {
            if (index < forgotten) Remember();
            return arrivals[index - forgotten];
        }
    }

    /// <summary>First index whose arrival is at or after <paramref name="ticks"/> (Count if none).</summary>
    public int FirstArrivalAtOrAfter(long ticks)
    {
        lock (sync)
        {
            // An answer among the forgotten records needs them back.
            if (forgotten > 0 && lastForgottenArrival >= ticks) Remember();
            int low = forgotten, high = count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (arrivals[middle - forgotten] < ticks) low = middle + 1;
                else high = middle;
            }
            return low;
        }
    }

    /// <summary>Reads records [from, from + max) (by index), stopping early past <paramref name="maxBytes"/>.</summary>
    public List<StoredRecord> Read(int from, int max, long maxBytes)
    {
        long start, end;
        int last;
        byte[]? recentCopy = null;
        lock (sync)
        {
            last = Math.Min(count, from + max);
            if (from >= last) return [];
            if (from < forgotten) Remember();
            start = offsets[from - forgotten];
            end = last == count ? indexedLength : offsets[last - forgotten];
            if (end - start > maxBytes)
            {
                // Whole records within the byte budget, and always at least one.
                var cut = from + 1;
                while (cut < last && EndOfRecord(cut) - start <= maxBytes) cut++;
                last = cut;
                end = EndOfRecord(last - 1);
            }
            if (start >= recentStart && end <= recentEnd)
                recentCopy = recent.AsSpan((int)(start - recentStart), (int)(end - start)).ToArray();
        }
        if (recentCopy is not null) return Parse(recentCopy, from, last);
        var buffer = new byte[end - start];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = RandomAccess.Read(reader, buffer.AsSpan(filled), start + filled);
            if (read == 0) throw new IOException($"The shard log {path} is shorter than its index; it was changed outside the kit.");
            filled += read;
        }
        return Parse(buffer, from, last);
    }

    /// <summary>The records [from, last) whose frames fill <paramref name="buffer"/>, which they then refer to.</summary>
    private static List<StoredRecord> Parse(byte[] buffer, int from, int last)
    {
        var records = new List<StoredRecord>(last - from);
        var position = 0;
        for (var index = from; index < last; index++)
        {
            var payloadLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(position));
            var payload = buffer.AsMemory(position + HeaderSize, payloadLength);
            var span = payload.Span;
            var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(span[16..]);
            records.Add(new StoredRecord(
                BinaryPrimitives.ReadInt64LittleEndian(span),
                BinaryPrimitives.ReadInt64LittleEndian(span[8..]),
                Encoding.UTF8.GetString(span.Slice(FixedPayloadSize, keyLength)),
                payload[(FixedPayloadSize + keyLength)..]));
            position += HeaderSize + payloadLength;
        }
        return records;
    }

    private long EndOfRecord(int index) => index + 1 == count ? indexedLength : offsets[index + 1 - forgotten];

    /// <summary>
    /// Leaves the records before <paramref name="index"/> (past the retention period) out of the in-memory index. The
    /// newest record is always kept: a closed shard's age is read from it. Cheap to call often: it works only when at
    /// least <see cref="ForgetAtLeast"/> records, and half the index, can go.
    /// </summary>
    public void ForgetBefore(int index)
    {
        lock (sync)
        {
            index = Math.Min(index, count - 1);
            var drop = index - forgotten;
            if (drop < ForgetAtLeast || drop * 2 < count - forgotten) return;
            var keep = count - index;
            var capacity = Math.Max(1024, (int)BitOperations.RoundUpToPowerOf2((uint)keep * 2));
            var keptOffsets = new long[capacity];
            var keptArrivals = new long[capacity];
            Array.Copy(offsets, drop, keptOffsets, 0, keep);
            Array.Copy(arrivals, drop, keptArrivals, 0, keep);
            lastForgottenArrival = arrivals[drop - 1];
            (offsets, arrivals, forgotten) = (keptOffsets, keptArrivals, index);
        }
    }

    /// <summary>Indexes the whole file again, forgotten records included (the caller holds the lock).</summary>
    private void Remember()
    {
        (offsets, arrivals, count, indexedLength, forgotten) = (new long[Math.Max(1024, count)], new long[Math.Max(1024, count)], 0, 0, 0);
        CatchUp(cutTornTail: false);
    }

    public void Dispose()
    {
        appender.Dispose();
        reader.Dispose();
    }
}

internal readonly record struct StoredRecord(long Number, long ArrivalTicks, string PartitionKey, ReadOnlyMemory<byte> Data);
