namespace Microseg.Bpf;

/// <summary>Options for <see cref="BpfObject.Open"/> (a subset of struct bpf_object_open_opts).</summary>
public sealed class BpfObjectOpenOptions
{
    /// <summary>
    /// Directory (on bpffs) for maps declared with <c>__uint(pinning, LIBBPF_PIN_BY_NAME)</c>:
    /// at load, a map already pinned there under its name is reused (if compatible) and a
    /// missing one is created and pinned. Null means libbpf's default, /sys/fs/bpf.
    /// </summary>
    public string? PinRootPath { get; set; }

    /// <summary>Overrides the object name (default: the file name without ".o"); it prefixes internal map names such as "name.rodata".</summary>
    public string? ObjectName { get; set; }
}
