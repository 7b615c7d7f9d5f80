using System.Reflection;
using System.Text.RegularExpressions;
using StreamingWorkshop;
using StreamingWorkshop.Display;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Display;

/// <summary>
/// A cell ending in the session or one of its stages (workshop.Catalog, workshop.Stream, workshop.Stages.Jobs,
/// workshop.Local.Firehose, ...) shows the calls it offers. The lists are written by hand beside each stage, so each name
/// in them must still be a call the learner can make on what the table's title names, with as many arguments as it shows,
/// and each AWS operation they name must be one of the service's.
/// </summary>
public sealed partial class CallsViewTests : LocalSessionTest
{
    [Fact]
    public void Every_call_a_local_view_lists_is_a_public_member_of_what_the_learner_holds_with_that_many_arguments()
    {
        var tables = CallTables(LearnerReach.From(Session));

        // Each stage, facade and engine shows its calls under a title that names where the learner holds it.
        Assert.Superset(new HashSet<string>
        {
            "workshop.Stream", "workshop.Lake", "workshop.Stack", "workshop.Catalog", "workshop.Athena", "workshop.Warehouse", "workshop.Jobs",
            "workshop.Workflows", "workshop.Delivery", "workshop.Producer", "workshop.Metrics", "workshop.Faults", "workshop.Workspace", "workshop.Clock",
            "workshop.WeatherSource", "workshop.Stages.Stack", "workshop.Stages.Catalog", "workshop.Stages.Query", "workshop.Stages.Delivery",
            "workshop.Stages.Warehouse", "workshop.Stages.Jobs", "workshop.Stages.Workflows", "workshop.Stages.ProducerFunction",
            "workshop.Stages.ProducerLogs", "workshop.Stages.Metrics", "workshop.Local.Firehose", "workshop.Local.Logs", "workshop.Local.Catalog",
            "workshop.Local.Crawlers", "workshop.Local.Stacks", "workshop.Local.Query", "workshop.Local.Athena", "workshop.Local.Warehouse",
            "workshop.Local.Workflows", "workshop.Local.CloudWatch", "workshop.Local.MetricsLog", "workshop.Local.Producer", "workshop.Local.Faults",
        }, tables.Select(t => HeldAt(t.Title)).ToHashSet());
        AssertEveryCallIsThere(tables);
    }

    [Fact]
    public async Task Every_call_an_AWS_view_lists_is_a_public_member_of_what_the_learner_holds_with_that_many_arguments()
    {
        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);

        var tables = CallTables(LearnerReach.From(aws));

        Assert.Superset(new HashSet<string>
        {
            "workshop.Stages.Stack", "workshop.Stages.Catalog", "workshop.Stages.Query", "workshop.Stages.Delivery", "workshop.Stages.Warehouse",
            "workshop.Stages.Jobs", "workshop.Stages.Workflows", "workshop.Stages.ProducerFunction", "workshop.Stages.ProducerLogs",
            "workshop.Stages.Schedule", "workshop.Stages.Metrics",
        }, tables.Select(t => HeldAt(t.Title)).ToHashSet());
        AssertEveryCallIsThere(tables);
        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public async Task Every_AWS_operation_a_view_names_is_one_of_the_services_in_botocores_models()
    {
        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);
        var operations = KitServices.SelectMany(service => BotocoreModel.Load(service).Operations.Select(o => o.Key)).ToHashSet(StringComparer.Ordinal);

        var named = CallTables(LearnerReach.From(Session).Concat(LearnerReach.From(aws)))
            .Where(t => t.Headers[1] == CallsView.AwsOperation)
            .SelectMany(t => t.Rows.SelectMany(row => OperationName().Matches(Expression().Replace(row[1], "")).Select(m => (t.Title, Operation: m.Value))))
            .Where(n => !NotOperations.Contains(n.Operation) && !n.Operation.EndsWith("Async", StringComparison.Ordinal) && !n.Operation.EndsWith("Exception", StringComparison.Ordinal))
            .Distinct().ToList();

