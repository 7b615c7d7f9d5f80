using System.Globalization;
using System.Text;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Lake;

/// <summary>A bucket listing as a folder tree, with object counts and sizes per folder.</summary>
public sealed class BucketTreeView : IHtmlDisplay
{
    private const int ObjectsShownPerFolder = 3;
    private const int FoldersShownPerFolder = 25;
    private readonly Folder root;

    private BucketTreeView(string bucket, string prefix, Folder root)
    {
        Bucket = bucket;
        Prefix = prefix;
        this.root = root;
    }

    public string Bucket { get; }
    public string Prefix { get; }
    public long ObjectCount => root.ObjectCount;
    public long TotalBytes => root.TotalBytes;

    /// <summary>How many objects a folder shows at most; the rest are counted, not listed.</summary>
    public const int ObjectsShown = ObjectsShownPerFolder;

    /// <summary>Whether the tree counts objects it does not list (past the first few of a folder, or in folders left out).</summary>
    public bool LeavesObjectsOut => Listed(root) < root.ObjectCount;

    private static long Listed(Folder folder) =>
        Math.Min(folder.Objects.Count, ObjectsShownPerFolder) + folder.Folders.Values.Take(FoldersShownPerFolder).Sum(Listed);

    public static async Task<BucketTreeView> LoadAsync(IObjectStore store, string bucket, string? prefix = null, CancellationToken cancellationToken = default)
    {
        prefix ??= "";
        var root = new Folder(prefix);
        await foreach (var item in store.ListAllAsync(bucket, prefix, cancellationToken)) root.Add(item, item.Key[prefix.Length..]);
        return new BucketTreeView(bucket, prefix, root);
    }

    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append($"<div style=\"{HtmlTable.Style}\"><b>s3://{HtmlTable.Encode(Bucket)}/{HtmlTable.Encode(Prefix)}</b> — {Summary(root)}");
        if (root.ObjectCount == 0 && Empty is var empty) html.Append($"<p>{HtmlTable.Encode(char.ToUpperInvariant(empty[0]) + empty[1..])}.</p>");
        RenderHtml(root, html, depth: 0);
        html.Append("</div>");
        return html.ToString();
    }

    public override string ToString()
    {
        var text = new StringBuilder($"s3://{Bucket}/{Prefix}  ({Summary(root)})\n");
        if (root.ObjectCount == 0) text.Append($"  ({Empty})\n");
        RenderText(root, text, "");
        return text.ToString();
    }

    /// <summary>
    /// What an empty listing says: a bucket may simply have nothing yet, but a prefix that matches nothing is more often
    /// misspelt (location=Londn/), so it points one folder up, where the right name can be read.
    /// </summary>
    private string Empty
    {
        get
        {
            if (Prefix.Length == 0) return "no objects yet";
            var trimmed = Prefix.TrimEnd('/');
            var parent = trimmed.LastIndexOf('/') is var slash and >= 0 ? trimmed[..(slash + 1)] : "";
            return $"no key begins with {Prefix}; list {(parent.Length == 0 ? "the whole bucket" : parent)} to see what is there";
        }
    }

    private static void RenderHtml(Folder folder, StringBuilder html, int depth)
    {
        html.Append("<ul style=\"list-style:none;padding-left:1.2em;margin:0\">");
        foreach (var child in folder.Folders.Values.Take(FoldersShownPerFolder))
        {
            html.Append($"<li><details{(depth < 2 ? " open" : "")}><summary>📁 {HtmlTable.Encode(child.Name)} <span style=\"{HtmlTable.Quiet}\">({Summary(child)})</span></summary>");
            RenderHtml(child, html, depth + 1);
            html.Append("</details></li>");
        }
        if (folder.Folders.Count > FoldersShownPerFolder) html.Append($"<li>{More(folder.Folders.Count - FoldersShownPerFolder, "folder")}</li>");
        foreach (var item in folder.Objects.Take(ObjectsShownPerFolder))
            html.Append($"<li>📄 {HtmlTable.Encode(item.Key[(item.Key.LastIndexOf('/') + 1)..])} <span style=\"{HtmlTable.Quiet}\">{Size(item.Size)} · {Stamp(item.LastModified)} · {item.StorageClass}</span></li>");
        if (folder.Objects.Count > ObjectsShownPerFolder) html.Append($"<li style=\"{HtmlTable.Quiet}\">{More(folder.Objects.Count - ObjectsShownPerFolder, "object")}</li>");
        html.Append("</ul>");
    }

    // Objects show their full key, so a line can be copied straight into `workshop lake cat` or OpenObjectAsync. As in
    // `aws s3 ls`, the time, size and storage class come first, lined up, and the key last: a key is longer than most
    // terminals are wide, and only its own end then wraps.
    private static void RenderText(Folder folder, StringBuilder text, string indent)
    {
        var lines = new List<(string Text, Folder? Child)>();
        lines.AddRange(folder.Folders.Values.Take(FoldersShownPerFolder).Select(f => ($"{f.Name}  ({Summary(f)})", (Folder?)f)));
        if (folder.Folders.Count > FoldersShownPerFolder) lines.Add(($"{More(folder.Folders.Count - FoldersShownPerFolder, "folder")}", null));
        var shown = folder.Objects.Take(ObjectsShownPerFolder).ToList();
        var sizeWidth = shown.Select(o => Size(o.Size).Length).DefaultIfEmpty(0).Max();
        var classWidth = shown.Select(o => o.StorageClass.Length).DefaultIfEmpty(0).Max();
        lines.AddRange(shown.Select(o =>
            ($"{Stamp(o.LastModified)}  {Size(o.Size).PadLeft(sizeWidth)}  {o.StorageClass.PadRight(classWidth)}  {o.Key}", (Folder?)null)));
        if (folder.Objects.Count > ObjectsShownPerFolder) lines.Add(($"{More(folder.Objects.Count - ObjectsShownPerFolder, "object")}", null));
        for (var i = 0; i < lines.Count; i++)
        {
            var last = i == lines.Count - 1;
            text.Append(indent).Append(last ? "└── " : "├── ").Append(lines[i].Text).Append('\n');
            if (lines[i].Child is { } child) RenderText(child, text, indent + (last ? "    " : "│   "));
        }
    }

    private static string More(int count, string noun) => $"… and {count:N0} more {noun}{(count == 1 ? "" : "s")}";

    private static string Summary(Folder folder) => $"{folder.ObjectCount:N0} object{(folder.ObjectCount == 1 ? "" : "s")}, {Size(folder.TotalBytes)}";

    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1024.0 / 1024:F1} MiB",
        _ => $"{bytes / 1024.0 / 1024 / 1024:F2} GiB",
    };

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private sealed class Folder(string name)
    {
        public string Name { get; } = name;
        public SortedDictionary<string, Folder> Folders { get; } = new(StringComparer.Ordinal);
        public List<ObjectInfo> Objects { get; } = new();
        public long ObjectCount { get; private set; }
        public long TotalBytes { get; private set; }

        public void Add(ObjectInfo item, string relativeKey)
        {
            ObjectCount++;
            TotalBytes += item.Size;
            var slash = relativeKey.IndexOf('/');
            if (slash < 0)
            {
                Objects.Add(item);
                return;
            }
            var childName = relativeKey[..(slash + 1)];
            if (!Folders.TryGetValue(childName, out var child)) Folders[childName] = child = new Folder(childName);
            child.Add(item, relativeKey[(slash + 1)..]);
        }
    }
}

