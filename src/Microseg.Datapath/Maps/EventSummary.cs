using Microseg.Datapath.Abi;

namespace Microseg.Datapath.Maps;

/// <summary>
/// The denials without an event of one ms_event_summaries key over one epoch, summed over CPUs;
/// or, with <see cref="Overflow"/>, those of one verdict that found the summary map full (only
/// <see cref="EventSummaryKey.Verdict"/> is then set).
/// </summary>
public readonly record struct EventSummary(EventSummaryKey Key, ulong Packets, ulong Bytes, bool Overflow);
