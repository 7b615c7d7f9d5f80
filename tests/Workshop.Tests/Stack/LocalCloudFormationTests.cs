using StreamingWorkshop;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Stack;

/// <summary>The local deployer's CloudFormation semantics, on small templates and on the workshop's own.</summary>
public sealed class LocalCloudFormationTests : LocalSessionTest
{
    private Task<StackState> Deploy(string template, Dictionary<string, string>? parameters = null, string name = "test") =>
        Session.Local!.Stacks.DeployAsync(name, template, parameters);

    private const string Intrinsics = """
        Parameters:
          Prefix: { Type: String, Default: demo, AllowedValues: [demo, prod] }
          Cities: { Type: CommaDelimitedList, Default: "London,Leeds" }
        Mappings:
          Sizes:
            demo: { Days: 7 }
            prod: { Days: 30 }
        Conditions:
          IsProd: !Equals [!Ref Prefix, prod]
          IsDemo: !Not [!Condition IsProd]
          Both: !And [!Condition IsDemo, !Or [!Equals [a, a], !Equals [a, b]]]
        Resources:
          Lake:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Sub "${Prefix}-lake-${AWS::AccountId}"
          Logs:
            Type: AWS::Logs::LogGroup
            Properties:
              LogGroupName: !Join ["/", ["", !Ref Prefix, !Select [1, !Ref Cities], !Select [0, !Split [",", "x,y"]]]]
              RetentionInDays: !FindInMap [Sizes, !Ref Prefix, Days]
          ProdOnly:
            Type: AWS::Logs::LogGroup
            Condition: IsProd
            Properties:
              LogGroupName: prod-only
          Stream:
            Type: AWS::Kinesis::Stream
            Properties:
              Name: !Sub
                - "${Base}-stream"
                - { Base: !Ref Prefix }
              ShardCount: !If [IsProd, 2, 1]
              StreamModeDetails: !If [Both, !Ref AWS::NoValue, { StreamMode: PROVISIONED }]
        Outputs:
          LakeArn: { Value: !GetAtt Lake.Arn }
          LogName: { Value: !Ref Logs }
          StreamName: { Value: !Ref Stream }
          Region: { Value: !Sub "${AWS::Region}/${AWS::Partition}/${AWS::StackName}" }
          Days: { Value: !FindInMap [Sizes, !Ref Prefix, Days] }
          Literal: { Value: !Sub "${!Literal}-kept" }
        """;

    [Fact]
    public async Task Intrinsic_functions_conditions_mappings_and_pseudo_parameters_resolve()
    {
        var stack = await Deploy(Intrinsics);

        Assert.Equal("CREATE_COMPLETE", stack.StackStatus);
        Assert.Equal("arn:aws:s3:::demo-lake-123456789012", stack.Output("LakeArn"));
        Assert.Equal("/demo/Leeds/x", stack.Output("LogName"));
        Assert.Equal("demo-stream", stack.Output("StreamName"));
        Assert.Equal("${Literal}-kept", stack.Output("Literal"));
        Assert.Equal("us-east-1/aws/test", stack.Output("Region"));
        Assert.Equal("7", stack.Output("Days"));
        Assert.DoesNotContain(stack.Resources, r => r.LogicalResourceId == "ProdOnly");
        Assert.False(stack.Resources.Single(r => r.LogicalResourceId == "Stream").Properties.ContainsKey("StreamModeDetails"));
        Assert.Equal(["demo-stream"], await Session.Stream.ListStreamsAsync());
    }

    [Fact]
    public async Task Parameter_overrides_switch_conditions_and_are_checked_against_their_constraints()
    {
        var stack = await Deploy(Intrinsics, new() { ["Prefix"] = "prod" });
        Assert.Contains(stack.Resources, r => r.LogicalResourceId == "ProdOnly");
        Assert.Equal("30", stack.Output("Days"));

        var error = await Assert.ThrowsAsync<ValidationException>(() => Deploy(Intrinsics, new() { ["Prefix"] = "staging" }, "other"));
        Assert.Contains("Parameter 'Prefix' must be one of AllowedValues: demo, prod", error.Message);
    }

