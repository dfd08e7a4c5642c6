using Prometheus;

namespace Microseg.Agent.Metrics;

/// <summary>
/// One prometheus-net family whose series are set from a scrape's snapshot, so it exposes exactly
/// the series the snapshot has: one that is gone from it (a rule removed, an interface detached)
/// is removed, and a kernel counter that went back (the maps were replaced) is shown as read,
/// a drop Prometheus takes for a counter reset. Used by one scrape at a time.
/// </summary>
internal sealed class SnapshotSeries
{
    // Exactly one of the two is set: the family is a counter or a gauge.
    private readonly Counter? _counter;
    private readonly Gauge? _gauge;

    // The label values of every series now exposed, by their NUL-joined key.
    private readonly Dictionary<string, string[]> _exposed = new(StringComparer.Ordinal);

    // The keys set since the last Prune.
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);

    public SnapshotSeries(Counter counter) => _counter = counter;

    public SnapshotSeries(Gauge gauge) => _gauge = gauge;

    /// <summary>Sets the series with these label values (in the family's label order) to <paramref name="value"/>.</summary>
    public void Set(double value, params string[] labelValues)
    {
        string key = string.Join('\0', labelValues);
        _set.Add(key);
        _exposed.TryAdd(key, labelValues);
        if (_gauge is not null)
        {
            if (labelValues.Length == 0)
                _gauge.Set(value);
            else
                _gauge.WithLabels(labelValues).Set(value);
            return;
        }

        Counter counter = _counter!;
        double current = labelValues.Length == 0 ? counter.Value : counter.WithLabels(labelValues).Value;
        // IncTo only ever raises a counter; a lower reading is a new count, begun from zero.
        if (value < current)
            counter.RemoveLabelled(labelValues);
        if (labelValues.Length == 0)
            counter.IncTo(value);
        else
            counter.WithLabels(labelValues).IncTo(value);
    }

    /// <summary>Removes the series not set since the last call.</summary>
    public void Prune()
    {
        foreach (var (key, labelValues) in _exposed)
        {
            if (_set.Contains(key))
                continue;
            _exposed.Remove(key);
            if (labelValues.Length > 0)
                Remove(labelValues);
        }

        _set.Clear();
    }

    private void Remove(string[] labelValues)
    {
        if (_counter is not null)
            _counter.RemoveLabelled(labelValues);
        else
            _gauge!.RemoveLabelled(labelValues);
    }
}
