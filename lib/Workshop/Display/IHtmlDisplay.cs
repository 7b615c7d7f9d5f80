namespace StreamingWorkshop.Display;

/// <summary>
/// A kit value with a designed look: <see cref="ToHtml"/> for notebooks and pages, <c>ToString()</c> for terminals.
/// The notebook engine shows anything that implements it as designed, never as a generic object tree.
/// </summary>
public interface IHtmlDisplay
{
    string ToHtml();
}

/// <summary>A titled two-column table of names and values, for small settings and summaries.</summary>
public sealed class PropertiesView(string title, IReadOnlyList<(string Name, string Value)> properties) : IHtmlDisplay
{
    public string Title { get; } = title;
    public IReadOnlyList<(string Name, string Value)> Properties { get; } = properties;

    public string? this[string name] => Properties.FirstOrDefault(p => p.Name == name).Value;

    private IEnumerable<IReadOnlyList<string>> Rows => Properties.Select(p => (IReadOnlyList<string>)[p.Name, p.Value]);

    public string ToHtml() => HtmlTable.Render(["Property", "Value"], Rows, Title);

    public override string ToString() => Title + "\n" + TextTable.Render(["Property", "Value"], Rows);
}

/// <summary>What a stage's facade offers (<c>workshop.Catalog</c>, ...): each call with the AWS operation behind it.</summary>
public sealed class CallsView(string title, IReadOnlyList<(string Call, string AwsOperation)> calls) : IHtmlDisplay
{
    private static readonly string[] Headers = ["Call", "AWS operation"];

    public IReadOnlyList<(string Call, string AwsOperation)> Calls { get; } = calls;

    private IEnumerable<IReadOnlyList<string>> Rows => Calls.Select(c => (IReadOnlyList<string>)[c.Call, c.AwsOperation]);

    public string ToHtml() => HtmlTable.Render(Headers, Rows, title);

    public override string ToString() => title + "\n" + TextTable.Render(Headers, Rows);
}
