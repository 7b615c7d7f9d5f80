namespace StreamingWorkshop.Workflows;

/// <summary>
/// Where a stack's AWS::StepFunctions::StateMachine resources are defined on the local backend: the provisioner hands
/// each machine's resolved definition here, as CloudFormation calls CreateStateMachine and DeleteStateMachine.
/// </summary>
public interface IStateMachineRegistry
{
    /// <summary>
    /// Defines (or replaces, keeping its creation date) the state machine <paramref name="name"/> with the Amazon States
    /// Language text <paramref name="definitionJson"/>, run as <paramref name="roleArn"/>, of <paramref name="type"/>
    /// (STANDARD or EXPRESS). A definition that is not valid is refused with <see cref="InvalidDefinitionException"/>.
    /// Returns the machine's ARN (arn:aws:states:region:account:stateMachine:name).
    /// </summary>
    string PutStateMachine(string name, string definitionJson, string roleArn, string type);

    /// <summary>Forgets the state machine and its executions; nothing happens when there is none by that name.</summary>
    void DeleteStateMachine(string name);
}
