using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Storage;
using StreamingWorkshop.Workflows;

namespace StreamingWorkshop.Stack;

public sealed record ProvisionRequest(string StackName, string LogicalId, string Type, JsonObject Properties, string DeletionPolicy);

/// <summary>
/// Builds each resource type of the workshop's template on the local backend: buckets with lifecycle rules in the
/// lake, the stream, the delivery stream, the Glue database, the producer function (the C# producer, configured
/// from the function's environment), the schedule rule (checked as an EventBridge expression), the Redshift cluster
/// (a database file in the workspace's warehouse folder, whose path is the cluster's endpoint address). IAM roles,
/// permissions and log groups are recorded only. Glue jobs go to the local job service (<see cref="Jobs"/>), which
/// runs them on the virtual clock; state machines, their definitions resolved, to the local Step Functions
/// (<see cref="Workflows"/>), which checks them as CreateStateMachine does.
/// </summary>
public sealed partial class LocalProvisioners(WorkspaceDirectory workspace, LocalObjectStore lake, LocalStreamService streams, LocalFirehoseService firehose, LocalGlueCatalog catalog, string accountId = "123456789012", string region = "us-east-1")
{
    /// <summary>Where AWS::Glue::Job resources are defined; set once the backend has made its job service, which reads the stacks.</summary>
    internal LocalJobService? Jobs { get; set; }

    /// <summary>
    /// Where AWS::StepFunctions::StateMachine resources are defined; set once the backend has made its Step Functions.
    /// Without one a state machine is recorded only, as IAM roles are.
    /// </summary>
    internal IStateMachineRegistry? Workflows { get; set; }

    public async Task<StackResource> CreateAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        var p = request.Properties;
        string Name(string property, bool lower = false)
        {
            var given = p[property]?.GetValue<string>();
            if (given is not null) return given;
            var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{request.StackName}|{request.LogicalId}")))[..12];
            var generated = $"{request.StackName}-{request.LogicalId}-{suffix}";
            return lower ? generated.ToLowerInvariant() : generated;
        }
        StackResource Made(string physicalId, Dictionary<string, string> attributes) =>
            new(request.LogicalId, request.Type, physicalId, "CREATE_COMPLETE", p, attributes, request.DeletionPolicy);

