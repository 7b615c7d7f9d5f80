using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamingWorkshop.Catalog;

namespace StreamingWorkshop.Query;

/// <summary>
/// Athena's partition projection: with the table property <c>projection.enabled</c> = true, Athena works out a
/// table's partitions from its <c>projection.*</c> properties instead of the catalog's partition list (which it then
/// ignores), so a new folder is read without a crawl, and values outside the configured range are never read.
/// Types: enum (<c>.values</c>), integer (<c>.range</c>, <c>.digits</c>, <c>.interval</c>) and date (<c>.range</c>
/// with NOW and NOW±n UNITS, <c>.format</c>, <c>.interval</c>, <c>.interval.unit</c>). Locations come from
/// <c>storage.location.template</c> (${key} placeholders) or, without one, from the table's location followed by
/// key=value/ folders.
/// </summary>
internal static partial class PartitionProjection
{
    /// <summary>Beyond this many combinations Athena refuses the query; so does the kit, rather than list them all.</summary>
    private const long MaxPartitions = 1_000_000;

    public static bool IsEnabled(GlueTable table) =>
        Property(table, "projection.enabled") is { } enabled && enabled.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every projected partition of the table: its values in key order and its S3 location.</summary>
    public static IReadOnlyList<(IReadOnlyList<string> Values, string Location)> Partitions(GlueTable table, DateTimeOffset now)
    {
        var missing = table.PartitionKeys.Where(k => Property(table, $"projection.{k.Name}.type") is null).Select(k => k.Name).ToList();
        if (missing.Count > 0)
            throw Invalid($"Table {table.Name} is configured for partition projection, but the following partition columns are missing projection configuration: [{string.Join(", ", missing)}]");
        var template = Property(table, "storage.location.template");
        if (template is not null)
        {
            var absent = table.PartitionKeys.Where(k => !template.Contains("${" + k.Name + "}", StringComparison.Ordinal)).ToList();
            if (absent.Count > 0)
                throw Invalid("The 'storage.location.template' table property must contain templates for all partition columns!");
        }
        var valueLists = table.PartitionKeys.Select(k => Values(table, k.Name, now)).ToList();
        var combinations = valueLists.Aggregate(1L, (n, values) => n * Math.Max(values.Count, 1));
        if (combinations > MaxPartitions)
            throw Invalid($"Table {table.Name}'s partition projection yields {combinations:N0} partitions; narrow the ranges (at most {MaxPartitions:N0}).");

        var partitions = new List<(IReadOnlyList<string>, string)>();
        foreach (var values in Cartesian(valueLists))
        {
            string location;
            if (template is not null)
            {
                location = template;
                for (var i = 0; i < values.Count; i++) location = location.Replace("${" + table.PartitionKeys[i].Name + "}", values[i], StringComparison.Ordinal);
            }
            else
            {
                var builder = new StringBuilder(table.Location!.EndsWith('/') ? table.Location : table.Location + "/");
                for (var i = 0; i < values.Count; i++) builder.Append(table.PartitionKeys[i].Name).Append('=').Append(values[i]).Append('/');
                location = builder.ToString();
            }
            partitions.Add((values, location));
        }
        return partitions;
    }

    private static IReadOnlyList<string> Values(GlueTable table, string key, DateTimeOffset now)
    {
        var type = Property(table, $"projection.{key}.type")!.Trim().ToLowerInvariant();
        return type switch
        {
            "enum" => EnumValues(table, key),
            "integer" => IntegerValues(table, key),
            "date" => DateValues(table, key, now),
            "injected" => throw Invalid($"Column {key}: projection type 'injected' needs the value in every query's WHERE clause, which the local Athena does not read; use enum, integer or date."),
            _ => throw Invalid($"Column {key}: '{type}' is not a partition projection type; use enum, integer, date or injected."),
        };
    }

    private static IReadOnlyList<string> EnumValues(GlueTable table, string key)
    {
        var values = Required(table, key, "values").Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        if (values.Count == 0) throw Invalid($"Column {key}: projection.{key}.values names no value.");
        return values;
    }

    private static IReadOnlyList<string> IntegerValues(GlueTable table, string key)
    {
        var range = Required(table, key, "range").Split(',');
        if (range.Length != 2 || !long.TryParse(range[0].Trim(), CultureInfo.InvariantCulture, out var from) || !long.TryParse(range[1].Trim(), CultureInfo.InvariantCulture, out var to))
            throw Invalid($"Column {key}: projection.{key}.range '{Property(table, $"projection.{key}.range")}' must be two integers such as 1,31.");
        var interval = Property(table, $"projection.{key}.interval") is { } text ? ParsePositive(text, key, "interval") : 1;
        var digits = Property(table, $"projection.{key}.digits") is { } d ? (int)ParsePositive(d, key, "digits") : 0;
        var values = new List<string>();
        for (var value = from; value <= to && values.Count <= MaxPartitions; value += interval)
            values.Add(value.ToString(new string('0', Math.Max(digits, 1)), CultureInfo.InvariantCulture));
        return values;
    }

