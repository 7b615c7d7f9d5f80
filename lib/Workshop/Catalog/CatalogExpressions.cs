using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Catalog;

/// <summary>
/// GetTables' Expression: a regular expression the whole table name must match, in which a <c>*</c> that follows no
/// <c>.</c> stands for any characters (<c>raw*</c> as <c>raw.*</c>), as Glue reads it after Hive's metastore; names
/// are compared without regard to case, as Glue keeps them lowercase.
/// </summary>
public static class TableNamePattern
{
    public static Func<string, bool> Parse(string expression)
    {
        var regex = Regex.Replace(expression, @"(?<![.\\])\*", ".*");
        try
        {
            // Matched without backtracking, so no pattern can make a listing slow.
            var pattern = new Regex($"^(?:{regex})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            return pattern.IsMatch;
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException)
        {
            throw new InvalidInputException($"Expression '{expression}' is not a pattern the local catalog can read ({error.Message.TrimEnd('.')}). "
                + "Write a regular expression of the whole table name, where * stands for any characters: raw* or .*weather.*");
        }
    }
}

/// <summary>
/// GetPartitions' Expression: a predicate on a table's partition keys in SQL, as Glue takes it. Supported: comparisons
/// of keys with quoted strings or numbers (=, &lt;&gt;, !=, &lt;, &gt;, &lt;=, &gt;=), [NOT] IN (...),
/// [NOT] BETWEEN ... AND ..., [NOT] LIKE '...' (% and _), IS [NOT] NULL, joined by AND, OR and NOT, with parentheses.
/// A value is compared as a number when the key is of a number type or the other side is a number, and both read as
/// numbers; otherwise as text, character by character.
/// </summary>
public sealed class PartitionExpression
{
    public const string Supported = "The local catalog takes comparisons of partition keys with 'quoted strings' or numbers "
        + "(=, <>, !=, <, >, <=, >=, [NOT] IN (...), [NOT] BETWEEN ... AND ..., [NOT] LIKE '...', IS [NOT] NULL), "
        + "joined by AND, OR and NOT, with parentheses: location = 'London' AND day >= '14'.";

    /// <summary>Deeper nesting is refused rather than risk the stack: no real filter nests this far.</summary>
    private const int MaxDepth = 64;

    private static readonly HashSet<string> NumberTypes = new(StringComparer.OrdinalIgnoreCase) { "int", "integer", "bigint", "long", "tinyint", "smallint", "double", "float" };

    private readonly Func<IReadOnlyList<string>, bool> admits;

    private PartitionExpression(Func<IReadOnlyList<string>, bool> admits) => this.admits = admits;

    /// <summary>Whether a partition with these values (in the order of the table's keys) matches.</summary>
    public bool Admits(IReadOnlyList<string> values) => admits(values);

    /// <summary>Reads an expression over <paramref name="table"/>'s partition keys; one it cannot read is InvalidInputException naming it.</summary>
    public static PartitionExpression Parse(string expression, GlueTable table) => new(new Parser(expression, table).ParseWhole());

    /// <summary>One side of a comparison: a partition key's value, or a literal.</summary>
    private sealed record Operand(Func<IReadOnlyList<string>, string> Value, bool IsNumber);

    private sealed class Parser(string expression, GlueTable table)
    {
        private readonly List<AthenaSql.Token> tokens = AthenaSql.Tokenize(expression).Where(t => t.Kind != AthenaSql.TokenKind.Space).ToList();
        private int at;
        private int depth;

        public Func<IReadOnlyList<string>, bool> ParseWhole()
        {
            if (tokens.Count == 0) throw Invalid("it is empty");
            var predicate = Or();
            if (at < tokens.Count) throw Invalid($"'{tokens[at].Text}' at character {tokens[at].Offset + 1} is not expected there");
            return predicate;
        }

        private Func<IReadOnlyList<string>, bool> Or()
        {
            var left = And();
            while (IsWord("or"))
            {
                at++;
                var (a, b) = (left, And());
                left = values => a(values) || b(values);
            }
            return left;
        }

