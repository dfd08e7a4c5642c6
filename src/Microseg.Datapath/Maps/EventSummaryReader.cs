using Microseg.Bpf;
using Microseg.Datapath.Abi;

namespace Microseg.Datapath.Maps;

/// <summary>
/// Takes the kernel's summaries of denials without an event (ms_event_summaries): flips the
/// epoch the programs count under, waits until no program still counts under the old one, then
/// reads and deletes that epoch's entries and overflow counters. Every denial is so read exactly
/// once: none is written while its entry is read and deleted. One caller at a time.
/// </summary>
public sealed class EventSummaryReader(DatapathMaps maps)
{
    // Reused between drains: the keys of the retired epoch, and one value per CPU.
    private readonly List<EventSummaryKey> _retired = [];
    private readonly TrafficCounter[] _perCpu = new TrafficCounter[BpfMap.PossibleCpuCount];

    /// <summary>
    /// Retires the live epoch and returns what was counted under it, summed over CPUs; the
    /// entries are gone after. (What an interrupted drain left comes with the next one.)
    /// </summary>
    public List<EventSummary> Drain()
    {
        uint retired = maps.EventSummaryControl.TryLookup(0, out var control) ? control.Epoch & 1 : 0;
        maps.EventSummaryControl.Update(0, new EventSummaryControl { Epoch = retired ^ 1 });
        // A program that read the old epoch just before the flip may still be counting under it.
        maps.WaitForRunningPrograms();

        var result = new List<EventSummary>();
        _retired.Clear();
        foreach (var key in maps.EventSummaries.Keys)
        {
            if (key.Epoch == retired)
                _retired.Add(key);
        }
        foreach (var key in _retired)
        {
            if (maps.EventSummaries.TryLookupPerCpu(key, _perCpu) && DatapathMaps.Sum(_perCpu) is { Packets: > 0 } total)
                result.Add(new EventSummary(key, total.Packets, total.Bytes, Overflow: false));
            maps.EventSummaries.Delete(key);
        }
        var zero = new TrafficCounter[BpfMap.PossibleCpuCount];
        for (uint verdict = 0; verdict < AbiConstants.VerdictCount; verdict++)
        {
            uint index = retired * AbiConstants.VerdictCount + verdict;
            if (maps.EventSummaryOverflow.TryLookupPerCpu(index, _perCpu) && DatapathMaps.Sum(_perCpu) is { Packets: > 0 } total)
            {
                result.Add(new EventSummary(new EventSummaryKey { Verdict = (Verdict)verdict, Epoch = (byte)retired }, total.Packets, total.Bytes, Overflow: true));
                maps.EventSummaryOverflow.UpdatePerCpu(index, zero);
            }
        }
        return result;
    }
}
