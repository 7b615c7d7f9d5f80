namespace Workshop.Tests.TestSupport;

/// <summary>
/// Reports on the caller's thread, before the call that reports returns. Progress&lt;T&gt; posts each report to the thread
/// pool instead, so a test that reads its reports right after the call can find them not there yet.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
