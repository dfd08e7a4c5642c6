using Microseg.Datapath.Abi;
using static Microseg.Datapath.Fixtures.FixtureStep;
using static Microseg.Datapath.Fixtures.FixtureWorld;
using static Microseg.Datapath.Fixtures.FrameEdits;
using static Microseg.Datapath.Fixtures.StandardPolicy;
using E = Microseg.Datapath.Abi.FlowEventKind;
using R = Microseg.Datapath.Abi.VerdictReason;
using V = Microseg.Datapath.Abi.Verdict;

namespace Microseg.Datapath.Fixtures;

/// <summary>Every row the data-plane tests run and the benchmark draws from.</summary>
public static partial class FixtureTable
{
    private static PacketBuilder P(string src, string dst) => PacketBuilder.Ip(src, dst);

    public static IReadOnlyList<DatapathFixture> All { get; } =
    [
        .. PolicyRows(), .. ModeRows(), .. ConntrackRows(), .. IcmpErrorAndFragmentFlowRows(), .. ParsingRows(), .. FragmentRows(),
        .. MalformedRows(), .. EgressRows(),
    ];

    public static DatapathFixture Named(string name) =>
        All.FirstOrDefault(f => f.Name == name) ?? throw new KeyNotFoundException($"no fixture row '{name}'");

