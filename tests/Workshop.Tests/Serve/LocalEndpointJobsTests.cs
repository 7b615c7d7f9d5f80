using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Jobs;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>The local endpoint as Glue's job API, called by the kit's own AWS client (the one the AWS backend uses) and with raw requests for its refusals.</summary>
public sealed class LocalEndpointJobsTests : LocalEndpointTest
{
    private const string BatchJob = "weather-analytics-curate-batch-dev";

    private AwsSettings Settings() => AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("AKIDLOCAL", "local-secret"),
        name => name == "AWS_ENDPOINT_URL" ? Endpoint.Url.ToString() : null);

    private async Task<(HttpStatusCode Status, JsonObject Body)> CallAsync(string operation, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"AWSGlue.{operation}");
        request.Headers.TryAddWithoutValidation("Authorization", Authorization("glue"));
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task The_kits_glue_client_lists_the_stacks_jobs_starts_a_run_is_refused_a_second_and_stops_the_first()
    {
        await Session.EnsurePipelineAsync();
        using var glue = new AwsClients(Settings()).GlueJobs();

        Assert.Equal(["weather-analytics-curate-batch-dev glueetl G.1X x2", "weather-analytics-curate-stream-dev gluestreaming G.025X x2"],
            (await glue.GetJobsAsync()).Select(j => $"{j.Name} {j.Command.Name} {j.WorkerType} x{j.NumberOfWorkers}"));
        Assert.Equal("job-bookmark-enable", (await glue.GetJobAsync(BatchJob)).DefaultArguments["--job-bookmark-option"]);

        var id = await glue.StartJobRunAsync(BatchJob, new Dictionary<string, string> { ["--raw_prefix"] = "weather-data/location=London/" });
        var run = await glue.GetJobRunAsync(BatchJob, id);
        Assert.Matches("^jr_[0-9a-f]{64}$", id);
        Assert.Equal((BatchJob, "G.1X", 2, "4.0", "weather-data/location=London/"), (run.JobName, run.WorkerType, run.NumberOfWorkers, run.GlueVersion, run.Arguments["--raw_prefix"]));
        Assert.False(JobRunStates.HasEnded(run.JobRunState), $"a run just started has not ended; it is {run.JobRunState}");

        var refused = await Assert.ThrowsAsync<ServiceException>(() => glue.StartJobRunAsync(BatchJob));
        Assert.Equal(("glue", "ConcurrentRunsExceededException"), (refused.Service, refused.ErrorCode));
        Assert.StartsWith($"Concurrent runs exceeded for {BatchJob}: run {id} is still active.", refused.Message);

        var (stopping, errors) = await glue.BatchStopJobRunAsync(BatchJob, [id, "jr_0000"]);
        Assert.Equal([id], stopping);
        Assert.Equal($"jr_0000 EntityNotFoundException Job run jr_0000 not found for job {BatchJob}. List its runs with workshop job runs {BatchJob}.",
            string.Join("; ", errors.Select(e => $"{e.JobRunId} {e.ErrorCode} {e.ErrorMessage}")));
        Assert.Equal([id], (await glue.GetJobRunsAsync(BatchJob)).Select(r => r.Id));
        await glue.ResetJobBookmarkAsync(BatchJob);

        var missing = await Assert.ThrowsAsync<EntityNotFoundException>(() => glue.GetJobAsync("curate-nothing"));
        Assert.StartsWith("Job with name: curate-nothing not found.", missing.Message);
    }

    [Fact]
    public async Task A_page_size_glue_does_not_allow_and_a_missing_job_name_are_refused_naming_them()
    {
        await Session.EnsurePipelineAsync();

        var (status, tooMany) = await CallAsync("GetJobRuns", $$"""{"JobName":"{{BatchJob}}","MaxResults":500}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("ValidationException", "1 validation error detected: Value '500' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 200"),
            ((string?)tooMany["__type"], (string?)tooMany["message"]));

        var (_, noName) = await CallAsync("StartJobRun", "{}");
        Assert.Equal(("ValidationException", "1 validation error detected: Value null at 'JobName' failed to satisfy constraint: Member must not be null"),
            ((string?)noName["__type"], (string?)noName["message"]));
    }
}
