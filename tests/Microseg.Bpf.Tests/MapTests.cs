using Microseg.TestSupport;
using Xunit;

namespace Microseg.Bpf.Tests;

public sealed class MapTests : IDisposable
{
    private readonly LoadedFixtures _fixtures = new();

    private BpfObject Bpf => _fixtures.Object;

    private BpfPinDirectory Pins => _fixtures.Pins;

    public void Dispose() => _fixtures.Dispose();

    private static FlowKey Key(uint i) => new() { Address = 0x0a000000 + i, Port = (ushort)(i % 65536), Protocol = 6 };

    [PrivilegedFact]
    public void Hash_map_lookup_update_delete()
    {
        BpfMap<FlowKey, FlowValue> map = Bpf.GetMap("interop_hash").As<FlowKey, FlowValue>();
        FlowKey key = Key(1);
        Assert.False(map.TryLookup(key, out _));
        map.Update(key, new FlowValue { Packets = 3, Bytes = 300, Mark = 7 });
        Assert.True(map.TryLookup(key, out FlowValue value));
        Assert.Equal(3UL, value.Packets);
        Assert.Equal(7u, value.Mark);

        var exists = Assert.Throws<BpfException>(() => map.Update(key, default, BpfUpdateFlags.NoExist));
        Assert.Equal(17, exists.Errno); // EEXIST
        Assert.Equal("bpf_map_update_elem", exists.Call);
        Assert.Contains("interop_hash", exists.Message);
        Assert.Throws<BpfException>(() => map.Update(Key(2), default, BpfUpdateFlags.Exist));

        Assert.True(map.Delete(key));
        Assert.False(map.Delete(key));
        Assert.False(map.TryLookup(key, out _));
    }

    [PrivilegedFact]
    public void Hash_map_batch_update_delete_and_iteration()
    {
        BpfMap<FlowKey, FlowValue> map = Bpf.GetMap("interop_hash").As<FlowKey, FlowValue>();
        var keys = new FlowKey[100];
        var values = new FlowValue[100];
        for (uint i = 0; i < keys.Length; i++)
        {
            keys[i] = Key(i);
            values[i] = new FlowValue { Packets = i };
        }
        Assert.Equal(100, map.UpdateBatch(keys, values));

        var seen = new HashSet<uint>();
        foreach (FlowKey key in map.Keys)
            Assert.True(seen.Add(key.Address - 0x0a000000));
        Assert.Equal(100, seen.Count);
        Assert.True(map.TryLookup(keys[42], out FlowValue value));
        Assert.Equal(42UL, value.Packets);

        // Half the keys, plus some that are absent: absent ones are skipped, not an error.
        var toDelete = keys[..50].Concat([Key(1000), Key(1001)]).ToArray();
        Assert.Equal(50, map.DeleteBatch(toDelete));
        Assert.Equal(50, CountKeys(map));
        // Kernel 6.18 supports both batch operations on hash maps: no per-element fallback.
        Assert.False(map.UpdateBatchFellBack);
        Assert.False(map.DeleteBatchFellBack);
    }

    [PrivilegedFact]
    public void Delete_where_removes_exactly_the_selected_keys_and_clear_the_rest()
    {
        BpfMap<FlowKey, FlowValue> map = Bpf.GetMap("interop_hash").As<FlowKey, FlowValue>();
        var keys = Enumerable.Range(0, 100).Select(i => Key((uint)i)).ToArray();
        map.UpdateBatch(keys, new FlowValue[keys.Length]);

        Assert.Equal(50, map.DeleteWhere(k => k.Address % 2 == 0));
        Assert.Equal(50, CountKeys(map));
        foreach (FlowKey key in map.Keys)
            Assert.Equal(1u, key.Address % 2);
        Assert.Equal(0, map.DeleteWhere(k => k.Address % 2 == 0));

        Assert.Equal(50, map.Clear());
        Assert.Equal(0, CountKeys(map));
    }

