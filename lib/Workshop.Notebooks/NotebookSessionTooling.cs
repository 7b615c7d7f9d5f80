using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StreamingWorkshop.Notebooks;

/// <summary>Editor help from Roslyn's view of the code, against the session's state: completeness, completions, inspection.</summary>
public sealed partial class NotebookSession
{
    /// <summary>
    /// "complete" when the code can run as it is; "incomplete" when more lines are expected (an open brace, say), with
    /// the indent the next line takes, four spaces a brace still open; "invalid" when no more lines could mend it
    /// (a brace closed that was never opened), so a console runs it and shows the error.
    /// </summary>
    public static (string Status, string Indent) IsComplete(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script));
        if (!SyntaxFactory.IsCompleteSubmission(tree))
        {
            var open = tree.GetRoot().DescendantTokens().Sum(t => t.IsKind(SyntaxKind.OpenBraceToken) ? 1 : t.IsKind(SyntaxKind.CloseBraceToken) && !t.IsMissing ? -1 : 0);
            return ("incomplete", new string(' ', 4 * Math.Max(open, 0)));
        }
        return tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error) ? ("invalid", "") : ("complete", "");
    }

    /// <summary>Names that fit at the cursor: members after a dot, otherwise everything in scope (earlier cells' variables included).</summary>
    public (int Start, int End, IReadOnlyList<string> Matches) Complete(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_')) start--;
        var prefix = code[start..cursor];
        var (model, offset) = Analyse(code);
        var position = offset + start;
        IEnumerable<ISymbol> symbols;
        if (start > 0 && code[start - 1] == '.')
        {
            var node = model.SyntaxTree.GetRoot().FindToken(position - 1).Parent;
            var target = node is MemberAccessExpressionSyntax access ? access.Expression : null;
            var info = target is null ? default : model.GetSymbolInfo(target);
            var type = target is null ? null : model.GetTypeInfo(target).Type;
            symbols = info.Symbol is INamedTypeSymbol named
                ? named.GetMembers().Where(m => m.IsStatic)
                : info.Symbol is INamespaceSymbol ns ? ns.GetMembers()
                : type?.GetMembers().Where(m => !m.IsStatic) ?? [];
            // After a type, its static members only (Workshop.ConnectAsync, not GetType); after a value, what a value
            // offers, its extension methods included (workshop.QueryAsync and Display, not object's ReferenceEquals).
            if (type is not null)
                symbols = symbols.Concat(model.LookupSymbols(position, type, includeReducedExtensionMethods: true)
                    .Where(m => m.IsStatic == info.Symbol is INamedTypeSymbol));
            // A kit object's plumbing (the HTML a notebook shows, its disposal) is no call a learner makes on it.
            if (type?.ContainingNamespace?.ToDisplayString().StartsWith("StreamingWorkshop", StringComparison.Ordinal) == true)
                symbols = symbols.Where(m => !KitPlumbing.Contains(m.Name));
        }
        else
        {
            symbols = model.LookupSymbols(position);
        }
        // Matched whatever the case, as a learner types it (workshop.query finds QueryAsync); the client puts the name as
        // it is spelled in place of what was typed.
        var found = symbols
            .Where(s => s.CanBeReferencedByName && s.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && model.IsAccessible(position, s))
            .ToList();
        var names = found.Select(s => s.Name).Distinct().ToList();
        if (names.Count > MaxCompletions)
        {
            // Too many to list (everything in scope, at the start of an argument say): the learner's own variables and
            // methods from the cells are kept, and the rest of the list is cut.
            var own = found.Where(IsLearners).Select(s => s.Name).Distinct().ToList();
            names = [.. own, .. names.Except(own).Order(StringComparer.Ordinal).Take(Math.Max(0, MaxCompletions - own.Count))];
        }
        return (start, cursor, names.Order(StringComparer.Ordinal).ToList());
    }

    private const int MaxCompletions = 200;

    private static readonly HashSet<string> KitPlumbing = new(StringComparer.Ordinal) { "ToHtml", "ConfigureAwait", "Dispose", "DisposeAsync" };

    /// <summary>A variable or method the notebook's cells declared: a local of this cell, or a member of an earlier cell's script class.</summary>
    private static bool IsLearners(ISymbol symbol) =>
        symbol is ILocalSymbol || symbol.ContainingType is { IsScriptClass: true };

    /// <summary>
    /// The symbol at the cursor as a hover shows it: its signature with parameter names (a variable with its type), its
    /// documentation summary, and its kind; for a call the compiler cannot settle yet, the overloads it could mean.
    /// Null when there is none.
    /// </summary>
    public string? Inspect(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var (model, offset) = Analyse(code);
        var token = model.SyntaxTree.GetRoot().FindToken(offset + Math.Max(0, cursor - 1));
        for (var node = token.Parent; node is not null; node = node.Parent)
        {
            var info = model.GetSymbolInfo(node);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? model.GetDeclaredSymbol(node);
            if (symbol is null) continue;
            // The overload the code calls, when the compiler has settled it; otherwise every one it could be.
            var overloads = info.Symbol is null && symbol is IMethodSymbol method
                ? method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().ToList()
                : [];
            var lines = overloads.Count > 1
                ? overloads.Take(MaxOverloadsShown).Select(o => o.ToDisplayString(HoverFormat))
                    .Concat(overloads.Count > MaxOverloadsShown ? [$"(+{overloads.Count - MaxOverloadsShown} more overloads)"] : [])
                : [symbol.ToDisplayString(HoverFormat)];
            var summary = Summary((symbol is IMethodSymbol { ReducedFrom: { } extension } ? extension : symbol.OriginalDefinition).GetDocumentationCommentXml(), model.Compilation);
            return string.Join("\n", lines) + (summary is null ? "" : "\n\n" + summary) + $"\n\n{KindName(symbol)}";
        }
        return null;
    }

    private const int MaxOverloadsShown = 8;

    /// <summary>What the symbol is, in a learner's words: a cell's variable is a variable (the compiler makes it a field of the cell's class).</summary>
    private static string KindName(ISymbol symbol) =>
        symbol is ILocalSymbol || symbol is IFieldSymbol { ContainingType.IsScriptClass: true } ? "Variable" : symbol.Kind.ToString();

    /// <summary>Types named short, members with their parameters' types and names, a variable with its type.</summary>
    private static readonly SymbolDisplayFormat HoverFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeRef,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeParamsRefOut,
        localOptions: SymbolDisplayLocalOptions.IncludeType,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static string? Summary(string? xml, Compilation compilation, int depth = 0)
    {
        if (string.IsNullOrWhiteSpace(xml)) return null;
        // A shortcut documented as the call it makes (<inheritdoc cref="..."/>, as workshop.QueryAsync is) shows that call's summary.
        if (!xml.Contains("<summary>", StringComparison.Ordinal) && depth < 4
            && System.Text.RegularExpressions.Regex.Match(xml, "<inheritdoc cref=\"(?<id>[^\"]+)\"") is { Success: true } inherited)
            return Summary(DocumentationCommentId.GetFirstSymbolForDeclarationId(inherited.Groups["id"].Value, compilation)?.GetDocumentationCommentXml(), compilation, depth + 1);
        var start = xml.IndexOf("<summary>", StringComparison.Ordinal);
        var end = xml.IndexOf("</summary>", StringComparison.Ordinal);
        if (start < 0 || end < start) return null;
        // A reference stands for a name, which the sentence needs: a parameter's, a member's short name, a keyword.
        var text = ReferenceTag().Replace(xml[(start + 9)..end], reference => reference.Groups["name"].Success ? reference.Groups["name"].Value
            : reference.Groups["word"].Success ? reference.Groups["word"].Value : ShortName(reference.Groups["cref"].Value));
        return System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(text, @"<[^>]+>|\s+", " ").Trim());
    }

    /// <summary>A documentation id's last name: "M:StreamingWorkshop.LiveRun.StopAsync(System.Threading.CancellationToken)" is StopAsync.</summary>
    private static string ShortName(string id)
    {
        var name = id.Length > 2 && id[1] == ':' ? id[2..] : id;
        if (name.IndexOf('(') is var open and >= 0) name = name[..open];
        name = name[(name.LastIndexOf('.') + 1)..];
        return name.IndexOf('`') is var arity and >= 0 ? name[..arity] : name;
    }

    [System.Text.RegularExpressions.GeneratedRegex("""<(?:paramref|typeparamref) name="(?<name>[^"]+)"\s*/>|<see langword="(?<word>[^"]+)"\s*/>|<see cref="(?<cref>[^"]+)"\s*/>""")]
    private static partial System.Text.RegularExpressions.Regex ReferenceTag();

    /// <summary>A semantic model for the code as the next submission of this session; the code starts at the returned offset.</summary>
    private (SemanticModel Model, int Offset) Analyse(string code)
    {
        var script = state is null ? CSharpScript.Create(code, options) : state.Script.ContinueWith(code, options);
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        return (compilation.GetSemanticModel(tree), 0);
    }
}
