using System.Runtime.InteropServices;

namespace Microseg.Datapath.Abi;

/// <summary>Mirrors <c>struct ms_conntrack_key</c>: a flow written from the local side.</summary>
[MirrorsCStruct("ms_conntrack_key"), StructLayout(LayoutKind.Sequential)]
public struct ConntrackKey
{
    public IpAddress16 LocalAddr;
    public IpAddress16 RemoteAddr;
    /// <summary>Network byte order: TCP/UDP port, ICMP echo identifier, else 0.</summary>
    public ushort LocalPort;
    /// <summary>Network byte order.</summary>
    public ushort RemotePort;
    public byte Protocol;
    public Padding3 Pad;
}

/// <summary>Mirrors <c>struct ms_conntrack_entry</c>.</summary>
[MirrorsCStruct("ms_conntrack_entry"), StructLayout(LayoutKind.Sequential)]
public struct ConntrackEntry
{
    /// <summary>The latest packet, in ticks of the programs' clock (jiffies, or coarse ns when HZ is unknown).</summary>
    public ulong LastSeen;
    public ulong Packets;
    public ulong Bytes;
    /// <summary>Policy generation that last admitted the flow.</summary>
    public uint Generation;
    public uint RuleId;
    public uint LocalIdentity;
    public uint RemoteIdentity;
    public uint Ifindex;
    /// <summary>Port the policy judged: destination port or ICMP type, host order.</summary>
    public ushort PolicyPort;
    public Direction OriginDirection;
    /// <summary>
    /// <see cref="Verdict.Allow"/>; <see cref="Verdict.WouldDeny"/> in monitor mode; <see cref="Verdict.Deny"/>
    /// once a policy change revoked the flow (kept so both directions stay dropped until it times out).
    /// </summary>
    public Verdict Verdict;
    public byte TcpFlagsLocal;
    public byte TcpFlagsRemote;
    public byte Closed;
    /// <summary>Whether <see cref="OriginDirection"/> and <see cref="PolicyPort"/> are the opener's.</summary>
    public FlowOrigin Origin;
    public Padding4 Pad;
}

/// <summary>Mirrors <c>struct ms_fragment_key</c>.</summary>
[MirrorsCStruct("ms_fragment_key"), StructLayout(LayoutKind.Sequential)]
public struct FragmentKey
{
    public IpAddress16 Src;
    public IpAddress16 Dst;
    /// <summary>IPv4 identification or IPv6 fragment id, network order.</summary>
    public uint Id;
    public byte Protocol;
    public Padding3 Pad;
}

/// <summary>Mirrors <c>struct ms_fragment_value</c>.</summary>
[MirrorsCStruct("ms_fragment_value"), StructLayout(LayoutKind.Sequential)]
public struct FragmentValue
{
    /// <summary>In ticks of the programs' clock.</summary>
    public ulong FirstSeen;
    public ushort SrcPort;
    public ushort DstPort;
    public uint RuleId;
    public Verdict Verdict;
    public Padding7 Pad;
}
