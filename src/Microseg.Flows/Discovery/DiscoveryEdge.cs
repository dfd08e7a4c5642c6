using Microseg.Datapath.Abi;
using Microseg.Flows.Records;

namespace Microseg.Flows.Discovery;

/// <summary>One edge of the dependency map: flows of one <see cref="EdgeKey"/>, counted.</summary>
public sealed class DiscoveryEdge
{
    internal DiscoveryEdge(EdgeKey key)
    {
        Key = key;
    }

    public EdgeKey Key { get; }

    /// <summary>Flows seen (first packets judged by the policy; each denial a deny summary counts is one too).</summary>
    public ulong Flows { get; internal set; }

    /// <summary>Flows allowed.</summary>
    public ulong Allowed { get; internal set; }

    /// <summary>Flows dropped (enforce).</summary>
    public ulong Denied { get; internal set; }

    /// <summary>Flows passed in monitor mode that enforcement would drop.</summary>
    public ulong WouldDeny { get; internal set; }

    /// <summary>Of the denials, those the kernel counted without an event (rate limit, budget or full ring): from the deny summaries.</summary>
    public ulong Suppressed { get; internal set; }

    /// <summary>Packets: one per first packet, plus each ended flow's total.</summary>
    public ulong Packets { get; internal set; }

    /// <summary>Bytes, counted like <see cref="Packets"/>.</summary>
    public ulong Bytes { get; internal set; }

    public DateTimeOffset FirstSeen { get; internal set; }

    public DateTimeOffset LastSeen { get; internal set; }

    /// <summary>Up to <see cref="DiscoveryOptions.MaxSamplesPerEdge"/> distinct address pairs, first seen first.</summary>
    public IReadOnlyList<AddressPair> Samples => _samples;

    internal readonly List<AddressPair> _samples = [];

    /// <summary>
    /// The local units (systemd units of the sockets on this host's side) the edge's flows were
    /// named with, up to <see cref="DiscoveryOptions.MaxLocalUnitsPerEdge"/>, first named first;
    /// empty when none was (docs/flows.md, "Local unit").
    /// </summary>
    public IReadOnlyList<string> LocalUnits => _localUnits;

    internal readonly List<string> _localUnits = [];

    /// <summary>This edge's place in the graph's recency list (least recently seen first).</summary>
    internal LinkedListNode<DiscoveryEdge>? Recency;

    /// <summary>Allowed plus would-deny: the flows a policy meant to keep working must allow.</summary>
    public ulong Wanted => Allowed + WouldDeny;

    internal void Count(in FlowRecord record, int maxSamples)
    {
        if (Flows == 0 || record.Time < FirstSeen)
        {
            FirstSeen = record.Time;
        }

        if (record.Time > LastSeen)
        {
            LastSeen = record.Time;
        }

        if (record.Kind == FlowEventKind.DenySummary)
        {
            // Denials the kernel counted without events: each counts as a flow, and as
            // suppressed; a summary carries no addresses to sample.
            Flows += record.Packets;
            if (record.Verdict == Verdict.Deny)
            {
                Denied += record.Packets;
            }
            else
            {
                WouldDeny += record.Packets;
            }

            Suppressed += record.Suppressed;
            Packets += record.Packets;
            Bytes += record.Bytes;
            return;
        }

        Flows++;
        switch (record.Verdict)
        {
            case Verdict.Allow:
                Allowed++;
                break;
            case Verdict.Deny:
                Denied++;
                break;
            case Verdict.WouldDeny:
                WouldDeny++;
                break;
        }

        Suppressed += record.Suppressed;
        Packets += record.Packets;
        Bytes += record.Bytes;
        var pair = new AddressPair(record.LocalAddress, record.RemoteAddress);
        if (_samples.Count < maxSamples && !_samples.Contains(pair))
        {
            _samples.Add(pair);
        }
    }
}
