using Microseg.Flows.Records;

namespace Microseg.Agent.Flows;

/// <summary>
/// The last <see cref="Capacity"/> flow records, oldest overwritten first. Not thread-safe: its
/// owner (<see cref="FlowStore"/>) writes and copies it under one lock. Adding allocates nothing
/// (records are structs; their strings are the name table's).
/// </summary>
public sealed class RecentFlows
{
    // The records, written round-robin; slots past _count are unused.
    private readonly FlowRecord[] _records;

    // Where the next record goes.
    private int _next;

    // How many slots hold a record (at most the capacity).
    private int _count;

    public RecentFlows(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _records = new FlowRecord[capacity];
    }

    public int Capacity => _records.Length;

    public int Count => _count;

    /// <summary>Records added since start, including those overwritten since.</summary>
    public long Added { get; private set; }

    /// <summary>Adds a record; returns its sequence number (records added before it), which <see cref="SetLocalUnit"/> takes.</summary>
    public long Add(in FlowRecord record)
    {
        _records[_next] = record;
        _next = _next + 1 == _records.Length ? 0 : _next + 1;
        if (_count < _records.Length)
            _count++;
        return Added++;
    }

    /// <summary>Names the local unit of the record added as <paramref name="sequence"/>, unless it has been overwritten since.</summary>
    public void SetLocalUnit(long sequence, string? unit)
    {
        if (sequence < 0 || sequence >= Added || Added - sequence > _records.Length)
            return;
        // Slot i holds the records whose sequence is i modulo the capacity: _next starts at 0 and wraps.
        ref FlowRecord slot = ref _records[sequence % _records.Length];
        slot = slot with { LocalUnit = unit };
    }

    /// <summary>The newest <paramref name="limit"/> records (all when larger), oldest first.</summary>
    public FlowRecord[] Newest(int limit)
    {
        var take = Math.Clamp(limit, 0, _count);
        var copy = new FlowRecord[take];
        var start = _next - take;
        if (start < 0)
            start += _records.Length;
        for (var i = 0; i < take; i++)
            copy[i] = _records[(start + i) % _records.Length];
        return copy;
    }
}
