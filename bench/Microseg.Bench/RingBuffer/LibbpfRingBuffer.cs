using Microseg.Bpf;

namespace Microseg.Bench.RingBuffer;

/// <summary>
/// libbpf's own ring buffer consumer (ring_buffer__new / ring_buffer__consume) with an
/// unmanaged callback, the design <see cref="RingBufferReader"/> is measured against: every
/// record costs an indirect call from native code into an <c>[UnmanagedCallersOnly]</c>
/// function, where the reader's handler is inlined. Allocates nothing per record. Only the
/// ring buffer benchmark uses it, so it lives here, on Microseg.Bpf's one libbpf binding.
/// </summary>
internal sealed unsafe class LibbpfRingBuffer : IDisposable
{
    /// <summary>libbpf's <c>struct ring_buffer*</c> (which owns its own epoll fd and mappings).</summary>
    private readonly SafeLibbpfRingBufferHandle _ring;

    /// <summary>
    /// Wraps a RINGBUF map. <paramref name="callback"/> receives (context, record, size) per
    /// record and returns 0 to go on (a negative errno stops consumption).
    /// </summary>
    public LibbpfRingBuffer(BpfMap ringBuffer, delegate* unmanaged<void*, void*, nuint, int> callback, void* context)
    {
        _ring = Interop.Libbpf.ring_buffer__new(ringBuffer.Handle, callback, context, null);
        if (_ring.IsInvalid)
            Interop.ThrowLastError("ring_buffer__new", ringBuffer.ToString());
    }

    /// <summary>Consumes every available record without waiting; returns how many.</summary>
    public int Consume()
    {
        int n = Interop.Libbpf.ring_buffer__consume(_ring);
        if (n < 0)
            Interop.Throw(n, "ring_buffer__consume", "ring buffer");
        return n;
    }

    public void Dispose() => _ring.Dispose();
}
