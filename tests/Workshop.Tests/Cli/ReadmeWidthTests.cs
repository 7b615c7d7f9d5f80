using System.Text.RegularExpressions;
using Workshop.Tests.BadInput;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Cli;

/// <summary>
/// What README.md says of tables into a file or a pipe is what the command does: with COLUMNS unset each row stays whole
/// on its line, longer than 80 columns if need be, so grep finds it; COLUMNS wraps it.
/// </summary>
public sealed class ReadmeWidthTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-readme-width-").FullName;

    private const string Row = "duplicate-put  the next 100,000 put(s) are sent twice (same data, new sequence number)";

    private CliRun Plan(string? columns) =>
        WorkshopCli.Child(folder, new Dictionary<string, string?> { ["COLUMNS"] = columns }, "chaos", "duplicate-put", "--count", "100000", "--workspace", Path.Combine(folder, "ws"));

    [Fact]
    public void Into_a_pipe_a_row_stays_whole_unless_columns_is_set_and_the_readme_says_so()
    {
        var whole = Plan(columns: null);
        var wrapped = Plan(columns: "80");

        Assert.True(whole.ExitCode == 0, whole.Stderr);
        Assert.True(Row.Length > 80);
        Assert.Contains(Row, whole.Stdout.Split('\n'));
        Assert.DoesNotContain(Row, wrapped.Stdout.Split('\n'));
        Assert.All(wrapped.Stdout.Split('\n'), line => Assert.True(line.Length <= 80, line));

        var readme = Regex.Replace(File.ReadAllText(Path.Combine(Repository.Root, "README.md")), @"\s+", " ");
        Assert.Contains("Into a file or a pipe with `COLUMNS` unset, tables are not fitted: each row stays whole on its line, however long, so grep finds it "
            + "(set `COLUMNS`, for example `COLUMNS=80`, to wrap them to that width;", readme);
        Assert.DoesNotContain("else 80 columns when the output goes to a file or a pipe", readme);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