    private static IReadOnlyList<string> DateValues(GlueTable table, string key, DateTimeOffset now)
    {
        var javaFormat = Required(table, key, "format");
        var format = DotNetFormat(javaFormat, key);
        var range = Required(table, key, "range").Split(',');
        if (range.Length != 2) throw Invalid($"Column {key}: projection.{key}.range must be two dates, such as 2025-01-01,NOW.");
        var from = DateBound(range[0].Trim(), format, key, now);
        var to = DateBound(range[1].Trim(), format, key, now);
        var interval = Property(table, $"projection.{key}.interval") is { } text ? (int)ParsePositive(text, key, "interval") : 1;
        var unit = (Property(table, $"projection.{key}.interval.unit") ?? DefaultUnit(javaFormat)).Trim().ToUpperInvariant();
        var values = new List<string>();
        for (var time = from; time <= to && values.Count <= MaxPartitions; time = Step(time, unit, interval, key))
            values.Add(time.ToString(format, CultureInfo.InvariantCulture));
        return values;
    }

    private static DateTime DateBound(string text, string format, string key, DateTimeOffset now)
    {
        var relative = NowPattern().Match(text);
        if (relative.Success)
        {
            var time = now.UtcDateTime;
            if (!relative.Groups["sign"].Success) return time;
            var amount = int.Parse(relative.Groups["amount"].Value, CultureInfo.InvariantCulture) * (relative.Groups["sign"].Value == "-" ? -1 : 1);
            return Step(time, relative.Groups["unit"].Value.ToUpperInvariant().TrimEnd('S') + "S", amount, key);
        }
        if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
            return parsed;
        throw Invalid($"Column {key}: the range bound '{text}' does not match the format of projection.{key}.format; write it in that format, or as NOW, NOW-3DAYS ...");
    }

    private static DateTime Step(DateTime time, string unit, int amount, string key) => unit switch
    {
        "YEARS" => time.AddYears(amount),
        "MONTHS" => time.AddMonths(amount),
        "WEEKS" => time.AddDays(7 * amount),
        "DAYS" => time.AddDays(amount),
        "HOURS" => time.AddHours(amount),
        "MINUTES" => time.AddMinutes(amount),
        "SECONDS" => time.AddSeconds(amount),
        _ => throw Invalid($"Column {key}: '{unit}' is not an interval unit; use YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES or SECONDS."),
    };

    /// <summary>The finest unit the format shows, the step Athena takes when no interval unit is given.</summary>
    private static string DefaultUnit(string javaFormat) =>
        javaFormat.Contains('s') ? "SECONDS" : javaFormat.Contains('m') ? "MINUTES" : javaFormat.Contains('H') ? "HOURS"
        : javaFormat.Contains('d') ? "DAYS" : javaFormat.Contains('M') ? "MONTHS" : "YEARS";

    /// <summary>Java DateTimeFormatter letters as .NET's; quoted text stays literal.</summary>
    private static string DotNetFormat(string javaFormat, string key)
    {
        var builder = new StringBuilder();
        var quoted = false;
        foreach (var c in javaFormat)
        {
            if (c == '\'') { quoted = !quoted; continue; }
            if (quoted || !char.IsLetter(c)) { builder.Append('\\').Append(c); continue; }
            if (c is not ('y' or 'M' or 'd' or 'H' or 'm' or 's'))
                throw Invalid($"Column {key}: the date format letter '{c}' is not supported here; use y, M, d, H, m and s.");
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static long ParsePositive(string text, string key, string property) =>
        long.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw Invalid($"Column {key}: projection.{key}.{property} '{text}' must be a positive integer.");

    private static string Required(GlueTable table, string key, string property) =>
        Property(table, $"projection.{key}.{property}")
        ?? throw Invalid($"Column {key}: partition projection of type {Property(table, $"projection.{key}.type")} needs the table property projection.{key}.{property}.");

    private static string? Property(GlueTable table, string name) =>
        table.Parameters.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static IEnumerable<IReadOnlyList<string>> Cartesian(IReadOnlyList<IReadOnlyList<string>> lists)
    {
        IEnumerable<IReadOnlyList<string>> result = [[]];
        foreach (var list in lists)
        {
            var current = list;
            result = result.SelectMany(prefix => current.Select(v => (IReadOnlyList<string>)[.. prefix, v]));
        }
        return result;
    }

    private static AthenaQueryException Invalid(string message) => new("INVALID_TABLE_PROPERTY", message);

    [GeneratedRegex(@"^NOW(?:\s*(?<sign>[+-])\s*(?<amount>\d{1,6})\s*(?<unit>YEARS?|MONTHS?|WEEKS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?$", RegexOptions.IgnoreCase)]
    private static partial Regex NowPattern();
}
