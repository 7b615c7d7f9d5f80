using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Analysis;
using Plotly.NET;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// A plain C# value as the table a data engineer expects a notebook to show: a sequence of objects (anonymous types,
/// records, classes, structs, tuples) as a row per item and a column per public property or field; a dictionary as its
/// keys and values; a sequence of numbers or strings as one column; a single object as its members and their values.
/// A value inside a cell is one short line of text. Only the first rows of a sequence are read, so a lazy or endless
/// one is never run to its end.
/// </summary>
internal sealed partial class PlainTable
{
    /// <summary>Rows shown of a long sequence, as many as of a DataFrame.</summary>
    public const int RowsShown = NotebookDisplay.DataFrameRowsShown;

    /// <summary>The text form's width: a terminal's 80 columns.</summary>
    public const int TextWidth = 80;

    private const int ColumnGap = 2; // as TextTable parts its columns
    private const int NarrowestColumn = 8;
    private const int ItemsInANestedSequence = 5;
    private const int LongestNestedText = 60;
    private const int DeepestNesting = 2;

    private PlainTable(string? caption, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows) =>
        (Caption, Headers, Rows) = (caption, headers, rows);

    /// <summary>How many rows, of how many, are shown; null for a single object.</summary>
    public string? Caption { get; }

    public IReadOnlyList<string> Headers { get; }

    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>The table for a sequence or a plain object; null for any other value.</summary>
    public static PlainTable? For(object value) => value switch
    {
        string => null,
        IEnumerable items => ForSequence(items),
        _ => ForObject(value),
    };

    /// <summary>A single plain object as its members and their values; null when the value is not a plain object.</summary>
    public static PlainTable? ForObject(object value)
    {
        if (!IsPlainObject(value.GetType())) return null;
        // Down the page, a member a line, as the kit's own settings tables (PropertiesView) read: a record of a dozen
        // members still fits an output's or a terminal's width, where one row of a dozen columns would run off its edge.
        var rows = MembersOf(value.GetType()).Select(member => (IReadOnlyList<string>)[member.Name, Cell(member, value)]).ToList();
        return new PlainTable(null, ["Property", "Value"], rows);
    }

    /// <summary>A sequence's first rows, with a caption that says how many there are and how many are shown.</summary>
    public static PlainTable ForSequence(IEnumerable items)
    {
        var taken = new List<object?>(RowsShown + 1);
        foreach (var item in items)
        {
            taken.Add(item);
            // One more than is shown tells that there are more, without running a lazy sequence any further.
            if (taken.Count > RowsShown) break;
        }
        var more = taken.Count > RowsShown;
        var shown = more ? taken.GetRange(0, RowsShown) : taken;
        var count = more ? CountWithoutEnumerating(items) : taken.Count;

        var types = shown.OfType<object>().Select(item => item.GetType()).Distinct().ToList();
        if (types.Count == 0 && ElementType(items.GetType()) is { } declared) types.Add(declared);
        if (types.Count == 0 || !types.All(IsPlainObject))
            return new PlainTable(SizeCaption(count, "value", "values", null), ["Value"], shown.Select(item => (IReadOnlyList<string>)[CellText(item)]).ToList());

        var members = types.ToDictionary(type => type, type => MembersOf(type).ToDictionary(member => member.Name));
        var columns = types.SelectMany(type => MembersOf(type).Select(member => member.Name)).Distinct().ToList();
        var rows = shown.Select(item => (IReadOnlyList<string>)columns
            .Select(column => item is not null && members[item.GetType()].TryGetValue(column, out var member) ? Cell(member, item) : "")
            .ToList()).ToList();
        var caption = types.All(IsKeyValuePair)
            ? SizeCaption(count, "entry", "entries", null)
            : SizeCaption(count, "row", "rows", columns.Count);
        return new PlainTable(caption, columns, rows);
    }

