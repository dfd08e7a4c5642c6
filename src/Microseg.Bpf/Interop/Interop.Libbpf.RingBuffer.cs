using System.Runtime.InteropServices;

namespace Microseg.Bpf;

// libbpf's own ring buffer consumer, bound here with the rest of libbpf: the ring buffer
// benchmark measures RingBufferReader against it (bench/Microseg.Bench/RingBuffer).
internal static partial class Interop
{
    internal static unsafe partial class Libbpf
    {
        /// <summary>A consumer for the ring behind mapFd; NULL with errno set on failure.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "ring_buffer__new", SetLastError = true)]
        internal static partial SafeLibbpfRingBufferHandle ring_buffer__new(SafeFdHandle mapFd, delegate* unmanaged<void*, void*, nuint, int> sampleCallback, void* context, void* options);

        /// <summary>Records consumed (capped at INT_MAX), or a negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "ring_buffer__consume")]
        internal static partial int ring_buffer__consume(SafeLibbpfRingBufferHandle ring);

        /// <summary>Frees the consumer (and its epoll fd and mappings); NULL is allowed.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "ring_buffer__free")]
        internal static partial void ring_buffer__free(nint ring);
    }
}
