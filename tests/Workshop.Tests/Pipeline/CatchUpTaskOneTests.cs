using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Pipeline;

/// <summary>
/// The agenda's catch-up cell runs with task 1 when nobody changes it: it says what is in the workspace, empty on the
/// first run and holding the stack when a learner goes over the day again.
/// </summary>
public sealed class CatchUpTaskOneTests : IDisposable
{
    private readonly TempWorkspace temp = new();

    [Fact]
    public async Task Task_one_says_the_workspace_is_empty_until_the_stack_is_deployed_then_that_it_is_there()
    {
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root, Backend = "local" });

        Assert.Equal("Nothing to do: Task 1 starts from an empty workspace and deploys the stack itself.", await session.CatchUpAsync(1));
        Assert.False(await session.StackExistsAsync(), "the catch-up for Task 1 deployed nothing");

        await session.DeployAsync();
        var again = await session.CatchUpAsync(1);

        Assert.Equal(
            "Nothing to do: Task 1 deploys the stack itself:\n" +
            $"  stack '{session.Names.StackName}' is already deployed here; deploying it again returns it as it is\n" +
            "  'workshop reset' in a terminal starts again from an empty workspace", again);
        Assert.All(again.Split('\n'), line => Assert.True(line.Length <= 100, $"a line of {line.Length} characters: {line}"));
    }

    public void Dispose() => temp.Dispose();
}
