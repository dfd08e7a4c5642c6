using System.Buffers.Binary;
using System.Net;

namespace Microseg.Bench.Sre;

/// <summary>
/// The generator's frame: Ethernet, IPv4 (no options, checksum set), UDP (checksum 0, legal
/// for IPv4) and padding to 60 bytes — a 64-byte frame on the wire once the FCS is added.
/// </summary>
internal static class UdpFrame
{
    public const int Length = 60;
    public const ushort SourcePort = 40000;

    public static byte[] Build(byte[] sourceMac, byte[] destinationMac, IPAddress source, IPAddress destination, ushort destinationPort)
    {
        var frame = new byte[Length];
        var span = frame.AsSpan();
        destinationMac.CopyTo(span);
        sourceMac.CopyTo(span[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[12..], 0x0800);
        var ip = span.Slice(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], Length - 14);
        ip[8] = 64; // TTL
        ip[9] = 17; // UDP
        source.TryWriteBytes(ip[12..], out _);
        destination.TryWriteBytes(ip[16..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
        var udp = span.Slice(34, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp, SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], Length - 34);
        return frame;
    }

    /// <summary>The Internet checksum of a header whose checksum field is zero.</summary>
    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xffff)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