        switch (request.Type)
        {
            case "AWS::S3::Bucket":
            {
                var bucket = Name("BucketName", lower: true);
                await lake.CreateBucketAsync(bucket, cancellationToken);
                var rules = (p["LifecycleConfiguration"]?["Rules"] as JsonArray ?? []).Select(r => new LifecycleRule(
                    r!["Id"]?.GetValue<string>() ?? "rule",
                    r["Prefix"]?.GetValue<string>() ?? r["Filter"]?["Prefix"]?.GetValue<string>() ?? "",
                    (r["Transitions"] as JsonArray ?? []).Select(t => new LifecycleTransition(Number(t!["TransitionInDays"]), t["StorageClass"]!.GetValue<string>())).ToArray(),
                    r["ExpirationInDays"] is { } days ? Number(days) : null,
                    r["Status"]?.GetValue<string>() != "Disabled")).ToArray();
                var minimumSize = p["LifecycleConfiguration"]?["TransitionDefaultMinimumObjectSize"]?.GetValue<string>();
                if (rules.Length > 0)
                    await lake.PutBucketLifecycleAsync(bucket, new BucketLifecycle(rules, minimumSize ?? TransitionMinimumSizes.AllStorageClasses128K), cancellationToken);
                return Made(bucket, new()
                {
                    ["Arn"] = $"arn:aws:s3:::{bucket}",
                    ["DomainName"] = $"{bucket}.s3.amazonaws.com",
                    ["RegionalDomainName"] = $"{bucket}.s3.{region}.amazonaws.com",
                    ["WebsiteURL"] = $"http://{bucket}.s3-website-{region}.amazonaws.com",
                });
            }
            case "AWS::Kinesis::Stream":
            {
                var name = Name("Name");
                var retention = p["RetentionPeriodHours"] is { } hours ? Number(hours) : 24;
                var mode = p["StreamModeDetails"]?["StreamMode"]?.GetValue<string>() ?? StreamModes.Provisioned;
                if (!StreamModes.IsKnown(mode))
                    throw new ValidationException("cloudformation", $"{request.LogicalId}: StreamModeDetails.StreamMode '{mode}' is not a capacity mode; use {StreamModes.Provisioned} or {StreamModes.OnDemand}.");
                if (mode == StreamModes.OnDemand && p["ShardCount"] is not null)
                    throw new ValidationException("cloudformation", $"{request.LogicalId}: ShardCount cannot be set on an ON_DEMAND stream, whose shards Kinesis manages; remove ShardCount or use PROVISIONED.");
                if (mode == StreamModes.OnDemand) await streams.CreateOnDemandStreamAsync(name, retention, cancellationToken);
                else await streams.CreateStreamAsync(name, p["ShardCount"] is { } shards ? Number(shards) : 1, retention, cancellationToken);
                return Made(name, new() { ["Arn"] = $"arn:aws:kinesis:{region}:{accountId}:stream/{name}" });
            }
            case "AWS::KinesisFirehose::DeliveryStream":
            {
                var name = Name("DeliveryStreamName");
                firehose.CreateDeliveryStream(DeliveryConfig(name, p));
                return Made(name, new() { ["Arn"] = $"arn:aws:firehose:{region}:{accountId}:deliverystream/{name}" });
            }
            case "AWS::Glue::Database":
            {
                var input = p["DatabaseInput"] ?? throw new ValidationException("cloudformation", $"{request.LogicalId}: DatabaseInput is required.");
                var name = input["Name"]?.GetValue<string>() ?? Name("CatalogId", lower: true);
                catalog.CreateDatabase(name, input["Description"]?.GetValue<string>(), input["LocationUri"]?.GetValue<string>());
                return Made(name, new());
            }
            case "AWS::Events::Rule":
            {
                var name = Name("Name");
                if (p["ScheduleExpression"]?.GetValue<string>() is { } expression)
                {
                    try { ScheduleExpression.Parse(expression); }
                    catch (FormatException error) { throw new ValidationException("cloudformation", $"{request.LogicalId}: {error.Message}"); }
                }
                return Made(name, new() { ["Arn"] = $"arn:aws:events:{region}:{accountId}:rule/{name}" });
            }
            case "AWS::Lambda::Function":
            {
                var name = Name("FunctionName");
                return Made(name, new() { ["Arn"] = $"arn:aws:lambda:{region}:{accountId}:function:{name}" });
            }
            case "AWS::IAM::Role":
            {
                var name = Name("RoleName");
                return Made(name, new() { ["Arn"] = $"arn:aws:iam::{accountId}:role/{name}", ["RoleId"] = "AROA" + name.GetHashCode().ToString("X8") });
            }
            case "AWS::Logs::LogGroup":
            {
                var name = Name("LogGroupName");
                return Made(name, new() { ["Arn"] = $"arn:aws:logs:{region}:{accountId}:log-group:{name}:*" });
            }
            case "AWS::Logs::LogStream":
                return Made(Name("LogStreamName"), new());
            case "AWS::Lambda::Permission":
                return Made(Name("FunctionName") + "-permission", new());
            case "AWS::Redshift::Cluster":
            {
                var name = Name("ClusterIdentifier", lower: true);
                if (!ClusterIdentifierPattern().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
                    throw new ValidationException("cloudformation", $"{request.LogicalId}: ClusterIdentifier '{name}' is not a cluster identifier; use 1 to 63 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen.");
                // The cluster is its database file; the endpoint's address is that file's path, so a client can find it.
                return Made(name, new()
                {
                    ["Endpoint.Address"] = ClusterDatabaseFile(name),
                    ["Endpoint.Port"] = p["Port"] is { } port ? Number(port).ToString(System.Globalization.CultureInfo.InvariantCulture) : "5439",
                    ["Id"] = name,
                });
            }
            case "AWS::Glue::Job":
            {
                var jobs = Jobs ?? throw new ValidationException("cloudformation", $"{request.LogicalId}: this backend has no job service to define Glue jobs in.");
                var job = GlueJobFrom(request.LogicalId, Name("Name"), p, jobs.Clock.GetUtcNow());
                jobs.PutJob(job);
                // The kit's script goes where the job looks for it, so a learner can read what the job would run.
                await GlueScripts.PlaceAtAsync(lake, job.Command.ScriptLocation, cancellationToken);
                return Made(job.Name, new());
            }
            case "AWS::StepFunctions::StateMachine":
            {
                var name = Name("StateMachineName");
                var definition = StateMachineDefinitionFrom(request.LogicalId, p);
                var roleArn = p["RoleArn"]?.GetValue<string>() ?? throw new ValidationException("cloudformation", $"{request.LogicalId}: RoleArn is required; give the ARN of the role the state machine runs as.");
                var type = p["StateMachineType"]?.GetValue<string>() ?? "STANDARD";
                if (type is not ("STANDARD" or "EXPRESS"))
                    throw new ValidationException("cloudformation", $"{request.LogicalId}: StateMachineType '{type}' is not a state machine type; use STANDARD or EXPRESS.");
                // A definition the service refuses fails the resource with the service's own message (InvalidDefinition).
                var arn = Workflows?.PutStateMachine(name, definition, roleArn, type) ?? $"arn:aws:states:{region}:{accountId}:stateMachine:{name}";
                return Made(arn, new() { ["Arn"] = arn, ["Name"] = name, ["StateMachineRevisionId"] = arn });
            }
            default:
                throw new ValidationException("cloudformation", $"{request.LogicalId}: type {request.Type} has no local provisioner.");
        }
    }

