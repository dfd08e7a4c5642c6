using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;
using Microseg.Policy.Model;

namespace Microseg.Flows.Tests;

/// <summary>
/// The lab scenario every test shares: endpoints web (10.0.1.10), api (10.0.2.20) and db
/// (10.0.3.5) on this host, a dns server (10.0.0.53), customers in world (203.0.113.0/24) and an
/// attacker in world (198.51.100.66). Flows are built the way the decoder hands them over.
/// </summary>
internal static class Lab
{
    public const string Web = "10.0.1.10";
    public const string Api = "10.0.2.20";
    public const string Db = "10.0.3.5";
    public const string Dns = "10.0.0.53";
    public const string Customer = "203.0.113.7";
    public const string Customer2 = "203.0.113.8";
    public const string Attacker = "198.51.100.66";

    public static readonly DateTimeOffset Start = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    public static readonly IdentityNames Names = new(
        new Dictionary<uint, string> { [256] = "web", [257] = "api", [258] = "db", [259] = "dns" },
        new Dictionary<uint, string> { [1] = "https-from-world", [2] = "web-to-api", [3] = "api-from-web", [4] = "no-ssh", [5] = "db-from-api", [6] = "ping-web" });

    private static readonly Dictionary<string, uint> IdentityOf = new()
    {
        [Web] = 256, [Api] = 257, [Db] = 258, [Dns] = 259,
    };

    private static readonly Dictionary<string, uint> RuleIds = new()
    {
        ["https-from-world"] = 1, ["web-to-api"] = 2, ["api-from-web"] = 3, ["no-ssh"] = 4, ["db-from-api"] = 5, ["ping-web"] = 6,
    };

    /// <summary>A first packet judged by the policy at <paramref name="local"/>, <paramref name="minute"/> minutes into the lab.</summary>
    public static FlowRecord Flow(string local, string remote, Direction direction, byte protocol, ushort port,
        Verdict verdict = Verdict.Allow, string? rule = null, int minute = 0)
    {
        uint localId = IdentityOf[local];
        uint remoteId = IdentityOf.TryGetValue(remote, out uint id) ? id : AbiConstants.IdentityWorld;
        uint ruleId = rule is null ? 0 : RuleIds.GetValueOrDefault(rule, 99u);
        return new FlowRecord
        {
            Time = Start.AddMinutes(minute),
            Kind = verdict switch { Verdict.Deny => FlowEventKind.Deny, Verdict.WouldDeny => FlowEventKind.WouldDeny, _ => FlowEventKind.NewFlow },
            LocalAddress = IpAddress16.Parse(local),
            RemoteAddress = IpAddress16.Parse(remote),
            LocalPort = direction == Direction.Ingress ? port : (ushort)40000,
            RemotePort = direction == Direction.Ingress ? (ushort)40000 : port,
            Protocol = protocol,
            Direction = direction,
            LocalIdentityId = localId,
            LocalIdentity = Names.Identity(localId),
            RemoteIdentityId = remoteId,
            RemoteIdentity = Names.Identity(remoteId),
            RuleId = ruleId,
            RuleName = rule,
            Verdict = verdict,
            Reason = rule is null ? VerdictReason.PolicyDefault : VerdictReason.PolicyRule,
            PolicyPort = port,
            TcpFlags = protocol == FlowText.Tcp ? (byte)0x02 : (byte)0,
            Packets = 1,
            Bytes = 60,
        };
    }

    /// <summary>
    /// A day in the lab: customers to web over https, web to api on 8080 (seen at both ends),
    /// api to db on 5432–5434, web and api asking dns, api pinging web; the attacker probing db
    /// (would deny: db is in monitor mode) and api's ssh (denied by no-ssh).
    /// </summary>
    public static List<FlowRecord> Day()
    {
        const byte tcp = FlowText.Tcp, udp = FlowText.Udp, icmp = FlowText.Icmp;
        var ingress = Direction.Ingress;
        var egress = Direction.Egress;
        var flows = new List<FlowRecord>();
        for (int i = 0; i < 10; i++)
        {
            flows.Add(Flow(Web, i % 2 == 0 ? Customer : Customer2, ingress, tcp, 443, rule: "https-from-world", minute: i));
            flows.Add(Flow(Web, Api, egress, tcp, 8080, rule: "web-to-api", minute: i));
            flows.Add(Flow(Api, Web, ingress, tcp, 8080, rule: "api-from-web", minute: i));
        }

        foreach (ushort port in new ushort[] { 5432, 5433, 5434 })
        {
            flows.Add(Flow(Api, Db, egress, tcp, port, minute: 20));
            flows.Add(Flow(Db, Api, ingress, tcp, port, rule: "db-from-api", minute: 20));
        }

        flows.Add(Flow(Web, Dns, egress, udp, 53, minute: 5));
        flows.Add(Flow(Api, Dns, egress, udp, 53, minute: 6));
        flows.Add(Flow(Api, Web, egress, icmp, 8, minute: 7));
        flows.Add(Flow(Web, Api, ingress, icmp, 8, rule: "ping-web", minute: 7));
        flows.Add(Flow(Db, Attacker, ingress, tcp, 5432, Verdict.WouldDeny, minute: 30));
        flows.Add(Flow(Db, Attacker, ingress, tcp, 5432, Verdict.WouldDeny, minute: 31));
        flows.Add(Flow(Api, Attacker, ingress, tcp, 22, Verdict.Deny, rule: "no-ssh", minute: 32));
        return flows;
    }

    /// <summary>The lab's identities and endpoints (db in monitor mode), with the rules the Day() flows were judged by.</summary>
    public const string Policy = """
        version: 1
        defaults:
          mode: enforce
          ingress: deny
          egress: allow
        identities:
          - name: web
            labels: {app: shop, tier: web}
            addresses: [10.0.1.10]
          - name: api
            labels: {app: shop, tier: api}
            addresses: [10.0.2.20]
          - name: db
            labels: {app: shop, tier: db}
            addresses: [10.0.3.5]
          - name: dns
            labels: {service: dns}
            addresses: [10.0.0.53]
        endpoints:
          - identity: web
            addresses: [10.0.1.10]
          - identity: api
            addresses: [10.0.2.20]
          - identity: db
            addresses: [10.0.3.5]
            mode: monitor
        rules:
          - name: https-from-world
            action: allow
            direction: ingress
            local: {identity: web}
            peer: {any: true}
            protocol: tcp
            ports: [443]
          - name: web-to-api
            action: allow
            direction: egress
            local: {identity: web}
            peer: {identity: api}
            protocol: tcp
            ports: [8080]
          - name: api-from-web
            action: allow
            direction: ingress
            local: {identity: api}
            peer: {identity: web}
            protocol: tcp
            ports: [8080]
          - name: db-from-api
            action: allow
            direction: ingress
            local: {identity: db}
            peer: {identity: api}
            protocol: tcp
            ports: ["5432-5434"]
          - name: ping-web
            action: allow
            direction: ingress
            local: {identity: web}
            peer: {matchLabels: {app: shop}}
            protocol: icmp
            icmpTypes: [8]
          - name: no-ssh
            action: deny
            direction: ingress
            local: {any: true}
            peer: {identity: world}
            protocol: tcp
            ports: [22]
        management: []

        """;

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    /// <summary>The repository root, found from the test binary's location.</summary>
    public static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Microseg.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("Microseg.sln not found above " + AppContext.BaseDirectory);
    }
}
