using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Maps;

namespace Microseg.Datapath.Slots;

/// <summary>
/// Writes a policy into the standby slot and makes it live with one write to ms_control, so
/// every packet sees either the old policy or the new one. Only differences from what the
/// standby slot already holds are written. Not thread-safe: one writer per datapath.
/// </summary>
public sealed class SlotWriter
{
    private readonly DatapathMaps _maps;
    // What each slot holds, when this writer wrote it; null means unknown (adopted maps, or a
    // write that did not finish).
    private readonly SlotImage?[] _written = new SlotImage?[AbiConstants.SlotCount];
    // Whether a flip happened since the last RCU wait: until one, packets may still be
    // reading the slot that is now standby, and it must not be rewritten under them.
    private bool _flippedSinceWait = true;
    // Keys under which the standby slot's image may differ from the active slot's, when known:
    // lets the next apply given its own changes compare only those keys.
    private SlotImageChanges? _standbyToActive;

    public SlotWriter(DatapathMaps maps) => _maps = maps;

    /// <summary>The slot packets read now.</summary>
    public uint ActiveSlot => _maps.ActiveSlot;

    /// <summary>The generation of the live policy.</summary>
    public uint ActiveGeneration => _maps.SlotConfig.TryLookup(ActiveSlot, out var c) ? c.Generation : 0;

    /// <summary>
    /// Writes image into the standby slot, then flips to it. Returns the new generation.
    /// Capacity is the caller's to check first (<see cref="SlotImage.CapacityProblems"/>):
    /// a map that fills up half-way leaves the standby slot incomplete but the live one intact.
    /// </summary>
    public SlotWriteResult Apply(SlotImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        image.DeriveLookupHints();
        var standby = ActiveSlot ^ 1;
        WaitIfFlipped();
        var held = ForgetStandby(standby);
        var stats = new SlotWriteResult();
        if (held is null)
            stats = stats.Add(ClearSlot((byte)standby));
        stats = stats.Add(Sync((byte)standby, held, image));
        // Writing the image already live again leaves both slots holding the same entries.
        var sameAsActive = ReferenceEquals(image, _written[ActiveSlot]);
        var result = Finish(standby, image, stats);
        _standbyToActive = sameAsActive ? new SlotImageChanges() : null;
        return result;
    }

    /// <summary>
    /// Like <see cref="Apply(SlotImage)"/> for an image that differs from <paramref name="basis"/>
    /// only under the keys in <paramref name="changes"/>, with <paramref name="basis"/>'s lookup
    /// hints derived: when <paramref name="basis"/> is the image this writer made live last,
    /// only those keys (and those of the previous such apply) are compared, and only their
    /// hints derived. Otherwise it is the whole <see cref="Apply(SlotImage)"/>.
    /// </summary>
    public SlotWriteResult Apply(SlotImage image, SlotImage basis, SlotImageChanges changes)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(changes);
        // A changed port or range changes its policy key's hints: that key changes too.
        var hintKeys = changes.HintKeys();
        changes = changes.Union(new SlotImageChanges());
        changes.Policies.UnionWith(hintKeys);
        var standby = ActiveSlot ^ 1;
        var basisLive = ReferenceEquals(basis, _written[ActiveSlot]);
        if (!basisLive || _written[standby] is not { } held || _standbyToActive is null)
        {
            var whole = Apply(image);
            // The basis, live until now, is what the standby slot holds from here.
            if (basisLive)
                _standbyToActive = changes;
            return whole;
        }