        Assert.Contains(named, n => n.Operation == "DescribeStackEvents");
        Assert.Contains(named, n => n.Operation == "GetCrawlerMetrics");
        Assert.All(named, n => Assert.True(operations.Contains(n.Operation), $"{n.Title} names {n.Operation}, which no service the kit uses has."));
    }

    [Fact]
    public async Task Every_workshop_expression_a_view_names_is_one_a_cell_can_evaluate()
    {
        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);

        var texts = LearnerReach.From(Session).Concat(LearnerReach.From(aws)).Select(r => r.Value).OfType<IHtmlDisplay>().Select(v => v.ToHtml()).ToList();
        var expressions = texts.SelectMany(t => Expression().Matches(t).Select(m => m.Value)).Distinct().ToList();

        Assert.Contains("workshop.Names.DeliveryStreamName", expressions);
        Assert.Contains("workshop.Options.Given", expressions);
        Assert.All(expressions, expression =>
        {
            var parts = expression.Split('.');
            var owner = LearnerReach.DeclaredType(string.Join('.', parts[..^1]));
            Assert.True(LearnerReach.HasProperty(owner, parts[^1]) || LearnerReach.Methods(owner, parts[^1]).Any(),
                $"A view names {expression}, but {owner.Name} has no public member {parts[^1]}.");
        });
    }

    private static IReadOnlyList<LearnerReach.ShownTable> CallTables(IEnumerable<LearnerReach.Reached> reached)
    {
        using var whole = TextTable.FitTo(int.MaxValue);
        return reached.Select(r => r.Value).OfType<IHtmlDisplay>().SelectMany(v => LearnerReach.Tables(v.ToHtml()))
            .Where(t => t.Headers.Count == 2 && t.Headers[0] == "Call").ToList();
    }

    /// <summary>The expression a table's title starts with: "workshop.Stages.Catalog: the AWS Glue Data Catalog ..."</summary>
    private static string HeldAt(string title) => title[..title.IndexOf(':', StringComparison.Ordinal)];

    private static void AssertEveryCallIsThere(IReadOnlyList<LearnerReach.ShownTable> tables)
    {
        foreach (var table in tables)
        {
            var held = LearnerReach.DeclaredType(HeldAt(table.Title));
            Assert.NotEmpty(table.Rows);
            foreach (var row in table.Rows)
            {
                var members = Members(row[0]).ToList();
                Assert.True(members.Count > 0, $"{table.Title}: '{row[0]}' names no call.");
                foreach (var (session, name, arguments) in members)
                {
                    // A row may name one of the session's own calls beside the stage's: workshop.BrowseLakeAsync().
                    var holder = session ? typeof(WorkshopSession) : held;
                    if (arguments is null)
                        Assert.True(LearnerReach.HasProperty(holder, name), $"{table.Title}: shows {name}, but {holder.Name} has no public property {name}.");
                    else
                        Assert.True(LearnerReach.Methods(holder, name).Any(m => Takes(m, arguments.Value)),
                            $"{table.Title}: shows {row[0]}, but {holder.Name} has no public method {name} that takes {(arguments == AnyCount ? "arguments" : $"{arguments} argument(s)")}.");
                }
            }
        }
    }

    private const int AnyCount = -1;

    /// <summary>True when the method can be called with that many arguments, the others left to their defaults.</summary>
    private static bool Takes(MethodInfo method, int arguments)
    {
        var parameters = method.GetParameters();
        var required = parameters.Count(p => !p.IsOptional && !p.IsDefined(typeof(ParamArrayAttribute)));
        var variadic = parameters.Any(p => p.IsDefined(typeof(ParamArrayAttribute)));
        return arguments == AnyCount || (arguments >= required && (variadic || arguments <= parameters.Length));
    }

    /// <summary>
    /// The calls in a cell of the Call column: "GetTableAsync(database, table)" is a method given two arguments,
    /// "SplitShardAsync(...)" one given any, "Clear() / Plan" a method and a property, "workshop.BrowseLakeAsync()" the session's.
    /// Arguments are counted at the call's own level, so "ListObjectsV2Async(new ListObjectsRequest(bucket, Prefix: ...))" takes one.
    /// </summary>
    private static IEnumerable<(bool Session, string Name, int? Arguments)> Members(string cell)
    {
        var at = 0;
        while (at < cell.Length)
        {
            var found = CallStart().Match(cell, at);
            if (!found.Success) yield break;
            var end = found.Index + found.Length;
            if (end < cell.Length && cell[end] == '(')
            {
                var close = Closing(cell, end);
                var inside = cell[(end + 1)..close].Trim();
                yield return (found.Groups["session"].Success, found.Groups["name"].Value,
                    inside.Length == 0 ? 0 : inside == "..." ? AnyCount : TopLevelCommas(inside) + 1);
                at = close + 1;
            }
            else
            {
                yield return (found.Groups["session"].Success, found.Groups["name"].Value, null);
                at = end;
            }
        }
    }

    private static int Closing(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')' && --depth == 0) return i;
        }
        throw new Xunit.Sdk.XunitException($"'{text}' leaves a parenthesis open.");
    }

    private static int TopLevelCommas(string arguments)
    {
        var (depth, commas) = (0, 0);
        foreach (var c in arguments)
        {
            if (c is '(' or '{' or '[') depth++;
            else if (c is ')' or '}' or ']') depth--;
            else if (c == ',' && depth == 0) commas++;
        }
        return commas;
    }

    /// <summary>The services whose operations the kit's tables name.</summary>
    private static readonly string[] KitServices =
        ["kinesis", "firehose", "s3", "glue", "athena", "cloudformation", "cloudwatch", "logs", "lambda", "events", "redshift-data", "redshift", "stepfunctions"];

    /// <summary>Words in the operation column that look like an operation's name and are not one.</summary>
    private static readonly HashSet<string> NotOperations = ["CloudFormation", "CloudWatch", "EventBridge", "DuckDB"];

    /// <summary>A capitalised name, on its own or after workshop.; not a constructor (new ListObjectsRequest(...)).</summary>
    [GeneratedRegex(@"(?<![\w.])(?<!new )(?<session>workshop\.)?(?<name>[A-Z]\w*)")]
    private static partial Regex CallStart();

    /// <summary>A name of two or more capitalised words, as AWS names its operations: DescribeStacks, ListObjectsV2.</summary>
    [GeneratedRegex(@"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b")]
    private static partial Regex OperationName();

    /// <summary>An expression a learner may type into a cell, as a view names it: workshop.Names.Database, workshop.Local.Faults.</summary>
    [GeneratedRegex(@"(?<![\w.])workshop(?:\.[A-Z]\w*)+")]
    private static partial Regex Expression();
}
