using System.Globalization;
using System.Text;

namespace StreamingWorkshop.Warehouse;

/// <summary>What a translation needs to know about the cluster: which column names hold SUPER values (so <c>payload.city</c> navigates JSON).</summary>
public sealed record RedshiftContext(IReadOnlySet<string> SuperColumns)
{
    public static RedshiftContext Empty { get; } = new(new HashSet<string>());
}

/// <summary>
/// Rewrites Redshift's functions and casts into DuckDB's: GETDATE and SYSDATE read the warehouse's clock (macros made per
/// connection), DATEADD/DATEDIFF/DATE_TRUNC name their part as DuckDB does, LISTAGG and PERCENTILE_CONT lose WITHIN GROUP,
/// SUPER columns are navigated as JSON, and a division by zero fails as Redshift's does.
/// </summary>
internal sealed class RedshiftTranslator(List<RedshiftToken> tokens, RedshiftContext context)
{
    public static string Translate(string sql, RedshiftContext context)
    {
        var tokens = RedshiftLexer.Tokens(sql);
        var translator = new RedshiftTranslator(tokens, context);
        translator.QuoteEngineKeywords();
        var limit = TopRows(tokens);
        var text = translator.Range(0, tokens.Count);
        return limit is null ? text : text.TrimEnd().TrimEnd(';') + " LIMIT " + limit;
    }

