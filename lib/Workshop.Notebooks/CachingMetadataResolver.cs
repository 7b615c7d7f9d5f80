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
            return metadata.GetReference(DocumentationFor(key.Path), key.Properties.Aliases, key.Properties.EmbedInteropTypes, key.Path);
        });

    /// <summary>
    /// The summaries a hover shows: the XML file beside an assembly (the kit's), or for a runtime assembly the one in the
    /// SDK's reference pack of the same version (System.Private.CoreLib's are in System.Runtime.xml). Read only when a
    /// hover asks; none when the machine has no such file.
    /// </summary>
    private static DocumentationProvider? DocumentationFor(string assemblyPath)
    {
        var beside = Path.ChangeExtension(assemblyPath, ".xml");
        if (File.Exists(beside)) return new XmlFileDocumentation(beside);
        var runtimeFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        if (!string.Equals(Path.GetDirectoryName(assemblyPath), runtimeFolder, StringComparison.Ordinal)) return null;
        var name = Path.GetFileNameWithoutExtension(assemblyPath);
        var referencePack = Path.GetFullPath(Path.Combine(runtimeFolder, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref", Path.GetFileName(runtimeFolder), "ref",
            $"net{Environment.Version.Major}.{Environment.Version.Minor}"));
        var xml = Path.Combine(referencePack, (name == "System.Private.CoreLib" ? "System.Runtime" : name) + ".xml");
        return File.Exists(xml) ? new XmlFileDocumentation(xml) : null;
    }
}

/// <summary>
/// A compiler's XML documentation file, read on the first hover that needs it: member id → its &lt;member&gt; element.
/// Roslyn's own reader is in its Workspaces layer, which the engine does not otherwise load.
/// </summary>
internal sealed class XmlFileDocumentation(string path) : DocumentationProvider
{
    private readonly string file = path;
    private readonly Lazy<Dictionary<string, string>> members = new(() => Read(path));

    protected override string? GetDocumentationForSymbol(string documentationMemberID, System.Globalization.CultureInfo preferredCulture, CancellationToken cancellationToken = default) =>
        members.Value.GetValueOrDefault(documentationMemberID);

    private static Dictionary<string, string> Read(string path)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var reader = System.Xml.XmlReader.Create(path, new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Prohibit, XmlResolver = null });
            reader.MoveToContent();
            while (!reader.EOF)
            {
                // ReadOuterXml moves on to the next node itself, which may be the next member.
                if (reader is { NodeType: System.Xml.XmlNodeType.Element, Name: "member" } && reader.GetAttribute("name") is { } name) found[name] = reader.ReadOuterXml();
                else reader.Read();
            }
        }
        catch (System.Xml.XmlException) { } // a damaged file gives no summaries, not a failed hover
        return found;
    }

    public override bool Equals(object? obj) => obj is XmlFileDocumentation other && other.file == file;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(file);
}
