using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;

namespace Microseg.Policy.Loading;

/// <summary>The words the file format accepts for each enumerated value, as docs/policy.md lists them.</summary>
internal static class Vocabulary
{
    public static readonly Dictionary<string, EndpointMode> Modes = new()
    {
        ["off"] = EndpointMode.Off,
        ["monitor"] = EndpointMode.Monitor,
        ["enforce"] = EndpointMode.Enforce,
    };

    public static readonly Dictionary<string, RuleAction> Actions = new()
    {
        ["allow"] = RuleAction.Allow,
        ["deny"] = RuleAction.Deny,
    };

    public static readonly Dictionary<string, Direction> Directions = new()
    {
        ["ingress"] = Direction.Ingress,
        ["egress"] = Direction.Egress,
    };

    public static readonly Dictionary<string, Protocol> Protocols = new()
    {
        ["tcp"] = Protocol.Tcp,
        ["udp"] = Protocol.Udp,
        ["icmp"] = Protocol.Icmp,
        ["icmpv6"] = Protocol.IcmpV6,
        ["any"] = Protocol.Any,
    };

    /// <summary>The word for a protocol, as written in the file.</summary>
    public static string Name(Protocol protocol) => Protocols.First(p => p.Value == protocol).Key;

    public static readonly string[] MainKeys = ["version", "include", "defaults", "identities", "endpoints", "rules", "boundaries", "management"];
    public static readonly string[] IncludedKeys = ["identities", "endpoints", "rules", "boundaries", "management"];
    public static readonly string[] DefaultsKeys = ["mode", "ingress", "egress"];
    public static readonly string[] IdentityKeys = ["name", "labels", "addresses"];
    public static readonly string[] EndpointKeys = ["identity", "addresses", "mode", "ingress", "egress"];
    public static readonly string[] RuleKeys = ["name", "action", "direction", "local", "peer", "protocol", "ports", "icmpTypes"];
    public static readonly string[] BoundaryKeys = ["name", "between", "and"];
    public static readonly string[] ManagementKeys = ["name", "from", "protocol", "ports", "local"];
}
