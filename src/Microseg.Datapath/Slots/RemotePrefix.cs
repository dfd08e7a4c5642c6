using Microseg.Datapath.Abi;

namespace Microseg.Datapath.Slots;

/// <summary>An address prefix; the length counts in the address's own family (/24, /64).</summary>
public readonly record struct RemotePrefix(IpAddress16 Address, byte PrefixLength)
{
    public PrefixKey ToKey(byte slot) => PrefixKey.For(slot, Address, PrefixLength);

    public override string ToString() =>
        $"{Address}/{PrefixLength}";
}