    /// <summary>
    /// Words Redshift takes as plain names that the engine's parser keeps for itself (DuckDB's ASOF and POSITIONAL joins,
    /// its MAP and STRUCT types, ...): a column called <c>at</c> is fine on Redshift and a syntax error in the engine.
    /// </summary>
    private static readonly HashSet<string> EngineOnlyKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "at", "anti", "asof", "semi", "positional", "map", "struct", "unpack", "summarize", "lambda", "tablesample",
    };

    /// <summary>
    /// Quotes each of <see cref="EngineOnlyKeywords"/> where Redshift reads it as a name: not a call, and for AT not the
    /// start of AT TIME ZONE. Quoted in lower case, as Redshift folds an unquoted name.
    /// </summary>
    private void QuoteEngineKeywords()
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != RedshiftTokenKind.Word || !EngineOnlyKeywords.Contains(tokens[i].Text)) continue;
            var next = Next(i + 1);
            if (next < tokens.Count && tokens[next].IsSymbol("(")) continue;
            if (tokens[i].IsWord("at") && next < tokens.Count && tokens[next].IsWord("time")) continue;
            tokens[i] = new RedshiftToken(RedshiftTokenKind.QuotedName, '"' + tokens[i].Text.ToLowerInvariant() + '"');
        }
    }

    /// <summary>SELECT TOP n (Redshift's LIMIT): the count, with TOP and n taken out of the tokens, or null.</summary>
    private static string? TopRows(List<RedshiftToken> tokens)
    {
        var significant = tokens.Select((t, i) => (t, i)).Where(p => p.t.Kind is not (RedshiftTokenKind.Space or RedshiftTokenKind.Comment)).ToList();
        if (significant.Count < 3 || !significant[0].t.IsWord("SELECT")) return null;
        var top = significant[1].t.IsWord("DISTINCT") ? 2 : 1;
        if (significant.Count < top + 2 || !significant[top].t.IsWord("TOP") || significant[top + 1].t.Kind != RedshiftTokenKind.Number) return null;
        if (significant.Any(p => p.t.IsWord("LIMIT") || p.t.IsWord("UNION"))) return null;
        var count = significant[top + 1].t.Text;
        tokens[significant[top].i] = new RedshiftToken(RedshiftTokenKind.Space, "");
        tokens[significant[top + 1].i] = new RedshiftToken(RedshiftTokenKind.Space, "");
        return count;
    }

    /// <summary>The index of the next token that is not a space or comment, at or after <paramref name="i"/> (or <paramref name="end"/>).</summary>
    private int Next(int i, int end)
    {
        while (i < end && tokens[i].Kind is RedshiftTokenKind.Space or RedshiftTokenKind.Comment) i++;
        return i;
    }

    private int Next(int i) => Next(i, tokens.Count);

    private RedshiftToken? At(int i) => i < tokens.Count ? tokens[i] : null;

    /// <summary>The index just after the parenthesis that closes the one at <paramref name="open"/>.</summary>
    private int Close(int open)
    {
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            if (tokens[i].IsSymbol("(")) depth++;
            else if (tokens[i].IsSymbol(")") && --depth == 0) return i + 1;
        }
        throw new RedshiftSqlException("syntax error at end of input", "42601");
    }

    /// <summary>The arguments between the parenthesis at <paramref name="open"/> and its match, as token ranges.</summary>
    private List<(int Start, int End)> Arguments(int open, int close)
    {
        var result = new List<(int, int)>();
        var depth = 0;
        var start = open + 1;
        for (var i = open + 1; i < close - 1; i++)
        {
            if (tokens[i].IsSymbol("(")) depth++;
            else if (tokens[i].IsSymbol(")")) depth--;
            else if (depth == 0 && tokens[i].IsSymbol(","))
            {
                result.Add((start, i));
                start = i + 1;
            }
        }
        if (Next(start, close - 1) < close - 1 || result.Count > 0) result.Add((start, close - 1));
        return result;
    }

    private string Text(int start, int end) => string.Concat(tokens.Skip(start).Take(end - start).Select(t => t.Text)).Trim();

    /// <summary>The clause being translated (SELECT, FROM, WHERE, ...): in a SELECT list a navigated value is named after its last key, as Redshift names it.</summary>
    private string clause = "";

    public string Range(int start, int end)
    {
        var output = new StringBuilder();
        var i = start;
        while (i < end)
        {
            var token = tokens[i];
            if (token.Kind == RedshiftTokenKind.Word && token.Text.ToUpperInvariant() is "SELECT" or "FROM" or "WHERE" or "GROUP" or "HAVING" or "ORDER" or "LIMIT" or "ON" or "JOIN" or "QUALIFY" or "WINDOW")
                clause = token.Text.ToUpperInvariant();
            if (token.Kind == RedshiftTokenKind.Word)
            {
                var after = Next(i + 1, end);
                if (At(after)?.IsSymbol("(") == true && Function(token.Text.ToUpperInvariant(), after, end) is { } call)
                {
                    output.Append(call.Text);
                    i = call.Next;
                    continue;
                }
                if (token.IsWord("SYSDATE")) { output.Append("sysdate()"); i++; continue; }
                if (token.IsWord("CURRENT_DATE")) { output.Append("CAST(sysdate() AS DATE)"); i++; continue; }
                if (token.IsWord("APPROXIMATE") && At(after)?.IsWord("COUNT") == true)
                {
                    var open = Next(after + 1, end);
                    var close = Close(open);
                    var distinct = Next(open + 1, end);
                    if (!At(distinct)!.IsWord("DISTINCT")) throw new RedshiftSqlException("syntax error at or near \"APPROXIMATE\"", "42601");
                    output.Append("approx_count_distinct(").Append(Range(distinct + 1, close - 1)).Append(')');
                    i = close;
                    continue;
                }
            }
            if (token.IsName && Navigation(i, end) is { } navigation)
            {
                output.Append(navigation.Text);
                i = navigation.Next;
                continue;
            }
            if (token.IsSymbol("::"))
            {
                var type = TypeAt(Next(i + 1, end), end);
                output.Append("::").Append(type.Duck);
                i = type.Next;
                continue;
            }
            if (token.IsSymbol("/"))
            {
                var operand = Primary(Next(i + 1, end), end);
                output.Append("/ rs_divisor(").Append(Range(operand.Start, operand.End)).Append(')');
                i = operand.End;
                continue;
            }
            output.Append(token.Text);
            i++;
        }
        return output.ToString();
    }

    /// <summary>The tokens of the operand that starts at <paramref name="i"/>: a literal, a name, a call or a parenthesised expression, with its casts.</summary>
    private (int Start, int End) Primary(int i, int end)
    {
        var start = i;
        if (At(i)?.IsSymbol("-") == true || At(i)?.IsSymbol("+") == true) i = Next(i + 1, end);
        if (i >= end) throw new RedshiftSqlException("syntax error at end of input", "42601");
        if (tokens[i].IsSymbol("(")) i = Close(i);
        else if (tokens[i].IsName)
        {
            i++;
            while (At(i)?.IsSymbol(".") == true && At(i + 1)?.IsName == true) i += 2;
            var open = Next(i, end);
            if (At(open)?.IsSymbol("(") == true) i = Close(open);
        }
        else i++;
        while (Next(i, end) is var cast && At(cast)?.IsSymbol("::") == true) i = TypeAt(Next(cast + 1, end), end).Next;
        return (start, i);
    }

    /// <summary>A type name after :: or AS, in DuckDB's words, and the index after it.</summary>
    public (string Duck, int Next) TypeAt(int i, int end)
    {
        var words = new List<string>();
        while (i < end && tokens[i].Kind == RedshiftTokenKind.Word && (words.Count == 0 || RedshiftTypes.IsTypeWord(tokens[i].Text)))
        {
            words.Add(tokens[i].Text);
            i = Next(i + 1, end) is var n && At(n)?.Kind == RedshiftTokenKind.Word && RedshiftTypes.IsTypeWord(At(n)!.Text) ? n : i + 1;
        }
        if (words.Count == 0) throw new RedshiftSqlException($"syntax error at or near \"{At(i)?.Text ?? ""}\"", "42601");
        var arguments = new List<string>();
        var open = Next(i, end);
        if (At(open)?.IsSymbol("(") == true)
        {
            var close = Close(open);
            arguments = Arguments(open, close).Select(a => Text(a.Start, a.End)).ToList();
            i = close;
        }
        return (RedshiftTypes.Parse(string.Join(' ', words), arguments).Duck, i);
    }

    /// <summary>A call of a Redshift function DuckDB spells differently, or null for one that passes as it is.</summary>
    private (string Text, int Next)? Function(string name, int open, int end)
    {
        if (name is not ("GETDATE" or "DATEADD" or "DATEDIFF" or "DATE_DIFF" or "DATE_TRUNC" or "DATE_PART" or "DATEPART" or "NVL" or "NVL2" or "DECODE"
            or "LISTAGG" or "PERCENTILE_CONT" or "PERCENTILE_DISC" or "CONVERT_TIMEZONE" or "TO_CHAR" or "CAST" or "JSON_EXTRACT_PATH_TEXT" or "TO_VARBYTE"))
            return null;
        var close = Close(open);
        var args = Arguments(open, close);
        string Arg(int index) => Range(args[index].Start, args[index].End).Trim();
        string Part(int index) => "'" + DatePart(Text(args[index].Start, args[index].End)) + "'";
        void Expect(int count)
        {
            if (args.Count != count) throw NoFunction(name, args);
        }
        switch (name)
        {
            case "GETDATE":
                Expect(0);
                return ("getdate()", close);
            case "DATEADD":
                Expect(3);
                var part = DatePart(Text(args[0].Start, args[0].End));
                var amount = part switch
                {
                    "quarter" => $"to_months(3 * CAST({Arg(1)} AS BIGINT))",
                    "millisecond" => $"to_milliseconds(CAST({Arg(1)} AS BIGINT))",
                    "microsecond" => $"to_microseconds(CAST({Arg(1)} AS BIGINT))",
                    _ => $"to_{part}s(CAST({Arg(1)} AS BIGINT))",
                };
                return ($"(CAST({Arg(2)} AS TIMESTAMP) + {amount})", close);
            case "DATEDIFF" or "DATE_DIFF":
                Expect(3);
                return ($"date_diff({Part(0)}, CAST({Arg(1)} AS TIMESTAMP), CAST({Arg(2)} AS TIMESTAMP))", close);
            case "DATE_TRUNC":
                Expect(2);
                return ($"date_trunc({Part(0)}, CAST({Arg(1)} AS TIMESTAMP))", close);
            case "DATE_PART" or "DATEPART":
                Expect(2);
                return ($"CAST(date_part({Part(0)}, {Arg(1)}) AS DOUBLE)", close);
            case "NVL":
                if (args.Count < 2) throw NoFunction(name, args);
                return ($"coalesce({string.Join(", ", args.Select((_, k) => Arg(k)))})", close);
            case "NVL2":
                Expect(3);
                return ($"(CASE WHEN {Arg(0)} IS NOT NULL THEN {Arg(1)} ELSE {Arg(2)} END)", close);
            case "DECODE":
                if (args.Count < 3) return null;
                var cases = new StringBuilder($"(CASE {Arg(0)}");
                var k = 1;
                for (; k + 1 < args.Count; k += 2) cases.Append($" WHEN {Arg(k)} THEN {Arg(k + 1)}");
                if (k < args.Count) cases.Append($" ELSE {Arg(k)}");
                return (cases.Append(" END)").ToString(), close);
            case "LISTAGG":
                if (args.Count is < 1 or > 2) throw NoFunction(name, args);
                var (order, next) = WithinGroup(close, end);
                return ($"string_agg({Arg(0)}, {(args.Count == 2 ? Arg(1) : "''")}{(order is null ? "" : " ORDER BY " + order)})", next);
            case "PERCENTILE_CONT" or "PERCENTILE_DISC":
                Expect(1);
                var (ordered, after) = WithinGroup(close, end);
                if (ordered is null) throw new RedshiftSqlException($"{name.ToLowerInvariant()} needs WITHIN GROUP (ORDER BY expression)", "42601");
                return ($"quantile_{(name == "PERCENTILE_CONT" ? "cont" : "disc")}({ordered}, {Arg(0)})", after);
            case "CONVERT_TIMEZONE":
                if (args.Count == 2) return ($"timezone({Arg(0)}, timezone('UTC', CAST({Arg(1)} AS TIMESTAMP)))", close);
                Expect(3);
                return ($"timezone({Arg(1)}, timezone({Arg(0)}, CAST({Arg(2)} AS TIMESTAMP)))", close);
            case "TO_CHAR":
                Expect(2);
                if (tokens[Next(args[1].Start)].Kind != RedshiftTokenKind.Text) return null;
                return ($"strftime(CAST({Arg(0)} AS TIMESTAMP), '{DateFormat(tokens[Next(args[1].Start)].Value).Replace("'", "''")}')", close);
            case "CAST":
                Expect(1);
                var split = Enumerable.Range(args[0].Start, args[0].End - args[0].Start).LastOrDefault(t => tokens[t].IsWord("AS") && Depth(args[0].Start, t) == 0, -1);
                if (split < 0) throw new RedshiftSqlException("syntax error at or near \")\"", "42601");
                var target = TypeAt(Next(split + 1), args[0].End);
                return ($"CAST({Range(args[0].Start, split).Trim()} AS {target.Duck})", close);
            case "JSON_EXTRACT_PATH_TEXT":
                if (args.Count < 2 || args.Skip(1).Any(a => tokens[Next(a.Start)].Kind != RedshiftTokenKind.Text)) throw NoFunction(name, args);
                var path = "$" + string.Concat(args.Skip(1).Select(a => "." + JsonKey(tokens[Next(a.Start)].Value)));
                return ($"rs_json_path_text({Arg(0)}, '{path.Replace("'", "''")}')", close);
            case "TO_VARBYTE":
                Expect(2);
                return ($"rs_to_varbyte({Arg(0)}, {Arg(1)})", close);
        }
        return null;
    }

    private int Depth(int start, int at)
    {
        var depth = 0;
        for (var i = start; i < at; i++)
            depth += tokens[i].IsSymbol("(") ? 1 : tokens[i].IsSymbol(")") ? -1 : 0;
        return depth;
    }

    /// <summary>WITHIN GROUP (ORDER BY ...) after an aggregate's call: the ordering, translated, and the index after it.</summary>
    private (string? Order, int Next) WithinGroup(int close, int end)
    {
        var within = Next(close, end);
        if (At(within)?.IsWord("WITHIN") != true) return (null, close);
        var group = Next(within + 1, end);
        var open = Next(group + 1, end);
        var by = Next(Next(open + 1, end) + 1, end);
        if (At(group)?.IsWord("GROUP") != true || At(open)?.IsSymbol("(") != true || At(Next(open + 1, end))?.IsWord("ORDER") != true || At(by)?.IsWord("BY") != true)
            throw new RedshiftSqlException("syntax error at or near \"WITHIN\"", "42601");
        var last = Close(open);
        return (Range(by + 1, last - 1).Trim(), last);
    }

    /// <summary>
    /// <c>payload.city</c>, <c>t.payload.location.lat</c> or <c>payload['city']</c> where payload is a SUPER column: the JSON
    /// value at that path; as text where it is cast to a character type or compared with a string, as a number where compared with one.
    /// </summary>
    private (string Text, int Next)? Navigation(int i, int end)
    {
        var parts = new List<int> { i };
        var j = i + 1;
        while (At(j)?.IsSymbol(".") == true && At(j + 1)?.IsName == true)
        {
            parts.Add(j + 1);
            j += 2;
        }
        if (At(Next(j, end))?.IsSymbol("(") == true) return null;
        var superAt = parts.FindIndex(p => context.SuperColumns.Contains(tokens[p].Name));
        if (superAt < 0) return null;
        var path = new StringBuilder("$");
        foreach (var p in parts.Skip(superAt + 1)) path.Append('.').Append(JsonKey(tokens[p].Name));
        while (At(j)?.IsSymbol("[") == true && At(j + 1) is { Kind: RedshiftTokenKind.Text or RedshiftTokenKind.Number } key && At(j + 2)?.IsSymbol("]") == true)
        {
            path.Append(key.Kind == RedshiftTokenKind.Text ? "." + JsonKey(key.Value) : "[" + key.Text + "]");
            j += 3;
        }
        if (path.Length == 1) return null;
        var column = string.Concat(parts.Take(superAt + 1).Select(p => tokens[p].Text).Select((t, k) => k == 0 ? t : "." + t));
        var literalPath = "'" + path.ToString().Replace("'", "''") + "'";
        var following = Next(j, end);
        var next = At(following);
        if (next?.IsSymbol("::") == true && !TypeAt(Next(following + 1, end), end).Duck.Equals("JSON", StringComparison.Ordinal))
            return ($"json_extract_string({column}, {literalPath})", j);
        if (next is { Kind: RedshiftTokenKind.Symbol } op && op.Text is "=" or "<>" or "!=" or "<" or ">" or "<=" or ">=")
        {
            var other = At(Next(following + 1, end));
            if (other?.Kind == RedshiftTokenKind.Text) return ($"json_extract_string({column}, {literalPath})", j);
            if (other?.Kind == RedshiftTokenKind.Number || other?.IsSymbol("-") == true) return ($"TRY_CAST(json_extract_string({column}, {literalPath}) AS DOUBLE)", j);
        }
        var extracted = $"json_extract({column}, {literalPath})";
        if (clause == "SELECT" && (next is null || following >= end || next.IsSymbol(",") || next.IsWord("FROM")))
            extracted += " AS " + LocalWarehouse.QuoteIdentifier(LastKey(tokens, parts, superAt, j));
        return (extracted, j);
    }

    /// <summary>The name Redshift gives a navigated value: its last key (<c>payload.location.lat</c> is lat, <c>payload[0]</c> is payload).</summary>
    private static string LastKey(List<RedshiftToken> tokens, List<int> parts, int superAt, int end)
    {
        for (var k = end - 1; k > parts[^1]; k--)
            if (tokens[k].Kind == RedshiftTokenKind.Text) return tokens[k].Value;
        return tokens[parts[^1]].Name;
    }

    private static string JsonKey(string key) => "\"" + key.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static RedshiftSqlException NoFunction(string name, List<(int Start, int End)> args) =>
        new($"function {name.ToLowerInvariant()}({string.Join(", ", args.Select(_ => "unknown"))}) does not exist", "42883");

    /// <summary>A date part as Redshift accepts it (quoted or not, abbreviated or not) in DuckDB's name.</summary>
    public static string DatePart(string written) => written.Trim().Trim('\'').ToLowerInvariant() switch
    {
        "millennium" or "millennia" or "mil" or "mils" => "millennium",
        "century" or "centuries" or "c" or "cent" or "cents" => "century",
        "decade" or "decades" or "dec" or "decs" => "decade",
        "year" or "years" or "y" or "yr" or "yrs" => "year",
        "quarter" or "quarters" or "qtr" or "qtrs" => "quarter",
        "month" or "months" or "mon" or "mons" => "month",
        "week" or "weeks" or "w" => "week",
        "day" or "days" or "d" => "day",
        "dayofweek" or "dow" or "dw" or "weekday" => "dayofweek",
        "dayofyear" or "doy" or "dy" or "yearday" => "dayofyear",
        "hour" or "hours" or "h" or "hr" or "hrs" => "hour",
        "minute" or "minutes" or "m" or "min" or "mins" => "minute",
        "second" or "seconds" or "s" or "sec" or "secs" => "second",
        "millisecond" or "milliseconds" or "ms" or "msec" or "msecs" or "msecond" or "mseconds" or "millisec" or "millisecs" or "millisecon" => "millisecond",
        "microsecond" or "microseconds" or "microsec" or "microsecs" or "microsecond" or "usecond" or "useconds" or "us" or "usec" or "usecs" => "microsecond",
        "epoch" => "epoch",
        var other => throw new RedshiftSqlException($"timestamp units \"{other}\" not recognized", "0A000"),
    };

    private static readonly (string Redshift, string Duck)[] DatePatterns =
    [
        ("HH24", "%H"), ("HH12", "%I"), ("YYYY", "%Y"), ("MONTH", "%B"), ("Month", "%B"), ("DAY", "%A"), ("Day", "%A"),
        ("MON", "%b"), ("Mon", "%b"), ("DY", "%a"), ("Dy", "%a"), ("DDD", "%j"), ("YY", "%y"), ("MM", "%m"), ("DD", "%d"), ("HH", "%I"),
        ("MI", "%M"), ("SS", "%S"), ("MS", "%g"), ("US", "%f"), ("AM", "%p"), ("PM", "%p"), ("TZ", "%Z"),
    ];

    /// <summary>A TO_CHAR datetime format in strftime's letters.</summary>
    public static string DateFormat(string format)
    {
        var text = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            if (format[i] == '"')
            {
                var close = format.IndexOf('"', i + 1);
                var literal = close < 0 ? format[(i + 1)..] : format[(i + 1)..close];
                text.Append(literal.Replace("%", "%%"));
                i = close < 0 ? format.Length : close + 1;
                continue;
            }
            var match = DatePatterns.FirstOrDefault(p => string.CompareOrdinal(format, i, p.Redshift, 0, p.Redshift.Length) == 0);
            if (match.Redshift is null) match = DatePatterns.FirstOrDefault(p => string.Compare(format, i, p.Redshift, 0, p.Redshift.Length, StringComparison.OrdinalIgnoreCase) == 0);
            if (match.Redshift is not null)
            {
                text.Append(match.Duck);
                i += match.Redshift.Length;
                continue;
            }
            text.Append(format[i] == '%' ? "%%" : format[i].ToString(CultureInfo.InvariantCulture));
            i++;
        }
        return text.ToString();
    }
}
