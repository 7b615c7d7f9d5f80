namespace StreamingWorkshop.Warehouse;

/// <summary>The kinds of piece a Redshift statement is cut into before it is translated.</summary>
internal enum RedshiftTokenKind
{
    Space,
    Comment,
    Word,
    QuotedName,
    Text,
    Number,
    Symbol,
}

internal sealed record RedshiftToken(RedshiftTokenKind Kind, string Text)
{
    public bool IsWord(string word) => Kind == RedshiftTokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == RedshiftTokenKind.Symbol && Text == symbol;

    public bool IsName => Kind is RedshiftTokenKind.Word or RedshiftTokenKind.QuotedName;

    /// <summary>A name as Redshift folds it: unquoted names in lower case, quoted ones as written.</summary>
    public string Name => Kind == RedshiftTokenKind.QuotedName ? Text[1..^1].Replace("\"\"", "\"") : Text.ToLowerInvariant();

    /// <summary>The text of a string literal without its quotes.</summary>
    public string Value => Text[1..^1].Replace("''", "'");
}

/// <summary>Cuts Redshift SQL into words, names, literals and symbols, keeping spaces and comments so the text can be put back together.</summary>
internal static class RedshiftLexer
{
    private static readonly string[] LongSymbols = ["::", "<>", "!=", "<=", ">=", "||"];

    public static List<RedshiftToken> Tokens(string sql)
    {
        var tokens = new List<RedshiftToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            RedshiftTokenKind kind;
            if (char.IsWhiteSpace(c))
            {
                while (i < sql.Length && char.IsWhiteSpace(sql[i])) i++;
                kind = RedshiftTokenKind.Space;
            }
            else if (c == '-' && At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++;
                kind = RedshiftTokenKind.Comment;
            }
            else if (c == '/' && At(sql, i + 1) == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
                kind = RedshiftTokenKind.Comment;
            }
            else if (c is '\'' or '"')
            {
                i = EndOfQuoted(sql, i, c);
                kind = c == '\'' ? RedshiftTokenKind.Text : RedshiftTokenKind.QuotedName;
            }
            else if (char.IsDigit(c) || (c == '.' && char.IsDigit(At(sql, i + 1))))
            {
                while (i < sql.Length && (char.IsDigit(sql[i]) || sql[i] == '.')) i++;
                if (i < sql.Length && sql[i] is 'e' or 'E' && (char.IsDigit(At(sql, i + 1)) || (At(sql, i + 1) is '-' or '+' && char.IsDigit(At(sql, i + 2)))))
                {
                    i += 2;
                    while (i < sql.Length && char.IsDigit(sql[i])) i++;
                }
                kind = RedshiftTokenKind.Number;
            }
            else if (char.IsLetter(c) || c is '_' or '$' or '#')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$' or '#')) i++;
                kind = RedshiftTokenKind.Word;
            }
            else
            {
                i += LongSymbols.Any(s => string.CompareOrdinal(sql, i, s, 0, 2) == 0) ? 2 : 1;
                kind = RedshiftTokenKind.Symbol;
            }
            tokens.Add(new RedshiftToken(kind, sql[start..i]));
        }
        return tokens;
    }

    private static char At(string text, int index) => index < text.Length ? text[index] : '\0';

    private static int EndOfQuoted(string sql, int start, char quote)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (At(sql, i + 1) == quote) { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        throw new RedshiftSqlException(quote == '\'' ? "unterminated quoted string at or near \"" + sql[start..Math.Min(sql.Length, start + 20)] + "\"" : "unterminated quoted identifier at or near \"" + sql[start..Math.Min(sql.Length, start + 20)] + "\"", "42601");
    }
}