        private Func<IReadOnlyList<string>, bool> And()
        {
            var left = Not();
            while (IsWord("and"))
            {
                at++;
                var (a, b) = (left, Not());
                left = values => a(values) && b(values);
            }
            return left;
        }

        private Func<IReadOnlyList<string>, bool> Not()
        {
            if (!IsWord("not")) return Primary();
            at++;
            var inner = Nested(Not);
            return values => !inner(values);
        }

        private Func<IReadOnlyList<string>, bool> Primary()
        {
            if (!IsSymbol("(")) return Comparison();
            at++;
            var inner = Nested(Or);
            Expect(")");
            return inner;
        }

        private Func<IReadOnlyList<string>, bool> Nested(Func<Func<IReadOnlyList<string>, bool>> parse)
        {
            if (++depth > MaxDepth) throw Invalid($"it nests deeper than {MaxDepth} levels");
            var inner = parse();
            depth--;
            return inner;
        }

        private Func<IReadOnlyList<string>, bool> Comparison()
        {
            var left = Value();
            if (IsWord("is"))
            {
                at++;
                var negated = IsWord("not");
                if (negated) at++;
                ExpectWord("null");
                // A partition's values are never null (Hive keeps a missing one as a named default partition).
                return _ => negated;
            }
            var not = IsWord("not");
            if (not) at++;
            Func<IReadOnlyList<string>, bool> test;
            if (IsWord("in"))
            {
                at++;
                Expect("(");
                var candidates = new List<Operand> { Value() };
                while (IsSymbol(",")) { at++; candidates.Add(Value()); }
                Expect(")");
                test = values => candidates.Any(c => Compare(left, c, values) == 0);
            }
            else if (IsWord("between"))
            {
                at++;
                var low = Value();
                ExpectWord("and");
                var high = Value();
                test = values => Compare(left, low, values) >= 0 && Compare(left, high, values) <= 0;
            }
            else if (IsWord("like"))
            {
                at++;
                var patternAt = at;
                var pattern = Value();
                if (pattern.IsNumber || tokens[patternAt].Kind != AthenaSql.TokenKind.String) throw Invalid("LIKE takes a 'quoted pattern'");
                var like = LikePattern(pattern.Value([]));
                test = values => like.IsMatch(left.Value(values));
            }
            else if (!not && ComparisonOperator() is { } op)
            {
                var right = Value();
                test = op switch
                {
                    "=" => values => Compare(left, right, values) == 0,
                    "<>" or "!=" => values => Compare(left, right, values) is not (0 or null),
                    "<" => values => Compare(left, right, values) < 0,
                    ">" => values => Compare(left, right, values) > 0,
                    "<=" => values => Compare(left, right, values) <= 0,
                    _ => values => Compare(left, right, values) >= 0,
                };
            }
            else throw Invalid(at < tokens.Count ? $"'{tokens[at].Text}' at character {tokens[at].Offset + 1} is not a comparison" : "it ends before its comparison does");
            return not ? values => !test(values) : test;
        }

        /// <summary>=, &lt;, &gt;, or one of &lt;&gt; != &lt;= &gt;= written as two characters side by side.</summary>
        private string? ComparisonOperator()
        {
            if (at >= tokens.Count || tokens[at].Kind != AthenaSql.TokenKind.Symbol) return null;
            var first = tokens[at].Text;
            if (at + 1 < tokens.Count && tokens[at + 1].Kind == AthenaSql.TokenKind.Symbol && tokens[at + 1].Offset == tokens[at].Offset + 1
                && (first + tokens[at + 1].Text) is "<>" or "!=" or "<=" or ">=")
            {
                at += 2;
                return first + tokens[at - 1].Text;
            }
            if (first is not ("=" or "<" or ">")) return null;
            at++;
            return first;
        }

