using System.Text.Json.Nodes;

namespace StreamingWorkshop.Stack;

/// <summary>
/// The resource types the local deployer builds, with their top-level property names and required properties as
/// the CloudFormation resource specification lists them (taken from @aws-cdk/cfnspec 2.72.1, spec 117.0.0), so a
/// misspelt or missing property fails as it would on AWS.
/// </summary>
public static class ResourceTypes
{
    public sealed record Shape(IReadOnlyList<string> Properties, IReadOnlyList<string> Required);

    public static readonly IReadOnlyDictionary<string, Shape> Supported = new Dictionary<string, Shape>(StringComparer.Ordinal)
    {
        ["AWS::S3::Bucket"] = new(["AccelerateConfiguration", "AccessControl", "AnalyticsConfigurations", "BucketEncryption", "BucketName", "CorsConfiguration", "IntelligentTieringConfigurations", "InventoryConfigurations", "LifecycleConfiguration", "LoggingConfiguration", "MetricsConfigurations", "NotificationConfiguration", "ObjectLockConfiguration", "ObjectLockEnabled", "OwnershipControls", "PublicAccessBlockConfiguration", "ReplicationConfiguration", "Tags", "VersioningConfiguration", "WebsiteConfiguration"], []),
        ["AWS::Kinesis::Stream"] = new(["Name", "RetentionPeriodHours", "ShardCount", "StreamEncryption", "StreamModeDetails", "Tags"], []),
        ["AWS::KinesisFirehose::DeliveryStream"] = new(["AmazonOpenSearchServerlessDestinationConfiguration", "AmazonopensearchserviceDestinationConfiguration", "DeliveryStreamEncryptionConfigurationInput", "DeliveryStreamName", "DeliveryStreamType", "ElasticsearchDestinationConfiguration", "ExtendedS3DestinationConfiguration", "HttpEndpointDestinationConfiguration", "KinesisStreamSourceConfiguration", "RedshiftDestinationConfiguration", "S3DestinationConfiguration", "SplunkDestinationConfiguration", "Tags"], []),
        ["AWS::IAM::Role"] = new(["AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path", "PermissionsBoundary", "Policies", "RoleName", "Tags"], ["AssumeRolePolicyDocument"]),
        ["AWS::Logs::LogGroup"] = new(["DataProtectionPolicy", "KmsKeyId", "LogGroupName", "RetentionInDays", "Tags"], []),
        ["AWS::Logs::LogStream"] = new(["LogGroupName", "LogStreamName"], ["LogGroupName"]),
        ["AWS::Lambda::Function"] = new(["Architectures", "Code", "CodeSigningConfigArn", "DeadLetterConfig", "Description", "Environment", "EphemeralStorage", "FileSystemConfigs", "FunctionName", "Handler", "ImageConfig", "KmsKeyArn", "Layers", "MemorySize", "PackageType", "ReservedConcurrentExecutions", "Role", "Runtime", "RuntimeManagementConfig", "SnapStart", "Tags", "Timeout", "TracingConfig", "VpcConfig"], ["Code", "Role"]),
        ["AWS::Lambda::Permission"] = new(["Action", "EventSourceToken", "FunctionName", "FunctionUrlAuthType", "Principal", "PrincipalOrgID", "SourceAccount", "SourceArn"], ["Action", "FunctionName", "Principal"]),
        ["AWS::Events::Rule"] = new(["Description", "EventBusName", "EventPattern", "Name", "RoleArn", "ScheduleExpression", "State", "Targets"], []),
        ["AWS::Glue::Database"] = new(["CatalogId", "DatabaseInput"], ["CatalogId", "DatabaseInput"]),
        ["AWS::Glue::Job"] = new(["AllocatedCapacity", "Command", "Connections", "DefaultArguments", "Description", "ExecutionClass", "ExecutionProperty", "GlueVersion", "JobMode", "JobRunQueuingEnabled", "LogUri", "MaintenanceWindow", "MaxCapacity", "MaxRetries", "Name", "NonOverridableArguments", "NotificationProperty", "NumberOfWorkers", "Role", "SecurityConfiguration", "Tags", "Timeout", "WorkerType"], ["Command", "Role"]),
        ["AWS::Redshift::Cluster"] = new(["AllowVersionUpgrade", "AquaConfigurationStatus", "AutomatedSnapshotRetentionPeriod", "AvailabilityZone", "AvailabilityZoneRelocation", "AvailabilityZoneRelocationStatus", "Classic", "ClusterIdentifier", "ClusterParameterGroupName", "ClusterSecurityGroups", "ClusterSubnetGroupName", "ClusterType", "ClusterVersion", "DBName", "DeferMaintenance", "DeferMaintenanceDuration", "DeferMaintenanceEndTime", "DeferMaintenanceStartTime", "DestinationRegion", "ElasticIp", "Encrypted", "Endpoint", "EnhancedVpcRouting", "HsmClientCertificateIdentifier", "HsmConfigurationIdentifier", "IamRoles", "KmsKeyId", "LoggingProperties", "MaintenanceTrackName", "ManualSnapshotRetentionPeriod", "MasterUserPassword", "MasterUsername", "NodeType", "NumberOfNodes", "OwnerAccount", "Port", "PreferredMaintenanceWindow", "PubliclyAccessible", "ResourceAction", "RevisionTarget", "RotateEncryptionKey", "SnapshotClusterIdentifier", "SnapshotCopyGrantName", "SnapshotCopyManual", "SnapshotCopyRetentionPeriod", "SnapshotIdentifier", "Tags", "VpcSecurityGroupIds"], ["ClusterType", "DBName", "MasterUserPassword", "MasterUsername", "NodeType"]),
        // From @aws-cdk/aws-service-spec 0.1.216.
        ["AWS::StepFunctions::StateMachine"] = new(["Definition", "DefinitionS3Location", "DefinitionString", "DefinitionSubstitutions", "EncryptionConfiguration", "LoggingConfiguration", "RoleArn", "StateMachineName", "StateMachineType", "Tags", "TracingConfiguration"], ["RoleArn"]),
    };
}

