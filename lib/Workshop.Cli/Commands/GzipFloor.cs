using System.Diagnostics;
using System.IO.Compression;
using StreamingWorkshop.Delivery;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// The floor of a delivery: the same objects (the same count and keys, each with the same lines) gzipped at the
/// delivery's level and written as plain files by one loop, each at its key, so under the same partition folders.
/// No stream, no checkpoints, no temporary file and rename, no metrics: what writing those objects costs at the least
/// on this machine.
/// </summary>
internal static class GzipFloor
{
    /// <summary>What the floor wrote: objects, their uncompressed and compressed bytes, and the time its loop took.</summary>
    public readonly record struct Result(long Objects, long Bytes, long CompressedBytes, TimeSpan Elapsed);

    /// <summary>
    /// Writes every object under <paramref name="lakeFolder"/> again into <paramref name="floorFolder"/>. Reading and
    /// decompressing the lake's objects is outside the timed part; gzip and File.WriteAllBytes are inside it.
    /// </summary>
    public static Result Measure(string lakeFolder, string floorFolder)
    {
        Directory.CreateDirectory(floorFolder);
        long objects = 0, bytes = 0, compressed = 0, ticks = 0;
        var content = new MemoryStream();
        foreach (var file in Directory.EnumerateFiles(lakeFolder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            content.SetLength(0);
            using (var source = File.OpenRead(file))
            {
                if (file.EndsWith(".gz", StringComparison.Ordinal)) { using var gunzip = new GZipStream(source, CompressionMode.Decompress); gunzip.CopyTo(content); }
                else source.CopyTo(content);
            }
            var target = Path.Combine(floorFolder, Path.GetRelativePath(lakeFolder, file));
            var started = Stopwatch.GetTimestamp();
            var body = LocalDeliveryStream.Gzip(content.GetBuffer().AsMemory(0, (int)content.Length));
            // The object's key names its partition folders, as on the lake; making them is part of writing it.
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, body.Span);
            ticks += Stopwatch.GetTimestamp() - started;
            objects++;
            bytes += content.Length;
            compressed += body.Length;
        }
        return new Result(objects, bytes, compressed, Stopwatch.GetElapsedTime(0, ticks));
    }
}
