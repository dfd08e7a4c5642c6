using System.Buffers.Binary;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Maps;

namespace Microseg.Bench.Datapath;

/// <summary>
/// Fills conntrack with unrelated flows before measuring, so lookups and inserts meet a
/// table in use rather than an empty one. ms_conntrack is an LRU hash with per-CPU LRU
/// lists (BPF_F_NO_COMMON_LRU): each possible CPU owns max_entries / possible-CPUs free
/// elements, taken by inserts running on that CPU, and evicts from its own list once they
/// run out. The fill is therefore spread evenly over the CPUs (each pinned in turn) and stops
/// at half of every CPU's share, which leaves the measuring CPU room for the new flows the
/// benchmark opens: no eviction happens during a measurement, and the check confirms it.
/// </summary>
internal sealed class ConntrackPrefill
{
    // Flows come from 100.64.0.0 + j (shared address space, no fixture address is there).
    private const uint FirstRemote = 0x6440_0000;

    private readonly List<ConntrackKey> _keys = [];

    /// <summary>Flows written.</summary>
    public int Count => _keys.Count;

    /// <summary>Free elements each CPU keeps after the fill: the new flows one CPU may open.</summary>
    public int HeadroomPerCpu { get; private set; }

    public static ConntrackPrefill Fill(DatapathMaps maps)
    {
        var fill = new ConntrackPrefill();
        var perCpuShare = (int)(maps.Conntrack.Map.MaxEntries / (uint)BpfMap.PossibleCpuCount);
        var perCpu = perCpuShare / 2;
        fill.HeadroomPerCpu = perCpuShare - perCpu;
        var local = IpAddress16.Parse(FixtureWorld.Web4);
        foreach (var cpu in CpuAffinity.Allowed())
        {
            var keys = new ConntrackKey[perCpu];
            var entries = new ConntrackEntry[perCpu];
            for (var j = 0; j < perCpu; j++)
            {
                var n = fill._keys.Count + j;
                keys[j] = new ConntrackKey
                {
                    LocalAddr = local,
                    RemoteAddr = ScaledPolicy.Ipv4(FirstRemote + (uint)n),
                    LocalPort = BinaryPrimitives.ReverseEndianness((ushort)443),
                    RemotePort = BinaryPrimitives.ReverseEndianness((ushort)(1024 + n % 60000)),
                    Protocol = FixtureWorld.Tcp,
                };
                entries[j] = new ConntrackEntry
                {
                    Packets = 10, Bytes = 6000, Generation = 1, RuleId = StandardPolicy.AnyHttps,
                    LocalIdentity = FixtureWorld.Web, RemoteIdentity = AbiConstants.IdentityWorld,
                    PolicyPort = 443, OriginDirection = Direction.Ingress, Verdict = Verdict.Allow,
                    TcpFlagsLocal = (byte)TcpFlags.SynAck, TcpFlagsRemote = (byte)TcpFlags.Ack,
                };
            }
            using (CpuAffinity.PinTo(cpu))
                maps.Conntrack.UpdateBatch(keys, entries);
            fill._keys.AddRange(keys);
        }
        return fill;
    }

    /// <summary>How many of the pre-filled flows are gone (evicted) now.</summary>
    public int Missing(DatapathMaps maps)
    {
        var missing = 0;
        foreach (var key in _keys)
        {
            if (!maps.Conntrack.TryLookup(key, out _))
                missing++;
        }
        return missing;
    }
}
