using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Scripting;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// The notebook engine finds the assemblies a reference depends on where the scripting resolver finds them, with the
/// same properties, and reads them without copying whole files into memory.
/// </summary>
public sealed class ReferenceResolutionTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("reference-resolution-").FullName;
    private readonly MetadataReferenceResolver scripting = ScriptOptions.Default.MetadataResolver;

    private static AssemblyIdentity Identity(AssemblyName name) =>
        new(name.Name!, name.Version, name.CultureName ?? "", (name.GetPublicKeyToken() ?? []).ToImmutableArray());

    [Theory]
    [InlineData(typeof(Microsoft.Data.Analysis.DataFrame))]
    [InlineData(typeof(Plotly.NET.GenericChart))]
    [InlineData(typeof(StreamingWorkshop.WorkshopSession))]
    [InlineData(typeof(DuckDB.NET.Data.DuckDBConnection))]
    public void Every_dependency_of_a_carried_assembly_resolves_to_the_scripting_resolvers_file(Type carried)
    {
        var definition = MetadataReference.CreateFromFile(carried.Assembly.Location);
        var dependencies = carried.Assembly.GetReferencedAssemblies();
        Assert.NotEmpty(dependencies);

        foreach (var dependency in dependencies)
        {
            var identity = Identity(dependency);
            var expected = scripting.ResolveMissingAssembly(definition, identity);
            var actual = new CachingMetadataResolver(scripting).ResolveMissingAssembly(definition, identity);
            Assert.Equal(expected?.FilePath, actual?.FilePath);
            Assert.Equal(expected?.Properties.Aliases.ToArray(), actual?.Properties.Aliases.ToArray());
        }
    }

    [Fact]
    public void A_dependency_outside_the_runtime_is_found_beside_the_assembly_that_needs_it()
    {
        var library = Compile("BesideLibrary", "public class Beside { }");
        var user = Compile("BesideUser", "public class User { public Beside Value; }", library);
        var definition = MetadataReference.CreateFromFile(user);
        var identity = new AssemblyIdentity("BesideLibrary", new Version(0, 0, 0, 0));

        var resolved = new CachingMetadataResolver(scripting).ResolveMissingAssembly(definition, identity);

        Assert.Equal(library, resolved?.FilePath);
        Assert.Equal(scripting.ResolveMissingAssembly(definition, identity)?.FilePath, resolved?.FilePath);
        Assert.Null(new CachingMetadataResolver(scripting).ResolveMissingAssembly(definition, new AssemblyIdentity("NowhereToBeFound")));
    }

    [Fact]
    public void A_reference_reads_the_metadata_it_needs_and_not_the_whole_file()
    {
        var compiler = typeof(CSharpCompilation).Assembly.Location;
        var length = new FileInfo(compiler).Length;
        Assert.True(length > 5_000_000, "the compiler's assembly is the large file this is about");

        var before = BytesReadByThisProcess();
        var reference = MappedReferences.For(compiler);
        var types = ((AssemblyMetadata)reference.GetMetadata()).GetModules()[0].GetMetadataReader().TypeDefinitions.Count;
        var read = BytesReadByThisProcess() - before;

        Assert.True(types > 1000, $"{types} types read");
        // A copy reads the whole file with read calls; a mapped file is paged in as the metadata is touched.
        Assert.True(read < length / 4, $"{read:N0} bytes read to open a {length:N0}-byte file");
        Assert.Same(reference, MappedReferences.For(compiler));
    }

    /// <summary>What this process has read with read calls so far (Linux's rchar).</summary>
    private static long BytesReadByThisProcess() =>
        long.Parse(File.ReadAllLines("/proc/self/io").Single(line => line.StartsWith("rchar:", StringComparison.Ordinal))[6..].Trim());

    /// <summary>A small library compiled into the test's folder, which is not among the runtime's assemblies.</summary>
    private string Compile(string name, string source, params string[] references)
    {
        var path = Path.Combine(folder, name + ".dll");
        var compilation = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source)],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location), .. references.Select(r => MetadataReference.CreateFromFile(r))],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var emitted = compilation.Emit(path);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return path;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
