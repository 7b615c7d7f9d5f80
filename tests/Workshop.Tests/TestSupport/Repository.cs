namespace Workshop.Tests.TestSupport;

internal static class Repository
{
    /// <summary>The repository root: the folder above the test assembly that holds the solution file.</summary>
    public static string Root
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "StreamingWorkshop.slnx"))) return folder.FullName;
            throw new DirectoryNotFoundException("The repository root (with StreamingWorkshop.slnx) is not above the test assembly.");
        }
    }
}