    private static IEnumerable<DatapathFixture> PolicyRows()
    {
        yield return new() { Name = "allow exact port ipv4", Packet = In(P(Api4, Web4).Tcp(40000, 80)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHttp, Events = [E.NewFlow] };
        yield return new() { Name = "allow exact port ipv6", Packet = In(P(Api6, Web6).Tcp(40000, 80)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHttp, Events = [E.NewFlow] };
        yield return new() { Name = "deny exact port", Packet = In(P(Api4, Web4).Tcp(40000, 22)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = ApiSsh, Events = [E.Deny] };
        yield return new() { Name = "allow range first port", Packet = In(P(Api4, Web4).Tcp(40000, 8000)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHighPorts, Events = [E.NewFlow] };
        yield return new() { Name = "allow range last port", Packet = In(P(Api4, Web4).Tcp(40000, 8999)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHighPorts, Events = [E.NewFlow] };
        yield return new() { Name = "default deny just past range", Packet = In(P(Api4, Web4).Tcp(40000, 9000)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny] };
        yield return new() { Name = "default deny just before range", Packet = In(P(Api4, Web4).Tcp(40000, 7999)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny] };
        yield return new() { Name = "allow any port from prefix ipv4", Packet = In(P(Office4, Web4).Tcp(40000, 12345)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = OfficeAnyTcp, Events = [E.NewFlow] };
        yield return new() { Name = "allow any port from prefix ipv6", Packet = In(P(Office6, Web6).Tcp(40000, 3)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = OfficeAnyTcp, Events = [E.NewFlow] };
        yield return new() { Name = "any-port rule is per protocol", Packet = In(P(Office4, Web4).Udp(40000, 12345)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny] };
        yield return new() { Name = "allow any remote from world", Packet = In(P(World4, Web4).Tcp(40000, 443)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = AnyHttps, Events = [E.NewFlow] };
        yield return new() { Name = "allow any remote folded into a specific key", Packet = In(P(Api4, Web4).Tcp(40000, 443)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = AnyHttps, Events = [E.NewFlow] };
        yield return new() { Name = "allow any remote udp from world", Packet = In(P(World4, Web4).Udp(40000, 53)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = AnyDns, Events = [E.NewFlow] };
        yield return new() { Name = "allow any remote udp from a known identity", Packet = In(P(Api6, Web6).Udp(40000, 53)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = AnyDns, Events = [E.NewFlow] };
        yield return new() { Name = "default deny from world", Packet = In(P(World4, Web4).Tcp(40000, 80)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny] };
        yield return new() { Name = "default deny udp from world ipv6", Packet = In(P(World6, Web6).Udp(40000, 9999)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny] };
        yield return new() { Name = "boundary deny beats any-remote allow", Packet = In(P(Db4, Web4).Tcp(40000, 443)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = DbBoundary, Events = [E.Deny] };
        yield return new() { Name = "boundary deny beats any-remote udp allow", Packet = In(P(Db6, Web6).Udp(40000, 53)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = DbBoundary, Events = [E.Deny] };
        yield return new() { Name = "boundary any-protocol deny on other protocol", Packet = In(P(Db4, Web4).Protocol(Gre).Payload(8)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = DbBoundary, Events = [E.Deny] };
        yield return new() { Name = "other protocol without rule: default deny", Packet = In(P(Api4, Web4).Protocol(Gre).Payload(8)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny] };
        yield return new() { Name = "icmp echo allowed by type", Packet = In(P(World4, Web4).Icmp(8, 0, 7)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = AnyEcho, Events = [E.NewFlow] };
        yield return new() { Name = "icmpv6 echo allowed by type", Packet = In(P(World6, Web6).Icmp(128, 0, 7)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = AnyEcho, Events = [E.NewFlow] };
        yield return new() { Name = "icmp type without rule denied", Packet = In(P(Api4, Web4).Icmp(13)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny] };
        yield return new() { Name = "icmpv6 neighbor solicitation always passes", Packet = In(P(World6, Web6).Icmp(135)),
            Verdict = V.Unenforced, Reason = R.NeighborDiscovery };
        yield return new() { Name = "arp is not ours to judge", Packet = In(Arp()),
            Verdict = V.Unenforced, Reason = R.NotIp };
        yield return new()
        {
            Name = "deny events are rate-limited per remote",
            // 60 denials against a burst of 20 refilled at 10/s: the last is held back unless
            // the steps took over four seconds.
            Before = [.. Enumerable.Range(0, 60).Select(i => In(P(World4, Web4).Tcp((ushort)(30000 + i), 23)))],
            Packet = In(P(World4, Web4).Tcp(31000, 23)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [], RateLimitedEvents = 1,
        };
    }

    private static IEnumerable<DatapathFixture> ModeRows()
    {
        yield return new() { Name = "monitor would-deny passes and reports", Packet = In(P(Api4, Batch4).Tcp(40000, 22)),
            Verdict = V.WouldDeny, Reason = R.PolicyDefault, Events = [E.WouldDeny] };
        yield return new() { Name = "monitor allow", Packet = In(P(Api4, Batch4).Tcp(40000, 80)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = BatchApiHttp, Events = [E.NewFlow] };
        yield return new() { Name = "monitor would-deny reported once per flow", Before = [In(P(Api4, Batch4).Tcp(40000, 22))],
            Packet = In(P(Api4, Batch4).Tcp(40000, 22, TcpFlags.Ack)), Verdict = V.WouldDeny, Reason = R.Established };
        yield return new() { Name = "monitor would-deny ipv6 egress", Packet = Out(P(Batch6, Db6).Tcp(40000, 5432)),
            Verdict = V.WouldDeny, Reason = R.PolicyDefault, Events = [E.WouldDeny] };
        yield return new() { Name = "mode off passes without a decision", Packet = In(P(Api4, Legacy4).Tcp(40000, 22)),
            Verdict = V.Unenforced, Reason = R.EndpointOff };
        yield return new() { Name = "unknown local address takes the default endpoint", Packet = In(P(Api4, UnknownLocal4).Tcp(40000, 22)),
            Verdict = V.Unenforced, Reason = R.EndpointOff };
        yield return new()
        {
            Name = "monitor to enforce stops a would-deny flow",
            Before = [In(P(Api4, Batch4).Tcp(40000, 22))],
            ThenApply = () => Seed(batchMode: EndpointMode.Enforce),
            Packet = In(P(Api4, Batch4).Tcp(40000, 22, TcpFlags.Ack)),
            Verdict = V.Deny, Reason = R.PolicyRevoked, Events = [E.FlowEnd],
        };
        yield return new()
        {
            Name = "enforce to monitor lets a denied port through",
            ThenApply = () => Seed(webMode: EndpointMode.Monitor),
            Packet = In(P(Api4, Web4).Tcp(40000, 22)),
            Verdict = V.WouldDeny, Reason = R.PolicyRule, RuleId = ApiSsh, Events = [E.WouldDeny],
        };
    }
}
