using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace StreamingWorkshop.Broker;

/// <summary>
/// Kinesis routing: the 128-bit hash-key space is split evenly between shards, and a record goes to the shard
/// whose range holds MD5(partition key) read as a big-endian unsigned integer, or its ExplicitHashKey.
/// </summary>
public static class HashKeys
{
    /// <summary>Shard i starts at floor(i * 2^128 / n) and ends just before the next shard's start; the last ends at 2^128 - 1.</summary>
    public static (UInt128 Start, UInt128 End)[] SplitEvenly(int shardCount)
    {
        var keySpace = BigInteger.One << 128;
        var ranges = new (UInt128, UInt128)[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            var start = keySpace * i / shardCount;
            var end = i == shardCount - 1 ? keySpace - 1 : keySpace * (i + 1) / shardCount - 1;
            ranges[i] = ((UInt128)start, (UInt128)end);
        }
        return ranges;
    }

    public static UInt128 FromPartitionKey(string partitionKey)
    {
        Span<byte> hash = stackalloc byte[16];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(partitionKey.Length);
        Span<byte> utf8 = maxBytes <= 1024 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(partitionKey, utf8);
        MD5.HashData(utf8[..length], hash);
        return BinaryPrimitives.ReadUInt128BigEndian(hash);
    }

    /// <summary>Index of the range holding <paramref name="hashKey"/>; <paramref name="starts"/> are the ranges' starting keys in order.</summary>
    public static int ShardIndexFor(UInt128 hashKey, ReadOnlySpan<UInt128> starts)
    {
        int low = 0, high = starts.Length - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (starts[middle] <= hashKey) low = middle;
            else high = middle - 1;
        }
        return low;
    }
}
