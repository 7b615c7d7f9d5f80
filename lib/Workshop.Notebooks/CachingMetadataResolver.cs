using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// Resolves each assembly once for the process. Every cell is a compilation of its own, and each one asks again for
/// the assemblies its references depend on (Plotly.NET's, DuckDB's, ...); the scripting resolver answers with a new
/// reference each time, whose metadata the compiler then reads again.
/// </summary>
internal sealed class CachingMetadataResolver(MetadataReferenceResolver inner) : MetadataReferenceResolver
{
    private readonly ConcurrentDictionary<AssemblyIdentity, PortableExecutableReference?> missing = new();
    private readonly ConcurrentDictionary<(string Reference, string? BaseFilePath, MetadataReferenceProperties Properties), ImmutableArray<PortableExecutableReference>> named = new();

    public override bool ResolveMissingAssemblies => inner.ResolveMissingAssemblies;

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity) =>
        missing.GetOrAdd(referenceIdentity, identity => inner.ResolveMissingAssembly(definition, identity));

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
        named.GetOrAdd((reference, baseFilePath, properties), key => inner.ResolveReference(key.Reference, key.BaseFilePath, key.Properties));

    public override bool Equals(object? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);
}
