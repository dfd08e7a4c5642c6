namespace Microseg.Datapath.Loading;

/// <summary>The pin directory holds maps this build cannot read; every difference is named.</summary>
public sealed class PinnedMapsIncompatibleException(string pinDirectory, IReadOnlyList<PinnedMapMismatch> mismatches)
    : InvalidOperationException($"The maps pinned in {pinDirectory} were made by a build of another layout, so they are not adopted: {string.Join("; ", mismatches)}")
{
    public string PinDirectory { get; } = pinDirectory;

    public IReadOnlyList<PinnedMapMismatch> Mismatches { get; } = mismatches;
}
