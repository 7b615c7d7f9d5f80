using System.Globalization;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// A streaming run's settings from its arguments (the run's over the job's defaults): the window (Glue's windowSize),
/// where a first start begins reading, where the checkpoint lives, and the stream, lake bucket and database it uses.
/// </summary>
internal sealed record StreamingJobSettings(
    TimeSpan Window,
    bool FromLatest,
    string CheckpointBucket,
    string CheckpointPrefix,
    string StreamName,
    string LakeBucket,
    string Database)
{
    public const string WindowSizeArgument = "--window_size";
    public const string StartingPositionArgument = "--starting_position";
    public const string CheckpointArgument = "--checkpoint_location";
    public const string StreamArgument = "--stream_name";
    public const string StreamArnArgument = "--stream_arn";
    public const string LakeBucketArgument = "--lake_bucket";
    public const string DatabaseArgument = "--database";

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(60);

    public static StreamingJobSettings For(LocalJobService jobs, GlueJob job, JobRun? run)
    {
        var arguments = run is null ? job.DefaultArguments : LocalJobService.EffectiveArguments(job, run);
        var names = StackNames(jobs);

        var window = DefaultWindow;
        if (arguments.TryGetValue(WindowSizeArgument, out var windowText))
        {
            if (!int.TryParse(windowText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1 || seconds > 3600)
                throw new ArgumentException($"{WindowSizeArgument} '{windowText}' is not a number of seconds from 1 to 3600; give the micro-batch length in whole seconds, e.g. 60.");
            window = TimeSpan.FromSeconds(seconds);
        }

        var position = arguments.GetValueOrDefault(StartingPositionArgument, "TRIM_HORIZON");
        if (position is not ("TRIM_HORIZON" or "LATEST"))
            throw new ArgumentException($"{StartingPositionArgument} '{position}' is not a starting position; use TRIM_HORIZON (everything the stream holds) or LATEST (only what arrives after the start).");

        var scripts = names?.ScriptsBucket ?? new PipelineNames().ScriptsBucket;
        var location = arguments.GetValueOrDefault(CheckpointArgument, $"s3://{scripts}/checkpoints/{job.Name}/");
        if (!location.StartsWith("s3://", StringComparison.Ordinal) || location.Length <= 5 || location[5..].Split('/', 2) is not [var bucket, var prefix] || bucket.Length == 0)
            throw new ArgumentException($"{CheckpointArgument} '{location}' is not an S3 folder; give one as s3://BUCKET/PREFIX/, e.g. s3://{scripts}/checkpoints/{job.Name}/.");
        if (prefix.Length > 0 && !prefix.EndsWith('/')) prefix += "/";

        return new StreamingJobSettings(window, position == "LATEST", bucket, prefix,
            arguments.GetValueOrDefault(StreamArgument) ?? StreamFromArn(arguments.GetValueOrDefault(StreamArnArgument)) ?? names?.StreamName ?? new PipelineNames().StreamName,
            arguments.GetValueOrDefault(LakeBucketArgument, names?.LakeBucket ?? new PipelineNames().LakeBucket),
            arguments.GetValueOrDefault(DatabaseArgument, names?.Database ?? new PipelineNames().Database));
    }

    /// <summary>The stream's name from its ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME), as the stack passes it.</summary>
    private static string? StreamFromArn(string? arn)
    {
        if (arn is null) return null;
        var at = arn.IndexOf(":stream/", StringComparison.Ordinal);
        if (!arn.StartsWith("arn:", StringComparison.Ordinal) || at < 0 || at + 8 >= arn.Length)
            throw new ArgumentException($"{StreamArnArgument} '{arn}' is not a Kinesis stream ARN; give one as arn:aws:kinesis:REGION:ACCOUNT:stream/NAME.");
        return arn[(at + 8)..];
    }

    /// <summary>The names of the deployed stack that defines the jobs, when there is one.</summary>
    private static PipelineNames? StackNames(LocalJobService jobs)
    {
        try
        {
            var stack = jobs.Stacks.ResourcesOfType("AWS::Glue::Job").Select(r => r.Stack).FirstOrDefault();
            return stack is null ? null : PipelineNames.FromStack(stack);
        }
        catch (InvalidOperationException)
        {
            return null; // a stack without the outputs the names come from: the defaults then
        }
    }
}
