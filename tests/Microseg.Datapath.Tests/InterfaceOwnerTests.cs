using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;
using static Microseg.Datapath.Fixtures.FixtureWorld;

namespace Microseg.Datapath.Tests;

/// <summary>
/// A local address no endpoint lists is judged by the endpoint owning the interface the
/// packet uses (ms_interface_endpoints, by interface slot and policy slot), found by ifindex
/// alone: nothing in the kernel lists an interface's addresses, so one added later is covered
/// by the next packet. BPF_PROG_TEST_RUN runs packets on lo; each test gives lo a slot in its
/// own unpinned maps.
/// </summary>
public sealed class InterfaceOwnerTests
{
    private const uint XdpDrop = 1, XdpPass = 2;
    private const uint LoSlot = 5, OtherSlot = 6;

    // Stray RSTs are judged on every packet and never tracked. api may reach web:80, not web:22.
    private static readonly byte[] ApiToUnknownHttp = PacketBuilder.Ip(Api4, UnknownLocal4).Tcp(40000, 80, TcpFlags.Rst).Build();
    private static readonly byte[] ApiToUnknownSsh = PacketBuilder.Ip(Api4, UnknownLocal4).Tcp(40000, 22, TcpFlags.Rst).Build();

    [PrivilegedFact]
    public void AnUnlistedAddressIsJudgedAsTheEndpointOwningItsInterface()
    {
        using var pinned = CpuAffinity.PinTo(CpuAffinity.Allowed()[^1]);
        using var datapath = LoadWithLoSlot();
        var writer = new SlotWriter(datapath.Maps);

        // No owner: the slot default (off) passes both, and the memo remembers "no endpoint".
        writer.Apply(StandardPolicy.Seed().Build());
        Assert.Equal(XdpPass, Run(datapath, ApiToUnknownSsh, 64));
        Assert.Equal(XdpPass, Run(datapath, ApiToUnknownHttp, 1));

        // web owns lo: web's rules judge the unlisted address, though "no endpoint" is remembered.
        writer.Apply(Owned(LoSlot));
        Assert.Equal(XdpDrop, Run(datapath, ApiToUnknownSsh, 64));
        Assert.Equal(XdpPass, Run(datapath, ApiToUnknownHttp, 1));
        Assert.Equal((Verdict.Deny, VerdictReason.PolicyRule), LastIngressVerdict(datapath, ApiToUnknownSsh));

        // An owner of another interface is no owner of lo's addresses.
        writer.Apply(Owned(OtherSlot));
        Assert.Equal(XdpPass, Run(datapath, ApiToUnknownSsh, 1));

        // And an owner removed is gone with the very next flip.
        writer.Apply(Owned(LoSlot));
        Assert.Equal(XdpDrop, Run(datapath, ApiToUnknownSsh, 1));
        writer.Apply(StandardPolicy.Seed().Build());
        Assert.Equal(XdpPass, Run(datapath, ApiToUnknownSsh, 1));
    }

    [PrivilegedFact]
    public void TheOwnerFlipsWithItsSlot()
    {
        using var pinned = CpuAffinity.PinTo(CpuAffinity.Allowed()[^1]);
        using var datapath = LoadWithLoSlot();
        var writer = new SlotWriter(datapath.Maps);
        writer.Apply(Owned(LoSlot));
        var owned = writer.ActiveSlot;
        writer.Apply(StandardPolicy.Seed().Build());
        var unowned = writer.ActiveSlot;

        for (var i = 0; i < 10; i++)
        {
            writer.Activate(owned);
            Assert.Equal(XdpDrop, Run(datapath, ApiToUnknownSsh, 4));
            writer.Activate(unowned);
            Assert.Equal(XdpPass, Run(datapath, ApiToUnknownSsh, 4));
        }
    }

    // The standard policy, with web (enforcing) as the owner of the interface in that slot.
    private static SlotImage Owned(uint interfaceSlot)
    {
        var image = StandardPolicy.Seed().Build();
        image.InterfaceEndpoints[interfaceSlot] = image.Endpoints[IpAddress16.Parse(Web4)];
        return image;
    }

    private static LoadedDatapath LoadWithLoSlot()
    {
        var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small));
        datapath.Maps.AssignInterfaceSlot(NetworkNamespace.InterfaceIndex("lo"), LoSlot);
        return datapath;
    }

    private static uint Run(LoadedDatapath datapath, byte[] frame, uint repeat)
    {
        var output = new byte[frame.Length + 256];
        return datapath.Ingress.TestRun(frame, output, repeat).ReturnValue;
    }

    // Which of lo's ingress verdict counters one more packet moves.
    private static (Verdict, VerdictReason) LastIngressVerdict(LoadedDatapath datapath, byte[] frame)
    {
        var before = Totals(datapath);
        Run(datapath, frame, 1);
        var after = Totals(datapath);
        var moved = after.Single(kv => kv.Value != before.GetValueOrDefault(kv.Key)).Key;
        return (moved.Verdict, moved.Reason);
    }

    private static Dictionary<VerdictCounterKey, ulong> Totals(LoadedDatapath datapath)
    {
        var totals = new Dictionary<VerdictCounterKey, ulong>();
        var perCpu = new TrafficCounter[BpfMap.PossibleCpuCount];
        for (uint verdict = 1; verdict < AbiConstants.VerdictCount; verdict++)
        {
            for (uint reason = 1; reason < AbiConstants.ReasonCount; reason++)
            {
                var key = new VerdictCounterKey(LoSlot, Direction.Ingress, (Verdict)verdict, (VerdictReason)reason);
                ulong total = 0;
                if (datapath.Maps.VerdictCounters.TryLookupPerCpu(key.Index, perCpu))
                    foreach (var c in perCpu)
                        total += c.Packets;
                totals[key] = total;
            }
        }
        return totals;
    }
}
