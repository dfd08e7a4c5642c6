using System.Net;
using Microseg.Policy.Interfaces;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Evaluation;

/// <summary>
/// The verdict docs/policy.md ("Precedence", "How a packet is judged") demands for each packet,
/// computed from the document alone, independent of the compiler's map layout, so that it can
/// check the compiler and the kernel. Stateful like the data plane: it keeps its own model of
/// flows (conntrack) and of first fragments, so a sequence of packets can be judged. State lasts
/// until <see cref="ForgetFlows"/> (there are no timeouts); a flow a policy change revoked stays
/// tracked as revoked. Not thread-safe.
/// </summary>
public sealed partial class ReferenceEvaluator
{
    // Tracked flows: allowed ones, in monitor mode would-deny ones, and revoked ones.
    private readonly Dictionary<FlowKey, TrackedFlow> _flows = [];

    // First fragments seen, and how each was judged: later fragments follow it.
    private readonly Dictionary<FragmentKey, Judgement> _fragments = [];

    private PolicyView _policy;

    /// <summary>An evaluator judging by <paramref name="document"/>, with no flow tracked yet.</summary>
    public ReferenceEvaluator(PolicyDocument document)
        : this(document, [])
    {
    }

    /// <summary>
    /// An evaluator judging by <paramref name="document"/> on these attached interfaces: a
    /// packet's local address that no endpoint lists belongs to the endpoint owning the
    /// packet's <see cref="PacketFacts.Interface"/> (<see cref="InterfaceOwnership"/>).
    /// </summary>
    public ReferenceEvaluator(PolicyDocument document, IReadOnlyList<InterfaceAddresses> interfaces)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(interfaces);
        _policy = new PolicyView(document, generation: 1, interfaces);
    }

    /// <summary>The policy packets are judged by.</summary>
    public PolicyDocument Policy => _policy.Document;

    /// <summary>How many flows are tracked now.</summary>
    public int TrackedFlowCount => _flows.Count;

    /// <summary>
    /// A policy change: the next packet of a tracked flow, whichever side sends it, judges the flow
    /// again as the connection it is, from the side that opened it (a flow now denied on an
    /// enforcing endpoint is stopped, both directions). Remembered first fragments keep their verdicts.
    /// </summary>
    public void ReplacePolicy(PolicyDocument next)
    {
        ArgumentNullException.ThrowIfNull(next);
        _policy = new PolicyView(next, _policy.Generation + 1, _policy.Interfaces);
    }

    /// <summary>Forgets every flow and fragment, as if they had all timed out.</summary>
    public void ForgetFlows()
    {
        _flows.Clear();
        _fragments.Clear();
    }

    /// <summary>Judges one packet, updating the flow state as the data plane would.</summary>
    public Judgement Judge(PacketFacts packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (packet.Shape == PacketShape.NotIp)
        {
            return new Judgement(Verdict.Unenforced, VerdictReason.NotIp, null, null,
                "Not an IP packet (ARP, LLDP, …): always passed, never judged.");
        }

        LocalEndpoint? listed = _policy.EndpointAt(packet.LocalAddress);
        LocalEndpoint? endpoint = listed ?? _policy.OwnerOf(packet.Interface);
        string where = EndpointSentence(packet, endpoint, listed is null && endpoint is not null);
        bool unjudged = endpoint is null || endpoint.Mode == EndpointMode.Off;

        if (packet.Shape == PacketShape.Malformed)
        {
            return unjudged
                ? Unjudged(where, endpoint)
                : Unjudgeable(endpoint!, VerdictReason.Malformed, where,
                    "Its headers are truncated or invalid, so no rule can judge it: malformed packets are dropped when the endpoint enforces, passed and counted in monitor mode.");
        }

        if (packet.Shape != PacketShape.LaterFragment && IcmpKinds.IsNeighborDiscovery(packet.Protocol, packet.IcmpType))
        {
            return new Judgement(Verdict.Unenforced, VerdictReason.NeighborDiscovery, null, null,
                $"ICMPv6 type {packet.IcmpType} is neighbor discovery (types 133–137): always passed, or IPv6 would stop working.")
            {
                LocalIdentity = endpoint?.Identity,
                Mode = endpoint?.Mode,
            };
        }

        if (packet.Shape == PacketShape.LaterFragment)
        {
            return unjudged ? Unjudged(where, endpoint) : JudgeLaterFragment(packet, endpoint!, where);
        }

        Judgement judged = JudgeWhole(packet, endpoint, where);
        if (packet.Shape == PacketShape.FirstFragment)
        {
            _fragments[FragmentKey.Of(packet)] = judged;
        }

        return judged;
    }

    private Judgement JudgeLaterFragment(PacketFacts packet, LocalEndpoint endpoint, string where)
    {
        if (_fragments.TryGetValue(FragmentKey.Of(packet), out Judgement? first))
        {
            Verdict outcome = first.Outcome;
            return first with
            {
                Reason = VerdictReason.Fragment,
                Explanation = $"{where} A later fragment (id {packet.FragmentId}) follows its datagram's first fragment, which was judged {Describe(outcome)} ({first.Reason}).",
            };
        }

        return Unjudgeable(endpoint, VerdictReason.FragmentUntracked, where,
            $"A later fragment (id {packet.FragmentId}) whose first fragment was never seen cannot be judged: fragments are never a way around the policy.");
    }

    // Passed unjudged: no endpoint lists the local address, or its endpoint's mode is off.
    private static Judgement Unjudged(string where, LocalEndpoint? endpoint) =>
        new(Verdict.Unenforced, VerdictReason.EndpointOff, null, null, where)
        {
            LocalIdentity = endpoint?.Identity,
            Mode = endpoint?.Mode,
        };

    // A packet the rules cannot judge: dropped when enforcing, would-deny in monitor mode.
    private static Judgement Unjudgeable(LocalEndpoint endpoint, VerdictReason reason, string where, string why)
    {
        bool enforce = endpoint.Mode == EndpointMode.Enforce;
        string applied = enforce ? "The endpoint enforces: dropped." : "The endpoint is in monitor mode: passed, and reported as would deny.";
        return new Judgement(enforce ? Verdict.Deny : Verdict.WouldDeny, reason, null, null, $"{where} {why} {applied}")
        {
            LocalIdentity = endpoint.Identity,
            Mode = endpoint.Mode,
        };
    }

    private static string EndpointSentence(PacketFacts packet, LocalEndpoint? endpoint, bool byInterface)
    {
        string side = packet.Direction == Direction.Ingress ? "the destination of this arriving packet" : "the source of this leaving packet";
        IPAddress local = packet.LocalAddress;
        string owned = $"The local address {local} ({side}) is listed by no endpoint; it is on {packet.Interface}, which endpoint '{endpoint?.Identity}' owns";
        return endpoint switch
        {
            null when packet.Interface is null => $"The local address {local} ({side}) is listed by no endpoint, so the packet is passed unjudged (on an interface where an endpoint lists another address, that endpoint would judge it).",
            null => $"The local address {local} ({side}) is listed by no endpoint, and no endpoint owns {packet.Interface}, so the packet is passed unjudged.",
            { Mode: EndpointMode.Off } when byInterface => $"{owned}, whose mode is off: it passes everything and reports nothing.",
            _ when byInterface => $"{owned} (mode {ModeName(endpoint.Mode)}).",
            { Mode: EndpointMode.Off } => $"The local address {local} ({side}) is endpoint '{endpoint.Identity}', whose mode is off: it passes everything and reports nothing.",
            _ => $"The local address {local} ({side}) is endpoint '{endpoint.Identity}' (mode {ModeName(endpoint.Mode)}).",
        };
    }

    private static string ModeName(EndpointMode mode) => mode.ToString().ToLowerInvariant();

    private static string Describe(Verdict outcome) => outcome switch
    {
        Verdict.Allow => "allow",
        Verdict.Deny => "deny",
        Verdict.WouldDeny => "would deny",
        _ => "unenforced",
    };
}