/// <summary>The first lines of an object, decompressed, with line numbers and the object's total line count.</summary>
public sealed class ObjectLinesView : IHtmlDisplay
{
    public ObjectLinesView(StoredObject stored, int maxLines = 20)
    {
        Object = stored.Info;
        var all = LocalObjectStore.ReadLines(stored).ToList();
        TotalLines = all.Count;
        Lines = all.Take(maxLines).ToArray();
    }

    public ObjectInfo Object { get; }
    public IReadOnlyList<string> Lines { get; }
    public int TotalLines { get; }

    private string Caption => $"{Object.Key} — {BucketTreeView.Size(Object.Size)}, {TotalLines:N0} line{(TotalLines == 1 ? "" : "s")}{(TotalLines > Lines.Count ? $", first {Lines.Count} shown" : "")}";

    public string ToHtml() => HtmlTable.Render(["#", "Line"], Lines.Select((l, i) => (IReadOnlyList<string>)[(i + 1).ToString(CultureInfo.InvariantCulture), l]), Caption);

    public override string ToString() =>
        Caption + "\n" + string.Concat(Lines.Select((l, i) => $"{i + 1,5}  {l}\n"));
}

/// <summary>A storage-cost estimate per storage class.</summary>
public sealed class StorageCostView(StorageCostEstimate estimate) : IHtmlDisplay
{
    public StorageCostEstimate Estimate { get; } = estimate;

