using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// Lets a running cell be stopped. .NET cannot abort a thread, so before a cell is compiled every loop body and every
/// method's body gets a call to <see cref="Check"/> at its start (inserted on the same line, so line numbers do not
/// move); when an interrupt is requested, the next check throws and the cell ends with an error, while the session and
/// its variables carry on.
/// </summary>
public static class Interruption
{
    private static volatile bool requested;
    private static CancellationTokenSource waits = new();

    public static void Request()
    {
        requested = true;
        waits.Cancel();
    }

    public static void Clear()
    {
        requested = false;
        if (waits.IsCancellationRequested) waits = new CancellationTokenSource();
    }

    /// <summary>Cancelled by the next <see cref="Request"/>: what the kit's own long calls stop on.</summary>
    public static CancellationToken Token => waits.Token;

    public static void Check()
    {
        if (requested) throw new OperationCanceledException("The cell was interrupted.");
    }

    /// <summary>Thread.Sleep in a cell: the same wait, ended by an interrupt.</summary>
    public static void Sleep(int milliseconds)
    {
        Check();
        if (waits.Token.WaitHandle.WaitOne(milliseconds)) Check();
    }

    public static void Sleep(TimeSpan time) => Sleep((int)time.TotalMilliseconds);

    /// <summary>Task.Delay in a cell: the same delay, ended by an interrupt (or by the token given, as before).</summary>
    public static async Task Delay(TimeSpan time, CancellationToken cancellationToken = default)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(waits.Token, cancellationToken);
        try
        {
            await Task.Delay(time, either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The cell was interrupted.");
        }
    }

    public static Task Delay(int milliseconds, CancellationToken cancellationToken = default) =>
        Delay(TimeSpan.FromMilliseconds(milliseconds), cancellationToken);

    /// <summary>
    /// The cell's code with a check at the start of every loop body and of every method and local function (an
    /// expression body becomes a block on the same lines), and its Thread.Sleep and Task.Delay calls made to end on an
    /// interrupt.
    /// </summary>
    public static string Instrument(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script));
        var root = new LoopRewriter().Visit(tree.GetRoot());
        return root.ToFullString();
    }

    private sealed class LoopRewriter : CSharpSyntaxRewriter
    {
        private static StatementSyntax CheckCall() =>
            SyntaxFactory.ParseStatement("global::StreamingWorkshop.Notebooks.Interruption.Check();");

        private static StatementSyntax WithCheck(StatementSyntax body) => body switch
        {
            BlockSyntax block => block.WithStatements(block.Statements.Insert(0, CheckCall())),
            _ => SyntaxFactory.Block(CheckCall(), body.WithoutTrivia()).WithTriviaFrom(body),
        };

        public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
        {
            var visited = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
            return CheckedBody(visited.Body, visited.ExpressionBody, visited.SemicolonToken, visited.ReturnType, visited.Modifiers) is { } block
                ? visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block)
                : visited;
        }

        public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
        {
            var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
            return CheckedBody(visited.Body, visited.ExpressionBody, visited.SemicolonToken, visited.ReturnType, visited.Modifiers) is { } block
                ? visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block)
                : visited;
        }

        /// <summary>A method's or local function's body with the check first, whichever way it is written; null for none (abstract, extern).</summary>
        private static BlockSyntax? CheckedBody(BlockSyntax? body, ArrowExpressionClauseSyntax? arrow, SyntaxToken semicolon, TypeSyntax returnType, SyntaxTokenList modifiers) =>
            body is not null ? (BlockSyntax)WithCheck(body)
            : arrow is not null ? CheckedBlock(arrow, semicolon, ReturnsNothing(returnType, modifiers))
            : null;

        /// <summary>
        /// <c>=&gt; expression;</c> as <c>{ Check(); return expression; }</c>, the braces where the arrow and the semicolon
        /// were, so every line keeps its number: `int Fib(int n) =&gt; ...` is the usual way to write a recursion in a cell.
        /// </summary>
        private static BlockSyntax CheckedBlock(ArrowExpressionClauseSyntax arrow, SyntaxToken semicolon, bool returnsNothing)
        {
            var endOfStatement = SyntaxFactory.Token(SyntaxKind.SemicolonToken).WithTrailingTrivia(SyntaxFactory.Space);
            StatementSyntax statement = arrow.Expression switch
            {
                ThrowExpressionSyntax thrown => SyntaxFactory.ThrowStatement(default, thrown.ThrowKeyword, thrown.Expression, endOfStatement),
                var expression when returnsNothing => SyntaxFactory.ExpressionStatement(default, expression, endOfStatement),
                var expression => SyntaxFactory.ReturnStatement(
                    SyntaxFactory.Token(SyntaxKind.ReturnKeyword).WithTrailingTrivia(SyntaxFactory.Space), expression, endOfStatement),
            };
            var open = SyntaxFactory.Token(arrow.ArrowToken.LeadingTrivia, SyntaxKind.OpenBraceToken, arrow.ArrowToken.TrailingTrivia);
            var close = SyntaxFactory.Token(semicolon.LeadingTrivia, SyntaxKind.CloseBraceToken, semicolon.TrailingTrivia);
            return SyntaxFactory.Block(open, SyntaxFactory.List([CheckCall().WithTrailingTrivia(SyntaxFactory.Space), statement]), close);
        }

        /// <summary>Whether the body's expression is a statement rather than a value: void, or async Task and ValueTask.</summary>
        private static bool ReturnsNothing(TypeSyntax returnType, SyntaxTokenList modifiers)
        {
            if (returnType is PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword }) return true;
            if (!modifiers.Any(SyntaxKind.AsyncKeyword)) return false;
            var name = returnType switch
            {
                QualifiedNameSyntax qualified => qualified.Right,
                AliasQualifiedNameSyntax alias => alias.Name,
                _ => returnType,
            };
            return name is IdentifierNameSyntax { Identifier.Text: "Task" or "ValueTask" };
        }

        public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
        {
            var visited = (InvocationExpressionSyntax)base.VisitInvocationExpression(node)!;
            // Thread.Sleep(...) and Task.Delay(...), written plainly or with their namespace: the kit's versions take the
            // same arguments.
            if (visited.Expression is not MemberAccessExpressionSyntax { Name: IdentifierNameSyntax name } access) return visited;
            var owner = access.Expression.ToString().Replace(" ", "", StringComparison.Ordinal);
            var replaced = (owner, name.Identifier.Text) switch
            {
                ("Thread" or "System.Threading.Thread" or "global::System.Threading.Thread", "Sleep") => "Sleep",
                ("Task" or "System.Threading.Tasks.Task" or "global::System.Threading.Tasks.Task", "Delay") => "Delay",
                _ => null,
            };
            if (replaced is null) return visited;
            var kit = SyntaxFactory.ParseExpression($"global::StreamingWorkshop.Notebooks.Interruption.{replaced}");
            return visited.WithExpression(kit.WithTriviaFrom(access));
        }

        public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
        {
            var visited = (WhileStatementSyntax)base.VisitWhileStatement(node)!;
            return visited.WithStatement(WithCheck(visited.Statement));
        }

        public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
        {
            var visited = (DoStatementSyntax)base.VisitDoStatement(node)!;
            return visited.WithStatement(WithCheck(visited.Statement));
        }

        public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
        {
            var visited = (ForStatementSyntax)base.VisitForStatement(node)!;
            return visited.WithStatement(WithCheck(visited.Statement));
        }

        public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
        {
            var visited = (ForEachStatementSyntax)base.VisitForEachStatement(node)!;
            return visited.WithStatement(WithCheck(visited.Statement));
        }
    }
}
