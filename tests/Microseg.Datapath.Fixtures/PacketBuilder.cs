using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Microseg.Datapath.Fixtures;

/// <summary>
/// Builds Ethernet frames for BPF_PROG_TEST_RUN: VLAN tags, IPv4 with options and fragments,
/// IPv6 with extension headers, TCP, UDP, ICMP and ICMPv6, and ICMP errors quoting a packet.
/// The IPv4 header checksum is right; L4 checksums are not computed (the programs never
/// read them).
/// </summary>
public sealed class PacketBuilder
{
    private readonly IPAddress _src, _dst;
    private readonly bool _v6;
    private readonly List<(ushort Tpid, ushort Tci)> _vlans = [];
    private byte[] _ipv4Options = [];
    private readonly List<(byte Type, byte[] Body)> _extensions = [];
    private (ushort OffsetBytes, bool More, uint Id)? _fragment;
    private byte _protocol;
    private byte[] _transport = [];
    private int _payloadBytes;
    private ushort _ipv4Id = 0x1234;

    private PacketBuilder(string src, string dst)
    {
        _src = IPAddress.Parse(src);
        _dst = IPAddress.Parse(dst);
        _v6 = _src.AddressFamily == AddressFamily.InterNetworkV6;
        if (_v6 != (_dst.AddressFamily == AddressFamily.InterNetworkV6))
            throw new ArgumentException("source and destination must be the same family");
    }

    public static PacketBuilder Ip(string src, string dst) => new(src, dst);

    public PacketBuilder Vlan(ushort id, ushort tpid = 0x8100)
    {
        _vlans.Add((tpid, id));
        return this;
    }

    public PacketBuilder Ipv4Options(byte[] options)
    {
        if (options.Length % 4 != 0) throw new ArgumentException("IPv4 options are whole 32-bit words");
        _ipv4Options = options;
        return this;
    }

    public PacketBuilder Ipv4Id(ushort id)
    {
        _ipv4Id = id;
        return this;
    }

    /// <summary>An IPv6 extension header: type (0, 43, 60, 51) and body after its first two bytes.</summary>
    public PacketBuilder Extension(byte type, int bodyBytes = 6)
    {
        _extensions.Add((type, new byte[bodyBytes]));
        return this;
    }

    /// <summary>Fragmented: offset in bytes (multiple of 8), more-fragments flag, id.</summary>
    public PacketBuilder Fragment(ushort offsetBytes, bool more, uint id = 0xBEEF)
    {
        _fragment = (offsetBytes, more, id);
        return this;
    }

    public PacketBuilder Tcp(ushort sport, ushort dport, TcpFlags flags = TcpFlags.Syn)
    {
        _protocol = 6;
        _transport = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(_transport, sport);
        BinaryPrimitives.WriteUInt16BigEndian(_transport.AsSpan(2), dport);
        _transport[12] = 5 << 4;
        _transport[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(_transport.AsSpan(14), 65535);
        return this;
    }

    public PacketBuilder Udp(ushort sport, ushort dport)
    {
        _protocol = 17;
        _transport = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(_transport, sport);
        BinaryPrimitives.WriteUInt16BigEndian(_transport.AsSpan(2), dport);
        return this;
    }

    /// <summary>ICMP (IPv4) or ICMPv6 (IPv6) with type, code and, for echo, an identifier.</summary>
    public PacketBuilder Icmp(byte type, byte code = 0, ushort identifier = 0)
    {
        _protocol = _v6 ? (byte)58 : (byte)1;
        _transport = new byte[8];
        _transport[0] = type;
        _transport[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(_transport.AsSpan(4), identifier);
        return this;
    }

    /// <summary>An ICMP error (type/code) quoting the IP header and 8 payload bytes of a packet.</summary>
    public PacketBuilder IcmpError(byte type, byte code, byte[] quotedFrame)
    {
        Icmp(type, code);
        // The quote starts at the quoted frame's IP header (skip its 14-byte Ethernet header).
        var ip = quotedFrame.AsSpan(14);
        var ipHeader = _v6 ? 40 : (ip[0] & 0xf) * 4;
        var quote = ip[..Math.Min(ip.Length, ipHeader + 8)].ToArray();
        _transport = [.. _transport, .. quote];
        return this;
    }

    /// <summary>Any other protocol by number, with an empty header.</summary>
    public PacketBuilder Protocol(byte protocol)
    {
        _protocol = protocol;
        _transport = [];
        return this;
    }

    public PacketBuilder Payload(int bytes)
    {
        _payloadBytes = bytes;
        return this;
    }

    public byte[] Build()
    {
        var l4 = _fragment is { OffsetBytes: > 0 } ? new byte[_transport.Length + _payloadBytes]
                                                     : [.. _transport, .. new byte[_payloadBytes]];
        if (_protocol == 17 && _transport.Length == 8)
            BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), (ushort)l4.Length);
        var l3 = _v6 ? BuildIpv6(l4) : BuildIpv4(l4);
        var frame = new List<byte>(14 + 4 * _vlans.Count + l3.Length);
        frame.AddRange([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]);
        foreach (var (tpid, tci) in _vlans)
        {
            frame.Add((byte)(tpid >> 8)); frame.Add((byte)tpid);
            frame.Add((byte)(tci >> 8)); frame.Add((byte)tci);
        }
        var ethertype = _v6 ? 0x86DD : 0x0800;
        frame.Add((byte)(ethertype >> 8)); frame.Add((byte)ethertype);
        frame.AddRange(l3);
        return [.. frame];
    }

