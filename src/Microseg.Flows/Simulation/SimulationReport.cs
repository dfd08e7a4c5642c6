namespace Microseg.Flows.Simulation;

/// <summary>What replaying the recorded flows through a new policy found.</summary>
/// <param name="Replayed">Flows replayed (first packets judged by the policy when recorded).</param>
/// <param name="NewlyBlocked">Flows the current policy lets through and the new one would block, busiest first.</param>
/// <param name="NewlyAllowed">Flows the current policy blocks and the new one would let through, busiest first.</param>
public sealed record SimulationReport(ulong Replayed, IReadOnlyList<SimulatedChange> NewlyBlocked, IReadOnlyList<SimulatedChange> NewlyAllowed)
{
    public ulong NewlyBlockedFlows => (ulong)NewlyBlocked.Sum(c => (decimal)c.Flows);

    public ulong NewlyAllowedFlows => (ulong)NewlyAllowed.Sum(c => (decimal)c.Flows);

    public ulong Unchanged => Replayed - NewlyBlockedFlows - NewlyAllowedFlows;
}
