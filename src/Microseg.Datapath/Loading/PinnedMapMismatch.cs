namespace Microseg.Datapath.Loading;

/// <summary>One way a pinned map differs from what the object being loaded expects.</summary>
/// <param name="Map">The map's name, which is also its pin's name.</param>
/// <param name="Property">What differs: type, key size, value size, max_entries, flags or ABI version.</param>
/// <param name="Expected">The object's value.</param>
/// <param name="Found">The pinned map's value.</param>
public sealed record PinnedMapMismatch(string Map, string Property, string Expected, string Found)
{
    public override string ToString() => $"{Map}: {Property} {Expected} expected, {Found} found";
}