    public async Task DeleteAsync(StackResource resource, bool emptyBuckets, bool replacing, CancellationToken cancellationToken)
    {
        if (DeletionPolicies.KeepsOnDelete(resource.DeletionPolicy) && !replacing) return;
        switch (resource.ResourceType)
        {
            case "AWS::S3::Bucket":
                if (!await lake.BucketExistsAsync(resource.PhysicalResourceId, cancellationToken)) return;
                if (emptyBuckets) await lake.EmptyBucketAsync(resource.PhysicalResourceId, cancellationToken);
                await lake.DeleteBucketAsync(resource.PhysicalResourceId, cancellationToken);
                break;
            case "AWS::Kinesis::Stream":
                if ((await streams.ListStreamsAsync(cancellationToken)).Contains(resource.PhysicalResourceId))
                    await streams.DeleteStreamAsync(resource.PhysicalResourceId, cancellationToken);
                break;
            case "AWS::KinesisFirehose::DeliveryStream":
                if (firehose.ListDeliveryStreams().Contains(resource.PhysicalResourceId)) firehose.DeleteDeliveryStream(resource.PhysicalResourceId);
                break;
            case "AWS::Glue::Database":
                catalog.DeleteDatabase(resource.PhysicalResourceId);
                break;
            // An update keeps the job's runs and bookmark, as UpdateJob does: the new definition replaces the old by name.
            case "AWS::Glue::Job" when !replacing:
                Jobs?.DeleteJob(resource.PhysicalResourceId);
                break;
            // An update redefines the machine by name and keeps its executions, as UpdateStateMachine does.
            case "AWS::StepFunctions::StateMachine" when !replacing:
                Workflows?.DeleteStateMachine(resource.Attributes.GetValueOrDefault("Name") ?? resource.PhysicalResourceId[(resource.PhysicalResourceId.LastIndexOf(':') + 1)..]);
                break;
            // An update of the cluster (a role added, say) keeps its data, as on AWS; deleting the cluster deletes its database.
            case "AWS::Redshift::Cluster" when !replacing:
                foreach (var file in new[] { ClusterDatabaseFile(resource.PhysicalResourceId), ClusterDatabaseFile(resource.PhysicalResourceId) + ".wal" })
                    if (File.Exists(file)) File.Delete(file);
                break;
        }
    }

    /// <summary>
    /// Outputs the local stack gives beyond the template's: for its cluster, the kit's own connection string for the
    /// database file, which a DuckDB client can open read-only while the kit is not writing to it.
    /// </summary>
    public IEnumerable<StackOutput> LocalOutputs(IEnumerable<StackResource> resources) =>
        resources.Where(r => r.ResourceType == "AWS::Redshift::Cluster").Take(1).Select(cluster => new StackOutput("WarehouseConnectionString",
            $"DataSource={ClusterDatabaseFile(cluster.PhysicalResourceId)};ACCESS_MODE=READ_ONLY",
            "The local cluster's database file, for a DuckDB client (read-only)."));