        private Operand Value()
        {
            if (at >= tokens.Count) throw Invalid("it ends where a partition key or a value should be");
            var token = tokens[at];
            var negative = token.Text == "-" && at + 1 < tokens.Count && tokens[at + 1].Kind == AthenaSql.TokenKind.Number;
            if (negative) token = tokens[++at];
            at++;
            switch (token.Kind)
            {
                case AthenaSql.TokenKind.String when token.Text.Length >= 2 && token.Text[^1] == '\'':
                {
                    var text = token.Text[1..^1].Replace("''", "'");
                    return new Operand(_ => text, IsNumber: false);
                }
                case AthenaSql.TokenKind.String:
                    throw Invalid($"the string at character {token.Offset + 1} has no closing quote");
                case AthenaSql.TokenKind.Number when decimal.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                {
                    var text = (negative ? -number : number).ToString(CultureInfo.InvariantCulture);
                    return new Operand(_ => text, IsNumber: true);
                }
                case AthenaSql.TokenKind.QuotedIdentifier when token.Text.Length < 2 || token.Text[^1] != token.Text[0]:
                    throw Invalid($"the name at character {token.Offset + 1} has no closing quote");
                case AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier:
                {
                    var name = token.Kind == AthenaSql.TokenKind.Word ? token.Text : token.Text[1..^1];
                    var index = PartitionPruning.IndexOfKey(table, name.ToLowerInvariant());
                    if (index < 0)
                        throw Invalid($"'{name}' is not a partition key of {table.Name}, whose keys are {(table.PartitionKeys.Count == 0 ? "none" : string.Join(", ", table.PartitionKeys.Select(k => k.Name)))}");
                    return new Operand(values => index < values.Count ? values[index] : "", NumberTypes.Contains(table.PartitionKeys[index].Type) || table.PartitionKeys[index].Type.StartsWith("decimal", StringComparison.OrdinalIgnoreCase));
                }
                default:
                    throw Invalid($"'{token.Text}' at character {token.Offset + 1} is not a partition key, a 'quoted string' or a number");
            }
        }

        /// <summary>The order of two sides, or null when a number is compared with text that is not one (no partition matches then).</summary>
        private static int? Compare(Operand left, Operand right, IReadOnlyList<string> values)
        {
            var (a, b) = (left.Value(values), right.Value(values));
            if (!left.IsNumber && !right.IsNumber) return string.CompareOrdinal(a, b);
            return decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
                ? x.CompareTo(y)
                : null;
        }

        /// <summary>SQL's LIKE: % any characters, _ one character, the rest as written; matched without backtracking.</summary>
        private static Regex LikePattern(string like)
        {
            var regex = new StringBuilder("^");
            foreach (var c in like) regex.Append(c switch { '%' => ".*", '_' => ".", _ => Regex.Escape(c.ToString()) });
            return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }

        private bool IsWord(string word) => at < tokens.Count && tokens[at].Kind == AthenaSql.TokenKind.Word && tokens[at].Text.Equals(word, StringComparison.OrdinalIgnoreCase);

        private bool IsSymbol(string symbol) => at < tokens.Count && tokens[at].Kind == AthenaSql.TokenKind.Symbol && tokens[at].Text == symbol;

        private void Expect(string symbol)
        {
            if (!IsSymbol(symbol)) throw Invalid(at < tokens.Count ? $"'{symbol}' was expected at character {tokens[at].Offset + 1}, not '{tokens[at].Text}'" : $"a '{symbol}' is missing at its end");
            at++;
        }

        private void ExpectWord(string word)
        {
            if (!IsWord(word)) throw Invalid(at < tokens.Count ? $"{word.ToUpperInvariant()} was expected at character {tokens[at].Offset + 1}, not '{tokens[at].Text}'" : $"{word.ToUpperInvariant()} is missing at its end");
            at++;
        }

        private InvalidInputException Invalid(string reason) => new($"Expression '{expression}' cannot be read: {reason}. {Supported}");
    }
}
