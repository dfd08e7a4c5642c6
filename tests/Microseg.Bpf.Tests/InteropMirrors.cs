using System.Runtime.InteropServices;

namespace Microseg.Bpf.Tests;

// C# mirrors of the structs in tests/bpf/interop_fixtures.bpf.c; BtfTests checks them
// against the compiled object's BTF.

/// <summary>Mirrors struct interop_flow_key.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FlowKey
{
    public uint Address;
    public ushort Port;
    public byte Protocol;
    public byte Pad;
}

/// <summary>Mirrors struct interop_flow_value (the anonymous union as Mark, the bitfields as one word).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FlowValue
{
    public ulong Packets;
    public ulong Bytes;
    public uint Mark;
    public uint VerdictAndReserved;
}

/// <summary>Mirrors struct interop_lpm_key.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LpmKey
{
    public uint PrefixLength;
    public fixed byte Address[4];

    public static LpmKey Create(uint prefixLength, byte a, byte b, byte c, byte d)
    {
        var key = new LpmKey { PrefixLength = prefixLength };
        key.Address[0] = a;
        key.Address[1] = b;
        key.Address[2] = c;
        key.Address[3] = d;
        return key;
    }
}

/// <summary>Mirrors struct interop_event (64 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InteropEvent
{
    public ulong Sequence;
    public uint Run;
    public uint Index;
    public fixed byte Payload[48];
}

/// <summary>Mirrors struct interop_counter.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Counter
{
    public ulong Value;
}

/// <summary>Opens (and optionally loads) the fixtures object.</summary>
internal static class Fixtures
{
    public static string ObjectPath => Microseg.TestSupport.ArtifactPaths.BpfObject("interop_fixtures");

    /// <summary>
    /// The fixtures object, loaded, with its pinned-by-name map kept under a per-test
    /// bpffs directory so tests do not share it through /sys/fs/bpf.
    /// </summary>
    public static BpfObject Load(string pinRoot, uint recordsPerRun = 1)
    {
        BpfObject bpf = BpfObject.Open(ObjectPath, new BpfObjectOpenOptions { PinRootPath = pinRoot });
        try
        {
            bpf.SetReadOnlyGlobal("ring_records_per_run", recordsPerRun);
            bpf.Load();
            return bpf;
        }
        catch
        {
            bpf.Dispose();
            throw;
        }
    }

    /// <summary>A minimal Ethernet frame (XDP test runs need at least 14 bytes).</summary>
    public static byte[] Frame()
    {
        var frame = new byte[64];
        frame[12] = 0x08; // EtherType IPv4
        return frame;
    }
}
