namespace Workshop.Tests.TestSupport;

internal static class Loopback
{
    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now, for a peer the test starts.</summary>
    public static int FreePort() => StreamingWorkshop.LoopbackPorts.PickFree();
}
