using System.Net;
using System.Net.Sockets;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.TestSupport;
using static Microseg.Datapath.Tests.RealTraffic.LabSockets;

namespace Microseg.Datapath.Tests.RealTraffic;

/// <summary>
/// Revoking a busy connection, whichever side speaks first after the reload, in both
/// topologies: B (the protected host) as the server that A connects into, and B as the client
/// that connects out to A. A revoked connection passes no packet after the reload, in either
/// direction; a connection the new policy still allows loses nothing and sees no drop.
/// </summary>
public sealed class RevocationTrafficTests
{
    private const int ServerOnBPort = 7400;
    private const int ServerOnAPort = 7401;
    private const uint AllowRule = 31;
    private const uint OtherAllowRule = 32;
    private const int BusyBytes = 256 * 1024;
    /// <summary>Long enough for TCP's first retransmissions (200 ms, then 400 ms, ...).</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(1.5);

    public enum Side { Client, Server }

    [PrivilegedFact]
    public Task B_serving_revoked_stops_when_the_client_speaks_first() => Revoked(bIsServer: true, Side.Client);

    [PrivilegedFact]
    public Task B_serving_revoked_stops_when_the_server_speaks_first() => Revoked(bIsServer: true, Side.Server);

    [PrivilegedFact]
    public Task B_connecting_out_revoked_stops_when_the_client_speaks_first() => Revoked(bIsServer: false, Side.Client);

    [PrivilegedFact]
    public Task B_connecting_out_revoked_stops_when_the_server_speaks_first() => Revoked(bIsServer: false, Side.Server);

    [PrivilegedFact]
    public Task B_serving_still_allowed_keeps_every_byte_across_reloads() => StillAllowed(bIsServer: true);

    [PrivilegedFact]
    public Task B_connecting_out_still_allowed_keeps_every_byte_across_reloads() => StillAllowed(bIsServer: false);

    /// <summary>
    /// B serving: A may reach B's port by an ingress rule; B's egress defaults to allow (so B's
    /// own packets, judged as B's egress, would pass). B connecting out: B may reach A's port by
    /// an egress rule; B's ingress defaults to allow (so A's packets, judged as B's ingress,
    /// would pass). Revoking removes the rule; the default of the other direction stays.
    /// </summary>
    private static PolicySeed RevocablePolicy(TrafficLab lab, bool bIsServer, uint? rule)
    {
        var seed = lab.Seed(EndpointMode.Enforce, bIsServer ? EndpointFlags.EgressDefaultAllow : EndpointFlags.IngressDefaultAllow);
        if (rule is { } id)
        {
            seed.Key(TrafficLab.LocalIdentity, bIsServer ? Direction.Ingress : Direction.Egress, TrafficLab.RemoteIdentity, TrafficLab.Tcp)
                .Exact((ushort)(bIsServer ? ServerOnBPort : ServerOnAPort), RuleActionKind.Allow, id);
        }
        return seed;
    }

