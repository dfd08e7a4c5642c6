using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Microseg.Agent.Metrics;

/// <summary>
/// One instrument's measurements during a scrape, written as a Prometheus text-format family:
/// <c># HELP</c>, <c># TYPE</c>, then one line per distinct label set, ordered by label values in the
/// order the instrument gives its labels (so by interface, then direction, then verdict…).
/// </summary>
internal sealed partial class MetricFamily
{
    // The series by their canonical key (labels sorted by name), so the same labels given in
    // another order are still one series. The value keeps the labels in the order first given.
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);

    public MetricFamily(Instrument instrument)
    {
        Debug.Assert(MetricName().IsMatch(instrument.Name), $"'{instrument.Name}' is not a Prometheus metric name");
        Name = instrument.Name;
        Help = instrument.Description ?? instrument.Name;
        IsCounter = instrument.GetType().IsGenericType
            && instrument.GetType().GetGenericTypeDefinition() == typeof(ObservableCounter<>);
    }

    /// <summary>The metric name, used unchanged as the family name and the sample name.</summary>
    public string Name { get; }

    /// <summary>The instrument's description, the HELP text.</summary>
    public string Help { get; }

    /// <summary>True for a counter (only ever grows); false for a gauge.</summary>
    public bool IsCounter { get; }

    public void Add(ReadOnlySpan<KeyValuePair<string, object?>> tags, long value) => Add(tags, new Number(value, value));

    public void Add(ReadOnlySpan<KeyValuePair<string, object?>> tags, double value) => Add(tags, new Number(null, value));

    public void WriteTo(StringBuilder text)
    {
        text.Append("# HELP ").Append(Name).Append(' ');
        AppendEscaped(text, Help, escapeQuotes: false);
        text.Append('\n');
        text.Append("# TYPE ").Append(Name).Append(IsCounter ? " counter\n" : " gauge\n");
        foreach (Series series in _series.Values.OrderBy(s => s.SortKey, StringComparer.Ordinal))
        {
            text.Append(Name);
            if (series.Labels.Length > 0)
            {
                text.Append('{');
                for (int i = 0; i < series.Labels.Length; i++)
                {
                    if (i > 0)
                        text.Append(',');
                    text.Append(series.Labels[i].Key).Append("=\"");
                    AppendEscaped(text, series.Labels[i].Value, escapeQuotes: true);
                    text.Append('"');
                }

                text.Append('}');
            }

            text.Append(' ').Append(Format(series.Value)).Append('\n');
        }
    }

    /// <summary>
    /// Escapes for the text format: a backslash and a line feed everywhere, a double quote in label
    /// values (HELP text keeps its quotes as they are).
    /// </summary>
    internal static void AppendEscaped(StringBuilder text, string value, bool escapeQuotes)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\n': text.Append(@"\n"); break;
                case '"' when escapeQuotes: text.Append("\\\""); break;
                default: text.Append(c); break;
            }
        }
    }

    /// <summary>An integer as digits; a real in the shortest form that reads back equal, or NaN, +Inf, -Inf.</summary>
    internal static string Format(Number value)
    {
        if (value.Integer is long integer)
            return integer.ToString(CultureInfo.InvariantCulture);
        double real = value.Real;
        if (double.IsNaN(real))
            return "NaN";
        if (double.IsPositiveInfinity(real))
            return "+Inf";
        if (double.IsNegativeInfinity(real))
            return "-Inf";
        return real.ToString("R", CultureInfo.InvariantCulture);
    }

    private void Add(ReadOnlySpan<KeyValuePair<string, object?>> tags, Number value)
    {
        var labels = new KeyValuePair<string, string>[tags.Length];
        for (int i = 0; i < tags.Length; i++)
        {
            Debug.Assert(LabelName().IsMatch(tags[i].Key), $"'{tags[i].Key}' is not a Prometheus label name");
            labels[i] = new(tags[i].Key, Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
        }

        string key = string.Join('\u0000', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
        if (_series.TryGetValue(key, out Series? existing))
        {
            existing.Value = IsCounter ? existing.Value.Plus(value) : value;
            return;
        }

        _series.Add(key, new Series(labels, value));
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    /// <summary>A sample value: exact as an integer when every measurement was one, else a double.</summary>
    internal readonly record struct Number(long? Integer, double Real)
    {
        public Number Plus(Number other) =>
            Integer is long a && other.Integer is long b
                ? new Number(a + b, (double)(a + b))
                : new Number(null, Real + other.Real);
    }

    /// <summary>One time series: its labels in the order the instrument gave them, and its value.</summary>
    private sealed class Series(KeyValuePair<string, string>[] labels, Number value)
    {
        public KeyValuePair<string, string>[] Labels { get; } = labels;

        /// <summary>The label values in the order given, NUL-separated: the series' place in its family.</summary>
        public string SortKey { get; } = string.Join('\u0000', labels.Select(l => l.Value));

        public Number Value { get; set; } = value;
    }
}