        image.DeriveLookupHints(hintKeys);
        WaitIfFlipped();
        // The standby slot holds the image before the basis: it differs from the new one only
        // under the keys that changed into the basis or out of it.
        var keys = _standbyToActive.Union(changes);
        ForgetStandby(standby);
        var stats = SyncKeys((byte)standby, held, image, keys);
        var result = Finish(standby, image, stats);
        _standbyToActive = changes;
        return result;
    }

    /// <summary>
    /// Returns what the standby slot held and forgets it, before the slot is written: a write
    /// that fails part-way leaves the slot holding neither image, and an apply after it must
    /// then clear the slot whole, not diff against a record that no longer holds (entries only
    /// the failed image had would stay, and go live at the next flip).
    /// </summary>
    private SlotImage? ForgetStandby(uint standby)
    {
        var held = _written[standby];
        _written[standby] = null;
        _standbyToActive = null;
        return held;
    }

    private void WaitIfFlipped()
    {
        if (_flippedSinceWait)
        {
            _maps.WaitForRunningPrograms();
            _flippedSinceWait = false;
        }
    }

    private SlotWriteResult Finish(uint standby, SlotImage image, SlotWriteResult stats)
    {
        var generation = NextGeneration();
        _maps.SlotConfig.Update(standby, image.ToSlotConfig(generation));
        _written[standby] = image;
        Activate(standby);
        return stats with { Generation = generation, Slot = standby };
    }

    /// <summary>
    /// The interface owners the live slot holds (ms_interface_endpoints), by interface slot:
    /// what maps adopted from an earlier run enforce for addresses no endpoint lists.
    /// </summary>
    public Dictionary<uint, EndpointValue> ReadLiveInterfaceEndpoints()
    {
        var owners = new Dictionary<uint, EndpointValue>();
        var active = ActiveSlot;
        for (uint slot = 1; slot < AbiConstants.MaxInterfaceSlots; slot++)
        {
            if (_maps.InterfaceEndpoints.TryLookup(AbiConstants.InterfaceEndpointIndex(slot, active), out var owner) &&
                owner.Identity != AbiConstants.IdentityAny)
                owners[slot] = owner;
        }
        return owners;
    }

    /// <summary>Makes a slot live: one map write, atomic for every packet.</summary>
    public void Activate(uint slot)
    {
        _maps.Control.Update(0, new ControlValue { ActiveSlot = slot & 1 });
        _flippedSinceWait = true;
    }

    // Greater than both slots' generations: no two slots ever share one, which the programs'
    // endpoint memo relies on (it checks the generation, not the slot).
    private uint NextGeneration()
    {
        uint max = 0;
        for (uint s = 0; s < AbiConstants.SlotCount; s++)
        {
            if (_maps.SlotConfig.TryLookup(s, out var c))
                max = Math.Max(max, c.Generation);
        }
        return max + 1;
    }

    private SlotWriteResult Sync(byte slot, SlotImage? before, SlotImage after)
    {
        var result = new SlotWriteResult();
        result = result.Add(SyncMap(_maps.LocalEndpoints, before?.Endpoints, after.Endpoints,
            a => new AddressKey { Addr = a, Slot = slot }, v => v));
        result = result.Add(SyncInterfaceEndpoints(slot, before, after));
        result = result.Add(SyncMap(_maps.RemoteHosts, before?.RemoteHosts, after.RemoteHosts,
            a => new AddressKey { Addr = a, Slot = slot }, v => new IdentityValue { Identity = v }));
        result = result.Add(SyncMap(_maps.RemotePrefixes, before?.RemotePrefixes, after.RemotePrefixes,
            p => p.ToKey(slot), v => new IdentityValue { Identity = v }));
        result = result.Add(SyncMap(_maps.Policy, before?.Policies, after.Policies,
            k => k with { Slot = slot }, v => v));
        result = result.Add(SyncMap(_maps.PolicyPorts, before?.Ports, after.Ports,
            k => k with { Policy = k.Policy with { Slot = slot } }, v => v));
        result = result.Add(SyncMap(_maps.PolicyRanges, before?.Ranges, after.Ranges,
            k => k with { Slot = slot }, v => v));
        return result;
    }

    private static SlotWriteResult SyncMap<TImageKey, TImageValue, TKey, TValue>(
        BpfMap<TKey, TValue> map,
        Dictionary<TImageKey, TImageValue>? before,
        Dictionary<TImageKey, TImageValue> after,
        Func<TImageKey, TKey> toKey,
        Func<TImageValue, TValue> toValue)
        where TImageKey : notnull
        where TKey : unmanaged
        where TValue : unmanaged
    {
        var comparer = EqualityComparer<TImageValue>.Default;
        var deletes = new List<TKey>();
        if (before is not null)
        {
            foreach (var (key, _) in before)
            {
                if (!after.ContainsKey(key))
                    deletes.Add(toKey(key));
            }
        }
        var keys = new List<TKey>();
        var values = new List<TValue>();
        foreach (var (key, value) in after)
        {
            if (before is not null && before.TryGetValue(key, out var old) && comparer.Equals(old, value))
                continue;
            keys.Add(toKey(key));
            values.Add(toValue(value));
        }
        // Deletes first: the slot never holds more entries than either image needs.
        if (deletes.Count > 0)
            map.DeleteBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deletes));
        if (keys.Count > 0)
            map.UpdateBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keys),
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values));
        return new SlotWriteResult { Written = keys.Count, Deleted = deletes.Count };
    }

    private SlotWriteResult SyncKeys(byte slot, SlotImage before, SlotImage after, SlotImageChanges keys)
    {
        var result = new SlotWriteResult();
        result = result.Add(SyncMap(_maps.LocalEndpoints, Only(before.Endpoints, keys.Endpoints), Only(after.Endpoints, keys.Endpoints),
            a => new AddressKey { Addr = a, Slot = slot }, v => v));
        // A few dozen entries at most, and changed by interfaces rather than by policy keys: always compared whole.
        result = result.Add(SyncInterfaceEndpoints(slot, before, after));
        result = result.Add(SyncMap(_maps.RemoteHosts, Only(before.RemoteHosts, keys.RemoteHosts), Only(after.RemoteHosts, keys.RemoteHosts),
            a => new AddressKey { Addr = a, Slot = slot }, v => new IdentityValue { Identity = v }));
        result = result.Add(SyncMap(_maps.RemotePrefixes, Only(before.RemotePrefixes, keys.RemotePrefixes), Only(after.RemotePrefixes, keys.RemotePrefixes),
            p => p.ToKey(slot), v => new IdentityValue { Identity = v }));
        result = result.Add(SyncMap(_maps.Policy, Only(before.Policies, keys.Policies), Only(after.Policies, keys.Policies),
            k => k with { Slot = slot }, v => v));
        result = result.Add(SyncMap(_maps.PolicyPorts, Only(before.Ports, keys.Ports), Only(after.Ports, keys.Ports),
            k => k with { Policy = k.Policy with { Slot = slot } }, v => v));
        result = result.Add(SyncMap(_maps.PolicyRanges, Only(before.Ranges, keys.Ranges), Only(after.Ranges, keys.Ranges),
            k => k with { Slot = slot }, v => v));
        return result;

        // The entries of image under the listed keys, as the whole-map comparison takes them.
        static Dictionary<TKey, TValue> Only<TKey, TValue>(Dictionary<TKey, TValue> image, HashSet<TKey> listed) where TKey : notnull
        {
            var only = new Dictionary<TKey, TValue>(listed.Count);
            foreach (var key in listed)
            {
                if (image.TryGetValue(key, out var value))
                    only[key] = value;
            }
            return only;
        }
    }

    /// <summary>
    /// The interfaces' owners for one slot. The map is an array: an entry is removed by writing
    /// a zero value (identity 0, which the programs read as "no owner").
    /// </summary>
    private SlotWriteResult SyncInterfaceEndpoints(byte slot, SlotImage? before, SlotImage after)
    {
        var written = 0;
        var deleted = 0;
        if (before is not null)
        {
            foreach (var interfaceSlot in before.InterfaceEndpoints.Keys)
            {
                if (after.InterfaceEndpoints.ContainsKey(interfaceSlot))
                    continue;
                _maps.InterfaceEndpoints.Update(AbiConstants.InterfaceEndpointIndex(interfaceSlot, slot), default);
                deleted++;
            }
        }
        foreach (var (interfaceSlot, owner) in after.InterfaceEndpoints)
        {
            if (before is not null && before.InterfaceEndpoints.TryGetValue(interfaceSlot, out var old) && old.Equals(owner))
                continue;
            _maps.InterfaceEndpoints.Update(AbiConstants.InterfaceEndpointIndex(interfaceSlot, slot), owner);
            written++;
        }
        return new SlotWriteResult { Written = written, Deleted = deleted };
    }

    /// <summary>Deletes every entry of a slot whose content this writer does not know.</summary>
    private SlotWriteResult ClearSlot(byte slot)
    {
        var deleted = 0;
        for (uint interfaceSlot = 0; interfaceSlot < AbiConstants.MaxInterfaceSlots; interfaceSlot++)
            _maps.InterfaceEndpoints.Update(AbiConstants.InterfaceEndpointIndex(interfaceSlot, slot), default);
        deleted += _maps.LocalEndpoints.DeleteWhere(k => k.Slot == slot);
        deleted += _maps.RemoteHosts.DeleteWhere(k => k.Slot == slot);
        deleted += _maps.RemotePrefixes.DeleteWhere(k => k.Slot == slot);
        deleted += _maps.Policy.DeleteWhere(k => k.Slot == slot);
        deleted += _maps.PolicyPorts.DeleteWhere(k => k.Policy.Slot == slot);
        deleted += _maps.PolicyRanges.DeleteWhere(k => k.Slot == slot);
        return new SlotWriteResult { Deleted = deleted };
    }
}
