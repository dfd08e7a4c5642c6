using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Slots;

namespace Microseg.Datapath.Fixtures;

/// <summary>
/// A fixture's map seed: map entries written as such (not a policy to compile, so a row tests
/// the kernel, not the compiler), plus conntrack entries to plant. Endpoint wildcard flags
/// are derived from the keys, as the compiler derives them.
/// </summary>
public sealed class PolicySeed
{
    private readonly SlotImage _image = new();

    /// <summary>Conntrack entries written after the policy, before any packet.</summary>
    public List<(ConntrackKey Key, ConntrackEntry Entry)> Conntrack { get; } = [];

    public PolicySeed Endpoint(string address, uint identity, EndpointMode mode, EndpointFlags flags = EndpointFlags.None)
    {
        _image.Endpoints[IpAddress16.Parse(address)] = new EndpointValue { Identity = identity, Mode = mode, Flags = flags };
        return this;
    }

    /// <summary>Makes an address no endpoint again.</summary>
    public PolicySeed WithoutEndpoint(string address)
    {
        _image.Endpoints.Remove(IpAddress16.Parse(address));
        return this;
    }

    public PolicySeed DefaultEndpoint(uint identity, EndpointMode mode, EndpointFlags flags = EndpointFlags.None)
    {
        _image.DefaultEndpoint = new EndpointValue { Identity = identity, Mode = mode, Flags = flags };
        return this;
    }

    public PolicySeed Unattributed(EndpointMode mode)
    {
        _image.UnattributedMode = mode;
        return this;
    }

    public PolicySeed Remote(string address, uint identity)
    {
        _image.RemoteHosts[IpAddress16.Parse(address)] = identity;
        return this;
    }

    public PolicySeed Prefix(string cidr, uint identity)
    {
        var slash = cidr.IndexOf('/');
        var address = IPAddress.Parse(cidr[..slash]);
        _image.RemotePrefixes[new RemotePrefix(IpAddress16.From(address), byte.Parse(cidr[(slash + 1)..]))] = identity;
        return this;
    }

    /// <summary>Entries under one policy key.</summary>
    public KeySeed Key(uint local, Direction direction, uint remote, byte protocol) =>
        new(this, new PolicyKey { LocalIdentity = local, Direction = direction, RemoteIdentity = remote, Protocol = protocol });

    public SlotImage Build()
    {
        foreach (var (address, ep) in _image.Endpoints.ToArray())
            _image.Endpoints[address] = ep with { Flags = ep.Flags | WildcardFlags(ep.Identity) };
        return _image;
    }

    private EndpointFlags WildcardFlags(uint identity)
    {
        var flags = EndpointFlags.None;
        foreach (var key in _image.Policies.Keys)
        {
            if (key.LocalIdentity != identity) continue;
            var ingress = key.Direction == Direction.Ingress;
            if (key.RemoteIdentity == AbiConstants.IdentityAny)
                flags |= ingress ? EndpointFlags.IngressAnyRemote : EndpointFlags.EgressAnyRemote;
            if (key.Protocol == AbiConstants.ProtocolAny)
                flags |= ingress ? EndpointFlags.IngressAnyProtocol : EndpointFlags.EgressAnyProtocol;
        }
        return flags;
    }

    /// <summary>Adds exact ports, ranges and an any-port action under one key.</summary>
    public sealed class KeySeed(PolicySeed seed, PolicyKey key)
    {
        private PolicyValue Value
        {
            get => seed._image.Policies.GetValueOrDefault(key);
            set => seed._image.Policies[key] = value;
        }

        public KeySeed Exact(ushort port, RuleActionKind action, uint rule)
        {
            seed._image.Ports[new PolicyPortKey { Policy = key, Port = port }] = new RuleAction { RuleId = rule, Action = action };
            Value = Value with { Flags = Value.Flags | PolicyFlags.ExactPorts };
            return this;
        }

        public KeySeed Range(ushort first, ushort last, RuleActionKind action, uint rule)
        {
            var ranges = seed._image.Ranges.GetValueOrDefault(key);
            Span<PortRange> slots = ranges.Ranges;
            slots[(int)ranges.Count] = new PortRange { FirstPort = first, LastPort = last, RuleId = rule, Action = action };
            ranges.Count++;
            seed._image.Ranges[key] = ranges;
            Value = Value with { Flags = Value.Flags | PolicyFlags.PortRanges };
            return this;
        }

        public KeySeed AnyPort(RuleActionKind action, uint rule)
        {
            Value = Value with { Flags = Value.Flags | PolicyFlags.AnyPort, AnyPortAction = action, AnyPortRuleId = rule };
            return this;
        }

        public PolicySeed Done() => seed;
    }
}
