using System.Net;
using System.Net.Sockets;
using Microseg.Agent.Attribution;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microseg.Agent.Tests.Attribution;

/// <summary>
/// The kernel names the local side of real flows: a helper process in a cgroup of its own
/// (<see cref="TestCgroup"/>) listens and connects over loopback, and the resolver, through
/// sock_diag and the cgroup tree, names its unit for flows into it (ingress) and out of it (egress).
/// </summary>
public sealed class LocalUnitResolverTests
{
    private static FlowRecord Flow(Direction direction, byte protocol, string local, ushort localPort, string remote, ushort remotePort) => new()
    {
        Kind = FlowEventKind.NewFlow,
        Direction = direction,
        Protocol = protocol,
        LocalAddress = IpAddress16.Parse(local),
        LocalPort = localPort,
        RemoteAddress = IpAddress16.Parse(remote),
        RemotePort = remotePort,
        LocalIdentity = "web",
        RemoteIdentity = "world",
        Verdict = Verdict.Allow,
        Reason = VerdictReason.PolicyRule,
    };

    [PrivilegedFact]
    public void Names_the_unit_of_a_listener_and_of_an_outgoing_connection_v4_v6_tcp_udp()
    {
        using var cgroup = new TestCgroup();
        cgroup.StartHelper();
        using var resolver = new LocalUnitResolver(NullLogger.Instance);
        var (tcp, tcp6, udp) = cgroup.Ports;

        // Ingress, connected: this process connects to the helper's listener; the helper accepts.
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, tcp);
        var clientPort = (ushort)((IPEndPoint)client.LocalEndPoint!).Port;
        LocalUnitLookup connected = resolver.Resolve(Flow(Direction.Ingress, 6, "127.0.0.1", tcp, "127.0.0.1", clientPort));
        Assert.Equal((cgroup.Unit, false, true), (connected.Unit, connected.Shared, connected.Found));

        // Ingress from a peer with no connection (a SYN not answered yet, a denied probe): the listener.
        LocalUnitLookup listener = resolver.Resolve(Flow(Direction.Ingress, 6, "127.0.0.1", tcp, "127.0.0.1", 9));
        Assert.Equal((cgroup.Unit, true), (listener.Unit, listener.Shared));
        Assert.Equal(cgroup.Unit, resolver.Resolve(Flow(Direction.Ingress, 6, "::1", tcp6, "::1", 9)).Unit);

        // Egress: the helper connects out to a listener of this process.
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        peer.Listen();
        var peerPort = (ushort)((IPEndPoint)peer.LocalEndPoint!).Port;
        ushort outgoing = cgroup.Connect(peerPort);
        LocalUnitLookup egress = resolver.Resolve(Flow(Direction.Egress, 6, "127.0.0.1", outgoing, "127.0.0.1", peerPort));
        Assert.Equal((cgroup.Unit, false), (egress.Unit, egress.Shared));

        // The other end of that connection is this process's, not the helper's unit.
        using var accepted = peer.Accept();
        LocalUnitLookup ours = resolver.Resolve(Flow(Direction.Ingress, 6, "127.0.0.1", peerPort, "127.0.0.1", outgoing));
        Assert.True(ours.Found);
        Assert.NotEqual(cgroup.Unit, ours.Unit);

        // UDP: the helper's bound, unconnected socket serves any peer.
        LocalUnitLookup datagrams = resolver.Resolve(Flow(Direction.Ingress, 17, "127.0.0.1", udp, "127.0.0.1", 5353));
        Assert.Equal((cgroup.Unit, true), (datagrams.Unit, datagrams.Shared));

        // No socket at all: a closed port.
        Assert.False(resolver.Resolve(Flow(Direction.Ingress, 6, "127.0.0.1", ClosedPort(), "127.0.0.1", 9)).Found);
    }

    [PrivilegedFact]
    public void The_attributor_names_queued_flows_and_caches_the_listener()
    {
        using var cgroup = new TestCgroup();
        cgroup.StartHelper();
        using var attributor = new FlowAttributor(new LocalUnitResolver(NullLogger.Instance), NullLogger.Instance);
        var named = new System.Collections.Concurrent.BlockingCollection<(FlowRecord, long)>();
        attributor.Start((record, sequence) => named.Add((record, sequence)), () => { });
        FlowRecord probe = Flow(Direction.Ingress, 6, "127.0.0.1", cgroup.Ports.Tcp, "127.0.0.1", 9);

        Assert.False(attributor.TryCached(probe, out _));
        Assert.True(attributor.TryQueue(probe, 41));
        Assert.True(named.TryTake(out var back, TimeSpan.FromSeconds(10)));

        Assert.Equal((cgroup.Unit, 41L), (back.Item1.LocalUnit, back.Item2));
        Assert.True(attributor.TryCached(probe with { RemotePort = 10 }, out string? cached));
        Assert.Equal(cgroup.Unit, cached);
        Assert.Equal((1L, 1L, 0L, 1L), (attributor.Stats.Queued, attributor.Stats.Named, attributor.Stats.Dropped, attributor.Stats.CacheHits));
    }

    private static ushort ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (ushort)((IPEndPoint)socket.LocalEndPoint!).Port; // closed again on return
    }
}
