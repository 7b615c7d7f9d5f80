using System.Text;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Storage;

public sealed class JournaledFileTests : IDisposable
{
    private readonly TempWorkspace temp = new();

    private string FilePath => temp.Workspace.Resolve("state", "progress.json");

    private string? Latest() => JournaledFile.Read(temp.Workspace, FilePath) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    [Fact]
    public void Reads_the_latest_save_and_folds_it_into_the_file_every_thousand_saves()
    {
        Assert.Null(Latest());
        using (var file = new JournaledFile(temp.Workspace, FilePath))
        {
            for (var i = 1; i <= JournaledFile.FoldEvery + 5; i++)
            {
                file.Save(Encoding.UTF8.GetBytes($"save {i}"));
                Assert.Equal($"save {i}", Latest());
                if (i == JournaledFile.FoldEvery) Assert.Equal($"save {i}", File.ReadAllText(FilePath));
            }
        }
        // Closing the file folds its latest save into it.
        Assert.Equal($"save {JournaledFile.FoldEvery + 5}", File.ReadAllText(FilePath));
        Assert.Equal($"save {JournaledFile.FoldEvery + 5}", Latest());
    }

    [Fact]
    public void A_torn_last_frame_leaves_the_save_before_it_and_the_next_writer_goes_on_from_there()
    {
        using (var file = new JournaledFile(temp.Workspace, FilePath))
        {
            file.Replace("start"u8);
            file.Save("minute 1"u8);
            file.Save("minute 2"u8);
        }
        Assert.Equal("minute 2", File.ReadAllText(FilePath));
        // What a process killed in the middle of its next append leaves: a frame header and part of its content.
        using (var journal = new FileStream(FilePath + ".journal", FileMode.Append))
            journal.Write([9, 0, 0, 0, 1, 2, 3, 4, (byte)'m', (byte)'i']);
        Assert.Equal("minute 2", Latest());

        using (var file = new JournaledFile(temp.Workspace, FilePath))
        {
            file.Save("minute 3"u8);
            Assert.Equal("minute 3", Latest());
        }
        Assert.Equal("minute 3", File.ReadAllText(FilePath));
    }

    [Fact]
    public void Replace_writes_the_file_itself_and_empties_the_journal()
    {
        using var file = new JournaledFile(temp.Workspace, FilePath);
        file.Save("old"u8);
        file.Replace("new"u8);
        Assert.Equal("new", File.ReadAllText(FilePath));
        Assert.Equal(0, new FileInfo(FilePath + ".journal").Length);
        Assert.Equal("new", Latest());
    }

    public void Dispose() => temp.Dispose();
}
