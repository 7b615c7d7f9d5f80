using System.Globalization;
using System.Text;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Stack;

/// <summary>
/// The PySpark scripts the stack's Glue jobs run (templates/glue/), as deploy puts them in the scripts bucket: with
/// the kit's transformation (<see cref="ReadingsCuration"/>) written into them, so the jobs on AWS and the local
/// runtime run one definition.
/// </summary>
public static class GlueScripts
{
    /// <summary>The batch job's script, under the key the template's ScriptLocation names.</summary>
    public const string BatchKey = "scripts/curate_batch.py";

    /// <summary>The streaming job's script.</summary>
    public const string StreamingKey = "scripts/curate_stream.py";

    /// <summary>Each script's key in the scripts bucket and its text, ready to run.</summary>
    public static IReadOnlyList<(string Key, string Text)> All() =>
        [(BatchKey, Filled("curate_batch.py")), (StreamingKey, Filled("curate_stream.py"))];

    /// <summary>A script as the repository keeps it, with its placeholders.</summary>
    public static string Source(string fileName)
    {
        using var stream = typeof(GlueScripts).Assembly.GetManifestResourceStream($"StreamingWorkshop.templates.glue.{fileName}")
                           ?? throw new ArgumentException($"There is no Glue script '{fileName}'; the scripts are curate_batch.py and curate_stream.py.", nameof(fileName));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A script with the transformation's SQL, its raw columns, partition keys and window length written in.</summary>
    public static string Filled(string fileName) => Source(fileName)
        .Replace("__CURATION_SQL__", ReadingsCuration.Sql("raw_readings"), StringComparison.Ordinal)
        .Replace("__RAW_COLUMNS__", PythonList(ReadingsCuration.RawColumns.Select(c => $"({Quoted(c.Name)}, {Quoted(c.HiveType)})")), StringComparison.Ordinal)
        .Replace("__PARTITION_KEYS__", PythonList(ReadingsCuration.PartitionColumns.Select(Quoted)), StringComparison.Ordinal)
        .Replace("__WINDOW_MINUTES__", ((int)ReadingsCuration.Window.TotalMinutes).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("__WATERMARK_MINUTES__", ((int)StreamingMicroBatch.Watermark.TotalMinutes).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Puts both scripts into the scripts bucket (PutObject), replacing what an earlier deploy put there.</summary>
    public static async Task UploadAsync(IObjectStore store, string bucket, CancellationToken cancellationToken = default)
    {
        foreach (var (key, text) in All())
            await store.PutObjectAsync(bucket, key, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>
    /// Puts the kit's script at a job's ScriptLocation when it names one of them (s3://bucket/scripts/curate_batch.py)
    /// in a bucket the store has, as the local provisioner does when it defines the job; true when it did.
    /// </summary>
    public static async Task<bool> PlaceAtAsync(IObjectStore store, string scriptLocation, CancellationToken cancellationToken = default)
    {
        if (!scriptLocation.StartsWith("s3://", StringComparison.Ordinal)) return false;
        var path = scriptLocation["s3://".Length..];
        var slash = path.IndexOf('/');
        if (slash <= 0) return false;
        var (bucket, key) = (path[..slash], path[(slash + 1)..]);
        if (All().FirstOrDefault(s => s.Key == key) is not { Text: { } text } || !await store.BucketExistsAsync(bucket, cancellationToken)) return false;
        await store.PutObjectAsync(bucket, key, Encoding.UTF8.GetBytes(text), cancellationToken);
        return true;
    }

    private static string PythonList(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
