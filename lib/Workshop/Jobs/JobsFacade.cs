namespace StreamingWorkshop.Jobs;

/// <summary>The stack's Glue jobs as a notebook uses them: run, watch, stop, and look at what they wrote.</summary>
public sealed class JobsFacade(WorkshopSession session)
{
    internal WorkshopSession Session { get; } = session;
}
