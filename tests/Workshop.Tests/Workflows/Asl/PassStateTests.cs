using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;

namespace StreamingWorkshop.Tests.Workflows.Asl;

public class PassStateTests
{
    [Fact]
    public async Task A_pass_state_with_result_and_result_path_adds_the_result_to_its_input()
    {
        // The spec's Pass example: Result placed at $.coords.
        const string definition = """
            {"StartAt":"No-op","States":{"No-op":{"Type":"Pass","Result":{"x-datum":0.381018,"y-datum":622.2269926397355},"ResultPath":"$.coords","End":true}}}
            """;
        var progress = await AslRun.RunAsync(definition, """{"georefOf":"Home"}""");

        Assert.Equal(ExecutionStatuses.Succeeded, progress.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"georefOf":"Home","coords":{"x-datum":0.381018,"y-datum":622.2269926397355}}"""), AslRun.Output(progress)));
        Assert.Equal(["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"], AslRun.Types(progress));
        Assert.Equal([0L, 1, 2, 3], progress.Events.Select(e => e.PreviousEventId));
        Assert.Equal(AslRun.Start, progress.StopDate);
    }
}