/// <summary>
/// What a resource's DeletionPolicy keeps. Retain keeps it whenever CloudFormation would delete it, even when the
/// operation that made it rolls back; RetainExceptOnCreate keeps it too, except in that rollback, so a failed first
/// deployment leaves nothing in the way of the next.
/// </summary>
public static class DeletionPolicies
{
    public static readonly IReadOnlyList<string> Known = ["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"];

    /// <summary>The one type the kit builds that CloudFormation can snapshot before deleting it.</summary>
    private static readonly IReadOnlySet<string> SnapshotTypes = new HashSet<string>(StringComparer.Ordinal) { "AWS::Redshift::Cluster" };

    public static bool KeepsOnDelete(string policy) => policy is "Retain" or "RetainExceptOnCreate";

    /// <summary>Whether the rollback of the operation that made the resource leaves it in place.</summary>
    public static bool KeepsOnRollback(string policy) => policy is "Retain";

    /// <summary>The template's problem with a resource's DeletionPolicy and UpdateReplacePolicy, or null when they are good.</summary>
    public static string? Problem(string logicalId, string type, JsonNode? deletionPolicy, JsonNode? updateReplacePolicy)
    {
        foreach (var (attribute, node, allowed) in new[] { ("DeletionPolicy", deletionPolicy, Known), ("UpdateReplacePolicy", updateReplacePolicy, ["Delete", "Retain", "Snapshot"]) })
        {
            if (node is null) continue;
            if (node is not JsonValue value || !value.TryGetValue<string>(out var policy))
                return $"Template format error: Every {attribute} member must be a string.";
            if (!allowed.Contains(policy))
                return $"Template format error: Unrecognized {attribute} {policy} for resource {logicalId}. Use one of: {string.Join(", ", allowed)}.";
            if (policy == "Snapshot" && !SnapshotTypes.Contains(type))
                return $"Template format error: {attribute} Snapshot is not supported for resource {logicalId} of type {type}; of the types here only {string.Join(", ", SnapshotTypes)} can be snapshotted. Use Delete or Retain.";
        }
        return null;
    }
}
