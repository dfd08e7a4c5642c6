using System.Globalization;

namespace Microseg.Bench.Sre;

/// <summary>
/// The receiver namespace's own counters, read through /proc/thread-self/net (which shows the
/// calling thread's namespace): the veth's received frames and the UDP layer's datagrams.
/// </summary>
/// <param name="Frames">
/// rx_packets of the receiving veth: every frame its NAPI poll took off the ring, whatever the
/// verdict (veth counts XDP-processed frames, dropped ones included). What a dropping
/// configuration "receives".
/// </param>
/// <param name="Datagrams">
/// UDP datagrams that reached a socket: InDatagrams (read) plus RcvbufErrors (the sink is never
/// read, so nearly all land here once its buffer is full — after the whole stack, netfilter
/// included, has handled them). What a passing configuration delivers.
/// </param>
internal readonly record struct ReceiverCounters(ulong Frames, ulong Datagrams)
{
    public static ReceiverCounters Read(VethPair pair) => pair.Receiver.Run(() =>
        new ReceiverCounters(RxPackets(pair.ReceiverInterface), UdpDelivered()));

    private static ulong RxPackets(string device)
    {
        // "  dev: rx_bytes rx_packets ..." after two header lines.
        foreach (var line in File.ReadLines("/proc/thread-self/net/dev").Skip(2))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == device)
                return ulong.Parse(line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"{device} is not in /proc/net/dev of its namespace");
    }

    private static ulong UdpDelivered()
    {
        // Two "Udp:" lines: the field names, then the values.
        var udp = File.ReadLines("/proc/thread-self/net/snmp").Where(l => l.StartsWith("Udp:", StringComparison.Ordinal)).ToArray();
        if (udp.Length < 2)
            throw new InvalidOperationException("no Udp lines in /proc/net/snmp");
        var names = udp[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = udp[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        ulong Field(string name) => ulong.Parse(values[Array.IndexOf(names, name)], CultureInfo.InvariantCulture);
        return Field("InDatagrams") + Field("RcvbufErrors");
    }

    public static ReceiverCounters operator -(ReceiverCounters a, ReceiverCounters b) =>
        new(a.Frames - b.Frames, a.Datagrams - b.Datagrams);
}
