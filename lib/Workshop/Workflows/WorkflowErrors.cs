using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Workflows;

// Step Functions' error names, as its API returns them (the codes have no "Exception" suffix).

/// <summary>The definition is not valid Amazon States Language; the message has the service's shape ("Invalid State Machine Definition: '...'").</summary>
public sealed class InvalidDefinitionException(string message) : ServiceException("states", "InvalidDefinition", message);

public sealed class StateMachineDoesNotExistException(string message) : ServiceException("states", "StateMachineDoesNotExist", message);

public sealed class ExecutionDoesNotExistException(string message) : ServiceException("states", "ExecutionDoesNotExist", message);

/// <summary>An execution by that name already exists for the state machine (names are unique per state machine for 90 days).</summary>
public sealed class ExecutionAlreadyExistsException(string message) : ServiceException("states", "ExecutionAlreadyExists", message);

public sealed class InvalidArnException(string message) : ServiceException("states", "InvalidArn", message);

public sealed class InvalidNameException(string message) : ServiceException("states", "InvalidName", message);

/// <summary>The execution's input is not a JSON text.</summary>
public sealed class InvalidExecutionInputException(string message) : ServiceException("states", "InvalidExecutionInput", message);

public sealed class StateMachineAlreadyExistsException(string message) : ServiceException("states", "StateMachineAlreadyExists", message);
