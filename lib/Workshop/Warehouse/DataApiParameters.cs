using System.Text;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// The Redshift Data API's named parameters: ExecuteStatement's <c>Parameters</c> give values for <c>:name</c> in the SQL,
/// each a string that Redshift converts to the type the statement needs. Here each value goes in as a quoted literal,
/// which Redshift's (and the local engine's) implicit casts turn into a number, date or text where it is used. A
/// <c>:name</c> inside a string, a quoted identifier or a comment, and a <c>::</c> cast, are left as they are.
/// </summary>
public static class DataApiParameters
{
    public static string Bind(string sql, IReadOnlyDictionary<string, string> values)
    {
        var bound = new StringBuilder(sql.Length);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var skipped = c switch
            {
                '\'' or '"' => Closing(sql, i, c.ToString()),
                '-' when At(sql, i, "--") => Closing(sql, i, "\n"),
                '/' when At(sql, i, "/*") => Closing(sql, i, "*/"),
                ':' when At(sql, i, "::") => i + 2,
                _ => -1,
            };
            if (skipped >= 0)
            {
                bound.Append(sql, i, skipped - i);
                i = skipped;
                continue;
            }
            if (c == ':' && i + 1 < sql.Length && IsNameCharacter(sql[i + 1]))
            {
                var end = i + 1;
                while (end < sql.Length && IsNameCharacter(sql[end])) end++;
                var name = sql[(i + 1)..end];
                if (!values.TryGetValue(name, out var value))
                    throw new ValidationException("redshift-data", $"The SQL uses the parameter :{name}, but Parameters gives no value named '{name}'. Add {{\"name\": \"{name}\", \"value\": \"...\"}} to Parameters.");
                bound.Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
                used.Add(name);
                i = end;
                continue;
            }
            bound.Append(c);
            i++;
        }
        if (values.Keys.FirstOrDefault(name => !used.Contains(name)) is { } unused)
            throw new ValidationException("redshift-data", $"Parameters gives a value for '{unused}', but the SQL has no :{unused}. Use it in the SQL, or leave it out of Parameters.");
        return bound.ToString();
    }

    /// <summary>Checks the names and values as the Data API does: a name of letters, digits and underscores, a value of one character or more.</summary>
    public static IReadOnlyDictionary<string, string> Check(IEnumerable<(string? Name, string? Value)> parameters)
    {
        var checkedValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            if (string.IsNullOrEmpty(name) || !name.All(IsNameCharacter))
                throw new ValidationException("redshift-data", $"Parameter name '{name}' is not valid: use letters, digits and underscores ([0-9a-zA-Z_]+).");
            if (string.IsNullOrEmpty(value))
                throw new ValidationException("redshift-data", $"Parameter '{name}' has no value: give a value of at least one character (Redshift converts it to the type the SQL needs).");
            if (!checkedValues.TryAdd(name, value))
                throw new ValidationException("redshift-data", $"Parameter '{name}' is given twice; give each name once.");
        }
        return checkedValues;
    }

    private static bool At(string sql, int index, string text) => string.CompareOrdinal(sql, index, text, 0, text.Length) == 0;

    /// <summary>Where the quoted or commented span opening at <paramref name="start"/> ends (past its closing text, or the end).</summary>
    private static int Closing(string sql, int start, string close)
    {
        var from = start + (close is "\n" or "*/" ? 2 : 1);
        var end = sql.IndexOf(close, from, StringComparison.Ordinal);
        return end < 0 ? sql.Length : end + close.Length;
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
