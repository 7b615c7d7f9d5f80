using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

/// <summary>
/// Small state machines from the States Language spec's and the developer guide's examples, one JSON file each under
/// conformance/: the definition, its input, the tasks' scripted answers, and the documented outcome.
/// </summary>
public class ConformanceTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Workflows", "Asl", "conformance");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_documented_example_runs_as_documented(string name)
    {
        var testCase = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")))!.AsObject();
        var tasks = new ScriptedTasks();
        if (testCase["tasks"] is JsonObject scripts)
        {
            foreach (var (resource, answers) in scripts)
                tasks.On(resource, answers!.AsArray().Select(a => Answer(a!.AsObject())).ToArray());
        }
        var expected = testCase["expected"]!.AsObject();

        var progress = await AslRun.RunAsync(testCase["definition"]!.ToJsonString(), testCase["input"]!.ToJsonString(), tasks);

        Assert.Equal(expected["status"]!.GetValue<string>(), progress.Status);
        if (expected.TryGetPropertyValue("output", out var output))
            Assert.True(JsonNode.DeepEquals(output, AslRun.Output(progress)), $"{name} gave {progress.Output}");
        if (expected["error"] is { } error)
            Assert.Equal(error.GetValue<string>(), progress.Error);
        if (expected["cause"] is { } cause)
            Assert.Equal(cause.GetValue<string>(), progress.Cause);
        if (expected["events"] is JsonArray events)
            Assert.Equal(events.Select(e => e!.GetValue<string>()), AslRun.Types(progress));
        Assert.Equal(AslRun.Start.AddSeconds(expected["stopAfterSeconds"]?.GetValue<int>() ?? 0), progress.StopDate);
        if (expected["starts"] is { } starts)
            Assert.Equal(starts.GetValue<int>(), tasks.Starts.Count);
    }

    private static Func<TaskRequest, TaskOutcome> Answer(JsonObject answer)
    {
        var after = TimeSpan.FromSeconds(answer["after"]?.GetValue<int>() ?? 0);
        if (answer.TryGetPropertyValue("succeeded", out var output))
            return r => new TaskOutcome.Succeeded(output?.DeepClone(), r.At + after);
        if (answer["failed"] is { } error)
            return r => new TaskOutcome.Failed(error.GetValue<string>(), answer["cause"]!.GetValue<string>(), r.At + after);
        return r => new TaskOutcome.Pending(answer["pending"]?.DeepClone(), r.At + after);
    }
}
