namespace Microseg.Bpf;

public sealed unsafe partial class BpfMap<TKey, TValue>
{
    /// <summary>
    /// Set once the kernel answered ENOTSUPP (the map type has no such batch op) so later
    /// batches go straight to the per-element loop. Checked on 6.18: hash, LRU, per-CPU,
    /// array and LPM trie maps have batch update; the hash family and LPM tries have batch
    /// delete; arrays answer ENOTSUPP to batch delete (and EINVAL to any delete). Kernels
    /// before 5.6 do not know the batch commands and answer EINVAL: that also falls back,
    /// when the reported count shows nothing was applied.
    /// </summary>
    private bool _updateBatchUnsupported;
    private bool _deleteBatchUnsupported;
    private bool _lookupBatchUnsupported;

    /// <summary>True once batch updates on this map fell back to single updates (for tests).</summary>
    internal bool UpdateBatchFellBack => _updateBatchUnsupported;

    /// <summary>True once batch deletes on this map fell back to single deletes (for tests).</summary>
    internal bool DeleteBatchFellBack => _deleteBatchUnsupported;

    /// <summary>True once counting on this map fell back to walking its keys (for tests).</summary>
    internal bool CountFellBack => _lookupBatchUnsupported;

    /// <summary>
    /// How many entries the map holds now. With BPF_MAP_LOOKUP_BATCH, 4,096 a call (on 6.18 the
    /// hash family and LPM tries have it): a scrape of a 100,000-entry map is ~25 system
    /// calls, not 100,000 get_next_key calls. Per-CPU maps, and kernels without the batch
    /// command, get one get_next_key per key.
    /// Entries added or removed meanwhile may or may not be counted. Not a hot path: the
    /// buffers are allocated per call.
    /// </summary>
    public long CountEntries() => CountEntries(4096);

    internal long CountEntries(int perCall)
    {
        if (!_lookupBatchUnsupported && !_isPerCpu)
        {
            var keys = new TKey[perCall];
            var values = new TValue[perCall];
            // The position between calls; hash maps use a 4-byte bucket index, sized to the key
            // as well for any map type that uses a key.
            var token = new byte[Math.Max(sizeof(TKey), 8)];
            var opts = new BpfMapBatchOpts { Size = (nuint)sizeof(BpfMapBatchOpts) };
            long total = 0;
            bool first = true;
            while (true)
            {
                uint count = (uint)perCall;
                int rc;
                fixed (TKey* k = keys)
                fixed (TValue* v = values)
                fixed (byte* t = token)
                    rc = Interop.Libbpf.bpf_map_lookup_batch(_map.Handle, first ? null : t, t, k, v, &count, &opts);
                if (rc == 0 || rc == -Interop.ENOENT)
                {
                    total += count;
                    if (rc == -Interop.ENOENT)
                        return total;
                    first = false;
                    continue;
                }
                if (first && IsUnsupported(rc, count, perCall))
                {
                    _lookupBatchUnsupported = true;
                    break;
                }
                Interop.Throw(rc, "bpf_map_lookup_batch", $"map '{_map.Name}', {total} entries counted before the failure");
            }
        }

        long walked = 0;
        foreach (var _ in Keys)
            walked++;
        return walked;
    }

    /// <summary>
    /// Writes keys[i] → values[i] for all i with one BPF_MAP_UPDATE_BATCH, or with one
    /// update per element where the map type has no batch support. Returns the count
    /// written (all of them; a failure part-way throws and says how many were applied).
    /// </summary>
    public int UpdateBatch(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values, BpfUpdateFlags flags = BpfUpdateFlags.Any)
    {
        if (keys.Length != values.Length)
            throw new ArgumentException($"UpdateBatch on map '{_map.Name}' got {keys.Length} keys but {values.Length} values.", nameof(values));
        if (_isPerCpu)
            ThrowPerCpu(nameof(UpdateBatch));
        if (keys.IsEmpty)
            return 0;

        if (!_updateBatchUnsupported)
        {
            var opts = new BpfMapBatchOpts { Size = (nuint)sizeof(BpfMapBatchOpts), ElementFlags = (ulong)flags };
            uint count = (uint)keys.Length;
            int rc;
            fixed (TKey* k = keys)
            fixed (TValue* v = values)
                rc = Interop.Libbpf.bpf_map_update_batch(_map.Handle, k, v, &count, &opts);
            if (rc == 0)
                return keys.Length;
            if (!IsUnsupported(rc, count, keys.Length))
                ThrowBatch(rc, "bpf_map_update_batch", count, keys.Length);
            _updateBatchUnsupported = rc != -Interop.EINVAL;
        }

        for (int i = 0; i < keys.Length; i++)
            Update(keys[i], values[i], flags);
        return keys.Length;
    }

    /// <summary>
    /// Deletes every key <paramref name="predicate"/> selects, and returns how many it deleted.
    /// The keys are collected by one walk first and then deleted in a batch: deleting during a
    /// get_next_key walk can send the walk back to the start. Not a hot path: it allocates.
    /// </summary>
    public int DeleteWhere(Func<TKey, bool> predicate)
    {
        var doomed = new List<TKey>();
        foreach (var key in Keys)
        {
            if (predicate(key))
                doomed.Add(key);
        }
        return doomed.Count == 0 ? 0 : DeleteBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(doomed));
    }

    /// <summary>Deletes every key; returns how many.</summary>
    public int Clear() => DeleteWhere(static _ => true);

    /// <summary>
    /// Deletes the keys that are present with BPF_MAP_DELETE_BATCH (or one delete per key
    /// where unsupported). Absent keys are skipped; returns how many were deleted.
    /// </summary>
    public int DeleteBatch(ReadOnlySpan<TKey> keys)
    {
        int deleted = 0;
        while (!keys.IsEmpty && !_deleteBatchUnsupported)
        {
            var opts = new BpfMapBatchOpts { Size = (nuint)sizeof(BpfMapBatchOpts) };
            uint count = (uint)keys.Length;
            int rc;
            fixed (TKey* k = keys)
                rc = Interop.Libbpf.bpf_map_delete_batch(_map.Handle, k, &count, &opts);
            if (rc == 0)
                return deleted + keys.Length;
            if (rc == -Interop.ENOENT)
            {
                // The kernel stops at the first absent key: count were deleted before it.
                deleted += (int)count;
                keys = keys[Math.Min((int)count + 1, keys.Length)..];
                continue;
            }
            if (!IsUnsupported(rc, count, keys.Length))
                ThrowBatch(rc, "bpf_map_delete_batch", count, keys.Length);
            _deleteBatchUnsupported = rc != -Interop.EINVAL;
            break;
        }

        foreach (ref readonly TKey key in keys)
        {
            if (Delete(key))
                deleted++;
        }
        return deleted;
    }

    /// <summary>
    /// ENOTSUPP (no batch op for this map type; nothing was done, and the kernel leaves count
    /// as passed in), or EINVAL with count untouched or 0: rejected before any element.
    /// </summary>
    private static bool IsUnsupported(int rc, uint count, int total)
        => rc == -Interop.ENOTSUPP || rc == -Interop.EOPNOTSUPP
            || (rc == -Interop.EINVAL && (count == 0 || count == (uint)total));

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ThrowBatch(int rc, string call, uint done, int total)
        => Interop.Throw(rc, call, $"map '{_map.Name}', {done} of {total} elements applied before the failure");
}
