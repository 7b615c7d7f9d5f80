using StreamingWorkshop.Workflows;

namespace Workshop.Tests.Workflows;

/// <summary>The reason a person reads first, found inside the whole answer a service integration leaves as the cause.</summary>
public sealed class CauseReasonTests
{
    [Theory]
    [InlineData("""{"QueryExecution":{"QueryExecutionId":"q1","Status":{"State":"FAILED","StateChangeReason":"SYNTAX_ERROR: line 1:8: bad"}}}""", "SYNTAX_ERROR: line 1:8: bad")]
    [InlineData("""{"Id":"jr_1","JobName":"weather-batch","JobRunState":"FAILED","ErrorMessage":"AnalysisException: Path does not exist"}""", "AnalysisException: Path does not exist")]
    [InlineData("""{"errorType":"KeyError","errorMessage":"'city'"}""", "'city'")]
    public void A_services_whole_answer_gives_its_reason(string cause, string reason) =>
        Assert.Equal(reason, WorkflowShown.ReasonInCause(cause));

    [Theory]
    [InlineData("Day 2025-03-12 has readings in only 1 of its 24 hours")]
    [InlineData("""{"QueryExecution":{"Status":{"State":"FAILED"}}}""")]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData(null)]
    public void Plain_text_or_an_answer_without_a_reason_gives_none(string? cause) =>
        Assert.Null(WorkflowShown.ReasonInCause(cause));
}
