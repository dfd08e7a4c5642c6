namespace Microseg.Bpf;

public sealed partial class BpfObject
{
    /// <summary>
    /// Makes this object's map <paramref name="mapName"/> use an existing map instead of
    /// creating its own (bpf_map__reuse_fd), before load. This is how two objects share maps
    /// and how a restarted daemon adopts pinned ones. The existing map must have the same
    /// type, key and value sizes; the kernel refuses a program whose maps do not fit.
    /// </summary>
    public void ReuseMap(string mapName, BpfMap existing)
    {
        ThrowIfLoaded(nameof(ReuseMap));
        nint map = FindMapPointer(mapName);
        int rc = Interop.Libbpf.bpf_map__reuse_fd(map, existing.Handle);
        if (rc < 0)
            Interop.Throw(rc, "bpf_map__reuse_fd", $"map '{mapName}' in {Path}");
    }
}
