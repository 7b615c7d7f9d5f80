using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using StreamingWorkshop.Metrics;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>metrics and alarms: the CloudWatch console's metrics and alarms pages from the command line.</summary>
internal static class MetricsCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(MetricsCommand());
        root.Subcommands.Add(AlarmsCommand());
    }

    private static readonly string[] Namespaces = [MetricNames.Kinesis, MetricNames.Firehose, MetricNames.Lambda];

    private static Argument<string> NamespaceArgument() => new Argument<string>("namespace") { Description = "AWS/Kinesis, AWS/Firehose or AWS/Lambda." }.OnlyFrom(Namespaces);

    private static Argument<string> OnlyFrom(this Argument<string> argument, string[] values)
    {
        // The parser's own refusal does not say which argument it refused; this one names it and what it may be.
        argument.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !values.Contains(result.Tokens[0].Value, StringComparer.Ordinal))
                result.AddError($"{argument.Name} '{result.Tokens[0].Value}' is not one the kit records; give one of {string.Join(", ", values)}.");
        });
        return argument;
    }

    private static Option<string> StatisticOption(string description)
    {
        var option = new Option<string>("--statistic") { Description = description, DefaultValueFactory = _ => "Sum" };
        option.AcceptOnlyFromAmong([.. MetricNames.Statistics]);
        return option;
    }

    private static Option<int> PeriodOption(int defaultSeconds)
    {
        var option = new Option<int>("--period") { Description = "Seconds per datapoint: 60 or a multiple of 60.", DefaultValueFactory = _ => defaultSeconds }
            .WithRange(60, 86_400, " seconds");
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 60 && value % 60 != 0)
                result.AddError($"'{value}' is not a whole number of minutes; give 60 or a multiple of 60 seconds (the services' metrics are kept per minute)");
        });
        return option;
    }

    private static Option<string?> DimensionOption(string flag = "--dimension") =>
        new(flag) { Description = "The stream, delivery stream or function name (default: the workshop's own)." };

    /// <summary>A metric name the namespace records, or one line naming the ones it does.</summary>
    private static string CheckMetricName(string metricNamespace, string metricName)
    {
        var known = MetricNames.Recorded.Where(m => m.Namespace == metricNamespace).Select(m => m.Name).ToArray();
        if (!known.Contains(metricName, StringComparer.Ordinal))
            throw new ArgumentException($"'{metricName}' is not a metric the kit records in {metricNamespace}; use one of {string.Join(", ", known)}.");
        return metricName;
    }

    private static Command MetricsCommand()
    {
        var metricNamespace = NamespaceArgument();
        var metricName = new Argument<string>("metric") { Description = "Metric name, for example IncomingRecords or GetRecords.IteratorAgeMilliseconds." };
        var statistic = StatisticOption("SampleCount, Sum, Average, Minimum or Maximum.");
        var period = PeriodOption(300);
        var last = new Option<string>("--last") { Description = "How far back from now: 3h, 90m, 24h.", DefaultValueFactory = _ => "3h" }.LongerThanZero();
        var dimension = DimensionOption();
        var get = new Command("get", "Show one statistic of a metric per period (GetMetricStatistics); periods with no data have no row.")
            { metricNamespace, metricName, statistic, period, last, dimension };
        get.SetAction(async (parse, cancellationToken) =>
        {
            var ns = parse.GetValue(metricNamespace)!;
            var name = CheckMetricName(ns, parse.GetValue(metricName)!);
            var span = CliSession.ParseDuration(parse.GetValue(last)!, "--last");
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var view = await session.Metrics.StatisticsAsync(ns, name, parse.GetValue(period), parse.GetValue(statistic)!, span, parse.GetValue(dimension), cancellationToken);
            Terminal.Show(view);
            // CloudWatch answers a name nothing records with no datapoints, not an error, so a misspelt name looks like a quiet
            // hour: the workshop's own name is said beside it (when its stack is there; this never deploys one).
            if (view.Datapoints.Count == 0 && parse.GetValue(dimension) is { } named && await session.StackExistsAsync(cancellationToken: cancellationToken)
                && (await session.Metrics.MetricAsync(ns, name, cancellationToken: cancellationToken)).Dimensions[0] is { } ours && ours.Value != named)
                Terminal.Tell($"Note: {ours.Name} {named} is not the workshop's, {ours.Value} (--dimension {ours.Value}).");
            return 0;
        });

        var list = new Command("list", "List the metrics the pipeline's services record, with their units.");
        list.SetAction(_ =>
        {
            // Widths that hold every name and unit the kit records, one space apart, within 80 columns.
            int[] widths = [12, 34, 12, 18];
            string Row(params string[] cells) => string.Join(' ', cells.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd();
            Console.Out.WriteLine(Row("Namespace", "Metric", "Unit", "Dimension"));
            // A rule under the header, as the kit's other tables have.
            Console.Out.WriteLine(Row([.. widths.Select(width => new string('-', width))]));
            foreach (var (ns, name, unit) in MetricNames.Recorded)
                Console.Out.WriteLine(Row(ns, name, unit, MetricNames.DimensionOf(ns)));
            return 0;
        });
        return new Command("metrics", "Read the CloudWatch metrics of the stream, the delivery stream and the producer.") { get, list };
    }

    private static Command AlarmsCommand()
    {
        var name = new Argument<string>("name") { Description = "The alarm's name." };
        var metricNamespace = new Option<string>("--namespace") { Description = "AWS/Kinesis, AWS/Firehose or AWS/Lambda.", Required = true };
        metricNamespace.AcceptOnlyFromAmong(Namespaces);
        var metricName = new Option<string>("--metric") { Description = "Metric name, for example GetRecords.IteratorAgeMilliseconds.", Required = true };
        var comparison = new Option<string>("--comparison") { Description = "GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold.", Required = true };
        comparison.AcceptOnlyFromAmong([.. MetricNames.ComparisonOperators]);
        var threshold = new Option<double>("--threshold") { Description = "The value the statistic is compared with.", Required = true };
        var statistic = StatisticOption("The statistic compared with the threshold.");
        var period = PeriodOption(60);
        var evaluationPeriods = new Option<int>("--evaluation-periods") { Description = "How many recent periods are judged.", DefaultValueFactory = _ => 1 }.WithRange(1, 10_080);
        var datapointsToAlarm = new Option<int?>("--datapoints-to-alarm") { Description = "How many of them must breach (default: all of them)." };
        var treatMissing = new Option<string>("--treat-missing-data") { Description = "missing, notBreaching, breaching or ignore.", DefaultValueFactory = _ => "missing" };
        treatMissing.AcceptOnlyFromAmong([.. MetricNames.TreatMissingDataValues]);
        var dimension = DimensionOption();
        var put = new Command("put", "Create or update an alarm on one of the pipeline's metrics (PutMetricAlarm).")
            { name, metricNamespace, metricName, comparison, threshold, statistic, period, evaluationPeriods, datapointsToAlarm, treatMissing, dimension };
        put.SetAction(async (parse, cancellationToken) =>
        {
            var ns = parse.GetValue(metricNamespace)!;
            var metric = CheckMetricName(ns, parse.GetValue(metricName)!);
            var limit = parse.GetValue(threshold);
            if (!double.IsFinite(limit)) throw new ArgumentException($"--threshold '{limit}' is not a number; give a finite number such as 60000.");
            var evaluated = parse.GetValue(evaluationPeriods);
            if (parse.GetValue(datapointsToAlarm) is { } needed && (needed < 1 || needed > evaluated))
                throw new ArgumentException($"--datapoints-to-alarm '{needed}' is out of range; give a whole number from 1 to --evaluation-periods ({evaluated}).");
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Metrics.PutAlarmAsync(parse.GetValue(name)!, ns, metric, parse.GetValue(comparison)!, limit, parse.GetValue(statistic)!,
                parse.GetValue(period), evaluated, parse.GetValue(datapointsToAlarm), parse.GetValue(treatMissing)!, parse.GetValue(dimension), cancellationToken));
            return 0;
        });

        var list = new Command("list", "List the alarms with their state as of now (DescribeAlarms).");
        list.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Metrics.AlarmsAsync(cancellationToken: cancellationToken));
            return 0;
        });

        var names = new Argument<string[]>("names") { Description = "The alarms to delete.", Arity = ArgumentArity.OneOrMore };
        var delete = new Command("delete", "Delete alarms (DeleteAlarms).") { names };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var doomed = parse.GetValue(names)!;
            await session.Metrics.DeleteAlarmsAsync(doomed, cancellationToken);
            Console.Out.WriteLine($"Deleted {string.Join(", ", doomed)}.");
            return 0;
        });
        return new Command("alarms", "Keep CloudWatch alarms on the pipeline's metrics, evaluated on the workspace's clock.") { put, list, delete };
    }
}
