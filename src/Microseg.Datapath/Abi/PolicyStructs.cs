using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Datapath.Abi;

/// <summary>Mirrors <c>struct ms_policy_key</c>: key of ms_policy and ms_policy_ranges.</summary>
[MirrorsCStruct("ms_policy_key"), StructLayout(LayoutKind.Sequential)]
public struct PolicyKey : IEquatable<PolicyKey>
{
    public uint LocalIdentity;
    /// <summary>The peer's identity, or <see cref="AbiConstants.IdentityAny"/>.</summary>
    public uint RemoteIdentity;
    public byte Slot;
    public Direction Direction;
    /// <summary>IANA protocol number, or <see cref="AbiConstants.ProtocolAny"/>.</summary>
    public byte Protocol;
    public byte Pad;

    public readonly bool Equals(PolicyKey o) =>
        LocalIdentity == o.LocalIdentity && RemoteIdentity == o.RemoteIdentity && Slot == o.Slot &&
        Direction == o.Direction && Protocol == o.Protocol;
    public override readonly bool Equals(object? obj) => obj is PolicyKey o && Equals(o);
    public override readonly int GetHashCode() => HashCode.Combine(LocalIdentity, RemoteIdentity, Slot, Direction, Protocol);
}

/// <summary>Mirrors <c>struct ms_policy_value</c>.</summary>
[MirrorsCStruct("ms_policy_value"), StructLayout(LayoutKind.Sequential)]
public struct PolicyValue : IEquatable<PolicyValue>
{
    public uint AnyPortRuleId;
    public RuleActionKind AnyPortAction;
    public PolicyFlags Flags;
    /// <summary>Bit (port % 16) set for each exact port under the key; derived, see <see cref="Slots.SlotImage.DeriveLookupHints()"/>.</summary>
    public ushort ExactPortFilter;
    /// <summary>Lowest first port of the key's ranges, host order.</summary>
    public ushort RangeFirstPort;
    /// <summary>Highest last port of the key's ranges, host order.</summary>
    public ushort RangeLastPort;

    public readonly bool Equals(PolicyValue o) =>
        AnyPortRuleId == o.AnyPortRuleId && AnyPortAction == o.AnyPortAction && Flags == o.Flags &&
        ExactPortFilter == o.ExactPortFilter && RangeFirstPort == o.RangeFirstPort && RangeLastPort == o.RangeLastPort;
    public override readonly bool Equals(object? obj) => obj is PolicyValue o && Equals(o);
    public override readonly int GetHashCode() => HashCode.Combine(AnyPortRuleId, AnyPortAction, Flags, ExactPortFilter, RangeFirstPort, RangeLastPort);
}

/// <summary>Mirrors <c>struct ms_policy_port_key</c>: key of ms_policy_ports.</summary>
[MirrorsCStruct("ms_policy_port_key"), StructLayout(LayoutKind.Sequential)]
public struct PolicyPortKey : IEquatable<PolicyPortKey>
{
    public PolicyKey Policy;
    /// <summary>Destination port or ICMP type, host byte order.</summary>
    public ushort Port;
    public ushort Pad;

    public readonly bool Equals(PolicyPortKey o) => Policy.Equals(o.Policy) && Port == o.Port;
    public override readonly bool Equals(object? obj) => obj is PolicyPortKey o && Equals(o);
    public override readonly int GetHashCode() => HashCode.Combine(Policy, Port);
}

/// <summary>Mirrors <c>struct ms_rule_action</c>: value of ms_policy_ports.</summary>
[MirrorsCStruct("ms_rule_action"), StructLayout(LayoutKind.Sequential)]
public struct RuleAction : IEquatable<RuleAction>
{
    public uint RuleId;
    public RuleActionKind Action;
    public Padding3 Pad;

    public readonly bool Equals(RuleAction o) => RuleId == o.RuleId && Action == o.Action;
    public override readonly bool Equals(object? obj) => obj is RuleAction o && Equals(o);
    public override readonly int GetHashCode() => HashCode.Combine(RuleId, Action);
}

/// <summary>Mirrors <c>struct ms_port_range</c>.</summary>
[MirrorsCStruct("ms_port_range"), StructLayout(LayoutKind.Sequential)]
public struct PortRange
{
    public ushort FirstPort;
    public ushort LastPort;
    public uint RuleId;
    public RuleActionKind Action;
    public Padding3 Pad;
}

/// <summary>Mirrors <c>struct ms_policy_ranges</c>: sorted, non-overlapping ranges of one key.</summary>
[MirrorsCStruct("ms_policy_ranges"), StructLayout(LayoutKind.Sequential)]
public struct PolicyRanges : IEquatable<PolicyRanges>
{
    public uint Count;
    public RangeArray Ranges;

    /// <summary><see cref="AbiConstants.MaxPortRanges"/> ranges inline.</summary>
    [InlineArray(AbiConstants.MaxPortRanges)]
    public struct RangeArray
    {
        private PortRange _first;
    }

    public readonly bool Equals(PolicyRanges o)
    {
        if (Count != o.Count) return false;
        ReadOnlySpan<PortRange> a = Ranges, b = o.Ranges;
        for (var i = 0; i < Count; i++)
        {
            if (a[i].FirstPort != b[i].FirstPort || a[i].LastPort != b[i].LastPort ||
                a[i].RuleId != b[i].RuleId || a[i].Action != b[i].Action)
                return false;
        }
        return true;
    }
    public override readonly bool Equals(object? obj) => obj is PolicyRanges o && Equals(o);
    public override readonly int GetHashCode() => (int)Count;
}
