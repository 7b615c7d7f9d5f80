using System.Text.Json;

namespace StreamingWorkshop.Storage;

/// <summary>
/// Reads the JSON files the kit keeps in a workspace. A file that is not what the kit wrote (cut short by a full disk,
/// emptied, edited by hand) ends in one line naming it and what to do, instead of the parser's message alone.
/// </summary>
public static class WorkspaceJson
{
    public static T? Read<T>(string path, JsonSerializerOptions? options = null) => Parse<T>(File.ReadAllBytes(path), path, options);

    /// <summary>The same for <paramref name="content"/> already read from <paramref name="path"/> (a reader that compares it first).</summary>
    public static T? Parse<T>(byte[] content, string path, JsonSerializerOptions? options = null)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(content, options);
        }
        catch (JsonException error)
        {
            throw new WorkspaceFileDamagedException(path, error);
        }
    }
}

/// <summary>A workspace file that does not hold the JSON the kit wrote. A <see cref="JsonException"/>, so code that already
/// recovers from one (a cache rebuilt, a journal's torn record skipped) still does.</summary>
public sealed class WorkspaceFileDamagedException(string path, JsonException error) : JsonException(
    $"'{path}' is damaged: it does not hold the JSON the kit wrote ({FirstSentence(error.Message)}). " +
    "Put back a good copy of it, or start afresh with 'workshop reset' (it deletes the whole workspace).", error)
{
    public string FilePath { get; } = path;

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
