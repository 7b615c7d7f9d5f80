using StreamingWorkshop.Display;

namespace StreamingWorkshop.Stack;

/// <summary>
/// <c>workshop.Stack</c>: the CloudFormation console's view of the workshop's stacks, on either backend. With no
/// name, each call means the workshop's own stack.
/// </summary>
public sealed class StackFacade : IHtmlDisplay
{
    private readonly WorkshopSession session;

    internal StackFacade(WorkshopSession session) => this.session = session;

    private IStackService Stacks => session.Stages.Stack;

    private string Name(string? stackName) => stackName ?? session.Names.StackName;

    public async Task<bool> ExistsAsync(string? stackName = null, CancellationToken cancellationToken = default) =>
        await Stacks.TryDescribeAsync(Name(stackName), cancellationToken) is not null;

    public Task<StackState> DescribeAsync(string? stackName = null, CancellationToken cancellationToken = default) =>
        Stacks.DescribeAsync(Name(stackName), cancellationToken);

    /// <summary>Deploys (or updates) a stack from a template: the workshop's own unless another is given.</summary>
    public async Task<StackState> DeployAsync(string? stackName = null, string? templateBody = null, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var name = Name(stackName);
        var overrides = new Dictionary<string, string>(parameters ?? new Dictionary<string, string>());
        var exists = await ExistsAsync(name, cancellationToken);
        if (!exists && templateBody is null && !overrides.ContainsKey("WarehousePassword"))
            foreach (var (key, value) in WorkshopSession.LocalDefaultParameters()) overrides[key] = value;
        var state = await Stacks.DeployAsync(name, templateBody ?? TemplateReader.WorkshopTemplate(), overrides, session.StackProgress, cancellationToken);
        session.ForgetPipeline();
        return state;
    }

    /// <summary>Deletes a stack; buckets that still hold objects stop it unless <paramref name="emptyBuckets"/>.</summary>
    public async Task<StackState> DestroyAsync(string? stackName = null, bool emptyBuckets = false, CancellationToken cancellationToken = default)
    {
        var state = await Stacks.DeleteAsync(Name(stackName), emptyBuckets, session.StackProgress, cancellationToken);
        session.ForgetPipeline();
        return state;
    }

    public async Task<StackEventsView> EventsAsync(string? stackName = null, CancellationToken cancellationToken = default) =>
        new((await DescribeAsync(stackName, cancellationToken)).Events);

    public async Task<StackResourcesView> ResourcesAsync(string? stackName = null, CancellationToken cancellationToken = default) =>
        new((await DescribeAsync(stackName, cancellationToken)).Resources);

    /// <summary>The stack's outputs, each with what it is on this backend where that helps: a folder to open or a command to run.</summary>
    public async Task<StackOutputsView> OutputsAsync(string? stackName = null, CancellationToken cancellationToken = default)
    {
        var stack = await DescribeAsync(stackName, cancellationToken);
        return new StackOutputsView(stack.Outputs, Stacks.OutputHints(stack));
    }

    /// <summary>
    /// The parameters a template declares, read from the template itself (the workshop's own unless another is
    /// given): what the console's "Specify stack details" page asks for before a deployment.
    /// </summary>
    public TemplateParametersView TemplateParameters(string? templateBody = null)
    {
        var text = templateBody ?? TemplateReader.WorkshopTemplate();
        var declared = TemplateReader.Parse(text)["Parameters"] as System.Text.Json.Nodes.JsonObject ?? new System.Text.Json.Nodes.JsonObject();
        var parameters = declared.Select(p => new TemplateParameter(
            p.Key,
            p.Value?["Type"]?.GetValue<string>() ?? "String",
            p.Value?["NoEcho"]?.GetValue<bool>() == true ? null : p.Value?["Default"]?.ToString(),
            p.Value?["NoEcho"]?.GetValue<bool>() == true,
            p.Value?["Description"]?.GetValue<string>() ?? "")).ToList();
        var lines = text.Split('\n').Length - (text.EndsWith('\n') ? 1 : 0);
        return new TemplateParametersView(parameters, lines);
    }

    /// <summary>
    /// The workshop's architecture beside the same diagram with the stages <paramref name="sketch"/> describes
    /// (<see cref="DiagramSketch"/>: "stage NAME: KIND \"LABEL\"" and "flow A -> B" lines), or the problems with the sketch.
    /// </summary>
    public ExtendedDiagramView DiagramWith(string sketch, string? templateBody = null) =>
        new(TemplateReader.Parse(templateBody ?? TemplateReader.WorkshopTemplate()), sketch);

    /// <summary>True when a deployment prints each event as it happens; otherwise read them afterwards with <see cref="EventsAsync"/>.</summary>
    public bool ReportsEventsAsTheyHappen => Stacks.ReportsEventsAsTheyHappen;

    private CallsView Calls => new($"workshop.Stack: stack {session.Names.StackName}", [
        ("DeployAsync()", "CreateStack / UpdateStack, then DescribeStacks until done"),
        ("DestroyAsync()", "DeleteStack"),
        ("DescribeAsync()", "DescribeStacks"),
        ("EventsAsync()", "DescribeStackEvents"),
        ("ResourcesAsync()", "DescribeStackResources"),
        ("OutputsAsync()", "DescribeStacks (Outputs)"),
        ("TemplateParameters()", "none: the kit reads the template's Parameters section from the file, on either backend (GetTemplateSummary would list the same; the kit does not call it)"),
        ("DiagramWith(sketch)", "none: draws the template's architecture with your own stages"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
