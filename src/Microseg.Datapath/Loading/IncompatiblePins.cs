namespace Microseg.Datapath.Loading;

/// <summary>What a load does when the pin directory holds maps of another layout or ABI version.</summary>
public enum IncompatiblePins
{
    /// <summary>Throw <see cref="PinnedMapsIncompatibleException"/>; nothing is loaded or unpinned.</summary>
    Refuse,
    /// <summary>
    /// Load onto new maps and leave the old pins in place until <see cref="LoadedDatapath.ReplacePins"/>:
    /// the caller writes the policy into the new maps first, so nothing goes unenforced.
    /// </summary>
    Replace,
}
