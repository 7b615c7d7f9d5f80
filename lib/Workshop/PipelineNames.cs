namespace StreamingWorkshop;

/// <summary>
/// The names of the workshop's resources, built from the project and environment the way the stack names
/// them (for example weather-analytics-firehose-dev). Once a stack is deployed its outputs give the names.
/// </summary>
public sealed record PipelineNames(string Project = "weather-analytics", string Environment = "dev", string AccountId = "123456789012")
{
    public string StreamName => $"{Project}-stream-{Environment}";
    public string DeliveryStreamName => $"{Project}-firehose-{Environment}";
    public string LakeBucket => $"{Project}-data-lake-{Environment}-{AccountId}";
    public string ResultsBucket => $"{Project}-athena-results-{Environment}-{AccountId}";
    public string ProducerFunction => $"{Project}-producer-{Environment}";
    public string ScheduleRule => $"{Project}-schedule-{Environment}";
    public string Database => $"{Project}_{Environment}_db";
    public string CrawlerName => "weather-data-crawler";

    /// <summary>The delivery stream's S3 prefixes, as the workshop's stack sets them.</summary>
    public const string DataPrefix = "weather-data/location=!{partitionKeyFromQuery:city}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/";
    public const string ErrorPrefix = "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/";
}
