using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// Lets a running cell be stopped. .NET cannot abort a thread, so before a cell is compiled every loop body gets
/// a call to <see cref="Check"/> at its start (inserted on the same line, so line numbers do not move); when an
/// interrupt is requested, the next check throws and the cell ends with an error, while the
/// session and its variables carry on.
/// </summary>
public static class Interruption
{
    private static volatile bool requested;

    public static void Request() => requested = true;

    public static void Clear() => requested = false;

    public static void Check()
    {
        if (requested) throw new OperationCanceledException("The cell was interrupted.");
    }

    /// <summary>The cell's code with a check at the start of every loop body.</summary>
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
