using StreamingWorkshop.Workflows;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Workflows;

/// <summary>
/// The stack's daily pipeline run by the local Step Functions over a replayed morning, the clock moved to each change
/// the execution waits for (as a wait in the notebook moves it): every integration it calls, in the order it calls them.
/// </summary>
public sealed class DailyPipelineExecutionTests : LocalSessionTest
{
    [Fact]
    public async Task The_daily_pipeline_crawls_curates_runs_the_batch_job_and_fails_a_day_with_three_hours_of_readings()
    {
        await Session.SimulateAsync(TimeSpan.FromHours(3), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
        await Session.CrawlAsync();
        var local = Session.Local!;
        var machine = local.Workflows.StateMachineArn(Session.Names.StateMachine);

        var started = await local.Workflows.StartExecutionAsync(machine, "day-2025-01-14", """{"day": "2025-01-14"}""");
        var described = await local.Workflows.DescribeExecutionAsync(started.ExecutionArn);
        for (var step = 0; described.Status == ExecutionStatuses.Running && step < 20; step++)
        {
            local.Clock.AdvanceTo(local.Workflows.NextChangeAt(started.ExecutionArn)!.Value);
            described = await local.Workflows.DescribeExecutionAsync(started.ExecutionArn);
        }
        var history = await local.Workflows.GetExecutionHistoryAsync(started.ExecutionArn);
        var runs = await local.Jobs.GetJobRunsAsync(Session.Names.BatchJob);

        Assert.Equal(("FAILED", "DataQuality.MissingHours"), (described.Status, described.Error));
        Assert.Equal("Day 2025-01-14 has readings in only 3 of its 24 hours for at least one city.", described.Cause);
        // 30 s waiting for the crawler, then the batch job: 10 s starting and the shortest run, 30 s.
        Assert.Equal(started.StartDate.AddSeconds(70), described.StopDate);
        Assert.Equal(
            ["StartCrawler", "GetCrawler", "FindDailyTable", "CreateDailyTable", "RunBatchJob", "CheckDay", "ReadCheck"],
            history.Where(e => e.Type == "TaskStateEntered").Select(e => (string?)e.Details!["name"]));
        Assert.Equal(["SUCCEEDED"], runs.Select(r => r.JobRunState));
    }
}
