using System.Diagnostics.Metrics;
using System.Text;

namespace Microseg.Agent.Metrics;

/// <summary>
/// Writes one meter's observable instruments in the Prometheus text exposition format 0.0.4.
/// A <see cref="MeterListener"/> records the instruments on demand (one scrape, one pass over the
/// callbacks); each instrument becomes one family with its HELP and TYPE lines once, observable
/// counters as <c>counter</c>, observable gauges and up-down counters as <c>gauge</c>. Families
/// come in name order and series in label order, so equal states give byte-equal text.
/// </summary>
/// <remarks>
/// Only observable instruments are exposed: their callbacks report totals, which is what a scrape
/// wants. Synchronous instruments report deltas that would need aggregating here and are ignored.
/// Two measurements with the same labels would be one series twice, which Prometheus rejects:
/// counters are summed and gauges keep the last value.
/// </remarks>
public sealed class PrometheusExposition : IDisposable
{
    /// <summary>The content type of the text this class writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    // The meter whose instruments are exposed; other meters in the process are not ours to show.
    private readonly Meter _meter;

    // Opens the scope in which callbacks share one snapshot; null when there is none to open.
    private readonly Func<IDisposable>? _beginScrape;

    // Records the instruments when asked; its callbacks fill _collecting.
    private readonly MeterListener _listener;

    // Serializes scrapes: the listener's callbacks write into the one collection in progress.
    private readonly Lock _gate = new();

    // The instruments being listened to, so a family with no series still has its HELP and TYPE.
    // Written by the listener's publish and completion callbacks, read by scrapes; guarded by itself.
    private readonly List<Instrument> _instruments = [];

    // Families of the scrape in progress, by instrument; only touched under _gate.
    private readonly Dictionary<Instrument, MetricFamily> _collecting = [];

    /// <param name="meter">The meter to expose.</param>
    /// <param name="beginScrape">Called before each collection; the scope it returns is disposed after.</param>
    public PrometheusExposition(Meter meter, Func<IDisposable>? beginScrape = null)
    {
        _meter = meter;
        _beginScrape = beginScrape;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!ReferenceEquals(instrument.Meter, _meter) || !instrument.IsObservable)
                    return;
                lock (_instruments)
                {
                    _instruments.Add(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            },
            MeasurementsCompleted = (instrument, _) =>
            {
                lock (_instruments)
                {
                    _instruments.Remove(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Family(instrument).Add(tags, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Family(instrument).Add(tags, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Family(instrument).Add(tags, value));
        _listener.Start();
    }

    /// <summary>Records every instrument once and returns the exposition text.</summary>
    public string Collect()
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            _collecting.Clear();
            lock (_instruments)
            {
                foreach (Instrument instrument in _instruments)
                {
                    Family(instrument);
                }
            }

            using (_beginScrape?.Invoke())
            {
                _listener.RecordObservableInstruments();
            }

            foreach (MetricFamily family in _collecting.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.WriteTo(text);
            }

            _collecting.Clear();
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private MetricFamily Family(Instrument instrument)
    {
        if (!_collecting.TryGetValue(instrument, out MetricFamily? family))
        {
            family = new MetricFamily(instrument);
            _collecting.Add(instrument, family);
        }

        return family;
    }
}
