using System.Globalization;
using System.Text;
using StreamingWorkshop.Display;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Metrics;

/// <summary>
/// The datapoints the local services record, kept in the workspace under metrics/: one append-only file per
/// writing process (metrics/datapoints-&lt;pid&gt;.tsv), one line per datapoint, written with a single write so a
/// killed process leaves at most its last line torn. Readers take only whole lines; a process that opens its
/// file again (a later process with the same id) first cuts a torn tail away, so no two datapoints run together.
/// Line: time in ticks, namespace, metric name, dimension name=value, value, unit.
/// </summary>
public sealed class MetricsLog : IMetricsRecorder, IHtmlDisplay
{
    /// <summary>In a notebook, the local metrics log and its calls rather than an object tree.</summary>
    public string ToHtml() => OwnCalls.ToHtml();

    public override string ToString() => OwnCalls.ToString();

    private static readonly CallsView OwnCalls = new("workshop.Local.MetricsLog: where the local services record their CloudWatch datapoints (local backend only)", [
        ("Record(metricNamespace, metricName, dimension, value, unit)", "PutMetricData: one datapoint"),
        ("ReadAll()", "none: every datapoint recorded so far"),
    ], "workshop.Metrics reads them back as CloudWatch does, by statistic and period.");

    private static readonly Dictionary<string, Writer> Writers = new(StringComparer.Ordinal);

    private readonly WorkspaceDirectory workspace;
    private readonly TimeProvider clock;
    private readonly Dictionary<string, (long Offset, List<RecordedDatapoint> Lines)> readSoFar = new(StringComparer.Ordinal);

    public MetricsLog(WorkspaceDirectory workspace, TimeProvider clock)
    {
        this.workspace = workspace;
        this.clock = clock;
    }

    private string Folder => workspace.Resolve("metrics");

    /// <summary>This process's datapoints file, once known.</summary>
    private string? ownFile;

