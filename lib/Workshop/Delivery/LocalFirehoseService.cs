using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Delivery;

/// <summary>
/// The Firehose control plane: which delivery streams exist and how they are configured, kept in the
/// workspace (delivery/&lt;name&gt;/config.json). Running a delivery stream is <see cref="LocalDeliveryStream"/>'s job.
/// </summary>
public sealed class LocalFirehoseService(WorkspaceDirectory workspace, TimeProvider clock) : IDeliveryService, IHtmlDisplay
{
    /// <summary>In a notebook, the delivery stage's calls rather than an object tree: the stage's, then the local engine's own.</summary>
    public string ToHtml() => StageCalls.Delivery.ToHtml() + OwnCalls.ToHtml();

    public override string ToString() => StageCalls.Delivery + "\n" + OwnCalls;

    private static readonly CallsView OwnCalls = new("workshop.Local.Firehose: the local Firehose's own calls, each named after its operation (local backend only)", [
        ("CreateDeliveryStream(config)", "CreateDeliveryStream"),
        ("DescribeDeliveryStream(name)", "DescribeDeliveryStream"),
        ("UpdateDestination(config)", "UpdateDestination"),
        ("ListDeliveryStreams()", "ListDeliveryStreams"),
        ("DeleteDeliveryStream(name)", "DeleteDeliveryStream"),
        ("workshop.DeliverNowAsync()", "none: delivers what the buffer holds now, where Firehose waits for its buffering hints"),
    ], "To change the destination, pass UpdateDestination a copy of DescribeDeliveryStream(name) made with 'with { ... }'.");

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public DeliveryStreamConfig CreateDeliveryStream(DeliveryStreamConfig config)
    {
        config.Validate();
        var path = ConfigPath(config.DeliveryStreamName);
        if (File.Exists(path))
            throw new ResourceInUseException("firehose", $"Firehose {config.DeliveryStreamName} under account 123456789012 already exists.");
        var created = config with { CreatedAt = clock.GetUtcNow(), Version = 1 };
        Save(created);
        return created;
    }

    /// <summary>Changes a delivery stream's settings; as in Firehose, the version goes up and new objects carry it.</summary>
    public DeliveryStreamConfig UpdateDestination(DeliveryStreamConfig config)
    {
        var current = DescribeDeliveryStream(config.DeliveryStreamName);
        config.Validate();
        var updated = config with { CreatedAt = current.CreatedAt, Version = current.Version + 1 };
        Save(updated);
        return updated;
    }

    public DeliveryStreamConfig DescribeDeliveryStream(string name)
    {
        var path = ConfigPath(name);
        if (!File.Exists(path))
            throw new ResourceNotFoundException("firehose", $"Firehose {name} under account 123456789012 not found. Deploy the stack first ('workshop deploy') or check the name with 'workshop stack resources'.");
        return WorkspaceJson.Read<DeliveryStreamConfig>(path, JsonOptions)
               ?? throw new InvalidDataException($"The configuration file {path} is empty; delete the delivery stream and deploy again.");
    }

    public Task<DeliveryStreamConfig> DescribeDeliveryStreamAsync(string deliveryStreamName, CancellationToken cancellationToken = default) =>
        Task.FromResult(DescribeDeliveryStream(deliveryStreamName));

    public IReadOnlyList<string> ListDeliveryStreams()
    {
        var root = workspace.Resolve("delivery");
        if (!Directory.Exists(root)) return [];
        return Directory.GetDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, "config.json")))
            .Select(Path.GetFileName).OfType<string>()
            .Order(StringComparer.Ordinal).ToArray();
    }

    public void DeleteDeliveryStream(string name)
    {
        DescribeDeliveryStream(name);
        Directory.Delete(workspace.Resolve("delivery", name), recursive: true);
    }

    private void Save(DeliveryStreamConfig config) =>
        workspace.WriteAtomically(ConfigPath(config.DeliveryStreamName), JsonSerializer.SerializeToUtf8Bytes(config, JsonOptions));

    private string ConfigPath(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('/') || name.Contains('\\') || name is "." or "..")
            throw new ValidationException("firehose", $"'{name}' is not a delivery stream name: use letters, digits, '_', '.' and '-'.");
        return workspace.Resolve("delivery", name, "config.json");
    }
}
