using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Microseg.Bpf;

/// <summary>
/// A typed, allocation-free view of a <see cref="BpfMap"/>: keys and values are unmanaged
/// structs laid out exactly as the C ones (checked by size when the view is made). Every
/// call is one bpf(2) syscall through libbpf with pointers to the caller's storage; no
/// boxing, no closures and no formatting happen unless an error is thrown.
/// </summary>
public sealed unsafe partial class BpfMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    /// <summary>The untyped map; its fd is re-read per call so disposal is noticed.</summary>
    private readonly BpfMap _map;

    /// <summary>Per-CPU maps read/write one value per CPU: the single-value calls would overrun.</summary>
    private readonly bool _isPerCpu;

    internal BpfMap(BpfMap map, bool isPerCpu)
    {
        _map = map;
        _isPerCpu = isPerCpu;
    }

    /// <summary>The untyped map this views.</summary>
    public BpfMap Map => _map;

    /// <summary>The map's name.</summary>
    public string Name => _map.Name;

    /// <summary>Looks a key up; false when it is absent (ENOENT).</summary>
    public bool TryLookup(in TKey key, out TValue value)
    {
        if (_isPerCpu)
            ThrowPerCpu(nameof(TryLookup));
        Unsafe.SkipInit(out value);
        int rc;
        fixed (TKey* k = &key)
        fixed (TValue* v = &value)
            rc = Interop.Libbpf.bpf_map_lookup_elem(_map.Handle, k, v);
        if (rc == 0)
            return true;
        if (rc == -Interop.ENOENT)
        {
            value = default;
            return false;
        }
        ThrowFor(rc, "bpf_map_lookup_elem");
        return false;
    }

    /// <summary>Creates or overwrites an element, as <paramref name="flags"/> allows.</summary>
    public void Update(in TKey key, in TValue value, BpfUpdateFlags flags = BpfUpdateFlags.Any)
    {
        if (_isPerCpu)
            ThrowPerCpu(nameof(Update));
        int rc;
        fixed (TKey* k = &key)
        fixed (TValue* v = &value)
            rc = Interop.Libbpf.bpf_map_update_elem(_map.Handle, k, v, (ulong)flags);
        if (rc != 0)
            ThrowFor(rc, "bpf_map_update_elem");
    }

    /// <summary>Deletes an element; false when it was absent. Arrays cannot delete (EINVAL throws).</summary>
    public bool Delete(in TKey key)
    {
        int rc;
        fixed (TKey* k = &key)
            rc = Interop.Libbpf.bpf_map_delete_elem(_map.Handle, k);
        if (rc == 0)
            return true;
        if (rc != -Interop.ENOENT)
            ThrowFor(rc, "bpf_map_delete_elem");
        return false;
    }

    /// <summary>The key after <paramref name="key"/> in the kernel's order; false after the last.</summary>
    /// <remarks>For hash maps, if <paramref name="key"/> is no longer present the kernel restarts from the first key.</remarks>
    public bool TryGetNextKey(in TKey key, out TKey next)
    {
        Unsafe.SkipInit(out next);
        int rc;
        fixed (TKey* k = &key)
        fixed (TKey* n = &next)
            rc = Interop.Libbpf.bpf_map_get_next_key(_map.Handle, k, n);
        return NextKeyResult(rc, ref next);
    }

    /// <summary>The first key in the kernel's order; false when the map is empty.</summary>
    public bool TryGetFirstKey(out TKey first)
    {
        Unsafe.SkipInit(out first);
        int rc;
        fixed (TKey* n = &first)
            rc = Interop.Libbpf.bpf_map_get_next_key(_map.Handle, null, n);
        return NextKeyResult(rc, ref first);
    }

    /// <summary>
    /// Stores <paramref name="inner"/> (a map, or a program for a program array) under
    /// <paramref name="key"/> in an array-of-maps, hash-of-maps or program array: the value the
    /// kernel reads is the inner fd, borrowed from its handle for the call.
    /// </summary>
    public void UpdateFd(in TKey key, BpfKernelObject inner, BpfUpdateFlags flags = BpfUpdateFlags.Any)
    {
        BpfMapType type = _map.Type;
        if (type is not (BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps or BpfMapType.ProgramArray))
            throw new InvalidOperationException($"{_map} is a {type} map; UpdateFd needs an array-of-maps, hash-of-maps or program array.");
        ArgumentNullException.ThrowIfNull(inner);
        int rc;
        using (BorrowedFd innerFd = inner.Handle.Borrow())
        {
            int value = innerFd.Fd;
            fixed (TKey* k = &key)
                rc = Interop.Libbpf.bpf_map_update_elem(_map.Handle, k, &value, (ulong)flags);
        }
        if (rc != 0)
            ThrowFor(rc, "bpf_map_update_elem");
    }

    /// <summary>Keys in the kernel's order, without allocating: <c>foreach (var key in map.Keys)</c>.</summary>
    public KeysEnumerator Keys => new(this);

    /// <inheritdoc/>
    public override string ToString() => _map.ToString();

    private bool NextKeyResult(int rc, ref TKey next)
    {
        if (rc == 0)
            return true;
        if (rc != -Interop.ENOENT)
            ThrowFor(rc, "bpf_map_get_next_key");
        next = default;
        return false;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowFor(int rc, string call) => Interop.Throw(rc, call, $"map '{_map.Name}'");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowPerCpu(string method)
        => throw new InvalidOperationException($"Map '{_map.Name}' is per-CPU; use {method}PerCpu with a span of BpfMap.PossibleCpuCount values.");
}
