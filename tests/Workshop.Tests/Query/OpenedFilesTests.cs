using System.IO.Compression;
using System.Text;
using StreamingWorkshop.Query;
using Xunit;

namespace StreamingWorkshop.Tests.Query;

/// <summary>The files a sandboxed engine opened, as its file-system log hands them over: what Athena's bill counts.</summary>
public sealed class OpenedFilesTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("opened-files-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Object(string name, params string[] lines)
    {
        var path = Path.Combine(folder, name);
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        return path;
    }

    private static long Count(System.Data.Common.DbConnection engine, string sql)
    {
        using var command = engine.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    [Fact]
    public void Each_engine_lists_the_files_it_opened_since_it_was_last_cleared()
    {
        var first = Object("first.json.gz", """{"t": 1}""", """{"t": 2}""");
        var second = Object("it's \"second\".json.gz", """{"t": 3}""");
        var openedByA = new OpenedFiles();
        var openedByB = new OpenedFiles();
        using var a = LocalAthena.OpenSandboxedEngine([folder], Path.Combine(folder, "spill"), [], openedByA);
        using var b = LocalAthena.OpenSandboxedEngine([folder], Path.Combine(folder, "spill"), [], openedByB);

        Assert.Equal(2, Count(a, $"SELECT COUNT(*) FROM read_json('{first}', format = 'newline_delimited')"));
        Assert.Equal([first], openedByA.Paths.Distinct());
        Assert.Empty(openedByB.Paths);

        openedByA.Clear();
        Assert.Empty(openedByA.Paths);
        Assert.Equal(1, Count(a, $"SELECT COUNT(*) FROM read_json('{second.Replace("'", "''")}', format = 'newline_delimited')"));
        Assert.Equal([second], openedByA.Paths.Distinct());

        // The other engine's list holds what it opened, and only that.
        Assert.Equal(1, Count(b, $"SELECT COUNT(*) FROM read_json('{second.Replace("'", "''")}', format = 'newline_delimited')"));
        Assert.Equal([second], openedByB.Paths.Distinct());
        Assert.Equal([second], openedByA.Paths.Distinct());
    }

    [Fact]
    public void An_engine_without_a_list_logs_nothing()
    {
        var path = Object("any.json.gz", """{"t": 1}""");
        using var engine = LocalAthena.OpenSandboxedEngine([folder], Path.Combine(folder, "spill"), []);
        Assert.Equal(1, Count(engine, $"SELECT COUNT(*) FROM read_json('{path}', format = 'newline_delimited')"));
        Assert.Equal(0, Count(engine, "SELECT COUNT(*) FROM duckdb_logs()"));
    }
}
