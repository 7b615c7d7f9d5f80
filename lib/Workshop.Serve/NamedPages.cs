namespace StreamingWorkshop.Serve;

/// <summary>
/// How the endpoint pages a listing whose marker is a name: the items in name order after that name, at most the
/// limit, and whether more follow. A page that starts after a name, not at a position, is not shifted by items made
/// between two calls.
/// </summary>
internal static class NamedPages
{
    public static (List<T> Page, bool More) After<T>(IEnumerable<T> items, Func<T, string> nameOf, string? after, int limit)
    {
        var rest = items.OrderBy(nameOf, StringComparer.Ordinal).Where(item => after is null || string.CompareOrdinal(nameOf(item), after) > 0).ToList();
        return (rest.Take(limit).ToList(), rest.Count > limit);
    }
}