    private string ClusterDatabaseFile(string clusterIdentifier) => workspace.Resolve("warehouse", clusterIdentifier + ".duckdb");

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex ClusterIdentifierPattern();

    /// <summary>The delivery stream's settings from AWS::KinesisFirehose::DeliveryStream properties.</summary>
    public static DeliveryStreamConfig DeliveryConfig(string name, JsonObject p)
    {
        var source = p["KinesisStreamSourceConfiguration"]?["KinesisStreamARN"]?.GetValue<string>()
                     ?? throw new ValidationException("cloudformation", $"Delivery stream {name}: the local backend reads from a Kinesis stream; set KinesisStreamSourceConfiguration.KinesisStreamARN.");
        var destination = p["ExtendedS3DestinationConfiguration"] as JsonObject
                          ?? throw new ValidationException("cloudformation", $"Delivery stream {name}: set ExtendedS3DestinationConfiguration.");
        var processors = destination["ProcessingConfiguration"]?["Enabled"]?.GetValue<bool>() == true
            ? destination["ProcessingConfiguration"]!["Processors"] as JsonArray ?? []
            : [];
        string? Parameter(string type, string parameter) => processors
            .Where(pr => pr!["Type"]?.GetValue<string>() == type)
            .SelectMany(pr => pr!["Parameters"] as JsonArray ?? [])
            .FirstOrDefault(pa => pa!["ParameterName"]?.GetValue<string>() == parameter)?["ParameterValue"]?.GetValue<string>();
        var config = new DeliveryStreamConfig
        {
            DeliveryStreamName = name,
            SourceStreamName = source[(source.LastIndexOf('/') + 1)..],
            BucketName = destination["BucketARN"]!.GetValue<string>().Replace("arn:aws:s3:::", ""),
            Prefix = destination["Prefix"]?.GetValue<string>() ?? "",
            ErrorOutputPrefix = destination["ErrorOutputPrefix"]?.GetValue<string>(),
            BufferingIntervalSeconds = destination["BufferingHints"]?["IntervalInSeconds"] is { } interval ? Number(interval) : 300,
            BufferingSizeMiB = destination["BufferingHints"]?["SizeInMBs"] is { } size ? Number(size) : 5,
            DynamicPartitioningEnabled = destination["DynamicPartitioningConfiguration"]?["Enabled"]?.GetValue<bool>() == true,
            MetadataExtractionQuery = Parameter("MetadataExtraction", "MetadataExtractionQuery"),
            AppendNewLineDelimiter = processors.Any(pr => pr!["Type"]?.GetValue<string>() == "AppendDelimiterToRecord"),
            Compression = destination["CompressionFormat"]?.GetValue<string>() == "GZIP" ? CompressionFormat.GZIP : CompressionFormat.UNCOMPRESSED,
        };
        config.Validate();
        return config;
    }

    /// <summary>The job an AWS::Glue::Job resource defines, checked as Glue checks CreateJob.</summary>
    public static GlueJob GlueJobFrom(string logicalId, string name, JsonObject p, DateTimeOffset createdOn)
    {
        var command = p["Command"] as JsonObject ?? throw new ValidationException("cloudformation", $"{logicalId}: Command is required; give its Name (glueetl or gluestreaming) and ScriptLocation.");
        var commandName = command["Name"]?.GetValue<string>() ?? "";
        if (commandName is not (JobCommandNames.Batch or JobCommandNames.Streaming))
            throw new ValidationException("cloudformation", $"{logicalId}: Command.Name '{commandName}' is not a Spark job the local backend runs; use {JobCommandNames.Batch} (batch) or {JobCommandNames.Streaming} (streaming).");
        var script = command["ScriptLocation"]?.GetValue<string>() ?? "";
        if (!script.StartsWith("s3://", StringComparison.Ordinal))
            throw new ValidationException("cloudformation", $"{logicalId}: Command.ScriptLocation '{script}' is not an S3 location; give s3://bucket/key of the job's script.");
        var workerType = p["WorkerType"]?.GetValue<string>() ?? "G.1X";
        if (!GlueBilling.SparkWorkerTypes.ContainsKey(workerType))
            throw new ValidationException("cloudformation", $"{logicalId}: WorkerType '{workerType}' is not a Spark worker type; use one of {string.Join(", ", GlueBilling.SparkWorkerTypes.Keys)}.");
        if (workerType == "G.025X" && commandName != JobCommandNames.Streaming)
            throw new ValidationException("cloudformation", $"{logicalId}: WorkerType G.025X is for streaming jobs only; use G.1X for a {commandName} job or make it {JobCommandNames.Streaming}.");
        var workers = p["NumberOfWorkers"] is { } count ? Number(count) : 10;
        if (workers < 2)
            throw new ValidationException("cloudformation", $"{logicalId}: NumberOfWorkers {workers} is too few; a Spark job needs at least 2 (a driver and an executor).");
        var timeout = p["Timeout"] is { } minutes ? Number(minutes) : 2880;
        if (timeout < 1)
            throw new ValidationException("cloudformation", $"{logicalId}: Timeout {timeout} is not a number of minutes; give 1 or more.");
        var arguments = (p["DefaultArguments"] as JsonObject ?? []).ToDictionary(a => a.Key, a => a.Value?.ToString() ?? "", StringComparer.Ordinal);
        return new GlueJob(name, p["Role"]?.GetValue<string>() ?? "", new JobCommand(commandName, script, command["PythonVersion"]?.GetValue<string>() ?? "3"),
            arguments, p["GlueVersion"]?.GetValue<string>() ?? "4.0", workerType, workers, timeout,
            p["MaxRetries"] is { } retries ? Number(retries) : 0, p["Description"]?.GetValue<string>(), createdOn);
    }