    private static async Task Revoked(bool bIsServer, Side firstSpeaker)
    {
        using var lab = new TrafficLab();
        lab.Apply(RevocablePolicy(lab, bIsServer, AllowRule));
        var (client, server, local, remote) = await Connect(lab, bIsServer);
        using (client)
        using (server)
        {
            await Exchange(client, server, BusyBytes);
            // Let delayed ACKs leave before counting, so the next packet is the one we send.
            Thread.Sleep(300);
            var allowedBefore = AllowedPackets(lab);
            var revokedGeneration = lab.Apply(RevocablePolicy(lab, bIsServer, rule: null));

            var (first, second) = firstSpeaker == Side.Client ? (client, server) : (server, client);
            Send(first, "after the reload, first");
            Assert.Null(TryReceive(second, "after the reload, first".Length, Silence));
            Send(second, "after the reload, second");
            Assert.Null(TryReceive(first, "after the reload, second".Length, Silence));
            Send(first, "and again");
            Assert.Null(TryReceive(second, "after the reload, first".Length + "and again".Length, Silence));

            Assert.Equal(allowedBefore, AllowedPackets(lab));
            Assert.True(lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyRevoked) +
                        lab.Packets(Direction.Egress, Verdict.Deny, VerdictReason.PolicyRevoked) >= 3,
                "the retransmissions of both sides were not dropped as a revoked flow's");
            var ended = lab.WaitForEvent(e => e.Kind == FlowEventKind.FlowEnd, Expected, "FlowEnd");
            Assert.True(TrafficLab.IsFlow(ended, local.Address, local.Port, remote.Address, remote.Port), TrafficLab.Describe(ended));
            Assert.Equal((Verdict.Deny, VerdictReason.PolicyRevoked, revokedGeneration), (ended.Verdict, ended.Reason, ended.PolicyGeneration));
            Assert.Equal(bIsServer ? Direction.Ingress : Direction.Egress, ended.Direction);
            // Revoked once: nothing after it admits the flow again, or ends it again.
            Assert.Single(lab.DrainEvents(), e => e.Kind == FlowEventKind.FlowEnd);
            Assert.DoesNotContain(lab.DrainEvents(), e => e.Kind == FlowEventKind.NewFlow && e.PolicyGeneration == revokedGeneration);
        }
    }

    /// <summary>
    /// Default deny both ways and one rule for the connection: judging a tracked flow from
    /// the wrong side (B's port as the port A connects to, or the reverse) would cut it.
    /// Each round reloads a policy that still allows it (by another rule each time), then both
    /// sides send at once, so either may be the first to be judged again.
    /// </summary>
    private static async Task StillAllowed(bool bIsServer)
    {
        const int rounds = 8;
        using var lab = new TrafficLab();
        PolicySeed Allowing(uint rule) =>
            lab.Seed(EndpointMode.Enforce)
                .Key(TrafficLab.LocalIdentity, bIsServer ? Direction.Ingress : Direction.Egress, TrafficLab.RemoteIdentity, TrafficLab.Tcp)
                .Exact((ushort)(bIsServer ? ServerOnBPort : ServerOnAPort), RuleActionKind.Allow, rule)
                .Done();
        lab.Apply(Allowing(AllowRule));
        var (client, server, _, _) = await Connect(lab, bIsServer);
        using (client)
        using (server)
        {
            for (var round = 0; round < rounds; round++)
            {
                lab.Apply(Allowing(round % 2 == 0 ? OtherAllowRule : AllowRule));
                await Exchange(client, server, BusyBytes);
            }
        }
        foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
        {
            foreach (var reason in Enum.GetValues<VerdictReason>())
                Assert.Equal(0UL, lab.Packets(direction, Verdict.Deny, reason));
        }
        Assert.DoesNotContain(lab.DrainEvents(), e => e.Kind == FlowEventKind.FlowEnd && e.Reason == VerdictReason.PolicyRevoked);
    }

    /// <summary>A connection A→B (B serving) or B→A (B connecting out), and B's and A's ends of it.</summary>
    private static async Task<(Socket Client, Socket Server, IPEndPoint Local, IPEndPoint Remote)> Connect(TrafficLab lab, bool bIsServer)
    {
        var (a, b) = (lab.Network.AddressA4, lab.Network.AddressB4);
        var (serverNs, clientNs, serverAddress, port) = bIsServer ? (lab.B, lab.A, b, ServerOnBPort) : (lab.A, lab.B, a, ServerOnAPort);
        using var listener = ListenTcp(serverNs, serverAddress, port);
        var client = await TryConnectAsync(clientNs, serverAddress, port, Expected);
        Assert.NotNull(client);
        var server = Accept(listener);
        var bSide = bIsServer ? server : client;
        return (client, server, (IPEndPoint)bSide.LocalEndPoint!, (IPEndPoint)bSide.RemoteEndPoint!);
    }

    /// <summary>Both sides send <paramref name="bytes"/> at once; each must receive all of the other's.</summary>
    private static async Task Exchange(Socket client, Socket server, int bytes)
    {
        var fromClient = new string('c', bytes);
        var fromServer = new string('s', bytes);
        var sending = Task.WhenAll(Task.Run(() => Send(client, fromClient)), Task.Run(() => Send(server, fromServer)));
        var atServer = Task.Run(() => TryReceive(server, bytes, Expected));
        var atClient = Task.Run(() => TryReceive(client, bytes, Expected));
        Assert.Equal(fromClient, await atServer);
        Assert.Equal(fromServer, await atClient);
        await sending;
    }

    /// <summary>Every packet allowed so far, both directions, whatever allowed it.</summary>
    private static ulong AllowedPackets(TrafficLab lab)
    {
        ulong total = 0;
        foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
        {
            foreach (var reason in Enum.GetValues<VerdictReason>())
                total += lab.Packets(direction, Verdict.Allow, reason);
        }
        return total;
    }
}
