using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Stack;

/// <summary>Task 1 lists the template's parameters from the template itself, in its order, never showing a NoEcho default.</summary>
public sealed class TemplateParametersTests : LocalSessionTest
{
    [Fact]
    public void The_workshop_template_declares_its_five_parameters_in_order()
    {
        var parameters = Session.Stack.TemplateParameters();
        Assert.Equal(["ProjectName", "Environment", "Cities", "WarehouseUsername", "WarehousePassword"], parameters.Select(p => p.Name));
        Assert.Equal("CommaDelimitedList", parameters[2].Type);
        Assert.Equal("London,Manchester,Edinburgh", parameters[2].Default);
        Assert.True(parameters[4].NoEcho);
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "templates", "workshop-stack.yaml")).Length;
        Assert.Equal(lines, parameters.Lines);
    }

    [Fact]
    public void A_given_template_is_read_and_a_secret_default_is_hidden()
    {
        const string template = """
            Parameters:
              Secret: { Type: String, NoEcho: true, Default: hunter22, Description: Never shown. }
              Size: { Type: Number, Description: How many. }
            Resources:
              Logs: { Type: AWS::Logs::LogGroup }
            """;
        var parameters = Session.Stack.TemplateParameters(template);
        var text = parameters.ToString();
        Assert.DoesNotContain("hunter22", text);
        Assert.Contains("(hidden: NoEcho)", text);
        Assert.Contains("(none: must be given)", text);
        Assert.StartsWith("Parameters of the template (5 lines, 2 parameters)", text);
        Assert.Null(parameters[0].Default);
    }

    [Fact]
    public async Task A_city_the_producer_cannot_place_in_the_stacks_Cities_is_named_with_where_it_comes_from_and_the_way_out()
    {
        // CloudFormation takes any list; the producer is what cannot place York.
        await Session.Stack.DeployAsync(parameters: new Dictionary<string, string> { ["Cities"] = "Leeds,York" });
        await using var next = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => next.QueryAsync("SELECT 1"));

        Assert.StartsWith("The deployed stack's Cities parameter: City 'York' is not one the kit knows.", error.Message);
        Assert.EndsWith("Deploy the stack again with cities the producer can place ('workshop deploy --parameter Cities=London,Leeds').", error.Message);

        await next.Stack.DeployAsync(parameters: new Dictionary<string, string> { ["Cities"] = "Leeds,aberdeen" });
        await using var mended = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root });
        await mended.EnsurePipelineAsync();
        Assert.Equal(["Leeds", "Aberdeen"], mended.Cities.Select(c => c.Name));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
        throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
    }
}
