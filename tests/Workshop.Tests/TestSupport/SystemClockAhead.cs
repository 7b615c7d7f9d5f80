namespace Workshop.Tests.TestSupport;

/// <summary>The system's clock moved on by a fixed span: what a test hands a part that waits for files to age, instead of waiting.</summary>
internal sealed class SystemClockAhead(TimeSpan ahead) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
}
