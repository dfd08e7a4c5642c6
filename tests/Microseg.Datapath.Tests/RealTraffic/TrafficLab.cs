using System.Diagnostics;
using System.Net;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Attaching;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;

namespace Microseg.Datapath.Tests.RealTraffic;

/// <summary>
/// One test's network: namespaces A (the remote peer) and B (the protected host) joined by a
/// veth pair, with Microseg loaded and attached to B's end (XDP native for ingress, TC
/// egress), a policy writer and a reader on the event ring. Dispose detaches (inside B),
/// then unloads and removes the namespaces, whatever state a failing test left.
/// </summary>
/// <remarks>
/// Native XDP on a veth judges what the peer transmits, with nothing to do on the peer:
/// veth_xmit hands an skb to the receiving end's NAPI poll (where the program runs) whenever
/// an XDP program is attached there (veth_skb_is_eligible_for_gro is true for any skb once
/// rq->xdp_prog is set, in kernels since 2022; earlier ones needed the peer's TSO off, which
/// attaching also arranged). An XDP program or GRO on the peer is needed only when a veth
/// is the target of XDP_TX/XDP_REDIRECT; ours only passes or drops. The tests do not trust
/// this note: the counters show every connection's packets, a 1 MiB transfer included, went
/// through the program.
/// </remarks>
internal sealed class TrafficLab : IDisposable
{
    public const uint LocalIdentity = 400;
    public const uint RemoteIdentity = 401;
    public const byte Tcp = 6;
    public const byte Udp = 17;

    private readonly NetworkNamespace? _a;
    private readonly NetworkNamespace? _b;
    private readonly LoadedDatapath? _datapath;
    private readonly RingBufferReader? _events;
    private readonly SlotWriter? _writer;
    private readonly AttachOutcome? _attachment;
    /// <summary>Every event read so far, oldest first.</summary>
    private readonly List<FlowEvent> _seen = [];

    public TrafficLab()
    {
        Network = new TestNetwork();
        try
        {
            _a = Network.OpenA();
            _b = Network.OpenB();
            _datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small));
            _events = new RingBufferReader(_datapath.Maps.Events);
            _writer = new SlotWriter(_datapath.Maps);
            // The daemon's attach, on interface counter slot 1.
            var attacher = new InterfaceAttacher(_datapath.Maps, _datapath.Ingress, _datapath.Egress, XdpAttachMode.Native);
            _attachment = _b.Run(() => attacher.Ensure(Network.IfindexB, $"{Network.InterfaceB}@{Network.NamespaceB}", InterfaceSlot, createdClsactBefore: false));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNetwork Network { get; }
    /// <summary>The remote peer's namespace.</summary>
    public NetworkNamespace A => _a!;
    /// <summary>The protected host's namespace, where the programs are attached.</summary>
    public NetworkNamespace B => _b!;
    public LoadedDatapath Datapath => _datapath!;
    public AttachOutcome Attachment => _attachment!;

    /// <summary>The verdict counter slot of B's interface.</summary>
    public const uint InterfaceSlot = 1;

    /// <summary>B's endpoints (both families, identity 400) and A's addresses as identity 401.</summary>
    public PolicySeed Seed(EndpointMode mode, EndpointFlags flags = EndpointFlags.None) =>
        new PolicySeed()
            .Endpoint(Network.AddressB4.ToString(), LocalIdentity, mode, flags)
            .Endpoint(Network.AddressB6.ToString(), LocalIdentity, mode, flags)
            .Remote(Network.AddressA4.ToString(), RemoteIdentity)
            .Remote(Network.AddressA6.ToString(), RemoteIdentity);

    /// <summary>Writes the standby slot and flips to it; returns the new generation.</summary>
    public uint Apply(PolicySeed seed) => _writer!.Apply(seed.Build()).Generation;

    /// <summary>Packets counted under one (direction, verdict, reason), all CPUs.</summary>
    public ulong Packets(Direction direction, Verdict verdict, VerdictReason reason) =>
        Counter(direction, verdict, reason).Packets;

    /// <summary>Bytes (L2 lengths) counted under one (direction, verdict, reason).</summary>
    public ulong Bytes(Direction direction, Verdict verdict, VerdictReason reason) =>
        Counter(direction, verdict, reason).Bytes;

    /// <summary>The lab attaches to B's veth only, so every counter is that interface's.</summary>
    private TrafficCounter Counter(Direction direction, Verdict verdict, VerdictReason reason)
    {
        var total = default(TrafficCounter);
        foreach (var (key, counter) in Datapath.Maps.ReadVerdictCounters())
        {
            if (key.Direction == direction && key.Verdict == verdict && key.Reason == reason)
            {
                total.Packets += counter.Packets;
                total.Bytes += counter.Bytes;
            }
        }
        return total;
    }

    /// <summary>The first event (ever read) matching <paramref name="match"/>, polling the ring until <paramref name="timeout"/>.</summary>
    public FlowEvent WaitForEvent(Func<FlowEvent, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var e in _seen)
            {
                if (match(e))
                    return e;
            }
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
                break;
            var collector = new FlowEventCollector([]);
            _events!.Poll((int)Math.Ceiling(left.TotalMilliseconds), ref collector);
            _seen.AddRange(collector.Events);
        }
        Assert.Fail($"no {what} event within {timeout.TotalSeconds:0.#} s; seen: " +
                    (_seen.Count == 0 ? "none" : string.Join("; ", _seen.Select(Describe))));
        return default;
    }

    /// <summary>Every event read so far plus whatever the ring holds now.</summary>
    public IReadOnlyList<FlowEvent> DrainEvents()
    {
        var collector = new FlowEventCollector([]);
        _events!.Drain(ref collector);
        _seen.AddRange(collector.Events);
        return _seen;
    }

    /// <summary>Whether an event describes the flow local:localPort ← remote:remotePort (ports host order).</summary>
    public static bool IsFlow(FlowEvent e, IPAddress local, int localPort, IPAddress remote, int remotePort) =>
        e.LocalAddr == IpAddress16.From(local) && e.RemoteAddr == IpAddress16.From(remote) &&
        e.LocalPort == NetworkOrder(localPort) && e.RemotePort == NetworkOrder(remotePort);

    /// <summary>A port as the ABI stores it in "be" fields.</summary>
    public static ushort NetworkOrder(int port) => (ushort)IPAddress.HostToNetworkOrder((short)port);

    public static string Describe(FlowEvent e) =>
        $"{e.Kind} {e.Direction} {e.LocalAddr}:{(ushort)IPAddress.NetworkToHostOrder((short)e.LocalPort)}" +
        $"<->{e.RemoteAddr}:{(ushort)IPAddress.NetworkToHostOrder((short)e.RemotePort)} proto {e.Protocol} " +
        $"ids {e.LocalIdentity}/{e.RemoteIdentity} {e.Verdict}/{e.Reason} rule {e.RuleId} flags 0x{e.TcpFlags:x2}";

    public void Dispose()
    {
        if (_attachment is { } attachment)
        {
            try
            {
                _b!.Run(() => InterfaceAttacher.Detach(Network.IfindexB, attachment.CreatedClsact));
            }
            catch (Exception exception)
            {
                // Deleting the namespace below removes the device and its programs anyway.
                Console.Error.WriteLine($"warning: detaching from {Network.NamespaceB}: {exception.Message}");
            }
        }
        _events?.Dispose();
        _datapath?.Dispose();
        _a?.Dispose();
        _b?.Dispose();
        Network.Dispose();
    }
}
