using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;

namespace Microseg.Policy.Evaluation;

/// <summary>Whole packets and first fragments: ICMP errors, tracked flows, policy changes and new flows.</summary>
public sealed partial class ReferenceEvaluator
{
    private Judgement JudgeWhole(PacketFacts packet, LocalEndpoint? endpoint, string where)
    {
        bool isError = IcmpKinds.IsError(packet.Protocol, packet.IcmpType);
        if (isError && packet.Quote is { } quote)
        {
            FlowKey quoted = FlowKey.OfQuote(quote, packet.Direction);
            if (_flows.TryGetValue(quoted, out TrackedFlow? about) && about.Outcome == Verdict.Allow && about.Generation == _policy.Generation)
            {
                return Decided(Verdict.Allow, VerdictReason.Related, about.Decision, endpoint, null,
                    $"{where} It is an ICMP error ({IcmpKinds.Describe(packet.Protocol, 0, packet.IcmpType)}) about the tracked flow {quoted}, which is currently allowed ({Admitted(about.Decision)}): it passes with that flow.");
            }
        }

        // A connection attempt is always judged afresh; an ICMP error belongs to no flow of its own.
        FlowKey key = FlowKey.Of(packet);
        TrackedFlow? flow = null;
        bool syn = IcmpKinds.IsConnectionAttempt(packet);
        if (!isError && !syn)
        {
            _flows.TryGetValue(key, out flow);
        }

        if (flow is not null && flow.Generation == _policy.Generation && flow.Outcome == Verdict.Deny)
        {
            return Decided(Verdict.Deny, VerdictReason.PolicyRevoked, flow.Decision, endpoint, null,
                $"{where} It belongs to the tracked flow {key}, which a policy change revoked (denied {Admitted(flow.Decision)}): every later packet of it, either direction, is dropped, so neither side can open it again behind the revocation.");
        }

        if (flow is not null && flow.Generation == _policy.Generation)
        {
            string verdict = flow.Outcome == Verdict.Allow ? "allowed" : "judged would deny";
            return Decided(flow.Outcome, VerdictReason.Established, flow.Decision, endpoint, null,
                $"{where} It belongs to the tracked flow {key}, {verdict} on its first packet ({Admitted(flow.Decision)}): the rest of a flow, both directions, follows that verdict without consulting the rules.");
        }

        if (endpoint is null || endpoint.Mode == EndpointMode.Off)
        {
            return Unjudged(where, endpoint);
        }

        return flow is not null ? Rejudge(packet, key, flow, endpoint, where) : JudgeNewFlow(packet, key, endpoint, where, isError, syn);
    }

    // A flow tracked under an older policy, whichever side sends this packet: judged again as the
    // connection it is, from the side that opened it (opener unknown: from both).
    private Judgement Rejudge(PacketFacts packet, FlowKey key, TrackedFlow flow, LocalEndpoint endpoint, string where)
    {
        FlowQuestion question = _policy.Question(endpoint, key.Remote, flow.OriginDirection, key.Protocol, flow.OriginPort, flow.OriginIcmpType);
        PolicyDecision decision = _policy.Decide(endpoint, question);
        string either = "";
        if (!flow.OpenerKnown)
        {
            (question, decision, either) = DecideEitherOpener(endpoint, key, question, decision);
        }

        PeerMatch peer = _policy.PeerOf(key.Remote);
        string head = $"{where} Peer {key.Remote} is {peer.Why}. The policy changed since the flow {key} was admitted, so this packet is judged again as the connection it is, from the side that opened it ({question}).{either} {decision.Sentence}";
        Verdict before = flow.Outcome;
        flow.Generation = _policy.Generation;
        flow.Decision = decision;
        if (decision.Action == RuleAction.Deny && endpoint.Mode == EndpointMode.Enforce)
        {
            flow.Outcome = Verdict.Deny;
            return Decided(Verdict.Deny, VerdictReason.PolicyRevoked, decision, endpoint, peer,
                $"{head} The endpoint enforces: the policy now denies the flow, so it is stopped, both directions, until it times out or a policy allows it again.");
        }

        flow.Outcome = decision.Action == RuleAction.Allow ? Verdict.Allow : Verdict.WouldDeny;
        string applied = flow.Outcome == Verdict.Allow
            ? before == Verdict.Deny ? "The flow, revoked before, is allowed again." : "The flow stays allowed under the new policy."
            : "The endpoint is in monitor mode: the flow passes and is reported as would deny.";
        return Decided(flow.Outcome, VerdictReason.Established, decision, endpoint, peer, $"{head} {applied}");
    }

