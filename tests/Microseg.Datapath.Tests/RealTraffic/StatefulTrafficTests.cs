using Microseg.Datapath.Abi;
using Microseg.TestSupport;
using static Microseg.Datapath.Tests.RealTraffic.LabSockets;

namespace Microseg.Datapath.Tests.RealTraffic;

/// <summary>
/// The promises that need state, with real sockets: monitor mode reports instead of
/// dropping, a default-deny ingress leaves outbound connections working, and a policy flip
/// reaches connections that are already open.
/// </summary>
public sealed class StatefulTrafficTests
{
    private const uint AllowRule = 21;
    private const uint DenyRule = 22;

    [PrivilegedFact]
    public async Task Monitor_mode_lets_a_denied_port_connect_and_reports_it_as_would_deny()
    {
        const int port = 7100;
        using var lab = new TrafficLab();
        lab.Apply(lab.Seed(EndpointMode.Monitor)
            .Key(TrafficLab.LocalIdentity, Direction.Ingress, TrafficLab.RemoteIdentity, TrafficLab.Tcp)
            .Exact(port, RuleActionKind.Deny, DenyRule)
            .Done());
        var (a, b) = (lab.Network.AddressA4, lab.Network.AddressB4);
        using var listener = ListenTcp(lab.B, b, port);

        using var client = await TryConnectAsync(lab.A, b, port, Expected);
        Assert.NotNull(client);
        using var server = Accept(listener);
        Send(client, "monitored");
        Expect(server, "monitored");
        Send(server, "still passes");
        Expect(client, "still passes");

        var wouldDeny = lab.WaitForEvent(e => e.Kind == FlowEventKind.WouldDeny, Expected, "WouldDeny");
        Assert.True(TrafficLab.IsFlow(wouldDeny, b, port, a, LocalPort(client)), TrafficLab.Describe(wouldDeny));
        Assert.Equal((Verdict.WouldDeny, VerdictReason.PolicyRule, DenyRule), (wouldDeny.Verdict, wouldDeny.Reason, wouldDeny.RuleId));
        Assert.Equal((Direction.Ingress, (byte)6, (ushort)port), (wouldDeny.Direction, wouldDeny.Protocol, wouldDeny.PolicyPort));
        Assert.Equal((TrafficLab.LocalIdentity, TrafficLab.RemoteIdentity), (wouldDeny.LocalIdentity, wouldDeny.RemoteIdentity));
        // Reported once per flow, not once per packet: the rest of the flow rides on conntrack.
        Assert.Single(lab.DrainEvents(), e => e.Kind == FlowEventKind.WouldDeny);
        Assert.Equal(0UL, lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyRule));
        Assert.Equal(1UL, lab.Packets(Direction.Ingress, Verdict.WouldDeny, VerdictReason.PolicyRule));
    }

    [PrivilegedFact]
    public async Task Default_deny_ingress_still_carries_replies_to_outbound_connections()
    {
        const int port = 7200;
        using var lab = new TrafficLab();
        // No ingress rule at all: everything A starts is denied. Egress defaults to allow.
        lab.Apply(lab.Seed(EndpointMode.Enforce, EndpointFlags.EgressDefaultAllow));
        var (a, b) = (lab.Network.AddressA4, lab.Network.AddressB4);
        using var remoteListener = ListenTcp(lab.A, a, port);
        using var localListener = ListenTcp(lab.B, b, port);

        using (var outbound = await TryConnectAsync(lab.B, a, port, Expected))
        {
            Assert.NotNull(outbound);
            using var remote = Accept(remoteListener);
            Send(outbound, "request from B");
            Expect(remote, "request from B");
            Send(remote, "response from A");
            Expect(outbound, "response from A");

            var opened = lab.WaitForEvent(e => e.Kind == FlowEventKind.NewFlow, Expected, "NewFlow");
            Assert.True(TrafficLab.IsFlow(opened, b, LocalPort(outbound), a, port), TrafficLab.Describe(opened));
            Assert.Equal((Direction.Egress, Verdict.Allow, VerdictReason.PolicyDefault), (opened.Direction, opened.Verdict, opened.Reason));
        }
        Assert.True(lab.Packets(Direction.Ingress, Verdict.Allow, VerdictReason.Established) >= 2, "A's replies were not carried by conntrack");
        Assert.Equal(0UL, lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyDefault));

        // The same port, started from A: refused by the default.
        using (var unsolicited = await TryConnectAsync(lab.A, b, port, Refused))
            Assert.Null(unsolicited);
        Assert.False(localListener.Poll(0, System.Net.Sockets.SelectMode.SelectRead), "B accepted an unsolicited connection");
        Assert.True(lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyDefault) >= 1);
    }

    /// <summary>
    /// Denying a flow stops its open connection on its next packet: the program finds the
    /// conntrack entry admitted under an older generation, judges it again, drops the packet
    /// (PolicyRevoked), reports the flow's end once and keeps the entry as revoked, so A's
    /// retransmissions are dropped as the revoked flow's too. Restoring the policy revives
    /// the connection: A's next retransmission judges the entry again, the restored rule
    /// allows it (reported as a new flow, mid-stream, without SYN), and TCP carries on.
    /// </summary>
    [PrivilegedFact]
    public async Task Flipping_the_policy_cuts_an_open_connection_and_flipping_back_revives_it()
    {
        const int port = 7300;
        using var lab = new TrafficLab();
        var allowing = () => lab.Seed(EndpointMode.Enforce)
            .Key(TrafficLab.LocalIdentity, Direction.Ingress, TrafficLab.RemoteIdentity, TrafficLab.Tcp)
            .Exact(port, RuleActionKind.Allow, AllowRule)
            .Done();
        lab.Apply(allowing());
        var (a, b) = (lab.Network.AddressA4, lab.Network.AddressB4);
        using var listener = ListenTcp(lab.B, b, port);
        using var client = await TryConnectAsync(lab.A, b, port, Expected);
        Assert.NotNull(client);
        using var server = Accept(listener);
        Send(client, "before");
        Expect(server, "before");
        Send(server, "ack-before");
        Expect(client, "ack-before");
        Assert.Equal(0UL, lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyRevoked));

        var denyingGeneration = lab.Apply(lab.Seed(EndpointMode.Enforce)
            .Key(TrafficLab.LocalIdentity, Direction.Ingress, TrafficLab.RemoteIdentity, TrafficLab.Tcp)
            .Exact(port, RuleActionKind.Deny, DenyRule)
            .Done());
        Send(client, "during");
        Assert.Null(TryReceive(server, "during".Length, TimeSpan.FromSeconds(1)));
        // The first segment and at least one retransmission, all dropped as the revoked flow's.
        var revoked = lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyRevoked);
        Assert.True(revoked >= 2, $"{revoked} packets dropped as revoked");
        Assert.Equal(0UL, lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyRule));
        var ended = lab.WaitForEvent(e => e.Kind == FlowEventKind.FlowEnd, Expected, "FlowEnd");
        Assert.True(TrafficLab.IsFlow(ended, b, port, a, LocalPort(client)), TrafficLab.Describe(ended));
        Assert.Equal((Verdict.Deny, VerdictReason.PolicyRevoked, DenyRule, denyingGeneration),
            (ended.Verdict, ended.Reason, ended.RuleId, ended.PolicyGeneration));

        var restoredGeneration = lab.Apply(allowing());
        // The bytes sent while cut arrive with TCP's next retransmission, then traffic flows.
        Assert.Equal("during", TryReceive(server, "during".Length, Expected));
        Send(server, "ack-during");
        Expect(client, "ack-during");
        Send(client, "after");
        Expect(server, "after");

        var revived = lab.WaitForEvent(e => e.Kind == FlowEventKind.NewFlow && e.PolicyGeneration == restoredGeneration, Expected, "NewFlow after restoring");
        Assert.True(TrafficLab.IsFlow(revived, b, port, a, LocalPort(client)), TrafficLab.Describe(revived));
        Assert.Equal((Direction.Ingress, Verdict.Allow, VerdictReason.PolicyRule, AllowRule),
            (revived.Direction, revived.Verdict, revived.Reason, revived.RuleId));
        Assert.Equal(0, revived.TcpFlags & 0x02); // no SYN: an established connection's segment
        Assert.Equal(0UL, lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyRule));
        Assert.Single(lab.DrainEvents(), e => e.Kind == FlowEventKind.FlowEnd);
    }
}
