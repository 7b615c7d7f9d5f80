namespace StreamingWorkshop.Errors;

/// <summary>
/// An error shaped like an AWS service error: <see cref="ErrorCode"/> is the name the real service
/// returns (for example ProvisionedThroughputExceededException or NoSuchKey), so a learner can look it
/// up in the AWS documentation, and the message says what was wrong and what to do.
/// The local backend and the AWS backend raise the same types.
/// </summary>
public class ServiceException : Exception
{
    public ServiceException(string service, string errorCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        Service = service;
        ErrorCode = errorCode;
    }

    /// <summary>The service that raised it, as AWS names it: kinesis, firehose, s3, glue, athena, cloudformation.</summary>
    public string Service { get; }

    /// <summary>The service's own error name.</summary>
    public string ErrorCode { get; }

    public override string ToString() => $"{ErrorCode}: {Message}";
}

public class ResourceNotFoundException(string service, string message)
    : ServiceException(service, nameof(ResourceNotFoundException), message);

public class ResourceInUseException(string service, string message)
    : ServiceException(service, nameof(ResourceInUseException), message);

/// <summary>A request the service refuses as it stands: CloudFormation calls it ValidationError, the JSON services ValidationException.</summary>
public class ValidationException(string service, string message)
    : ServiceException(service, service == "cloudformation" ? "ValidationError" : nameof(ValidationException), message);

public class InvalidArgumentException(string service, string message)
    : ServiceException(service, nameof(InvalidArgumentException), message);

public class LimitExceededException(string service, string message)
    : ServiceException(service, nameof(LimitExceededException), message);

public class ProvisionedThroughputExceededException(string service, string message)
    : ServiceException(service, nameof(ProvisionedThroughputExceededException), message);

public class ExpiredIteratorException(string service, string message)
    : ServiceException(service, nameof(ExpiredIteratorException), message);

/// <summary>S3 errors carry S3's short codes (NoSuchBucket, NoSuchKey, BucketNotEmpty, InvalidArgument, ...).</summary>
public class S3Exception(string errorCode, string message)
    : ServiceException("s3", errorCode, message);

/// <summary>
/// The workshop's stack is not on the account, so a call that needs its names cannot go on. Only the AWS backend
/// raises it: locally the stack is deployed when first needed.
/// </summary>
public sealed class StackNotDeployedException(string message) : InvalidOperationException(message);
