using Microseg.Datapath.Abi;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Everything that applies to one local identity in one direction, before folding: the
/// contributions aimed at every peer (<see cref="AllPeers"/>) and those aimed at particular
/// peers (<see cref="ByPeer"/>), each by protocol (0 for any).
/// </summary>
internal sealed class LocalPlan
{
    public Dictionary<byte, List<Contribution>> AllPeers { get; } = [];

    public Dictionary<uint, Dictionary<byte, List<Contribution>>> ByPeer { get; } = [];

    public void AddAll(byte protocol, Contribution c) => Get(AllPeers, protocol).Add(c);

    public void AddPeer(uint peer, byte protocol, Contribution c)
    {
        if (!ByPeer.TryGetValue(peer, out Dictionary<byte, List<Contribution>>? byProtocol))
        {
            byProtocol = [];
            ByPeer[peer] = byProtocol;
        }

        Get(byProtocol, protocol).Add(c);
    }

    /// <summary>
    /// The keys the kernel needs and what each folds, so that the first key its probe order
    /// ((peer, protocol), (any, protocol), (peer, any), (any, any)) finds holds every
    /// contribution that applies to the packet:
    /// (any, p) for each protocol some all-peer contribution names; (peer, p) for each protocol
    /// a peer's own contributions name; and (peer, p) also wherever the peer has any-protocol
    /// contributions and (any, p) exists, or the packet would stop at (any, p) without them.
    /// </summary>
    public IEnumerable<(uint Peer, byte Protocol, List<Contribution> Folded)> Keys()
    {
        foreach ((byte protocol, List<Contribution> own) in AllPeers)
        {
            yield return (AbiConstants.IdentityAny, protocol, With(own, protocol == AbiConstants.ProtocolAny ? null : AllPeers.GetValueOrDefault(AbiConstants.ProtocolAny)));
        }

        foreach ((uint peer, Dictionary<byte, List<Contribution>> byProtocol) in ByPeer)
        {
            List<Contribution>? peerAny = byProtocol.GetValueOrDefault(AbiConstants.ProtocolAny);
            List<Contribution>? allAny = AllPeers.GetValueOrDefault(AbiConstants.ProtocolAny);
            foreach ((byte protocol, List<Contribution> own) in byProtocol)
            {
                if (protocol == AbiConstants.ProtocolAny)
                {
                    yield return (peer, protocol, With(own, allAny));
                }
                else
                {
                    yield return (peer, protocol, With(own, AllPeers.GetValueOrDefault(protocol), peerAny, allAny));
                }
            }

            if (peerAny is null)
            {
                continue;
            }

            foreach ((byte protocol, List<Contribution> all) in AllPeers)
            {
                if (protocol != AbiConstants.ProtocolAny && !byProtocol.ContainsKey(protocol))
                {
                    yield return (peer, protocol, With(all, peerAny, allAny));
                }
            }
        }
    }

    private static List<Contribution> With(List<Contribution> first, params List<Contribution>?[] more)
    {
        var all = new List<Contribution>(first);
        foreach (List<Contribution>? list in more)
        {
            if (list is not null)
            {
                all.AddRange(list);
            }
        }

        all.Sort(Contribution.ByPrecedence);
        return all;
    }

    private static List<Contribution> Get(Dictionary<byte, List<Contribution>> byProtocol, byte protocol)
    {
        if (!byProtocol.TryGetValue(protocol, out List<Contribution>? list))
        {
            list = [];
            byProtocol[protocol] = list;
        }

        return list;
    }
}