    [Fact]
    public async Task Resources_are_made_after_what_they_refer_to_and_after_DependsOn()
    {
        var stack = await Deploy("""
            Resources:
              C: { Type: AWS::Logs::LogGroup, DependsOn: B, Properties: { LogGroupName: c } }
              B: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: !Sub "${A}-b" } }
              A: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: a } }
            """);

        var created = stack.Events.Where(e => e.ResourceStatus == "CREATE_COMPLETE" && e.ResourceType != "AWS::CloudFormation::Stack").Select(e => e.LogicalResourceId);
        Assert.Equal(["A", "B", "C"], created);
        Assert.Equal("a-b", stack.Resources.Single(r => r.LogicalResourceId == "B").PhysicalResourceId);
    }

    [Fact]
    public async Task Destroy_deletes_newest_first_so_nothing_goes_before_what_refers_to_it()
    {
        // Listed in the template in neither order: C needs B (DependsOn), B needs A (!Sub), so they are made A, B, C.
        await Deploy("""
            Resources:
              B: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: !Sub "${A}-b" } }
              C: { Type: AWS::Logs::LogGroup, DependsOn: B, Properties: { LogGroupName: c } }
              A: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: a } }
            """);

        var deleted = await Session.Local!.Stacks.DeleteAsync("test");

        Assert.Equal("DELETE_COMPLETE", deleted.StackStatus);
        var order = deleted.Events.Where(e => e.ResourceStatus == "DELETE_COMPLETE" && e.ResourceType != "AWS::CloudFormation::Stack").Select(e => e.LogicalResourceId);
        Assert.Equal(["C", "B", "A"], order);
    }

