using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using Microseg.Policy.Loading.Yaml;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;
using PortRange = Microseg.Policy.Model.PortRange;

namespace Microseg.Policy.Loading;

/// <summary>
/// Parses the entries of each list section into the model. An entry with a broken required part is
/// reported and left out; its other problems are still reported.
/// </summary>
internal sealed class SectionParser(NodeReader reader, PolicyDefaults defaults)
{
    private readonly ValueParser _values = new(reader);

    public IdentityDefinition? Identity(SourceNode node)
    {
        if (reader.Fields(node, "an identity", Vocabulary.IdentityKeys, "name") is not { } f)
        {
            return null;
        }

        string? name = f.Value("name") is { } n ? reader.Text(n, "'name'") : null;
        if (name is not null && (name == IdentityDefinition.HostName || name == IdentityDefinition.WorldName))
        {
            reader.Bag.Error(reader.At(f.ValueOf("name")), $"identity name '{Quote.Short(name)}' is reserved",
                "'host' and 'world' always exist; select them with 'identity: host' or 'identity: world'");
            name = null;
        }
        else if (name is not null && !Names.IsIdentity(name))
        {
            reader.Bag.Error(reader.At(f.ValueOf("name")), $"invalid identity name '{Quote.Short(name)}': use lowercase letters, digits and '-'");
            name = null;
        }

        LabelMap labels = f.Value("labels") is { } l ? reader.Labels(l, "'labels'") : LabelMap.Empty;
        if (labels.ContainsKey(IdentityDefinition.ReservedLabel))
        {
            SourceNode key = default;
            foreach ((SourceNode candidate, _) in f.ValueOf("labels").Entries)
            {
                if (candidate.IsScalar && candidate.Value == IdentityDefinition.ReservedLabel)
                {
                    key = candidate;
                    break;
                }
            }

            reader.Bag.Error(reader.At(key), "label key 'reserved' is kept for the reserved identities host and world");
            labels = labels.Without(IdentityDefinition.ReservedLabel);
        }

        List<AddressEntry> addresses = f.Value("addresses") is { } a ? _values.Addresses(a, "'addresses'") : [];
        return name is null ? null : new IdentityDefinition(name, labels, addresses, f.Position);
    }

    public LocalEndpoint? Endpoint(SourceNode node)
    {
        if (reader.Fields(node, "an endpoint", Vocabulary.EndpointKeys, "identity", "addresses") is not { } f)
        {
            return null;
        }

        string? identity = f.Value("identity") is { } i ? reader.Text(i, "'identity'") : null;
        List<AddressEntry> addresses = [];
        if (f.Value("addresses") is { } a)
        {
            foreach (AddressEntry entry in _values.Addresses(a, "'addresses'"))
            {
                if (entry.IsHost)
                {
                    addresses.Add(entry);
                }
                else
                {
                    reader.Bag.Error(entry.Position, $"endpoint address '{entry}' must be a single host, not a prefix");
                }
            }

            if ((a.IsSequence && a.Items.Count == 0) || (a.IsScalar && a.Value.Length == 0 && a.IsPlain))
            {
                reader.Bag.Error(reader.At(a), "an endpoint needs at least one address");
            }
        }

        EndpointMode? mode = f.Value("mode") is { } m ? reader.Choice(m, "mode", Vocabulary.Modes) : defaults.Mode;
        RuleAction? ingress = f.Value("ingress") is { } ing ? reader.Choice(ing, "ingress default", Vocabulary.Actions) : defaults.Ingress;
        RuleAction? egress = f.Value("egress") is { } eg ? reader.Choice(eg, "egress default", Vocabulary.Actions) : defaults.Egress;
        if (identity is null || mode is null || ingress is null || egress is null)
        {
            return null;
        }

        return new LocalEndpoint(identity, addresses, mode.Value, ingress.Value, egress.Value, f.Position, reader.At(f.ValueOf("identity")));
    }

