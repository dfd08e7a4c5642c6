using System.Net;

namespace Microseg.Bench.Sre;

/// <summary>
/// The allow list every configuration is given, in its own terms: <see cref="Count"/> (source
/// address, UDP destination port) pairs. Rule i allows 172.16.0.0 + i to port 10000 + i mod
/// 50000; the last rule allows the sender's own address to <see cref="AllowedPort"/>, so the
/// measured flow matches the final rule of a linear chain (its worst case, as an allow list
/// appended to over time would have it). <see cref="DeniedPort"/> matches no rule.
/// </summary>
internal sealed class RuleSet(int count, IPAddress sender)
{
    public const ushort DeniedPort = 9;
    private const uint FirstOther = 0xAC10_0000; // 172.16.0.0

    public int Count { get; } = count;

    public ushort AllowedPort => Port(Count - 1);

    public IEnumerable<(IPAddress Source, ushort Port)> Rules()
    {
        for (var i = 0; i < Count; i++)
            yield return (Source(i), Port(i));
    }

    private IPAddress Source(int i) =>
        i == Count - 1 ? sender : new IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(FirstOther + (uint)i)));

    private static ushort Port(int i) => (ushort)(10000 + i % 50000);
}
