using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>Owns a <c>struct bpf_object*</c>; release closes every fd the object holds.</summary>
internal sealed class SafeBpfObjectHandle : SafeHandle
{
    public SafeBpfObjectHandle() : base(0, ownsHandle: true) { }

    public SafeBpfObjectHandle(nint pointer) : base(0, ownsHandle: true) => SetHandle(pointer);

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        Interop.Libbpf.bpf_object__close(handle);
        return true;
    }
}

/// <summary>Owns a <c>struct btf*</c> from btf__parse.</summary>
internal sealed class SafeBtfHandle : SafeHandle
{
    public SafeBtfHandle() : base(0, ownsHandle: true) { }

    public SafeBtfHandle(nint pointer) : base(0, ownsHandle: true) => SetHandle(pointer);

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        Interop.Libbpf.btf__free(handle);
        return true;
    }
}

/// <summary>Owns a <c>struct ring_buffer*</c> from ring_buffer__new.</summary>
internal sealed class SafeLibbpfRingBufferHandle : SafeHandle
{
    /// <summary>The marshaller's constructor: ring_buffer__new's result is stored into it.</summary>
    public SafeLibbpfRingBufferHandle() : base(0, ownsHandle: true) { }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        Interop.Libbpf.ring_buffer__free(handle);
        return true;
    }
}

/// <summary>Owns an mmap'ed region (address and length).</summary>
internal sealed class SafeMmapHandle : SafeHandle
{
    /// <summary>Length passed to mmap, needed again by munmap.</summary>
    private readonly nuint _length;

    public SafeMmapHandle(nint address, nuint length) : base(-1, ownsHandle: true)
    {
        _length = length;
        SetHandle(address);
    }

    /// <summary>MAP_FAILED is (void*)-1; 0 is never returned for a non-fixed mapping.</summary>
    public override bool IsInvalid => handle == -1 || handle == 0;

    /// <summary>The mapping's base address.</summary>
    public nint Address => handle;

    /// <inheritdoc/>
    protected override unsafe bool ReleaseHandle() => Tmds.Linux.LibC.munmap((void*)handle, (Tmds.Linux.size_t)(ulong)_length) == 0;
}