    // A TCP flow whose opener is unknown is allowed only if it is allowed whichever side opened it:
    // when the connection `first` describes is allowed, the reverse one (the other side opening it,
    // to the other side's port) is asked too, and decides if it is not allowed.
    private (FlowQuestion Question, PolicyDecision Decision, string Sentence) DecideEitherOpener(
        LocalEndpoint endpoint, FlowKey key, FlowQuestion first, PolicyDecision decision)
    {
        if (decision.Action != RuleAction.Allow)
        {
            return (first, decision, " Which side opened this TCP connection is not known; that alone already decides.");
        }

        Direction reverse = first.Direction == Direction.Ingress ? Direction.Egress : Direction.Ingress;
        ushort port = reverse == Direction.Ingress ? key.LocalPort : key.RemotePort;
        FlowQuestion other = _policy.Question(endpoint, key.Remote, reverse, key.Protocol, port, 0);
        PolicyDecision otherDecision = _policy.Decide(endpoint, other);
        return otherDecision.Action == RuleAction.Allow
            ? (first, decision, $" Which side opened this TCP connection is not known, and the other side opening it ({other}) is allowed too.")
            : (other, otherDecision, $" Which side opened this TCP connection is not known: {first} is allowed, so it is judged as the other side opening it ({other}).");
    }

    private Judgement JudgeNewFlow(PacketFacts packet, FlowKey key, LocalEndpoint endpoint, string where, bool isError, bool syn)
    {
        FlowQuestion question = _policy.Question(endpoint, packet.RemoteAddress, packet.Direction, packet.Protocol, packet.DestinationPort, packet.IcmpType);
        PolicyDecision decision = _policy.Decide(endpoint, question);
        // A TCP segment other than a SYN belongs to a connection opened earlier, by either side.
        bool midStream = packet.Protocol == IcmpKinds.Tcp && !syn;
        string either = "";
        if (midStream)
        {
            (question, decision, either) = DecideEitherOpener(endpoint, key, question, decision);
        }

        PeerMatch peer = _policy.PeerOf(packet.RemoteAddress);
        bool rst = packet.Protocol == IcmpKinds.Tcp && packet.TcpFlags.HasFlag(TcpFlagBits.Rst);
        bool trackable = !isError && !rst;

        Verdict outcome = decision.Action == RuleAction.Allow ? Verdict.Allow
            : endpoint.Mode == EndpointMode.Enforce ? Verdict.Deny
            : Verdict.WouldDeny;
        string applied = outcome switch
        {
            Verdict.Allow => "Allowed.",
            Verdict.Deny => "The endpoint enforces: dropped.",
            _ => "The endpoint is in monitor mode: passed, and reported as would deny.",
        };

        string tracking;
        if (!trackable)
        {
            tracking = isError ? " An ICMP error is judged but never opens a flow." : " A TCP RST of no known flow is judged but never opens a flow.";
        }
        else if (outcome == Verdict.Deny)
        {
            tracking = "";
        }
        else
        {
            bool replaced = syn && _flows.ContainsKey(key);
            Direction origin = question.Direction;
            _flows[key] = new TrackedFlow(origin, question.DestinationPort, packet.IcmpType, openerKnown: !midStream)
            {
                Outcome = outcome,
                Generation = _policy.Generation,
                Decision = decision,
            };
            tracking = (replaced ? " A TCP SYN opens its flow afresh, replacing the one tracked before." : "")
                + " The flow is now tracked: the rest of it, both directions, follows this verdict.";
        }

        return Decided(outcome, decision.Reason, decision, endpoint, peer,
            $"{where} Peer {packet.RemoteAddress} is {peer.Why}.{either} {decision.Sentence} {applied}{tracking}");
    }

    private static Judgement Decided(Verdict outcome, VerdictReason reason, PolicyDecision decision, LocalEndpoint? endpoint, PeerMatch? peer, string explanation) =>
        new(outcome, reason, decision.RuleName, decision.RuleKind, explanation)
        {
            RulePosition = decision.RulePosition,
            LocalIdentity = endpoint?.Identity,
            PeerIdentity = peer?.Identity.Name,
            Mode = endpoint?.Mode,
        };

    private static string Admitted(PolicyDecision decision) => decision.RuleName is null
        ? "by the endpoint's default"
        : $"by {decision.RuleKind} '{decision.RuleName}'";
}
