using System.Runtime.InteropServices;

namespace Microseg.Datapath.Abi;

/// <summary>Mirrors <c>struct ms_control</c>, the value of <c>ms_control[0]</c>.</summary>
[MirrorsCStruct("ms_control"), StructLayout(LayoutKind.Sequential)]
public struct ControlValue
{
    /// <summary>The slot packets read: 0 or 1.</summary>
    public uint ActiveSlot;
    public uint Pad;
}

/// <summary>Mirrors <c>struct ms_slot_config</c>, the value of <c>ms_slot_config[slot]</c>.</summary>
[MirrorsCStruct("ms_slot_config"), StructLayout(LayoutKind.Sequential)]
public struct SlotConfig
{
    /// <summary>Policy generation; conntrack entries admitted under another are re-checked.</summary>
    public uint Generation;
    /// <summary>Identity of local addresses not in ms_local_endpoints, on an interface no endpoint owns.</summary>
    public uint DefaultIdentity;
    public EndpointMode DefaultMode;
    public EndpointFlags DefaultFlags;
    /// <summary>Mode for packets whose addresses cannot be read: the strictest in use.</summary>
    public EndpointMode UnattributedMode;
    public SlotFlags Flags;
}
