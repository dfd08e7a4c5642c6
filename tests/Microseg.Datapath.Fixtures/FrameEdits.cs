using System.Buffers.Binary;

namespace Microseg.Datapath.Fixtures;

/// <summary>Damage done to well-formed frames, for the malformed-packet rows.</summary>
public static class FrameEdits
{
    public const int Ethernet = 14;

    /// <summary>The first length bytes of the frame, lengths in headers left claiming more.</summary>
    public static byte[] Cut(byte[] frame, int length) => frame[..length];

    /// <summary>
    /// Keeps l3Bytes of the IP packet and fixes its length field to match, so only the
    /// transport header is short: the packet is consistent, just truncated at L4.
    /// </summary>
    public static byte[] CutIpPacket(byte[] frame, int l3Bytes)
    {
        var cut = frame[..(Ethernet + l3Bytes)];
        if (cut[Ethernet] >> 4 == 4)
            BinaryPrimitives.WriteUInt16BigEndian(cut.AsSpan(Ethernet + 2), (ushort)l3Bytes);
        else
            BinaryPrimitives.WriteUInt16BigEndian(cut.AsSpan(Ethernet + 4), (ushort)(l3Bytes - 40));
        return cut;
    }

    public static byte[] Set(byte[] frame, int offset, byte value)
    {
        var copy = (byte[])frame.Clone();
        copy[offset] = value;
        return copy;
    }

    public static byte[] SetUInt16(byte[] frame, int offset, ushort value)
    {
        var copy = (byte[])frame.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    /// <summary>An ARP request: not IP, never ours to judge.</summary>
    public static byte[] Arp()
    {
        var frame = new byte[42];
        frame[0] = 0xff; frame[1] = 0xff; frame[2] = 0xff; frame[3] = 0xff; frame[4] = 0xff; frame[5] = 0xff;
        frame[12] = 0x08; frame[13] = 0x06;
        return frame;
    }
}
