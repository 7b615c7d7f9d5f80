namespace StreamingWorkshop.Workflows;

/// <summary>
/// Where a stack's AWS::StepFunctions::StateMachine resources are defined on the local backend: the provisioner
/// puts each state machine the template states, and deletes it when the stack no longer has it.
/// </summary>
public interface IStateMachineRegistry
{
    /// <summary>
    /// Defines (or redefines) the state machine <paramref name="name"/> with its Amazon States Language definition, the
    /// role it runs as and its type (STANDARD); the definition is checked as CreateStateMachine checks it
    /// (<see cref="InvalidDefinitionException"/>). Returns the state machine's ARN.
    /// </summary>
    string PutStateMachine(string name, string definitionJson, string roleArn, string type);

    /// <summary>Forgets the state machine and its executions; nothing happens when there is none by that name.</summary>
    void DeleteStateMachine(string name);
}
