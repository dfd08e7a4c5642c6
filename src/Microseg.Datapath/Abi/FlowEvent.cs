using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Datapath.Abi;

/// <summary>Mirrors <c>struct ms_flow_event</c>: one record of the ms_events ring buffer.</summary>
[MirrorsCStruct("ms_flow_event"), StructLayout(LayoutKind.Sequential)]
public struct FlowEvent
{
    /// <summary>bpf_ktime_get_coarse_ns: CLOCK_MONOTONIC_COARSE, within a few ms.</summary>
    public ulong TimestampNs;
    public IpAddress16 LocalAddr;
    public IpAddress16 RemoteAddr;
    /// <summary>Network byte order.</summary>
    public ushort LocalPort;
    /// <summary>Network byte order.</summary>
    public ushort RemotePort;
    public uint LocalIdentity;
    public uint RemoteIdentity;
    /// <summary>Deciding rule; 0 for the endpoint default.</summary>
    public uint RuleId;
    public uint Ifindex;
    public uint PolicyGeneration;
    /// <summary>Events from this remote the rate limit dropped since the previous delivered one.</summary>
    public uint Suppressed;
    public FlowEventKind Kind;
    /// <summary>Direction of the flow's first packet.</summary>
    public Direction Direction;
    public byte Protocol;
    public VerdictReason Reason;
    public Verdict Verdict;
    public byte TcpFlags;
    /// <summary>Port the policy judged: destination port or ICMP type, host order.</summary>
    public ushort PolicyPort;
    public uint Pad;
    /// <summary>FLOW_END: the flow's packets; else 1.</summary>
    public ulong Packets;
    /// <summary>FLOW_END: the flow's bytes; else this packet's.</summary>
    public ulong Bytes;

    /// <summary>Reads one record (a copy); the ring's records are exactly this size.</summary>
    public static bool TryRead(ReadOnlySpan<byte> record, out FlowEvent flowEvent)
    {
        // Unsafe.SizeOf is a JIT constant; Marshal.SizeOf is a runtime call, per record.
        if (record.Length < Unsafe.SizeOf<FlowEvent>())
        {
            flowEvent = default;
            return false;
        }
        flowEvent = MemoryMarshal.Read<FlowEvent>(record);
        return true;
    }

    /// <summary>
    /// The record in place, without copying its 96 bytes: for per-event hot paths that read a
    /// few fields. Valid as long as the record is (until the reader moves past it). Throws if
    /// the record is shorter than an event.
    /// </summary>
    public static ref readonly FlowEvent View(ReadOnlySpan<byte> record) =>
        ref MemoryMarshal.AsRef<FlowEvent>(record[..Unsafe.SizeOf<FlowEvent>()]);
}
