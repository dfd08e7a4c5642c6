using System.Buffers.Binary;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;

namespace Microseg.Bench.Datapath;

/// <summary>Variations of fixture frames: the same packet from other source ports or addresses.</summary>
internal static class Frames
{
    public const uint XdpDrop = 1, XdpPass = 2;

    /// <summary>What the XDP program must return for a fixture row.</summary>
    public static uint ExpectedReturn(DatapathFixture row) => row.Dropped ? XdpDrop : XdpPass;

    /// <summary>Offset of the TCP/UDP header in an untagged IPv4 or extension-free IPv6 frame.</summary>
    public static int TransportOffset(byte[] frame)
    {
        var ethertype = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12));
        return ethertype switch
        {
            0x0800 => FrameEdits.Ethernet + (frame[FrameEdits.Ethernet] & 0xf) * 4,
            0x86DD => FrameEdits.Ethernet + 40,
            _ => throw new ArgumentException($"frame with EtherType 0x{ethertype:x4} is not plain IPv4/IPv6"),
        };
    }

    public static ushort SourcePort(byte[] frame) =>
        BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(TransportOffset(frame)));

    public static byte[] WithSourcePort(byte[] frame, ushort port) =>
        FrameEdits.SetUInt16(frame, TransportOffset(frame), port);

    /// <summary>
    /// count copies of frame from distinct source ports starting at 1024, skipping
    /// <paramref name="avoid"/> (ports whose flows exist already).
    /// </summary>
    public static List<byte[]> FromDistinctSourcePorts(byte[] frame, int count, IReadOnlySet<ushort> avoid)
    {
        var frames = new List<byte[]>(count);
        for (var port = 1024; frames.Count < count; port++)
        {
            if (port > ushort.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(count), count, "more flows than source ports");
            if (!avoid.Contains((ushort)port))
                frames.Add(WithSourcePort(frame, (ushort)port));
        }
        return frames;
    }

    /// <summary>
    /// count copies of an untagged IPv4 frame, each from its own source address counting up
    /// from <paramref name="first"/>, the header checksum set right.
    /// </summary>
    public static List<byte[]> FromDistinctSourceAddresses(byte[] frame, int count, uint first)
    {
        if (BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) != 0x0800)
            throw new ArgumentException("only untagged IPv4 frames", nameof(frame));
        var frames = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var copy = (byte[])frame.Clone();
            var ip = copy.AsSpan(FrameEdits.Ethernet, (copy[FrameEdits.Ethernet] & 0xf) * 4);
            BinaryPrimitives.WriteUInt32BigEndian(ip[12..], first + (uint)i);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
            uint sum = 0;
            for (var b = 0; b < ip.Length; b += 2)
                sum += BinaryPrimitives.ReadUInt16BigEndian(ip[b..]);
            while (sum > 0xffff)
                sum = (sum & 0xffff) + (sum >> 16);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);
            frames.Add(copy);
        }
        return frames;
    }

    /// <summary>The conntrack key an inbound IPv4 TCP/UDP frame opens (written from the local side).</summary>
    public static ConntrackKey InboundFlowKey(byte[] frame)
    {
        var l4 = TransportOffset(frame);
        if (l4 == FrameEdits.Ethernet + 40)
            throw new NotSupportedException("IPv6 flow keys are not needed by the benchmark");
        var ip = frame.AsSpan(FrameEdits.Ethernet);
        return new ConntrackKey
        {
            LocalAddr = ScaledPolicy.Ipv4(BinaryPrimitives.ReadUInt32BigEndian(ip[16..])),
            RemoteAddr = ScaledPolicy.Ipv4(BinaryPrimitives.ReadUInt32BigEndian(ip[12..])),
            // Both ports stay in network order: read them as they lie in memory.
            LocalPort = BitConverter.ToUInt16(frame, l4 + 2),
            RemotePort = BitConverter.ToUInt16(frame, l4),
            Protocol = ip[9],
        };
    }
}
