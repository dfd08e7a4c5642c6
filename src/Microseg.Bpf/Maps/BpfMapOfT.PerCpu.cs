using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Bpf;

public sealed unsafe partial class BpfMap<TKey, TValue>
{
    /// <summary>
    /// The kernel lays per-CPU values out at a stride of round_up(value_size, 8) bytes
    /// (bpf_map_value_size in kernel/bpf/syscall.c). A TValue whose size is a multiple of 8
    /// is read straight into the caller's span; otherwise through a scratch buffer, on the
    /// stack up to this many bytes and in native memory above (never the GC heap).
    /// </summary>
    private const int StackScratchBytes = 4096;

    private static int Stride => (sizeof(TValue) + 7) & ~7;

    /// <summary>
    /// Reads every CPU's value for <paramref name="key"/>. The span must hold exactly
    /// <see cref="BpfMap.PossibleCpuCount"/> values. False when the key is absent.
    /// </summary>
    public bool TryLookupPerCpu(in TKey key, Span<TValue> perCpuValues)
    {
        CheckPerCpu(perCpuValues.Length);
        int rc;
        if (sizeof(TValue) % 8 == 0)
        {
            fixed (TKey* k = &key)
            fixed (TValue* v = perCpuValues)
                rc = Interop.Libbpf.bpf_map_lookup_elem(_map.Handle, k, v);
        }
        else
        {
            int bytes = Stride * perCpuValues.Length;
            byte* heap = bytes > StackScratchBytes ? (byte*)NativeMemory.Alloc((nuint)bytes) : null;
            byte* scratch = stackalloc byte[heap == null ? bytes : 0];
            byte* buffer = heap != null ? heap : scratch;
            try
            {
                fixed (TKey* k = &key)
                    rc = Interop.Libbpf.bpf_map_lookup_elem(_map.Handle, k, buffer);
                if (rc == 0)
                {
                    for (int cpu = 0; cpu < perCpuValues.Length; cpu++)
                        perCpuValues[cpu] = Unsafe.ReadUnaligned<TValue>(buffer + cpu * Stride);
                }
            }
            finally
            {
                NativeMemory.Free(heap);
            }
        }
        if (rc == 0)
            return true;
        if (rc != -Interop.ENOENT)
            ThrowFor(rc, "bpf_map_lookup_elem");
        return false;
    }

    /// <summary>Writes every CPU's value for <paramref name="key"/> (one value per possible CPU).</summary>
    public void UpdatePerCpu(in TKey key, ReadOnlySpan<TValue> perCpuValues, BpfUpdateFlags flags = BpfUpdateFlags.Any)
    {
        CheckPerCpu(perCpuValues.Length);
        int rc;
        if (sizeof(TValue) % 8 == 0)
        {
            fixed (TKey* k = &key)
            fixed (TValue* v = perCpuValues)
                rc = Interop.Libbpf.bpf_map_update_elem(_map.Handle, k, v, (ulong)flags);
        }
        else
        {
            int bytes = Stride * perCpuValues.Length;
            byte* heap = bytes > StackScratchBytes ? (byte*)NativeMemory.Alloc((nuint)bytes) : null;
            byte* scratch = stackalloc byte[heap == null ? bytes : 0];
            byte* buffer = heap != null ? heap : scratch;
            try
            {
                new Span<byte>(buffer, bytes).Clear();
                for (int cpu = 0; cpu < perCpuValues.Length; cpu++)
                    Unsafe.WriteUnaligned(buffer + cpu * Stride, perCpuValues[cpu]);
                fixed (TKey* k = &key)
                    rc = Interop.Libbpf.bpf_map_update_elem(_map.Handle, k, buffer, (ulong)flags);
            }
            finally
            {
                NativeMemory.Free(heap);
            }
        }
        if (rc != 0)
            ThrowFor(rc, "bpf_map_update_elem");
    }

    private void CheckPerCpu(int length)
    {
        if (!_isPerCpu)
            ThrowNotPerCpu();
        if (length != BpfMap.PossibleCpuCount)
            ThrowWrongCpuCount(length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotPerCpu()
        => throw new InvalidOperationException($"Map '{_map.Name}' is not per-CPU; use TryLookup/Update.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowWrongCpuCount(int length)
        => throw new ArgumentException($"Per-CPU access to map '{_map.Name}' needs a span of exactly {BpfMap.PossibleCpuCount} values (possible CPUs), got {length}.");
}