    private byte[] BuildIpv4(byte[] l4)
    {
        var headerLen = 20 + _ipv4Options.Length;
        var ip = new byte[headerLen + l4.Length];
        ip[0] = (byte)(0x40 | (headerLen / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), _fragment is { } f ? (ushort)f.Id : _ipv4Id);
        if (_fragment is { } frag)
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), (ushort)((frag.More ? 0x2000 : 0) | (frag.OffsetBytes / 8)));
        ip[8] = 64;
        ip[9] = _protocol;
        _src.TryWriteBytes(ip.AsSpan(12), out _);
        _dst.TryWriteBytes(ip.AsSpan(16), out _);
        _ipv4Options.CopyTo(ip, 20);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum(ip.AsSpan(0, headerLen)));
        l4.CopyTo(ip, headerLen);
        return ip;
    }

    private byte[] BuildIpv6(byte[] l4)
    {
        var extensions = new List<byte>();
        var chain = new List<(byte Type, byte[] Bytes)>();
        foreach (var (type, body) in _extensions)
            chain.Add((type, body));
        if (_fragment is { } frag)
        {
            var fh = new byte[6];
            BinaryPrimitives.WriteUInt16BigEndian(fh, (ushort)(frag.OffsetBytes | (frag.More ? 1 : 0)));
            BinaryPrimitives.WriteUInt32BigEndian(fh.AsSpan(2), frag.Id);
            chain.Add((44, fh));
        }
        for (var i = 0; i < chain.Count; i++)
        {
            var (type, body) = chain[i];
            var next = i + 1 < chain.Count ? chain[i + 1].Type : _protocol;
            extensions.Add(next);
            // Length field: 8-octet units beyond the first 8 (AH: 4-octet units minus 2).
            var total = 2 + body.Length;
            extensions.Add(type == 51 ? (byte)(total / 4 - 2) : type == 44 ? (byte)0 : (byte)(total / 8 - 1));
            extensions.AddRange(body);
        }
        var ip = new byte[40 + extensions.Count + l4.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(extensions.Count + l4.Length));
        ip[6] = chain.Count > 0 ? chain[0].Type : _protocol;
        ip[7] = 64;
        _src.TryWriteBytes(ip.AsSpan(8), out _);
        _dst.TryWriteBytes(ip.AsSpan(24), out _);
        extensions.CopyTo(ip, 40);
        l4.CopyTo(ip, 40 + extensions.Count);
        return ip;
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < header.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum >> 16 != 0)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}

/// <summary>TCP flag bits as they sit in byte 13 of the header.</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0, Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10,
    SynAck = Syn | Ack, FinAck = Fin | Ack, PshAck = Psh | Ack, RstAck = Rst | Ack,
}
