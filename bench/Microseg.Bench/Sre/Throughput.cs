namespace Microseg.Bench.Sre;

/// <summary>One configuration at one rule count: every round's rate at the receiver, in packets per second.</summary>
internal sealed record Throughput(string Config, int Rules, IReadOnlyList<double> RoundsPps)
{
    public double MedianKpps => Datapath.Spread.Of(RoundsPps).Median / 1000;
    public double MinKpps => RoundsPps.Min() / 1000;
    public double MaxKpps => RoundsPps.Max() / 1000;
    /// <summary>Receiver time per packet at the median rate.</summary>
    public double NsPerPacket => 1e6 / MedianKpps;
}
