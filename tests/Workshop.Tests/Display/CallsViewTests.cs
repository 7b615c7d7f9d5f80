using System.Reflection;
using System.Text.RegularExpressions;
using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Display;

/// <summary>
/// A cell ending in the session or one of its stages (workshop.Catalog, workshop.Stream, ...) shows the calls it offers.
/// The lists are written by hand beside each stage, so each name in them must still be a call the learner can make.
/// </summary>
public sealed partial class CallsViewTests : LocalSessionTest
{
    [Fact]
    public void Every_call_a_stage_lists_is_a_public_method_of_what_the_learner_holds()
    {
        var stages = new (string Name, object Value, Type Callable)[]
        {
            ("workshop.Stream", Session.Stream, typeof(IStreamService)),
            ("workshop.Lake", Session.Lake, typeof(IObjectStore)),
            ("workshop.Stack", Session.Stack, Session.Stack.GetType()),
            ("workshop.Catalog", Session.Catalog, Session.Catalog.GetType()),
            ("workshop.Athena", Session.Athena, Session.Athena.GetType()),
            ("workshop.Warehouse", Session.Warehouse, Session.Warehouse.GetType()),
            ("workshop.Jobs", Session.Jobs, Session.Jobs.GetType()),
            ("workshop.Workflows", Session.Workflows, Session.Workflows.GetType()),
            ("workshop.Delivery", Session.Delivery, Session.Delivery.GetType()),
            ("workshop.Producer", Session.Producer, Session.Producer.GetType()),
            ("workshop.Metrics", Session.Metrics, Session.Metrics.GetType()),
            ("workshop.Faults", Session.Faults, Session.Faults.GetType()),
        };
        // Each call on its line: a call that wraps at a terminal's width would be read as two.
        using var whole = StreamingWorkshop.Display.TextTable.FitTo(int.MaxValue);
        foreach (var (name, value, callable) in stages)
        {
            var text = value.ToString()!;
            var calls = CallName().Matches(text).ToList();
            Assert.True(calls.Count >= 1, $"{name} shows {calls.Count} calls:\n{text}");
            foreach (var call in calls)
            {
                // A row may name one of the session's own shortcuts beside the stage's calls: workshop.BrowseLakeAsync().
                var holder = call.Groups["session"].Success ? typeof(WorkshopSession) : callable;
                var method = call.Groups["name"].Value;
                Assert.True(PublicMethods(holder).Contains(method), $"{name} shows {call.Value}...), but {holder.Name} has no public method {method}:\n{text}");
            }
        }
    }

    private static HashSet<string> PublicMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Concat(type.GetInterfaces().SelectMany(i => i.GetMethods()))
            .Select(m => m.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// A call as the tables write it: a capitalised name right before its parenthesis, on its own or after workshop.;
    /// not a constructor (new ListObjectsRequest(...)) nor a member of anything else.
    /// </summary>
    [GeneratedRegex(@"(?<![\w.])(?<!new )(?<session>workshop\.)?(?<name>[A-Z]\w*)\(")]
    private static partial Regex CallName();
}
