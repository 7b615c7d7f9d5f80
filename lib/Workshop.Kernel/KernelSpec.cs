using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Kernel;

/// <summary>Writes a kernelspec laid out as `jupyter kernelspec install` lays one out: &lt;prefix&gt;/share/jupyter/kernels/&lt;name&gt;/kernel.json.</summary>
public static class KernelSpec
{
    public const string Name = "streaming-workshop-csharp";
    public const string DisplayName = "C# (Streaming Workshop)";

    /// <summary>
    /// The user's kernels folder, as Jupyter looks for it: JUPYTER_DATA_DIR/kernels when that is set, else
    /// ~/.local/share/jupyter/kernels on Linux and its equivalents elsewhere.
    /// </summary>
    public static string UserKernelsFolder()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } dataDir) return Path.Combine(Path.GetFullPath(dataDir), "kernels");
        if (OperatingSystem.IsWindows()) return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter", "kernels");
        if (OperatingSystem.IsMacOS()) return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "Library", "Jupyter", "kernels");
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "jupyter", "kernels");
    }

    /// <summary>Installs the kernelspec; <paramref name="launcher"/> is the command line that starts this CLI.</summary>
    public static string Install(string kernelsFolder, IReadOnlyList<string> launcher)
    {
        var folder = Path.Combine(kernelsFolder, Name);
        Directory.CreateDirectory(folder);
        // Jupyter starts the kernel in the notebook's folder; the kernel runs cells there.
        var argv = new JsonArray(launcher.Concat(["kernel", "--connection-file", "{connection_file}"]).Select(a => (JsonNode?)a).ToArray());
        var spec = new JsonObject
        {
            ["argv"] = argv,
            ["display_name"] = DisplayName,
            ["language"] = "csharp",
            ["interrupt_mode"] = "message",
            ["metadata"] = new JsonObject { ["debugger"] = false },
        };
        var path = Path.Combine(folder, "kernel.json");
        File.WriteAllText(path, spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