    [PrivilegedFact]
    public void Counting_entries_batches_through_hash_maps_and_tries()
    {
        BpfMap<FlowKey, FlowValue> hash = Bpf.GetMap("interop_hash").As<FlowKey, FlowValue>();
        hash.Clear();
        Assert.Equal(0, hash.CountEntries());
        var keys = Enumerable.Range(0, 1000).Select(i => Key((uint)i)).ToArray();
        hash.UpdateBatch(keys, new FlowValue[keys.Length]);

        // 64 a call: many batches, the last one short, each bucket counted once.
        Assert.Equal(1000, hash.CountEntries(perCall: 64));
        Assert.Equal(1000, hash.CountEntries());
        hash.DeleteBatch(keys[..300]);
        Assert.Equal(700, hash.CountEntries(perCall: 64));
        Assert.Equal(CountKeys(hash), hash.CountEntries());
        Assert.False(hash.CountFellBack);

        // Tries batch too on 6.18 (the kernel's generic batch lookup).
        BpfMap<LpmKey, uint> trie = Bpf.GetMap("interop_lpm").As<LpmKey, uint>();
        trie.UpdateBatch([LpmKey.Create(8, 10, 0, 0, 0), LpmKey.Create(16, 10, 1, 0, 0), LpmKey.Create(24, 10, 1, 2, 0)], [8u, 16u, 24u]);
        Assert.Equal(3, trie.CountEntries());
        Assert.False(trie.CountFellBack);
    }

    [PrivilegedFact]
    public void Lpm_trie_batches_and_matches_longest_prefix()
    {
        BpfMap<LpmKey, uint> map = Bpf.GetMap("interop_lpm").As<LpmKey, uint>();
        LpmKey[] keys = [LpmKey.Create(8, 10, 0, 0, 0), LpmKey.Create(16, 10, 1, 0, 0), LpmKey.Create(24, 10, 1, 2, 0)];
        uint[] values = [8, 16, 24];
        Assert.Equal(3, map.UpdateBatch(keys, values));

        Assert.True(map.TryLookup(LpmKey.Create(32, 10, 1, 2, 3), out uint match));
        Assert.Equal(24u, match);
        Assert.True(map.TryLookup(LpmKey.Create(32, 10, 1, 9, 9), out match));
        Assert.Equal(16u, match);
        Assert.False(map.TryLookup(LpmKey.Create(32, 11, 0, 0, 0), out _));

        int count = 0;
        foreach (LpmKey key in map.Keys)
            count++;
        Assert.Equal(3, count);
        Assert.Equal(3, map.DeleteBatch(keys));
        Assert.False(map.TryGetFirstKey(out _));
        // Kernel 6.18 has batch update and delete for LPM tries: no per-element fallback.
        Assert.False(map.UpdateBatchFellBack);
        Assert.False(map.DeleteBatchFellBack);
    }

    [PrivilegedFact]
    public void Array_map_update_lookup_and_batch_update()
    {
        BpfMap<uint, Counter> map = Bpf.GetMap("interop_array").As<uint, Counter>();
        Assert.True(map.TryLookup(3, out Counter zero));
        Assert.Equal(0UL, zero.Value);
        Assert.Equal(3, map.UpdateBatch([3u, 4u, 5u], [new Counter { Value = 30 }, new Counter { Value = 40 }, new Counter { Value = 50 }]));
        Assert.True(map.TryLookup(4, out Counter forty));
        Assert.Equal(40UL, forty.Value);
        Assert.False(map.TryLookup(16, out _)); // out of range reads as absent
        Assert.Equal(16, CountKeys(map));
        Assert.False(map.UpdateBatchFellBack);
        var error = Assert.Throws<BpfException>(() => map.Delete(3)); // arrays cannot delete
        Assert.Equal(22, error.Errno);
        // Batch delete: the kernel says ENOTSUPP for arrays, the fallback loop then reports the EINVAL.
        error = Assert.Throws<BpfException>(() => map.DeleteBatch([3u]));
        Assert.Equal("bpf_map_delete_elem", error.Call);
        Assert.True(map.DeleteBatchFellBack);
    }

    [PrivilegedFact]
    public void Per_cpu_array_reads_and_writes_one_value_per_cpu()
    {
        BpfMap<uint, ulong> map = Bpf.GetMap("interop_percpu").As<uint, ulong>();
        int cpus = BpfMap.PossibleCpuCount;
        Assert.True(cpus >= 1);
        ulong[] written = Enumerable.Range(0, cpus).Select(c => (ulong)(c + 1) * 11).ToArray();
        map.UpdatePerCpu(2, written);
        var read = new ulong[cpus];
        Assert.True(map.TryLookupPerCpu(2, read));
        Assert.Equal(written, read);

        Assert.Throws<InvalidOperationException>(() => map.TryLookup(2, out _));
        Assert.Throws<ArgumentException>(() => map.TryLookupPerCpu(2, new ulong[cpus + 1]));
    }

