using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Serve;

/// <summary>
/// The workspace's delivery stream while the endpoint serves: once the stack is deployed, the stream is read about
/// every second of the workspace's clock and buffers are delivered to the lake on their buffering hints, as in live
/// mode. Each poll takes its turn with the requests. The producer's schedule does not run: clients drive the stream.
/// </summary>
public sealed partial class LocalEndpoint
{
    /// <summary>No faster than this on the wall clock, so a sped-up clock does not keep requests waiting on polls.</summary>
    private static readonly TimeSpan ShortestPollWait = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Runs the workspace's delivery until <paramref name="cancellationToken"/> fires, telling each delivery and
    /// each problem in one line through <paramref name="tell"/>. Nothing happens until the delivery stream exists.
    /// </summary>
    public async Task RunDeliveryAsync(Action<string> tell, CancellationToken cancellationToken)
    {
        var local = session.Local!;
        LocalDeliveryStream? delivery = null;
        string? lastProblem = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var wait = session.Clock.WallTimeUntil(session.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
                await Task.Delay(wait > ShortestPollWait ? wait : ShortestPollWait, cancellationToken);
                await oneAtATime.WaitAsync(cancellationToken);
                try
                {
                    delivery ??= OpenDeliveryIfDeployed(local);
                    if (delivery is null) continue;
                    var poll = await delivery.PollAsync(cancellationToken);
                    if (poll.ObjectsWritten > 0)
                        tell($"{session.Clock.GetUtcNow():HH:mm:ss} delivered {poll.ObjectsWritten} object(s), the last s3://{delivery.Config.BucketName}/{delivery.Metrics.LastObjectKey}");
                    lastProblem = null;
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // A stack deleted under the delivery, or another process delivering: said once, tried again next second.
                    delivery?.Dispose();
                    delivery = null;
                    var problem = $"Delivery paused: {error.Message.Split('\n', 2)[0].Trim()}";
                    if (problem != lastProblem) tell(problem);
                    lastProblem = problem;
                }
                finally
                {
                    oneAtATime.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping the endpoint stops the delivery; what is buffered is read again from the checkpoint next time.
        }
        finally
        {
            delivery?.Dispose();
        }
    }

    private LocalDeliveryStream? OpenDeliveryIfDeployed(LocalBackend local)
    {
        var name = session.Names.DeliveryStreamName;
        return local.Firehose.ListDeliveryStreams().Contains(name, StringComparer.Ordinal) ? local.OpenDelivery(name) : null;
    }
}
