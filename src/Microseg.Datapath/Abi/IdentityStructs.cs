using System.Runtime.InteropServices;

namespace Microseg.Datapath.Abi;

/// <summary>Mirrors <c>struct ms_address_key</c>: key of ms_local_endpoints and ms_remote_hosts.</summary>
[MirrorsCStruct("ms_address_key"), StructLayout(LayoutKind.Sequential)]
public struct AddressKey
{
    public IpAddress16 Addr;
    public uint Slot;
}

/// <summary>Mirrors <c>struct ms_identity_value</c>.</summary>
[MirrorsCStruct("ms_identity_value"), StructLayout(LayoutKind.Sequential)]
public struct IdentityValue
{
    public uint Identity;
}

/// <summary>
/// Mirrors <c>struct ms_prefix_key</c>, the LPM trie key of ms_remote_prefixes. The prefix
/// length counts the slot byte: 8 + 96 + n for IPv4 /n, 8 + n for IPv6 /n.
/// </summary>
[MirrorsCStruct("ms_prefix_key"), StructLayout(LayoutKind.Sequential)]
public struct PrefixKey
{
    public uint Prefixlen;
    public byte Slot;
    public IpAddress16 Addr;
    public Padding3 Pad;

    /// <summary>The key for addr/prefixLength (length in the address's own family) in a slot.</summary>
    public static PrefixKey For(byte slot, IpAddress16 addr, int prefixLength)
    {
        var bits = addr.IsIPv4Mapped ? 96 + prefixLength : prefixLength;
        return new PrefixKey { Prefixlen = (uint)(8 + bits), Slot = slot, Addr = addr };
    }
}

/// <summary>
/// Mirrors <c>struct ms_endpoint_memo</c>, a per-CPU value of ms_endpoint_memo: the programs'
/// own memo of endpoint lookups. User space only ever clears it.
/// </summary>
[MirrorsCStruct("ms_endpoint_memo"), StructLayout(LayoutKind.Sequential)]
public struct EndpointMemo
{
    public IpAddress16 Addr;
    public uint Generation;
    public EndpointValue Value;
    public uint Found;
}

/// <summary>
/// Mirrors <c>struct ms_remote_memo</c>, a per-CPU value of ms_remote_memo: the programs' own
/// memo of remote identities. User space only ever clears it.
/// </summary>
[MirrorsCStruct("ms_remote_memo"), StructLayout(LayoutKind.Sequential)]
public struct RemoteMemo
{
    public IpAddress16 Addr;
    public uint Generation;
    public uint Identity;
}

/// <summary>Mirrors <c>struct ms_endpoint_value</c>.</summary>
[MirrorsCStruct("ms_endpoint_value"), StructLayout(LayoutKind.Sequential)]
public struct EndpointValue
{
    public uint Identity;
    public EndpointMode Mode;
    public EndpointFlags Flags;
    public ushort Pad;
}
