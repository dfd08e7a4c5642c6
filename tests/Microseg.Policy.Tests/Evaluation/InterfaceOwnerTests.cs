using System.Net;
using Microseg.Policy.Evaluation;
using Microseg.Policy.Interfaces;
using Microseg.Datapath.Abi;
using static Microseg.Policy.Tests.Evaluation.Packets;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>
/// docs/policy.md, "Addresses no endpoint lists": an address of an attached interface that no
/// endpoint lists belongs to the endpoint owning the interface (the strictest mode among the
/// endpoints with an address on it, then the first in the file); with no owner it is not judged.
/// </summary>
public sealed class InterfaceOwnerTests
{
    private const string Yaml = """
        version: 1
        defaults: {mode: enforce, ingress: deny, egress: allow}
        identities:
          - name: api
            addresses: [10.77.0.2, "fd77::2"]
          - {name: db}
          - {name: cache}
          - {name: audit}
        endpoints:
          - identity: db
            addresses: [10.77.0.3, "fd77::3"]
          - identity: cache
            mode: monitor
            addresses: [10.77.1.3]
          - identity: audit
            addresses: [10.77.2.3]
        rules:
          - name: api-to-db
            action: allow
            direction: ingress
            local: {identity: db}
            peer: {identity: api}
            protocol: tcp
            ports: [5432]
        """;

    private const string LinkLocal = "fe80::3";

    [Fact]
    public void AnUnlistedAddressIsJudgedAsTheInterfacesOwner()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Yaml), [Eth0("10.77.0.3", "fd77::3", LinkLocal + "%2", "fd77::99")]);

        Policies.Expect(evaluator.Judge(On(Tcp("fd77::2", LinkLocal, 22, In))), Verdict.Deny, VerdictReason.PolicyDefault);
        Policies.Expect(evaluator.Judge(On(Tcp("fd77::2", LinkLocal, 5432, In))), Verdict.Allow, VerdictReason.PolicyRule, "api-to-db");
        Policies.Expect(evaluator.Judge(On(Tcp("fd77::2", "fd77::99", 22, In))), Verdict.Deny, VerdictReason.PolicyDefault);
        var judged = evaluator.Judge(On(Tcp("fd77::2", LinkLocal, 22, In, sourcePort: 40001)));
        Assert.Equal("db", judged.LocalIdentity);
        Assert.Contains("which endpoint 'db' owns", judged.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAnOwnerOrAnInterfaceTheAddressIsNotJudged()
    {
        var unowned = new ReferenceEvaluator(Policies.FromText(Yaml), [Eth0(LinkLocal)]);
        Policies.Expect(unowned.Judge(On(Tcp("fd77::2", LinkLocal, 22, In))), Verdict.Unenforced, VerdictReason.EndpointOff);

        var owned = new ReferenceEvaluator(Policies.FromText(Yaml), [Eth0("fd77::3", LinkLocal)]);
        Policies.Expect(owned.Judge(Tcp("fd77::2", LinkLocal, 22, In)), Verdict.Unenforced, VerdictReason.EndpointOff);
    }

    [Fact]
    public void TheStrictestEndpointOwnsAnInterfaceThenTheFirstInTheFile()
    {
        var document = Policies.FromText(Yaml);
        var owners = InterfaceOwnership.Resolve(document,
        [
            new InterfaceAddresses("a", [IPAddress.Parse("10.77.1.3"), IPAddress.Parse("10.77.2.3")]), // monitor, enforce
            new InterfaceAddresses("b", [IPAddress.Parse("10.77.2.3"), IPAddress.Parse("10.77.0.3")]), // both enforce: db is first
            new InterfaceAddresses("c", [IPAddress.Parse("10.77.1.3"), IPAddress.Parse("::ffff:10.77.9.9")]),
            new InterfaceAddresses("d", [IPAddress.Parse("10.77.9.9")]),
        ]);
        Assert.Equal(["audit", "db", "cache", null], owners.Select(o => o.Endpoint?.Identity));
        Assert.Equal([IPAddress.Parse("10.77.9.9")], owners[2].Unlisted);
        Assert.Empty(owners[0].Unlisted);
    }

    [Fact]
    public void EachUnlistedAddressIsAWarningNamingItsInterface()
    {
        var document = Policies.FromText(Yaml);
        var warnings = InterfaceOwnership.Warnings(document,
            [Eth0("10.77.0.3", LinkLocal + "%7"), new InterfaceAddresses("eth1", [IPAddress.Parse("192.0.2.1")])], "p.yaml");
        Assert.Equal(
            [
                "eth0: address fe80::3 is listed by no endpoint; it is judged as endpoint 'db', which owns eth0 (list it to make that explicit)",
                "eth1: address 192.0.2.1 is listed by no endpoint, and no endpoint lists an address on eth1: it is passed unjudged",
            ],
            warnings.Select(w => w.Message));
        Assert.All(warnings, w => Assert.False(w.IsError));
        Assert.Equal((1, 1), (warnings[1].Line, warnings[1].Column));
        Assert.NotEqual(1, warnings[0].Line); // at db's endpoint entry
    }

    private static InterfaceAddresses Eth0(params string[] addresses) => new("eth0", [.. addresses.Select(IPAddress.Parse)]);

    private static PacketFacts On(PacketFacts packet) => packet with { Interface = "eth0" };
}
