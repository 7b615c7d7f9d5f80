using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// Resolves each assembly once for the process. Every cell is a compilation of its own, and each one asks again for
/// the assemblies its references depend on (Plotly.NET's, DuckDB's, ...); the scripting resolver answers with a new
/// reference each time, whose metadata the compiler then reads again. The assemblies a reference depends on are
/// looked up as the scripting resolver looks them up (the runtime's trusted platform assemblies by name, then the
/// folder of the assembly that needs them), and read through <see cref="MappedReferences"/>.
/// </summary>
internal sealed class CachingMetadataResolver(MetadataReferenceResolver inner) : MetadataReferenceResolver
{
    /// <summary>The scripting resolver's properties for a dependency: an alias no code can name, so it adds no names of its own.</summary>
    private static readonly MetadataReferenceProperties DependencyProperties = MetadataReferenceProperties.Assembly.WithAliases(["<implicit>"]);

    private readonly ConcurrentDictionary<AssemblyIdentity, PortableExecutableReference?> missing = new();
    private readonly ConcurrentDictionary<(string Reference, string? BaseFilePath, MetadataReferenceProperties Properties), ImmutableArray<PortableExecutableReference>> named = new();

    public override bool ResolveMissingAssemblies => inner.ResolveMissingAssemblies;

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity) =>
        missing.GetOrAdd(referenceIdentity, identity =>
            DependencyPath(definition, identity) is { } path
                ? MappedReferences.For(path, DependencyProperties)
                : inner.ResolveMissingAssembly(definition, identity));

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
        named.GetOrAdd((reference, baseFilePath, properties), key => inner.ResolveReference(key.Reference, key.BaseFilePath, key.Properties));

    public override bool Equals(object? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);

    /// <summary>The file of a dependency: the runtime's own assembly of that name, else one beside the assembly that needs it.</summary>
    private static string? DependencyPath(MetadataReference definition, AssemblyIdentity identity)
    {
        if (PlatformAssemblies.Value.TryGetValue(identity.Name, out var platform) && File.Exists(platform)) return platform;
        if ((definition as PortableExecutableReference)?.FilePath is not { } definitionPath) return null;
        var folder = Path.GetDirectoryName(definitionPath);
        if (folder is null) return null;
        return new[] { ".dll", ".exe" }.Select(extension => Path.Combine(folder, identity.Name + extension)).FirstOrDefault(File.Exists);
    }

    /// <summary>The runtime's trusted platform assemblies by file name (the last of a name wins, as in the scripting resolver).</summary>
    private static readonly Lazy<Dictionary<string, string>> PlatformAssemblies = new(() =>
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var paths = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string)?.Split(Path.PathSeparator) ?? [];
        foreach (var path in paths.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.EndsWith(".ni", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
            byName[name] = path;
        }
        return byName;
    });
}

/// <summary>
/// References to the kit's and the runtime's assemblies that read only what the compiler asks for. A reference made
/// with <see cref="MetadataReference.CreateFromFile(string, MetadataReferenceProperties, DocumentationProvider?)"/>
/// reads the whole file into memory first, precompiled code and all: 132 MB for the first cell of a notebook, about
/// 0.4 s of its cold start. These map the file, so only the pages the compiler touches are read, and keep it open for
/// the process; one file gives one reference, so its metadata is read once however many cells need it. A DLL a cell
/// names with #r is still read whole, so the learner can rebuild it while the kernel runs.
/// </summary>
internal static class MappedReferences
{
    private static readonly ConcurrentDictionary<(string Path, MetadataReferenceProperties Properties), PortableExecutableReference> Made = new();

    public static PortableExecutableReference For(string path, MetadataReferenceProperties properties = default) =>
        Made.GetOrAdd((path, properties), key =>
        {
            var metadata = AssemblyMetadata.CreateFromStream(File.OpenRead(key.Path), PEStreamOptions.Default);
            return metadata.GetReference(aliases: key.Properties.Aliases, embedInteropTypes: key.Properties.EmbedInteropTypes, filePath: key.Path);
        });
}
