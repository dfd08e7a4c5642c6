using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Slots;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>
/// The kernel's lookup (bpf/include/ms_identity.h and ms_policy.h) over an image, in managed
/// code: lets the compiler tests ask "what would the kernel decide" without loading it.
/// </summary>
internal static class ImageLookup
{
    public readonly record struct Decision(RuleActionKind Action, uint RuleId, bool IsDefault, uint Local, uint Remote);

    public static uint RemoteIdentity(SlotImage image, string address)
    {
        IpAddress16 a = IpAddress16.Parse(address);
        if (image.RemoteHosts.TryGetValue(a, out uint id))
        {
            return id;
        }

        IPAddress ip = IPAddress.Parse(address);
        int best = -1;
        uint found = AbiConstants.IdentityWorld;
        foreach ((RemotePrefix prefix, uint identity) in image.RemotePrefixes)
        {
            IPAddress baseAddress = prefix.Address.ToIPAddress();
            if (baseAddress.AddressFamily == ip.AddressFamily && new IPNetwork(baseAddress, prefix.PrefixLength).Contains(ip) && prefix.PrefixLength > best)
            {
                best = prefix.PrefixLength;
                found = identity;
            }
        }

        return found;
    }

    public static Decision Decide(SlotImage image, string local, string remote, Direction direction, byte protocol, ushort port)
    {
        EndpointValue ep = image.Endpoints.TryGetValue(IpAddress16.Parse(local), out EndpointValue e) ? e : image.DefaultEndpoint;
        uint remoteId = RemoteIdentity(image, remote);
        bool ingress = direction == Direction.Ingress;
        EndpointFlags anyRemote = ingress ? EndpointFlags.IngressAnyRemote : EndpointFlags.EgressAnyRemote;
        EndpointFlags anyProtocol = ingress ? EndpointFlags.IngressAnyProtocol : EndpointFlags.EgressAnyProtocol;
        EndpointFlags defaultAllow = ingress ? EndpointFlags.IngressDefaultAllow : EndpointFlags.EgressDefaultAllow;
        var key = new PolicyKey { LocalIdentity = ep.Identity, Direction = direction };
        PolicyValue? value = Probe(remoteId, protocol);
        if (value is null && ep.Flags.HasFlag(anyRemote))
        {
            value = Probe(AbiConstants.IdentityAny, protocol);
        }

        if (value is null && ep.Flags.HasFlag(anyProtocol))
        {
            value = Probe(remoteId, AbiConstants.ProtocolAny);
        }

        if (value is null && ep.Flags.HasFlag(anyProtocol) && ep.Flags.HasFlag(anyRemote))
        {
            value = Probe(AbiConstants.IdentityAny, AbiConstants.ProtocolAny);
        }

        if (value is { } v)
        {
            if (v.Flags.HasFlag(PolicyFlags.ExactPorts) && image.Ports.TryGetValue(new PolicyPortKey { Policy = key, Port = port }, out Datapath.Abi.RuleAction exact))
            {
                Assert.True((v.ExactPortFilter & (1 << (port & 15))) != 0, "exact port filter bit missing");
                return new Decision(exact.Action, exact.RuleId, false, ep.Identity, remoteId);
            }

            if (v.Flags.HasFlag(PolicyFlags.PortRanges) && port >= v.RangeFirstPort && port <= v.RangeLastPort)
            {
                PolicyRanges ranges = image.Ranges[key];
                ReadOnlySpan<Datapath.Abi.PortRange> r = ranges.Ranges;
                for (int i = 0; i < ranges.Count && port >= r[i].FirstPort; i++)
                {
                    if (port <= r[i].LastPort)
                    {
                        return new Decision(r[i].Action, r[i].RuleId, false, ep.Identity, remoteId);
                    }
                }
            }

            if (v.Flags.HasFlag(PolicyFlags.AnyPort))
            {
                return new Decision(v.AnyPortAction, v.AnyPortRuleId, false, ep.Identity, remoteId);
            }
        }

        return new Decision(ep.Flags.HasFlag(defaultAllow) ? RuleActionKind.Allow : RuleActionKind.Deny, 0, true, ep.Identity, remoteId);

        PolicyValue? Probe(uint remoteIdentity, byte p)
        {
            key.RemoteIdentity = remoteIdentity;
            key.Protocol = p;
            return image.Policies.TryGetValue(key, out PolicyValue found) ? found : null;
        }
    }
}
