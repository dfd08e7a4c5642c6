using Microseg.Datapath.Abi;
using Microseg.Datapath.Slots;
using Microseg.Policy.Interfaces;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Puts the interfaces' owners (<see cref="InterfaceOwnership"/>) into a compiled image, by
/// interface slot: the owner's kernel entry is the one its listed address already has, so an
/// unlisted address is judged exactly as the owner's own addresses are.
/// </summary>
public static class InterfaceEndpointFill
{
    /// <summary>
    /// The kernel entry of each interface slot's owner, for <see cref="SlotImage.InterfaceEndpoints"/>.
    /// Interfaces that share a slot (more interfaces than slots) get the stricter owner.
    /// </summary>
    /// <param name="image">A compiled image (its endpoints written).</param>
    /// <param name="owners">Each attached interface's slot in ms_interface_slots and its owner.</param>
    public static Dictionary<uint, EndpointValue> Resolve(SlotImage image, IEnumerable<(uint InterfaceSlot, InterfaceOwner Owner)> owners)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(owners);
        var bySlot = new Dictionary<uint, EndpointValue>();
        foreach (var (slot, owner) in owners)
        {
            if (owner.ListedAddress is not { } address ||
                !image.Endpoints.TryGetValue(IpAddress16.From(address), out var value))
                continue;
            if (bySlot.TryGetValue(slot, out var held) && held.Mode >= value.Mode)
                continue;
            bySlot[slot] = value;
        }
        return bySlot;
    }

    /// <summary>Replaces <paramref name="image"/>'s interface owners with <see cref="Resolve"/>'s.</summary>
    public static void Fill(SlotImage image, IEnumerable<(uint InterfaceSlot, InterfaceOwner Owner)> owners)
    {
        var resolved = Resolve(image, owners);
        image.InterfaceEndpoints.Clear();
        foreach (var (slot, value) in resolved)
            image.InterfaceEndpoints[slot] = value;
    }
}