    private static readonly System.Text.Json.JsonSerializerOptions DefinitionAsWritten = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The state machine's Amazon States Language text: Definition (an object) or DefinitionString, with each
    /// ${key} of DefinitionSubstitutions replaced by its value, as CloudFormation hands it to CreateStateMachine.
    /// </summary>
    public static string StateMachineDefinitionFrom(string logicalId, JsonObject p)
    {
        if (p["DefinitionS3Location"] is not null)
            throw new ValidationException("cloudformation", $"{logicalId}: the local backend reads a definition from the template only; give Definition or DefinitionString instead of DefinitionS3Location.");
        var substitutions = (p["DefinitionSubstitutions"] as JsonObject ?? []).ToDictionary(s => s.Key, s => s.Value switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            JsonValue value => value.ToJsonString(),
            _ => throw new ValidationException("cloudformation", $"{logicalId}: DefinitionSubstitutions.{s.Key} is not a string, number or boolean; give it a single value."),
        }, StringComparer.Ordinal);
        string Substitute(string text) => substitutions.Count == 0 ? text : SubstitutionPattern().Replace(text, m => substitutions.TryGetValue(m.Groups["key"].Value, out var value) ? value : m.Value);
        // Written as CloudFormation writes it, with quotes and signs as they are (not \u0027, \u002B), so the text reads as given.
        if (p["Definition"] is JsonObject definition)
            return SubstituteStrings(definition, Substitute)!.ToJsonString(DefinitionAsWritten);
        if (p["DefinitionString"] is JsonValue text && text.TryGetValue<string>(out var json)) return Substitute(json);
        throw new ValidationException("cloudformation", $"{logicalId}: give the state machine's Amazon States Language as Definition (an object) or DefinitionString (a JSON text).");
    }

    /// <summary>Every string in the definition with its substitutions made; in an object, keys too (a state may be named by one).</summary>
    private static JsonNode? SubstituteStrings(JsonNode? node, Func<string, string> substitute) => node switch
    {
        JsonObject obj => new JsonObject(obj.ToArray().Select(member => KeyValuePair.Create(substitute(member.Key), SubstituteStrings(member.Value?.DeepClone(), substitute)))),
        JsonArray array => new JsonArray(array.Select(item => SubstituteStrings(item?.DeepClone(), substitute)).ToArray()),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonValue.Create(substitute(text)),
        _ => node,
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"\$\{(?<key>[A-Za-z0-9_.:-]+)\}")]
    private static partial System.Text.RegularExpressions.Regex SubstitutionPattern();

    private static int Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var n) => (int)n,
        JsonValue v when v.TryGetValue<int>(out var n) => n,
        JsonValue v when int.TryParse(v.ToString(), out var n) => n,
        _ => throw new ValidationException("cloudformation", $"'{node?.ToJsonString()}' is not a whole number."),
    };
}