    public void Record(string metricNamespace, string metricName, MetricDimension dimension, double value, string unit)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{clock.GetUtcNow().UtcTicks}\t{metricNamespace}\t{metricName}\t{dimension.Name}={Clean(dimension.Value)}\t{value:R}\t{unit}\n");
        // Resolved once; the folder is made again, and the path checked again, whenever the file has to be (re)opened.
        var path = ownFile ??= Path.Combine(workspace.Resolve("metrics"), $"datapoints-{Environment.ProcessId}.tsv");
        if (CurrentBatch.Value is { } batch && batch.Path == path)
        {
            batch.Add(line);
            return;
        }
        Write(path, Encoding.UTF8.GetBytes(line));
    }

    /// <summary>The batch open on this call's flow (async calls carry it across awaits); null outside one.</summary>
    private static readonly AsyncLocal<Batch?> CurrentBatch = new();

    public IDisposable BeginBatch()
    {
        var path = ownFile ??= Path.Combine(workspace.Resolve("metrics"), $"datapoints-{Environment.ProcessId}.tsv");
        // A call inside another's batch (a put inside a producer's invocation) writes with the outer one.
        if (CurrentBatch.Value is not null) return NestedBatch.Instance;
        var batch = new Batch(this, path);
        CurrentBatch.Value = batch;
        return batch;
    }

    private void Write(string path, byte[] lines)
    {
        Writer writer;
        lock (Writers)
        {
            if (!Writers.TryGetValue(path, out writer!) || !File.Exists(path))
            {
                writer?.Dispose();
                workspace.EnsureFolder("metrics");
                writer = new Writer(workspace.Confine(path));
                Writers[path] = writer;
            }
        }
        writer.Append(lines);
    }

    /// <summary>Datapoints recorded during one public call, written in one append when it ends.</summary>
    private sealed class Batch(MetricsLog log, string path) : IDisposable
    {
        private readonly StringBuilder lines = new();

        public string Path { get; } = path;

        public void Add(string line)
        {
            lock (lines) lines.Append(line);
        }

        public void Dispose()
        {
            if (CurrentBatch.Value == this) CurrentBatch.Value = null;
            string text;
            lock (lines)
            {
                text = lines.ToString();
                lines.Clear();
            }
            if (text.Length > 0) log.Write(Path, Encoding.UTF8.GetBytes(text));
        }
    }

    private sealed class NestedBatch : IDisposable
    {
        public static readonly NestedBatch Instance = new();

        public void Dispose()
        {
        }
    }

    // Names the kit records never hold tabs or new lines; a value that did would split its line.
    private static string Clean(string value) => value.Replace('\t', ' ').Replace('\n', ' ');

    /// <summary>Every whole datapoint recorded so far, by every process, in time order.</summary>
    public IReadOnlyList<RecordedDatapoint> ReadAll()
    {
        var all = new List<RecordedDatapoint>();
        if (!Directory.Exists(Folder)) return all;
        lock (readSoFar)
        {
            foreach (var file in Directory.EnumerateFiles(Folder, "datapoints-*.tsv").Order(StringComparer.Ordinal))
            {
                readSoFar.TryGetValue(file, out var known);
                known.Lines ??= [];
                var length = new FileInfo(file).Length;
                if (length < known.Offset) known = (0, []);
                if (length > known.Offset)
                {
                    using var stream = new FileStream(workspace.Confine(file), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    stream.Seek(known.Offset, SeekOrigin.Begin);
                    var bytes = new byte[length - known.Offset];
                    var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                    var lastNewLine = Array.LastIndexOf(bytes, (byte)'\n', read - 1 < 0 ? 0 : read - 1);
                    if (read > 0 && lastNewLine >= 0)
                    {
                        foreach (var text in Encoding.UTF8.GetString(bytes, 0, lastNewLine).Split('\n'))
                            if (RecordedDatapoint.TryParse(text, out var datapoint)) known.Lines.Add(datapoint);
                        known.Offset += lastNewLine + 1;
                    }
                }
                readSoFar[file] = known;
                all.AddRange(known.Lines);
            }
        }
        all.Sort((a, b) => a.Ticks.CompareTo(b.Ticks));
        return all;
    }

    /// <summary>One process's datapoints file, open for appending for as long as the process runs.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly FileStream stream;

        public Writer(string path)
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            CutTornTail();
            stream.Seek(0, SeekOrigin.End);
        }

        /// <summary>A process with this id was killed mid-line before: drop the part line it left.</summary>
        private void CutTornTail()
        {
            var length = stream.Length;
            if (length == 0) return;
            var position = length;
            var one = new byte[1];
            while (position > 0)
            {
                stream.Seek(position - 1, SeekOrigin.Begin);
                stream.ReadExactly(one);
                if (one[0] == (byte)'\n') break;
                position--;
            }
            if (position != length) stream.SetLength(position);
        }

        public void Append(byte[] line)
        {
            lock (stream)
            {
                stream.Seek(0, SeekOrigin.End);
                stream.Write(line);
            }
        }

        public void Dispose() => stream.Dispose();
    }
}

/// <summary>One datapoint as a service recorded it.</summary>
public readonly record struct RecordedDatapoint(long Ticks, string Namespace, string MetricName, MetricDimension Dimension, double Value, string Unit)
{
    public DateTimeOffset Timestamp => new(Ticks, TimeSpan.Zero);

    public static bool TryParse(string line, out RecordedDatapoint datapoint)
    {
        datapoint = default;
        var fields = line.Split('\t');
        if (fields.Length != 6) return false;
        var equals = fields[3].IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0
            || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || !double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || fields[5].Length == 0) return false;
        datapoint = new RecordedDatapoint(ticks, fields[1], fields[2], new MetricDimension(fields[3][..equals], fields[3][(equals + 1)..]), value, fields[5]);
        return true;
    }
}