    public PolicyRule? Rule(SourceNode node)
    {
        if (reader.Fields(node, "a rule", Vocabulary.RuleKeys, "name", "action", "direction", "local", "peer") is not { } f)
        {
            return null;
        }

        string? name = RuleName(f);
        RuleAction? action = f.Value("action") is { } a ? reader.Choice(a, "action", Vocabulary.Actions) : null;
        Direction? direction = f.Value("direction") is { } d ? reader.Choice(d, "direction", Vocabulary.Directions) : null;
        Selector? local = f.Value("local") is { } l ? _values.Selector(l, "'local'") : null;
        Selector? peer = f.Value("peer") is { } p ? _values.Selector(p, "'peer'") : null;
        Protocol? protocol = f.Value("protocol") is { } pr ? reader.Choice(pr, "protocol", Vocabulary.Protocols) : Protocol.Any;
        // Most rules have no ICMP types and some no ports: an empty IReadOnlyList is one shared array.
        IReadOnlyList<PortRange> ports = f.Value("ports") is { } po ? _values.Ranges(po, "'ports'", "port", 1, 65535) : [];
        IReadOnlyList<PortRange> icmpTypes = f.Value("icmpTypes") is { } it ? _values.Ranges(it, "'icmpTypes'", "ICMP type", 0, 255) : [];
        if (name is null || action is null || direction is null || local is null || peer is null || protocol is null)
        {
            return null;
        }

        CheckApplicable(f, name, protocol.Value);
        return new PolicyRule(name, action.Value, direction.Value, local, peer, protocol.Value, ports, icmpTypes, f.Position);
    }

    public Boundary? Boundary(SourceNode node)
    {
        if (reader.Fields(node, "a boundary", Vocabulary.BoundaryKeys, "name", "between", "and") is not { } f)
        {
            return null;
        }

        string? name = RuleName(f);
        Selector? between = f.Value("between") is { } b ? _values.Selector(b, "'between'") : null;
        Selector? and = f.Value("and") is { } a ? _values.Selector(a, "'and'") : null;
        return name is null || between is null || and is null ? null : new Boundary(name, between, and, f.Position);
    }

    public ManagementAccess? Management(SourceNode node)
    {
        if (reader.Fields(node, "a management entry", Vocabulary.ManagementKeys, "name", "from") is not { } f)
        {
            return null;
        }

        string? name = RuleName(f);
        List<AddressEntry> from = f.Value("from") is { } fr ? _values.Addresses(fr, "'from'") : [];
        if (f.Value("from") is { IsSequence: true, Items.Count: 0 } empty)
        {
            reader.Bag.Error(reader.At(empty), "'from' needs at least one address or prefix");
        }

        Protocol? protocol = f.Value("protocol") is { } pr ? reader.Choice(pr, "protocol", Vocabulary.Protocols) : Protocol.Tcp;
        List<PortRange> ports = f.Value("ports") is { } po ? _values.Ranges(po, "'ports'", "port", 1, 65535) : [];
        Selector? local = f.Value("local") is { } l ? _values.Selector(l, "'local'") : Selector.Everything(f.Position);
        if (name is null || protocol is null || local is null || from.Count == 0)
        {
            return null;
        }

        CheckApplicable(f, name, protocol.Value);
        if (protocol == Protocol.Tcp && !f.Has("ports"))
        {
            ports.Add(new PortRange(22, 22, f.Position));
        }

        return new ManagementAccess(name, from, protocol.Value, ports, local, f.Position);
    }

    private string? RuleName(MappingFields f)
    {
        if (f.Value("name") is not { } node || reader.Text(node, "'name'") is not { } name)
        {
            return null;
        }

        if (!Names.IsRule(name))
        {
            reader.Bag.Error(reader.At(node), $"invalid name '{Quote.Short(name)}': use letters, digits, '.', '_' and '-' (at most 63)");
            return null;
        }

        return name;
    }

    // Ports on a protocol without ports (or ICMP types on one without types) can never match a
    // packet: the rule would silently do nothing.
    private void CheckApplicable(in MappingFields f, string name, Protocol protocol)
    {
        if (f.Has("ports") && protocol is not (Protocol.Tcp or Protocol.Udp))
        {
            reader.Bag.Error(reader.At(f.KeyOf("ports")), $"'{name}' can never match: ports apply only to tcp and udp, not {Vocabulary.Name(protocol)}",
                protocol == Protocol.Any ? "set 'protocol: tcp' or 'protocol: udp'" : null);
        }

        if (f.Has("icmpTypes") && protocol is not (Protocol.Icmp or Protocol.IcmpV6))
        {
            reader.Bag.Error(reader.At(f.KeyOf("icmpTypes")), $"'{name}' can never match: icmpTypes apply only to icmp and icmpv6, not {Vocabulary.Name(protocol)}");
        }
    }
}