    private static readonly string[] Headers = ["Storage class", "Objects", "Stored", "Billable", "USD per month"];

    private IEnumerable<IReadOnlyList<string>> Rows => Estimate.Lines.Select(l => (IReadOnlyList<string>)
    [
        l.StorageClass, l.Objects.ToString("N0", CultureInfo.InvariantCulture), BucketTreeView.Size(l.Bytes), BucketTreeView.Size(l.BillableBytes),
        l.UsdPerMonth.ToString("0.000000", CultureInfo.InvariantCulture),
    ]).Append(["Total", "", "", "", Estimate.TotalUsdPerMonth.ToString("0.000000", CultureInfo.InvariantCulture)]);

    private string Note => $"s3://{Estimate.Bucket} on {Estimate.At:yyyy-MM-dd}. Prices: us-east-1 per GB-month, STANDARD ${StoragePrices.StandardPerGbMonth}, STANDARD_IA ${StoragePrices.StandardIAPerGbMonth} (128 KB minimum per object), GLACIER ${StoragePrices.GlacierPerGbMonth} (+40 KB per object).";

    public string ToHtml() => HtmlTable.Render(Headers, Rows, "Storage cost estimate") + $"<p style=\"{HtmlTable.Quiet}\">{HtmlTable.Encode(Note)}</p>";

    public override string ToString() => TextTable.Render(Headers, Rows) + Note + "\n";
}

/// <summary>
/// A bucket's lifecycle rules, one row per action, with what each does to objects under 128 KB (which S3, by
/// default, leaves where they are) and the bucket's TransitionDefaultMinimumObjectSize under the table.
/// </summary>
public sealed class LifecycleRulesView(string bucket, BucketLifecycle lifecycle) : IHtmlDisplay
{
    public BucketLifecycle Lifecycle { get; } = lifecycle;

    private static readonly string[] Headers = ["Rule", "Applies to", "Action", "After", "Under 128 KB"];

    private IEnumerable<IReadOnlyList<string>> Rows => Lifecycle.Rules.SelectMany(rule =>
        rule.Transitions.Select(t => (IReadOnlyList<string>)[rule.Id, Scope(rule), $"move to {t.StorageClass}", $"{t.Days} days", SmallObjects(t)])
            .Concat(rule.ExpirationDays is { } days ? [[rule.Id, Scope(rule), "delete (expire)", $"{days} days", "deleted too"]] : []));

    private string SmallObjects(LifecycleTransition transition) =>
        LifecycleRules.MayTransition(Lifecycle.TransitionDefaultMinimumObjectSize, transition.StorageClass, size: 0) ? $"move to {transition.StorageClass}" : "not moved";

    private static string Scope(LifecycleRule rule) => (rule.Prefix.Length == 0 ? "every object" : rule.Prefix + "*") + (rule.Enabled ? "" : " (disabled)");

    private string Note => Lifecycle.TransitionDefaultMinimumObjectSize == TransitionMinimumSizes.VariesByStorageClass
        ? $"TransitionDefaultMinimumObjectSize: {TransitionMinimumSizes.VariesByStorageClass}: objects under 128 KB may move to GLACIER, never to STANDARD_IA."
        : $"TransitionDefaultMinimumObjectSize: {TransitionMinimumSizes.AllStorageClasses128K} (S3's default): objects under 128 KB stay in their storage class.";

    public string ToHtml() => HtmlTable.Render(Headers, Rows, $"Lifecycle rules of s3://{bucket}") + $"<p style=\"{HtmlTable.Quiet}\">{HtmlTable.Encode(Note)}</p>";

    public override string ToString() => $"Lifecycle rules of s3://{bucket}\n" + TextTable.Render(Headers, Rows) + Note + "\n";
}