    [Fact]
    public async Task A_reference_cycle_is_refused_naming_the_resources()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Deploy("""
            Resources:
              A: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: !Ref B } }
              B: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: !Ref A } }
            """));
        Assert.Contains("Circular dependency between resources: [A, B]", error.Message);
    }

    [Fact]
    public async Task An_unknown_resource_type_is_refused_listing_the_supported_ones()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Deploy("""
            Resources:
              Queue: { Type: AWS::SQS::Queue }
            """));
        Assert.Contains("Resource Queue has type AWS::SQS::Queue", error.Message);
        Assert.Contains("AWS::Kinesis::Stream", error.Message);
    }

    [Fact]
    public async Task A_missing_parameter_is_refused_naming_it()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Deploy("""
            Parameters:
              Owner: { Type: String }
            Resources:
              Logs: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: !Ref Owner } }
            """));
        Assert.Equal("Parameters: [Owner] must have values. Give them with --parameter Name=value.", error.Message);
    }

    [Fact]
    public async Task A_misspelt_property_fails_its_resource_and_rolls_back_what_was_made()
    {
        var stack = await Deploy("""
            Resources:
              First: { Type: AWS::S3::Bucket, Properties: { BucketName: made-first } }
              Second: { Type: AWS::S3::Bucket, DependsOn: First, Properties: { BuketName: typo } }
            """);

        Assert.Equal("ROLLBACK_COMPLETE", stack.StackStatus);
        var failed = stack.Events.Single(e => e.ResourceStatus == "CREATE_FAILED");
        Assert.Equal("Second", failed.LogicalResourceId);
        Assert.Contains("extraneous key [BuketName] is not permitted (did you mean BucketName?)", failed.ResourceStatusReason);
        Assert.False(await Session.Lake.BucketExistsAsync("made-first"));
        Assert.Contains(stack.Events, e => e.LogicalResourceId == "First" && e.ResourceStatus == "DELETE_COMPLETE");
        Assert.Empty(stack.Resources);
        await Assert.ThrowsAsync<ValidationException>(() => Deploy("Resources:\n  X: { Type: AWS::Logs::LogGroup }"));
    }

    [Theory]
    [InlineData("Stream: { Type: AWS::Kinesis::Stream, Properties: { StreamModeDetails: { StreamMod: ON_DEMAND } } }",
        "#/StreamModeDetails: extraneous key [StreamMod] is not permitted (did you mean StreamMode?).")]
    [InlineData("Bucket: { Type: AWS::S3::Bucket, Properties: { LifecycleConfiguration: { Rules: [ { Status: Enabled, Transitions: [ { StorageClass: GLACIER, TransitionInDayz: 10 } ] } ] } } }",
        "#/LifecycleConfiguration/Rules/0/Transitions/0: extraneous key [TransitionInDayz] is not permitted (did you mean TransitionInDays?).")]
    [InlineData("Bucket: { Type: AWS::S3::Bucket, Properties: { LifecycleConfiguration: { Rules: [ { Status: Enabled, ExpirationInDays: 3 }, { ExpirationInDays: 7 } ] } } }",
        "#/LifecycleConfiguration/Rules/1: required key [Status] not found.")]
    [InlineData("Logs: { Type: AWS::Logs::LogGroup, Properties: { Tags: [ { Key: team, Vale: data } ] } }",
        "#/Tags/0: extraneous key [Vale] is not permitted (did you mean Value?).")]
    public async Task A_misspelt_or_missing_nested_key_fails_its_resource_named_by_its_path(string resource, string message)
    {
        var stack = await Deploy("Resources:\n  " + resource);

        Assert.Equal("ROLLBACK_COMPLETE", stack.StackStatus);
        var failed = stack.Events.Single(e => e.ResourceStatus == "CREATE_FAILED");
        Assert.EndsWith("with message: " + message, failed.ResourceStatusReason);
    }

    [Fact]
    public async Task A_resource_that_fails_to_create_rolls_back_the_stack()
    {
        var stack = await Deploy("""
            Resources:
              Stream: { Type: AWS::Kinesis::Stream, Properties: { Name: fine, ShardCount: 1 } }
              Broken: { Type: AWS::Kinesis::Stream, DependsOn: Stream, Properties: { Name: too-many, ShardCount: 9999 } }
            """);

        Assert.Equal("ROLLBACK_COMPLETE", stack.StackStatus);
        Assert.Contains("exceed the shard limit", stack.Events.Single(e => e.ResourceStatus == "CREATE_FAILED").ResourceStatusReason);
        Assert.Empty(await Session.Stream.ListStreamsAsync());
    }

    [Fact]
    public async Task Deploying_the_same_template_again_changes_nothing_and_a_changed_one_updates()
    {
        const string first = "Resources:\n  Logs: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: one } }\n  Lake: { Type: AWS::S3::Bucket, Properties: { BucketName: kept-bucket } }\n";
        var created = await Deploy(first);
        var again = await Deploy(first);

        Assert.Equal("No updates are to be performed.", again.StackStatusReason);
        Assert.Equal(created.Events.Count, Session.Local!.Stacks.DescribeStack("test").Events.Count);

        var updated = await Deploy(first.Replace("LogGroupName: one", "LogGroupName: two") + "  Extra: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: extra } }\n");
        Assert.Equal("UPDATE_COMPLETE", updated.StackStatus);
        Assert.Equal("two", updated.Resources.Single(r => r.LogicalResourceId == "Logs").PhysicalResourceId);
        Assert.Contains(updated.Resources, r => r.LogicalResourceId == "Extra");
        Assert.DoesNotContain(updated.Events.Skip(created.Events.Count), e => e.LogicalResourceId == "Lake");
    }

    [Fact]
    public async Task The_workshop_stack_deploys_and_simulate_crawl_and_query_run_on_what_it_made()
    {
        var stack = await Session.DeployAsync();

        Assert.Equal("CREATE_COMPLETE", stack.StackStatus);
        Assert.Equal("CREATE_COMPLETE", stack.Events[^1].ResourceStatus);
        foreach (var key in new[] { "DataLakeBucketURL", "AthenaResultsBucketURL", "LambdaFunctionURL", "KinesisStreamURL", "KinesisFirehoseURL", "GlueDatabaseURL", "RedshiftClusterURL" })
            Assert.False(string.IsNullOrEmpty(stack.Output(key)), key);
        Assert.DoesNotContain(stack.Parameters.Single(p => p.ParameterKey == "WarehousePassword").ParameterValue, (await Session.StackOutputsAsync()).ToString());

        await Session.SimulateAsync(TimeSpan.FromHours(1), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
        await Session.CrawlAsync();
        var result = await Session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data");

        Assert.Equal(180L, Convert.ToInt64(result[0, "n"]));
        Assert.Equal(stack.Output("KinesisStreamName"), Session.Names.StreamName);
        Assert.Equal(stack.Output("DataLakeBucketName"), Session.Names.LakeBucket);
    }

    [Fact]
    public async Task A_buckets_TransitionDefaultMinimumObjectSize_comes_from_the_template_and_defaults_to_S3s()
    {
        const string template = """
            Resources:
              Varies:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: varies-bucket
                  LifecycleConfiguration:
                    TransitionDefaultMinimumObjectSize: varies_by_storage_class
                    Rules: [{ Id: archive, Status: Enabled, Transitions: [{ StorageClass: GLACIER, TransitionInDays: 30 }] }]
              Unsaid:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: unsaid-bucket
                  LifecycleConfiguration:
                    Rules: [{ Id: archive, Status: Enabled, Transitions: [{ StorageClass: GLACIER, TransitionInDays: 30 }] }]
            """;
        await Deploy(template);

        Assert.Equal("varies_by_storage_class", (await Session.Lake.GetBucketLifecycleAsync("varies-bucket")).TransitionDefaultMinimumObjectSize);
        Assert.Equal("all_storage_classes_128K", (await Session.Lake.GetBucketLifecycleAsync("unsaid-bucket")).TransitionDefaultMinimumObjectSize);

        await Session.DeployAsync();
        var lake = await Session.Lake.GetBucketLifecycleAsync(Session.Names.LakeBucket);
        Assert.Equal("all_storage_classes_128K", lake.TransitionDefaultMinimumObjectSize);
        Assert.Equal([90, 180], lake.Rules.Single().Transitions.Select(t => t.Days));
    }

    [Fact]
    public async Task A_template_with_an_unknown_TransitionDefaultMinimumObjectSize_rolls_back_naming_the_value()
    {
        var stack = await Deploy("""
            Resources:
              Lake:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: odd-bucket
                  LifecycleConfiguration:
                    TransitionDefaultMinimumObjectSize: all_storage_classes_64K
                    Rules: [{ Id: archive, Status: Enabled, Transitions: [{ StorageClass: GLACIER, TransitionInDays: 30 }] }]
            """);

        Assert.Equal("ROLLBACK_COMPLETE", stack.StackStatus);
        Assert.Contains("'all_storage_classes_64K'", stack.Events.Single(e => e.ResourceStatus == "CREATE_FAILED").ResourceStatusReason);
    }

    [Fact]
    public async Task Deleting_keeps_Retain_resources_and_stops_at_a_bucket_with_objects_unless_asked_to_empty_it()
    {
        await Session.DeployAsync();
        await Session.SimulateAsync(TimeSpan.FromMinutes(10), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
        await Session.CrawlAsync();
        await Session.QueryAsync("SELECT 1 AS one"); // writes result files into the results bucket

        var blocked = await Session.DestroyAsync();
        Assert.Equal("DELETE_FAILED", blocked.StackStatus);
        Assert.Matches(@"BucketNotEmpty: The bucket you tried to delete is not empty: \S+\. Delete its objects first\. Or delete the stack with its buckets' objects: workshop destroy --stack-name stream --empty-buckets\.$", blocked.StackStatusReason);

        var deleted = await Session.DestroyAsync(emptyBuckets: true);
        Assert.Equal("DELETE_COMPLETE", deleted.StackStatus);
        Assert.Contains(deleted.Events, e => e.LogicalResourceId == "DataLakeBucket" && e.ResourceStatus == "DELETE_SKIPPED");
        Assert.True(await Session.Lake.BucketExistsAsync("weather-analytics-data-lake-dev-123456789012")); // DeletionPolicy: RetainExceptOnCreate
        Assert.Equal("DeletionPolicy is RetainExceptOnCreate: the resource is kept.",
            deleted.Events.Single(e => e.LogicalResourceId == "DataLakeBucket" && e.ResourceStatus == "DELETE_SKIPPED").ResourceStatusReason);
        Assert.False(await Session.Lake.BucketExistsAsync("weather-analytics-athena-results-dev-123456789012"));
        Assert.Empty(await Session.Stream.ListStreamsAsync());
        Assert.False(Session.Local!.Stacks.StackExists("stream"));
    }

    [Fact]
    public async Task A_rollback_keeps_what_it_made_with_Retain_and_deletes_what_it_made_with_RetainExceptOnCreate()
    {
        var stack = await Deploy("""
            Resources:
              Kept: { Type: AWS::S3::Bucket, DeletionPolicy: Retain, Properties: { BucketName: kept-on-rollback } }
              Dropped: { Type: AWS::S3::Bucket, DeletionPolicy: RetainExceptOnCreate, Properties: { BucketName: dropped-on-rollback } }
              Broken: { Type: AWS::S3::Bucket, DependsOn: [Kept, Dropped], Properties: { BuketName: typo } }
            """);

        Assert.Equal("ROLLBACK_COMPLETE", stack.StackStatus);
        Assert.True(await Session.Lake.BucketExistsAsync("kept-on-rollback"));
        Assert.False(await Session.Lake.BucketExistsAsync("dropped-on-rollback"));
        Assert.Equal("DeletionPolicy is Retain: the resource is kept.",
            stack.Events.Single(e => e.LogicalResourceId == "Kept" && e.ResourceStatus == "DELETE_SKIPPED").ResourceStatusReason);
        Assert.Contains(stack.Events, e => e.LogicalResourceId == "Dropped" && e.ResourceStatus == "DELETE_COMPLETE");
        Assert.Empty(stack.Resources);
    }

    [Fact]
    public async Task A_failed_first_deployment_of_the_workshop_stack_leaves_no_lake_bucket_in_the_way_of_the_next()
    {
        // A bucket that is already there makes a later resource of the stack fail after the lake bucket was made.
        await Session.Lake.CreateBucketAsync("weather-analytics-athena-results-dev-123456789012");

        var failed = await Session.DeployAsync();

        Assert.Equal("ROLLBACK_COMPLETE", failed.StackStatus);
        Assert.StartsWith("AthenaResultsBucket: ", failed.StackStatusReason);
        Assert.Contains(failed.Events, e => e.LogicalResourceId == "DataLakeBucket" && e.ResourceStatus == "DELETE_COMPLETE");
        Assert.False(await Session.Lake.BucketExistsAsync("weather-analytics-data-lake-dev-123456789012"));

        await Session.Lake.DeleteBucketAsync("weather-analytics-athena-results-dev-123456789012");
        await Session.Local!.Stacks.DeleteAsync("stream");
        Assert.Equal("CREATE_COMPLETE", (await Session.DeployAsync()).StackStatus);
    }

    [Theory]
    [InlineData("DeletionPolicy: Retian", "Template format error: Unrecognized DeletionPolicy Retian for resource Lake. Use one of: Delete, Retain, RetainExceptOnCreate, Snapshot.")]
    [InlineData("UpdateReplacePolicy: RetainExceptOnCreate", "Template format error: Unrecognized UpdateReplacePolicy RetainExceptOnCreate for resource Lake. Use one of: Delete, Retain, Snapshot.")]
    [InlineData("DeletionPolicy: [Retain]", "Template format error: Every DeletionPolicy member must be a string.")]
    [InlineData("DeletionPolicy: Snapshot", "Template format error: DeletionPolicy Snapshot is not supported for resource Lake of type AWS::S3::Bucket; of the types here only AWS::Redshift::Cluster can be snapshotted. Use Delete or Retain.")]
    public async Task A_deletion_policy_CloudFormation_does_not_know_is_refused_before_anything_is_made(string policy, string message)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Deploy($$"""
            Resources:
              Lake:
                Type: AWS::S3::Bucket
                {{policy}}
                Properties: { BucketName: never-made }
            """));

        Assert.Equal(message, error.Message);
        Assert.False(await Session.Lake.BucketExistsAsync("never-made"));
        Assert.False(Session.Local!.Stacks.StackExists("test"));
    }

    [Fact]
    public async Task A_DeletionPolicy_changed_alone_decides_the_next_deletion()
    {
        await Deploy("Resources:\n  Lake: { Type: AWS::S3::Bucket, DeletionPolicy: Retain, Properties: { BucketName: policy-changed } }");
        var updated = await Deploy("Resources:\n  Lake: { Type: AWS::S3::Bucket, DeletionPolicy: Delete, Properties: { BucketName: policy-changed } }");
        Assert.Equal("UPDATE_COMPLETE", updated.StackStatus);

        var deleted = await Session.Local!.Stacks.DeleteAsync("test");

        Assert.Contains(deleted.Events, e => e.LogicalResourceId == "Lake" && e.ResourceStatus == "DELETE_COMPLETE");
        Assert.False(await Session.Lake.BucketExistsAsync("policy-changed"));
    }
}

