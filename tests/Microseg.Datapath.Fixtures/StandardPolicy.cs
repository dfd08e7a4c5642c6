using Microseg.Datapath.Abi;
using static Microseg.Datapath.Fixtures.FixtureWorld;
using Allow = Microseg.Datapath.Abi.RuleActionKind;

namespace Microseg.Datapath.Fixtures;

/// <summary>
/// The map seed most rows share, written as the compiler would fold it:
/// web ingress (default deny): api tcp 80 allow (rule 1), 22 deny (2), 8000-8999 allow (3);
/// office any tcp port (4); anyone udp 53 (5), icmp/icmpv6 echo (6), tcp 443 (8);
/// db denied everything (7, a boundary, folded into every key db would otherwise reach).
/// web egress (default allow): db tcp 5432 deny (11).
/// batch (monitor, default deny both ways): api tcp 80 allow (20). legacy: off.
/// </summary>
public static class StandardPolicy
{
    public const uint ApiHttp = 1, ApiSsh = 2, ApiHighPorts = 3, OfficeAnyTcp = 4, AnyDns = 5,
        AnyEcho = 6, DbBoundary = 7, AnyHttps = 8, EgressDbPostgres = 11, BatchApiHttp = 20;

    public static PolicySeed Seed(bool withApiHttp = true, EndpointMode webMode = EndpointMode.Enforce,
        EndpointMode batchMode = EndpointMode.Monitor)
    {
        var s = new PolicySeed()
            .Endpoint(Web4, Web, webMode, EndpointFlags.EgressDefaultAllow)
            .Endpoint(Web6, Web, webMode, EndpointFlags.EgressDefaultAllow)
            .Endpoint(Batch4, Batch, batchMode)
            .Endpoint(Batch6, Batch, batchMode)
            .Endpoint(Legacy4, Legacy, EndpointMode.Off)
            .DefaultEndpoint(AbiConstants.IdentityHost, EndpointMode.Off)
            .Unattributed(EndpointMode.Enforce)
            .Remote(Api4, Api).Remote(Api6, Api)
            .Remote(Db4, Db).Remote(Db6, Db)
            .Prefix(OfficePrefix4, Office).Prefix(OfficePrefix6, Office);

        var apiTcp = s.Key(Web, Direction.Ingress, Api, Tcp);
        if (withApiHttp)
            apiTcp.Exact(80, Allow.Allow, ApiHttp);
        apiTcp.Exact(22, Allow.Deny, ApiSsh)
              .Exact(443, Allow.Allow, AnyHttps)          // folded from the any-remote rule 8
              .Range(8000, 8999, Allow.Allow, ApiHighPorts);
        s.Key(Web, Direction.Ingress, Office, Tcp).AnyPort(Allow.Allow, OfficeAnyTcp);
        s.Key(Web, Direction.Ingress, AbiConstants.IdentityAny, Tcp).Exact(443, Allow.Allow, AnyHttps);
        s.Key(Web, Direction.Ingress, AbiConstants.IdentityAny, Udp).Exact(53, Allow.Allow, AnyDns);
        s.Key(Web, Direction.Ingress, AbiConstants.IdentityAny, Icmp).Exact(8, Allow.Allow, AnyEcho);
        s.Key(Web, Direction.Ingress, AbiConstants.IdentityAny, Icmpv6).Exact(128, Allow.Allow, AnyEcho);
        // The db boundary denies every protocol and port; wherever a wildcard key would
        // otherwise answer for db, the compiler writes a db key that carries the deny.
        s.Key(Web, Direction.Ingress, Db, AbiConstants.ProtocolAny).AnyPort(Allow.Deny, DbBoundary);
        foreach (var protocol in new[] { Tcp, Udp, Icmp, Icmpv6 })
            s.Key(Web, Direction.Ingress, Db, protocol).AnyPort(Allow.Deny, DbBoundary);

        s.Key(Web, Direction.Egress, Db, Tcp).Exact(5432, Allow.Deny, EgressDbPostgres);
        s.Key(Batch, Direction.Ingress, Api, Tcp).Exact(80, Allow.Allow, BatchApiHttp);
        return s;
    }
}