    [PrivilegedFact]
    public void Per_cpu_values_smaller_than_8_bytes_are_unpacked_from_the_kernels_8_byte_stride()
    {
        BpfMap<uint, uint> map = Bpf.GetMap("interop_percpu_small").As<uint, uint>();
        uint[] written = Enumerable.Range(0, BpfMap.PossibleCpuCount).Select(c => 0xabc00000u + (uint)c).ToArray();
        map.UpdatePerCpu(5, written);
        var read = new uint[written.Length];
        Assert.True(map.TryLookupPerCpu(5, read));
        Assert.Equal(written, read);
        Assert.False(map.TryLookupPerCpu(6, read));
    }

    [PrivilegedFact]
    public void Typed_map_operations_allocate_nothing()
    {
        BpfMap<FlowKey, FlowValue> map = Bpf.GetMap("interop_hash").As<FlowKey, FlowValue>();
        BpfMap<uint, ulong> perCpu = Bpf.GetMap("interop_percpu").As<uint, ulong>();
        // Arrays made before measuring (a lambda cannot capture stack memory); passed as spans.
        var perCpuValues = new ulong[BpfMap.PossibleCpuCount];
        var keys = new FlowKey[16];
        var values = new FlowValue[16];
        for (uint i = 0; i < 16; i++)
            keys[i] = Key(i);

        void Exercise(Span<ulong> perCpuValues, Span<FlowKey> keys, Span<FlowValue> values)
        {
            map.UpdateBatch(keys, values);
            foreach (FlowKey key in map.Keys)
                map.TryLookup(key, out _);
            map.Update(Key(99), new FlowValue { Packets = 1 });
            map.Delete(Key(99));
            map.Delete(Key(99));
            map.DeleteBatch(keys);
            perCpu.TryLookupPerCpu(1, perCpuValues);
            perCpu.UpdatePerCpu(1, perCpuValues);
        }

        Exercise(perCpuValues, keys, values); // warm-up
        Assert.Equal(0, Allocations.FewestInAnyWindow(() =>
        {
            for (int round = 0; round < 100; round++)
                Exercise(perCpuValues, keys, values);
        }));
    }

    [PrivilegedFact]
    public void As_with_wrong_sizes_names_the_map_and_the_sizes()
    {
        BpfMap map = Bpf.GetMap("interop_hash");
        var error = Assert.Throws<ArgumentException>(() => map.As<uint, FlowValue>());
        Assert.Contains("interop_hash", error.Message);
        Assert.Contains("8-byte keys", error.Message);
        Assert.Contains("UInt32 is 4 bytes", error.Message);
    }

    [PrivilegedFact]
    public void Pin_open_pinned_and_unpin()
    {
        BpfMap map = Bpf.GetMap("interop_hash");
        BpfProgram program = Bpf.GetProgram("xdp_pass");
        string mapPath = Pins.Combine("hash"), programPath = Pins.Combine("prog");
        map.Pin(mapPath);
        program.Pin(programPath);
        map.As<FlowKey, FlowValue>().Update(Key(9), new FlowValue { Bytes = 99 });

        using (BpfMap pinned = BpfMap.OpenPinned(mapPath))
        {
            Assert.Equal(map.Id, pinned.Id);
            Assert.Equal(BpfMapType.Hash, pinned.Type);
            Assert.Equal("interop_hash", pinned.Name);
            Assert.True(pinned.As<FlowKey, FlowValue>().TryLookup(Key(9), out FlowValue value));
            Assert.Equal(99UL, value.Bytes);
        }
        using (BpfProgram pinned = BpfProgram.OpenPinned(programPath))
        {
            Assert.Equal(program.Id, pinned.Id);
            Assert.Equal(program.Tag, pinned.Tag);
            Assert.Equal(BpfProgramType.Xdp, pinned.ProgramType);
        }

        BpfPin.Unpin(mapPath);
        BpfPin.Unpin(programPath);
        BpfPin.Unpin(mapPath); // already gone: fine
        Assert.False(File.Exists(mapPath));
        var missing = Assert.Throws<BpfException>(() => BpfMap.OpenPinned(mapPath));
        Assert.Equal("bpf_obj_get", missing.Call);
        Assert.Equal(2, missing.Errno);
    }

    private static int CountKeys<TKey, TValue>(BpfMap<TKey, TValue> map) where TKey : unmanaged where TValue : unmanaged
    {
        int count = 0;
        foreach (TKey _ in map.Keys)
            count++;
        return count;
    }
}
