using System.Net;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.TestSupport;
using static Microseg.Datapath.Tests.RealTraffic.LabSockets;

namespace Microseg.Datapath.Tests.RealTraffic;

/// <summary>
/// Enforce mode with real sockets: B (identity 400) is the protected host, A (401) the peer.
/// What the kernel programs allow connects and carries data; what they deny never arrives,
/// and the counters and events say why.
/// </summary>
public sealed class EnforcementTrafficTests
{
    private const int AllowedPort = 7001;
    private const int DeniedPort = 7002;
    private const uint AllowRule = 11;
    private const uint DenyRule = 12;
    private const int BulkBytes = 1 << 20;

    [PrivilegedFact]
    public Task Tcp_over_IPv4_allowed_port_connects_both_ways_denied_port_never_connects() =>
        AllowedAndDeniedTcp(ipv6: false);

    [PrivilegedFact]
    public Task Tcp_over_IPv6_allowed_port_connects_both_ways_denied_port_never_connects() =>
        AllowedAndDeniedTcp(ipv6: true);

    private static async Task AllowedAndDeniedTcp(bool ipv6)
    {
        using var lab = new TrafficLab();
        Assert.Equal(XdpAttachMode.Native, lab.Attachment.XdpMode);
        var generation = lab.Apply(lab.Seed(EndpointMode.Enforce)
            .Key(TrafficLab.LocalIdentity, Direction.Ingress, TrafficLab.RemoteIdentity, TrafficLab.Tcp)
            .Exact(AllowedPort, RuleActionKind.Allow, AllowRule)
            .Exact(DeniedPort, RuleActionKind.Deny, DenyRule)
            .Done());
        var b = ipv6 ? lab.Network.AddressB6 : lab.Network.AddressB4;
        var a = ipv6 ? lab.Network.AddressA6 : lab.Network.AddressA4;
        using var allowedListener = ListenTcp(lab.B, b, AllowedPort);
        using var deniedListener = ListenTcp(lab.B, b, DeniedPort);

        int clientPort;
        using (var client = await TryConnectAsync(lab.A, b, AllowedPort, Expected))
        {
            Assert.NotNull(client);
            using var server = Accept(allowedListener);
            Send(client, "ping from A");
            Expect(server, "ping from A");
            Send(server, "pong from B");
            Expect(client, "pong from B");

            var newFlow = lab.WaitForEvent(e => e.Kind == FlowEventKind.NewFlow, Expected, "NewFlow");
            Assert.True(TrafficLab.IsFlow(newFlow, b, AllowedPort, a, LocalPort(client)), TrafficLab.Describe(newFlow));
            Assert.Equal((TrafficLab.LocalIdentity, TrafficLab.RemoteIdentity), (newFlow.LocalIdentity, newFlow.RemoteIdentity));
            Assert.Equal((byte)6, newFlow.Protocol);
            Assert.Equal(Direction.Ingress, newFlow.Direction);
            Assert.Equal((Verdict.Allow, VerdictReason.PolicyRule, AllowRule), (newFlow.Verdict, newFlow.Reason, newFlow.RuleId));
            Assert.Equal((ushort)AllowedPort, newFlow.PolicyPort);
            Assert.Equal((uint)lab.Network.IfindexB, newFlow.Ifindex);
            Assert.Equal(generation, newFlow.PolicyGeneration);
            Assert.Equal(0x02, newFlow.TcpFlags & 0x12); // the SYN opened it, not a SYN-ACK

            // A bulk transfer: segments as large as A's stack will build are still judged
            // (and counted) by XDP, not slipped past it.
            var before = lab.Bytes(Direction.Ingress, Verdict.Allow, VerdictReason.Established);
            var bulk = new string('x', BulkBytes);
            var sending = Task.Run(() => Send(client, bulk));
            Assert.Equal(bulk, TryReceive(server, BulkBytes, Expected));
            await sending;
            Assert.True(lab.Bytes(Direction.Ingress, Verdict.Allow, VerdictReason.Established) - before >= BulkBytes,
                "XDP counted fewer bytes than B received");
            clientPort = LocalPort(client);
        }
        // Both sides closed: FIN seen both ways ends the tracked flow, reported once.
        var ended = lab.WaitForEvent(e => e.Kind == FlowEventKind.FlowEnd, Expected, "FlowEnd");
        Assert.True(TrafficLab.IsFlow(ended, b, AllowedPort, a, clientPort), TrafficLab.Describe(ended));
        Assert.Equal((Verdict.Allow, VerdictReason.Established, AllowRule), (ended.Verdict, ended.Reason, ended.RuleId));
        Assert.True(ended.Bytes >= BulkBytes, $"the flow's end reports {ended.Bytes} bytes");
        // Both directions of the allowed connection went through the programs.
        Assert.True(lab.Packets(Direction.Ingress, Verdict.Allow, VerdictReason.PolicyRule) >= 1);
        Assert.True(lab.Packets(Direction.Ingress, Verdict.Allow, VerdictReason.Established) >= 2);
        Assert.True(lab.Packets(Direction.Egress, Verdict.Allow, VerdictReason.Established) >= 2);

        using (var refused = await TryConnectAsync(lab.A, b, DeniedPort, Refused))
            Assert.Null(refused);
        Assert.False(deniedListener.Poll(0, System.Net.Sockets.SelectMode.SelectRead), "the denied port accepted a connection");
        Assert.True(lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyRule) >= 1, "no SYN was counted as denied");
        var deny = lab.WaitForEvent(e => e.Kind == FlowEventKind.Deny, Expected, "Deny");
        Assert.Equal((ushort)DeniedPort, deny.PolicyPort);
        Assert.Equal(TrafficLab.NetworkOrder(DeniedPort), deny.LocalPort);
        Assert.Equal(IpAddress16.From(a), deny.RemoteAddr);
        Assert.Equal((Verdict.Deny, VerdictReason.PolicyRule, DenyRule), (deny.Verdict, deny.Reason, deny.RuleId));
    }

    [PrivilegedFact]
    public void Udp_allowed_port_delivers_and_gets_its_reply_denied_port_drops()
    {
        using var lab = new TrafficLab();
        // Port 7002 has no rule: the endpoint's default (deny) decides it.
        lab.Apply(lab.Seed(EndpointMode.Enforce)
            .Key(TrafficLab.LocalIdentity, Direction.Ingress, TrafficLab.RemoteIdentity, TrafficLab.Udp)
            .Exact(AllowedPort, RuleActionKind.Allow, AllowRule)
            .Done());
        var b = lab.Network.AddressB4;
        using var allowed = BindUdp(lab.B, b, AllowedPort);
        using var denied = BindUdp(lab.B, b, DeniedPort);
        using var sender = BindUdp(lab.A, lab.Network.AddressA4, 0);

        sender.SendTo("datagram for 7001"u8, new IPEndPoint(b, AllowedPort));
        var arrived = TryReceiveFrom(allowed, Expected);
        Assert.NotNull(arrived);
        Assert.Equal("datagram for 7001", arrived.Value.Text);
        // The reply leaves B with no egress rule at all: conntrack lets it out, and back in to A.
        allowed.SendTo("reply from 7001"u8, arrived.Value.From);
        Assert.Equal("reply from 7001", TryReceiveFrom(sender, Expected)?.Text);
        Assert.Equal(1UL, lab.Packets(Direction.Ingress, Verdict.Allow, VerdictReason.PolicyRule));
        Assert.Equal(1UL, lab.Packets(Direction.Egress, Verdict.Allow, VerdictReason.Established));

        sender.SendTo("datagram for 7002"u8, new IPEndPoint(b, DeniedPort));
        Assert.Null(TryReceiveFrom(denied, TimeSpan.FromSeconds(1)));
        Assert.Equal(1UL, lab.Packets(Direction.Ingress, Verdict.Deny, VerdictReason.PolicyDefault));
        var deny = lab.WaitForEvent(e => e.Kind == FlowEventKind.Deny, Expected, "Deny");
        Assert.Equal((byte)17, deny.Protocol);
        Assert.Equal((ushort)DeniedPort, deny.PolicyPort);
        Assert.Equal(0u, deny.RuleId);
    }
}
