using Microseg.Flows.Records;
using Microseg.Flows.Replay;
using Microseg.Policy.Evaluation;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Flows.Simulation;

/// <summary>
/// "What breaks if I enforce this?": every recorded flow's first packet is judged by the new policy
/// with the reference evaluator and compared with the current verdict. A flow is blocked when
/// it is denied or would be denied (monitor mode is read as enforced: the question is what
/// enforcement would do), and let through otherwise (allowed, or unjudged because no endpoint
/// lists the local address or its mode is off). The current verdict is the current policy's
/// judgement when one is given, else the verdict the kernel recorded.
/// </summary>
public static class PolicySimulator
{
    public static SimulationReport Run(IEnumerable<FlowRecord> records, PolicyDocument next, PolicyDocument? current = null)
    {
        ArgumentNullException.ThrowIfNull(next);
        var nextEvaluator = new ReferenceEvaluator(next);
        ReferenceEvaluator? currentEvaluator = current is null ? null : new ReferenceEvaluator(current);
        var blocked = new Dictionary<(string, string, Direction, byte, ushort, string), SimulatedChange>();
        var allowed = new Dictionary<(string, string, Direction, byte, ushort, string), SimulatedChange>();
        ulong replayed = 0;
        foreach (FlowRecord record in records)
        {
            if (!record.IsJudgedFlow)
            {
                continue;
            }

            replayed++;
            PacketFacts packet = FlowReplay.FirstPacket(record);
            bool wasBlocked = currentEvaluator is null
                ? FlowReplay.Blocks(record.Verdict)
                : FlowReplay.Blocks(FlowReplay.JudgeAlone(currentEvaluator, packet).Outcome);
            Judgement judged = FlowReplay.JudgeAlone(nextEvaluator, packet);
            bool willBlock = FlowReplay.Blocks(judged.Outcome);
            if (wasBlocked == willBlock)
            {
                continue;
            }

            var key = (record.LocalIdentity, record.RemoteIdentity, record.Direction, record.Protocol, record.PolicyPort, judged.RuleName ?? "default");
            var into = willBlock ? blocked : allowed;
            if (!into.TryGetValue(key, out SimulatedChange? change))
            {
                into.Add(key, change = new SimulatedChange(key.LocalIdentity, key.RemoteIdentity, key.Direction, key.Protocol, key.PolicyPort, key.Item6));
            }

            change.Flows++;
            change.FirstSeen = record.Time < change.FirstSeen ? record.Time : change.FirstSeen;
            change.LastSeen = record.Time > change.LastSeen ? record.Time : change.LastSeen;
        }

        return new SimulationReport(replayed, Ordered(blocked.Values), Ordered(allowed.Values));
    }

    private static List<SimulatedChange> Ordered(IEnumerable<SimulatedChange> changes) =>
        changes.OrderByDescending(c => c.Flows).ThenBy(c => c.Local, StringComparer.Ordinal).ThenBy(c => c.Peer, StringComparer.Ordinal)
            .ThenBy(c => c.Protocol).ThenBy(c => c.Port).ToList();
}