    /// <summary>"3 rows x 2 columns", "1,000 rows x 2 columns (first 20 shown)", "More than 20 values (first 20 shown)"; a DataFrame's too.</summary>
    internal static string SizeCaption(long? count, string one, string many, int? columns)
    {
        var size = count is { } known ? $"{known.ToString("N0", CultureInfo.InvariantCulture)} {(known == 1 ? one : many)}" : $"More than {RowsShown} {many}";
        var width = columns is { } c ? $" x {c} {(c == 1 ? "column" : "columns")}" : "";
        var shown = count is null or > RowsShown ? $" (first {RowsShown} shown)" : "";
        return size + width + shown;
    }

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Caption);

    /// <summary>The same table as aligned text, at most <see cref="TextWidth"/> characters wide where that leaves each
    /// column a few characters: the widest columns narrow first, and a cell too long for its column ends in an ellipsis.</summary>
    public string ToText()
    {
        var widths = ColumnWidths();
        var headers = Headers.Select((header, i) => Shortened(header, widths[i])).ToList();
        var rows = Rows.Select(row => (IReadOnlyList<string>)row.Select((cell, i) => Shortened(cell, widths[i])).ToList());
        // A row whose last cells are empty would end in the padding of the columns before them.
        var lines = TextTable.Render(headers, rows, maxWidth: int.MaxValue).TrimEnd('\n').Split('\n').Select(line => line.TrimEnd());
        return string.Join('\n', Caption is null ? lines : lines.Prepend(Caption));
    }

    private int[] ColumnWidths()
    {
        var widths = Headers.Select((header, i) => Rows.Select(row => row[i].Length).Append(header.Length).Max()).ToArray();
        var room = TextWidth - ColumnGap * (widths.Length - 1);
        // Headers stay whole while the values narrow; only when that is not enough do they narrow too.
        Narrow(widths, widths.Select((w, i) => Math.Min(w, Math.Max(NarrowestColumn, Headers[i].Length))).ToArray(), room);
        Narrow(widths, widths.Select(w => Math.Min(w, NarrowestColumn)).ToArray(), room);
        return widths;
    }

    private static void Narrow(int[] widths, int[] floors, int room)
    {
        while (widths.Sum() > room)
        {
            var widest = -1;
            for (var i = 0; i < widths.Length; i++)
                if (widths[i] > floors[i] && (widest < 0 || widths[i] > widths[widest])) widest = i;
            if (widest < 0) return;
            widths[widest]--;
        }
    }

    private static string Shortened(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    /// <summary>
    /// A type shown by its members: an anonymous type, a record, a tuple or a key and its value (their text is the
    /// compiler's or the framework's list of the same members), or a class or struct whose text would only be its type's
    /// name. A type that writes its own text (numbers, dates, exceptions, a class with its own ToString) is shown by it.
    /// </summary>
    internal static bool IsPlainObject(Type type) => plainTypes.GetOrAdd(type, t =>
        !typeof(IEnumerable).IsAssignableFrom(t)
        && !typeof(IHtmlDisplay).IsAssignableFrom(t)
        && MembersOf(t).Length > 0
        && (IsAnonymous(t) || IsRecord(t) || typeof(ITuple).IsAssignableFrom(t) || IsKeyValuePair(t) || !WritesItsOwnText(t)));

    private static readonly ConcurrentDictionary<Type, bool> plainTypes = new();

    private static bool IsAnonymous(Type type) => type.IsDefined(typeof(CompilerGeneratedAttribute), false) && type.Name.Contains("AnonymousType", StringComparison.Ordinal);

    /// <summary>The compiler writes PrintMembers into every record, class or struct, for its ToString.</summary>
    private static bool IsRecord(Type type) =>
        type.GetMethod("PrintMembers", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(StringBuilder)]) is { } printMembers
        && printMembers.IsDefined(typeof(CompilerGeneratedAttribute), false);

    private static bool IsKeyValuePair(Type type) =>
        type == typeof(DictionaryEntry) || type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>);

    private static bool WritesItsOwnText(Type type) =>
        type.GetMethod("ToString", Type.EmptyTypes)?.DeclaringType is { } declaring && declaring != typeof(object) && declaring != typeof(ValueType);

    private sealed record Member(string Name, Func<object, object?> Read);

    private static readonly ConcurrentDictionary<Type, Member[]> members = new();

    /// <summary>Public properties and fields in the order the type declares them; a tuple's items as Item1, Item2...</summary>
    private static Member[] MembersOf(Type type) => members.GetOrAdd(type, t =>
        typeof(ITuple).IsAssignableFrom(t)
            // A named tuple's element names are the compiler's alone: at run time there are only Item1, Item2...
            ? Enumerable.Range(0, TupleLength(t)).Select(i => new Member($"Item{i + 1}", value => ((ITuple)value)[i])).ToArray()
            : t.GetMembers(BindingFlags.Instance | BindingFlags.Public)
                .Where(m => m is FieldInfo || m is PropertyInfo { GetMethod.IsPublic: true } property && property.GetIndexParameters().Length == 0)
                .Where(m => m.GetCustomAttribute<DebuggerBrowsableAttribute>()?.State != DebuggerBrowsableState.Never)
                .Select(m => new Member(m.Name, m is PropertyInfo property ? property.GetValue : ((FieldInfo)m).GetValue))
                // A member a derived class hides with 'new' is listed twice; the derived one comes first.
                .DistinctBy(member => member.Name)
                .ToArray());

    /// <summary>Items of a ValueTuple or Tuple type; the eighth type argument holds the rest of a longer one.</summary>
    private static int TupleLength(Type type)
    {
        if (!type.IsGenericType) return 0;
        var arguments = type.GetGenericArguments();
        return arguments.Length == 8 ? 7 + TupleLength(arguments[7]) : arguments.Length;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : (type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces())
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    /// <summary>
    /// The count a collection or a LINQ query over one knows without being run (an array's length, Range(0, n).Select(...)'s
    /// n); null for a sequence that would have to be run to its end to count it.
    /// </summary>
    private static int? CountWithoutEnumerating(IEnumerable items)
    {
        if (items is ICollection collection) return collection.Count;
        var type = items.GetType();
        if (type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyCollection<>)) is { } readOnly)
            return (int)readOnly.GetProperty(nameof(IReadOnlyCollection<object>.Count))!.GetValue(items)!;
        if (ElementType(type) is not { } element) return null;
        var arguments = new object?[] { items, null };
        return (bool)TryGetNonEnumeratedCount.MakeGenericMethod(element).Invoke(null, arguments)! ? (int)arguments[1]! : null;
    }

    private static readonly MethodInfo TryGetNonEnumeratedCount = typeof(Enumerable).GetMethod(nameof(Enumerable.TryGetNonEnumeratedCount))!;

    /// <summary>A member's value as a cell shows it; a member that throws shows what it threw.</summary>
    private static string Cell(Member member, object owner, int depth = 0)
    {
        try
        {
            return CellText(member.Read(owner), depth);
        }
        catch (Exception thrown)
        {
            var error = thrown is TargetInvocationException { InnerException: { } inner } ? inner : thrown;
            return OneLine($"threw {error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>
    /// A value in one line: text as it is, dates and numbers as the kit prints them elsewhere, null as an empty cell (as
    /// a query result and a DataFrame show it), a nested sequence or object as a short summary, never a tree.
    /// </summary>
    internal static string CellText(object? value, int depth = 0) => value switch
    {
        null => "",
        string text => OneLine(text),
        // The kit's own values, charts and DataFrames by the first line of their text: a title, or what they are.
        IHtmlDisplay or GenericChart or DataFrame => FirstLine(NotebookDisplay.PlainText(value)),
        IEnumerable items => Nested(NestedSequence(items, depth)),
        _ when IsPlainObject(value.GetType()) => Nested(NestedObject(value, depth)),
        _ => OneLine(NotebookDisplay.PlainText(value)),
    };

    private static string NestedSequence(IEnumerable items, int depth)
    {
        if (depth >= DeepestNesting) return "[…]";
        var texts = new List<string>();
        foreach (var item in items)
        {
            if (texts.Count == ItemsInANestedSequence)
            {
                texts.Add("…");
                break;
            }
            texts.Add(CellText(item, depth + 1));
        }
        return "[" + string.Join(", ", texts) + "]";
    }

    /// <summary>As C# writes such a value: (Leeds, 12.5), { City = Leeds }, Reading { City = Leeds }, or Key: value.</summary>
    private static string NestedObject(object value, int depth)
    {
        var type = value.GetType();
        if (depth >= DeepestNesting) return value is ITuple ? "(…)" : "{ … }";
        var values = MembersOf(type).Select(member => (member.Name, Text: Cell(member, value, depth + 1))).ToList();
        if (value is ITuple) return "(" + string.Join(", ", values.Select(v => v.Text)) + ")";
        if (IsKeyValuePair(type)) return $"{values[0].Text}: {values[1].Text}";
        var body = "{ " + string.Join(", ", values.Select(v => $"{v.Name} = {v.Text}")) + " }";
        return IsAnonymous(type) ? body : $"{GenericArity().Replace(type.Name, "")} {body}";
    }

    private static string Nested(string text) => text.Length <= LongestNestedText ? text : text[..(LongestNestedText - 1)] + "…";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r');

    /// <summary>A line break and the indentation around it become one space, so indented JSON reads as one line.</summary>
    private static string OneLine(string text) => LineBreak().Replace(text, " ");

    [GeneratedRegex(@"[ \t]*\r?\n\s*")]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"`\d+$")]
    private static partial Regex GenericArity();
}
