using StreamingWorkshop;

namespace Workshop.Tests.TestSupport;

/// <summary>A test class with a local session of its own, in a temporary workspace removed afterwards.</summary>
public abstract class LocalSessionTest : IAsyncLifetime
{
    protected TempWorkspace Temp { get; } = new();
    protected WorkshopSession Session { get; private set; } = null!;

    public async Task InitializeAsync() => Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root });

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Temp.Dispose();
    }
}
