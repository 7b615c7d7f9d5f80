namespace StreamingWorkshop;

/// <summary>
/// How far a mistyped name is from a real one, for the "did you mean" of a command, an option, a notebook's member or a
/// template's property. Written out rather than taken from a package: it is a dozen lines over short names.
/// </summary>
public static class NameDistance
{
    /// <summary>
    /// Edits from one name to the other: a letter added, removed or changed, or two neighbours swapped (qurey → query).
    /// Case is ignored unless <paramref name="ignoreCase"/> is false.
    /// </summary>
    public static int Between(string a, string b, bool ignoreCase = true)
    {
        if (ignoreCase)
        {
            a = a.ToLowerInvariant();
            b = b.ToLowerInvariant();
        }
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
