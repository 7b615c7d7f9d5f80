using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Aws;

/// <summary>A request that never got an answer: the endpoint is wrong, or the network is down. The caller redacts <paramref name="detail"/>.</summary>
public sealed class AwsConnectionException(string service, string operation, Uri endpoint, string detail)
    : ServiceException(service, "ConnectionFailure", $"{operation} could not reach {service} at {endpoint}: {detail} Check the network, the region, and any AWS_ENDPOINT_URL variables ('workshop doctor --backend aws' shows them).");

/// <summary>Turns a service's error reply into the exception the local backend raises for the same error.</summary>
public static class AwsErrors
{
    /// <summary>The exception for a service's error; <paramref name="redact"/> runs over its whole final text, request id included.</summary>
    public static ServiceException ToException(string service, string operation, AwsErrorReply error, Func<string, string> redact)
    {
        var message = redact($"{error.Message} ({operation}{(error.RequestId is null ? "" : $", request id {error.RequestId}")})");
        return error.Code switch
        {
            "ResourceNotFoundException" => new ResourceNotFoundException(service, message),
            "ResourceInUseException" => new ResourceInUseException(service, message),
            "ValidationException" or "ValidationError" => new ValidationException(service, message),
            "InvalidArgumentException" => new InvalidArgumentException(service, message),
            "LimitExceededException" => new LimitExceededException(service, message),
            "ProvisionedThroughputExceededException" => new ProvisionedThroughputExceededException(service, message),
            "ExpiredIteratorException" => new ExpiredIteratorException(service, message),
            "EntityNotFoundException" => new EntityNotFoundException(message),
            "AlreadyExistsException" => new AlreadyExistsException(message),
            "InvalidInputException" => new InvalidInputException(message),
            "InvalidRequestException" when service == "athena" => new Query.InvalidRequestException(message),
            "CrawlerRunningException" => new CrawlerRunningException(message),
            // The Data API's: too many statements running at once is a limit. Its other errors (ExecuteStatementException,
            // BatchExecuteStatementException, InternalServerException) keep their own names below.
            "ActiveStatementsExceededException" => new LimitExceededException(service, message),
            // Step Functions' names have no Exception suffix.
            "StateMachineDoesNotExist" => new Workflows.StateMachineDoesNotExistException(message),
            "ExecutionDoesNotExist" => new Workflows.ExecutionDoesNotExistException(message),
            "ExecutionAlreadyExists" => new Workflows.ExecutionAlreadyExistsException(message),
            "InvalidArn" => new Workflows.InvalidArnException(message),
            "InvalidName" => new Workflows.InvalidNameException(message),
            "InvalidExecutionInput" => new Workflows.InvalidExecutionInputException(message),
            "InvalidDefinition" => new Workflows.InvalidDefinitionException(message),
            "StateMachineAlreadyExists" => new Workflows.StateMachineAlreadyExistsException(message),
            _ => new ServiceException(service, error.Code, message),
        };
    }

    /// <summary>JSON protocols name the error in __type, sometimes as namespace#Name.</summary>
    public static string ShortCode(string? type)
    {
        if (string.IsNullOrEmpty(type)) return "UnknownError";
        var hash = type.LastIndexOf('#');
        var code = hash >= 0 ? type[(hash + 1)..] : type;
        var colon = code.IndexOf(':');
        return colon >= 0 ? code[..colon] : code;
    }
}
