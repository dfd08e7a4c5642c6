using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;
using static Microseg.Datapath.Fixtures.FixtureWorld;

namespace Microseg.Datapath.Tests;

/// <summary>
/// The programs remember endpoint lookups and remote identities per CPU (ms_endpoint_memo,
/// ms_remote_memo). A remembered lookup must never outlive the policy it was read under: every
/// change to an endpoint, to whether an address is one, or to a peer's identity is seen by
/// the very next packet, even one whose lookup is warm. Each test
/// runs on one CPU, so the warm memo is the one the next packet reads.
/// </summary>
public sealed class IdentityMemoTests
{
    private const uint XdpDrop = 1, XdpPass = 2;
    private const uint Warm = 64;

    // A stray RST is judged by the policy on every packet and never tracked: each run asks the
    // endpoint afresh, and no conntrack entry answers in its place.
    private static readonly byte[] ApiToWebHttp = PacketBuilder.Ip(Api4, Web4).Tcp(40000, 80, TcpFlags.Rst).Build();
    private static readonly byte[] ApiToUnknownHttp = PacketBuilder.Ip(Api4, UnknownLocal4).Tcp(40000, 80, TcpFlags.Rst).Build();

    [PrivilegedFact]
    public void AnEndpointsChangeIsSeenByTheNextPacketThoughItsLookupWasRemembered()
    {
        using var pinned = CpuAffinity.PinTo(CpuAffinity.Allowed()[^1]);
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small));
        var writer = new SlotWriter(datapath.Maps);

        writer.Apply(StandardPolicy.Seed(withApiHttp: true).Build());
        Assert.Equal(XdpPass, Run(datapath, ApiToWebHttp, Warm));
        AssertRemembered(datapath, Web4, found: true);

        // Two applies with no packet between: the live slot is again the one the memo
        // remembers, now holding a later generation in which the endpoint is off.
        writer.Apply(StandardPolicy.Seed(withApiHttp: false).Build());
        writer.Apply(StandardPolicy.Seed(withApiHttp: false, webMode: EndpointMode.Off).Build());
        Assert.Equal(XdpPass, Run(datapath, ApiToWebHttp, 1));

        // The endpoint's mode goes back to enforce and the rule is gone: it denies.
        writer.Apply(StandardPolicy.Seed(withApiHttp: false).Build());
        writer.Apply(StandardPolicy.Seed(withApiHttp: false).Build());
        Assert.Equal(XdpDrop, Run(datapath, ApiToWebHttp, 1));
        Assert.Equal(XdpDrop, Run(datapath, ApiToWebHttp, Warm));

        // The address stops being an endpoint at all: the slot's default (off) applies...
        writer.Apply(WithoutWeb(StandardPolicy.Seed(withApiHttp: false)).Build());
        writer.Apply(WithoutWeb(StandardPolicy.Seed(withApiHttp: false)).Build());
        Assert.Equal(XdpPass, Run(datapath, ApiToWebHttp, Warm));
        AssertRemembered(datapath, Web4, found: false);
        // ...and becoming one again, enforced, is seen at once too, though "no endpoint" was remembered.
        writer.Apply(StandardPolicy.Seed(withApiHttp: false).Build());
        writer.Apply(StandardPolicy.Seed(withApiHttp: false).Build());
        Assert.Equal(XdpDrop, Run(datapath, ApiToWebHttp, 1));
    }

    [PrivilegedFact]
    public void FlippingBetweenTwoLiveSlotsNeverServesTheOtherSlotsEndpoint()
    {
        using var pinned = CpuAffinity.PinTo(CpuAffinity.Allowed()[^1]);
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small));
        var writer = new SlotWriter(datapath.Maps);
        writer.Apply(StandardPolicy.Seed(withApiHttp: true).Build());
        var allowing = writer.ActiveSlot;
        writer.Apply(StandardPolicy.Seed(withApiHttp: false).Build());
        var denying = writer.ActiveSlot;
        Assert.NotEqual(allowing, denying);

        // Both slots keep their generations while flipped back and forth: the memo, checked
        // against the live slot's generation, must never serve the other slot's endpoint.
        for (var i = 0; i < 20; i++)
        {
            writer.Activate(allowing);
            Assert.Equal(XdpPass, Run(datapath, ApiToWebHttp, 8));
            writer.Activate(denying);
            Assert.Equal(XdpDrop, Run(datapath, ApiToWebHttp, 8));
        }
    }

    [PrivilegedFact]
    public void AnAddressThatIsNoEndpointIsRememberedAsSuchAndStillGetsTheSlotDefault()
    {
        using var pinned = CpuAffinity.PinTo(CpuAffinity.Allowed()[^1]);
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small));
        var writer = new SlotWriter(datapath.Maps);
        writer.Apply(StandardPolicy.Seed().Build());
        // The standard policy's default endpoint is off: unknown local addresses pass.
        Assert.Equal(XdpPass, Run(datapath, ApiToUnknownHttp, Warm));
        AssertRemembered(datapath, UnknownLocal4, found: false);

        // A policy whose default endpoint enforces with no rules: the remembered "no endpoint"
        // must not carry the old default with it.
        var enforcing = StandardPolicy.Seed().DefaultEndpoint(AbiConstants.IdentityHost, EndpointMode.Enforce);
        writer.Apply(enforcing.Build());
        writer.Apply(enforcing.Build());
        Assert.Equal(XdpDrop, Run(datapath, ApiToUnknownHttp, 1));
    }

    [PrivilegedFact]
    public void APeersIdentityChangeIsSeenByTheNextPacketThoughItWasRemembered()
    {
        using var pinned = CpuAffinity.PinTo(CpuAffinity.Allowed()[^1]);
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small));
        var writer = new SlotWriter(datapath.Maps);
        writer.Apply(StandardPolicy.Seed().Build());
        Assert.Equal(XdpPass, Run(datapath, ApiToWebHttp, Warm)); // api may reach web:80
        AssertRemoteRemembered(datapath, Api4, FixtureWorld.Api);

        // The same address is now db's, which no rule lets reach web:80. Two applies with no
        // packet between: the live slot is again the one the memo remembers.
        var asDb = StandardPolicy.Seed().Remote(Api4, FixtureWorld.Db);
        writer.Apply(asDb.Build());
        writer.Apply(StandardPolicy.Seed().Remote(Api4, FixtureWorld.Db).Build());
        Assert.Equal(XdpDrop, Run(datapath, ApiToWebHttp, 1));
        AssertRemoteRemembered(datapath, Api4, FixtureWorld.Db);
    }

    private static PolicySeed WithoutWeb(PolicySeed seed) => seed.WithoutEndpoint(Web4).WithoutEndpoint(Web6);

    private static uint Run(LoadedDatapath datapath, byte[] frame, uint repeat)
    {
        var output = new byte[frame.Length + 256];
        return datapath.Ingress.TestRun(frame, output, repeat).ReturnValue;
    }

    private static void AssertRemoteRemembered(LoadedDatapath datapath, string address, uint identity)
    {
        var (addr, generation) = (IpAddress16.Parse(address), new SlotWriter(datapath.Maps).ActiveGeneration);
        Assert.True(AnyCpuHolds(datapath.Maps.RemoteMemo, AbiConstants.RemoteMemoEntries,
                m => m.Generation == generation && m.Addr.Equals(addr) && m.Identity == identity),
            $"no CPU remembers {address} as identity {identity} under generation {generation}");
    }

    /// <summary>The memo really is in use: some CPU holds a live entry for the address.</summary>
    private static void AssertRemembered(LoadedDatapath datapath, string address, bool found)
    {
        var (addr, generation) = (IpAddress16.Parse(address), new SlotWriter(datapath.Maps).ActiveGeneration);
        Assert.True(AnyCpuHolds(datapath.Maps.EndpointMemo, AbiConstants.EndpointMemoEntries,
                m => m.Generation == generation && m.Addr.Equals(addr) && m.Found == (found ? 1u : 0u)),
            $"no CPU remembers {address} (found: {found}) under generation {generation}");
    }

    private static bool AnyCpuHolds<T>(BpfMap<uint, T> memo, uint entries, Func<T, bool> match) where T : unmanaged
    {
        var perCpu = new T[BpfMap.PossibleCpuCount];
        for (uint i = 0; i < entries; i++)
        {
            if (memo.TryLookupPerCpu(i, perCpu) && perCpu.Any(match))
                return true;
        }
        return false;
    }
}
