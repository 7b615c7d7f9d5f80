using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;

namespace Workshop.Tests.Display;

/// <summary>
/// What a learner reaches by evaluating <c>workshop.X</c>, <c>workshop.Stages.X</c> or <c>workshop.Local.X</c> in a
/// cell, with the type the expression has there (what the learner can call without a cast).
/// </summary>
internal static partial class LearnerReach
{
    public sealed record Reached(string Path, object? Value, Type DeclaredType);

    /// <summary>Every public property of the session, of its stages and of its local engines, read as a cell would.</summary>
    public static IReadOnlyList<Reached> From(WorkshopSession workshop)
    {
        var reached = new List<Reached>();
        void Add(string path, object holder)
        {
            foreach (var property in holder.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
                reached.Add(new Reached($"{path}.{property.Name}", property.GetValue(holder), property.PropertyType));
        }
        Add("workshop", workshop);
        Add("workshop.Stages", workshop.Stages);
        if (workshop.Local is { } local) Add("workshop.Local", local);
        return reached;
    }

    /// <summary>The type of an expression such as workshop.Stages.Catalog or workshop.Names.Database, from the declared types along it.</summary>
    public static Type DeclaredType(string path)
    {
        var type = typeof(WorkshopSession);
        foreach (var name in path.Split('.').Skip(1))
            type = Member(type, name) ?? throw new Xunit.Sdk.XunitException($"{path}: {type.Name} has no public property {name}.");
        return type;
    }

    private static Type? Member(Type type, string name) =>
        new[] { type }.Concat(type.GetInterfaces()).Select(t => t.GetProperty(name, BindingFlags.Public | BindingFlags.Instance)).FirstOrDefault(p => p is not null)?.PropertyType;

    /// <summary>The public methods a value of this type offers, its interfaces' included.</summary>
    public static IEnumerable<MethodInfo> Methods(Type type, string name) =>
        new[] { type }.Concat(type.GetInterfaces()).SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance)).Where(m => m.Name == name);

    public static bool HasProperty(Type type, string name) => Member(type, name) is not null;

    /// <summary>A kit table as the page shows it: the bold title above it, its headers and its rows' cells.</summary>
    public sealed record ShownTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);

    public static IReadOnlyList<ShownTable> Tables(string html) => HtmlTableShape().Matches(html).Select(m => new ShownTable(
        Decode(m.Groups["title"].Value),
        Cells(m.Groups["head"].Value, "th"),
        RowShape().Matches(m.Groups["body"].Value).Select(r => Cells(r.Groups["cells"].Value, "td")).ToList())).ToList();

    private static IReadOnlyList<string> Cells(string html, string tag) =>
        Regex.Matches(html, $"<{tag}[^>]*>(.*?)</{tag}>").Select(c => Decode(c.Groups[1].Value)).ToList();

    private static string Decode(string html) => WebUtility.HtmlDecode(Regex.Replace(html, "<wbr>|<br>.*", ""));

    [GeneratedRegex("<div style=\"[^\"]*font-weight:bold[^\"]*\">(?<title>[^<]*)</div><table[^>]*><thead><tr>(?<head>.*?)</tr></thead><tbody>(?<body>.*?)</tbody></table>")]
    private static partial Regex HtmlTableShape();

    [GeneratedRegex("<tr>(?<cells>.*?)</tr>")]
    private static partial Regex RowShape();

    /// <summary>A session on the AWS backend that cannot send a request: the displays must not need one.</summary>
    public static Task<WorkshopSession> AwsSessionAsync(string workspace, RefusingTransport transport) =>
        StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions
        {
            Backend = "aws",
            WorkspacePath = workspace,
            AwsSettings = AwsSettings.WithCredentials("eu-west-2", new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG")),
            AwsTransport = transport,
        });

    /// <summary>Refuses every request, and counts them.</summary>
    public sealed class RefusingTransport : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            throw new HttpRequestException($"No request may leave a display: {request.Method} {request.RequestUri}");
        }
    }
}
